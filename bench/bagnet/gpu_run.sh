#!/usr/bin/env bash
# The BagNet GPU check, run once on a machine with an NVIDIA GPU (CUDA 12/13 driver, NVRTC and
# PyTorch installed there): our CUDA build (burn 0.21 CubeCL) beside PyTorch eager on the same GPU
# in the same run, and the CLI end to end on the GPU with the GPU's predictions checked against the
# CPU's on the same model.
#
#   BIN=target-cuda bench/bagnet/gpu_run.sh [OUT_DIR]
#
# BIN holds `step_bench` and `dimorph` built here with the `cuda` feature (bench/bagnet/gpu_build.sh).
#
# CubeCL compiles every kernel with NVRTC at first use, one kernel at a time per process, and
# autotunes matrix products and convolutions per shape; on 2026-11-26 that warm-up kept BagNet-33's
# first training step from finishing in 220 s (burn's default CUDA backend, with fusion). So the run
# has two phases, under one deadline (BUDGET seconds, default 530):
#   A. warm-up, in parallel (one process per configuration, at batch 16 and, in f32, 64, each
#      compiling on its own CPU core): every configuration's first steps, writing CubeCL's compiled kernels (PTX) and
#      autotune results into a cache folder (a cubecl.toml in each working directory); the CLI end
#      to end (`gpu_cli.sh`) beside them. Three of them first `--check` the GPU's logits and gradient
#      against the CPU's on the same seeded model and input. Their step times are not benchmarks
#      (they share the GPU). `progress.txt` samples each one's last line, its count of autotuned
#      shapes and the caches' sizes every 20 s.
#   B. timing, one process at a time: PyTorch eager, then ours from its phase-A cache, per
#      configuration, each step under its own time limit.
# OUT_DIR gets summary.txt, progress.txt and logs.tgz as it goes, and cubecl-caches.tgz at the end.
set -u
BIN=${BIN:-target-cuda}
OUT=${1:-${OUT:-bench-data/bagnet-gpu}}
BUDGET=${BUDGET:-530}
WARM=${WARM:-300}
PY=${PY:-python3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "$BIN" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOGS=$(mktemp -d)
W=$(mktemp -d)
start=$(date +%s)
now() { echo $(($(date +%s) - start)); }
left() { echo $((BUDGET - $(now))); }

{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    $PY -c "import torch; print('torch', torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))"
    nproc
} 2>&1 | tee "$OUT/summary.txt"
# NVRTC: the toolkit's, else the one inside PyTorch's wheels.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
    $($PY -c "import glob,os,site; print(' '.join(sorted({os.path.dirname(p) for s in site.getsitepackages() for p in glob.glob(s+'/nvidia/**/libnvrtc.so*', recursive=True)})))" 2>/dev/null); do
    ls "$d"/libnvrtc.so* >/dev/null 2>&1 && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}" | tee -a "$OUT/summary.txt"

# cache_dir NAME CACHE: a working directory NAME whose cubecl.toml points CubeCL's PTX and autotune
# caches at the folder caches/CACHE (CubeCL's cache files are append-only and safe to share between
# processes; a process reads them when it starts), and logs one line per autotuned shape ("Fastest
# result ...") to NAME/autotune.log, so that progress.txt shows how far each warm-up has come.
# (CubeCL's compilation log is not turned on: it writes every kernel's source, formatted by
# clang-format, and would slow the compilation it measures.)
cache_dir() {
    mkdir -p "$W/$1" "$W/caches/$2"
    printf '[compilation]\ncache = { file = "%s" }\n\n[autotune]\ncache = { file = "%s" }\nlogger = { level = "minimal", file = "%s" }\n' \
        "$W/caches/$2" "$W/caches/$2" "$W/$1/autotune.log" >"$W/$1/cubecl.toml"
    echo "$W/$1"
}
pack() { tar czf "$OUT/logs.tgz" -C "$LOGS" . 2>/dev/null; }
# An earlier run's caches (OUT_DIR/cubecl-caches.tgz carried back as gpu-bins/cubecl-caches.tgz)
# seed this one's: CubeCL keys its PTX by kernel and its autotune results by device and shape.
mkdir -p "$W/caches"
[ -f "$ROOT/gpu-bins/cubecl-caches.tgz" ] && tar xzf "$ROOT/gpu-bins/cubecl-caches.tgz" -C "$W/caches" \
    && echo "cubecl caches seeded: $(du -sb "$W/caches" | cut -f1) bytes" | tee -a "$OUT/summary.txt"

