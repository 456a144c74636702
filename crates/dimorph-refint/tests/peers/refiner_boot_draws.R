# Peer for tests/refiner.rs's bootstrap-interval test: refineR 2.0.0's bootstrap on its test case 1
# (tests/peers/refiner_data/testcase1.csv), findRI(NBootstrap = 50) run once with each of two
# seeds (1, 2): 100 resamples in all (about 24 min a seed on the shared 2-core machine at load ~11,
# session 11; the four seeds first planned did not fit the session). Per resample, the refitted model's 2.5 and 97.5 %
# limits (refineR's own refineR:::cdfTruncatedBoxCox, as getRI computes its intervals), so the test
# can compute refineR's 95 % percentile interval over 100 resamples and its Monte-Carlo standard
# error (the spread of the interval's width over resamplings of the 100 draws). Each seed's own
# getRI interval (quantiles of its 50 draws) is written beside them, to check the draws are the
# ones refineR's intervals are made of. Run from the repository root (about 8 s a resample):
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/refiner_boot_draws.R
# Writes tests/peers/refiner_boot_draws.out.csv (seed, resample, lambda, lower, upper) and
# tests/peers/refiner_boot_seeds.out.csv (seed, percentile, ci_low, ci_high, seconds).
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
x1 <- read.csv(file.path(dir, "refiner_data", "testcase1.csv"))$value
draws <- list()
cis <- list()
for (s in 1:2) {
  t0 <- proc.time()[["elapsed"]]
  fit <- findRI(Data = x1, NBootstrap = 50, seed = s)
  secs <- proc.time()[["elapsed"]] - t0
  b <- seq_along(fit$LambdaBS)
  lim <- sapply(b, function(i) refineR:::cdfTruncatedBoxCox(mu = fit$MuBS[i], sigma = fit$SigmaBS[i],
    lambda = fit$LambdaBS[i], shift = fit$ShiftBS[i], RIperc = c(0.025, 0.975)))
  draws[[s]] <- data.frame(seed = s, resample = b, lambda = fit$LambdaBS, lower = lim[1, ], upper = lim[2, ])
  ri <- getRI(fit, RIperc = c(0.025, 0.975), CIprop = 0.95, pointEst = "fullDataEst")
  cis[[s]] <- data.frame(seed = s, percentile = ri$Percentile, ci_low = ri$CILow, ci_high = ri$CIHigh,
    seconds = secs)
  write.csv(do.call(rbind, draws), file.path(dir, "refiner_boot_draws.out.csv"), row.names = FALSE)
  write.csv(do.call(rbind, cis), file.path(dir, "refiner_boot_seeds.out.csv"), row.names = FALSE)
  print(cis[[s]])
}
cat("R", R.version.string, "refineR", as.character(packageVersion("refineR")), "\n")
