#!/usr/bin/env python3
"""Summary of bench/glm/alternate.sh: for each model the minimum over all repetitions of every
peer (peers*/bench_results.json) and of the two Rust binaries (old_*.txt, new_*.txt: RESULT
lines of glm_bench), and the speed-up peer time / Rust time beside every peer.

  python3 summarise.py OUT_DIR
"""
import glob
import json
import os
import sys


def rust_min(paths, model):
    times, iters, agree = [], set(), []
    for path in paths:
        for line in open(path):
            if line.startswith("RESULT "):
                r = json.loads(line[len("RESULT "):])
                if r["model"] == model:
                    times += r["fit_times_s"]
                    iters.add(r["iterations"])
                    agree.append(r.get("max_rel_coef_diff_vs_reference", float("nan")))
    return (min(times) if times else float("nan")), len(times), sorted(iters), max(agree, default=float("nan"))


def main(out):
    peers = {}
    for path in sorted(glob.glob(os.path.join(out, "peers*", "bench_results.json"))):
        for r in json.load(open(path))["runs"]:
            peers.setdefault((r["model"], r["peer"]), []).extend(r["times_s"])
    old = sorted(glob.glob(os.path.join(out, "old_*.txt")))
    new = sorted(glob.glob(os.path.join(out, "new_*.txt")))
    print(f"load: {' | '.join(l.strip().split('load average:')[-1] for l in open(os.path.join(out, 'load.txt')))}")
    for model in ("logistic", "poisson"):
        (tn, nn, itn, an), (to, no, ito, ao) = rust_min(new, model), rust_min(old, model)
        print(f"\n{model}: Rust new {tn:.3f} s (min of {nn} fits, iterations {itn}, max rel coef diff vs "
              f"reference {an:.1e}); Rust old {to:.3f} s (min of {no}, iterations {ito}, {ao:.1e})")
        print(f"  {'peer':46s} {'min s':>7s} {'reps':>5s} {'peer/new':>9s} {'peer/old':>9s}")
        rows = sorted(((min(ts), len(ts), p) for (m, p), ts in peers.items() if m == model))
        for t, k, p in rows:
            print(f"  {p:46s} {t:7.3f} {k:5d} {t / tn:8.2f}x {t / to:8.2f}x")
        if rows:
            t, _, p = rows[0]
            print(f"  fastest peer: {p} {t:.3f} s -> new {t / tn:.2f}x, old {t / to:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1])
