#!/usr/bin/env bash
# Tweedie fit speed: dimorph glm --family tweedie(1.5) against R's glm with
# statmod::tweedie(var.power = 1.5, link.power = 0) on the same seeded compound Poisson-gamma data
# (N rows, 5 covariates and a 4-level factor), same machine, same run; prints both wall times,
# the ratio and the largest coefficient difference. Needs a release build (cargo build --release
# -p dimorph) and R with statmod. Usage: bench/glm_tweedie.sh [N]   (default 500000)
set -euo pipefail
N=${1:-500000}
DIR=$(mktemp -d /tmp/glm_tweedie.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
BIN=${DIMORPH:-target/release/dimorph}
Rscript - "$N" "$DIR" <<'R'
args <- commandArgs(TRUE); n <- as.integer(args[1]); dir <- args[2]
set.seed(7)
X <- matrix(round(rnorm(n * 5), 4), n, 5, dimnames = list(NULL, paste0("x", 1:5)))
g <- sample(c("a", "b", "c", "d"), n, replace = TRUE)
mu <- exp(0.5 + X %*% c(0.3, -0.2, 0.1, 0.05, 0) + c(a = 0, b = 0.2, c = -0.1, d = 0.3)[g])
p <- 1.5; phi <- 2
lambda <- mu^(2 - p) / (phi * (2 - p)); alpha <- (2 - p) / (p - 1); beta <- phi * (p - 1) * mu^(p - 1)
N <- rpois(n, lambda)
y <- ifelse(N == 0, 0, rgamma(n, shape = pmax(N, 1) * alpha, scale = beta))
write.csv(data.frame(y = round(y, 5), X, g = g), file.path(dir, "d.csv"), row.names = FALSE)
R
Rscript - "$DIR" <<'R'
library(statmod)
dir <- commandArgs(TRUE)[1]
d <- read.csv(file.path(dir, "d.csv"))
t <- system.time(m <- glm(y ~ x1 + x2 + x3 + x4 + x5 + g, family = tweedie(1.5, 0), data = d,
                          control = glm.control(epsilon = 1e-10, maxit = 100)))
s <- summary(m)
cat(sprintf("R glm+statmod: %.2f s\n", t[["elapsed"]]))
write.csv(data.frame(term = names(coef(m)), estimate = coef(m)), file.path(dir, "r.csv"), row.names = FALSE)
R
START=$(date +%s.%N)
"$BIN" glm --data "$DIR/d.csv" 'y ~ x1 + x2 + x3 + x4 + x5 + g' --family 'tweedie(1.5)' --tol 1e-10 \
  --no-profile --no-type3 --format csv --quiet > "$DIR/ours.csv" 2>/dev/null
END=$(date +%s.%N)
echo "dimorph: $(echo "$END - $START" | bc) s (includes reading the CSV)"
python3 - "$DIR" <<'PY'
import csv, sys
d = sys.argv[1]
r = {row["term"]: float(row["estimate"]) for row in csv.DictReader(open(f"{d}/r.csv"))}
o = {row["term"]: float(row["estimate"]) for row in csv.DictReader(open(f"{d}/ours.csv"))}
print("largest coefficient difference:", max(abs(o[k] - r[k]) for k in r))
PY
