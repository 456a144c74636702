#!/usr/bin/env bash
# BagNet CPU speed benchmark: one SGD training step (forward, BCE-with-logits, backward, update) and
# one inference forward of BagNet-33 on a random batch, ours (burn 0.21 Autodiff<Flex>, cargo example
# `step_bench` of dimorph-bagnet) beside PyTorch CPU (bench/bagnet/torch_step.py) in the same run, with
# all cores each, one after the other. Prints seconds per step, CPU seconds, peak memory and the ratio.
#   1. creates bench/.venv-torch (bench/bagnet/setup.sh) if missing;
#   2. builds the example in release mode;
#   3. runs both (median of REPS after one warm-up), under `flock $BENCH_LOCK` when BENCH_LOCK is set
#      (a lock file shared with other jobs on the machine), each under /usr/bin/time -v when present;
#   4. writes the raw outputs to bench-data/bagnet/ (gitignored) and prints the table.
# PY=/path/to/python uses an existing interpreter with torch instead of bench/.venv-torch.
# Usage: [ARCH=bagnet33] [BATCH=8] [SIZE=224] [REPS=3] [BENCH_LOCK=/path/to/lock] bench/bagnet/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
arch="${ARCH:-bagnet33}"; batch="${BATCH:-8}"; size="${SIZE:-224}"; reps="${REPS:-3}"
py="${PY:-bench/.venv-torch/bin/python}"
[ -x "$py" ] || bench/bagnet/setup.sh
cargo build --release -q -p dimorph-bagnet --example step_bench
out="bench-data/bagnet"
mkdir -p "$out"
args=(--arch "$arch" --batch "$batch" --size "$size" --reps "$reps")
timed=()
[ -x /usr/bin/time ] && timed=(/usr/bin/time -v)
lock=()
[ -n "${BENCH_LOCK:-}" ] && lock=(flock "$BENCH_LOCK")
echo "BagNet CPU benchmark: $arch, batch $batch, ${size}x${size}, median of $reps after a warm-up ($(nproc) cores)" >&2
"${lock[@]}" "${timed[@]}" target/release/examples/step_bench "${args[@]}" >"$out/ours.txt" 2>"$out/ours.err"
"${lock[@]}" "${timed[@]}" "$py" bench/bagnet/torch_step.py "${args[@]}" >"$out/torch.txt" 2>"$out/torch.err"
"$py" - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def read(name):
    kv = {}
    for line in open(f"{out}/{name}.txt"):
        k, _, v = line.strip().partition(" ")
        kv[k] = v
    err = open(f"{out}/{name}.err").read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    kv["peak_gb"] = f"{int(m.group(1)) / 1024**2:.2f}" if m else "nan"
    return kv
ours, torch = read("ours"), read("torch")
print(f"ours:    {ours['backend']}")
print(f"PyTorch: {torch['backend']}")
print(f"{'':24}{'ours':>10}{'PyTorch':>10}{'ours/PyTorch':>14}")
for key, label in [("train_step_s", "train step (s)"), ("train_step_cpu_s", "  CPU time (s)"),
                   ("infer_s", "inference (s)"), ("infer_cpu_s", "  CPU time (s)"),
                   ("peak_gb", "peak memory (GB)")]:
    a, b = float(ours[key]), float(torch[key])
    print(f"{label:24}{a:10.2f}{b:10.2f}{a / b:14.2f}")
PY
