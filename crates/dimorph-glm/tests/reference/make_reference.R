# Independent reference values for the dimorph GLM engine, computed with R (stats::glm, MASS).
#
# Run from this directory:   Rscript make_reference.R
# Reads   ../../../../data/{snoring,crabs,insurance,crabs_weighted}.csv  (insurance.csv and
#         crabs_weighted.csv are (re)written by this script first, from MASS::Insurance and crabs.csv)
# Writes  r_reference.json  (every number printed with sprintf("%.17g"): exact binary64 round trip)
#
# See README.md next to this file for what each model is and which conventions the numbers follow.

options(warn = 1)  # print each warning where it happens
suppressPackageStartupMessages({
  library(MASS)      # glm.nb, negative.binomial, confint.glm (profile likelihood), gamma.shape, Insurance
  library(numDeriv)  # numerical Hessian, used only to cross-check the analytic observed information
})

args <- commandArgs(trailingOnly = FALSE)
script_dir <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)][1])))
setwd(script_dir)
data_dir <- normalizePath(file.path(script_dir, "..", "..", "..", "..", "data"))

# ----------------------------------------------------------------------------------------------
# Minimal JSON writer with full precision (jsonlite 1.8 prints at most 15 significant digits).
# Named list -> object; unnamed list -> array; arr(x) -> array even when length(x) == 1;
# numeric/integer/logical scalar -> number/bool; character -> string; NA/NaN/Inf -> null.
# ----------------------------------------------------------------------------------------------
arr <- function(x) structure(list(v = x), class = "jarr")
num1 <- function(x) {
  if (is.logical(x)) return(if (is.na(x)) "null" else if (x) "true" else "false")
  if (is.character(x)) return(if (is.na(x)) "null" else jstr(x))
  if (!is.finite(x)) return("null")
  if (is.integer(x)) return(sprintf("%d", x))
  if (x == round(x) && abs(x) < 1e15) return(sprintf("%.0f", x))
  sprintf("%.17g", x)
}
jstr <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  s <- gsub("\n", "\\\\n", s)
  paste0("\"", s, "\"")
}
to_json <- function(x, ind = "") {
  ind2 <- paste0(ind, "  ")
  if (inherits(x, "jarr")) {
    v <- unname(x$v)
    return(paste0("[", paste(vapply(seq_along(v), function(i) num1(v[[i]]), ""), collapse = ", "), "]"))
  }
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    if (is.null(names(x))) {
      items <- vapply(x, to_json, "", ind = ind2)
      return(paste0("[\n", ind2, paste(items, collapse = paste0(",\n", ind2)), "\n", ind, "]"))
    }
    items <- mapply(function(k, v) paste0(jstr(k), ": ", to_json(v, ind2)), names(x), x)
    return(paste0("{\n", ind2, paste(items, collapse = paste0(",\n", ind2)), "\n", ind, "}"))
  }
  x <- unname(x)
  if (length(x) == 1) return(num1(x))
  to_json(arr(x), ind)
}

first5 <- function(v) arr(unname(v)[seq_len(min(5, length(v)))])

# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
snoring <- read.csv(file.path(data_dir, "snoring.csv"))
crabs <- read.csv(file.path(data_dir, "crabs.csv"))

# MASS::Insurance exported with integer codes (1..4) so that C(group) and C(age) in dimorph's
# formula syntax give the same treatment coding (first level = reference) as R's factors here.
data(Insurance, package = "MASS")
ins_out <- data.frame(
  district = as.integer(Insurance$District),
  group = as.integer(Insurance$Group),   # 1 "<1l", 2 "1-1.5l", 3 "1.5-2l", 4 ">2l"
  age = as.integer(Insurance$Age),       # 1 "<25", 2 "25-29", 3 "30-35", 4 ">35"
  holders = Insurance$Holders,
  claims = Insurance$Claims)
write.csv(ins_out, file.path(data_dir, "insurance.csv"), row.names = FALSE, quote = FALSE)

# crabs with two derived columns: y = 1 if the female has any satellite, w = spine (1..3) used as
# a deterministic prior weight (frequency weight) for the weighted-logistic reference model.
cw_out <- crabs
cw_out$y <- as.integer(crabs$satell > 0)
cw_out$w <- crabs$spine
write.csv(cw_out, file.path(data_dir, "crabs_weighted.csv"), row.names = FALSE, quote = FALSE)

