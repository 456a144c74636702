# Peer values for `--percentiles` and `--outliers` of refint estimate (methods direct, parametric,
# robust; crates/dimorph-refint/tests/direct_methods.rs, percentiles_and_outliers_match_peers):
# referenceIntervals 1.3.1's refLimit() on its own example sets (data/refint/referenceintervals_set*.csv)
#   * with refConf = 0.90 and 0.80 (the 5/95 and 10/90 % percentiles), RI = "p", "n", "r"
#     (default out.method = "horn", out.rm = FALSE: the data are not changed);
#   * with out.method = "horn" and "dixon" (dixon: n <= 30 only), out.rm = TRUE and FALSE, at the
#     default refConf = 0.95: the flagged values and the limits after the removal; as Dixon's test
#     flags nothing in set20, also on set20 with the value 80 appended (set "20+80").
# Bootstrap intervals (RI = "r"; RI = "n" for n < 120) are random and not written. refLimit's
# rank-based intervals (RI = "n", n >= 120) come from the CLSI table for the 2.5th percentile
# whatever refConf is, so for other percentiles the order-statistic intervals are computed here
# from R's binomial quantiles instead (qbinom; ranks r = qbinom(0.05, n, p), s = qbinom(0.95, n, p) + 1,
# the upper limit's mirrored with 1 - p). An asymmetric pair (1 and 90 %) is computed with base R
# (mean + qnorm(p) * sd; quantile(type = 6)), which referenceIntervals cannot do.
# Run (from the repository root):
#   R_LIBS=/tmp/acc15/Rlib Rscript crates/dimorph-refint/tests/peers/percentiles_outliers.R \
#     > crates/dimorph-refint/tests/peers/percentiles_outliers.out.csv
suppressMessages(library(referenceIntervals))
g <- function(v) if (length(v) == 0) "" else paste(sprintf("%.17g", v), collapse = ";")
cat("# referenceIntervals", as.character(packageVersion("referenceIntervals")), "outliers",
    as.character(packageVersion("outliers")), R.version.string, "\n")
cat("case,set,method,p_lower,p_upper,out_method,out_rm,n,lower,upper,ci_ll_low,ci_ll_upp,ci_ul_low,ci_ul_upp,outliers\n")
row <- function(case, k, m, pl, pu, om, rm, n, lim, ci, out) {
  if (is.null(ci)) ci <- rep(NA, 4)
  cat(case, k, m, pl, pu, om, rm, n, g(lim[1]), g(lim[2]), g(ci[1]), g(ci[2]), g(ci[3]), g(ci[4]), g(sort(out)),
      sep = ","); cat("\n")
}
ranks_ci <- function(x, pl, pu) {
  v <- sort(x); n <- length(v)
  r <- max(1, qbinom(0.05, n, pl)); s <- qbinom(0.95, n, pl) + 1
  r2 <- max(1, qbinom(0.05, n, 1 - pu)); s2 <- qbinom(0.95, n, 1 - pu) + 1
  c(v[r], v[s], v[n + 1 - s2], v[n + 1 - r2])
}
quiet <- function(expr) { capture.output(r <- suppressWarnings(expr)); r }
for (k in c("20", "50", "120", "200", "20+80")) {
  x <- read.csv(sprintf("data/refint/referenceintervals_set%s.csv", sub("[+].*", "", k)))$value
  if (k == "20+80") x <- c(x, 80)
  if (k != "20+80") for (conf in c(0.90, 0.80)) {
    pl <- (1 - conf) / 2; pu <- 1 - pl
    for (m in c("p", "n", "r")) {
      set.seed(1)
      rr <- quiet(refLimit(x, RI = m, refConf = conf))
      ci <- if (m == "p") rr$Conf_Int else if (m == "n" && length(x) >= ceiling(log(0.05) / log(1 - pl)) + 1) ranks_ci(x, pl, pu) else NULL
      row("percentiles", k, m, 100 * pl, 100 * pu, "none", FALSE, rr$size, rr$Ref_Int, ci, numeric(0))
    }
  }
  # an asymmetric pair, base R: 1 % and 90 %
  if (k != "20+80") row("asymmetric", k, "p", 1, 90, "none", FALSE, length(x), mean(x) + qnorm(c(0.01, 0.90)) * sd(x),
      c(mean(x) + qnorm(0.01) * sd(x) + c(-1, 1) * qnorm(0.95) * sd(x) * sqrt(1 / length(x) + qnorm(0.01)^2 / (2 * length(x))),
        mean(x) + qnorm(0.90) * sd(x) + c(-1, 1) * qnorm(0.95) * sd(x) * sqrt(1 / length(x) + qnorm(0.90)^2 / (2 * length(x)))),
      numeric(0))
  if (length(x) >= 99) row("asymmetric", k, "n", 1, 90, "none", FALSE, length(x), quantile(x, c(0.01, 0.90), type = 6),
      if (length(x) >= ceiling(log(0.05) / log(1 - 0.01)) + 1) ranks_ci(x, 0.01, 0.90) else NULL, numeric(0))
  for (om in c("horn", "dixon")) {
    if (om == "dixon" && length(x) > 30) next
    for (rm in c(FALSE, TRUE)) for (m in c("p", "n", "r")) {
      if (m == "n" && rm && length(x) < 40) next
      set.seed(1)
      rr <- quiet(refLimit(x, out.method = om, out.rm = rm, RI = m))
      ci <- if (m == "p" || (m == "n" && rr$size >= 120)) rr$Conf_Int else NULL
      row("outliers", k, m, 2.5, 97.5, om, rm, rr$size, rr$Ref_Int, ci, as.numeric(rr$outliers))
    }
  }
}
