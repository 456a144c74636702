#!/usr/bin/env bash
# The fit-only benchmark on a loaded, shared machine: two Rust `glm_bench` binaries (e.g. the
# previous commit's and this one's, each built with
# `cargo build --release -p dimorph-glm --example glm_bench` and copied aside) and the peers
# (glm_peers.py bench, as run.sh) run alternately on the same data, ROUNDS times, under `nice`;
# summarise.py then takes the minimum of every repetition (the least disturbed time) and prints
# the ratio of each peer to each Rust binary. The load average is written before and after each
# round.
# Usage: bench/glm/alternate.sh OLD_BIN NEW_BIN [ROUNDS] [OUT_DIR]   (data: bench-data, see run.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
old="$1"
new="$2"
rounds="${3:-2}"
out="${4:-/tmp/glm_alternate}"
py="bench/.venv/bin/python"
mkdir -p "$out"
uptime | tee "$out/load.txt"
for k in $(seq 1 "$rounds"); do
    mkdir -p "$out/peers$k"
    nice "$py" bench/glm/glm_peers.py bench --out "$out/peers$k" --reps 3 > "$out/peers$k/log.txt"
    for j in 1 2; do
        nice "$old" bench-data > "$out/old_${k}_${j}.txt"
        nice "$new" bench-data > "$out/new_${k}_${j}.txt"
    done
    uptime | tee -a "$out/load.txt"
done
"$py" bench/glm/summarise.py "$out"
