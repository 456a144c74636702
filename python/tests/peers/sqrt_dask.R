# Peer values for python/tests/test_dask_sqrt.py: R 4.2.2's glm(y_pois ~ x1 + offset(log(t)),
# family = poisson(link = "sqrt")) on the test's 240,000 rows (conftest.dask_frame(240000)).
# R refuses eta <= 0 on this link (make.link("sqrt")$valideta). Make the data, then run R, from the
# repository root:
#   python -c "import sys; sys.path.insert(0, 'python/tests'); from conftest import dask_frame; \
#     dask_frame(240000)[['y_pois', 'x1', 't']].to_csv('/tmp/dask240k.csv', index=False, float_format='%.17g')"
#   Rscript python/tests/peers/sqrt_dask.R /tmp/dask240k.csv   -> python/tests/peers/sqrt_dask.csv
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
out <- list()
put <- function(case, quantity, value = NA, text = "") {
  out[[length(out) + 1]] <<- data.frame(case = case, quantity = quantity, value = value, text = text)
}
fitr <- function(case, start) {
  ws <- character(0)
  f <- withCallingHandlers(tryCatch(glm(y_pois ~ x1 + offset(log(t)), family = poisson(link = "sqrt"), data = d,
                                        start = start, control = ctl), error = function(e) conditionMessage(e)),
    warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") })
  if (is.character(f)) { put(case, "error", text = f); return(invisible()) }
  put(case, "coef:(Intercept)", coef(f)[[1]]); put(case, "coef:x1", coef(f)[[2]])
  put(case, "deviance", deviance(f)); put(case, "min_eta", min(f$linear.predictors))
  put(case, "boundary", as.numeric(f$boundary))
  tab <- table(ws)
  for (w in names(tab)) put(case, "warning", as.numeric(tab[[w]]), w)
}
fitr("default_start", NULL)
fitr("start_1.5_0.1", c(1.5, 0.1))
fitr("start_2_0", c(2, 0))
# the maximum over the closed range {eta >= 0}: eta = 0 on one row j with y = 0
# (b0 = -b1 x1_j - log t_j), the slope by optimize() on that line, the best feasible j among the
# 400 rows with y = 0 that come lowest in x1 + log(t) / b1 for slopes near the estimates
off <- log(d$t)
dev <- function(b) { e <- b[1] + b[2] * d$x1 + off; sum(poisson()$dev.resids(d$y_pois, e^2, rep(1, nrow(d)))) }
zero <- which(d$y_pois == 0)
cand <- unique(unlist(lapply(c(0.1, 0.14, 0.2), function(s) zero[order(s * d$x1[zero] + off[zero])[1:400]])))
best <- c(Inf, NA, NA)
for (j in cand) {
  o <- optimize(function(s) dev(c(-s * d$x1[j] - off[j], s)), c(0, 1), tol = 1e-12)
  b <- c(-o$minimum * d$x1[j] - off[j], o$minimum)
  if (all(b[1] + b[2] * d$x1 + off >= -1e-12) && o$objective < best[1]) best <- c(o$objective, b)
}
put("closed_max", "deviance", best[1])
put("closed_max", "coef:(Intercept)", best[2])
put("closed_max", "coef:x1", best[3])
write.csv(do.call(rbind, out), "python/tests/peers/sqrt_dask.csv", row.names = FALSE)
cat(R.version.string, "\n")
