#!/usr/bin/env Rscript
# Peer check of `dimorph lifetable decompose` (crates/dimorph-lifetable/tests/decompose_peer.rs).
#
# Input: the rates dimorph decomposed for the USA 2010 female - male gap, by age and cause
# (decompose_rates.csv, written by
#   dimorph lifetable decompose --hmd data/hmd/USA --year 2010 --causes data/usa_2010_cod.csv --out DIR
# as DIR/decomposition_rates.csv). From them, independently of dimorph:
#   * the HMD-style life table (a = n/2 except a0, open group closed with a = 1/m), written here;
#   * Arriaga's age contributions, written here from Preston, Heuveline & Guillot (2001) eq. 3.11,
#     shared out by cause in proportion to the cause-specific rate differences;
#   * DemoDecomp::horiuchi (Riffe's R package, Horiuchi, Wilmoth & Pletcher 2008) with N = 20, of
#     e0, e-dagger, Gini and SD, as functions of c(cause-specific rates by age, a0);
#   * DemoDecomp::stepwise_replacement of e0 by age (all causes) as a second reference for the
#     age pattern (it is a different method: compared for its sum only).
# Output: decompose_arriaga.csv, decompose_horiuchi.csv, decompose_stepwise.csv beside this file.
#
# Run from the repository root:  Rscript crates/dimorph-lifetable/tests/peers/decompose.R
# (R 4.2, DemoDecomp 1.14.1 built from github.com/timriffe/DemoDecomp).

suppressMessages(library(DemoDecomp))
here <- "crates/dimorph-lifetable/tests/peers"
r <- read.csv(file.path(here, "decompose_rates.csv"), stringsAsFactors = FALSE)

causes <- unique(r$cause)
ages <- sort(unique(r$age))
n <- length(ages)
w <- c(diff(ages), Inf)
side <- function(s) {
  d <- r[r$side == s, ]
  m <- sapply(causes, function(c) d$mx[d$cause == c][order(d$age[d$cause == c])])
  a0 <- d$ax[d$age == 0][1]
  c(as.vector(m), a0)   # cause-major, then a0
}
p_first <- side("first")     # females
p_second <- side("second")   # males (Arriaga's reference, the start of the path)

lifetable <- function(p) {
  g <- length(causes)
  m <- rowSums(matrix(p[1:(g * n)], nrow = n))
  a <- w / 2
  a[1] <- p[g * n + 1]
  a[n] <- 1 / m[n]
  q <- pmin(w * m / (1 + (w - a) * m), 1)
  q[n] <- 1
  l <- 1e5 * cumprod(c(1, 1 - q[-n]))
  d <- l * q
  L <- c(w[-n] * l[-1] + a[-n] * d[-n], l[n] / m[n])
  Tx <- rev(cumsum(rev(L)))
  list(m = m, a = a, l = l, d = d, L = L, T = Tx, e = Tx / l)
}

# the variation measures as dimorph defines them (src/variation.rs): e-dagger with e at the mean
# age at death in each group; the Gini from the integral of l^2 (l linear within a closed group,
# exponential in the open one); the SD of age at death with the within-group variance
# (n^2/12 closed, 1/m^2 open)
measures <- function(p) {
  t <- lifetable(p)
  l0 <- t$l[1]
  e_at <- c(t$e[-n] + t$a[-n] / w[-n] * (t$e[-1] - t$e[-n]), t$e[n])
  edag <- sum(t$d * e_at) / l0
  l1 <- c(t$l[-1], 0)
  il2 <- c(w[-n] * (t$l[-n]^2 + t$l[-n] * l1[-n] + l1[-n]^2) / 3, t$l[n]^2 / (2 * t$m[n]))
  gini <- 1 - sum(il2) / (l0^2 * t$e[1])
  x <- ages + t$a
  vin <- c(w[-n]^2 / 12, 1 / t$m[n]^2)
  mu <- sum(t$d * x) / l0
  sd <- sqrt(sum(t$d * (x^2 + vin)) / l0 - mu^2)
  c(e = t$e[1], e_dagger = edag, gini = gini, sd = sd)
}

# Arriaga (PHG 2001, eq. 3.11), table 1 = second (reference), table 2 = first
t1 <- lifetable(p_second)
t2 <- lifetable(p_first)
l0 <- t1$l[1]
direct <- t1$l / l0 * (t2$L / t2$l - t1$L / t1$l)
indirect <- c(t2$T[-1] / l0 * (t1$l[-n] / t2$l[-n] - t1$l[-1] / t2$l[-1]), 0)
arr <- direct + indirect
arr[n] <- t1$l[n] / l0 * (t2$T[n] / t2$l[n] - t1$T[n] / t1$l[n])
g <- length(causes)
m1 <- matrix(p_second[1:(g * n)], nrow = n)
m2 <- matrix(p_first[1:(g * n)], nrow = n)
dm <- m2 - m1
share <- dm / rowSums(dm)
out_arr <- data.frame(
  age = rep(ages, times = g),
  cause = rep(causes, each = n),
  contribution = sprintf("%.17g", as.vector(arr * share))
)
write.csv(out_arr, file.path(here, "decompose_arriaga.csv"), row.names = FALSE, quote = TRUE)
cat(sprintf("Arriaga: e0 %.6f - %.6f = %.6f; sum of contributions %.6f\n",
            t2$e[1], t1$e[1], t2$e[1] - t1$e[1], sum(arr)))

# Horiuchi et al. through DemoDecomp, N = 20
rows <- list()
for (k in c("e", "e_dagger", "gini", "sd")) {
  f <- function(p) measures(p)[[k]]
  h <- horiuchi(f, p_second, p_first, N = 20)
  cause <- c(rep(causes, each = n), "a(0)")
  age <- c(rep(ages, times = g), 0)
  rows[[k]] <- data.frame(measure = k, age = age, cause = cause, contribution = sprintf("%.17g", h))
  cat(sprintf("horiuchi %s: difference %.8f, sum %.8f\n", k, f(p_first) - f(p_second), sum(h)))
}
write.csv(do.call(rbind, rows), file.path(here, "decompose_horiuchi.csv"), row.names = FALSE, quote = TRUE)

# stepwise replacement (Andreev, Shkolnikov & Begun 2002) of e0 by age, all causes, a0 fixed last
e0_all <- function(p) lifetable(c(p[1:n], rep(0, (g - 1) * n), p[n + 1]))$e[1]
pa1 <- c(rowSums(m1), p_second[g * n + 1])
pa2 <- c(rowSums(m2), p_first[g * n + 1])
sw <- stepwise_replacement(e0_all, pa1, pa2, symmetrical = TRUE, direction = "up")
write.csv(data.frame(age = c(ages, NA), parameter = c(rep("mx", n), "a0"), contribution = sprintf("%.17g", sw)),
          file.path(here, "decompose_stepwise.csv"), row.names = FALSE, quote = TRUE)
cat(sprintf("stepwise: sum %.8f\n", sum(sw)))
