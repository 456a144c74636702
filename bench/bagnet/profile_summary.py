"""Where the GPU time of our CUDA build goes: reads the kernel lines that CubeCL's profiling logger
writes (`[profiling] logger = { level = "basic", file = ... }` in cubecl.toml: one line
`| <duration> | <kernel name>` per kernel launch, timed on the device) and prints the total time,
the kernels by total time, and the total per kernel family (the name without its type arguments).

    python3 bench/bagnet/profile_summary.py PROFILE_LOG [--top 40] [--runs N]

--runs divides every total by N, so that the figures read per run: gpu_run.sh (phase P) profiles
`step_bench --reps 1`, whose log holds two training steps and two inference forwards (the warm-up
and the timed one of each), so there a run is one training step plus one forward. CubeCL's summary
tables (written at each synchronisation) start with a kernel name, not a duration, and are skipped.
"""
import argparse
import collections
import re
import sys

UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
LINE = re.compile(r"^\|\s*([0-9.]+)(ns|µs|us|ms|s)\s*\|\s*(.+?)\s*$")


def family(name):
    """`a::b::kernel<f32, X>` -> `a::b::kernel`."""
    return name.split("<", 1)[0].strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--runs", type=float, default=1.0)
    a = p.parse_args()
    total = collections.Counter()
    count = collections.Counter()
    fam_total = collections.Counter()
    fam_count = collections.Counter()
    lines = 0
    with open(a.log, encoding="utf-8", errors="replace") as f:
        for raw in f:
            m = LINE.match(raw)
            if not m:
                continue
            lines += 1
            t = float(m.group(1)) * UNITS[m.group(2)]
            name = m.group(3)
            total[name] += t
            count[name] += 1
            fam_total[family(name)] += t
            fam_count[family(name)] += 1
    if not lines:
        sys.exit(f"{a.log}: no kernel lines (is [profiling] logger level basic?)")
    grand = sum(total.values())
    r = a.runs
    print(f"kernels {lines} launches, {grand / r * 1e3:.2f} ms device time per run ({r:g} runs in the log)")
    print(f"\n{'ms/run':>9} {'share':>6} {'calls/run':>9}  kernel family")
    for name, t in fam_total.most_common():
        print(f"{t / r * 1e3:9.3f} {t / grand:6.1%} {fam_count[name] / r:9.1f}  {name}")
    print(f"\n{'ms/run':>9} {'share':>6} {'calls/run':>9}  kernel (top {a.top})")
    for name, t in total.most_common(a.top):
        print(f"{t / r * 1e3:9.3f} {t / grand:6.1%} {count[name] / r:9.1f}  {name[:200]}")


if __name__ == "__main__":
    main()
