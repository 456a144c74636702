#!/usr/bin/env bash
# Peak memory of `dimorph glm --stream` (Parquet row groups through the IRLS passes, issue 11's
# last Dask bullet) against the in-memory fit of the same file, same machine, same run: ROWS rows
# x 20 covariates, logistic, y ~ x1 + ... + x20, written by the example glm_stream_data (seeded,
# row groups of 100,000 rows) into bench-data/ (gitignored). Prints wall time and maximum RSS
# (/usr/bin/time -v) of each, their ratios, and the largest relative difference of the
# coefficients, standard errors and deviance between the two.
# Then the row-group reader alone, same binary, same run: the streamed fit with the next row
# group decoded on a worker thread (ahead 1, the default) against each row group decoded on the
# fitting thread (ahead 0), by the example glm_stream_ahead (dimorph_glm::stream::fit_parquet_ahead);
# their coefficients must be identical bit for bit. With BEFORE_BIN=<an older dimorph binary>, also
# that binary's --stream fit on the same file (e.g. one built before the column-reader decoding).
# Usage: [BEFORE_BIN=...] bench/glm_stream.sh [ROWS]      (from anywhere; ROWS default 3000000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rows="${1:-3000000}"
data="bench-data/glm_stream_${rows}.parquet"
target="${CARGO_TARGET_DIR:-target}"
mkdir -p bench-data
cargo build --release -q -p dimorph --no-default-features
cargo build --release -q -p dimorph-glm --example glm_stream_data --example glm_stream_ahead
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
for ahead in 0 1; do
    /usr/bin/time -v "$target/release/examples/glm_stream_ahead" "$data" "$ahead" "$formula" binomial \
        > "$tmp/ahead$ahead.txt" 2> "$tmp/ahead$ahead.time"
done
if [ -n "${BEFORE_BIN:-}" ]; then
    /usr/bin/time -v "$BEFORE_BIN" glm --data "$data" "$formula" --family binomial --quiet --format json --stream \
        > "$tmp/before.json" 2> "$tmp/before.time"
fi
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
(r0, w0), (r1, w1) = usage("ahead0"), usage("ahead1")
c0, c1 = ([l for l in open(f"{tmp}/ahead{a}.txt") if not l.startswith("seconds")] for a in (0, 1))
print(f"reader: decoded on the fitting thread   peak RSS {r0:8.1f} MiB  wall {w0:7.1f} s")
print(f"reader: next row group decoded ahead     peak RSS {r1:8.1f} MiB  wall {w1:7.1f} s  "
      f"({w0 / w1:.2f}x faster; coefficients and deviance {'identical bit for bit' if c0 == c1 else 'DIFFER'})")
import os
if os.path.exists(f"{tmp}/before.json"):
    b = json.load(open(f"{tmp}/before.json"))["result"]
    rb, wb = usage("before")
    db = max([rel(x, y) for x, y in zip(b["coef"], s["coef"])] + [rel(b["deviance"], s["deviance"])])
    print(f"BEFORE_BIN --stream  peak RSS {rb:8.1f} MiB  wall {wb:7.1f} s  (this build {ws / wb:.3f}x its time; "
          f"largest relative difference of coef/deviance {db:.1e})")
PY
