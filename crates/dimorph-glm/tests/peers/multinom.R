# Peer values for the multinomial (baseline-category) logit, crates/dimorph-glm/tests/multinom.rs.
# Run once from the repository root after polr.R (which writes the data), with R 4.2.2 and
# nnet 7.3 (Debian r-cran-nnet):
#   Rscript crates/dimorph-glm/tests/peers/multinom.R
# Writes crates/dimorph-glm/tests/peers/multinom.csv: model, quantity, level, term, value.
#
# nnet::multinom stops at its own tolerance (reltol 1e-8 by default); here it is converged tightly
# (reltol = 1e-14, abstol = 1e-300, maxit = 10000) and then polished by Newton steps on the exact
# gradient and Hessian of the multinomial log-likelihood written below (stopped when the largest
# gradient component is below 1e-10), so the coefficients are the maximum to ~1e-10. The standard
# errors are multinom's own (summary(), from its analytic Hessian at the polished estimates), and
# the logLik/deviance/AIC are recomputed at the polished estimates and checked against multinom's.
suppressMessages(library(nnet))
options(digits = 17)

out <- data.frame(model = character(), quantity = character(), level = character(),
                  term = character(), value = numeric())
add <- function(model, quantity, level, term, value)
  out <<- rbind(out, data.frame(model = model, quantity = quantity, level = level, term = term,
                                value = value))

loglik <- function(B, X, Y, w) {             # B: p x (K-1); Y: n x K indicator, column 1 = ref
  E <- cbind(0, X %*% B)
  lse <- apply(E, 1, function(e) max(e) + log(sum(exp(e - max(e)))))
  sum(w * (rowSums(Y * E) - lse))
}
newton <- function(B, X, Y, w) {
  p <- ncol(X); K1 <- ncol(B)
  for (it in 1:50) {
    E <- cbind(0, X %*% B); P <- exp(E - apply(E, 1, max)); P <- P / rowSums(P)
    G <- crossprod(X, w * (Y[, -1, drop = FALSE] - P[, -1, drop = FALSE]))
    if (max(abs(G)) < 1e-10) break
    H <- matrix(0, p * K1, p * K1)
    for (a in 1:K1) for (b in 1:K1) {
      wab <- w * P[, a + 1] * ((a == b) - P[, b + 1])
      H[(a - 1) * p + 1:p, (b - 1) * p + 1:p] <- crossprod(X, wab * X)
    }
    B <- B + matrix(solve(H, as.vector(G)), p, K1)
  }
  B
}

fit_one <- function(model, formula, data, w, ref) {
  data$resp <- relevel(data$resp, ref = ref); data$.w <- w
  fit <- multinom(formula, data = data, weights = .w, reltol = 1e-14, abstol = 1e-300,
                  maxit = 10000, trace = FALSE, Hess = TRUE)
  X <- model.matrix(delete.response(terms(formula)), data)
  Y <- model.matrix(~ resp - 1, data)
  B0 <- t(coef(fit)); if (is.null(dim(B0))) B0 <- matrix(B0, ncol = 1)
  B <- newton(B0, X, Y, w)
  cat(model, ": multinom vs Newton-polished max |diff|", max(abs(B - B0)), "\n")
  # standard errors: multinom's analytic Hessian at its own (tightly converged) estimates
  ll <- loglik(B, X, Y, w)
  stopifnot(abs(ll - as.numeric(logLik(fit))) < 1e-6)
  V <- solve(fit$Hessian)                     # at multinom's own estimates (differ ~1e-7)
  se <- sqrt(diag(V))
  lev <- levels(data$resp)[-1]
  p <- ncol(X)
  for (a in seq_along(lev)) for (j in 1:p) {
    add(model, "estimate", lev[a], colnames(X)[j], B[j, a])
    add(model, "se", lev[a], colnames(X)[j], se[(a - 1) * p + j])
  }
  add(model, "loglik", "", "", ll)
  add(model, "deviance", "", "", -2 * ll)
  add(model, "aic", "", "", -2 * ll + 2 * length(B))
  null <- multinom(resp ~ 1, data = data, weights = .w, reltol = 1e-14, abstol = 1e-300,
                   maxit = 10000, trace = FALSE)
  add(model, "null_deviance", "", "", deviance(null))
}

hh <- read.csv("data/housing.csv", stringsAsFactors = TRUE)
hh$resp <- factor(hh$Sat, levels = c("Low", "Medium", "High"))
fit_one("housing_ref_Low", resp ~ Infl + Type + Cont, hh, hh$Freq, "Low")
fit_one("housing_ref_High", resp ~ Infl + Type + Cont, hh, hh$Freq, "High")
ss <- read.csv("crates/dimorph-glm/tests/peers/ordinal_sim.csv", stringsAsFactors = TRUE)
ss$resp <- factor(ss$y)
fit_one("sim_ref_1", resp ~ x1 + x2 + g, ss, rep(1, nrow(ss)), "1")
fit_one("sim_ref_3", resp ~ x1 + x2 + g, ss, rep(1, nrow(ss)), "3")
write.csv(out, "crates/dimorph-glm/tests/peers/multinom.csv", row.names = FALSE)
print(out[out$quantity %in% c("loglik", "null_deviance"), ])
