#!/usr/bin/env python3
"""New points placed into an existing t-SNE map: `dimorph embed --transform` beside openTSNE's
`TSNEEmbedding.transform`, on the same train/test splits, in one run (not a test: figures for
the README).

Data: the bundled digits (data/embed/digits.csv, 8x8 images, 1797 rows; a seeded 1400/397
split) and a seeded Gaussian mixture (10 clusters in 50 dimensions, centres N(0, 0.6^2) per
coordinate, points N(centre, 1): the clusters overlap, so neighbours in the features are not
always of the same cluster). Both methods embed the training rows with Gaussian affinities of
perplexity 30 (openTSNE's transform needs perplexity-based affinities) and place the test rows.
Figure: the 10-NN label accuracy of the placed test points among the training points in the map,
beside the same accuracy in the original features (the ceiling a map can keep), and the time of
the placement. openTSNE's transform is run with its defaults (perplexity 5 for the new points)
and with perplexity 30 (dimorph uses the embedding's own perplexity).

Usage: bench/embed_setup.sh (EMBED_VENV=/tmp/embed/venv) once, then
  /tmp/embed/venv/bin/python bench/embed_transform.py [--dimorph target/release/dimorph]
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def knn_accuracy(ref, ref_labels, queries, labels, k=10):
    right = 0
    for q, t in zip(queries, labels):
        d = ((ref - q) ** 2).sum(axis=1)
        nn = np.argsort(d, kind="stable")[:k]
        vals, counts = np.unique(ref_labels[nn], return_counts=True)
        # ties: the label met first in order of distance
        best = counts.max()
        winners = set(vals[counts == best])
        pick = next(ref_labels[j] for j in nn if ref_labels[j] in winners)
        right += pick == t
    return right / len(queries)


def loo(ref, labels, k=10):
    """Leave-one-out 10-NN accuracy of a map's own points (how well the training map itself
    keeps the labels together)."""
    right = 0
    for i, q in enumerate(ref):
        d = ((ref - q) ** 2).sum(axis=1)
        d[i] = np.inf
        nn = np.argsort(d, kind="stable")[:k]
        vals, counts = np.unique(labels[nn], return_counts=True)
        right += vals[counts.argmax()] == labels[i]
    return right / len(ref)


def digits(root):
    with open(os.path.join(root, "data/embed/digits.csv")) as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0] if c.startswith("p")]
    x = np.array([[float(r[c]) for c in cols] for r in rows])
    y = np.array([r["digit"] for r in rows])
    idx = np.random.default_rng(1).permutation(len(x))
    return cols, x[idx[:1400]], y[idx[:1400]], x[idx[1400:]], y[idx[1400:]]


def mixture():
    rng = np.random.default_rng(7)
    centres = rng.normal(0, 0.6, (10, 50))
    def draw(n):
        lab = rng.integers(0, 10, n)
        return centres[lab] + rng.normal(0, 1, (n, 50)), lab.astype(str)
    xtr, ytr = draw(5000)
    xte, yte = draw(1500)
    return [f"f{j}" for j in range(50)], xtr, ytr, xte, yte


def write(path, cols, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols + ["label"])
        for r, l in zip(x, y):
            w.writerow([repr(float(v)) for v in r] + [l])


def read_xy(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return np.array([[float(r["tsne1"]), float(r["tsne2"])] for r in rows])


def run_dimorph(exe, tmp, cols, xtr, ytr, xte, yte):
    tr, te = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
    write(tr, cols, xtr, ytr)
    write(te, cols, xte, yte)
    model, placed = os.path.join(tmp, "model"), os.path.join(tmp, "placed")
    subprocess.run([exe, "embed", "--data", tr, "--features", ",".join(cols), "--affinity", "gaussian",
                    "--perplexity", "30", "--quiet", "--out", model, "--force"], check=True, stdout=subprocess.DEVNULL)
    t = time.perf_counter()
    subprocess.run([exe, "embed", "--transform", te, "--into", model, "--quiet", "--out", placed, "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    secs = time.perf_counter() - t
    return read_xy(os.path.join(model, "embedding.csv")), read_xy(os.path.join(placed, "embedding.csv")), secs


def run_opentsne(xtr, xte, perplexity):
    from openTSNE import TSNE
    emb = TSNE(perplexity=30, n_jobs=2, random_state=42).fit(xtr)
    t = time.perf_counter()
    kw = {} if perplexity is None else {"perplexity": perplexity}
    placed = emb.transform(xte, **kw)
    return np.asarray(emb), np.asarray(placed), time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    ap.add_argument("--dimorph", default=os.path.join(root, "target/release/dimorph"))
    a = ap.parse_args()
    import openTSNE
    print(f"openTSNE {openTSNE.__version__}; 10-NN accuracy of the placed test points among the training points")
    print(f"{'data':<10} {'features':>9} {'dimorph':>9} {'openTSNE p=5':>13} {'openTSNE p=30':>14}   placement seconds (dimorph, oTSNE p=5, p=30); training maps' own leave-one-out 10-NN accuracy (dimorph, openTSNE)")
    for name, (cols, xtr, ytr, xte, yte) in [("digits", digits(root)), ("mixture", mixture())]:
        feat = knn_accuracy(xtr, ytr, xte, yte)
        with tempfile.TemporaryDirectory(prefix="embed_transform_", dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
            ref, new, sd = run_dimorph(a.dimorph, tmp, cols, xtr, ytr, xte, yte)
        acc_d = knn_accuracy(ref, ytr, new, yte)
        ref5, new5, s5 = run_opentsne(xtr, xte, None)
        ref30, new30, s30 = run_opentsne(xtr, xte, 30)
        acc5, acc30 = knn_accuracy(ref5, ytr, new5, yte), knn_accuracy(ref30, ytr, new30, yte)
        loo_d, loo_o = loo(ref, ytr), loo(ref30, ytr)
        print(f"{name:<10} {feat:>9.4f} {acc_d:>9.4f} {acc5:>13.4f} {acc30:>14.4f}   {sd:.2f} {s5:.2f} {s30:.2f}; {loo_d:.4f} {loo_o:.4f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
