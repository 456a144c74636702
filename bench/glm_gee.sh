#!/usr/bin/env bash
# Times `dimorph glm --gee` against R's geepack::geeglm (same machine, same run) on K seeded
# clusters of 5 waves (binary response with a cluster random effect, 5 numeric predictors), for
# the exchangeable and AR(1) working correlations, both to a largest parameter change of 1e-8
# (dimorph --tol 1e-8; geeglm epsilon = 1e-8). dimorph's time is the whole command (read CSV, fit,
# QIC's independence fit, text report); geeglm's includes reading the CSV and QIC() as well.
# Prints the times, the ratio and the largest coefficient difference. Run from the repository root:
#   bash bench/glm_gee.sh [K]      (default K = 20000 clusters = 100,000 rows; SKIP_BUILD=1 uses
#                                   target/release as built)
set -euo pipefail
K=${1:-20000}
TMP=$(mktemp -d /tmp/glm_gee_bench.XXXX)
trap 'rm -rf "$TMP"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p dimorph
BIN=target/release/dimorph
Rscript -e "set.seed(13); K <- $K; n <- 5 * K; id <- rep(1:K, each = 5); wave <- rep(1:5, K);
  x <- matrix(round(rnorm(5 * n), 6), n); u <- rnorm(K)[id];
  eta <- -0.5 + x %*% c(0.4, -0.3, 0.2, 0.1, 0) + 0.2 * wave + 0.8 * u;
  y <- rbinom(n, 1, plogis(eta));
  write.csv(data.frame(id = id, wave = wave, y = y, x1 = x[, 1], x2 = x[, 2], x3 = x[, 3], x4 = x[, 4],
    x5 = x[, 5]), '$TMP/d.csv', row.names = FALSE, quote = FALSE)"
F='y ~ x1 + x2 + x3 + x4 + x5 + wave'
secs() { local s e; s=$(date +%s.%N); "$@" > "$TMP/out.csv"; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
printf 'K = %s clusters x 5 waves = %s rows, %s cores\n' "$K" "$((5 * K))" "$(nproc)"
for c in exchangeable ar1; do
  t_d=$(secs "$BIN" glm --data "$TMP/d.csv" "$F" --family binomial --gee --id id --waves wave --corstr "$c" --format csv)
  cp "$TMP/out.csv" "$TMP/ours_$c.csv"
  R=$(Rscript -e "suppressPackageStartupMessages(library(geepack));
    t <- system.time({ d <- read.csv('$TMP/d.csv');
      g <- geeglm($F, data = d, id = id, waves = wave, family = binomial, corstr = '$c',
                  control = geese.control(epsilon = 1e-8, maxit = 100)); q <- QIC(g) })[['elapsed']];
    ours <- read.csv('$TMP/ours_$c.csv');
    cat(t, max(abs(ours\$estimate - coef(g)) / abs(coef(g))), '\n')")
  t_r=$(echo "$R" | awk '{print $1}')
  diff=$(echo "$R" | awk '{print $2}')
  printf '%-12s dimorph %.3f s, geeglm %.3f s: %.1fx; largest relative coefficient difference %s\n' \
    "$c" "$t_d" "$t_r" "$(echo "$t_r / $t_d" | bc -l)" "$diff"
done
