# Peer values for Lahti's criteria (crates/dimorph-refint/tests/partition_and_errors.rs,
# lahti_proportions_equal_the_peers): reflimR 1.1.0's limits of livertests' CREA pooled and per sex,
# and each sex's share outside each common limit, Gaussian (pnorm of the group's reflimR normal
# model, on the log scale where reflimR takes the values as log-normal) and counted (values equal
# to a limit count half). Lahti et al., Clin Chem 2002;48:338-52 and 2004;50:891-900.
# Run: R_LIBS=<lib with reflimR> Rscript crates/dimorph-refint/tests/peers/lahti.R \
#        > crates/dimorph-refint/tests/peers/lahti.out.csv
suppressMessages(library(reflimR))
d <- read.csv("data/refint/reflimr_livertests.csv")
d <- d[!is.na(d$CREA) & !is.na(d$Sex), ]
# unrounded limits and stats (reflimR rounds both by default); its warning that the women's
# truncated sample (182) is below n.min = 200, so n.min is set to 40, is silenced
fit <- function(x) suppressWarnings(reflim(x, plot.it = FALSE, apply.rounding = FALSE))
pooled <- fit(d$CREA)
common <- unname(pooled$limits[1:2])
out <- data.frame()
for (s in sort(unique(d$Sex))) {
  x <- d$CREA[d$Sex == s]
  r <- fit(x)
  # the normal model: mean and sd (reflimR's truncated_qqplot: limits = mean -/+ 1.96 sd); on the
  # log scale it rounds meanlog and sdlog to 3 decimals after computing the limits, so they are
  # taken back from the unrounded limits there
  tr <- if (isTRUE(r$lognormal)) log else identity
  ends <- tr(unname(r$limits[1:2]))
  m <- if (isTRUE(r$lognormal)) mean(ends) else unname(r$stats[1])
  sdv <- if (isTRUE(r$lognormal)) diff(ends) / (2 * 1.96) else unname(r$stats[2])
  for (i in 1:2) {
    c0 <- common[i]
    lower <- i == 1
    counted <- (sum(if (lower) x < c0 else x > c0) + 0.5 * sum(x == c0)) / length(x)
    z <- (tr(c0) - m) / sdv
    gauss <- if (lower) pnorm(z) else pnorm(z, lower.tail = FALSE)
    g <- function(v) sprintf("%.17g", v)
    out <- rbind(out, data.frame(limit = if (lower) "lower" else "upper", common = g(c0), group = s,
      lognormal = isTRUE(r$lognormal), counted_pct = g(100 * counted), gaussian_pct = g(100 * gauss)))
  }
}
cat("# ", R.version.string, ", reflimR ", as.character(packageVersion("reflimR")), "\n", sep = "")
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
