#!/usr/bin/env bash
# Benchmark of `dimorph embed` beside openTSNE (FFT) on the same machine in the same run:
# a Gaussian mixture of N points (default 100000) in 50 dimensions, 20 components, embedded to 2-D
# with uniform affinities over 15 neighbours, PCA initialisation, 750 iterations, 2 threads.
# Prints wall time and peak memory (GNU time) of each and the ratio. Needs bench/embed_setup.sh.
# Usage: nice bench/embed_bench.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${EMBED_VENV:-bench/.venv-embed}"
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "run bench/embed_setup.sh first" >&2; exit 2; }
cargo build --release -q -p dimorph
mkdir -p bench-data
for N in "${@:-100000}"; do
  base="bench-data/embed_gmm_${N}"
  if [ ! -f "$base.npy" ]; then
    "$PY" - "$N" "$base" <<'PYEOF'
import sys
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
n, base = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(7)
centres = rng.normal(0, 4.0, (20, 50))
comp = rng.integers(0, 20, n)
x = centres[comp] + rng.normal(0, 1.0, (n, 50))
np.save(base + ".npy", x)
cols = {f"f{j}": x[:, j] for j in range(50)}
cols["component"] = comp
pq.write_table(pa.table(cols), base + ".parquet")
PYEOF
  fi
  echo "== N = $N, 50 dimensions =="
  /usr/bin/time -f "dimorph: wall %e s, peak memory %M KiB" \
    target/release/dimorph embed --data "$base.parquet" --features 'f*' --knn 15 --affinity uniform \
      --alpha 1 --threads 2 --out "$base.dimorph.csv" --quiet 2> "$base.dimorph.time" | grep -E "points|recall|time:" || true
  cat "$base.dimorph.time"
  /usr/bin/time -f "openTSNE: wall %e s, peak memory %M KiB" "$PY" bench/embed_peer.py "$base.npy" 1.0 2> "$base.opentsne.time"
  cat "$base.opentsne.time"
  r=$(awk '/^dimorph: wall/ {print $3}' "$base.dimorph.time")
  o=$(awk '/^openTSNE: wall/ {print $3}' "$base.opentsne.time")
  echo "ratio dimorph/openTSNE wall time: $(awk -v a="$r" -v b="$o" 'BEGIN {printf "%.2f", a / b}')"
done
