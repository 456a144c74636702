#!/usr/bin/env bash
# GLM benchmark: 1,000,000 rows x 20 covariates, logistic and Poisson, y ~ x1 + ... + x20.
#   1. creates the Python venv (bench/glm/setup.sh) if missing;
#   2. generates the data into bench-data/ (gitignored) if missing (glm_peers.py generate);
#   3. times the peers (statsmodels, glum, scikit-learn) once, unless bench-data/bench_results.json
#      exists (RERUN_PEERS=1 forces a new run);
#   4. runs the Rust side (cargo example `bench` of dimorph-glm) and prints it beside the fastest
#      peer, with the ratio (bench/glm/compare.py).
# Usage: bench/glm/run.sh [DATA_DIR]    (from anywhere; DATA_DIR defaults to bench-data)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
data="${1:-bench-data}"
py="bench/.venv/bin/python"
[ -x "$py" ] || bench/glm/setup.sh
if [ ! -f "$data/logistic_1m.parquet" ] || [ ! -f "$data/poisson_1m.parquet" ]; then
    nice "$py" bench/glm/glm_peers.py generate --out "$data"
fi
if [ ! -f "$data/bench_reference.json" ]; then
    cp bench/glm/bench_reference.json "$data/bench_reference.json"
fi
if [ ! -f "$data/bench_results.json" ] || [ "${RERUN_PEERS:-0}" = 1 ]; then
    nice "$py" bench/glm/glm_peers.py bench --out "$data" --reps 3
fi
cargo run --release -p dimorph-glm --example glm_bench -- "$data" | tee "$data/rust_bench.txt"
"$py" bench/glm/compare.py "$data/bench_results.json" "$data/rust_bench.txt"
