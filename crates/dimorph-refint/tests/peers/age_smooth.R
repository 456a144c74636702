# Peer values for crates/dimorph-refint/tests/age_smooth.rs: R's own LOESS (stats::loess, R 4.2.2)
# of the sliding-window limits over age, as `dimorph refint age --smooth loess` computes it.
#
# Input: age_smooth_windows.csv, the windows of
#   dimorph refint age --data crates/dimorph-refint/tests/peers/lms_gamlss_data.csv \
#     --value CREA --age Age --by Sex --window 10 --step 5 --format csv
# (reflimR's method per window; the Rust test recomputes these windows and checks that they are
# the ones given here, so both smooth the same numbers).
# Each curve (lower, median, upper) of each sex is smoothed over the windows' middle ages with
# the windows' sizes as prior weights, by
#   loess(y ~ mid, weights = n, span, degree, family = "gaussian",
#         control = loess.control(surface = "direct"))
# (surface = "direct": the exact local fit at every age, no kd-tree interpolation) and predicted
# at every window's middle age within the range of the estimated ones.
# Run from the repository root:  Rscript crates/dimorph-refint/tests/peers/age_smooth.R
dir <- "crates/dimorph-refint/tests/peers"
w <- read.csv(file.path(dir, "age_smooth_windows.csv"))
w$mid <- (w$from + w$to) / 2
cases <- list(
  list(case = "span0.75_deg2", span = 0.75, degree = 2),
  list(case = "span0.4_deg1", span = 0.4, degree = 1),
  list(case = "span1.5_deg2", span = 1.5, degree = 2),
  list(case = "span0.6_deg0", span = 0.6, degree = 0)
)
out <- NULL
for (cs in cases) for (sex in c("f", "m")) for (curve in c("lower", "median", "upper")) {
  g <- w[w$group == sex, ]
  s <- g[!is.na(g$lower) & !is.na(g[[curve]]), ]
  fit <- loess(as.formula(paste(curve, "~ mid")), data = s, weights = n, span = cs$span,
               degree = cs$degree, family = "gaussian",
               control = loess.control(surface = "direct"))
  at <- g$mid[g$mid >= min(s$mid) & g$mid <= max(s$mid)]
  p <- predict(fit, newdata = data.frame(mid = at))
  out <- rbind(out, data.frame(case = cs$case, span = cs$span, degree = cs$degree, group = sex,
                               curve = curve, mid = at, smooth = sprintf("%.17g", p)))
}
write.csv(out, file.path(dir, "age_smooth.out.csv"), row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")
