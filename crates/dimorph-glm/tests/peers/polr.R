# Peer values for the cumulative link (ordinal) model, crates/dimorph-glm/tests/ordinal.rs.
# Run once from the repository root with R 4.2.2 and MASS 7.3 (Debian r-cran-mass):
#   Rscript crates/dimorph-glm/tests/peers/polr.R
# Writes
#   data/housing.csv                              MASS::housing (Madsen 1976; Venables & Ripley,
#                                                 MASS 4th ed., §7.3), 72 cells with frequencies
#   crates/dimorph-glm/tests/peers/ordinal_sim.csv  250 seeded rows (numeric y in 1..4, x1, x2, g)
#   crates/dimorph-glm/tests/peers/polr.csv        model, quantity, term, value
#
# Fits: MASS::polr converged tightly (optim BFGS with reltol 1e-15, maxit 10000; Hess = TRUE).
# polr's convention: logit P(Y <= j) = zeta_j - eta. polr's standard errors come from optim's
# finite-difference Hessian (observed information), so they agree to about 1e-6 only.
#
# The score test of the proportional-odds (parallel lines) assumption is computed here from its
# definition (SAS/STAT User's Guide, PROC LOGISTIC / SURVEYLOGISTIC "Testing the Parallel Lines
# Assumption"; Peterson & Harrell 1990): the general cumulative model
#   g(P(Y <= d | x)) = alpha_d + x' beta_d,  d = 1..D,
# its score vector U and expected (Fisher) information I evaluated at the constrained MLE
# (alpha_d = zeta_d, beta_d = -beta_polr for every d), chi2 = U' I^-1 U on k (D - 1) df. SAS's
# default TECHNIQUE=FISHER uses the expected information.
suppressMessages(library(MASS))
options(digits = 17)

h <- MASS::housing
write.csv(data.frame(Sat = as.character(h$Sat), Infl = as.character(h$Infl),
                     Type = as.character(h$Type), Cont = as.character(h$Cont), Freq = h$Freq),
          "data/housing.csv", row.names = FALSE, quote = FALSE)

set.seed(20261126)
n <- 250
x1 <- round(rnorm(n), 4)
x2 <- round(runif(n, 0, 2), 4)
g <- sample(c("a", "b", "c"), n, replace = TRUE)
lat <- 0.8 * x1 - 0.6 * x2 + ifelse(g == "b", 0.5, ifelse(g == "c", -0.4, 0)) + rlogis(n)
y <- as.integer(cut(lat, c(-Inf, -1.2, 0, 1.1, Inf)))
sim <- data.frame(y = y, x1 = x1, x2 = x2, g = g)
write.csv(sim, "crates/dimorph-glm/tests/peers/ordinal_sim.csv", row.names = FALSE, quote = FALSE)

cdf <- list(logistic = plogis, probit = pnorm,
            cloglog = function(x) -expm1(-exp(x)))
pdf <- list(logistic = dlogis, probit = dnorm,
            cloglog = function(x) exp(x - exp(x)))

# U' I^-1 U of the general (non-parallel) cumulative model at the parallel fit.
po_score <- function(fit, X, y, w, method) {
  Fd <- cdf[[method]]; fd <- pdf[[method]]
  zeta <- fit$zeta; beta <- coef(fit)
  D <- length(zeta); K <- D + 1; n <- nrow(X); k <- ncol(X)
  Z <- cbind(1, X)                       # (1, x) per cut
  eta <- drop(X %*% beta)
  U <- numeric(D * (k + 1)); I <- matrix(0, D * (k + 1), D * (k + 1))
  for (i in 1:n) {
    gam <- zeta - eta[i]                 # alpha_d + x' beta_d at the constrained fit
    Fc <- c(0, Fd(gam), 1); pi <- diff(Fc)
    dpi <- matrix(0, K, D * (k + 1))     # d pi_c / d theta
    for (d in 1:D) {
      idx <- (d - 1) * (k + 1) + 1:(k + 1)
      dpi[d, idx] <- dpi[d, idx] + fd(gam[d]) * Z[i, ]
      dpi[d + 1, idx] <- dpi[d + 1, idx] - fd(gam[d]) * Z[i, ]
    }
    U <- U + w[i] * dpi[y[i], ] / pi[y[i]]
    I <- I + w[i] * crossprod(dpi / sqrt(pi))
  }
  # sanity: the score in the constrained directions is zero at the constrained MLE
  A <- matrix(0, D * (k + 1), D + k)
  for (d in 1:D) { idx <- (d - 1) * (k + 1); A[idx + 1, d] <- 1; A[idx + 1 + 1:k, D + 1:k] <- diag(k) }
  stopifnot(max(abs(crossprod(A, U))) < 1e-5)
  chi2 <- drop(t(U) %*% solve(I, U))
  c(chi2 = chi2, df = k * (D - 1), p = pchisq(chi2, k * (D - 1), lower.tail = FALSE))
}

out <- data.frame(model = character(), quantity = character(), term = character(), value = numeric())
add <- function(model, quantity, term, value)
  out <<- rbind(out, data.frame(model = model, quantity = quantity, term = term, value = value))

record <- function(model, fit, X, y, w, method) {
  s <- summary(fit)$coefficients
  for (t in rownames(s)) {
    add(model, "estimate", t, s[t, 1]); add(model, "se", t, s[t, 2])
  }
  add(model, "loglik", "", as.numeric(logLik(fit)))
  add(model, "deviance", "", deviance(fit))
  add(model, "aic", "", AIC(fit))
  sc <- po_score(fit, X, y, w, method)
  add(model, "po_score_chi2", "", sc[["chi2"]]); add(model, "po_score_df", "", sc[["df"]])
  add(model, "po_score_p", "", sc[["p"]])
  # likelihood-ratio test against the thresholds-only model
  null <- polr(update(formula(fit), . ~ 1), data = fit$model0, weights = fit$w0, method = method,
               control = list(reltol = 1e-15, maxit = 10000))
  add(model, "null_deviance", "", deviance(null))
}

hh <- read.csv("data/housing.csv", stringsAsFactors = TRUE)
hh$Sat <- factor(hh$Sat, levels = c("Low", "Medium", "High"))
for (m in c("logistic", "probit", "cloglog")) {
  fit <- polr(Sat ~ Infl + Type + Cont, data = hh, weights = Freq, method = m, Hess = TRUE,
              control = list(reltol = 1e-15, maxit = 10000))
  fit$model0 <- hh; fit$w0 <- hh$Freq
  X <- model.matrix(~ Infl + Type + Cont, hh)[, -1]
  record(paste0("housing_", m), fit, X, as.integer(hh$Sat), hh$Freq, m)
}
ss <- read.csv("crates/dimorph-glm/tests/peers/ordinal_sim.csv", stringsAsFactors = TRUE)
ss$yf <- factor(ss$y)
for (m in c("logistic", "probit", "cloglog")) {
  fit <- polr(yf ~ x1 + x2 + g, data = ss, method = m, Hess = TRUE,
              control = list(reltol = 1e-15, maxit = 10000))
  fit$model0 <- ss; fit$w0 <- rep(1, nrow(ss))
  X <- model.matrix(~ x1 + x2 + g, ss)[, -1]
  record(paste0("sim_", m), fit, X, as.integer(ss$yf), rep(1, nrow(ss)), m)
}
write.csv(out, "crates/dimorph-glm/tests/peers/polr.csv", row.names = FALSE)
print(out[out$quantity %in% c("loglik", "po_score_chi2", "po_score_p"), ])
