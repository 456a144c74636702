# Peer for crates/dimorph-glm/tests/formula_r.rs: R's model.matrix for the formulas in
# model_matrix/formulas.csv on the bundled data, and for model_matrix/predict_formulas.csv a
# Poisson glm on data/crabs.csv (tight convergence), its coefficients, the design of
# model_matrix/newdata.csv (through the terms' predvars, as predict() builds it: poly
# coefficients, spline knots and scale centres from the fitting data) and the link predictions
# X_new %*% coef (see the note at predict() below).
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/model_matrix.R
# (R 4.2.2, splines and stats from base R). Columns named in `factors` are made factors first,
# as C() in R needs a factor. Rows 1, 8, 15, … are written (the bases use all rows).
library(splines)
dir <- "crates/dimorph-glm/tests/peers/model_matrix"
num <- function(v) trimws(formatC(v, digits = 17, format = "g"))
long <- function(case, m, rows) {
  do.call(rbind, lapply(seq_along(colnames(m)), function(j)
    data.frame(case = case, row = rows, column = j, name = colnames(m)[j], value = num(m[rows, j]))))
}
prep <- function(d, factors) {
  for (f in strsplit(factors, " ")[[1]]) d[[f]] <- factor(d[[f]])
  d
}
cases <- read.csv(file.path(dir, "formulas.csv"), stringsAsFactors = FALSE, na.strings = character())
out <- list()
for (i in seq_len(nrow(cases))) {
  d <- prep(read.csv(file.path("data", cases$data[i]), stringsAsFactors = TRUE), cases$factors[i])
  m <- model.matrix(as.formula(cases$formula[i]), d)
  out[[i]] <- long(cases$case[i], m, seq(1, nrow(m), by = 7))
}
write.csv(do.call(rbind, out), file.path(dir, "model_matrix.csv"), row.names = FALSE, quote = TRUE)

pred <- read.csv(file.path(dir, "predict_formulas.csv"), stringsAsFactors = FALSE, na.strings = character())
crabs <- read.csv("data/crabs.csv")
new <- read.csv(file.path(dir, "newdata.csv"))
coefs <- list(); xs <- list(); preds <- list()
for (i in seq_len(nrow(pred))) {
  d <- prep(crabs, pred$factors[i]); nd <- prep(new, pred$factors[i])
  fit <- glm(as.formula(pred$formula[i]), family = poisson, data = d,
             control = glm.control(epsilon = 1e-14, maxit = 100))
  cf <- coef(fit)
  coefs[[i]] <- data.frame(case = pred$case[i], name = names(cf), value = num(cf))
  tt <- delete.response(terms(fit))
  # Not predict(fit, nd): its model.frame(…, xlev = fit$xlevels) re-factors C(color, sum) and
  # drops the sum contrasts ("contrasts dropped from factor"), so R's own predictions would use
  # treatment columns with sum-coded coefficients. newdata.csv has every level of the fit, in
  # the same order, so the frame needs no xlev; the predvars still carry what the bases learned.
  for (f in strsplit(pred$factors[i], " ")[[1]]) stopifnot(identical(levels(nd[[f]]), levels(d[[f]])))
  x <- suppressWarnings(model.matrix(tt, model.frame(tt, nd)))
  stopifnot(identical(colnames(x), names(cf)))
  xs[[i]] <- long(pred$case[i], x, seq_len(nrow(x)))
  eta <- drop(x %*% cf)
  preds[[i]] <- data.frame(case = pred$case[i], row = seq_along(eta), eta = num(eta))
}
write.csv(do.call(rbind, coefs), file.path(dir, "fit_coef.csv"), row.names = FALSE)
write.csv(do.call(rbind, xs), file.path(dir, "newdata_x.csv"), row.names = FALSE)
write.csv(do.call(rbind, preds), file.path(dir, "predict.csv"), row.names = FALSE)