insurance <- read.csv(file.path(data_dir, "insurance.csv"))
crabs_w <- read.csv(file.path(data_dir, "crabs_weighted.csv"))
stopifnot(nrow(snoring) == 4, nrow(crabs) == 173, nrow(insurance) == 64, nrow(crabs_w) == 173)

# ----------------------------------------------------------------------------------------------
# Observed information (the negative Hessian of the log-likelihood in beta) -- SAS GENMOD's
# default covariance. Analytic formula for a GLM with prior weights a_i and dispersion phi:
#   -d2l/dbeta2 = X' diag(a_i/phi * [ mu'^2/V - (y-mu) * (mu''/V - mu'^2 V'/V^2) ]) X
# where mu' = dmu/deta, mu'' = d2mu/deta2, V = V(mu), V' = dV/dmu. For a canonical link the
# bracket reduces to mu'^2/V (observed == expected information).
# Cross-checked against numDeriv::hessian of the full log-likelihood (max rel. diff recorded).
# ----------------------------------------------------------------------------------------------
mu_eta2 <- function(link, eta) {
  switch(link,
    identity = rep(0, length(eta)),
    log = exp(eta),
    logit = { p <- plogis(eta); p * (1 - p) * (1 - 2 * p) },
    probit = -eta * dnorm(eta),
    cloglog = { e <- exp(eta); e * exp(-e) * (1 - e) },
    inverse = 2 / eta^3,
    stop("no second derivative for link ", link))
}
var_deriv <- function(fam, mu, theta = NULL) {
  switch(fam,
    binomial = , quasibinomial = list(V = mu * (1 - mu), dV = 1 - 2 * mu),
    poisson = , quasipoisson = list(V = mu, dV = rep(1, length(mu))),
    Gamma = list(V = mu^2, dV = 2 * mu),
    negbin = list(V = mu + mu^2 / theta, dV = 1 + 2 * mu / theta),
    stop("no variance for family ", fam))
}
observed_info <- function(fit, fam, phi = 1, theta = NULL) {
  X <- model.matrix(fit)
  eta <- fit$linear.predictors
  mu <- fit$fitted.values
  y <- fit$y
  a <- fit$prior.weights
  link <- fit$family$link
  m1 <- fit$family$mu.eta(eta)
  m2 <- mu_eta2(link, eta)
  vd <- var_deriv(fam, mu, theta)
  wobs <- a / phi * (m1^2 / vd$V - (y - mu) * (m2 / vd$V - m1^2 * vd$dV / vd$V^2))
  crossprod(X, X * wobs)
}
loglik_fun <- function(fit, fam, phi = 1, theta = NULL) {
  X <- model.matrix(fit)
  off <- if (is.null(fit$offset)) 0 else fit$offset
  y <- fit$y
  a <- fit$prior.weights
  linkinv <- fit$family$linkinv
  function(b) {
    mu <- linkinv(drop(X %*% b) + off)
    switch(fam,
      binomial = sum(dbinom(round(a * y), round(a), mu, log = TRUE)),
      poisson = sum(a * dpois(y, mu, log = TRUE)),
      Gamma = sum(a * dgamma(y, shape = 1 / phi, scale = mu * phi, log = TRUE)),
      negbin = sum(a * dnbinom(y, size = theta, mu = mu, log = TRUE)))
  }
}
observed_block <- function(fit, fam, phi = 1, theta = NULL, note = NULL) {
  I_obs <- observed_info(fit, fam, phi, theta)
  H_num <- numDeriv::hessian(loglik_fun(fit, fam, phi, theta), coef(fit),
                            method.args = list(d = 1e-4, r = 4))
  cov_obs <- solve(I_obs)
  rel <- max(abs(I_obs + H_num)) / max(abs(I_obs))
  out <- list(
    method = "analytic observed information X' diag(a/phi*(mu'^2/V - (y-mu)(mu''/V - mu'^2 V'/V^2))) X at the MLE; checked against numDeriv::hessian (Richardson) of the full log-likelihood",
    dispersion_used = phi,
    se = arr(sqrt(diag(cov_obs))),
    cov = lapply(seq_len(nrow(cov_obs)), function(i) arr(cov_obs[i, ])),
    z = arr(coef(fit) / sqrt(diag(cov_obs))),
    max_rel_diff_vs_numDeriv = rel)
  if (!is.null(note)) out$note <- note
  out
}

