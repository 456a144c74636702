#!/usr/bin/env python3
"""Prints the Rust GLM fit times (RESULT lines of the `bench` example) beside the peers'
(bench_results.json of glm_peers.py bench), with the ratio Rust / peer.

  python3 compare.py bench-data/bench_results.json bench-data/rust_bench.txt
"""
import json
import sys


def main(peers_path, rust_path):
    peers = json.load(open(peers_path))
    rust = {}
    for line in open(rust_path):
        if line.startswith("RESULT "):
            r = json.loads(line[len("RESULT "):])
            rust[r["model"]] = r
    m = peers.get("machine", {})
    print(f"\npeers: python {m.get('python')}, numpy {m.get('numpy')}, statsmodels {m.get('statsmodels')}, "
          f"glum {m.get('glum')}, scikit-learn {m.get('sklearn')}; {m.get('cpus')} CPUs; median of {peers.get('reps')}")
    for model in ("logistic", "poisson"):
        runs = [r for r in peers["runs"] if r["model"] == model]
        if model not in rust or not runs:
            print(f"{model}: missing ({'no Rust result' if model not in rust else 'no peer runs'})")
            continue
        r = rust[model]
        print(f"\n{model}: Rust fit {r['fit_s']:.3f} s ({r['iterations']} IRLS iterations); "
              f"read CSV {r['read_csv_s']:.3f} s, Parquet {r['read_parquet_s']:.3f} s, model frame {r['model_frame_s']:.3f} s")
        print(f"  {'peer':48s} {'median s':>9s} {'iters':>6s} {'Rust/peer':>10s}")
        for p in sorted(runs, key=lambda p: p["median_s"]):
            print(f"  {p['peer']:48s} {p['median_s']:9.3f} {str(p['iterations']):>6s} {r['fit_s'] / p['median_s']:10.2f}")
        best = min(runs, key=lambda p: p["median_s"])
        print(f"  fastest peer: {best['peer']} {best['median_s']:.3f} s -> Rust/fastest = {r['fit_s'] / best['median_s']:.2f}")
        sm = [p for p in runs if p["peer"].startswith("statsmodels")]
        if sm:
            print(f"  statsmodels (same algorithm, IRLS to 1e-8): {sm[0]['median_s']:.3f} s -> Rust/statsmodels = "
                  f"{r['fit_s'] / sm[0]['median_s']:.2f}")
        # the build machine is shared: the minimum of the repetitions is the least disturbed time
        rmin = min(r.get("fit_times_s", [r["fit_s"]]))
        print(f"  minimum of the repetitions (Rust {rmin:.3f} s): peer/Rust speed-up")
        for p in sorted(runs, key=lambda p: min(p["times_s"])):
            print(f"    {p['peer']:46s} {min(p['times_s']):9.3f} s  {min(p['times_s']) / rmin:6.2f}x")
        if "max_rel_coef_diff_vs_reference" in r:
            print(f"  agreement with the exact MLE (bench_reference.json): max |rel diff| coef "
                  f"{r['max_rel_coef_diff_vs_reference']:.2e}, se {r['max_rel_se_diff_vs_reference']:.2e}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
