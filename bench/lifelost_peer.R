# Peer for crates/dimorph-lifetable/examples/bench.rs: the same workload in base R, on 2 cores
# (parallel::mclapply): for every year and sex of the bundled HMD files, the HMD v6 life table
# with Kannisto smoothing (optim), cause shares (nearest year of the cause file), and for all
# causes and each of the 7 groups the cause-deleted table, f(y|a), D(a) f(y|a), W(a+y|a) and the
# Table 2 means, deaths saved at a + a(x) (the engine's default discretisation).
# Usage (from the repository root): Rscript bench/lifelost_peer.R [CAUSES.csv]
args <- commandArgs(trailingOnly = TRUE)
cod_path <- if (length(args)) args[1] else "data/usa_2010_cod.csv"
rd <- function(f) { x <- read.table(f, skip = 2, header = TRUE, na.strings = "."); x$Age <- as.integer(sub("\\+", "", x$Age)); x }
D <- rd("data/hmd/USA/USA.Deaths_1x1.txt"); E <- rd("data/hmd/USA/USA.Exposures_1x1.txt")
cod <- read.csv(cod_path)
groups <- c("Cardiovascular", "Cancer", "Infectious", "External", "Mental", "Infant", "Other")
a0 <- function(m0, sex) if (sex == "Male") {
  if (m0 >= 0.08307) 0.29915 else if (m0 >= 0.0230) 0.02832 + 3.26021 * m0 else 0.14929 - 1.99545 * m0
} else {
  if (m0 >= 0.06891) 0.31411 else if (m0 >= 0.01724) 0.04667 + 3.88089 * m0 else 0.14903 - 2.05527 * m0
}
lt <- function(m, sex) {
  n <- length(m); a <- rep(.5, n); a[1] <- a0(m[1], sex); a[n] <- 1 / m[n]
  q <- m / (1 + (1 - a) * m); q[n] <- 1
  l <- cumprod(c(1, 1 - q[-n])); d <- l * q; L <- c(l[-1], 0) + a * d; L[n] <- l[n] / m[n]
  list(m = m, a = a, l = l, d = d, L = L, T = rev(cumsum(rev(L))))
}
kannisto <- function(d, e, mx, Y) {
  x <- (80:110) - 80 + .5; dd <- d[81:111]; ee <- e[81:111]
  nll <- function(p) { mu <- 1 / (1 + exp(-(p[1] + p[2] * x))); -sum(dd * log(mu) - ee * mu) }
  o <- optim(c(log(.05), .1), nll, method = "BFGS", control = list(reltol = 1e-12))
  fit <- 1 / (1 + exp(-(o$par[1] + o$par[2] * ((0:110) - 79.5))))
  mx[(Y + 1):111] <- fit[(Y + 1):111]; mx
}
lifelost <- function(Dx, t) {
  n <- length(Dx); tau <- t$a; l <- t$l; d <- t$d; L <- t$L
  ls <- l - tau * d; ls[n] <- l[n] * exp(-t$m[n] * tau[n])
  before <- tau * (l + ls) / 2; before[n] <- (l[n] - ls[n]) / t$m[n]
  rest <- L - before
  e <- (rest + c(t$T[-1], 0)) / ls
  idx <- outer(1:n, 0:(n - 1), "+"); ok <- idx <= n
  F <- matrix(0, n, n); F[ok] <- d[idx[ok]]; F <- F / ls; F[, 1] <- (ls - c(l[-1], 0)) / ls
  Day <- Dx * F
  W <- outer(Dx / ls, L); W[lower.tri(W)] <- 0; diag(W) <- Dx * rest / ls
  # mean age of person-years: linear l within closed years, exponential in the open group
  b <- (l / 2 - d / 3) / (l - d / 2); b[n] <- 1 / t$m[n]
  own <- (l * (1 - tau^2) / 2 - d * (1 - tau^3) / 3) / (l * (1 - tau) - d * (1 - tau^2) / 2)
  own[n] <- tau[n] + 1 / t$m[n]
  age <- 0:(n - 1); Wa <- Dx * e
  AgeM <- matrix(age + b, n, n, byrow = TRUE); diag(AgeM) <- age + own
  c(a = sum(Dx * (age + t$a)) / sum(Dx), y = sum(Wa) / sum(Dx),
    W = sum(Wa * (age + tau)) / sum(Wa), A = sum(W * AgeM) / sum(W), Dy = sum(colSums(Day)))
}
years <- sort(unique(D$Year)); cod_years <- sort(unique(cod$year))
one_year <- function(yr) {
  dm <- D$Male[D$Year == yr]; df <- D$Female[D$Year == yr]
  ages <- 0:110
  Y <- c(ages[(dm <= 100 | df <= 100) & ages >= 80 & ages <= 95], 95)[1]
  out <- list()
  for (sex in c("Female", "Male")) {
    Dx <- D[D$Year == yr, sex]; Ex <- E[E$Year == yr, sex]
    t <- lt(kannisto(Dx, Ex, Dx / Ex, Y), sex)
    res <- list(All = lifelost(Dx, t))
    cy <- cod_years[which.min(abs(cod_years - yr))]
    sub <- cod[cod$year == cy & cod$sex == tolower(sex), ]
    M <- tapply(sub$deaths, list(sub$age, sub$paper_group), sum)[, groups]
    S <- M / rowSums(M); S <- S[c(1:101, rep(101, 10)), ]
    for (g in groups) res[[g]] <- lifelost(Dx * S[, g], lt(t$m * (1 - S[, g]), sex))
    out[[sex]] <- res
  }
  out
}
t0 <- proc.time()[["elapsed"]]
res <- parallel::mclapply(years, one_year, mc.cores = 2)
el <- proc.time()[["elapsed"]] - t0
names(res) <- years
cat(sprintf("R peer: %d years x 2 sexes x 8 analyses, 2 cores (mclapply): %.3f s\n", length(years), el))
cat(sprintf("R peer 2010 male All: a %.4f y %.4f W(a) %.4f W(a+y|a) %.4f\n",
  res[["2010"]]$Male$All["a"], res[["2010"]]$Male$All["y"], res[["2010"]]$Male$All["W"], res[["2010"]]$Male$All["A"]))
cat(sprintf("R peer 2010 female Cardiovascular: a %.4f y %.4f W(a) %.4f W(a+y|a) %.4f\n",
  res[["2010"]]$Female$Cardiovascular["a"], res[["2010"]]$Female$Cardiovascular["y"],
  res[["2010"]]$Female$Cardiovascular["W"], res[["2010"]]$Female$Cardiovascular["A"]))
cat(sprintf("R_SECONDS %.4f\n", el))
