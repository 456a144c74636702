#!/usr/bin/env bash
# Peak memory of `dimorph glm --stream` (Parquet row groups through the IRLS passes, issue 11's
# last Dask bullet) against the in-memory fit of the same file, same machine, same run: ROWS rows
# x 20 covariates, logistic, y ~ x1 + ... + x20, written by the example glm_stream_data (seeded,
# row groups of 100,000 rows) into bench-data/ (gitignored). Prints wall time and maximum RSS
# (/usr/bin/time -v) of each, their ratios, and the largest relative difference of the
# coefficients, standard errors and deviance between the two.
# Usage: bench/glm_stream.sh [ROWS]      (from anywhere; ROWS default 3000000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rows="${1:-3000000}"
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
    /usr/bin/time -v "$bin" glm --data "$data" "$formula" --family binomial --quiet --format json $flag \
        > "$tmp/$mode.json" 2> "$tmp/$mode.time"
done
python3 - "$tmp" "$rows" <<'PY'
import json, re, sys
tmp, rows = sys.argv[1], sys.argv[2]
def usage(m):
    t = open(f"{tmp}/{m}.time").read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
    return rss, sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
s = json.load(open(f"{tmp}/stream.json"))["result"]
m = json.load(open(f"{tmp}/memory.json"))["result"]["fit"]
rel = lambda a, b: abs(a - b) / max(abs(b), 1)
(rs, ws), (rm, wm) = usage("stream"), usage("memory")
print(f"{rows} rows x 20 covariates, logistic")
print(f"stream  peak RSS {rs:8.1f} MiB  wall {ws:7.1f} s  ({s['passes']} passes + 2 over the file)")
print(f"memory  peak RSS {rm:8.1f} MiB  wall {wm:7.1f} s")
print(f"ratio stream/memory: RSS {rs / rm:.3f}x, wall {ws / wm:.2f}x")
d = max([rel(a, b) for a, b in zip(s["coef"], m["coef"])] + [rel(a, b) for a, b in zip(s["se_expected"], m["se_expected"])] + [rel(s["deviance"], m["deviance"])])
print(f"largest relative difference (coef, SE, deviance): {d:.2e}")
PY
