# Peer values for Firth's penalised logistic regression (crates/dimorph-glm/tests/firth.rs), from
# R's logistf 1.26.1 (Heinze et al.; built from github.com/georgheinze/logistf, not on Debian:
# R CMD INSTALL of its source, formula.tools dropped from Imports — only flic() uses it).
# Writes, from the repository root,
#   crates/dimorph-glm/tests/peers/firth_sex2.csv       logistf's data set sex2 (urinary tract
#       infection in 239 college women, all covariates 0/1; logistf documents its source as
#       Cytel, https://cytel.com/ — the LogXact manual's example), written with write.csv
#   crates/dimorph-glm/tests/peers/firth_sexagg.csv     logistf's sexagg: sex2 aggregated, COUNT
#   crates/dimorph-glm/tests/peers/firth_separated.csv  a small completely separated set (y = 1
#       exactly when x > 6) with a binary g and an offset column off
#   crates/dimorph-glm/tests/peers/firth.csv      per case and coefficient: estimate, se(coef),
#       profile penalised-likelihood limits, penalised LR chisq and p (logistf's summary)
#   crates/dimorph-glm/tests/peers/firth_fit.csv  per case: penalised log-likelihood (full, null),
#       the global penalised LR test, its df and n
#   and, in firth.csv, the profile limits from the definition (lower_def, upper_def): uniroot
#       on max over the other coefficients of the penalised log-likelihood (nlm from two starts,
#       gradtol 1e-12) minus its value at the estimate plus qchisq(1 - alpha, 1) / 2 — on the
#       separated data logistf's Venzon–Moolgavkar iteration stops at a local maximum of the
#       constrained fit (upper limit of x: 3.0255 where the profile is still 0.024 above the cut;
#       the definition gives 3.0480); prof_lower/prof_upper: that profile minus the cut at
#       logistf's own limits (0 when logistf is at the profile).
# The iterations run to 1e-12 (logistf's defaults stop at 1e-5) so that the values are those at
# the maximum and at the exact profile limits.
# Run: R_LIBS=<where logistf is installed> Rscript crates/dimorph-glm/tests/peers/firth.R
library(logistf)
dir <- "crates/dimorph-glm/tests/peers"
data(sex2); data(sexagg)
write.csv(sex2, file.path(dir, "firth_sex2.csv"), row.names = FALSE, quote = FALSE)
write.csv(sexagg[, c("case", "age", "oc", "vic", "vicl", "vis", "dia", "COUNT")],
          file.path(dir, "firth_sexagg.csv"), row.names = FALSE, quote = FALSE)
sep <- data.frame(x = 1:12, g = rep(c(0, 1), 6), y = as.numeric(1:12 > 6))
sep$off <- 0.25 * sep$x - 1.5
write.csv(sep, file.path(dir, "firth_separated.csv"), row.names = FALSE, quote = FALSE)

ctl <- logistf.control(maxit = 1000, lconv = 1e-12, gconv = 1e-12, xconv = 1e-12)
plc <- logistpl.control(maxit = 1000, lconv = 1e-12, xconv = 1e-12)
cases <- list(
  sex2 = list(f = case ~ age + oc + vic + vicl + vis + dia, d = sex2, alpha = 0.05),
  sexagg_count = list(f = case ~ age + oc + vic + vicl + vis + dia, d = sexagg, alpha = 0.05, w = TRUE),
  separated = list(f = y ~ x + g, d = sep, alpha = 0.05),
  separated_90 = list(f = y ~ x + g, d = sep, alpha = 0.10),
  separated_offset = list(f = y ~ g + offset(off), d = sep, alpha = 0.05)
)
# the penalised log-likelihood from its definition: l(b) + 0.5 log det(X' W X)
pll <- function(b, X, y, w, off) {
  eta <- as.vector(X %*% b) + off; p <- 1 / (1 + exp(-eta))
  v <- sum(w * (y * plogis(eta, log.p = TRUE) + (1 - y) * plogis(-eta, log.p = TRUE))) +
    0.5 * determinant(t(X) %*% ((w * p * (1 - p)) * X))$modulus[1]
  if (is.finite(v)) v else -1e10
}
profile_def <- function(v, j, X, y, w, off, est) {
  f <- function(o) { b <- numeric(ncol(X)); b[j] <- v; b[-j] <- o; -pll(b, X, y, w, off) }
  g <- glm.fit(X[, -j, drop = FALSE], y, weights = w, offset = off + v * X[, j], family = binomial())
  starts <- list(est[-j], pmax(pmin(ifelse(is.finite(g$coefficients), g$coefficients, 0), 30), -30))
  best <- -Inf
  for (s in starts) {
    r <- tryCatch(suppressWarnings(nlm(f, s, gradtol = 1e-12, steptol = 1e-14, iterlim = 1000)), error = function(e) NULL)
    if (!is.null(r)) best <- max(best, -r$minimum)
  }
  best
}
coefs <- list(); fits <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  fit <- if (isTRUE(cs$w)) {
    logistf(cs$f, data = cs$d, weights = COUNT, alpha = cs$alpha, control = ctl, plcontrol = plc)
  } else {
    logistf(cs$f, data = cs$d, alpha = cs$alpha, control = ctl, plcontrol = plc)
  }
  mf <- model.frame(cs$f, cs$d); X <- model.matrix(cs$f, cs$d); y <- model.response(mf)
  off <- if (is.null(model.offset(mf))) rep(0, nrow(X)) else model.offset(mf)
  w <- if (isTRUE(cs$w)) cs$d$COUNT else rep(1, nrow(X))
  cut <- fit$loglik["full"] - qchisq(1 - cs$alpha, 1) / 2
  est <- fit$coefficients; se <- sqrt(diag(fit$var))
  pd <- function(v, j) profile_def(v, j, X, y, w, off, est) - cut
  lim <- t(sapply(seq_along(est), function(j) c(
    uniroot(pd, c(est[j] - 2 * se[j], est[j]), j = j, tol = 1e-12, extendInt = "upX", maxiter = 5000)$root,
    uniroot(pd, c(est[j], est[j] + 2 * se[j]), j = j, tol = 1e-12, extendInt = "downX", maxiter = 5000)$root,
    pd(fit$ci.lower[j], j), pd(fit$ci.upper[j], j))))
  coefs[[name]] <- data.frame(case = name, term = names(fit$coefficients), estimate = fit$coefficients,
                              se = sqrt(diag(fit$var)), lower = fit$ci.lower, upper = fit$ci.upper,
                              chisq = qchisq(1 - fit$prob, 1), p = fit$prob,
                              lower_def = lim[, 1], upper_def = lim[, 2], prof_lower = lim[, 3], prof_upper = lim[, 4])
  lr <- -2 * (fit$loglik["null"] - fit$loglik["full"])
  fits[[name]] <- data.frame(case = name, loglik_full = fit$loglik["full"], loglik_null = fit$loglik["null"],
                             lr = lr, df = fit$df, p = 1 - pchisq(lr, fit$df), n = fit$n)
}
write.csv(do.call(rbind, coefs), file.path(dir, "firth.csv"), row.names = FALSE)
write.csv(do.call(rbind, fits), file.path(dir, "firth_fit.csv"), row.names = FALSE)
