#!/usr/bin/env bash
# dimorph's kosmic before and after a change, on the RIbench sets, in one run on one machine: for
# each set, the end-to-end seconds of `dimorph refint estimate --method kosmic --decimals <the
# set's>` with each binary, and whether the two outputs are equal to the byte; the totals.
# The sets are written by tests/ribench.rs (bench/refint_ribench.sh does it), e.g. the third subset:
#   RIBENCH_SUBSET=third RIBENCH_OUT="$PWD/bench-data/ribench_third" \
#     cargo test -q -p dimorph-refint --test suite -- ribench::write_sets
# then, from the repository root, with two release builds (one copied aside before the change):
#   nice bench/refint_kosmic_speed.sh OLD_BINARY NEW_BINARY bench-data/ribench_third [more folders]
# Session 10 (2-core shared machine, load ~2): the third subset 35.96 -> 16.81 s, all 40 outputs equal.
set -euo pipefail
old=$1; new=$2; shift 2
tot_old=0; tot_new=0; differ=0
for dir in "$@"; do
  while IFS=, read -r idx analyte file _lrl _url dec; do
    run() { "$1" refint estimate --data "$dir/$file" --value value --method kosmic --decimals "$dec" --format csv 2>&1 || true; }
    t0=$(date +%s.%N); a=$(run "$old"); t1=$(date +%s.%N); b=$(run "$new"); t2=$(date +%s.%N)
    so=$(echo "$t1 - $t0" | bc); sn=$(echo "$t2 - $t1" | bc)
    tot_old=$(echo "$tot_old + $so" | bc); tot_new=$(echo "$tot_new + $sn" | bc)
    if [ "$a" == "$b" ]; then same=equal; else same=DIFFERENT; differ=$((differ + 1)); fi
    printf "%-14s %6s %-5s old %7.3f s  new %7.3f s  %s\n" "$(basename "$dir")" "$idx" "$analyte" "$so" "$sn" "$same"
  done < <(tail -n +2 "$dir/truth.csv")
done
printf "total: old %.2f s, new %.2f s (old/new %.2fx); %d sets with different output\n" \
  "$tot_old" "$tot_new" "$(echo "$tot_old / $tot_new" | bc -l)" "$differ"
