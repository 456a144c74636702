"""dimorph.embed.TSNE: scikit-learn's idiom over the t-SNE engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from conftest import DATA

import dimorph
from dimorph.embed import TSNE


@pytest.fixture(scope="module")
def digits():
    df = pd.read_csv(DATA / "embed" / "digits.csv").iloc[:400]
    return df[[c for c in df.columns if c.startswith("p")]], df["digit"].to_numpy()


def small(**kw):
    return TSNE(n_iter=150, early_exaggeration_iter=60, seed=3, **kw)


def test_fit_transform_gives_coordinates_and_the_quality_figures(digits):
    X, labels = digits
    t = small()
    Y = t.fit_transform(X.to_numpy())
    assert isinstance(Y, np.ndarray) and Y.shape == (len(X), 2) and Y.dtype == np.float64
    assert np.isfinite(Y).all()
    assert t.embedding_ is Y
    assert t.kl_divergence_ > 0 and t.n_iter_ == 210
    assert t.knn_recall_ is None  # exact search below 5,000 points
    assert len(t.feature_names_in_) <= X.shape[1]
    # neighbours in the embedding mostly share the digit (the layout is not noise)
    d = ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert (labels[d.argmin(1)] == labels).mean() > 0.8
    r = t.result_
    assert "embedding.svg" in r.figures and list(r.tables)[0] == "embedding"
    assert r.to_dict()["command"] == "embed"


def test_same_seed_same_layout_and_every_input_kind_agrees(digits):
    X, _ = digits
    a = small().fit_transform(X.to_numpy())
    assert np.array_equal(a, small().fit_transform(X.to_numpy()))
    for data in (X, pl.from_pandas(X), {c: X[c].to_numpy() for c in X.columns}):
        assert np.array_equal(a, small().fit_transform(data))
    # PCA initialisation and exact search draw no random numbers; a random start does
    r3 = TSNE(init="random", n_iter=150, early_exaggeration_iter=60, seed=3).fit_transform(X.to_numpy())
    r4 = TSNE(init="random", n_iter=150, early_exaggeration_iter=60, seed=4).fit_transform(X.to_numpy())
    assert not np.array_equal(r3, r4)


def test_approximate_search_reports_recall():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(loc=c, size=(150, 8)) for c in (0.0, 6.0)])
    t = TSNE(knn_method="approx", n_iter=60, early_exaggeration_iter=30, seed=1).fit(X)
    assert t.knn_recall_ is not None and 0.5 < t.knn_recall_ <= 1.0


def test_params_round_trip():
    t = TSNE(alpha=1.0, k=30)
    assert t.get_params()["k"] == 30
    t.set_params(alpha=0.7)
    assert t.alpha == 0.7
    with pytest.raises(ValueError):
        t.set_params(nonsense=1)
    assert "alpha=0.7" in repr(t)


def test_gaussian_affinities(digits):
    X, _ = digits
    t = TSNE(affinity="gaussian", perplexity=20, n_iter=100, early_exaggeration_iter=50).fit(X.to_numpy())
    assert t.embedding_.shape == (len(X), 2)
    assert t.result_.options["affinity"] == "gaussian" and t.result_.options["perplexity"] == 20
