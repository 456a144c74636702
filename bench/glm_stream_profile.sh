#!/usr/bin/env bash
# Profile-likelihood intervals of `dimorph glm --stream --profile` (refits over the Parquet row
# groups with each coefficient held fixed, dimorph_glm::distributed_profile) against the in-memory
# `dimorph glm --profile` of the same file, same machine, same run: ROWS rows x 20 covariates,
# logistic, the file of bench/glm_stream.sh (example glm_stream_data, seeded, row groups of
# 100,000 rows). Prints wall time, peak RSS and passes of each and the largest relative
# difference between the two fits' profile limits.
# Usage: bench/glm_stream_profile.sh [ROWS]      (from anywhere; ROWS default 100000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rows="${1:-100000}"
data="bench-data/glm_stream_${rows}.parquet"
target="${CARGO_TARGET_DIR:-target}"
mkdir -p bench-data
cargo build --release -q -p dimorph --no-default-features
cargo build --release -q -p dimorph-glm --example glm_stream_data
[ -f "$data" ] || "$target/release/examples/glm_stream_data" "$data" "$rows"
bin="$target/release/dimorph"
formula="y ~ $(seq -s ' + ' -f 'x%g' 1 20)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for mode in stream memory; do
    flag=""
    [ "$mode" = stream ] && flag="--stream"
    /usr/bin/time -f "%e %M" -o "$tmp/$mode.time" "$bin" glm --data "$data" "$formula" --family binomial \
        --profile --quiet --format json $flag >"$tmp/$mode.json"
done
python3 - "$tmp" "$rows" <<'PY'
import json, sys
tmp, rows = sys.argv[1], sys.argv[2]
s = json.load(open(f"{tmp}/stream.json"))["result"]
m = json.load(open(f"{tmp}/memory.json"))["result"]
ms = [c["profile_ci"] for c in m["inference"]["coefficients"]]
worst = max(abs(a - b) / max(1.0, abs(b)) for sc, mc in zip(s["profile_ci"], ms) for a, b in zip(sc, mc))
for mode in ("stream", "memory"):
    wall, rss = open(f"{tmp}/{mode}.time").read().split()
    extra = f", {s['passes']} passes over the file" if mode == "stream" else ""
    print(f"{mode:6s} --profile: {float(wall):7.2f} s wall, peak RSS {int(rss) / 1024:7.1f} MiB{extra}")
print(f"{rows} rows, {len(ms)} coefficients: largest relative difference of the profile limits {worst:.2e}")
PY
