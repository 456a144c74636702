# Independent check of dimorph's Chiang intervals for e(x) (crates/dimorph-lifetable/src/uncertainty.rs).
#
# Builds HMD period life tables (Methods Protocol v6, observed rates, no Kannisto smoothing:
# m = D/E; a0 by Andreev & Kingkade 2015; a = 0.5 elsewhere; q = m/(1 + (1 - a)m); open group
# q = 1, a = 1/m) from the bundled HMD files in base R, then Chiang's (1984) variance
#   var(e_x) = sum_{x <= i < w} l_i^2 [(1 - a_i) + e_{i+1}]^2 q_i^2 (1 - q_i) / D_i / l_x^2
#            + l_w^2 e_w^2 / D_w / l_x^2          (open group: Silcocks, Jenner & Reza 2001)
# and the 95% normal intervals e_x -/+ qnorm(0.975) se. Written from the formulas, sharing no code
# with dimorph.
#
# Run from the repository root:  Rscript crates/dimorph-lifetable/tests/peers/chiang.R
# Output: crates/dimorph-lifetable/tests/peers/chiang.csv (year, sex, age, ex, se, lower, upper).

read_hmd <- function(path) {
  x <- read.table(path, skip = 2, header = TRUE, stringsAsFactors = FALSE, na.strings = ".")
  x$Age <- as.integer(sub("+", "", x$Age, fixed = TRUE))
  x
}
D <- read_hmd("data/hmd/USA/USA.Deaths_1x1.txt")
E <- read_hmd("data/hmd/USA/USA.Exposures_1x1.txt")

a0_ak <- function(m0, sex) {
  if (sex == "Male") {
    if (m0 >= 0.08307) 0.29915 else if (m0 >= 0.0230) 0.02832 + 3.26021 * m0 else 0.14929 - 1.99545 * m0
  } else {
    if (m0 >= 0.06891) 0.31411 else if (m0 >= 0.01724) 0.04667 + 3.88089 * m0 else 0.14903 - 2.05527 * m0
  }
}

chiang <- function(year, sex) {
  d <- D[D$Year == year, sex]
  e <- E[E$Year == year, sex]
  age <- D$Age[D$Year == year]
  n <- length(d)
  m <- d / e
  a <- rep(0.5, n)
  a[1] <- a0_ak(m[1], sex)
  a[n] <- 1 / m[n]
  q <- m / (1 + (1 - a) * m)
  q[n] <- 1
  l <- cumprod(c(1, 1 - q[-n]))
  dx <- l * q
  L <- c(l[-1] + a[-n] * dx[-n], l[n] / m[n])
  ex <- rev(cumsum(rev(L))) / l
  term <- numeric(n)
  i <- seq_len(n - 1)
  term[i] <- ifelse(d[i] > 0, l[i]^2 * ((1 - a[i]) + ex[i + 1])^2 * q[i]^2 * (1 - q[i]) / d[i], 0)
  term[n] <- if (d[n] > 0) l[n]^2 * ex[n]^2 / d[n] else 0
  se <- sqrt(rev(cumsum(rev(term)))) / l
  z <- qnorm(0.975)
  data.frame(year = year, sex = tolower(sex), age = age, ex = ex, se = se,
             lower = ex - z * se, upper = ex + z * se)
}

cases <- list(c(2010, "Female"), c(2010, "Male"), c(1950, "Male"), c(1933, "Female"))
out <- do.call(rbind, lapply(cases, function(c) chiang(as.integer(c[1]), c[2])))
write.csv(out, "crates/dimorph-lifetable/tests/peers/chiang.csv", row.names = FALSE)
cat(sprintf("%s\n", R.version.string))
print(out[out$age %in% c(0, 65, 100, 110), ], digits = 10)
