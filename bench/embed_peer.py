"""openTSNE side of bench/embed_bench.sh: embeds a .npy matrix with the settings dimorph embed
uses (uniform affinities over 15 neighbours, PCA initialisation, FFT gradients, 250 + 500
iterations, learning rate n/12, 2 threads) and prints the wall time of each phase."""
import sys
import time

import numpy as np
import openTSNE
from openTSNE import TSNE, affinity

path, dof = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
x = np.load(path)
t0 = time.time()
aff = affinity.Uniform(x, k_neighbors=15, n_jobs=2, random_state=1)
t1 = time.time()
init = openTSNE.initialization.pca(x, random_state=1)
emb = TSNE(dof=dof, negative_gradient_method="fft", n_jobs=2, random_state=1).fit(affinities=aff, initialization=init)
t2 = time.time()
np.save(path.replace(".npy", f"_opentsne_dof{dof}.npy"), np.asarray(emb))
print(f"openTSNE {openTSNE.__version__}: n={len(x)} knn+affinities {t1 - t0:.1f}s, pca+optimisation {t2 - t1:.1f}s, total {t2 - t0:.1f}s")