# ----------------------------------------------------------------------------------------------
# Per-term tests
# ----------------------------------------------------------------------------------------------
wald_terms <- function(fit) {
  asg <- attr(model.matrix(fit), "assign")
  labs <- attr(terms(fit), "term.labels")
  V <- vcov(fit)
  b <- coef(fit)
  if (length(labs) == 0) return(list())
  lapply(seq_along(labs), function(k) {
    idx <- which(asg == k)
    chi <- drop(t(b[idx]) %*% solve(V[idx, idx, drop = FALSE], b[idx]))
    list(term = labs[k], df = length(idx), chisq = chi,
         p = pchisq(chi, length(idx), lower.tail = FALSE))
  })
}
drop1_table <- function(fit, test = "LRT") {
  d <- tryCatch(drop1(fit, test = test), error = function(e) NULL)
  if (is.null(d)) return(NULL)
  rows <- lapply(seq_len(nrow(d)), function(i) {
    r <- list(term = trimws(rownames(d)[i]))
    for (nm in colnames(d)) r[[nm]] <- unname(d[i, nm])
    r
  })
  list(test = test, columns = arr(colnames(d)), rows = rows)
}

# Exact profile-likelihood limits by root finding: for coefficient j fixed at b, refit the other
# coefficients (glm.fit with offset b * x_j) and solve
#   (D(b) - D(beta-hat)) / phi = qnorm(0.975)^2
# on each side (phi = 1 for binomial/Poisson/negative binomial, else summary()'s dispersion -- the
# same statistic MASS profiles, but without MASS's spline interpolation of the profile).
# The refits walk outwards from the MLE in steps of se/4 (each refit starts from the previous
# one's coefficients), then uniroot() brackets the crossing to ~1e-13 relative.
profile_exact <- function(fit, level = 0.95) {
  X <- model.matrix(fit)
  y <- fit$y
  wt <- fit$prior.weights
  off <- if (is.null(fit$offset)) rep(0, length(y)) else fit$offset
  fam <- fit$family
  phi <- summary(fit)$dispersion
  b_hat <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  dev0 <- fit$deviance
  crit <- qnorm(1 - (1 - level) / 2)^2
  failures <- character(0)
  # profile deviance at coefficient j = b, refit started at `start`; returns list(g, coef)
  prof <- function(j, b, start) {
    if (ncol(X) == 1) {
      mu <- fam$linkinv(off + b * X[, 1])
      return(list(g = (sum(fam$dev.resids(y, mu, wt)) - dev0) / phi - crit, coef = numeric(0)))
    }
    f <- suppressWarnings(glm.fit(X[, -j, drop = FALSE], y, weights = wt, offset = off + b * X[, j],
                                  family = fam, start = start,
                                  control = glm.control(epsilon = 1e-13, maxit = 500)))
    if (!f$converged || !f$boundary %in% FALSE) stop("profile refit did not converge at b = ", b)
    mu <- f$fitted.values
    if (min(mu) < 1e-7 * mean(mu) || (fam$family %in% c("binomial", "quasibinomial") && max(mu) > 1 - 1e-7))
      stop("the constrained maximum at b = ", b, " lies on the boundary of the mean space (a fitted mean reaches 0 or 1), so the profile is not a smooth interior maximum")
    list(g = (f$deviance - dev0) / phi - crit, coef = f$coefficients)
  }
  side <- function(j, s) {
    start <- b_hat[-j]
    b_in <- b_hat[j]
    step <- se[j] / 4
    for (k in 1:400) {
      b <- b_in + s * step
      r <- tryCatch(prof(j, b, start), error = function(e) conditionMessage(e))
      if (is.character(r)) {
        if (step > se[j] / 1000) { step <- step / 2; next }  # retry closer to the last good refit
        failures <<- c(failures, sprintf("%s, %s limit: %s", names(b_hat)[j],
                                         if (s < 0) "lower" else "upper", r))
        return(NA_real_)
      }
      if (r$g > 0) break
      b_in <- b; start <- r$coef
      step <- step * 1.25
    }
    if (r$g <= 0) return(NA_real_)
    st <- start
    uniroot(function(bb) prof(j, bb, st)$g, sort(c(b_in, b)),
            tol = 1e-13 * max(1, abs(b_hat[j])), maxiter = 200)$root
  }
  lims <- t(vapply(seq_along(b_hat), function(j) c(side(j, -1), side(j, 1)), c(0, 0)))
  attr(lims, "failures") <- failures
  lims
}

