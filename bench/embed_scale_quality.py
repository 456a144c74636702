"""10-NN preservation of bench/embed_scale.sh's embeddings on 1,000 sampled points: the fraction of
each point's 10 nearest neighbours in the original features (exact, in float64, computed block by
block over the rows, never as an N x N matrix) that are among its 10 nearest in the embedding, for
dimorph (BASE.dimorph/embedding.csv), openTSNE (BASE_opentsne_dof1.0.npy) and FIt-SNE
(BASE_fitsne_dof1.0.npy), each when present. The features are read from BASE.npy (memory-mapped)
or, without it, from BASE.parquet row group by row group (float32 columns f0..f{D-1}).
The exact neighbours are kept in BASE_exact10nn.npy and reused. Usage: embed_scale_quality.py BASE"""
import os
import sys
import time

import numpy as np

base = sys.argv[1]
K = 10
t0 = time.time()


def blocks():
    """(first row, float64 block) over the features."""
    if os.path.exists(base + ".npy"):
        x = np.load(base + ".npy", mmap_mode="r")
        for s in range(0, len(x), 8192):
            yield s, np.asarray(x[s:s + 8192], dtype=np.float64)
        return
    import pyarrow.parquet as pq

    f = pq.ParquetFile(base + ".parquet")
    cols = [c for c in f.schema_arrow.names if c.startswith("f") and c[1:].isdigit()]
    s = 0
    for g in range(f.num_row_groups):
        t = f.read_row_group(g, columns=cols)
        b = np.empty((t.num_rows, len(cols)), dtype=np.float64)
        for j, c in enumerate(t.columns):
            b[:, j] = c.to_numpy()
        yield s, b
        s += t.num_rows


def nrows():
    if os.path.exists(base + ".npy"):
        return len(np.load(base + ".npy", mmap_mode="r"))
    import pyarrow.parquet as pq

    return pq.ParquetFile(base + ".parquet").metadata.num_rows


n = nrows()
rng = np.random.default_rng(0)
idx = rng.choice(n, 1000, replace=False)


def knn(pieces, q_rows):
    """Exact K nearest rows (self excluded) of the rows idx, over the blocks `pieces`; q_rows are
    the sampled rows' coordinates (float64)."""
    qn = (q_rows ** 2).sum(1)
    best_d = np.full((len(idx), K), np.inf)
    best_i = np.full((len(idx), K), -1, dtype=np.int64)
    for s, b in pieces:
        d = (b ** 2).sum(1)[None, :] - 2 * q_rows @ b.T + qn[:, None]
        rows = np.arange(s, s + len(b))
        d[idx[:, None] == rows[None, :]] = np.inf
        cd = np.concatenate([best_d, d], 1)
        ci = np.concatenate([best_i, np.broadcast_to(rows, d.shape)], 1)
        keep = np.argpartition(cd, K, axis=1)[:, :K]
        best_d = np.take_along_axis(cd, keep, 1)
        best_i = np.take_along_axis(ci, keep, 1)
    return [set(r) for r in best_i]


cache = base + "_exact10nn.npy"  # the sampled rows and their exact neighbours, reused if present
if os.path.exists(cache) and np.array_equal(np.load(cache)[:, 0], idx):
    hi = [set(r) for r in np.load(cache)[:, 1:]]
    print(f"exact 10-NN of 1,000 sampled points among {n:,} rows: from {cache}", flush=True)
else:
    # the sampled rows' features, gathered in one pass
    q = None
    for s, b in blocks():
        if q is None:
            q = np.empty((len(idx), b.shape[1]))
        inside = (idx >= s) & (idx < s + len(b))
        q[inside] = b[idx[inside] - s]
    hi = knn(blocks(), q)
    np.save(cache, np.column_stack([idx, [sorted(h) for h in hi]]))
    print(f"exact 10-NN of 1,000 sampled points among {n:,} rows in the {q.shape[1]}-d features: {time.time() - t0:.1f}s", flush=True)

embeddings = []
if os.path.exists(base + ".dimorph/embedding.csv"):
    embeddings.append(("dimorph", np.loadtxt(base + ".dimorph/embedding.csv", delimiter=",", skiprows=1, usecols=(1, 2))))
for name, tag in (("openTSNE", "opentsne"), ("FIt-SNE", "fitsne")):
    if os.path.exists(f"{base}_{tag}_dof1.0.npy"):
        embeddings.append((name, np.load(f"{base}_{tag}_dof1.0.npy")))
for name, y in embeddings:
    y = np.asarray(y, dtype=np.float64)
    lo = knn(((s, y[s:s + 65536]) for s in range(0, len(y), 65536)), y[idx])
    print(f"{name}: 10-NN preservation {np.mean([len(a & b) / K for a, b in zip(hi, lo)]):.4f} (1,000 sampled points)")
