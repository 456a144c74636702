# Diagnostic for issue 15 (session 8): refineR 2.0.0's own cost, through its internal functions,
# at parameter sets of our choosing on one RIbench-style set, beside refineR's fit. It showed that
# refineR's cost does not prefer the true parameters either, but ranks the candidates differently
# from ours (GGT 3033: truth -11.40, our fit -11.46, refineR's fit -12.23; our cost ranks our fit
# first). The sets are drawn by `RIBENCH_OUT=dir cargo test --release -p dimorph-refint --test
# suite -- ribench::write_sets` (RIBENCH_SUBSET=heldout for the held-out subset).
#   R_LIBS=<lib with refineR> Rscript bench/refint_ribench_cost.R SET.csv "lambda,mu,sigma;lambda,mu,sigma"
# Its "hist:" line (rounding base, region abOr, bins) is what estimate/refiner_hist.rs's test
# histogram_is_refiners_on_its_test_cases compares with, on tests/peers/refiner_data/testcase*.csv
# (session 9; for those files read.csv(...)$value is the column). Note: refineR runs findRI on
# x >= 0 (zeros kept); dimorph drops the zeros.
suppressMessages(library(refineR))
a <- commandArgs(TRUE)
x <- read.csv(a[1])$value; x <- x[x >= 0]
pars <- matrix(as.numeric(strsplit(a[2], "[,;]")[[1]]), ncol=3, byrow=TRUE)
t0 <- Sys.time(); r <- findRI(x); 
cat("refineR fit: lambda", r$Lambda, "mu", r$Mu, "sigma", r$Sigma, "P", r$P, "cost", r$Cost, "rf", r$rf, "rb", r$roundingBase, "abOr", r$abOr, "\n")
print(getRI(r))
set.seed(123)  # defineSearchRegions jitters rounded values at random
rb <- refineR:::findRoundingBase(x = x)
lambdaVec <- (1/12*(0:12))^1.8170595
sv <- refineR:::defineSearchRegions(x = x, lambdaVec = lambdaVec, roundingBase = rb, abEst = NULL)
H <- refineR:::generateHistData(x = x, ab = sv$abEst$abHist, roundingBase = rb)
cat("hist: nbins", length(H$counts), "NBins", H$NBins, "overlap", H$overlapFactor, "ab", format(H$abOr, digits = 15), "rounding base", rb, "NData", H$NData, " in-range", sum(H$counts[2:(length(H$counts)-1)])/H$overlapFactor, "\n")
h <- 0.002; pl <- list(h = h, val = pnorm(q = seq(from = -5.2, to = 5.2+h, by = h)))
pars <- rbind(pars, c(r$Lambda, r$Mu, r$Sigma))
for (i in 1:nrow(pars)) {
  b <- refineR:::calculateCostHist(pars[i,1], pars[i,2], pars[i,3], H, pNormLookup = pl)
  cat(sprintf("params %s: bestP %.4f cost %.4f rf %s\n", paste(signif(pars[i,],5), collapse=" "), b[4], b[5], b[6]))
}