ci_block <- function(fit) {
  prof <- tryCatch(suppressMessages(MASS:::confint.glm(fit, level = 0.95)),
                   error = function(e) conditionMessage(e))
  wald <- confint.default(fit, level = 0.95)
  pe <- profile_exact(fit)
  res <- list(wald_lower = arr(wald[, 1]), wald_upper = arr(wald[, 2]),
              profile_exact_lower = arr(pe[, 1]), profile_exact_upper = arr(pe[, 2]))
  if (length(attr(pe, "failures")) > 0) res$profile_exact_failures <- as.list(attr(pe, "failures"))
  if (is.character(prof)) {
    res$profile_error <- prof
  } else {
    prof <- matrix(prof, ncol = 2)
    res$profile_lower <- arr(prof[, 1])
    res$profile_upper <- arr(prof[, 2])
  }
  res
}

# ----------------------------------------------------------------------------------------------
# One record per glm fit
# ----------------------------------------------------------------------------------------------
record <- function(fit, data_file, formula_r, formula_dimorph, start_note = NULL, observed = NULL,
                   extra = NULL) {
  s <- summary(fit)
  cf <- s$coefficients
  fam <- fit$family$family
  quasi <- grepl("^quasi", fam)
  pear <- sum(residuals(fit, type = "pearson")^2)
  ll <- if (quasi) NA_real_ else as.numeric(logLik(fit))
  out <- list(
    data = data_file,
    formula_r = formula_r,
    formula_dimorph = formula_dimorph,
    family = fam,
    link = fit$family$link,
    n = length(fit$y),
    start = if (is.null(start_note)) "R default (mustart from the family's initialize)" else start_note,
    converged = fit$converged,
    iterations = fit$iter,
    control = list(epsilon = fit$control$epsilon, maxit = fit$control$maxit),
    coef_names = arr(rownames(cf)),
    coef = arr(cf[, 1]),
    se = arr(cf[, 2]),
    stat_name = colnames(cf)[3],
    stat = arr(cf[, 3]),
    p_name = colnames(cf)[4],
    p = arr(cf[, 4]),
    vcov = lapply(seq_len(nrow(vcov(fit))), function(i) arr(vcov(fit)[i, ])),
    deviance = fit$deviance,
    null_deviance = fit$null.deviance,
    df_residual = fit$df.residual,
    df_null = fit$df.null,
    pearson_chisq = pear,
    loglik = ll,
    aic = if (quasi) NA_real_ else AIC(fit),
    bic = if (quasi) NA_real_ else BIC(fit),
    r_aic_field = fit$aic,
    loglik_sas_kernel = loglik_kernel(fit),
    dispersion = s$dispersion,
    ci = ci_block(fit),
    y_first5 = first5(fit$y),
    prior_weights_first5 = first5(fit$prior.weights),
    linear_predictor_first5 = first5(fit$linear.predictors),
    fitted_first5 = first5(fitted(fit)),
    resid_response_first5 = first5(residuals(fit, type = "response")),
    resid_pearson_first5 = first5(residuals(fit, type = "pearson")),
    resid_deviance_first5 = first5(residuals(fit, type = "deviance")),
    resid_working_first5 = first5(residuals(fit, type = "working")),
    hat_first5 = first5(hatvalues(fit)),
    rstandard_deviance_first5 = first5(rstandard(fit, type = "deviance")),
    rstandard_pearson_first5 = first5(rstandard(fit, type = "pearson")),
    cooks_first5 = first5(cooks.distance(fit)),
    wald_terms = wald_terms(fit),
    drop1 = drop1_table(fit, "LRT"))
  if (quasi) out$drop1_F <- drop1_table(fit, "F")
  if (!is.null(observed)) out$observed_information <- observed
  c(out, extra)
}

