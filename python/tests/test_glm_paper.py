"""Every number of the paper's SAS output for the snoring and crab data (Agresti ch. 4 notes,
shared/papers/002_b1b1ec6641121771.txt), through Python, at the printed precision — the same checks
and tolerances as crates/dimorph-glm/tests/paper.rs."""

from __future__ import annotations

import math

import pytest
from conftest import DATA, printed, within_one_unit

import dimorph

SNORING = str(DATA / "snoring.csv")
CRABS = str(DATA / "crabs.csv")


def fit(path, formula, family, link):
    return dimorph.glm(formula, path, family=family, link=link)


def coef(r, i):
    return r.result["inference"]["coefficients"][i]


def deviance_p(r):
    # P(χ²_2 > D) = exp(−D/2): the snoring models have 2 residual degrees of freedom
    assert r.df_resid == 2.0
    return math.exp(-r.deviance / 2.0)


def test_snoring_identity_link_genmod():
    r = fit(SNORING, "disease/total ~ snoring", "binomial", "identity")
    f = r.result["fit"]
    assert f["n_used"] == 4 and r.nobs == 4
    assert f["events"] == 110.0 and f["trials"] == 2484.0
    assert r.df_resid == 2.0
    printed(r.deviance, "0.0692")
    printed(r.deviance / r.df_resid, "0.0346")
    printed(r.pearson_chi2, "0.0688")
    printed(r.pearson_chi2 / r.df_resid, "0.0344")
    printed(f["loglik_kernel"], "-417.4960")
    printed(r.params.iloc[0], "0.0172")
    printed(r.bse_observed.iloc[0], "0.0034")
    printed(coef(r, 0)["wald_chi2"], "25.1805")
    printed(r.params.iloc[1], "0.0198")
    printed(r.bse_observed.iloc[1], "0.0028")
    # SAS's final iterate: the exact MLE is two units of the last digit below 49.9708
    assert abs(coef(r, 1)["wald_chi2"] - 49.9708) <= 2e-4
    printed(deviance_p(r), "0.966")
    for mu, shown in zip(r.fittedvalues, ["0.017", "0.057", "0.096", "0.116"]):
        printed(mu, shown)


def test_snoring_logit_link_genmod_and_proc_logistic():
    r = fit(SNORING, "disease/total ~ snoring", "binomial", "logit")
    printed(r.deviance, "2.8089")
    printed(r.deviance / r.df_resid, "1.4045")
    printed(r.pearson_chi2, "2.8743")
    printed(r.pearson_chi2 / r.df_resid, "1.4372")
    printed(r.result["fit"]["loglik_kernel"], "-418.8658")
    printed(deviance_p(r), "0.246")
    printed(r.params.iloc[0], "-3.8662")
    printed(r.bse_observed.iloc[0], "0.1662")
    within_one_unit(coef(r, 0)["wald_chi2"], "541.0562")
    printed(r.params.iloc[1], "0.3973")
    printed(r.bse_observed.iloc[1], "0.0500")
    within_one_unit(coef(r, 1)["wald_chi2"], "63.1236")
    within_one_unit(coef(r, 1)["wald_chi2"], "63.1237")
    for mu, shown in zip(r.fittedvalues, ["0.021", "0.044", "0.093", "0.132"]):
        printed(mu, shown)
    # PROC LOGISTIC
    b = r.result["binary"]
    fs = b["fit_statistics"]
    printed(fs["aic_intercept_only"], "902.827")
    printed(fs["aic"], "841.732")
    printed(fs["minus2_log_l_intercept_only"], "900.827")
    printed(fs["minus2_log_l"], "837.732")
    g = r.result["inference"]["global"]
    printed(g["lr_chi2"], "63.096")
    assert g["df"] == 1
    printed(b["standardized"][1], "0.384807")
    printed(coef(r, 1)["exp"]["estimate"], "1.488")
    a = r.association()
    assert a == b["association"]
    printed(a["percent_concordant"], "58.6")
    printed(a["percent_discordant"], "16.7")
    printed(a["percent_tied"], "24.7")
    assert a["pairs"] == 261_140.0
    printed(a["somers_d"], "0.419")
    printed(a["gamma"], "0.556")
    printed(a["tau_a"], "0.035")
    printed(a["c"], "0.709")
    # the Hosmer–Lemeshow test, as the Dask fit's accessor gives it (its figures: paper.rs and the
    # R reference); four covariate patterns make four groups, 2 df
    h = r.hosmer_lemeshow()
    assert h == b["hosmer_lemeshow"] and h["df"] == len(h["groups"]) - 2


