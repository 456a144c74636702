#!/usr/bin/env bash
# RIbench subset benchmark: dimorph refint estimate --method reflim / refiner (/ kosmic) beside
# reflimR 1.1.0, refineR 2.0.0 (and kosmic when installed) on the same 20 sets, same run, same
# machine: time and mean absolute % error against the true limits, ratios printed.
# The sets are drawn by crates/dimorph-refint/tests/ribench.rs (RIbench's parameters from
# tests/fixtures/ribench_subset.csv, our seeded generator) into bench-data/ribench/; the peers'
# limits go to crates/dimorph-refint/tests/fixtures/ribench_peers.csv, which the test reads.
# Peers: reflimR, refineR and ash are not in Debian: build them from their CRAN mirrors on GitHub
# (see bench/refint_install_peers.sh / bench/refint_refiner.sh) with R CMD INSTALL -l LIB, then
#   RIBENCH_LIB=/tmp/refintage/Rlib bench/refint_ribench.sh        (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RIBENCH_LIB:?set RIBENCH_LIB to the R library holding refineR, ash and reflimR (and kosmic)}"
cargo build --release -q -p dimorph --no-default-features
OUT=bench-data/ribench
RIBENCH_OUT="$PWD/$OUT" cargo test -q -p dimorph-refint --test ribench -- write_sets
R_LIBS="$RIBENCH_LIB" nice Rscript bench/refint_ribench.R target/release/dimorph "$OUT" \
  crates/dimorph-refint/tests/fixtures/ribench_peers.csv
# Figures (2026-11-26, 2-core shared machine, release build, refineR NBootstrap = 0):
#   dimorph reflim  MAPE 80.63 %  0.34 s | reflimR 80.55 %  0.21 s   (reflimR/dimorph 0.62x)
#   dimorph refiner MAPE 12.40 %  3.54 s | refineR 11.53 % 213.26 s  (refineR/dimorph 60.2x)
#   dimorph kosmic  MAPE 11.93 % 23.64 s (2 CRP sets failed); kosmic (R) not installed
#   dimorph is timed end to end (20 process starts + CSV reads), the R peers on the estimate only.
#   CRP's upper limit (truth 5) dominates reflim's mean (444 % and 2138 % on its two sets).
