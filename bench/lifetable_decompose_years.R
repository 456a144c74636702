# Peer for bench/lifetable_years.sh (its decomposition part): the work of
#   dimorph lifetable decompose --hmd data/hmd/USA --years 1933-2019 --causes data/usa_2010_cod.csv \
#     --ci 0.95 --draws K --seed S
# in R on 2 cores (parallel::mclapply over years). For every year: the HMD v6 tables of both sexes
# (a0 Andreev-Kingkade, Kannisto fit at 80+ by Poisson ML with optim/BFGS, as bench/lifetable_years.R);
# the female - male gap in e0 by Arriaga (Preston, Heuveline & Guillot 2001, eq. 3.11), by age and, in
# 2010 (the only year of the cause file; the others by age for all causes, as dimorph does), by age x
# the 7 cause groups (shares of the rate differences); DemoDecomp::horiuchi (N = 50, dimorph's default
# --steps) of e0, e-dagger, Gini and SD as functions of c(cause-specific rates, a0); K draws of
# Poisson(D) deaths of both sexes (and of the cause deaths in 2010) with the tables, the cause shares,
# Arriaga's contributions and the four measures' differences recomputed; 2.5/97.5 % quantiles
# (type 7) of every statistic. Writes year, female e0, male e0, Arriaga's gap and its limits as CSV.
# Needs R (apt-get install -y r-base-core) and DemoDecomp (not in Debian: build it from its GitHub
# source, github.com/timriffe/DemoDecomp: git archive HEAD | tar -x -C /tmp/dd; R CMD INSTALL /tmp/dd).
# Usage (repository root): Rscript bench/lifetable_decompose_years.R K SEED OUT.csv
suppressMessages(library(DemoDecomp))
args <- commandArgs(trailingOnly = TRUE)
K <- as.integer(args[1]); seed <- as.integer(args[2]); out_csv <- args[3]
rd <- function(f) { x <- read.table(f, skip = 2, header = TRUE, na.strings = "."); x$Age <- as.integer(sub("\\+", "", x$Age)); x }
D <- rd("data/hmd/USA/USA.Deaths_1x1.txt"); E <- rd("data/hmd/USA/USA.Exposures_1x1.txt")
cod <- read.csv("data/usa_2010_cod.csv", stringsAsFactors = FALSE)
groups <- unique(cod$paper_group)
# cause deaths [age 0-100, group] by sex (2010); ages 101-110 take the 100+ shares
cod_m <- lapply(c(female = "female", male = "male"), function(s) {
  x <- cod[cod$sex == s, ]
  m <- matrix(0, 101, length(groups))
  for (g in seq_along(groups)) { y <- x[x$paper_group == groups[g], ]; m[, g] <- tapply(c(y$deaths, rep(0, 101)), c(y$age, 0:100), sum) }
  m
})
shares_of <- function(cd) { s <- cd / pmax(rowSums(cd), 1e-300); s[rowSums(cd) == 0, ] <- 1 / ncol(cd); s[c(1:101, rep(101, 10)), ] }
a0f <- function(m0, sex) if (sex == "Male") {
  if (m0 >= 0.08307) 0.29915 else if (m0 >= 0.0230) 0.02832 + 3.26021 * m0 else 0.14929 - 1.99545 * m0
} else {
  if (m0 >= 0.06891) 0.31411 else if (m0 >= 0.01724) 0.04667 + 3.88089 * m0 else 0.14903 - 2.05527 * m0
}
hmd_y <- function(df, dm) { ages <- 0:110; c(ages[(dm <= 100 | df <= 100) & ages >= 80 & ages <= 95], 95)[1] }
rates <- function(d, e, Y) {
  m <- d / e
  x <- (80:110) - 80 + .5; dd <- d[81:111]; ee <- e[81:111]
  nll <- function(p) { mu <- 1 / (1 + exp(-(p[1] + p[2] * x))); -sum(dd * log(mu) - ee * mu) }
  o <- optim(c(log(.05), .1), nll, method = "BFGS", control = list(reltol = 1e-12))
  fit <- 1 / (1 + exp(-(o$par[1] + o$par[2] * ((0:110) - 79.5))))
  m[(Y + 1):111] <- fit[(Y + 1):111]; m
}
n <- 111; ages <- 0:110
lt <- function(m, a0) {
  a <- rep(.5, n); a[1] <- a0; a[n] <- 1 / m[n]
  q <- m / (1 + (1 - a) * m); q[n] <- 1
  l <- cumprod(c(1, 1 - q[-n])); d <- l * q; L <- c(l[-1] + a[-n] * d[-n], l[n] / m[n])
  Tx <- rev(cumsum(rev(L))); list(m = m, a = a, l = l, d = d, L = L, T = Tx, e = Tx / l)
}
# e0, e-dagger, Gini, SD as dimorph defines them (as crates/dimorph-lifetable/tests/peers/decompose.R)
measures_t <- function(t) {
  e_at <- c(t$e[-n] + t$a[-n] * (t$e[-1] - t$e[-n]), t$e[n])
  l1 <- c(t$l[-1], 0)
  il2 <- c((t$l[-n]^2 + t$l[-n] * l1[-n] + l1[-n]^2) / 3, t$l[n]^2 / (2 * t$m[n]))
  x <- ages + t$a; mu <- sum(t$d * x)
  c(e = t$e[1], e_dagger = sum(t$d * e_at), gini = 1 - sum(il2) / t$e[1],
    sd = sqrt(sum(t$d * (x^2 + c(rep(1 / 12, n - 1), 1 / t$m[n]^2))) - mu^2))
}
measures_p <- function(p, g) lt(rowSums(matrix(p[1:(g * n)], nrow = n)), p[g * n + 1])
arriaga <- function(t1, t2) {
  r <- t1$l * (t2$L / t2$l - t1$L / t1$l) + c(t2$T[-1] * (t1$l[-n] / t2$l[-n] - t1$l[-1] / t2$l[-1]), 0)
  r[n] <- t1$l[n] * (t2$T[n] / t2$l[n] - t1$T[n] / t1$l[n]); r
}
by_cause <- function(arr, m1, m2) { dm <- m2 - m1; s <- dm / rowSums(dm); s[!is.finite(s)] <- 1 / ncol(dm); arr * s }
# one data set (observed or drawn): Arriaga by age x cause, by age, by cause, the measures' differences
stats_of <- function(d, e, cd) {
  Y <- hmd_y(d[[1]], d[[2]])
  m <- lapply(1:2, function(k) rates(d[[k]], e[[k]], Y))
  t <- lapply(1:2, function(k) lt(m[[k]], a0f(m[[k]][1], c("Female", "Male")[k])))
  arr <- arriaga(t[[2]], t[[1]])
  s <- if (is.null(cd)) list(matrix(1, n, 1), matrix(1, n, 1)) else lapply(cd, shares_of)
  bac <- by_cause(arr, m[[2]] * s[[2]], m[[1]] * s[[1]])
  list(stats = c(as.vector(bac), arr, colSums(bac), measures_t(t[[1]]) - measures_t(t[[2]])),
       t = t, m = m, s = s)
}
one_year <- function(yr) {
  set.seed(seed * 10000 + yr)
  sexes <- c("Female", "Male")
  d <- lapply(sexes, function(s) D[D$Year == yr, s]); e <- lapply(sexes, function(s) E[E$Year == yr, s])
  cd <- if (yr == 2010) cod_m else NULL
  obs <- stats_of(d, e, cd)
  g <- ncol(obs$s[[1]])
  # the line integral of each measure, from males to females
  p <- lapply(1:2, function(k) c(as.vector(obs$m[[k]] * obs$s[[k]]), obs$t[[k]]$a[1]))
  hor <- lapply(1:4, function(j) horiuchi(function(q) measures_t(measures_p(q, g))[[j]], p[[2]], p[[1]], N = 50))
  draws <- matrix(NA_real_, K, length(obs$stats))
  for (r in 1:K) {
    dd <- lapply(d, function(x) rpois(length(x), x))
    cdr <- if (is.null(cd)) NULL else lapply(cd, function(x) matrix(rpois(length(x), x), nrow(x)))
    st <- try(stats_of(dd, e, cdr)$stats, silent = TRUE)
    if (!inherits(st, "try-error")) draws[r, ] <- st
  }
  q <- apply(draws, 2, quantile, c(.025, .975), na.rm = TRUE, names = FALSE)
  k0 <- length(obs$stats) - 3
  data.frame(year = yr, female = obs$t[[1]]$e[1], male = obs$t[[2]]$e[1], gap = obs$stats[k0],
             horiuchi_e_sum = sum(hor[[1]]), lower = q[1, k0], upper = q[2, k0])
}
t0 <- proc.time()[["elapsed"]]
years <- sort(unique(D$Year))
res <- do.call(rbind, parallel::mclapply(years, one_year, mc.cores = 2))
write.csv(res, out_csv, row.names = FALSE)
el <- proc.time()[["elapsed"]] - t0
cat(sprintf("R: %d years decomposed (Arriaga by age x cause, DemoDecomp::horiuchi x 4 measures), %d draws: %.2f s\n",
            length(years), K, el))
