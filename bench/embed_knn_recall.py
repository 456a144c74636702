"""Recall of the peers' approximate neighbour graph, measured as dimorph embed measures its own
(knn_recall.rs): the share of each sampled point's exact k nearest neighbours that the graph
holds, a neighbour at no greater distance than the exact k-th counting as found (ties: the
patch data have 10% exact copies). The graph is openTSNE 1.0's: its Annoy index with the settings
openTSNE uses in bench/embed_peer.py (affinity.Uniform, k_neighbors=15, n_jobs=2, 50 trees, search_k
Annoy's default); FIt-SNE 1.2.1 searches with Annoy at the same 50 trees and default search_k, but
keeps its graph inside the C++ code, so its recall is not measured here. With D > 50 the search
runs on 50 principal components (scikit-learn's randomized PCA, as bench/embed_peer.py --pca 50),
and the recall is given in that space and in the original features. Standard errors are the
per-point recalls' standard deviation over the square root of the sample size.
Usage: embed_knn_recall.py BASE [SAMPLE] [SAMPLE_FEATURES]
  BASE.parquet (float32 columns f0..), default samples 1000 points (100 in the original features
  when D > 50). Prints one line per space."""
import sys
import time

import numpy as np
import pyarrow.parquet as pq

base = sys.argv[1]
m = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
m_feat = int(sys.argv[3]) if len(sys.argv) > 3 else 100
k = 15

f = pq.ParquetFile(base + ".parquet")
cols = [c for c in f.schema_arrow.names if c.startswith("f") and c[1:].isdigit()]
x = np.empty((f.metadata.num_rows, len(cols)), dtype=np.float32)
s = 0
for g in range(f.num_row_groups):
    t = f.read_row_group(g, columns=cols)
    for j, c in enumerate(t.columns):
        x[s:s + t.num_rows, j] = c.to_numpy()
    s += t.num_rows
    del t
n, d = x.shape


def exact_d2(data, q, block=65536):
    """Squared distances (float64) of the rows `q` of data to every row, computed directly."""
    out = np.empty((len(q), len(data)))
    qs = data[q].astype(np.float64)
    for s in range(0, len(data), block):
        b = data[s:s + block].astype(np.float64)
        # |b - q|^2 = |b|^2 + |q|^2 - 2 b.q, then clamped; exact copies are fixed below
        d2 = (b * b).sum(1)[None, :] + (qs * qs).sum(1)[:, None] - 2.0 * qs @ b.T
        out[:, s:s + block] = np.maximum(d2, 0.0)
    # exact copies: distance 0 without cancellation error
    for r, i in enumerate(q):
        same = np.flatnonzero(out[r] <= 1e-6 * max(1.0, (qs[r] * qs[r]).sum()))
        if len(same):
            out[r, same] = ((data[same].astype(np.float64) - qs[r]) ** 2).sum(1)
    return out


def recall(data, idx, pts):
    d2 = exact_d2(data, pts)
    per = []
    for r, i in enumerate(pts):
        d2[r, i] = np.inf
        kth = np.partition(d2[r], k - 1)[k - 1]
        found = (d2[r, idx[i]] <= kth * (1 + 1e-6)).sum()
        per.append(found / k)
    per = np.array(per)
    return per.mean(), per.std(ddof=1) / np.sqrt(len(per)), len(per)


space = x
if d > 50:
    from sklearn.decomposition import PCA

    t0 = time.time()
    space = PCA(n_components=50, svd_solver="randomized", random_state=1).fit_transform(x).astype(np.float32)
    print(f"randomized PCA {d} -> 50: {time.time() - t0:.1f}s", flush=True)

import openTSNE
from openTSNE import nearest_neighbors

t0 = time.time()
idx, _ = nearest_neighbors.Annoy(np.ascontiguousarray(space, dtype=np.float64), k=k, metric="euclidean",
                                 n_jobs=2, random_state=1).build()
t_knn = time.time() - t0
rng = np.random.default_rng(5)
pts = rng.choice(n, size=min(m, n), replace=False)
r, se, mm = recall(space, idx, pts)
where = "50 principal components" if d > 50 else f"the {d} features"
print(f"openTSNE {openTSNE.__version__} Annoy (50 trees), {n} x {d}: search {t_knn:.1f}s; recall in {where} "
      f"{r:.4f} (s.e. {se:.4f}, {mm} points)", flush=True)
if d > 50:
    pts = pts[:m_feat]
    r, se, mm = recall(x, idx, pts)
    print(f"openTSNE Annoy, {n} x {d}: recall in the original {d} features {r:.4f} (s.e. {se:.4f}, {mm} points)")
