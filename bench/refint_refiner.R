# Benchmark for `dimorph refint estimate --method refiner` (called by bench/refint_refiner.sh):
# on refineR's five test cases, in one run on one machine, the wall time and the bias against the
# documented truth of dimorph --method refiner, refineR 2.0.0 findRI (NBootstrap = 0), dimorph
# --method reflim and reflimR 1.1.0 reflim(); prints a table and the time ratios.
# Args: path of the dimorph binary, folder of testcaseK.csv.
args <- commandArgs(trailingOnly = TRUE)
bin <- args[1]; dir <- args[2]
suppressPackageStartupMessages({ library(refineR); library(reflimR) })
truth <- list(c(10.2, 29.8), c(59.8, 160), c(9.04, 13), c(10, 50), c(0.25, 4))
dimorph <- function(file, method) {
  t0 <- proc.time()[["elapsed"]]
  out <- system2(bin, c("refint", "estimate", "--data", file, "--value", "value", "--method", method,
                        "--format", "csv"), stdout = TRUE)
  secs <- proc.time()[["elapsed"]] - t0
  d <- read.csv(text = out)
  c(d$estimate[d$limit == "lower"], d$estimate[d$limit == "upper"], secs)
}
timed <- function(expr) { t0 <- proc.time()[["elapsed"]]; v <- expr; c(v, proc.time()[["elapsed"]] - t0) }
rows <- list()
for (k in 1:5) {
  file <- file.path(dir, paste0("testcase", k, ".csv"))
  x <- read.csv(file)$value   # both R peers time the estimate only, not the reading
  tr <- truth[[k]]
  ours <- dimorph(file, "refiner")
  rl <- dimorph(file, "reflim")
  pr <- timed({ f <- findRI(Data = x, NBootstrap = 0); getRI(f, RIperc = c(0.025, 0.975))$PointEst })
  pl <- timed({ r <- reflim(x[x > 0], plot.it = FALSE, print.n = FALSE); as.numeric(r$limits[1:2]) })
  b <- function(v) sprintf("%+.2f/%+.2f", 100 * (v[1] / tr[1] - 1), 100 * (v[2] / tr[2] - 1))
  rows[[k]] <- data.frame(case = k, n = length(x),
    refiner_s = ours[3], refineR_s = pr[3], reflim_s = rl[3], reflimR_s = pl[3],
    ratio_refineR = pr[3] / ours[3],
    bias_refiner = b(ours), bias_refineR = b(pr), bias_reflim = b(rl), bias_reflimR = b(pl),
    mab_refiner = mean(abs(ours[1:2] / tr - 1)), mab_refineR = mean(abs(pr[1:2] / tr - 1)),
    mab_reflim = mean(abs(rl[1:2] / tr - 1)))
}
tab <- do.call(rbind, rows)
options(width = 200)
print(tab[, 1:11], row.names = FALSE, digits = 3)
cat(sprintf("\ntotal wall: dimorph refiner %.2f s (end to end, CSV read included), refineR %.1f s (estimate only): refineR/dimorph = %.0fx\n",
            sum(tab$refiner_s), sum(tab$refineR_s), sum(tab$refineR_s) / sum(tab$refiner_s)))
cat(sprintf("mean |bias| against truth over 10 limits: dimorph refiner %.2f %%, refineR %.2f %%, dimorph reflim %.2f %%\n",
            100 * mean(tab$mab_refiner), 100 * mean(tab$mab_refineR), 100 * mean(tab$mab_reflim)))
cat("bias columns: lower/upper limit, per cent of the documented truth\n")
