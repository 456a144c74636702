# Peer for `dimorph refint estimate --method refiner --percentiles LOWER,UPPER`: refineR 2.0.0 (Ammer et
# al. 2021, Sci Rep 11:16023) run once on its own five test cases (tests/peers/refiner_data/, as
# refiner.R), each fitted once (findRI, NBootstrap = 0) and its limits read at the 1/99, 2.5/97.5 and
# 5/95 % percentiles (getRI(fit, RIperc = ...), point estimates of the full-data fit; the 2.5/97.5 rows
# repeat refiner.out.csv, as a check that this run is the same fit). Built as refiner.R says. Run from
# the repository root:
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/refiner_percentiles.R
# Writes tests/peers/refiner_percentiles.out.csv (case, percentile, point, lambda, mu, sigma, shift).
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
perc <- c(0.01, 0.025, 0.05, 0.95, 0.975, 0.99)
rows <- list()
for (k in 1:5) {
  nm <- paste0("testcase", k)
  x <- read.csv(file.path(dir, "refiner_data", paste0(nm, ".csv")))$value
  fit <- findRI(Data = x, NBootstrap = 0)
  ri <- getRI(fit, RIperc = perc)
  rows[[k]] <- data.frame(case = nm, percentile = ri$Percentile, point = ri$PointEst, lambda = fit$Lambda,
    mu = fit$Mu, sigma = fit$Sigma, shift = fit$Shift)
  print(rows[[k]])
}
write.csv(do.call(rbind, rows), file.path(dir, "refiner_percentiles.out.csv"), row.names = FALSE)
cat("R", R.version.string, "refineR", as.character(packageVersion("refineR")), "\n")
