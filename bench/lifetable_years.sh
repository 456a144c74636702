#!/usr/bin/env bash
# Benchmark of intervals over many years: ONE dimorph call
#   dimorph lifetable --hmd data/hmd/USA --years 1933-2019 --ci 0.95 --draws K --seed 1 --out DIR
# (87 years x 2 sexes: HMD v6 tables with Kannisto smoothing, Chiang's se of every e(x), K Poisson
# draws per year of both sexes' deaths with the tables rebuilt, percentile intervals of every
# e(x) and of the female-male gap, the long table, trend tables and figures written) beside the
# same work in base R on 2 cores (bench/lifetable_years.R), on the same machine in the same run;
# prints both times, the ratio, and how far the two long tables agree.
# Causes: `lifetable` has none; the cause file (data/usa_2010_cod.csv) covers 2010 only, so the
# second, dimorph-only timing is `lifelost --years 1933-2019 --causes ...` (all causes every year,
# the 7 groups in 2010) with K-draw intervals of every Table 2 mean; R has no peer of that run here
# (bench/lifelost_peer.R does one pass, no draws).
# Third, the decompositions: ONE call
#   dimorph lifetable decompose --hmd data/hmd/USA --years 1933-2019 --causes data/usa_2010_cod.csv \
#     --ci 0.95 --draws K --seed 1
# (every year's female-male gap in e0 by Arriaga by age, by age x the 7 cause groups in 2010; the line
# integral of Horiuchi et al. at 50 steps for e0, e-dagger, Gini, SD; K Poisson draws per year with
# Arriaga's contributions and the measures' differences recomputed) beside the same work in R
# (bench/lifetable_decompose_years.R: base R tables and draws, DemoDecomp::horiuchi, Arriaga in R);
# prints both times, the ratio and how far the yearly gaps and their limits agree.
# Needs R and DemoDecomp: apt-get install -y r-base-core; DemoDecomp is not in Debian: build it from
# github.com/timriffe/DemoDecomp (git archive HEAD | tar -x -C /tmp/dd && R CMD INSTALL /tmp/dd).
# Usage: nice [PART=tables|decompose] bench/lifetable_years.sh [K=1000] [SMOOTH=0 for --no-smooth on both sides]
# (SMOOTH applies to the first two timings; the decomposition bench always smooths, as its R peer)
set -euo pipefail
cd "$(dirname "$0")/.."
K="${1:-1000}"
SMOOTH="${SMOOTH:-1}"
PART="${PART:-all}"  # all | tables (the first two timings) | decompose (the third)
command -v Rscript >/dev/null || { echo "R is needed: apt-get install -y r-base-core" >&2; exit 2; }
Rscript -e 'suppressMessages(library(DemoDecomp))' >/dev/null 2>&1 || {
  echo "the R package DemoDecomp is needed (not in Debian): fetch github.com/timriffe/DemoDecomp, then" >&2
  echo "  git archive HEAD | tar -x -C /tmp/dd && R CMD INSTALL /tmp/dd" >&2
  exit 2
}
cargo build --release -q -p dimorph --no-default-features
BIN=target/release/dimorph
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
FLAGS=()
[ "$SMOOTH" = 0 ] && FLAGS=(--no-smooth)
now() { date +%s.%N; }
t0=0 t1=0 t2=0 t3=$(now)
if [ "$PART" != decompose ]; then
t0=$(now)
"$BIN" lifetable --hmd data/hmd/USA --years 1933-2019 --ci 0.95 --draws "$K" --seed 1 --threads 2 \
  "${FLAGS[@]}" --out "$T/dimorph" --format csv >/dev/null
t1=$(now)
SMOOTH="$SMOOTH" Rscript bench/lifetable_years.R "$K" 1 "$T/r.csv"
t2=$(now)
"$BIN" lifelost --hmd data/hmd/USA --years 1933-2019 --causes data/usa_2010_cod.csv --ci 0.95 --draws "$K" \
  --seed 1 --threads 2 "${FLAGS[@]}" --out "$T/lifelost" --format csv >/dev/null 2>"$T/lifelost.err"
t3=$(now)
fi
if [ "$PART" != tables ]; then
"$BIN" lifetable decompose --hmd data/hmd/USA --years 1933-2019 --causes data/usa_2010_cod.csv --ci 0.95 \
  --draws "$K" --seed 1 --threads 2 --out "$T/decompose" --format csv >/dev/null 2>"$T/decompose.err"
t4=$(now)
Rscript bench/lifetable_decompose_years.R "$K" 1 "$T/r_decompose.csv"
t5=$(now)
else t4=$t3 t5=$t3
fi
python3 - "$T" "$t0" "$t1" "$t2" "$t3" "$K" "$t4" "$t5" <<'PYEOF'
import csv, sys
T, t0, t1, t2, t3, K = sys.argv[1], *map(float, sys.argv[2:6]), sys.argv[6]
t4, t5 = map(float, sys.argv[7:9])
import os
def tables_part():
  d, r = t1 - t0, t2 - t1
  print(f"dimorph lifetable --years 1933-2019 (87 years x 2 sexes), {K} draws: {d:.2f} s (wall, 2 threads)")
  print(f"base R, the same work on 2 cores:                               {r:.2f} s (wall, incl. R start)")
  print(f"ratio R / dimorph: {r / d:.1f}x")
  ours = {(x['year'], x['sex'], x['age']): x for x in csv.DictReader(open(f"{T}/dimorph/lifetable_years.csv"))}
  peer = list(csv.DictReader(open(f"{T}/r.csv")))
  def worst(col, ages=None):
      return max(abs(float(ours[(p['year'], p['sex'], p['age'])][col]) - float(p[col]))
                 for p in peer if ages is None or int(p['age']) in ages)
  print(f"agreement over {len(peer)} rows: e(x) max |diff| {worst('ex'):.2e}; Chiang se {worst('ex_chiang_se'):.2e}; "
        f"simulated limits at ages 0-80 {max(worst('ex_sim_lower', range(81)), worst('ex_sim_upper', range(81))):.3f} years "
        f"(independent draws: they differ by sampling error)")
  print(f"dimorph lifelost --years 1933-2019 --causes (2010: 7 groups), {K} draws of Table 2: {t3 - t2:.2f} s (no R peer)")
if os.path.exists(f"{T}/dimorph/lifetable_years.csv"):
  tables_part()
def decompose_part():
  dd, rd = t4 - t3, t5 - t4
  print(f"dimorph lifetable decompose --years 1933-2019 --causes, {K} draws: {dd:.2f} s (wall, 2 threads)")
  print(f"R (base R + DemoDecomp::horiuchi), the same work on 2 cores:   {rd:.2f} s (wall, incl. R start)")
  print(f"ratio R / dimorph: {rd / dd:.1f}x")
  ours = {x['year']: x for x in csv.DictReader(open(f"{T}/decompose/decomposition_summary_years.csv"))
          if x['method'] == 'arriaga'}
  peer = list(csv.DictReader(open(f"{T}/r_decompose.csv")))
  gap = max(abs(float(ours[p['year']]['difference']) - float(p['gap'])) for p in peer)
  lim = max(max(abs(float(ours[p['year']]['difference_ci_lower']) - float(p['lower'])),
                abs(float(ours[p['year']]['difference_ci_upper']) - float(p['upper']))) for p in peer)
  print(f"agreement over {len(peer)} years: Arriaga's gap max |diff| {gap:.2e} years; simulated limits {lim:.3f} years "
        f"(independent draws)")
if os.path.exists(f"{T}/r_decompose.csv"):
  decompose_part()
PYEOF
