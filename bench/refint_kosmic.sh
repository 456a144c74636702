#!/usr/bin/env bash
# Time of `dimorph refint estimate --method kosmic` beside kosmic by its authors (tidykosmic,
# github:divinenephron/tidykosmic, built with `R CMD INSTALL -l LIB` as bench/refint_install_peers.sh
# does) on refineR's five test cases and tidykosmic's haemoglobin, in one run on one machine,
# with the ratio (bench/refint_kosmic.R). From the repository root:
#   KOSMIC_LIB=LIB [DIMORPH=target/release/dimorph] [REPS=3] nice bench/refint_kosmic.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${KOSMIC_LIB:?set KOSMIC_LIB to the R library holding tidykosmic}"
bin="${DIMORPH:-target/release/dimorph}"
if [ -z "${DIMORPH:-}" ]; then cargo build --release -q -p dimorph --no-default-features; fi
R_LIBS="$KOSMIC_LIB" Rscript bench/refint_kosmic.R "$bin" crates/dimorph-refint/tests/peers "${REPS:-3}"
