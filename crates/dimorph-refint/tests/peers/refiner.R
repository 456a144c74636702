# Peer for `dimorph refint estimate --method refiner`: refineR 2.0.0 (Ammer et al. 2021, Sci Rep
# 11:16023) run once on its own five test cases. refineR is not in Debian; it was built from the
# CRAN mirror on GitHub (github:cran/refineR, commit "version 2.0.0"; its dependency ash from
# github:cran/ash) with `R CMD INSTALL -l LIB`. Run from the repository root:
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/refiner.R
# Writes
#   tests/peers/refiner_data/testcaseK.csv  the test-case data to 7 significant digits (refineR's
#                                           data/, GPL (>= 3), see
#                                           refiner_data/README.md)
#   tests/peers/refiner.out.csv             per case: refineR's limits, lambda/mu/sigma/shift/P, time
#   tests/peers/refiner_boot.out.csv        testcase1 with NBootstrap = 20, seed = 123: limits and CIs
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
truth <- list(c(10.2, 29.8), c(59.8, 160), c(9.04, 13), c(10, 50), c(0.25, 4))
rows <- list()
for (k in 1:5) {
  nm <- paste0("testcase", k)
  e <- new.env(); data(list = nm, package = "refineR", envir = e)
  # 7 significant digits (the shipped CSV is half the size; refineR is run on exactly these values)
  x <- signif(get(nm, envir = e), 7)
  write.csv(data.frame(value = x), file.path(dir, "refiner_data", paste0(nm, ".csv")), row.names = FALSE)
  t0 <- proc.time()[["elapsed"]]
  fit <- findRI(Data = x, NBootstrap = 0)
  secs <- proc.time()[["elapsed"]] - t0
  ri <- getRI(fit, RIperc = c(0.025, 0.975))
  rows[[k]] <- data.frame(case = nm, n = length(x), truth_lower = truth[[k]][1], truth_upper = truth[[k]][2],
    lower = ri$PointEst[1], upper = ri$PointEst[2], lambda = fit$Lambda, mu = fit$Mu, sigma = fit$Sigma,
    shift = fit$Shift, p = fit$P, seconds = secs)
  print(rows[[k]])
}
write.csv(do.call(rbind, rows), file.path(dir, "refiner.out.csv"), row.names = FALSE)
x1 <- read.csv(file.path(dir, "refiner_data", "testcase1.csv"))$value
t0 <- proc.time()[["elapsed"]]
fit <- findRI(Data = x1, NBootstrap = 20, seed = 123)
secs <- proc.time()[["elapsed"]] - t0
ri <- getRI(fit, RIperc = c(0.025, 0.975), CIprop = 0.95, pointEst = "fullDataEst")
out <- data.frame(case = "testcase1", nboot = 20, percentile = ri$Percentile, point = ri$PointEst,
  ci_low = ri$CILow, ci_high = ri$CIHigh, seconds = secs)
print(out)
write.csv(out, file.path(dir, "refiner_boot.out.csv"), row.names = FALSE)
cat("R", R.version.string, "refineR", as.character(packageVersion("refineR")), "\n")
