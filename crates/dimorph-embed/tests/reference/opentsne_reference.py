"""Reference figures of openTSNE for dimorph-embed's tests (tests/opentsne_peer.rs).

Run from the repository root after bench/embed_setup.sh:
    bench/.venv-embed/bin/python crates/dimorph-embed/tests/reference/opentsne_reference.py

Writes tests/reference/gmm.csv (the Gaussian mixture both programs embed) and prints, for the
digits and the mixture, openTSNE's kNN preservation (k = 10, in the input space), mean silhouette
(digits/components as clusters, Euclidean in the embedding) and leave-one-out 10-NN accuracy for
alpha (openTSNE's `dof`) 1 and 0.5, over seeds 1..3: the figures written into the tests.
Settings as dimorph's defaults: uniform affinities over 15 exact neighbours, PCA initialisation,
FFT gradients, early exaggeration 12 for 250 iterations, 500 more, learning rate n/12, 2 threads.
"""
import os
import sys

import numpy as np
import openTSNE
import sklearn
from openTSNE import TSNE, affinity
from sklearn.metrics import silhouette_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))


def knn_sets(z, k):
    d = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


def quality(x, y, labels, k=10):
    hi = knn_sets(x, k)
    lo = knn_sets(y, k)
    pres = np.mean([len(set(hi[i]) & set(lo[i])) / k for i in range(len(x))])
    acc = np.mean([np.bincount(labels[lo[i]], minlength=labels.max() + 1).argmax() == labels[i] for i in range(len(x))])
    sil = silhouette_score(y, labels)
    return pres, sil, acc


def gmm():
    rng = np.random.default_rng(2024)
    sizes = [400, 300, 250, 200, 200, 150]
    d = 10
    rows, labs = [], []
    for c, n in enumerate(sizes):
        centre = rng.normal(0, 3.0, d)
        spread = 0.6 + 0.2 * c
        rows.append(centre + spread * rng.normal(0, 1, (n, d)))
        labs += [c] * n
    x = np.vstack(rows)
    lab = np.array(labs)
    path = os.path.join(HERE, "gmm.csv")
    with open(path, "w") as f:
        f.write(",".join([f"f{j}" for j in range(d)] + ["component"]) + "\n")
        for r, l in zip(x, lab):
            f.write(",".join(f"{v:.6f}" for v in r) + f",{l}\n")
    # read back exactly what the Rust test reads
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :d], data[:, d].astype(int)


def digits():
    data = np.loadtxt(os.path.join(ROOT, "data", "embed", "digits.csv"), delimiter=",", skiprows=1)
    return data[:, :64], data[:, 64].astype(int)


def run(name, x, labels):
    for dof in (1.0, 0.5):
        res = []
        for seed in (1, 2, 3):
            aff = affinity.Uniform(x, k_neighbors=15, method="exact", n_jobs=2, random_state=seed)
            init = openTSNE.initialization.pca(x, random_state=seed)
            emb = TSNE(dof=dof, negative_gradient_method="fft", n_jobs=2, random_state=seed).fit(
                affinities=aff, initialization=init)
            res.append(quality(x, np.asarray(emb), labels))
        r = np.array(res)
        print(f"{name} alpha={dof}: knn_preservation per seed {np.round(r[:, 0], 4).tolist()} mean {r[:, 0].mean():.4f}; "
              f"silhouette {np.round(r[:, 1], 4).tolist()} mean {r[:, 1].mean():.4f}; "
              f"knn_accuracy {np.round(r[:, 2], 4).tolist()} mean {r[:, 2].mean():.4f}")
        sys.stdout.flush()


if __name__ == "__main__":
    print(f"openTSNE {openTSNE.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    run("digits", *digits())
    run("gmm", *gmm())
