#!/usr/bin/env bash
# Peak RSS (/usr/bin/time -v) of `dimorph embed` on N x D float32 Parquet patch features
# (bench/embed_patches.py, seeded), for one or two builds: e.g. a build before the float32 reader
# (the f64 table reader) and one after. Short optimisation (10 + 10 iterations): the peak is the
# input, PCA and neighbour search. Prints wall time, peak RSS and whether the embeddings agree.
# Usage: EMBED_VENV=/tmp/embed/venv bench/embed_f32_rss.sh [N] [D] [DIMORPH_AFTER] [DIMORPH_BEFORE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
n="${1:-200000}"; d="${2:-2048}"
after="${3:-$here/../target/release/dimorph}"; before="${4:-}"
py="${EMBED_VENV:-$here/.venv-embed}/bin/python"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/embed_f32_rss.XXXXXX")"; trap 'rm -rf "$tmp"' EXIT
"$py" "$here/embed_patches.py" "$n" "$d" "$tmp/p" >/dev/null && rm -f "$tmp/p.npy"
for which in before after; do
  exe="$after"; [[ $which == before ]] && exe="$before"
  [[ -z "$exe" ]] && continue
  /usr/bin/time -v "$exe" embed --data "$tmp/p.parquet" --features 'f*' --early-iter 10 --iter 10 --threads 2 \
      --quiet --format json >"$tmp/$which.json" 2>"$tmp/$which.time"
  echo "$which: $(grep -E 'Elapsed' "$tmp/$which.time" | sed 's/.*: //') wall, peak RSS $(grep 'Maximum resident' "$tmp/$which.time" | awk '{printf "%.0f MiB", $NF/1024}')"
done
if [[ -n "$before" ]]; then
  "$py" -c "import json,sys; a,b=(json.load(open(f))['result']['embedding']['y'] for f in sys.argv[1:]); print('same embedding:', a==b)" "$tmp/before.json" "$tmp/after.json"
fi
