#!/usr/bin/env bash
# The Python package's CI: a fresh virtual environment, the pinned test dependencies, the wheel
# built from this checkout and installed as a user would (`pip install ./python`), and its pytest
# suite. Exits non-zero when any step fails; the last line is pytest's summary (N passed in T s).
#
# Needs: python3 (3.9 or later, with venv and pip), cargo, a C compiler, and the network to PyPI
# and crates.io. No Python headers: the extension is built against the stable ABI (abi3).
#
# Environment:
#   PYTHON          interpreter for the virtual environment (default: python3)
#   DIMORPH_PY_VENV where to make it (default: a new temporary folder, removed at the end)
#   DIMORPH_BIN     the dimorph CLI the results are compared with; when unset, the lean debug build
#                   of this checkout is built (or found up to date) with cargo
#   PYTEST_ARGS     extra pytest arguments
#
# Arguments: none runs every step; `build` stops after the wheel and the extension's fmt and clippy;
# `test` only runs pytest in an environment a `build` made (DIMORPH_PY_VENV must name it). `.ci/run`
# runs `build` beside the Rust steps, where it uses the cores the Rust build leaves idle, then `test`.
set -euo pipefail
phase="${1:-all}"
case "$phase" in
    all | build | test) ;;
    *) echo "python/ci.sh: unknown argument '$phase' (expected build, test or nothing)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
root="$(pwd)"
SECONDS=0
say() { echo "== [${SECONDS}s] $*"; }

python="${PYTHON:-python3}"
if [[ "$phase" == test ]]; then
    if [[ -z "${DIMORPH_PY_VENV:-}" || ! -x "${DIMORPH_PY_VENV}/bin/python" ]]; then
        echo "python/ci.sh test: DIMORPH_PY_VENV must name the environment 'python/ci.sh build' made" >&2
        exit 2
    fi
    venv="$DIMORPH_PY_VENV"
elif [[ -n "${DIMORPH_PY_VENV:-}" ]]; then
    venv="$DIMORPH_PY_VENV"
    rm -rf "$venv"
else
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    venv="$tmp/venv"
fi

if [[ "$phase" != test ]]; then
    say "python/ci.sh: a fresh virtual environment ($("$python" --version 2>&1)) in $venv"
    "$python" -m venv "$venv"
fi
export PATH="$venv/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ "$phase" != test ]]; then
    say "pinned build and test dependencies"
    pip install --quiet maturin==1.16.0 pytest==9.2.0 numpy==2.4.6 pandas==3.1.1 polars==2.1.0 pyarrow==26.0.1 \
        "dask[dataframe]==2026.8.0" distributed==2026.8.0

    say "the wheel: pip install ./python (maturin, release build of the engines in python/target)"
    # --no-build-isolation: build with the maturin pinned above rather than a fresh download
    pip install --quiet --no-build-isolation ./python

    say "the extension's Rust: cargo fmt --check, cargo clippy -D warnings (it is outside the main workspace)"
    cargo fmt --manifest-path python/Cargo.toml -- --check
    cargo clippy --quiet --release --manifest-path python/Cargo.toml -- -D warnings
fi
[[ "$phase" == build ]] && exit 0

if [[ -z "${DIMORPH_BIN:-}" ]]; then
    say "the CLI the tests compare with: cargo build -p dimorph --no-default-features"
    cargo build --quiet -p dimorph --no-default-features --bin dimorph
    export DIMORPH_BIN="$root/target/debug/dimorph"
fi

say "pytest python/tests"
cd "$root"
# pytest from the repository root, so that `import dimorph` finds the installed wheel and not the
# sources in python/dimorph (which lack the compiled extension)
# shellcheck disable=SC2086
pytest python/tests -q -p no:cacheprovider ${PYTEST_ARGS:-}
