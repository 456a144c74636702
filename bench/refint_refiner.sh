#!/usr/bin/env bash
# Time and bias of `dimorph refint estimate --method refiner` against refineR 2.0.0 and reflimR
# 1.1.0 (and dimorph --method reflim) on refineR's five test cases, in one run on one machine.
# refineR and reflimR are not in Debian: build them from their CRAN mirrors on GitHub
# (github:cran/refineR, github:cran/ash, github:cran/reflimR) with `R CMD INSTALL -l LIB` and
# pass LIB (bench/refint_install_peers.sh does both: R_PEER_LIB=LIB bench/refint_install_peers.sh
# ash refineR reflimR):
#   REFINER_LIB=/tmp/refiner/lib [DIMORPH=target/release/dimorph] nice bench/refint_refiner.sh
# (from the repository root). dimorph runs its default: refineR's histogram and cost since session 9.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REFINER_LIB:?set REFINER_LIB to the R library holding refineR, ash and reflimR}"
bin="${DIMORPH:-target/release/dimorph}"
if [ -z "${DIMORPH:-}" ]; then cargo build --release -q -p dimorph --no-default-features; fi
R_LIBS="$REFINER_LIB" Rscript bench/refint_refiner.R "$bin" crates/dimorph-refint/tests/peers/refiner_data
