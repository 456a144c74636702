# Peer for tests/verify_zeros.rs: `refint verify --mode routine --method refiner` on routine data
# with rounded zeros, against refineR 2.0.0's verifyRI (built from github:cran/refineR "version
# 2.0.0" and github:cran/ash, see bench/refint_install_peers.sh), run once.
#
# Data: refineR's test case 5 (tests/peers/refiner_data/testcase5.csv, truth 0.25 - 4), its first
# 5000 values rounded to 0.5 as a laboratory reporting to 0.5 would (the values below 0.25 print as
# 0; refineR keeps them: it fits values >= 0), as tests/peers/refiner_zeros.R.
#
# refineR: fit <- findRI(model = "BoxCox", NBootstrap = 0) on the 5000 values, then
# verifyRI(fit, RIcand, marginType = "EL") for four candidate intervals. marginType "EL" is
# Haeckel, Wosniok & Arzideh (2016)'s equivalence limits RI +- qnorm(CIprop) * psA with
# CIprop = 0.9, which is dimorph's band "estimate +- z*pu" with z = qnorm(0.9) and the log-normal
# assumption without bias (refint verify --z 1.2815515655446004). refineR's verdict
# (OverlapPointEst: the candidate inside the data's margin and the data's estimate inside the
# candidate's margin) is not dimorph's (the given limit inside the estimate's CI or band), so the
# test compares the data's point estimates and margins, and the per-limit test "candidate inside
# the data's margin" (RICandPointEst within RIDataMarginLow..High), which is dimorph's band check.
# Run from the repository root:
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/verify_zeros.R
# Writes tests/peers/verify_zeros.out.csv: per candidate and percentile, verifyRI's table.
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
x <- read.csv(file.path(dir, "refiner_data", "testcase5.csv"))[[1]][1:5000]
r5 <- round(x * 2) / 2
fit <- findRI(Data = r5, model = "BoxCox", NBootstrap = 0)
cands <- list(c(0.25, 4), c(0.24, 3.8), c(0.1, 3), c(0.5, 5))
rows <- list()
for (k in seq_along(cands)) {
  v <- verifyRI(RIdata = fit, RIcand = cands[[k]], RIperc = c(0.025, 0.975), marginType = "EL",
                printResults = FALSE, generatePlot = FALSE, verbose = FALSE)
  t <- v$RIVerificationTab
  rows[[k]] <- data.frame(cand = k, zeros = sum(r5 == 0), n = length(r5), percentile = t$Percentile,
                          cand_est = t$RICandPointEst, cand_low = t$RICandMarginLow,
                          cand_high = t$RICandMarginHigh, data_est = t$RIDataPointEst,
                          data_low = t$RIDataMarginLow, data_high = t$RIDataMarginHigh,
                          overlap_point_est = t$OverlapPointEst, overlap_margins = t$OverlapMargins)
}
write.csv(do.call(rbind, rows), file.path(dir, "verify_zeros.out.csv"), row.names = FALSE)
