# Peer for `dimorph refint estimate --method refiner --model modboxcox`: refineR 2.0.0's
# findRI(model = "modBoxCox") (the Box-Cox transformation with a shift, refineR >= 1.5; Ammer et
# al. 2021, Sci Rep 11:16023), run once on
#   * refineR's five test cases (tests/peers/refiner_data/, written by refiner.R), and
#   * three seeded skewed sets generated here (tests/peers/refiner_modboxcox_data/genK.csv): a
#     shifted Box-Cox normal (the model's own case), a log-normal near zero and a shifted
#     log-normal, each with pathological values, rounded as a laboratory reports them.
# refineR is not in Debian: bench/refint_install_peers.sh builds it (and ash) from the CRAN mirror
# on GitHub (github:cran/refineR, "version 2.0.0"). Run from the repository root:
#   R_PEER_LIB=LIB bench/refint_install_peers.sh refineR
#   R_LIBS=LIB Rscript crates/dimorph-refint/tests/peers/refiner_modboxcox.R
# (it took 7 min on the shared 2-core machine; the seconds column is refineR's time per fit).
# Writes tests/peers/refiner_modboxcox.out.csv: per set and model (modBoxCox for all; BoxCox too
# for the generated sets) refineR's limits (2.5/97.5 %), lambda, mu, sigma, shift, P, its cost and
# the time, with the true limits of the non-pathological distribution.
suppressPackageStartupMessages(library(refineR))
dir <- "crates/dimorph-refint/tests/peers"
gen_dir <- file.path(dir, "refiner_modboxcox_data")
dir.create(gen_dir, showWarnings = FALSE)
inv_bc <- function(y, lambda) if (abs(lambda) < 1e-12) exp(y) else (lambda * y + 1)^(1 / lambda)

# Generated sets: non-pathological shift + invBoxCox(N(mu, sigma), lambda), the pathological
# values normal on the left / log-normal on the right; values < 0 are redrawn (none occur here).
gen <- list(
  list(name = "gen1", seed = 15001, n = 10000, shift = 100, lambda = 0.0613, mu = 4.73445, sigma = 0.38824,
       left = c(0.05, 110, 12), right = c(0.15, log(400), 0.35), digits = 0),
  list(name = "gen2", seed = 15002, n = 10000, shift = 0, lambda = 0, mu = 0.2, sigma = 0.6,
       left = c(0, 0, 1), right = c(0.15, log(8), 0.6), digits = 2),
  list(name = "gen3", seed = 15003, n = 20000, shift = 20, lambda = 0, mu = log(15), sigma = 0.5,
       left = c(0.05, 18, 3), right = c(0.10, log(90), 0.4), digits = 1)
)
sets <- list()
for (g in gen) {
  set.seed(g$seed)
  nl <- round(g$n * g$left[1]); nr <- round(g$n * g$right[1]); n0 <- g$n - nl - nr
  x0 <- g$shift + inv_bc(rnorm(n0, g$mu, g$sigma), g$lambda)
  xl <- rnorm(nl, g$left[2], g$left[3]); xl <- xl[xl >= 0]
  xr <- exp(rnorm(nr, g$right[2], g$right[3]))
  x <- round(sample(c(x0, xl, xr)), g$digits)
  write.csv(data.frame(value = x), file.path(gen_dir, paste0(g$name, ".csv")), row.names = FALSE)
  truth <- g$shift + inv_bc(qnorm(c(0.025, 0.975), g$mu, g$sigma), g$lambda)
  sets[[g$name]] <- list(truth = truth, models = c("modBoxCox", "BoxCox"))
}
tc_truth <- list(c(10.2, 29.8), c(59.8, 160), c(9.04, 13), c(10, 50), c(0.25, 4))
for (k in 1:5) sets[[paste0("testcase", k)]] <- list(truth = tc_truth[[k]], models = "modBoxCox")

rows <- list()
for (nm in names(sets)) {
  f <- if (startsWith(nm, "gen")) file.path(gen_dir, paste0(nm, ".csv")) else
    file.path(dir, "refiner_data", paste0(nm, ".csv"))
  x <- read.csv(f)$value
  for (model in sets[[nm]]$models) {
    t0 <- proc.time()[["elapsed"]]
    fit <- findRI(Data = x, model = model, NBootstrap = 0)
    secs <- proc.time()[["elapsed"]] - t0
    ri <- getRI(fit, RIperc = c(0.025, 0.975))
    row <- data.frame(case = nm, model = model, n = length(x), truth_lower = sets[[nm]]$truth[1],
      truth_upper = sets[[nm]]$truth[2], lower = ri$PointEst[1], upper = ri$PointEst[2], lambda = fit$Lambda,
      mu = fit$Mu, sigma = fit$Sigma, shift = fit$Shift, p = fit$P, cost = fit$Cost, seconds = secs)
    print(row)
    rows[[length(rows) + 1]] <- row
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "refiner_modboxcox.out.csv"), row.names = FALSE)
cat("R", R.version.string, "refineR", as.character(packageVersion("refineR")), "\n")