# SAS GENMOD's "Log Likelihood" row: the kernel without terms free of mu (binomial: no log C(n,y);
# Poisson: no -log y!). NA for other families.
loglik_kernel <- function(fit) {
  y <- fit$y; mu <- fit$fitted.values; a <- fit$prior.weights
  switch(fit$family$family,
    binomial = sum(a * (ifelse(y > 0, y * log(mu), 0) + ifelse(y < 1, (1 - y) * log(1 - mu), 0))),
    poisson = sum(a * (ifelse(y > 0, y * log(mu), 0) - mu)),
    NA_real_)
}

models <- list()

# ---- 1. snoring: binomial with five links, and the intercept-only model ----------------------
f_sn <- cbind(disease, total - disease) ~ snoring
fd_sn <- "cbind(disease, total - disease) ~ snoring"
logit <- glm(f_sn, family = binomial(link = "logit"), data = snoring)
models$snoring_logit <- record(logit, "snoring.csv", deparse(f_sn), fd_sn)

for (lk in c("probit", "cloglog")) {
  fit <- glm(f_sn, family = binomial(link = lk), data = snoring)
  models[[paste0("snoring_", lk)]] <- record(fit, "snoring.csv", deparse(f_sn), fd_sn,
    observed = observed_block(fit, "binomial"))
}
# identity and log: mustart = fitted proportions of the logit fit (R's default start can leave
# the parameter space for these links); the MLE does not depend on the start.
mu_logit <- fitted(logit)
for (lk in c("identity", "log")) {
  fit <- glm(f_sn, family = binomial(link = lk), data = snoring, mustart = mu_logit)
  models[[paste0("snoring_", lk)]] <- record(fit, "snoring.csv", deparse(f_sn), fd_sn,
    start_note = "mustart = fitted(logit fit) (fitted proportions of snoring_logit)",
    observed = observed_block(fit, "binomial"))
}
null_sn <- glm(cbind(disease, total - disease) ~ 1, family = binomial, data = snoring)
models$snoring_null <- record(null_sn, "snoring.csv", "cbind(disease, total - disease) ~ 1",
  "cbind(disease, total - disease) ~ 1")

# ---- 2. crabs Poisson ------------------------------------------------------------------------
pl <- glm(satell ~ width, family = poisson, data = crabs)
models$crabs_poisson_log <- record(pl, "crabs.csv", "satell ~ width", "satell ~ width")
pid <- glm(satell ~ width, family = poisson(link = "identity"), data = crabs,
           mustart = fitted(pl))
models$crabs_poisson_identity <- record(pid, "crabs.csv", "satell ~ width", "satell ~ width",
  start_note = "mustart = fitted(crabs_poisson_log)",
  observed = observed_block(pid, "poisson"))
pq <- glm(satell ~ width + I(width^2), family = poisson, data = crabs)
models$crabs_poisson_quadratic <- record(pq, "crabs.csv", "satell ~ width + I(width^2)",
  "satell ~ width + I(width^2)")

# ---- 3. crabs Gamma: weight (g) ~ width (cm) ------------------------------------------------
gshape_note <- "phi = 1/shape with shape = MASS::gamma.shape(fit)$alpha (ML estimate of the shape given mu-hat, as SAS GENMOD's scale parameter for DIST=GAMMA); beta and the shape are orthogonal at the MLE, so these are the beta-block SEs"
gl <- glm(weight ~ width, family = Gamma(link = "log"), data = crabs)
gs_l <- MASS::gamma.shape(gl)
models$crabs_gamma_log <- record(gl, "crabs.csv", "weight ~ width", "weight ~ width",
  observed = observed_block(gl, "Gamma", phi = 1 / gs_l$alpha, note = gshape_note),
  extra = list(
    observed_information_pearson_dispersion = observed_block(gl, "Gamma",
      phi = summary(gl)$dispersion, note = "phi = R's Pearson dispersion estimate"),
    gamma_shape_ml = list(alpha = gs_l$alpha, se = gs_l$SE)))
