#!/usr/bin/env bash
# Times `dimorph glm --family ordinal|multinomial` against MASS::polr and nnet::multinom (R, same
# machine, same run) on N seeded rows (4 numeric predictors, a 4-level factor, 5 response levels),
# and prints the ratios and the log-likelihoods of both. Run from the repository root:
#   bash bench/glm_ordinal.sh [N]        (default N = 200000; SKIP_BUILD=1 uses target/release as built)
set -euo pipefail
N=${1:-200000}
TMP=$(mktemp -d /tmp/glm_ordinal_bench.XXXX)
trap 'rm -rf "$TMP"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p dimorph   # SKIP_BUILD=1: use the existing binary
BIN=target/release/dimorph
Rscript -e "set.seed(7); n <- $N; x <- matrix(rnorm(4 * n), n); g <- sample(letters[1:4], n, TRUE);
  lat <- x %*% c(0.5, -0.3, 0.2, 0.1) + c(a = 0, b = 0.3, c = -0.2, d = 0.5)[g] + rlogis(n);
  y <- as.integer(cut(lat, c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf)));
  write.csv(data.frame(y = y, x1 = round(x[, 1], 6), x2 = round(x[, 2], 6), x3 = round(x[, 3], 6),
    x4 = round(x[, 4], 6), g = g), '$TMP/d.csv', row.names = FALSE, quote = FALSE)"
F='y ~ x1 + x2 + x3 + x4 + g'
secs() { local s e; s=$(date +%s.%N); "$@" > "$TMP/out.json"; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
t_ord=$(secs "$BIN" glm --data "$TMP/d.csv" "$F" --family ordinal --format json)
ll_ord=$(python3 -c "import json;print(json.load(open('$TMP/out.json'))['result']['loglik'])")
t_mn=$(secs "$BIN" glm --data "$TMP/d.csv" "$F" --family multinomial --format json)
ll_mn=$(python3 -c "import json;print(json.load(open('$TMP/out.json'))['result']['loglik'])")
R=$(Rscript bench/glm_ordinal.R "$TMP/d.csv")
echo "$R"
t_polr=$(echo "$R" | awk '/^polr/ {print $2}')
t_mult=$(echo "$R" | awk '/^multinom/ {print $2}')
printf 'N = %s rows\n' "$N"
printf 'ordinal:     dimorph %.3f s (logLik %.6f), polr %.3f s: %.1fx\n' "$t_ord" "$ll_ord" "$t_polr" "$(echo "$t_polr / $t_ord" | bc -l)"
printf 'multinomial: dimorph %.3f s (logLik %.6f), multinom %.3f s: %.1fx\n' "$t_mn" "$ll_mn" "$t_mult" "$(echo "$t_mult / $t_mn" | bc -l)"
