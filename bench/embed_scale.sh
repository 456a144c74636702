#!/usr/bin/env bash
# Scale benchmark of `dimorph embed` beside openTSNE (FFT) on the same machine in the same run, on
# seeded synthetic patch features (bench/embed_patches.py: non-negative, float32, 10% exact
# duplicates): for each SIZE (N x D) the wall time and peak RSS (GNU time -v) of both, the kNN
# recall dimorph reports, and 10-NN preservation of both on 1,000 sampled points (exact neighbours
# in the original D-dimensional features; bench/embed_scale_quality.py). Settings: uniform
# affinities over 15 neighbours, PCA initialisation, 250 + 500 iterations, 2 threads.
# Needs bench/embed_setup.sh (EMBED_VENV). Usage: nice bench/embed_scale.sh [N:D ...]
#   default sizes: 30000:2048 100000:50 (what finishes in minutes on a 2-core machine);
#   1000000:50 takes about 8 minutes for both sides there (session 5: README's embedding section);
#   1,000,000 x 2048 is 8 GB of float32 and was not run on that machine.
# DIMORPH=path/to/dimorph overrides the binary (default: cargo build --release, no bagnet).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${EMBED_VENV:-bench/.venv-embed}"
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "run bench/embed_setup.sh first" >&2; exit 2; }
if [ -z "${DIMORPH:-}" ]; then
  cargo build --release -q -p dimorph --no-default-features
  DIMORPH=target/release/dimorph
fi
mkdir -p bench-data
peak() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; printf "%.1f", s}' "$1"; }
for SIZE in "${@:-30000:2048 100000:50}"; do
 for S in $SIZE; do
  N=${S%%:*}; D=${S##*:}
  base="bench-data/embed_patches_${N}x${D}"
  [ -f "$base.npy" ] || "$PY" bench/embed_patches.py "$N" "$D" "$base"
  echo "== $N points x $D features =="
  rm -rf "$base.dimorph"
  /usr/bin/time -v "$DIMORPH" embed --data "$base.parquet" --features 'f*' --knn 15 --threads 2 \
    --out "$base.dimorph" --quiet > "$base.dimorph.log" 2> "$base.dimorph.time" || { cat "$base.dimorph.time"; exit 1; }
  grep -E "recall|time:" "$base.dimorph.log" || true
  /usr/bin/time -v "$PY" bench/embed_peer.py "$base.npy" 1.0 > "$base.opentsne.log" 2> "$base.opentsne.time"
  cat "$base.opentsne.log"
  dw=$(wall "$base.dimorph.time"); ow=$(wall "$base.opentsne.time")
  dm=$(peak "$base.dimorph.time"); om=$(peak "$base.opentsne.time")
  echo "dimorph:  wall $dw s, peak RSS $dm MiB"
  echo "openTSNE: wall $ow s, peak RSS $om MiB"
  echo "ratio openTSNE/dimorph: wall $(awk -v a="$ow" -v b="$dw" 'BEGIN {printf "%.2f", a / b}'), memory $(awk -v a="$om" -v b="$dm" 'BEGIN {printf "%.2f", a / b}')"
  "$PY" bench/embed_scale_quality.py "$base"
 done
done
