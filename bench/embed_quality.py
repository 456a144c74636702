"""Quality of the two benchmark embeddings of bench/embed_bench.sh on a random sample of 1,000
points: kNN preservation (k = 10, exact neighbours in the 50-d input) and 10-NN accuracy of the
mixture component, for dimorph and openTSNE. Usage: embed_quality.py bench-data/embed_gmm_100000"""
import sys

import numpy as np
import pyarrow.parquet as pq

base = sys.argv[1]
x = np.load(base + ".npy")


comp = pq.read_table(base + ".parquet", columns=["component"]).column(0).to_numpy()
dim = np.loadtxt(base + ".dimorph.csv", delimiter=",", skiprows=1, usecols=(1, 2))
ot = np.load(base + "_opentsne_dof1.0.npy")
rng = np.random.default_rng(0)
idx = rng.choice(len(x), 1000, replace=False)


def knn(z, q, k=10):
    out = []
    for i in q:
        d = ((z - z[i]) ** 2).sum(1)
        d[i] = np.inf
        out.append(np.argpartition(d, k)[:k])
    return out


hi = knn(x, idx)
for name, y in (("dimorph", dim), ("openTSNE", ot)):
    lo = knn(y, idx)
    pres = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(hi, lo)])
    acc = np.mean([np.bincount(comp[l], minlength=20).argmax() == comp[i] for i, l in zip(idx, lo)])
    print(f"{name}: kNN preservation {pres:.4f}, 10-NN component accuracy {acc:.4f} (1,000 sampled points)")