# ---- Phase A: warm-up, in parallel --------------------------------------------------------------
SB="$BIN/step_bench --arch bagnet33 --size 224 --device cuda"
declare -A PID
warm() { # warm NAME CACHE ENV... -- ARGS...: step_bench in its own directory, in the background
    local name=$1 cache=$2
    shift 2
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local d
    d=$(cache_dir "$name" "$cache")
    (cd "$d" && exec env "${envs[@]}" timeout "$WARM" $SB "$@" >"$LOGS/A_$name.log" 2>"$LOGS/A_$name.err") &
    PID[$name]=$!
}
# Batch 16, and 64 in f32 (CubeCL autotunes per shape, so each batch size warms up on its own;
# 128 could take the memory the others need): the unfused f32 and bf16 runs and the CLI share the
# cache that phase B starts from; fusion and minimal autotune have their own.
warm u_f32_b16 main X=1 -- --batch 16 --reps 3 --check
warm u_f32_b64 main X=1 -- --batch 64 --reps 2
warm u_bf16_b16 main X=1 -- --batch 16 --reps 3 --precision bf16 --check
warm f_f32_b16 fused X=1 -- --batch 16 --reps 3 --fusion on --check
warm u_f32_b16_min min CUBECL_AUTOTUNE_LEVEL=minimal -- --batch 16 --reps 3
d=$(cache_dir cli main)
(cd "$d" && exec timeout "$WARM" env BIN="$BIN" PY="$PY" bash "$ROOT/bench/bagnet/gpu_cli.sh" "$W/cli-work" \
    >"$LOGS/A_cli.log" 2>"$LOGS/A_cli.err") &
PID[cli]=$!

echo "== phase A started at $(now) s" | tee -a "$OUT/summary.txt"
# Phase B starts once the unfused runs at the default autotune level and the CLI are done (fusion's
# and minimal autotune's warm-ups are measurements of their own and are stopped then, if still going).
while :; do
    sleep 20
    waiting=0
    {
        echo "-- $(now) s, GPU memory used $(nvidia-smi --query-gpu=memory.used --format=csv,noheader), caches (bytes): $(du -sb "$W"/caches/* 2>/dev/null | sed "s|$W/caches/||" | tr '\t\n' '= ')"
        for n in "${!PID[@]}"; do
            if kill -0 "${PID[$n]}" 2>/dev/null; then
                st=running
                case $n in f_f32_b16 | u_f32_b16_min) ;; *) waiting=1 ;; esac
            else
                st=done
            fi
            echo "$n $st, $(grep -c '^Fastest result' "$W/$n/autotune.log" 2>/dev/null) shapes autotuned: $(tail -n 1 "$LOGS/A_$n.err" 2>/dev/null | cut -c1-160)"
        done
    } >>"$OUT/progress.txt"
    pack
    [ "$waiting" = 0 ] && break
    [ "$(now)" -ge "$WARM" ] && break
done
for n in "${!PID[@]}"; do
    if kill -0 "${PID[$n]}" 2>/dev/null; then
        kill "${PID[$n]}" 2>/dev/null # timeout passes the signal on to its command's process group
        echo "A $n: stopped at $(now) s" | tee -a "$OUT/summary.txt"
    else
        wait "${PID[$n]}"
        echo "A $n: rc $? by $(now) s" | tee -a "$OUT/summary.txt"
    fi
    grep -E "^check_" "$LOGS/A_$n.log" 2>/dev/null | sed "s/^/A $n: /" | tee -a "$OUT/summary.txt"
    grep -E "^train step [0-9]+:" "$LOGS/A_$n.err" 2>/dev/null | sed -n '1,2p;$p' | sed "s/^/A $n: /" | tee -a "$OUT/summary.txt"
    cp "$W/$n/autotune.log" "$LOGS/A_$n.autotune.log" 2>/dev/null
