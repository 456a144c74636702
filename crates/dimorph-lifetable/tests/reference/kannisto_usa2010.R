# Independent reference for the Kannisto fit of the HMD Methods Protocol v6 (base R only).
# Poisson ML of mu(x) = a e^{b(x-80)} / (1 + a e^{b(x-80)}) at ages 80..110+ (open group at 110),
# hazard evaluated at x + 0.5, USA 2010, from the bundled HMD files.
# Run from the repository root:  Rscript crates/dimorph-lifetable/tests/reference/kannisto_usa2010.R
# Output used in tests/hmd_lifetable.rs (kannisto_matches_r_optim).
read_hmd <- function(f) {
  x <- read.table(f, skip = 2, header = TRUE, na.strings = ".", stringsAsFactors = FALSE)
  x$Age <- as.integer(sub("\\+", "", x$Age))
  x
}
D <- read_hmd("data/hmd/USA/USA.Deaths_1x1.txt")
E <- read_hmd("data/hmd/USA/USA.Exposures_1x1.txt")
for (sex in c("Male", "Female")) {
  d <- D[D$Year == 2010 & D$Age >= 80, sex]
  e <- E[E$Year == 2010 & E$Age >= 80, sex]
  x <- (80:110) - 80 + 0.5
  nll <- function(p) {
    mu <- exp(p[1]) * exp(p[2] * x) / (1 + exp(p[1]) * exp(p[2] * x))
    -sum(d * log(mu) - e * mu)
  }
  o <- optim(c(log(0.05), 0.1), nll, method = "BFGS", control = list(reltol = 1e-14, maxit = 1000))
  o <- optim(o$par, nll, method = "Nelder-Mead", control = list(reltol = 1e-15, maxit = 5000))
  cat(sprintf("%s a = %.8f b = %.8f\n", sex, exp(o$par[1]), o$par[2]))
}
# Output (R 4.x):
# Male a = 0.05628361 b = 0.13130130
# Female a = 0.03959278 b = 0.13461429
