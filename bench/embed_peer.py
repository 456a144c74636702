"""Peer side of bench/embed_bench.sh and bench/embed_scale.sh: embeds a float32 matrix (.npy, or a
.parquet's float32 columns f0..f{D-1} read row group by row group into one float32 array) with
openTSNE 1.0 (default) or FIt-SNE 1.2 (--tool fitsne) at the settings dimorph embed uses: uniform
affinities over 15 neighbours, PCA initialisation, 250 iterations of early exaggeration 12 + 500,
2 threads, FFT-interpolated gradients. openTSNE: learning rate n/12 then n ("auto"), as dimorph.
FIt-SNE: its own defaults otherwise (learning rate n/12 throughout, momentum 0.5 then 0.8, Annoy
with 50 trees); uniform affinities are its fixed-bandwidth kernel with sigma = 1e6 over K = 15
neighbours (exp(-d^2 / 2e12) = 1 to double precision at these distances).
With --pca M (what both tools' documentation recommends for high-dimensional data, and what
bench/embed_scale.sh uses when D > 50: neither tool could hold 1M x 2048 in the float64 they
need, nor search it with Annoy in time) the data are first reduced to M principal components by
scikit-learn's randomized PCA on the float32 array, centred in place; its time and memory count
in the tool's figures. Prints the wall time of each phase; writes the embedding to
BASE_<tool>_dof<dof>.npy beside the input.
Usage: embed_peer.py INPUT [DOF] [--tool opentsne|fitsne] [--pca M]"""
import argparse
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("input")
ap.add_argument("dof", nargs="?", type=float, default=1.0)
ap.add_argument("--tool", choices=["opentsne", "fitsne"], default="opentsne")
ap.add_argument("--pca", type=int, default=0)
a = ap.parse_args()

t_start = time.time()
if a.input.endswith(".parquet"):
    import pyarrow.parquet as pq

    f = pq.ParquetFile(a.input)
    cols = [c for c in f.schema_arrow.names if c.startswith("f") and c[1:].isdigit()]
    x = np.empty((f.metadata.num_rows, len(cols)), dtype=np.float32)
    s = 0
    for g in range(f.num_row_groups):
        t = f.read_row_group(g, columns=cols)
        for j, c in enumerate(t.columns):
            x[s:s + t.num_rows, j] = c.to_numpy()
        s += t.num_rows
        del t
    base = a.input[: -len(".parquet")]
else:
    x = np.load(a.input)
    base = a.input[: -len(".npy")]
t_read = time.time()
pca_note = ""
if a.pca and a.pca < x.shape[1]:
    from sklearn.decomposition import PCA

    d = x.shape[1]
    x = PCA(n_components=a.pca, svd_solver="randomized", copy=False, random_state=1).fit_transform(x)
    x = np.ascontiguousarray(x, dtype=np.float64)
    pca_note = f", randomized PCA {d} -> {a.pca} dims {time.time() - t_read:.1f}s"
t0 = time.time()
if a.tool == "opentsne":
    import openTSNE
    from openTSNE import TSNE, affinity

    aff = affinity.Uniform(x, k_neighbors=15, n_jobs=2, random_state=1)
    t1 = time.time()
    init = openTSNE.initialization.pca(x, random_state=1)
    emb = TSNE(dof=a.dof, negative_gradient_method="fft", n_jobs=2, random_state=1).fit(affinities=aff, initialization=init)
    t2 = time.time()
    what = f"openTSNE {openTSNE.__version__}: n={len(x)} knn+affinities {t1 - t0:.1f}s, pca+optimisation {t2 - t1:.1f}s"
else:
    import fitsne

    x = np.ascontiguousarray(x, dtype=np.float64)
    emb = fitsne.FItSNE(x, perplexity=-1, sigma=1e6, K=15, initialization="pca", rand_seed=1, max_iter=750,
                        stop_early_exag_iter=250, early_exag_coeff=12.0, nthreads=2, df=a.dof)
    t2 = time.time()
    what = f"FIt-SNE 1.2.1: n={len(x)} knn+affinities+pca+optimisation {t2 - t0:.1f}s"
np.save(f"{base}_{a.tool}_dof{a.dof}.npy", np.asarray(emb))
print(f"{what}{pca_note}, reading {t_read - t_start:.1f}s, total {time.time() - t_start:.1f}s", flush=True)