gi <- glm(weight ~ width, family = Gamma(link = "inverse"), data = crabs)
gs_i <- MASS::gamma.shape(gi)
models$crabs_gamma_inverse <- record(gi, "crabs.csv", "weight ~ width", "weight ~ width",
  extra = list(gamma_shape_ml = list(alpha = gs_i$alpha, se = gs_i$SE)))

# ---- 4. negative binomial --------------------------------------------------------------------
nb_msgs <- character(0)
nb <- withCallingHandlers(MASS::glm.nb(satell ~ width, data = crabs, control = glm.control(trace = 1)),
  message = function(m) { nb_msgs <<- c(nb_msgs, conditionMessage(m)); invokeRestart("muffleMessage") })
nb_outer <- sum(grepl("^Theta\\(", nb_msgs))
nb <- MASS::glm.nb(satell ~ width, data = crabs)  # same fit, untraced (the trace would echo in confint)
nb_obs <- observed_block(nb, "negbin", theta = nb$theta,
  note = "beta block with theta fixed at its MLE (log link is not canonical for the negative binomial)")
# Joint observed information in (beta, k = 1/theta) -- SAS GENMOD DIST=NEGBIN reports k ("Dispersion").
nb_X <- model.matrix(nb)
nb_ll_joint <- function(p) {
  b <- p[seq_len(ncol(nb_X))]
  k <- p[ncol(nb_X) + 1]
  sum(dnbinom(nb$y, size = 1 / k, mu = exp(drop(nb_X %*% b)), log = TRUE))
}
H_joint <- numDeriv::hessian(nb_ll_joint, c(coef(nb), 1 / nb$theta), method.args = list(d = 1e-4, r = 4))
cov_joint <- solve(-H_joint)
models$crabs_negbin <- record(nb, "crabs.csv", "MASS::glm.nb(satell ~ width)", "satell ~ width",
  observed = nb_obs,
  extra = list(
    theta = nb$theta,
    se_theta = nb$SE.theta,
    twologlik = nb$twologlik,
    glm_nb_alternations = nb_outer,
    note_iterations = "'iterations' = nb$iter, the IRLS iterations of glm.nb's last inner glm fit; glm_nb_alternations = number of theta updates (lines 'Theta(k) = ...' of glm.nb's trace)",
    k = 1 / nb$theta,
    joint_observed = list(
      method = "numDeriv::hessian of the full NB log-likelihood in (beta, k = 1/theta) at the MLE; cov = inverse of minus the Hessian",
      se_beta = arr(sqrt(diag(cov_joint))[seq_len(ncol(nb_X))]),
      se_k = sqrt(diag(cov_joint))[ncol(nb_X) + 1])))
# epsilon 1e-13: at the default 1e-8 R stops 1e-4 SE short of the maximum (Fisher scoring with
# the non-canonical log link; dimorph finishes with Newton steps, as for the other such links)
nb1 <- glm(satell ~ width, family = MASS::negative.binomial(theta = 1), data = crabs,
  control = glm.control(epsilon = 1e-13, maxit = 500))
models$crabs_negbin_theta1 <- record(nb1, "crabs.csv",
  "glm(satell ~ width, family = negative.binomial(theta = 1))", "satell ~ width",
  observed = observed_block(nb1, "negbin", theta = 1),
  extra = list(theta = 1,
    note_dispersion = "summary.glm estimates the dispersion (Pearson chi2/df) for this family, so se/stat/p/vcov/CIs/drop1 above are scaled by it; 'dispersion_fixed_1' holds the theory-based values (dispersion 1, as glm.nb, SAS and statsmodels report)",
    dispersion_fixed_1 = {
      s1 <- summary(nb1, dispersion = 1)$coefficients
      list(se = arr(s1[, 2]), z = arr(s1[, 3]), p = arr(s1[, 4]),
           wald_lower = arr(s1[, 1] - qnorm(0.975) * s1[, 2]),
           wald_upper = arr(s1[, 1] + qnorm(0.975) * s1[, 2]))
    }))

