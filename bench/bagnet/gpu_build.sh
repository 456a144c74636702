#!/usr/bin/env bash
# Builds what bench/bagnet/gpu_run.sh runs on a GPU machine: `step_bench` and the CLI with the
# `cuda` feature (burn 0.21's CubeCL CUDA backend: no CUDA toolkit needed to build, since kernels
# are compiled at run time by NVRTC) and again with `cuda-untuned` (the same backend without
# CubeCL's autotuning: `step_bench-untuned`, `dimorph-untuned`), stripped and xz-compressed into
# gpu-bins/ so that they fit a small upload. On the GPU machine:
#   mkdir -p /tmp/bin && for f in gpu-bins/*.xz; do xz -dc $f >/tmp/bin/$(basename $f .xz); done
#   chmod +x /tmp/bin/* && BIN=/tmp/bin bench/bagnet/gpu_run.sh OUT_DIR
set -eu
cd "$(dirname "$0")/../.."
T=${CARGO_TARGET_DIR:-target-cuda-build}
mkdir -p gpu-bins
# pack BINARY NAME: stripped and compressed as gpu-bins/NAME.xz.
pack() {
    strip -o "gpu-bins/$2" "$1"
    xz -T0 -6 -f "gpu-bins/$2"
}
# The two feature sets share the target folder (Cargo keeps each set's crates apart); the untuned
# binaries are packed before the tuned build overwrites them.
for v in cuda-untuned cuda; do
    CARGO_TARGET_DIR=$T cargo build --release -p dimorph-bagnet --features $v --example step_bench
    CARGO_TARGET_DIR=$T cargo build --release -p dimorph --features $v
    s=${v#cuda}
    pack "$T/release/examples/step_bench" "step_bench$s"
    pack "$T/release/dimorph" "dimorph$s"
done
ls -la gpu-bins
