#!/usr/bin/env bash
# The BagNet GPU check, run once on a machine with an NVIDIA GPU (CUDA 12/13 driver, NVRTC and
# PyTorch installed there): our CUDA build (burn 0.21 CubeCL) beside PyTorch eager on the same GPU
# in the same run, then the CLI end to end on the GPU, with the GPU's predictions checked against
# the CPU's on the same model.
#
#   BIN=target-cuda bench/bagnet/gpu_run.sh [OUT_DIR]
#
# BIN holds `step_bench` and `dimorph` built here with the `cuda` feature (bench/bagnet/gpu_build.sh).
# Each step has its own time limit and the whole run a deadline (BUDGET seconds, default 520), so
# that a slow step cannot take the rest with it. OUT_DIR gets summary.txt as it goes and, after each
# step, logs.tgz with every step's output.
set -u
BIN=${BIN:-target-cuda}
OUT=${1:-${OUT:-bench-data/bagnet-gpu}}
BUDGET=${BUDGET:-520}
PY=${PY:-python3}
mkdir -p "$OUT"
LOGS=$(mktemp -d)
start=$(date +%s)
left() { echo $((BUDGET - ($(date +%s) - start))); }
# step NAME LIMIT CMD...: run CMD with at most LIMIT seconds (less when the deadline is nearer).
step() {
    local name=$1 limit=$2
    shift 2
    local l
    l=$(left)
    if [ "$l" -lt 15 ]; then
        echo "== $name: skipped (deadline)" | tee -a "$OUT/summary.txt"
        return
    fi
    [ "$limit" -gt "$l" ] && limit=$l
    local t0=$(date +%s)
    timeout "$limit" "$@" >"$LOGS/$name.log" 2>"$LOGS/$name.err"
    local rc=$?
    echo "== $name: rc $rc, $(($(date +%s) - t0)) s" | tee -a "$OUT/summary.txt"
    grep -E "^(backend|params|loss|train_step_s|train_images_per_s|infer_s|infer_images_per_s) " "$LOGS/$name.log" \
        | sed "s/^/$name /" | tee -a "$OUT/summary.txt"
    [ "$rc" -ne 0 ] && tail -5 "$LOGS/$name.err" | sed "s/^/$name err: /" | tee -a "$OUT/summary.txt"
    tar czf "$OUT/logs.tgz" -C "$LOGS" . 2>/dev/null
    tar czf "$OUT/cubecl-cache.tgz" -C "$CACHE" . 2>/dev/null
    return 0
}

{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    $PY -c "import torch; print('torch', torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))"
    ldd --version | head -1
} 2>&1 | tee "$OUT/summary.txt"
# NVRTC: the toolkit's, else the one inside PyTorch's wheels.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
    $($PY -c "import glob,os,site; print(' '.join(sorted({os.path.dirname(p) for s in site.getsitepackages() for p in glob.glob(s+'/nvidia/**/libnvrtc.so*', recursive=True)})))" 2>/dev/null); do
    ls "$d"/libnvrtc.so* >/dev/null 2>&1 && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}" | tee -a "$OUT/summary.txt"

# CubeCL generates every kernel and compiles it with NVRTC at first use, and its autotuner compiles
# and times candidates per matmul/convolution shape: the 2026-11-26 run never got past that warm-up.
# Both caches go to one folder (a cubecl.toml in the working directory, read by CubeCL from the
# current directory up), seeded from gpu-bins/cubecl-cache.tgz when an earlier run brought one back,
# and packed into OUT_DIR/cubecl-cache.tgz after each step: carry it as gpu-bins/cubecl-cache.tgz
# next time (the PTX is for this GPU's architecture; CubeCL keys its entries by device).
CACHE=${CUBECL_CACHE:-/tmp/cubecl-cache}
mkdir -p "$CACHE"
[ -f gpu-bins/cubecl-cache.tgz ] && tar xzf gpu-bins/cubecl-cache.tgz -C "$CACHE" \
    && echo "cubecl cache seeded: $(find "$CACHE" -type f | wc -l) files" | tee -a "$OUT/summary.txt"
printf '[compilation]\ncache = { file = "%s" }\n\n[autotune]\ncache = { file = "%s" }\n' \
    "$CACHE" "$CACHE" >cubecl.toml
SB="$BIN/step_bench --arch bagnet33 --size 224 --device cuda"
TS="$PY bench/bagnet/torch_step.py --arch bagnet33 --size 224 --device cuda"
REPS=${REPS:-20}
# 1. Training and inference steps, batch 16, f32: ours, then PyTorch.
step ours_f32_b16 150 $SB --batch 16 --reps "$REPS"
step torch_f32_b16 60 $TS --batch 16 --reps "$REPS"
# 2. The CLI end to end on the GPU: synthetic fundus images, two epochs, eval on GPU and on CPU.
step cli 200 env BIN="$BIN" PY="$PY" bash bench/bagnet/gpu_cli.sh /tmp/gpu-cli
cp /tmp/gpu-cli/train.json /tmp/gpu-cli/train.err "$LOGS/" 2>/dev/null
cat "$LOGS/cli.log" >>"$OUT/summary.txt"
# 3. The largest batch we tried (64), f32; then bf16 (burn: whole model; torch: autocast and whole).
step ours_f32_b64 90 $SB --batch 64 --reps 10
step torch_f32_b64 40 $TS --batch 64 --reps 10
step ours_bf16_b64 90 $SB --batch 64 --reps 10 --precision bf16
step torch_ampbf16_b64 40 $TS --batch 64 --reps 10 --precision amp-bf16
step torch_bf16_b64 40 $TS --batch 64 --reps 10 --precision bf16
echo "total $(($(date +%s) - start)) s" | tee -a "$OUT/summary.txt"
