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
#   DIMORPH_PY_SHARED_TARGET
#                   1: build the wheel with the dev profile (.cargo/config.toml), where it reuses
#                   every crate `cargo test --workspace` compiled: the extension is a member of the
#                   main workspace, so the engines and dependencies are the same units, and
#                   crates/dimorph-feature-pins gives the dependencies the workspace's features.
#                   Fails when the wheel compiles anything but pyo3, numpy and the extension.
#                   `.ci/run` does this (the release wheel took ~10 CPU-minutes of CI).
#                   Otherwise (users, and the default): the release wheel, in target/release, where
#                   it reuses what `cargo run --release -p dimorph -- demo` compiled.
#
# Arguments: none runs every step. `venv` makes the environment and installs the pins; `build`
# builds and installs the wheel and runs the extension's fmt and clippy; `test` runs pytest. `build`
# and `test` work in the environment a `venv` made (DIMORPH_PY_VENV must name it). `.ci/run` runs
# `venv` beside the Rust steps, `build` after the Rust test build, and `test` beside the Rust tests.
set -euo pipefail
phase="${1:-all}"
case "$phase" in
    all | venv | build | test) ;;
    *) echo "python/ci.sh: unknown argument '$phase' (expected venv, build, test or nothing)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
root="$(pwd)"
SECONDS=0
say() { echo "== [${SECONDS}s] $*"; }

python="${PYTHON:-python3}"
if [[ "$phase" == build || "$phase" == test ]]; then
    if [[ -z "${DIMORPH_PY_VENV:-}" || ! -x "${DIMORPH_PY_VENV}/bin/python" ]]; then
        echo "python/ci.sh $phase: DIMORPH_PY_VENV must name the environment 'python/ci.sh venv' made" >&2
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

if [[ "$phase" == all || "$phase" == venv ]]; then
    say "python/ci.sh: a fresh virtual environment ($("$python" --version 2>&1)) in $venv"
    "$python" -m venv "$venv"
fi
export PATH="$venv/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ "$phase" == all || "$phase" == venv ]]; then
    say "pinned build and test dependencies"
    pip install --quiet maturin==1.16.0 pytest==9.2.0 numpy==2.4.6 pandas==3.1.1 polars==2.1.0 pyarrow==26.0.1 \
        "dask[dataframe]==2026.8.0" distributed==2026.8.0
fi
[[ "$phase" == venv ]] && exit 0

if [[ "$phase" == all || "$phase" == build ]]; then
    # --no-build-isolation: build with the maturin pinned above rather than a fresh download
    if [[ "${DIMORPH_PY_SHARED_TARGET:-0}" == 1 ]]; then
        say "the wheel: pip install ./python (maturin, dev profile, reusing what cargo test --workspace built)"
        wheel_log="$(mktemp)"
        MATURIN_PEP517_ARGS="--profile dev" pip install --verbose --no-build-isolation ./python >"$wheel_log" 2>&1 ||
            { cat "$wheel_log"; exit 1; }
        # (nothing compiled when the extension is up to date: grep finds no line, which is fine)
        compiled="$({ grep -oE 'Compiling [A-Za-z0-9_-]+ v' "$wheel_log" || true; } | awk '{print $2}' | sort -u | tr '\n' ' ')"
        rm -f "$wheel_log"
        echo "compiled for the wheel: $compiled"
        # Only the crates the test build has no use for. Anything else means that a shared
        # dependency's features drifted (pin them in crates/dimorph-feature-pins), and the wheel
        # compiled it and everything above it again.
        unexpected="$(tr ' ' '\n' <<<"$compiled" | grep -vE '^(pyo3.*|numpy|rustc-hash|target-lexicon|dimorph-py|)$' || true)"
        if [[ -n "$unexpected" ]]; then
            echo "python/ci.sh: the test wheel compiled crates that cargo test --workspace had compiled:" $unexpected >&2
            echo "  pin their features in crates/dimorph-feature-pins" >&2
            exit 1
        fi
        # The extension's fmt is the main workspace's (.ci/run). Its clippy: .ci/run makes
        # clippy-driver the workspace's rustc wrapper, so the build above linted the extension with
        # warnings as errors; run without that wrapper, this script lints it itself.
        if [[ -z "${RUSTC_WORKSPACE_WRAPPER:-}" ]]; then
            say "the extension's Rust: cargo clippy -D warnings"
            cargo clippy --quiet -p dimorph-py -- -D warnings
        fi
    else
        say "the wheel: pip install ./python (maturin, release build in target/release)"
        pip install --quiet --no-build-isolation ./python
        say "the extension's Rust: cargo fmt --check, cargo clippy -D warnings"
        cargo fmt -p dimorph-py -- --check
        cargo clippy --quiet --release -p dimorph-py -- -D warnings
    fi
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
