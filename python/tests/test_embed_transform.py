"""dimorph.embed.TSNE: new points placed into a fitted map (openTSNE's transform idiom), the same
placement as ``dimorph embed --transform`` on the model the CLI saves, and late_exaggeration /
knn_recall handed to the engine."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

import dimorph
from dimorph._dimorph import EmbedModel, InputError
from dimorph.embed import TSNE


@pytest.fixture(scope="module")
def split():
    df = pd.read_csv(DATA / "embed" / "digits.csv")
    rng = np.random.default_rng(5)
    idx = rng.permutation(len(df))
    feats = [c for c in df.columns if c.startswith("p")]
    train, test = df.iloc[idx[:800]], df.iloc[idx[800:1000]]
    return train, test, feats


def small(**kw):
    return TSNE(n_iter=200, early_exaggeration_iter=100, seed=3, **kw)


def knn_accuracy(ref, ref_labels, q, labels, k=10):
    d = ((q[:, None, :] - ref[None, :, :]) ** 2).sum(-1)
    nn = np.argsort(d, axis=1, kind="stable")[:, :k]
    votes = ref_labels[nn]
    pred = np.array([np.bincount(v).argmax() for v in votes])
    return (pred == labels).mean()


def test_transform_places_new_digits_among_their_own(split):
    train, test, feats = split
    t = small().fit(train[feats].to_numpy())
    Z = t.transform(test[feats].to_numpy())
    assert isinstance(Z, np.ndarray) and Z.shape == (len(test), 2) and np.isfinite(Z).all()
    ytr, yte = train["digit"].to_numpy(), test["digit"].to_numpy()
    acc = knn_accuracy(t.embedding_, ytr, Z, yte)
    # the features' own 10-NN accuracy is the ceiling a map can keep (0.97-0.98 on digits);
    # the placed points keep all but a few percent of it
    feat = knn_accuracy(train[feats].to_numpy(), ytr, test[feats].to_numpy(), yte)
    assert acc >= feat - 0.05, (acc, feat)
    r = t.transform_result_
    assert "embedding.svg" in r.figures and list(r.tables)[0] == "embedding"
    # a table fits and places by column name
    t2 = small().fit(train[feats])
    Z2 = t2.transform(test[feats])
    np.testing.assert_array_equal(t2.embedding_, t.embedding_)
    np.testing.assert_array_equal(Z2, Z)


def test_transform_refuses_what_does_not_match(split):
    train, test, feats = split
    with pytest.raises(InputError, match="call fit"):
        small().transform(test[feats].to_numpy())
    t = small().fit(train[feats].to_numpy())
    with pytest.raises(InputError, match="63 columns, but the embedding was fitted on 64"):
        t.transform(test[feats].to_numpy()[:, :63])
    bad = test[feats].to_numpy(dtype=np.float64)
    bad[3, 10] = np.nan
    with pytest.raises(InputError, match="numpy array: line 4, column 'x10'"):
        t.transform(bad)
    t2 = small().fit(train[feats])
    with pytest.raises(InputError, match="feature columns of the saved embedding are missing"):
        t2.transform(test[feats[:-5]])


def test_the_cli_model_gives_the_same_placement(split, tmp_path):
    """The model `dimorph embed --out` saves, loaded in Python, places points as `--transform`."""
    exe = os.environ.get("DIMORPH_BIN")
    if not exe:
        pytest.skip("DIMORPH_BIN not set")
    train, test, feats = split
    tr, te = tmp_path / "train.csv", tmp_path / "test.csv"
    train.to_csv(tr, index=False)
    test.to_csv(te, index=False)
    emb = tmp_path / "emb"
    subprocess.run([exe, "embed", "--data", str(tr), "--features", "p*", "--early-iter", "60", "--iter", "60",
                    "--quiet", "--out", str(emb)], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([exe, "embed", "--transform", str(te), "--into", str(emb), "--quiet", "--threads", "1",
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    cli = np.array(json.loads(out)["result"]["placed"]["y"])
    model = EmbedModel.load(str(emb))
    assert model.n == len(train)
    frame = dimorph._dimorph.frame_from_columns(
        "test", feats, [np.ascontiguousarray(test[c].to_numpy(dtype=np.float64)) for c in feats])
    raw = dimorph._dimorph.embed_transform(model, frame, threads=1)
    np.testing.assert_allclose(raw["embedding"], cli, rtol=0, atol=1e-12)


def test_late_exaggeration_and_knn_recall_reach_the_engine():
    X = np.random.default_rng(0).normal(size=(6000, 8))
    t = TSNE(n_iter=20, early_exaggeration_iter=10, seed=1, knn_recall=0.99, late_exaggeration=2.0,
             knn_method="approx").fit(X)
    env = t.result_.to_dict()
    assert env["options"]["knn_recall"] == 0.99 and env["options"]["late_exaggeration"] == 2.0
    e = env["result"]["embedding"]
    # the target reached, or the most searches run (and the shortfall said in a warning)
    assert t.knn_recall_ >= 0.99 or (e["knn_tries"] == 4 and t.result_.warnings), e
    assert e["params"]["late_exaggeration"] == 2.0
    assert t.get_params()["late_exaggeration"] == 2.0 and t.get_params()["knn_recall"] == 0.99
    with pytest.raises(InputError, match="--knn-recall"):
        TSNE(knn_recall=1.5).fit(X[:100])
