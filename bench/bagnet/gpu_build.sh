#!/usr/bin/env bash
# Builds what bench/bagnet/gpu_run.sh runs on a GPU machine: `step_bench` and the CLI with the
# `cuda` feature (burn 0.21's CubeCL CUDA backend: no CUDA toolkit needed to build, since kernels
# are compiled at run time by NVRTC), stripped and xz-compressed into gpu-bins/ so that they fit
# a small upload. On the GPU machine:
#   mkdir -p /tmp/bin && for f in gpu-bins/*.xz; do xz -dc $f >/tmp/bin/$(basename $f .xz); done
#   chmod +x /tmp/bin/* && BIN=/tmp/bin bench/bagnet/gpu_run.sh OUT_DIR
set -eu
cd "$(dirname "$0")/../.."
T=${CARGO_TARGET_DIR:-target-cuda-build}
CARGO_TARGET_DIR=$T cargo build --release -p dimorph-bagnet --features cuda --example step_bench
CARGO_TARGET_DIR=$T cargo build --release -p dimorph --features cuda
mkdir -p gpu-bins
for b in "$T/release/examples/step_bench" "$T/release/dimorph"; do
    n=$(basename "$b")
    strip -o "gpu-bins/$n" "$b"
    xz -T0 -6 -f "gpu-bins/$n"
done
ls -la gpu-bins
