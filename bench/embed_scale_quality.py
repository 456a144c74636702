"""10-NN preservation of bench/embed_scale.sh's two embeddings on 1,000 sampled points: the
fraction of each point's 10 nearest neighbours in the original features (exact, float64) that are
among its 10 nearest in the embedding, for dimorph (BASE.dimorph/embedding.csv) and openTSNE
(BASE_opentsne_dof1.0.npy). Usage: embed_scale_quality.py BASE"""
import sys

import numpy as np

base = sys.argv[1]
x = np.load(base + ".npy", mmap_mode="r")
dim = np.loadtxt(base + ".dimorph/embedding.csv", delimiter=",", skiprows=1, usecols=(1, 2))
ot = np.load(base + "_opentsne_dof1.0.npy")
rng = np.random.default_rng(0)
idx = rng.choice(len(x), 1000, replace=False)


def knn(z, q, k=10):
    out = []
    for i in q:
        d = np.zeros(len(z))
        for s in range(0, len(z), 20000):
            d[s:s + 20000] = ((np.asarray(z[s:s + 20000], dtype=np.float64) - np.asarray(z[i], dtype=np.float64)) ** 2).sum(1)
        d[i] = np.inf
        out.append(set(np.argpartition(d, k)[:k]))
    return out


hi = knn(x, idx)
for name, y in (("dimorph", dim), ("openTSNE", ot)):
    lo = knn(y, idx)
    print(f"{name}: 10-NN preservation {np.mean([len(a & b) / 10 for a, b in zip(hi, lo)]):.4f} (1,000 sampled points)")
