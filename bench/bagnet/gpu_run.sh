#!/usr/bin/env bash
# The BagNet GPU check, run on a machine with an NVIDIA GPU (CUDA 12/13 driver, NVRTC and PyTorch
# installed there): our CUDA build (burn 0.21 CubeCL) beside PyTorch eager on the same GPU in the
# same run, the GPU's logits and gradient against the CPU's, and the CLI end to end on the GPU.
#
#   BIN=target-cuda [PHASES=AB] bench/bagnet/gpu_run.sh [OUT_DIR]
#
# BIN holds `step_bench` and `dimorph` built here with the `cuda` feature, and `step_bench-untuned`
# and `dimorph-untuned` with `cuda-untuned` (bench/bagnet/gpu_build.sh).
#
# CubeCL compiles every kernel with NVRTC at first use and autotunes every matrix product,
# convolution and reduction per (bucketed) shape by compiling and timing each candidate: about 6 s
# a shape, one shape at a time per process (H200, 2026-11-28: 86 shapes in about 10 minutes, and
# BagNet-33's first training step at batch 16 still unfinished). So:
#   U. untuned, first: the `cuda-untuned` build, whose operations take CubeCL's default kernels
#      (compiled once per shape, nothing timed), beside PyTorch eager: training and inference at
#      batch 16 and 128, `--check` against the CPU, bf16, and the CLI end to end. The figures that
#      do not wait for the warm-up.
#   A. warm-up, in parallel: each configuration's training step cut into N shares
#      (`step_bench --warm-part K/N`: the stem, each stage's first block and its other blocks, the
#      head, dealt out in turn), one process per share, all sharing one CubeCL cache (compiled PTX and autotune results, a
#      multi-process-safe append-only file store; a cubecl.toml in each process's folder points at
#      it), so the ~200 shapes of a step are tuned side by side on the machine's cores.
#   B. timing, one process at a time: PyTorch eager, then ours from the warm cache, per
#      configuration, each under its own time limit; then `--check` (GPU against CPU), the CLI,
#      burn's fusion, and batch 512 (peak GPU memory of every step is printed).
#   P. profile: ours with CubeCL's profiling logger (device time per kernel, summed by
#      profile_summary.py), PyTorch under torch.profiler, our per-stage inference times.
# PHASES=U, A, P or B (or any of them together) runs those phases: two calls on one warm machine share the folder W (default
# /tmp/dimorph-gpu), so a second call can time what the first warmed. Both end by writing the caches
# to OUT_DIR (autotune results, and the PTX in 15 MB parts), named by GPU: carried back as
# gpu-bins/cubecl-*, they seed the next run on the same kind of GPU.
set -u
BIN=${BIN:-target-cuda}
OUT=${1:-${OUT:-bench-data/bagnet-gpu}}
BUDGET=${BUDGET:-530}
WARM=${WARM:-240}
PHASES=${PHASES:-UAB}
PY=${PY:-python3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "$BIN" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=${W:-/tmp/dimorph-gpu}
LOGS=$W/logs
mkdir -p "$LOGS" "$W/caches/main"
start=$(date +%s)
now() { echo $(($(date +%s) - start)); }
left() { echo $((BUDGET - $(now))); }
say() { echo "$*" | tee -a "$OUT/summary.txt"; }

{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    $PY -c "import torch; print('torch', torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))"
    nproc
} 2>&1 | tee -a "$OUT/summary.txt"
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/-$//')
# NVRTC: the toolkit's, else the one inside PyTorch's wheels.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
    $($PY -c "import glob,os,site; print(' '.join(sorted({os.path.dirname(p) for s in site.getsitepackages() for p in glob.glob(s+'/nvidia/**/libnvrtc.so*', recursive=True)})))" 2>/dev/null); do
    ls "$d"/libnvrtc.so* >/dev/null 2>&1 && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"

# cache_dir NAME [CACHE]: a working directory whose cubecl.toml points CubeCL's PTX and autotune
# caches at CACHE (default caches/main, the one returned) and logs one line per autotuned shape to
# NAME/autotune.log (CubeCL's compilation log stays off: it writes every kernel's source formatted
# by clang-format, slowing what it measures).
cache_dir() {
    local c=${2:-$W/caches/main}
    mkdir -p "$W/$1" "$c"
    printf '[compilation]\ncache = { file = "%s" }\n\n[autotune]\ncache = { file = "%s" }\nlogger = { level = "minimal", file = "%s" }\n' \
        "$c" "$c" "$W/$1/autotune.log" >"$W/$1/cubecl.toml"
    echo "$W/$1"
}
shapes() { cat "$W"/*/autotune.log 2>/dev/null | grep -c '^Fastest result'; }
pack() { tar czf "$OUT/logs.tgz" -C "$LOGS" . 2>/dev/null; }
# The caches back to OUT_DIR, within what comes back from the machine (16 MB a file, 8 files):
# the autotune results (small) always, the PTX in 15 MB parts when it fits in four.
save_caches() {
    tar czf "$OUT/cubecl-$GPU-tune.tgz" -C "$W/caches/main" autotune 2>/dev/null
    rm -f "$OUT/cubecl-$GPU-ptx.tgz."*
    tar czf "$W/ptx.tgz" -C "$W/caches/main" cuda 2>/dev/null
    if [ "$(stat -c %s "$W/ptx.tgz")" -le 60000000 ]; then
        split -b 15000000 -d -a 1 "$W/ptx.tgz" "$OUT/cubecl-$GPU-ptx.tgz."
    else
        say "PTX cache: $(stat -c %s "$W/ptx.tgz") bytes compressed, too large to return"
    fi
    say "caches: $(du -sb "$W/caches/main" | cut -f1) bytes, $(shapes) shapes autotuned in all"
}
# An earlier run's caches on this kind of GPU (carried as gpu-bins/cubecl-$GPU-*) seed this one's.
if [ ! -e "$W/seeded" ]; then
    T="$ROOT/gpu-bins/cubecl-$GPU-tune.tgz"
    [ -f "$T" ] && tar xzf "$T" -C "$W/caches/main" && say "seeded autotune results from $T"
    ls "$ROOT/gpu-bins/cubecl-$GPU-ptx.tgz."* >/dev/null 2>&1 \
        && cat "$ROOT/gpu-bins/cubecl-$GPU-ptx.tgz."* | tar xz -C "$W/caches/main" && say "seeded PTX"
    touch "$W/seeded"
fi

# step NAME LIMIT DIR CMD...: run CMD in DIR with at most LIMIT seconds (less near the deadline);
# a step that already ran to its end in an earlier phase or call on this machine is not repeated.
step() {
    local name=$1 limit=$2 dir=$3
    shift 3
    local l t0 rc before
    if [ -e "$LOGS/B_$name.done" ]; then
        say "== $name: done earlier on this machine"
        return
    fi
    l=$(left)
    if [ "$l" -lt 15 ]; then
        say "== $name: skipped (deadline)"
        return
    fi
    [ "$limit" -gt "$l" ] && limit=$l
    t0=$(date +%s)
    before=$(shapes)
    # The GPU memory in use, sampled every second while the step runs: its peak bounds the batch.
    (while sleep 1; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | head -1; done) >"$LOGS/B_$name.mem" &
    local sampler=$!
    (cd "$dir" && timeout "$limit" "$@" >"$LOGS/B_$name.log" 2>"$LOGS/B_$name.err")
    rc=$?
    kill "$sampler" 2>/dev/null
    wait "$sampler" 2>/dev/null
    [ "$rc" -eq 0 ] && touch "$LOGS/B_$name.done"
    local peak
    peak=$(sort -n "$LOGS/B_$name.mem" | tail -1)
    say "== $name: rc $rc, $(($(date +%s) - t0)) s, $(($(shapes) - before)) shapes newly autotuned, peak GPU memory ${peak:-?} MiB"
    grep -E "^(backend|loss|train_step_s|train_images_per_s|infer_s|infer_images_per_s|check_)" "$LOGS/B_$name.log" \
        | sed "s/^/$name /" | tee -a "$OUT/summary.txt"
    if [ "$rc" -ne 0 ]; then
        # Stopped before its summary: the steps it did finish (the first is the warm-up).
        grep -E "^(train step|inference) [0-9]+:" "$LOGS/B_$name.err" | sed -n '1p;$p' | sed "s/^/$name /" | tee -a "$OUT/summary.txt"
        tail -3 "$LOGS/B_$name.err" | cut -c1-300 | sed "s/^/$name err: /" | tee -a "$OUT/summary.txt"
    fi
    pack
    return 0
}
# ---- Phase U: the untuned build beside PyTorch, one process at a time ---------------------------
TS="$PY $ROOT/bench/bagnet/torch_step.py --arch bagnet33 --size 224 --device cuda"
if [[ $PHASES == *U* ]]; then
    if [ -x "$BIN/step_bench-untuned" ]; then
        SU="$BIN/step_bench-untuned --arch bagnet33 --size 224 --device cuda"
        U=$(cache_dir U "$W/caches/untuned")
        step torch_f32_b16 40 "$W" $TS --batch 16 --reps 20
        step untuned_f32_b16 200 "$U" $SU --batch 16 --reps 20
        step untuned_check_f32_b16 90 "$U" $SU --batch 16 --reps 1 --check
        step torch_f32_b128 40 "$W" $TS --batch 128 --reps 10
        step untuned_f32_b128 120 "$U" $SU --batch 128 --reps 10
        C=$(cache_dir cli_untuned "$W/caches/untuned")
        step cli_untuned 240 "$C" env BIN="$BIN" EXE="$BIN/dimorph-untuned" PY="$PY" bash "$ROOT/bench/bagnet/gpu_cli.sh" "$W/cli-untuned-work"
        cat "$LOGS/B_cli_untuned.log" >>"$OUT/summary.txt" 2>/dev/null
        cp "$W/cli-untuned-work/train.err" "$LOGS/cli-untuned-train.err" 2>/dev/null
        step torch_bf16_b16 40 "$W" $TS --batch 16 --reps 20 --precision bf16
        step untuned_bf16_b16 100 "$U" $SU --batch 16 --reps 20 --precision bf16
        say "== phase U done at $(now) s"
        pack
    else
        say "== phase U: no $BIN/step_bench-untuned (bench/bagnet/gpu_build.sh builds it)"
    fi
fi

# ---- Phase A: warm-up, in parallel --------------------------------------------------------------
SB="$BIN/step_bench --arch bagnet33 --size 224 --device cuda"
# warm NAME PARTS ARGS...: PARTS processes `step_bench ARGS --warm-part K/PARTS`, in the background.
PIDS=()
warm() {
    local name=$1 n=$2 k d
    shift 2
    for ((k = 0; k < n; k++)); do
        d=$(cache_dir "A_${name}_$k")
        (cd "$d" && exec timeout "$WL" $SB "$@" --warm-part "$k/$n" >"$LOGS/A_${name}_$k.log" 2>"$LOGS/A_${name}_$k.err") &
        PIDS+=($!)
    done
}
if [[ $PHASES == *A* ]]; then
    # WARM seconds from the phase's start (after phase U, when both run), within the budget.
    WL=$WARM
    [ "$WL" -gt $(($(left) - 20)) ] && WL=$(($(left) - 20))
    [ "$WL" -lt 10 ] && WL=10
    A0=$(now)
    # 16 processes for 16 cores: batch 16 (the paper's) in f32, one process for each of BagNet's 10
    # distinct parts, and three each for batch 128 in f32 and batch 16 in bf16.
    warm f32_b16 10 --batch 16
    warm f32_b128 3 --batch 128
    warm bf16_b16 3 --batch 16 --precision bf16
    say "== phase A: ${#PIDS[@]} processes started at $(now) s"
    while :; do
        sleep 20
        running=0
        for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
        echo "-- $(now) s: $running running, $(shapes) shapes autotuned, GPU memory used $(nvidia-smi --query-gpu=memory.used --format=csv,noheader), cache $(du -sb "$W/caches/main" | cut -f1) bytes" >>"$OUT/progress.txt"
        pack
        [ "$running" = 0 ] && break
        [ "$(now)" -ge $((A0 + WL)) ] && break
    done
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait
    for f in "$LOGS"/A_*.log; do
        if grep -q '^warm_part' "$f"; then
            say "$(basename "$f" .log): $(grep '^warm_part' "$f")"
        else
            say "$(basename "$f" .log): stopped; last: $(tail -1 "${f%.log}.err" | cut -c1-120)"
        fi
    done
    say "== phase A done at $(now) s: $(shapes) shapes autotuned"
    pack
    save_caches
fi

# ---- Phase P: where the time goes, one training step and forward of each ----------------------
# Ours from the warm cache with CubeCL's profiling logger (each kernel timed on the device, one at a
# time, so the step itself is slower), summed per kernel by profile_summary.py; PyTorch's step under
# torch.profiler. Both at batch 16 in f32.
if [[ $PHASES == *P* ]]; then
    P=$(cache_dir P)
    printf '\n[profiling]\nlogger = { level = "basic", file = "%s" }\n' "$W/P/profile.log" >>"$P/cubecl.toml"
    step profile_ours_f32_b16 150 "$P" $SB --batch 16 --reps 1
    # The log holds the warm-up and one timed training step and two forwards: 2 runs of each.
    $PY "$ROOT/bench/bagnet/profile_summary.py" "$W/P/profile.log" --runs 2 >"$OUT/profile-ours-f32-b16.txt" 2>&1
    head -25 "$OUT/profile-ours-f32-b16.txt" | tee -a "$OUT/summary.txt"
    step profile_torch_f32_b16 60 "$W" $TS --batch 16 --reps 3 --profile "$OUT/profile-torch-f32-b16.txt"
    head -30 "$OUT/profile-torch-f32-b16.txt" >>"$OUT/summary.txt" 2>/dev/null
    L=$(cache_dir L)
    step layers_ours_f32_b16 60 "$L" $SB --batch 16 --reps 3 --layers
    grep -E "^(train_stem|train_layer|layer)" "$LOGS/B_layers_ours_f32_b16.log" | tee -a "$OUT/summary.txt"
    say "== phase P done at $(now) s"
    pack
fi

if [[ $PHASES == *B* ]]; then
    B=$(cache_dir B)
    step torch_f32_b16 40 "$W" $TS --batch 16 --reps 20
    step ours_f32_b16 100 "$B" $SB --batch 16 --reps 20
    # An earlier build beside this one (gpu-bins/step_bench-prev.xz), same cache: what a change did.
    if [ -x "$BIN/step_bench-prev" ]; then
        step prev_f32_b16 100 "$B" "$BIN/step_bench-prev" --arch bagnet33 --size 224 --device cuda --batch 16 --reps 20
    fi
    step torch_f32_b128 40 "$W" $TS --batch 128 --reps 10
    step ours_f32_b128 80 "$B" $SB --batch 128 --reps 10
    step torch_ampbf16_b16 40 "$W" $TS --batch 16 --reps 20 --precision amp-bf16
    step torch_bf16_b16 40 "$W" $TS --batch 16 --reps 20 --precision bf16
    step ours_bf16_b16 80 "$B" $SB --batch 16 --reps 20 --precision bf16
    step check_f32_b16 80 "$B" $SB --batch 16 --reps 1 --check
    C=$(cache_dir cli)
    step cli 300 "$C" env BIN="$BIN" PY="$PY" bash "$ROOT/bench/bagnet/gpu_cli.sh" "$W/cli-work"
    cat "$LOGS/B_cli.log" >>"$OUT/summary.txt" 2>/dev/null
    cp "$W/cli-work/train.err" "$LOGS/cli-train.err" 2>/dev/null
    # burn's fusion (elementwise chains as one kernel): its fused kernels compile and tune here.
    step ours_fused_f32_b16 150 "$B" $SB --batch 16 --reps 20 --fusion on
    # The largest batch: the untuned build (no tuning per new shape) and PyTorch at 512.
    if [ -x "$BIN/step_bench-untuned" ]; then
        U=$(cache_dir U "$W/caches/untuned")
        step untuned_f32_b512 150 "$U" $BIN/step_bench-untuned --arch bagnet33 --size 224 --device cuda --batch 512 --reps 1
    fi
    step torch_f32_b512 60 "$W" $TS --batch 512 --reps 2
    say "total $(now) s"
    pack
    save_caches
fi
