"""dimorph.bagnet: the BagNet CLI's outputs (``dimorph bagnet explain --out DIR --features``) as
DataFrames.

The files in tests/fixtures/bagnet/ were written by the CLI with the BagNet engine
(tests/fixtures/bagnet/make.sh: 24 synthetic 40 px images, one epoch of a tiny bagnet9) — they are
committed because python/ci.sh builds the CLI without BagNet (--no-default-features). When the
CLI the tests use has BagNet, the same run is made live and read as well. The checks tie the three
files together the way the engine computes them: the class comparison is the per-image table's
class means and Cohen's d (to 1e-12), and each image's largest and smallest patch logit in the
per-image table is the extreme of its patches' logits in features.csv (exactly: the same f64
printed twice).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dimorph
from conftest import REPO, cli_path

FIXTURES = Path(__file__).parent / "fixtures" / "bagnet"


def check_outputs(folder: Path) -> None:
    ev = dimorph.bagnet.read_evidence(folder)
    by = dimorph.bagnet.read_evidence(folder / "evidence_by_class.csv", by_class=True)
    ft = dimorph.bagnet.read_features(folder / "features.csv")
    assert list(ev.columns) == dimorph.bagnet.EVIDENCE_COLUMNS and len(ev) > 3
    assert str(ev["strongest_in_planted"].dtype) == "boolean"
    assert ev["logit"].dtype == np.float64
    assert list(ft.columns[:5]) == dimorph.bagnet.FEATURE_COLUMNS
    assert ft["row"].dtype == np.int64 and ft["f0"].dtype == np.float32
    assert ft.columns[-1] == f"f{len(ft.columns) - 6}"
    # the class comparison (negative class = the first class, as the engine's target 0)
    classes = sorted(ev["label"].unique())
    assert len(classes) == 2
    neg, pos = ev[ev["label"] == classes[0]], ev[ev["label"] == classes[1]]
    stat = {"fraction above +t": "frac_above", "fraction below -t": "frac_below",
            "largest patch logit": "max_logit", "smallest patch logit": "min_logit"}
    assert list(by["statistic"]) == list(stat)
    for _, r in by.iterrows():
        a, b = neg[stat[r["statistic"]]].to_numpy(), pos[stat[r["statistic"]]].to_numpy()
        assert abs(r["mean_negative"] - a.mean()) <= 1e-12 * max(1, abs(a.mean()))
        assert abs(r["mean_positive"] - b.mean()) <= 1e-12 * max(1, abs(b.mean()))
        sp = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
        with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 when both classes are constant
            d = (b.mean() - a.mean()) / sp
        if np.isfinite(d):
            assert abs(r["cohens_d"] - d) <= 1e-12 * max(1, abs(d)), r["statistic"]
        else:
            assert np.isnan(r["cohens_d"])
    # each image's patches: the extremes of their logits are the per-image table's
    per = ft.groupby("image")["logit"].agg(["max", "min", "size"])
    assert sorted(per.index) == sorted(ev["image"])
    e = ev.set_index("image")
    for img, r in per.iterrows():
        assert r["max"] == e.loc[img, "max_logit"] and r["min"] == e.loc[img, "min_logit"], img
    # the patches of an image form the full grid of its evidence map, each position once
    for _, g in ft.groupby("image"):
        h, w = g["row"].max() + 1, g["col"].max() + 1
        assert len(g) == h * w and not g[["row", "col"]].duplicated().any()
    assert (ft.groupby("image")["label"].first() == e["label"].reindex(per.index)).all()


def test_the_committed_cli_outputs_read_as_dataframes():
    check_outputs(FIXTURES)


def test_polars_when_asked():
    pl = pytest.importorskip("polars")
    a = dimorph.bagnet.read_features(FIXTURES, output="polars")
    assert isinstance(a, pl.DataFrame)
    b = dimorph.bagnet.read_features(FIXTURES)
    assert a.columns == list(b.columns) and a.height == len(b)
    assert np.array_equal(a["f3"].to_numpy(), b["f3"].to_numpy())
    e = dimorph.bagnet.read_evidence(FIXTURES, output="polars")
    assert e["strongest_in_planted"].dtype == pl.Boolean
    with pytest.raises(dimorph.InputError, match="output"):
        dimorph.bagnet.read_evidence(FIXTURES, output="arrow")


def bagnet_cli():
    exe = cli_path()
    if not exe.exists():
        return None
    p = subprocess.run([str(exe), "bagnet", "explain", "--help"], capture_output=True, text=True)
    return exe if p.returncode == 0 else None


def test_a_live_cli_run_reads_the_same_way(tmp_path):
    exe = bagnet_cli()
    if exe is None:
        pytest.skip("the CLI under test is built without BagNet (--no-default-features); the committed "
                    "fixtures are its outputs")
    out = tmp_path / "fixtures"
    out.mkdir()
    shutil.copy(FIXTURES / "make.sh", out / "make.sh")
    subprocess.run(["bash", str(out / "make.sh")], env={"DIMORPH": str(exe), "PATH": "/usr/bin:/bin"},
                   cwd=REPO, check=True, capture_output=True, timeout=600)
    check_outputs(out)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_bad_files_name_the_file_line_and_column(tmp_path):
    feats = (FIXTURES / "features.csv").read_text().splitlines()
    ev = (FIXTURES / "evidence_stats.csv").read_text().splitlines()
    # a non-number feature, on the third line
    bad = feats[:2] + [feats[2].rsplit(",", 1)[0] + ",oops"] + feats[3:]
    p = write(tmp_path, "features.csv", "\n".join(bad) + "\n")
    last = feats[0].split(",")[-1]
    with pytest.raises(dimorph.InputError, match=rf"features.csv: line 3: column '{last}': 'oops' is not a number"):
        dimorph.bagnet.read_features(p)
    # a short row
    p = write(tmp_path, "features.csv", "\n".join(feats[:4] + ["img.png,0,0"] + feats[4:]) + "\n")
    with pytest.raises(dimorph.InputError, match=r"features.csv: line 5: 3 fields, the header has"):
        dimorph.bagnet.read_features(p)
    # a negative patch position
    f = feats[1].split(",")
    f[1] = "-1"
    p = write(tmp_path, "features.csv", "\n".join([feats[0], ",".join(f)] + feats[2:]) + "\n")
    with pytest.raises(dimorph.InputError, match=r"line 2: column 'row': '-1' is not a patch position"):
        dimorph.bagnet.read_features(p)
    # another header
    p = write(tmp_path, "features.csv", "image,row,col\nx,0,0\n")
    with pytest.raises(dimorph.InputError, match=r"features.csv: line 1: not features.csv"):
        dimorph.bagnet.read_features(p)
    # evidence: a flag that is not TRUE/FALSE/NA, a logit that is not a number
    e = ev[1].split(",")
    e[-1] = "maybe"
    p = write(tmp_path, "evidence_stats.csv", "\n".join([ev[0], ",".join(e)] + ev[2:]) + "\n")
    with pytest.raises(dimorph.InputError, match=r"line 2: column 'strongest_in_planted': 'maybe' is not TRUE"):
        dimorph.bagnet.read_evidence(p)
    e = ev[2].split(",")
    e[3] = "high"
    p = write(tmp_path, "evidence_stats.csv", "\n".join(ev[:2] + [",".join(e)] + ev[3:]) + "\n")
    with pytest.raises(dimorph.InputError, match=r"evidence_stats.csv: line 3: column 'logit': 'high' is not a number"):
        dimorph.bagnet.read_evidence(p)
    # the by-class table read as the per-image one, a missing file, an empty file
    with pytest.raises(dimorph.InputError, match="line 1: not evidence_stats.csv"):
        dimorph.bagnet.read_evidence(FIXTURES / "evidence_by_class.csv")
    with pytest.raises(dimorph.InputError, match="no such file"):
        dimorph.bagnet.read_features(tmp_path / "nope")
    with pytest.raises(dimorph.InputError, match="line 1: the file is empty"):
        dimorph.bagnet.read_evidence(write(tmp_path, "empty.csv", ""))
    # NA in a numeric cell is a missing value (NaN), as the CLI writes one
    e = ev[1].split(",")
    e[4] = "NA"
    p = write(tmp_path, "evidence_stats.csv", "\n".join([ev[0], ",".join(e)] + ev[2:]) + "\n")
    assert np.isnan(dimorph.bagnet.read_evidence(p)["frac_above"].iloc[0])
