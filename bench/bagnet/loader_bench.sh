#!/usr/bin/env bash
# BagNet loader benchmark: N seeded SIDE-px JPEGs (default 10,000 of 224 px) through our loader
# (cargo example `loader_bench` of dimorph-bagnet: decode, crop-fit, cache write on WORKERS threads,
# then every image streamed as normalised batches) — a first pass into an empty cache and a second,
# cached pass — beside a PyTorch DataLoader (bench/bagnet/loader_torch.py: PIL decode, resize, to
# tensor, normalise; num_workers WORKERS, no torchvision) on the same files in the same run, each
# under /usr/bin/time -v for the peak resident memory. Prints images/s, peak RSS and the ratios.
#   - the images go to bench-data/bagnet-loader/ (gitignored) and are deleted at the end (KEEP=1
#     keeps them); the generator is seeded (SEED), so the same command rebuilds them;
#   - PyTorch comes from bench/.venv-torch (bench/bagnet/setup.sh; PY=/path/to/python for another
#     interpreter); without it only our side runs, and the table says so;
#   - BENCH_LOCK=/path/to/lock runs each side under `flock` (a lock shared with other jobs).
# Usage: [N=10000] [SIDE=224] [WORKERS=2] [BATCH=16] [SEED=1] bench/bagnet/loader_bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
n="${N:-10000}"; side="${SIDE:-224}"; workers="${WORKERS:-2}"; batch="${BATCH:-16}"; seed="${SEED:-1}"
py="${PY:-bench/.venv-torch/bin/python}"
data="bench-data/bagnet-loader"
out="bench-data/bagnet-loader-out"
cargo build --release -q -p dimorph-bagnet --example loader_bench
bin=target/release/examples/loader_bench
rm -rf "$data" "$out"
mkdir -p "$data" "$out"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$data"; }
trap cleanup EXIT
echo "generating $n ${side}-px JPEGs (seed $seed) in $data" >&2
"$bin" generate "$data" "$n" "$seed" "$side"
du -sh "$data/img" >&2
timed=(/usr/bin/time -v)
lock=()
[ -n "${BENCH_LOCK:-}" ] && lock=(flock "$BENCH_LOCK")
run() { # name, command...
    local name="$1"; shift
    "${lock[@]}" nice "${timed[@]}" "$@" >"$out/$name.txt" 2>"$out/$name.err" || { cat "$out/$name.err" >&2; return 1; }
}
run first "$bin" pass "$data" "$data/cache" "$workers" "$side" "$batch"
run cached "$bin" pass "$data" "$data/cache" "$workers" "$side" "$batch"
du -sh "$data/cache" | tee "$out/cache_size.txt" >&2
have_torch=0
if [ -x "$py" ] && "$py" -c 'import torch, PIL' 2>/dev/null; then
    have_torch=1
    run torch "$py" bench/bagnet/loader_torch.py "$data" "$workers" "$side" "$batch"
fi
python3 - "$out" "$have_torch" "$n" "$side" "$workers" "$batch" "$(nproc)" <<'PY'
import re, sys
out, have_torch, n, side, workers, batch, cores = sys.argv[1:]
def read(name):
    kv = {}
    for line in open(f"{out}/{name}.txt"):
        k, _, v = line.strip().partition(" ")
        kv[k] = v
    err = open(f"{out}/{name}.err").read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    kv["peak_mb"] = int(m.group(1)) / 1024 if m else float("nan")
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", err)
    kv["wall_s"] = (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) if m else float("nan")
    return kv
first, cached = read("first"), read("cached")
print(f"Loader benchmark: {n} JPEGs of {side} px, batches of {batch}, {workers} loader workers, {cores} cores")
print(f"cache folder: {open(f'{out}/cache_size.txt').read().split()[0]}")
print(f"{'pass':34} {'images/s':>10} {'wall s':>8} {'peak RSS MB':>12}")
def row(label, rate, wall, peak):
    print(f"{label:34} {rate:>10.1f} {wall:>8.2f} {peak:>12.1f}")
n = int(n)
row("ours, first pass (decode+cache)", n / float(first["wall_s"]), float(first["wall_s"]), first["peak_mb"])
print(f"  open {first['open_s']} s ({first['open_images_per_s']} images/s), stream {first['stream_s']} s ({first['stream_images_per_s']} images/s), decoded {first['decoded']}")
row("ours, cached pass", n / float(cached["wall_s"]), float(cached["wall_s"]), cached["peak_mb"])
print(f"  open {cached['open_s']} s, stream {cached['stream_s']} s ({cached['stream_images_per_s']} images/s), cache hits {cached['cache_hits']}")
if have_torch == "1":
    t = read("torch")
    row(f"PyTorch DataLoader ({t.get('torch', '?')})", n / float(t["wall_s"]), float(t["wall_s"]), t["peak_mb"])
    print(f"  loop {t['stream_s']} s ({t['stream_images_per_s']} images/s, without interpreter start-up)")
    print(f"ratio first pass / PyTorch (images/s, whole process): {float(t['wall_s']) / float(first['wall_s']):.2f}x")
    print(f"ratio cached pass / PyTorch (images/s, whole process): {float(t['wall_s']) / float(cached['wall_s']):.2f}x")
    print(f"ratio peak RSS ours cached / PyTorch: {cached['peak_mb'] / t['peak_mb']:.2f}")
else:
    print("PyTorch: not installed (bench/bagnet/setup.sh creates bench/.venv-torch); no ratio")
PY