@pytest.mark.parametrize("link,d,p", [("log", "3.21", "0.2"), ("probit", "1.87", "0.4"), ("cloglog", "3.0", "0.22")])
def test_snoring_other_links_deviances(link, d, p):
    r = fit(SNORING, "disease/total ~ snoring", "binomial", link)
    printed(r.deviance, d)
    printed(deviance_p(r), p)


def test_snoring_observed_proportions():
    r = fit(SNORING, "disease/total ~ snoring", "binomial", "logit")
    for y, shown in zip(r.residuals("y"), ["0.017", "0.055", "0.099", "0.118"]):
        printed(y, shown)


def check_genmod(r, df, dev, per_df, ll, rows):
    f = r.result["fit"]
    assert f["n_read"] == 173 and f["n_used"] == 173
    assert r.df_resid == df
    printed(r.deviance, dev)
    printed(r.deviance / r.df_resid, per_df)
    printed(f["scaled_deviance"], dev)
    printed(f["loglik_kernel"], ll)
    ci = r.conf_int("wald_observed")
    for i, (est, se, lo, hi, chi) in enumerate(rows):
        printed(r.params.iloc[i], est)
        printed(r.bse_observed.iloc[i], se)
        printed(ci["lower"].iloc[i], lo)
        printed(ci["upper"].iloc[i], hi)
        printed(coef(r, i)["wald_chi2"], chi)


def test_crabs_poisson_log_link():
    r = fit(CRABS, "satell ~ width", "poisson", "log")
    for extra in (r.association, r.hosmer_lemeshow):
        with pytest.raises(dimorph.InputError, match=r"\(\): PROC LOGISTIC's statistics are for the binomial "
                                                     r"family with a likelihood, not poisson"):
            extra()
    check_genmod(r, 171.0, "567.8786", "3.3209", "68.4463", [
        ("-3.3048", "0.5422", "-4.3675", "-2.2420", "37.14"),
        ("0.1640", "0.0200", "0.1249", "0.2032", "67.51"),
    ])


def test_crabs_poisson_identity_link_uses_observed_information():
    r = fit(CRABS, "satell ~ width", "poisson", "identity")
    check_genmod(r, 171.0, "557.7083", "3.2615", "73.5314", [
        ("-11.5321", "1.5104", "-14.4924", "-8.5717", "58.29"),
        ("0.5495", "0.0593", "0.4333", "0.6657", "85.89"),
    ])
    # expected-information SE of the intercept, as R and statsmodels print it
    printed(r.bse.iloc[0], "0.6555")


def test_crabs_poisson_quadratic():
    r = fit(CRABS, "satell ~ width + I(width^2)", "poisson", "log")
    check_genmod(r, 170.0, "558.2359", "3.2837", "73.2676", [
        ("-19.6525", "5.6374", "-30.7017", "-8.6034", "12.15"),
        ("1.3660", "0.4134", "0.5557", "2.1763", "10.92"),
        ("-0.0220", "0.0076", "-0.0368", "-0.0071", "8.44"),
    ])
    p = [coef(r, i)["wald_p"] for i in range(3)]
    printed(p[0], "0.0005")
    printed(p[1], "0.0010")
    printed(p[2], "0.0037")
