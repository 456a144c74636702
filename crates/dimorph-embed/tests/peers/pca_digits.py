"""Exact PCA of the bundled digits (data/embed/digits.csv, 1797 x 64) by numpy's SVD of the
centred matrix: the variances (divisor n - 1) of all 64 components and the leading 20 axes, for
crates/dimorph-embed/tests/rsvd.rs. Run from the repository root:
    python3 crates/dimorph-embed/tests/peers/pca_digits.py
writes crates/dimorph-embed/tests/peers/pca_digits_{variances,axes}.csv (numpy 2.4.6)."""
import csv
import numpy as np

with open("data/embed/digits.csv") as f:
    r = csv.reader(f)
    head = next(r)
    cols = [i for i, h in enumerate(head) if h.startswith("p")]
    x = np.array([[float(row[i]) for i in cols] for row in r])
xc = x - x.mean(axis=0)
_, s, vt = np.linalg.svd(xc, full_matrices=False)
var = s**2 / (x.shape[0] - 1)
out = "crates/dimorph-embed/tests/peers/pca_digits_"
np.savetxt(out + "variances.csv", var, fmt="%.17g", header="variance", comments="")
np.savetxt(out + "axes.csv", vt[:20], fmt="%.17g", delimiter=",",
           header=",".join(head[i] for i in cols), comments="")
print(x.shape, var[:5], np.__version__)
