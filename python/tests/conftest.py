"""Shared fixtures: the repository's data, the CLI binary, and a JSON comparison at 1e-12."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path
from typing import Any, Iterable, List

import pytest

import dimorph

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def pytest_report_header(config: Any) -> List[str]:
    return [f"dimorph {dimorph.__version__} from {Path(dimorph.__file__).parent}", f"CLI: {cli_path()}"]


def cli_path() -> Path:
    """The ``dimorph`` binary the results are compared with: $DIMORPH_BIN, else the debug build of
    this checkout, else the release build (python/ci.sh builds the debug one)."""
    env = os.environ.get("DIMORPH_BIN")
    if env:
        return Path(env)
    for p in (REPO / "target" / "debug" / "dimorph", REPO / "target" / "release" / "dimorph"):
        if p.exists():
            return p
    return REPO / "target" / "debug" / "dimorph"


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI from the repository root; returns (exit code, stdout, stderr)."""
    exe = cli_path()
    if not exe.exists():
        pytest.fail(
            f"no dimorph binary at {exe}: build it with `cargo build -p dimorph --no-default-features` "
            "(python/ci.sh does) or set DIMORPH_BIN"
        )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=600)

    return run


@pytest.fixture
def in_repo(monkeypatch):
    """Run the test from the repository root, so that relative paths match the CLI's."""
    monkeypatch.chdir(REPO)
    return REPO


def assert_same_json(a: Any, b: Any, path: str = "$", rtol: float = 1e-12, ignore: Iterable[str] = ()) -> None:
    """``a`` equals ``b``: the same keys, lengths, strings and booleans; numbers within ``rtol``
    (relative, absolute below 1). Keys named in ``ignore`` are skipped wherever they occur."""
    ignore = set(ignore)
    if isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            if k not in ignore:
                assert_same_json(a[k], b[k], f"{path}.{k}", rtol, ignore)
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_json(x, y, f"{path}[{i}]", rtol, ignore)
    elif isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(a, str):
        assert a == b, f"{path}: {a!r} != {b!r}"
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), f"{path}: {a} != {b}"
        else:
            assert abs(a - b) <= rtol * max(1.0, abs(a), abs(b)), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def cli_json(cli, *args: str) -> dict:
    p = cli(*args, "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def printed(x: float, shown: str) -> None:
    """``x`` rounds to the printed value: within half a unit of its last digit."""
    v = float(shown)
    d = len(shown.split(".")[1]) if "." in shown else 0
    half = 0.5 * 10.0 ** (-d) * (1 + 1e-9)
    assert abs(x - v) <= half, f"{x} does not print as {shown}"


def within_one_unit(x: float, shown: str) -> None:
    """``x`` is within one unit of the last printed digit."""
    v = float(shown)
    d = len(shown.split(".")[1]) if "." in shown else 0
    assert abs(x - v) <= 10.0 ** (-d) * (1 + 1e-9), f"{x} is not within one unit of {shown}"
