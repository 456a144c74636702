#!/usr/bin/env bash
# Time and bias of `dimorph refint estimate --method refiner` against refineR 2.0.0 and reflimR
# 1.1.0 (and dimorph --method reflim) on refineR's five test cases, in one run on one machine.
# refineR and reflimR are not in Debian: build them from their CRAN mirrors on GitHub
# (github:cran/refineR, github:cran/ash, github:cran/reflimR) with `R CMD INSTALL -l LIB` and
# pass LIB:   REFINER_LIB=/tmp/refiner/lib bench/refint_refiner.sh      (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REFINER_LIB:?set REFINER_LIB to the R library holding refineR, ash and reflimR}"
cargo build --release -q -p dimorph
R_LIBS="$REFINER_LIB" Rscript bench/refint_refiner.R target/release/dimorph crates/dimorph-refint/tests/peers/refiner_data
