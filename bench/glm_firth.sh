#!/usr/bin/env bash
# Times `dimorph glm --firth` against R's logistf (default: profile penalised-likelihood intervals
# and tests for every coefficient) on N seeded rows with 10 predictors and rare events, same
# machine, same run (--profile: dimorph leaves profiles out above 500,000 cells unless asked), and prints the ratio and the largest differences of estimates and limits.
# logistf is not in Debian: build it from github.com/georgheinze/logistf (see
# crates/dimorph-glm/tests/peers/firth.R) and point R_LIBS at it. Run from the repository root:
#   R_LIBS=/path/to/lib bash bench/glm_firth.sh [N]   (default N = 5000; SKIP_BUILD=1 uses target/release)
set -euo pipefail
N=${1:-5000}
TMP=$(mktemp -d /tmp/glm_firth_bench.XXXX)
trap 'rm -rf "$TMP"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p dimorph
BIN=target/release/dimorph
Rscript -e "set.seed(11); n <- $N; x <- matrix(rnorm(10 * n), n); colnames(x) <- paste0('x', 1:10);
  eta <- -4 + x %*% c(1, -0.5, 0.5, 0.25, 0, 0, 0.3, -0.3, 0.1, 0); y <- rbinom(n, 1, plogis(eta));
  write.csv(data.frame(y = y, round(x, 6)), '$TMP/d.csv', row.names = FALSE, quote = FALSE)"
F='y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10'
s=$(date +%s.%N); "$BIN" glm --data "$TMP/d.csv" "$F" --firth --profile --format csv > "$TMP/ours.csv"; e=$(date +%s.%N)
t_ours=$(echo "$e - $s" | bc -l)
Rscript -e "suppressMessages(library(logistf)); d <- read.csv('$TMP/d.csv');
  t <- system.time(f <- logistf($F, data = d))[['elapsed']];
  o <- read.csv('$TMP/ours.csv');
  cat(sprintf('logistf %.3f\n', t));
  cat(sprintf('max |estimate diff| %.2e, max |limit diff| %.2e\n', max(abs(o\$estimate - f\$coefficients)),
      max(abs(c(o\$conf_low - f\$ci.lower, o\$conf_high - f\$ci.upper)))))" > "$TMP/r.txt"
cat "$TMP/r.txt"
t_r=$(awk '/^logistf/ {print $2}' "$TMP/r.txt")
printf 'N = %s rows, 11 coefficients: dimorph --firth %.3f s, logistf %.3f s: %.1fx\n' "$N" "$t_ours" "$t_r" "$(echo "$t_r / $t_ours" | bc -l)"