# ---- 5. Poisson with offset: MASS Insurance ---------------------------------------------------
ins <- glm(claims ~ factor(district) + factor(group) + factor(age) + offset(log(holders)),
           family = poisson, data = insurance)
models$insurance_poisson_offset <- record(ins, "insurance.csv",
  "claims ~ factor(district) + factor(group) + factor(age) + offset(log(holders))",
  "claims ~ C(district) + C(group) + C(age) + offset(log(holders))")

# ---- 6. weighted logistic with a categorical factor ------------------------------------------
wl <- glm(y ~ factor(color) + width, family = binomial, data = crabs_w, weights = w)
models$crabs_logit_color_weighted <- record(wl, "crabs_weighted.csv",
  "y ~ factor(color) + width, weights = w",
  "y ~ C(color) + width   (prior weights: column w)")

# ---- 7. quasi families -----------------------------------------------------------------------
qp <- glm(satell ~ width, family = quasipoisson, data = crabs)
models$crabs_quasipoisson <- record(qp, "crabs.csv", "satell ~ width", "satell ~ width")
qb <- glm(f_sn, family = quasibinomial, data = snoring)
models$snoring_quasibinomial <- record(qb, "snoring.csv", deparse(f_sn), fd_sn)

# ----------------------------------------------------------------------------------------------
# PROC LOGISTIC statistics for the snoring logit on the expanded 0/1 data (2,484 people)
# ----------------------------------------------------------------------------------------------
ex <- data.frame(
  snoring = rep(rep(snoring$snoring, 2), c(snoring$disease, snoring$total - snoring$disease)),
  y = rep(c(1, 0), c(sum(snoring$disease), sum(snoring$total - snoring$disease))))
stopifnot(nrow(ex) == 2484)
fit_ex <- glm(y ~ snoring, family = binomial, data = ex)
p_ex <- fitted(fit_ex)
pe <- p_ex[ex$y == 1]
pn <- p_ex[ex$y == 0]
# every (event, nonevent) pair: compare predicted probabilities (definitions in the PROC LOGISTIC
# documentation, "Rank Correlation of Observed Responses and Predicted Probabilities")
cmp <- outer(pe, pn, "-")
tol <- 1e-12
nc <- sum(cmp > tol); nd <- sum(cmp < -tol); nt <- sum(abs(cmp) <= tol)
t_pairs <- length(pe) * length(pn)
N <- nrow(ex)
assoc <- list(
  n = N, events = length(pe), nonevents = length(pn), pairs = t_pairs,
  concordant = nc, discordant = nd, tied = nt,
  percent_concordant = 100 * nc / t_pairs, percent_discordant = 100 * nd / t_pairs,
  percent_tied = 100 * nt / t_pairs,
  somers_d = (nc - nd) / t_pairs, gamma = (nc - nd) / (nc + nd),
  tau_a = (nc - nd) / (0.5 * N * (N - 1)), c = (nc + 0.5 * nt) / t_pairs,
  note = "pairs compared on exact predicted probabilities (4 distinct values; SAS's 0.002 binning of probabilities changes nothing here)")
# standardized estimate (PROC LOGISTIC STB): beta * s_x / (pi/sqrt(3)), s_x = sd over 2,484 people
s_x <- sd(ex$snoring)
stb <- coef(fit_ex)[["snoring"]] * s_x / (pi / sqrt(3))

