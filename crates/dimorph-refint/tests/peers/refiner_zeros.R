# Peer for tests/refiner.rs's rounded zeros (`--zeros censored`, the default of --method refiner):
# refineR 2.0.0 (built from github:cran/refineR "version 2.0.0" and github:cran/ash, see
# bench/refint_install_peers.sh) run once, findRI(model = "BoxCox", NBootstrap = 0), on refineR's
# test case 5 (tests/peers/refiner_data/testcase5.csv, truth 0.25 - 4), its first 5000 values
# rounded to 0.5 as a laboratory reporting to 0.5 would (the values below 0.25 print as 0; refineR
# keeps them: it fits values >= 0), and on the same values without the zeros. Run from the
# repository root:
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/refiner_zeros.R
# Writes tests/peers/refiner_zeros.out.csv: per fit, the zeros, refineR's limits, lambda/mu/sigma/P.
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
x <- read.csv(file.path(dir, "refiner_data", "testcase5.csv"))[[1]][1:5000]
r5 <- round(x * 2) / 2
rows <- list()
for (fit in c("with_zeros", "zeros_dropped")) {
  v <- if (fit == "with_zeros") r5 else r5[r5 > 0]
  r <- findRI(Data = v, model = "BoxCox", NBootstrap = 0)
  ri <- getRI(r, RIperc = c(0.025, 0.975))
  rows[[fit]] <- data.frame(fit = fit, n = length(v), zeros = sum(v == 0), lambda = r$Lambda, mu = r$Mu,
                            sigma = r$Sigma, P = r$P, lower = ri$PointEst[1], upper = ri$PointEst[2])
}
write.csv(do.call(rbind, rows), file.path(dir, "refiner_zeros.out.csv"), row.names = FALSE)
