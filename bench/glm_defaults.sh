#!/usr/bin/env bash
# The default `dimorph glm` command on big data against its bare fit (issue 13, "Fast defaults on
# big data"): 1,000,000 rows x 20 covariates, logistic, y ~ x1 + ... + x20, data made by
# bench/glm_defaults_data.py (seeded) into bench-data/ (gitignored). Times, on the same machine in
# the same run, each the median of REPS runs:
#   bare     read + model frame + fit only (crates/dimorph-glm/examples/glm_fit_time.rs)
#   text     `dimorph glm ...` with the default text report
#   json     `dimorph glm ... --format json`
#   type3    `dimorph glm ... --type3` (Type 3 likelihood-ratio refits asked for)
# and prints each as a ratio to the bare fit (the target: text and json within 3x).
# Usage: bench/glm_defaults.sh [ROWS] [REPS]      (from anywhere; ROWS default 1000000, REPS 3)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rows="${1:-1000000}"
reps="${2:-3}"
data="bench-data/glm_defaults_${rows}.csv"
mkdir -p bench-data
[ -f "$data" ] || python3 bench/glm_defaults_data.py "$data" "$rows"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p dimorph --no-default-features
cargo build --release -q -p dimorph-glm --example glm_fit_time
bin="$target/release/dimorph"
fit="$target/release/examples/glm_fit_time"
formula="y ~ $(seq -s ' + ' -f 'x%g' 1 20)"

# median wall seconds of `reps` runs of a command
median() {
    local ts=()
    for _ in $(seq "$reps"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" > /dev/null
        t1=$(date +%s.%N)
        ts+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "data: $data ($rows rows x 20 covariates), median of $reps runs, $(nproc) cores"
"$fit" "$data" "$formula" binomial
bare=$(median "$fit" "$data" "$formula" binomial)
text=$(median "$bin" glm --data "$data" "$formula" --family binomial --quiet)
json=$(median "$bin" glm --data "$data" "$formula" --family binomial --quiet --format json)
type3=$(median "$bin" glm --data "$data" "$formula" --family binomial --quiet --type3)
for row in "bare:$bare" "text:$text" "json:$json" "type3:$type3"; do
    name="${row%%:*}"
    t="${row#*:}"
    printf '%-6s %8.2f s   %5.2fx the bare fit\n' "$name" "$t" "$(echo "$t / $bare" | bc -l)"
done
