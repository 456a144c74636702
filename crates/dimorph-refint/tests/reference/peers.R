# Reference values for dimorph-refint's tests, computed by the R peers:
#   reflimR 1.1.0 (CRAN, Hoffmann et al.), referenceIntervals 1.3.1 (CRAN, Finnegan).
# Run: Rscript crates/dimorph-refint/tests/reference/peers.R [data dir]
# (with both packages installed, e.g. via R CMD INSTALL into a library on .libPaths(); the values
# in the tests were computed with the CRAN sources of reflimR 1.1.0 and referenceIntervals 1.3.1
# (with outliers 0.15 and extremevalues 2.4.1) from the public GitHub mirror of CRAN, R 4.2.2).
# The printed values are copied, with this script named as their source, into tests/*.rs.
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) > 0) args[1] else "data/refint"
lib <- Sys.getenv("R_PEER_LIB"); if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
suppressMessages({library(reflimR); library(referenceIntervals)})
cat("# reflimR", as.character(packageVersion("reflimR")),
    "referenceIntervals", as.character(packageVersion("referenceIntervals")), R.version.string, "\n")
options(digits = 15)
lt <- read.csv(file.path(dir, "reflimr_livertests.csv"))
tv <- read.csv(file.path(dir, "reflimr_targetvalues.csv"))
an <- c("ALB", "ALT", "AST", "BIL", "CHE", "CREA", "GGT", "PROT")
cat("## reflim: analyte,sex,lognormal,n_total,n_trunc,lower,upper,lower_raw,upper_raw,mean_raw,sd_raw,ci_ll_low,ci_ll_upp,ci_ul_low,ci_ul_upp,perc_norm,interp_lower,interp_upper,tol_ll_low,tol_ll_upp,tol_ul_low,tol_ul_upp\n")
for (a in an) for (s in c("all", "f", "m")) {
  x <- if (s == "all") lt[[a]] else lt[[a]][lt$Sex == s]
  x <- x[!is.na(x)]
  tg <- NULL
  if (s != "all") { r <- tv[tv$analyte == a, ]; tg <- c(r[[paste0("ll.", ifelse(s == "f", "female", "male"))]], r[[paste0("ul.", ifelse(s == "f", "female", "male"))]]) }
  r1 <- suppressWarnings(reflim(x, targets = tg, plot.it = FALSE))
  r0 <- suppressWarnings(reflim(x, plot.it = FALSE, apply.rounding = FALSE))
  ci <- conf_int95(length(x), r0$limits[1], r0$limits[2], lognormal = r0$lognormal, apply.rounding = FALSE)
  it <- if (is.null(tg)) c(NA, NA) else r1$interpretation
  cat(paste(a, s, r1$lognormal, r1$stats[3], r1$stats[4], r1$limits[1], r1$limits[2],
            format(r0$limits[1], digits = 15), format(r0$limits[2], digits = 15),
            format(r0$stats[1], digits = 15), format(r0$stats[2], digits = 15),
            paste(format(ci[1:4], digits = 15), collapse = ","), r1$perc.norm,
            it[1], it[2], paste(r1$limits[3:6], collapse = ","), sep = ","), "\n")
}
cat("## bowley: analyte,bs_lin,bs_log\n")
for (a in an) { x <- lt[[a]][!is.na(lt[[a]])]; cat(a, format(bowley(x), digits = 15), format(bowley(log(x)), digits = 15), "\n", sep = ",") }
cat("## permissible_uncertainty (unrounded): quantity,lower.lim.low,lower.lim.upp,upper.lim.low,upper.lim.upp\n")
t1 <- read.csv(file.path(dir, "haeckel2016_table1.csv"))
for (i in seq_len(nrow(t1))) cat(t1$quantity[i], paste(format(permissible_uncertainty(t1$rl1[i], t1$rl2[i], apply.rounding = FALSE), digits = 15), collapse = ","), "\n", sep = ",")
cat("## referenceIntervals: set,method,lower,upper,ci1,ci2,ci3,ci4,horn_outliers\n")
for (k in c(20, 50, 120, 200)) {
  x <- read.csv(file.path(dir, sprintf("referenceintervals_set%d.csv", k)))$value
  for (m in c("p", "n", "r")) {
    set.seed(1)
    r <- suppressWarnings(capture.output(rr <- refLimit(x, RI = m)))
    ci <- if (m == "n" && k >= 120 || m == "p") format(rr$Conf_Int, digits = 15) else rep(NA, 4)
    cat(k, m, format(rr$Ref_Int, digits = 15), ci, paste(format(sort(rr$outliers), digits = 15), collapse = ";"), "\n", sep = ",")
  }
  if (length(x) <= 30) {
    dt <- outliers::dixon.test(x)
    cat(k, "dixon", dt$statistic, dt$p.value, dt$alternative, "\n", sep = ",")
  }
  b <- MASS::boxcox(lm(x ~ 1, y = TRUE), plotit = FALSE)
  cat(k, "boxcox_grid_lambda", b$x[which.max(b$y)], "\n", sep = ",")
}
# partition test: permissible_uncertainty(54.5705975262797, 80.1914043175029, apply.rounding = FALSE)
# (reflimR 1.1.0 limits of CREA, women) -> 52.3153076147842 56.8258874377752 77.1235215513056 83.2592870837002
