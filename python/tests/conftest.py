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


@pytest.fixture(scope="session")
def local_cluster():
    """One real two-process ``distributed.LocalCluster`` on loopback for the whole session: the
    Dask modules (test_dask*.py) each connect a client of their own to it (their ``cluster``
    fixture, module-scoped, so the client is the default scheduler only inside the module) instead
    of starting two worker processes each."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as c:
        yield c


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


def dask_frame(n: int):
    """The distributed GLM tests' data (test_dask.py, test_dask_sqrt.py): n rows of a binary, a
    count and a gamma response, x1, x2 (300 missing), a region factor whose r0 is only in the
    first 5 % of the rows and r7 only in the last 5 % (200 missing), exposure t and weights w;
    fixed seed, so every caller that asks for the same n gets the same values."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20261126)
    i = np.arange(n)
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-1, 1, size=n)
    region = np.array([f"r{k}" for k in rng.integers(1, 7, size=n)], dtype=object)
    region[i < n // 20] = np.where(rng.random(n // 20) < 0.5, "r0", region[i < n // 20])
    region[i >= n - n // 20] = np.where(rng.random(n // 20) < 0.5, "r7", region[i >= n - n // 20])
    effect = {f"r{k}": 0.1 * k - 0.3 for k in range(8)}
    eff = np.array([effect[r] for r in region])
    t = rng.uniform(0.5, 3.0, size=n)
    eta_b = -0.4 + 0.8 * x1 - 0.5 * x2 + eff
    y_bin = (rng.random(n) < 1 / (1 + np.exp(-eta_b))).astype(float)
    y_pois = rng.poisson(t * np.exp(0.2 + 0.3 * x1 + eff)).astype(float)
    y_gamma = rng.gamma(2.0, np.exp(1.0 + 0.2 * x1 - 0.1 * x2) / 2.0)
    w = rng.uniform(0.5, 2.0, size=n)
    df = pd.DataFrame({"y_bin": y_bin, "y_pois": y_pois, "y_gamma": y_gamma, "x1": x1, "x2": x2,
                       "region": region, "t": t, "w": w})
    df.loc[rng.choice(n, 300, replace=False), "x2"] = np.nan
    df.loc[rng.choice(n, 200, replace=False), "region"] = None
    return df