# Hosmer-Lemeshow with SAS PROC LOGISTIC's partition: M = floor(0.1 N + 0.5); sort by predicted
# probability; blocks of tied probabilities are never split; block j joins the current group
# (holding c subjects) iff c < M and c + floor(0.5 n_j) <= M, else starts a new group; a last
# group with at most floor(0.05 N) subjects is merged into the previous one.
hl_sas <- function(p, y, ngroups = 10) {
  N <- length(p)
  M <- floor(N / ngroups + 0.5)
  o <- order(p)
  p <- p[o]; y <- y[o]
  blocks <- split(seq_len(N), match(round(p, 12), unique(round(p, 12))))
  groups <- list(); cur <- integer(0)
  for (b in blocks) {
    cnt <- length(cur)
    if (length(cur) == 0 || (cnt < M && cnt + floor(0.5 * length(b)) <= M)) {
      cur <- c(cur, b)
    } else {
      groups[[length(groups) + 1]] <- cur
      cur <- b
    }
  }
  groups[[length(groups) + 1]] <- cur
  g <- length(groups)
  if (g > 1 && length(groups[[g]]) <= floor(0.05 * N)) {
    groups[[g - 1]] <- c(groups[[g - 1]], groups[[g]])
    groups[[g]] <- NULL
  }
  tab <- lapply(groups, function(ix) list(n = length(ix), observed_events = sum(y[ix]),
                                          expected_events = sum(p[ix])))
  chi <- sum(vapply(groups, function(ix) {
    n <- length(ix); o1 <- sum(y[ix]); e1 <- sum(p[ix]); pb <- e1 / n
    (o1 - e1)^2 / (n * pb * (1 - pb))
  }, 0))
  df <- length(groups) - 2
  list(target_group_size = M, groups = tab, chisq = chi, df = df,
       p = pchisq(chi, df, lower.tail = FALSE),
       grouping = "SAS PROC LOGISTIC LACKFIT partition (ties kept together); see README")
}
hl <- hl_sas(p_ex, ex$y)

logistic_extras <- list(
  model = "snoring_logit fitted to the expanded 0/1 data: y ~ snoring, 2,484 people",
  coef = arr(coef(fit_ex)), se = arr(sqrt(diag(vcov(fit_ex)))),
  deviance_binary = deviance(fit_ex), loglik_binary = as.numeric(logLik(fit_ex)),
  aic_binary = AIC(fit_ex), bic_binary = BIC(fit_ex),
  association = assoc,
  sd_snoring_expanded = s_x,
  standardized_estimate = stb,
  hosmer_lemeshow = hl,
  paper_sas_values = list(percent_concordant = 58.6, percent_discordant = 16.7, percent_tied = 24.7,
    pairs = 261140, somers_d = 0.419, gamma = 0.556, tau_a = 0.035, c = 0.709,
    standardized_estimate = 0.384807))

md5 <- function(f) unname(tools::md5sum(file.path(data_dir, f)))
out <- list(
  meta = list(
    generated_by = "crates/dimorph-glm/tests/reference/make_reference.R",
    r_version = R.version.string,
    platform = R.version$platform,
    packages = list(stats = as.character(packageVersion("stats")),
                    MASS = as.character(packageVersion("MASS")),
                    numDeriv = as.character(packageVersion("numDeriv"))),
    data_md5 = list(snoring.csv = md5("snoring.csv"), crabs.csv = md5("crabs.csv"),
                    insurance.csv = md5("insurance.csv"),
                    crabs_weighted.csv = md5("crabs_weighted.csv")),
    conventions = list(
      se = "summary.glm: expected (Fisher) information at the MLE times the dispersion; dispersion 1 for binomial/Poisson/negative binomial, Pearson chi2/df_residual for Gamma and quasi families",
      loglik = "logLik.glm: full log-likelihood including constants (binomial: log choose(n, y)); Gamma uses the ML dispersion estimate deviance/n as R does",
      aic = "AIC(fit) = -2 loglik + 2 (p + 1 if the family estimates a dispersion); glm.nb counts theta",
      bic = "BIC(fit) = -2 loglik + log(n) * (same parameter count as AIC); n = number of rows (binomial: 4 groups for snoring)",
      profile_ci = "MASS confint.glm (profile likelihood, 95%), on the fit's own scale (z for known dispersion, F-scaled for quasi/Gamma as MASS does)",
      wald_ci = "confint.default: coef +/- qnorm(0.975) * se",
      wald_terms = "b_T' vcov_T^-1 b_T per term, chi-square with df = number of columns in the term (vcov as in summary)",
      drop1 = "drop1(fit, test = 'LRT'): Type 3 likelihood-ratio tests (quasi families: deviance scaled by the full model's dispersion); quasi models also carry drop1(test = 'F')",
      residuals = "residuals.glm types response, pearson, deviance, working; rstandard.glm types deviance and pearson; cooks.distance.glm; first five rows")),
  models = models,
  snoring_logistic_expanded = logistic_extras)

writeLines(to_json(out), "r_reference.json")
cat("wrote", normalizePath("r_reference.json"), "\n")
