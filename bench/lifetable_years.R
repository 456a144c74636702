# Peer for bench/lifetable_years.sh: the work of
#   dimorph lifetable --hmd data/hmd/USA --years 1933-2019 --ci 0.95 --draws K --seed S
# in base R on 2 cores (parallel::mclapply over years): for every year and both sexes the HMD v6
# life table (a0 Andreev-Kingkade, Kannisto fit to ages 80+ by Poisson ML with optim/BFGS, rates
# replaced from the HMD age Y), Chiang's se of every e(x) (open group: e^2/D), K draws of
# Poisson(D) deaths per age for both sexes with the table rebuilt (Y recomputed, Kannisto refitted),
# 2.5/97.5 % quantiles (type 7) of every e(x) and of the female-male gap in e0; the long table
# written as CSV. With SMOOTH=0 (env) the observed rates are kept (no Kannisto), as --no-smooth.
# Usage (repository root): Rscript bench/lifetable_years.R K SEED OUT.csv
args <- commandArgs(trailingOnly = TRUE)
K <- as.integer(args[1]); seed <- as.integer(args[2]); out_csv <- args[3]
smooth <- Sys.getenv("SMOOTH", "1") != "0"
rd <- function(f) { x <- read.table(f, skip = 2, header = TRUE, na.strings = "."); x$Age <- as.integer(sub("\\+", "", x$Age)); x }
D <- rd("data/hmd/USA/USA.Deaths_1x1.txt"); E <- rd("data/hmd/USA/USA.Exposures_1x1.txt")
a0 <- function(m0, sex) if (sex == "Male") {
  if (m0 >= 0.08307) 0.29915 else if (m0 >= 0.0230) 0.02832 + 3.26021 * m0 else 0.14929 - 1.99545 * m0
} else {
  if (m0 >= 0.06891) 0.31411 else if (m0 >= 0.01724) 0.04667 + 3.88089 * m0 else 0.14903 - 2.05527 * m0
}
table_of <- function(m, sex) {
  n <- length(m); a <- rep(.5, n); a[1] <- a0(m[1], sex); a[n] <- 1 / m[n]
  q <- m / (1 + (1 - a) * m); q[n] <- 1
  l <- cumprod(c(1, 1 - q[-n])); d <- l * q; L <- c(l[-1], 0) + a * d; L[n] <- l[n] / m[n]
  list(a = a, q = q, l = l, e = rev(cumsum(rev(L))) / l)
}
hmd_y <- function(df, dm) { ages <- 0:110; c(ages[(dm <= 100 | df <= 100) & ages >= 80 & ages <= 95], 95)[1] }
rates <- function(d, e, Y) {
  m <- d / e
  if (!smooth) return(m)
  x <- (80:110) - 80 + .5; dd <- d[81:111]; ee <- e[81:111]
  nll <- function(p) { mu <- 1 / (1 + exp(-(p[1] + p[2] * x))); -sum(dd * log(mu) - ee * mu) }
  o <- optim(c(log(.05), .1), nll, method = "BFGS", control = list(reltol = 1e-12))
  fit <- 1 / (1 + exp(-(o$par[1] + o$par[2] * ((0:110) - 79.5))))
  m[(Y + 1):111] <- fit[(Y + 1):111]; m
}
chiang_se <- function(t, d) {
  n <- length(d); i <- seq_len(n - 1)
  term <- numeric(n)
  term[i] <- ifelse(d[i] > 0, t$l[i]^2 * ((1 - t$a[i]) + t$e[i + 1])^2 * t$q[i]^2 * (1 - t$q[i]) / d[i], 0)
  term[n] <- if (d[n] > 0) t$l[n]^2 * t$e[n]^2 / d[n] else 0
  sqrt(rev(cumsum(rev(term)))) / t$l
}
one_year <- function(yr) {
  set.seed(seed * 10000 + yr)
  sexes <- c("Female", "Male")
  d <- lapply(sexes, function(s) D[D$Year == yr, s]); e <- lapply(sexes, function(s) E[E$Year == yr, s])
  Y <- hmd_y(d[[1]], d[[2]])
  obs <- lapply(1:2, function(k) table_of(rates(d[[k]], e[[k]], Y), sexes[k]))
  draws <- array(NA_real_, c(K, 111, 2))
  for (r in 1:K) {
    dd <- lapply(d, function(x) rpois(length(x), x))
    Yr <- hmd_y(dd[[1]], dd[[2]])
    for (k in 1:2) {
      m <- rates(dd[[k]], e[[k]], Yr)
      if (m[111] > 0) draws[r, , k] <- table_of(m, sexes[k])$e
    }
  }
  out <- lapply(1:2, function(k) {
    q <- apply(draws[, , k], 2, quantile, c(.025, .975), na.rm = TRUE, names = FALSE)
    se <- chiang_se(obs[[k]], d[[k]]); ex <- obs[[k]]$e
    data.frame(year = yr, sex = tolower(sexes[k]), age = 0:110, ex = ex, ex_chiang_se = se,
               ex_chiang_lower = ex - qnorm(.975) * se, ex_chiang_upper = ex + qnorm(.975) * se,
               ex_sim_se = apply(draws[, , k], 2, sd, na.rm = TRUE), ex_sim_lower = q[1, ], ex_sim_upper = q[2, ])
  })
  gap <- draws[, 1, 1] - draws[, 1, 2]
  list(table = do.call(rbind, out),
       gap = data.frame(year = yr, gap = obs[[1]]$e[1] - obs[[2]]$e[1],
                        lower = quantile(gap, .025, na.rm = TRUE), upper = quantile(gap, .975, na.rm = TRUE)))
}
t0 <- proc.time()[["elapsed"]]
years <- sort(unique(D$Year))
res <- parallel::mclapply(years, one_year, mc.cores = 2)
long <- do.call(rbind, lapply(res, `[[`, "table"))
write.csv(long, out_csv, row.names = FALSE)
el <- proc.time()[["elapsed"]] - t0
cat(sprintf("R: %d years x 2 sexes, %d draws, smoothing %s: %.2f s\n", length(years), K, smooth, el))
