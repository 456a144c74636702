# Peer for `dimorph refint estimate --method kosmic`: kosmic (Zierk et al. 2020, Sci Rep 10:1704),
# the C++ library of its authors in its R binding tidykosmic (github:divinenephron/tidykosmic, commit
# bd92f4a, "Allowed the decimals argument to be zero or negative"), run once on refineR's five test
# cases (tests/peers/refiner_data/, truth in refiner.out.csv) and on tidykosmic's haemoglobin data.
# tidykosmic is not in Debian or CRAN; bench/refint_install_peers.sh builds it from its GitHub source
# (R CMD INSTALL -l LIB). Run from the repository root:
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/kosmic.R
# Writes
#   tests/peers/kosmic_data/haemoglobin.csv  tidykosmic's `haemoglobin` (result, age, sex; GPL-3,
#                                            see kosmic_data/README.md)
#   tests/peers/kosmic.out.csv               per set: decimals, kosmic's limits, lambda/mean/sd,
#                                            truncation points t1/t2, cost, seconds
#   tests/peers/kosmic_boot.out.csv          haemoglobin with 50 bootstrap replicates: the limits'
#                                            2.5/97.5 % percentiles (type 7), set.seed(123)
# `decimals` is kosmic's required precision argument; the values passed are the ones dimorph's
# default picks (the fewest decimals, at most the data's own, that give 200 or more classes between
# the 5th and 95th percentiles), so both run on the same histogram.
suppressPackageStartupMessages(library(tidykosmic))
dir <- "crates/dimorph-refint/tests/peers"
truth <- read.csv(file.path(dir, "refiner.out.csv"))
data(haemoglobin, package = "tidykosmic", envir = environment())
write.csv(haemoglobin, file.path(dir, "kosmic_data", "haemoglobin.csv"), row.names = FALSE)
sets <- list()
for (k in 1:5) {
  sets[[k]] <- list(case = paste0("testcase", k), decimals = c(1, 0, 2, 1, 2)[k],
    x = read.csv(file.path(dir, "refiner_data", paste0("testcase", k, ".csv")))$value,
    truth = c(truth$truth_lower[k], truth$truth_upper[k]))
}
sets[[6]] <- list(case = "haemoglobin", decimals = 1, x = haemoglobin$result, truth = c(NA, NA))
rows <- list()
for (s in sets) {
  t0 <- proc.time()[["elapsed"]]
  fit <- kosmic(s$x, s$decimals)
  secs <- proc.time()[["elapsed"]] - t0
  q <- quantile(fit, c(0.025, 0.975), names = FALSE)
  e <- fit$estimates
  rows[[length(rows) + 1]] <- data.frame(case = s$case, n = length(s$x), decimals = s$decimals,
    truth_lower = s$truth[1], truth_upper = s$truth[2], lower = q[1], upper = q[2],
    lambda = e[["lambda"]], mu = e[["mean"]], sigma = e[["sd"]], t1 = e[["t1"]], t2 = e[["t2"]],
    seconds = secs)
  print(rows[[length(rows)]])
}
write.csv(do.call(rbind, rows), file.path(dir, "kosmic.out.csv"), row.names = FALSE)
set.seed(123)
t0 <- proc.time()[["elapsed"]]
b <- kosmic_bootstrap(haemoglobin$result, 1, 50)
secs <- proc.time()[["elapsed"]] - t0
be <- b$bootstrap_estimates
lims <- t(apply(be, 1, function(r) qboxcox(c(0.025, 0.975), r[["mean"]], r[["sd"]], r[["lambda"]])))
point <- quantile(b, c(0.025, 0.975), names = FALSE)
out <- data.frame(case = "haemoglobin", nboot = 50, percentile = c(0.025, 0.975), point = point,
  ci_low = c(quantile(lims[, 1], 0.025), quantile(lims[, 2], 0.025)),
  ci_high = c(quantile(lims[, 1], 0.975), quantile(lims[, 2], 0.975)), seconds = secs)
print(out)
write.csv(out, file.path(dir, "kosmic_boot.out.csv"), row.names = FALSE)
cat("R", R.version.string, "tidykosmic", as.character(packageVersion("tidykosmic")), "\n")
