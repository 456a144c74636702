#!/usr/bin/env bash
# Scale benchmark of `dimorph embed` beside openTSNE (FFT) and FIt-SNE on the same machine in the
# same run, back to back, on seeded synthetic patch features (bench/embed_patches.py: non-negative,
# float32, 10% exact duplicates): for each SIZE (N x D) the wall time and peak RSS (GNU time -v) of
# each, the load average before each (uptime), the kNN recalls dimorph reports (in the PCA space and
# in the original features), and 10-NN preservation of each on 1,000 sampled points (exact
# neighbours in the original D-dimensional features; bench/embed_scale_quality.py). Settings:
# uniform affinities over 15 neighbours, PCA initialisation, 250 + 500 iterations, 2 threads.
# When D > 50 the peers get the data reduced to 50 principal components by scikit-learn's
# randomized PCA first (their documentation's advice; at 1M x 2048 neither could hold the float64
# copy it needs nor search 2048 dimensions with Annoy in time): that PCA's time and memory are in
# their figures. dimorph reduces to 50 components itself (randomized SVD) for its neighbour search.
# Data: BASE.parquet (float32), and BASE.npy too below 3e8 values; at 1M x 2048 the Parquet alone
# is 8.2 GB (rebuild: python bench/embed_patches.py 1000000 2048 bench-data/embed_patches_1000000x2048).
# Needs bench/embed_setup.sh (EMBED_VENV). Usage: nice bench/embed_scale.sh [N:D ...]
#   default sizes: 30000:2048 100000:50 (what finishes in minutes on a 2-core machine);
#   1000000:50 and 1000000:2048 are the issue's sizes (README's embedding section has the figures).
# DIMORPH=path/to/dimorph overrides the binary (default: cargo build --release, no bagnet);
# PEERS="opentsne fitsne" (default) chooses the peers; a peer still running after PEER_TIMEOUT
# seconds (default 2400) is stopped and reported as failed; KEEP=1 keeps the data.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${EMBED_VENV:-bench/.venv-embed}"
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "run bench/embed_setup.sh first" >&2; exit 2; }
if [ -z "${DIMORPH:-}" ]; then
  cargo build --release -q -p dimorph --no-default-features
  DIMORPH=target/release/dimorph
fi
PEERS="${PEERS:-opentsne fitsne}"
mkdir -p bench-data
peak() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; printf "%.1f", s}' "$1"; }
for SIZE in "${@:-30000:2048 100000:50}"; do
 for S in $SIZE; do
  N=${S%%:*}; D=${S##*:}
  base="bench-data/embed_patches_${N}x${D}"
  npy=""; [ $((N * D)) -le 300000000 ] && npy=--npy
  if ! [ -f "$base.parquet" ] || { [ -n "$npy" ] && ! [ -f "$base.npy" ]; }; then
    "$PY" bench/embed_patches.py "$N" "$D" "$base" $npy
  fi
  input="$base.parquet"; [ -n "$npy" ] && input="$base.npy"
  pca=""; [ "$D" -gt 50 ] && pca="--pca 50"
  echo "== $N points x $D features =="
  rm -rf "$base.dimorph"
  echo "dimorph $("$DIMORPH" --version 2>/dev/null || true); $(uptime)"
  /usr/bin/time -v "$DIMORPH" embed --data "$base.parquet" --features 'f*' --knn 15 --threads 2 \
    --out "$base.dimorph" --quiet > "$base.dimorph.log" 2> "$base.dimorph.time" || { cat "$base.dimorph.time"; exit 1; }
  grep -E "neighbours|recall|time|reproducib" "$base.dimorph.log" || true
  dw=$(wall "$base.dimorph.time"); dm=$(peak "$base.dimorph.time")
  echo "dimorph:  wall $dw s, peak RSS $dm MiB"
  best=""
  for P in $PEERS; do
    echo "$P: $(uptime)"
    if /usr/bin/time -v timeout "${PEER_TIMEOUT:-2400}" "$PY" bench/embed_peer.py "$input" 1.0 --tool "$P" $pca > "$base.$P.log" 2> "$base.$P.time"; then
      tail -n 1 "$base.$P.log"
      pw=$(wall "$base.$P.time"); pm=$(peak "$base.$P.time")
      echo "$P: wall $pw s, peak RSS $pm MiB; ratio $P/dimorph: wall $(awk -v a="$pw" -v b="$dw" 'BEGIN {printf "%.2f", a / b}'), memory $(awk -v a="$pm" -v b="$dm" 'BEGIN {printf "%.2f", a / b}')"
      if [ -z "$best" ] || awk -v a="$pw" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$pw; fi
    else
      echo "$P failed (exit status in $base.$P.time):"; tail -n 5 "$base.$P.time"
    fi
  done
  [ -n "$best" ] && echo "ratio fastest peer/dimorph: wall $(awk -v a="$best" -v b="$dw" 'BEGIN {printf "%.2f", a / b}')"
  "$PY" bench/embed_scale_quality.py "$base"
  [ -n "${KEEP:-}" ] || rm -f "$base.parquet" "$base.npy" "${base}_exact10nn.npy"
 done
done
