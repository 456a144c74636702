"""dimorph.glm's robust=, cluster=, event= and anova= against the R values the engine's own tests
use (crates/dimorph-glm/tests/peers/*.csv, computed by the R scripts beside them), with the same
tolerances as crates/dimorph-glm/tests/{robust,event,anova}.rs."""

from __future__ import annotations

import csv

import pytest
from conftest import DATA, REPO

import dimorph

PEERS = REPO / "crates" / "dimorph-glm" / "tests" / "peers"


def peer(name, **match):
    with open(PEERS / name, newline="") as f:
        return [r for r in csv.DictReader(f) if all(r[k] == v for k, v in match.items())]


def rel(a, b):
    return abs(a - b) / abs(b)


def test_robust_hc3_and_cluster_match_r_sandwich():
    r = dimorph.glm("weight ~ width", str(DATA / "crabs.csv"), robust="hc3")
    want = peer("robust.csv", model="crabs_gaussian", type="HC3")
    for se, row in zip(r.bse, want):
        assert rel(se, float(row["se"])) < 1e-6
    assert r.tidy()["std_error_type"].tolist() == ["HC3", "HC3"]
    r = dimorph.glm("claims ~ C(group) + C(age) + offset(log(holders))", str(DATA / "insurance.csv"),
                    family="poisson", cluster="district")
    want = peer("robust.csv", model="insurance_poisson", type="CR1")
    assert len(want) == len(r.bse) == 7
    for se, row in zip(r.bse, want):
        assert rel(se, float(row["se"])) < 1e-6
    assert r.result["robust"]["label"] == "cluster-robust by district (G = 4, CR1)"


def test_bad_robust_options_are_input_errors():
    with pytest.raises(dimorph.InputError, match="--robust"):
        dimorph.glm("satell ~ width", str(DATA / "crabs.csv"), robust="hc9")
    with pytest.raises(dimorph.InputError, match="single cluster"):
        dimorph.glm("y ~ x", {"y": [1.0, 3.0, 2.0, 5.0], "x": [1.0, 2.0, 3.0, 4.0], "g": ["a"] * 4},
                    family="poisson", cluster="g")


def test_event_level_of_a_yes_no_response_matches_r():
    for event in ("yes", "no"):
        r = dimorph.glm("sat ~ width + weight", str(PEERS / "crabs_yes_no.csv"), event=event, profile=False)
        assert r.result["event"]["event"] == event
        for est, row in zip(r.params, peer("event.csv", event=event)):
            assert rel(est, float(row["estimate"])) < 1e-7


def test_anova_matches_r():
    r = dimorph.glm("satell ~ width", str(DATA / "crabs.csv"), family="poisson", profile=False,
                    tol=1e-12, anova=["satell ~ width + weight", "satell ~ width + weight + C(color)"])
    t = r.tables["anova"]
    want = peer("anova.csv", comparison="poisson")
    assert len(t) == 3
    for (_, ours), row in zip(t.iterrows(), want):
        assert rel(ours["deviance"], float(row["deviance"])) < 1e-8
        if row["chisq_p"] != "NA":
            assert rel(ours["chisq_p_value"], float(row["chisq_p"])) < 1e-8
