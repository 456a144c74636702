"""Seeded synthetic patch features for bench/embed_scale.sh (the BagNet export's shape: non-negative
ReLU activations, float32). N rows x D columns: 30 patch types, each a sparse non-negative prototype;
a row is ReLU(prototype + rank-20 variation shared by all types + noise), and 10% of the rows are
exact copies of one flat-background row (as flat image regions give). Writes BASE.parquet (float32
columns f0..f{D-1}, plus 'type'; row groups of 8,192 rows, as the BagNet export's at D = 2048,
written from the one float32 matrix, so the peak memory is N x D x 4 bytes and a little) and, with
--npy, BASE.npy (float32) too (at 1M x 2048 each file is 8.2 GB: the benchmark writes only the
Parquet there). Usage: embed_patches.py N D BASE [SEED] [--npy]"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

args = [a for a in sys.argv[1:] if a != "--npy"]
n, d, base = int(args[0]), int(args[1]), args[2]
seed = int(args[3]) if len(args) > 3 else 17
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
if "--npy" in sys.argv[1:]:
    np.save(base + ".npy", x)
names = [f"f{j}" for j in range(d)] + ["type"]
schema = pa.schema([(f"f{j}", pa.float32()) for j in range(d)] + [("type", pa.int64())])
group = 8192
with pq.ParquetWriter(base + ".parquet", schema) as w:
    for s in range(0, n, group):
        e = min(n, s + group)
        block = x[s:e]
        w.write_table(pa.table([pa.array(block[:, j]) for j in range(d)] + [pa.array(kind[s:e])], schema=schema),
                      row_group_size=group)
files = " and .npy" if "--npy" in sys.argv[1:] else ""
print(f"{n} x {d} patch features ({dup.sum()} background duplicates) -> {base}.parquet{files}")
