# Peer for `dimorph refint estimate --method kosmic --percentiles LOWER,UPPER`: tidykosmic's own
# quantile function (qboxcox in R/kosmic_math.R of github:divinenephron/tidykosmic, commit bd92f4a,
# which its quantile(fit, probs) method applies to the fit's lambda, mean and sd) evaluated on the
# fits kosmic.R recorded (tests/peers/kosmic.out.csv: kosmic run once on refineR's five test cases
# and tidykosmic's haemoglobin data) at the 1/99, 2.5/97.5 and 5/95 % percentiles. kosmic's fit does
# not depend on the percentiles read from it, so this is what quantile(kosmic(x, decimals), probs)
# gives; tidykosmic itself (C++, Rcpp, dplyr, ggplot2) is not installed on this machine, so its R
# file is read from the git mirror and evaluated, not installed. The 2.5/97.5 rows must repeat
# kosmic.out.csv's limits (a check that the recorded parameters and this function are the fit's).
# Run from the repository root (TIDYKOSMIC_GIT: a clone or bare git dir of tidykosmic):
#   TIDYKOSMIC_GIT=/work/.mirror/divinenephron+tidykosmic/repo Rscript crates/dimorph-refint/tests/peers/kosmic_percentiles.R
# Writes tests/peers/kosmic_percentiles.out.csv (case, percentile, point, lambda, mu, sigma).
git <- Sys.getenv("TIDYKOSMIC_GIT", "/work/.mirror/divinenephron+tidykosmic/repo")
eval(parse(text = system2("git", c(paste0("--git-dir=", git), "show", "bd92f4a:R/kosmic_math.R"), stdout = TRUE)))
dir <- "crates/dimorph-refint/tests/peers"
fits <- read.csv(file.path(dir, "kosmic.out.csv"))
perc <- c(0.01, 0.025, 0.05, 0.95, 0.975, 0.99)
rows <- list()
for (k in seq_len(nrow(fits))) {
  f <- fits[k, ]
  q <- qboxcox(perc, f$mu, f$sigma, f$lambda)
  stopifnot(abs(q[2] / f$lower - 1) < 1e-12, abs(q[5] / f$upper - 1) < 1e-12)
  rows[[k]] <- data.frame(case = f$case, percentile = perc, point = q, lambda = f$lambda, mu = f$mu,
    sigma = f$sigma)
}
out <- do.call(rbind, rows)
print(out)
write.csv(out, file.path(dir, "kosmic_percentiles.out.csv"), row.names = FALSE)
cat("R", R.version.string, "tidykosmic R/kosmic_math.R at bd92f4a\n")
