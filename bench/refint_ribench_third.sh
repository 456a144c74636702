#!/usr/bin/env bash
# The RIbench checks on the third subset that CI's `cargo test --workspace` leaves out for time
# (crates/dimorph-refint/tests/ribench.rs, the tests marked #[ignore]): kosmic against R kosmic's
# bound, refineR's histogram and cost against the quantile cost, and --zeros censored against
# --zeros drop. Together 140 CPU-s of a debug test build (72 s on 2 cores, measured). The third
# subset's main check (the refiner's default against refineR's bound) stays in CI.
# Usage: bench/refint_ribench_third.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
# --workspace: the test build's features, so that nothing is compiled again after `cargo test`
# The filter names the three (the fourth subset's ignored test is a release-only one of its own).
cargo test --workspace --test suite -- --ignored --nocapture on_the_third_subset
