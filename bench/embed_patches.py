"""Seeded synthetic patch features for bench/embed_scale.sh (the BagNet export's shape: non-negative
ReLU activations, float32). N rows x D columns: 30 patch types, each a sparse non-negative prototype;
a row is ReLU(prototype + rank-20 variation shared by all types + noise), and 10% of the rows are
exact copies of one flat-background row (as flat image regions give). Writes BASE.npy (float32)
and BASE.parquet (float32 columns f0..f{D-1}, plus 'type'). Usage: embed_patches.py N D BASE [SEED]"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

n, d, base = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 17
rng = np.random.default_rng(seed)
types = 30
proto = np.maximum(rng.normal(-0.5, 1.0, (types, d)), 0).astype(np.float32) * 2
basis = rng.normal(0, 1.0 / np.sqrt(20), (20, d)).astype(np.float32)
kind = rng.integers(0, types, n)
x = np.empty((n, d), dtype=np.float32)
step = 10000
for s in range(0, n, step):
    e = min(n, s + step)
    z = rng.normal(0, 1.0, (e - s, 20)).astype(np.float32)
    x[s:e] = np.maximum(proto[kind[s:e]] + z @ basis + rng.normal(0, 0.3, (e - s, d)).astype(np.float32), 0)
background = np.full(d, 0.05, dtype=np.float32)
dup = rng.random(n) < 0.1
x[dup] = background
kind[dup] = types
np.save(base + ".npy", x)
cols = {f"f{j}": x[:, j] for j in range(d)}
cols["type"] = kind
pq.write_table(pa.table(cols), base + ".parquet")
print(f"{n} x {d} patch features ({dup.sum()} background duplicates) -> {base}.npy/.parquet")
