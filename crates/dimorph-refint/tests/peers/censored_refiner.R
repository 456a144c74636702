# Peer for tests/censored.rs's set-aside case: refineR 2.0.0 (Ammer et al. 2021, Sci Rep
# 11:16023; built from github:cran/refineR "version 2.0.0" and github:cran/ash, see
# bench/refint_install_peers.sh) run once, findRI(model = "BoxCox", NBootstrap = 0), on the seeded
# log-normal data of tests/peers/censored.R: all 20000 values, and the observed ones alone (the
# values below the detection limit set aside, as refineR would see a file whose '<L' cells are
# dropped). Run from the repository root:
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/censored_refiner.R
# Writes tests/peers/censored_refiner.out.csv: per fit, refineR's limits and lambda/mu/sigma/P.
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
x <- read.csv(file.path(dir, "censored_data", "lognormal_full.csv"))$value
limit <- as.numeric(sub("<", "", grep("<", readLines(file.path(dir, "censored_data", "lognormal.csv")), value = TRUE)[1]))
rows <- list()
for (fit in c("full", "set_aside")) {
  v <- if (fit == "full") x else x[x >= limit]
  r <- findRI(Data = v, model = "BoxCox", NBootstrap = 0)
  ri <- getRI(r, RIperc = c(0.025, 0.975))
  rows[[fit]] <- data.frame(fit = fit, n = length(v), limit = limit, lambda = r$Lambda, mu = r$Mu,
                            sigma = r$Sigma, P = r$P, lower = ri$PointEst[1], upper = ri$PointEst[2])
}
write.csv(do.call(rbind, rows), file.path(dir, "censored_refiner.out.csv"), row.names = FALSE)