done
sleep 2
cat "$LOGS/A_cli.log" >>"$OUT/summary.txt" 2>/dev/null
cp "$W/cli-work/train.err" "$LOGS/cli-train.err" 2>/dev/null
cp "$W/cli-work/train.json" "$LOGS/cli-train.json" 2>/dev/null
pack

# ---- Phase B: timing, one at a time -------------------------------------------------------------
# step NAME LIMIT DIR CMD...: run CMD in DIR with at most LIMIT seconds (less near the deadline).
step() {
    local name=$1 limit=$2 dir=$3
    shift 3
    local l
    l=$(left)
    if [ "$l" -lt 15 ]; then
        echo "== $name: skipped (deadline)" | tee -a "$OUT/summary.txt"
        return
    fi
    [ "$limit" -gt "$l" ] && limit=$l
    local t0=$(date +%s)
    (cd "$dir" && timeout "$limit" "$@" >"$LOGS/B_$name.log" 2>"$LOGS/B_$name.err")
    local rc=$?
    echo "== $name: rc $rc, $(($(date +%s) - t0)) s" | tee -a "$OUT/summary.txt"
    grep -E "^(backend|loss|train_step_s|train_images_per_s|infer_s|infer_images_per_s) " "$LOGS/B_$name.log" \
        | sed "s/^/$name /" | tee -a "$OUT/summary.txt"
    if [ "$rc" -ne 0 ]; then
        # Stopped before its summary: the steps it did finish (the first is the warm-up).
        grep -E "^(train step|inference) [0-9]+:" "$LOGS/B_$name.err" | sed -n '1p;$p' | sed "s/^/$name /" | tee -a "$OUT/summary.txt"
        tail -3 "$LOGS/B_$name.err" | cut -c1-300 | sed "s/^/$name err: /" | tee -a "$OUT/summary.txt"
    fi
    pack
    return 0
}
TS="$PY $ROOT/bench/bagnet/torch_step.py --arch bagnet33 --size 224 --device cuda"
REPS=${REPS:-20}
step torch_f32_b16 40 "$W" $TS --batch 16 --reps "$REPS"
step ours_f32_b16 60 "$W/u_f32_b16" $SB --batch 16 --reps "$REPS"
step torch_f32_b64 40 "$W" $TS --batch 64 --reps 10
step ours_f32_b64 60 "$W/u_f32_b64" $SB --batch 64 --reps 10
step torch_f32_b128 40 "$W" $TS --batch 128 --reps 10
step ours_f32_b128 90 "$W/u_f32_b64" $SB --batch 128 --reps 10
step torch_ampbf16_b64 40 "$W" $TS --batch 64 --reps 10 --precision amp-bf16
step torch_bf16_b64 40 "$W" $TS --batch 64 --reps 10 --precision bf16
step ours_bf16_b64 75 "$W/u_bf16_b16" $SB --batch 64 --reps 10 --precision bf16
step ours_f32_b16_min 40 "$W/u_f32_b16_min" env CUBECL_AUTOTUNE_LEVEL=minimal $SB --batch 16 --reps "$REPS"
step ours_fused_f32_b16 40 "$W/f_f32_b16" $SB --batch 16 --reps "$REPS" --fusion on
echo "total $(now) s" | tee -a "$OUT/summary.txt"
du -sb "$W"/caches/* 2>/dev/null | tee -a "$OUT/summary.txt"
pack
# The caches for the next run, when they fit what comes back from the machine (16 MB a file).
tar czf "$W/cubecl-caches.tgz" -C "$W/caches" . 2>/dev/null
if [ "$(stat -c %s "$W/cubecl-caches.tgz")" -le 16000000 ]; then
    cp "$W/cubecl-caches.tgz" "$OUT/"
else
    echo "cubecl-caches.tgz: $(stat -c %s "$W/cubecl-caches.tgz") bytes, too large to return" | tee -a "$OUT/summary.txt"
fi
