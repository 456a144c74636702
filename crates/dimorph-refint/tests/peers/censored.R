# Peer for values below a detection limit used as censored (`--method refiner`, `--method kosmic`;
# tests/censored.rs). Written from the definition of the censored likelihood, in base R only: a
# Box-Cox normal (lambda, mu, sigma) fitted by maximum likelihood (optim) to
#   sum over observed x_i of log f(x_i)  +  n_censored * log F(L),
# f the density of the Box-Cox normal on the original scale (normal density of T(x) times the
# Jacobian x^(lambda - 1)), F its CDF and L the detection limit. Run from the repository root:
#   Rscript crates/dimorph-refint/tests/peers/censored.R
# Writes
#   tests/peers/censored_data/lognormal.csv   seeded log-normal data (meanlog 3, sdlog 0.35, n 20000,
#                                             4 significant digits), the lowest ~10 % as '<L'
#   tests/peers/censored_data/lognormal_full.csv  the same values uncensored
#   tests/peers/censored.out.csv              the truth and three ML fits: all values (full),
#                                             censored (observed + censored term), set aside
#                                             (observed only, no censored term)
dir <- "crates/dimorph-refint/tests/peers"
set.seed(20260415)
meanlog <- 3; sdlog <- 0.35; n <- 20000
x <- signif(rlnorm(n, meanlog, sdlog), 4)
L <- round(unname(quantile(x, 0.10)), 1)
cens <- x < L
cells <- ifelse(cens, paste0("<", L), format(x, trim = TRUE, digits = 4))
write.csv(data.frame(value = cells), file.path(dir, "censored_data", "lognormal.csv"), row.names = FALSE, quote = FALSE)
write.csv(data.frame(value = x), file.path(dir, "censored_data", "lognormal_full.csv"), row.names = FALSE, quote = FALSE)
bc <- function(v, l) if (abs(l) < 1e-12) log(v) else (v^l - 1) / l
ibc <- function(y, l) if (abs(l) < 1e-12) exp(y) else (l * y + 1)^(1 / l)
nll <- function(par, xo, nc, L) {
  l <- par[1]; m <- par[2]; s <- exp(par[3])
  ll <- sum(dnorm((bc(xo, l) - m) / s, log = TRUE) - log(s) + (l - 1) * log(xo))
  if (nc > 0) ll <- ll + nc * pnorm((bc(L, l) - m) / s, log.p = TRUE)
  -ll
}
fit <- function(name, xo, nc) {
  start <- c(0, mean(log(xo)), log(sd(log(xo))))
  o <- optim(start, nll, xo = xo, nc = nc, L = L, method = "Nelder-Mead",
             control = list(reltol = 1e-14, maxit = 20000))
  o <- optim(o$par, nll, xo = xo, nc = nc, L = L, method = "BFGS", control = list(reltol = 1e-14))
  l <- o$par[1]; m <- o$par[2]; s <- exp(o$par[3])
  data.frame(fit = name, n_observed = length(xo), n_censored = nc, limit = L, lambda = l, mu = m,
             sigma = s, lower = ibc(m + s * qnorm(0.025), l), upper = ibc(m + s * qnorm(0.975), l),
             convergence = o$convergence)
}
out <- rbind(
  data.frame(fit = "truth", n_observed = n, n_censored = 0, limit = L, lambda = 0, mu = meanlog,
             sigma = sdlog, lower = qlnorm(0.025, meanlog, sdlog), upper = qlnorm(0.975, meanlog, sdlog),
             convergence = 0),
  fit("full", x, 0),
  fit("censored", x[!cens], sum(cens)),
  fit("set_aside", x[!cens], 0))
print(out)
write.csv(out, file.path(dir, "censored.out.csv"), row.names = FALSE)
cat("R", R.version.string, "\n")
