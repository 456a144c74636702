# Peer values for the null model y ~ 1 + offset refitted from a valid start
# (crates/dimorph-glm/tests/null_start.rs; src/null_refit.rs): R 4.2.2's glm() refits the null
# model for the null deviance; on links whose eta is restricted (valideta) its start can leave
# the range, and R then stops ("no valid set of coefficients has been found"). From the start
# b0 = g(mean y) - min(offset) (every eta >= g(mean y) > 0) R fits it; where R's own glm() gets a
# null deviance (from the full model's fitted means) it is the same maximum.
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/null_start.R
#   -> null_start_{gamma,truncated}.csv (data, R's RNG)
#   -> null_start.csv (case, quantity, value; messages and warnings in the column `text`)
dir <- "crates/dimorph-glm/tests/peers"
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
out <- list()
put <- function(case, quantity, value = NA, text = "") {
  out[[length(out) + 1]] <<- data.frame(case = case, quantity = quantity, value = value, text = text)
}
# a fit with R's warnings and error kept as text
run <- function(expr) {
  ws <- character(0)
  f <- withCallingHandlers(tryCatch(expr, error = function(e) conditionMessage(e)),
    warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(fit = f, warnings = ws)
}
put_warnings <- function(case, ws) {
  tab <- table(ws)
  for (w in names(tab)) put(case, "warning", as.numeric(tab[[w]]), w)
}
put_null <- function(case, null, full) {
  put(case, "null_deviance", deviance(null))
  put(case, "null_loglik", as.numeric(logLik(null)))
  put(case, "null_coef", coef(null)[[1]])
  put(case, "null_min_eta", min(null$linear.predictors))
  put(case, "null_iterations", null$iter)
  put(case, "null_boundary", as.numeric(null$boundary))
  put(case, "deviance", deviance(full))
}

# 1. Gamma, inverse link (eta != 0; mu = 1/eta > 0 for the Gamma): the null model from the
# family's start (mustart = y) leaves the range, R's plain glm(y ~ 1 + offset(o)) stops; R's glm
# of the full model refits the null model from the full model's fitted means and gets a null
# deviance: the same as from b0 = 1/mean(y) - min(o).
set.seed(8)
n <- 80
x <- round(runif(n, 0, 2), 3)
mu <- 1 / (0.5 + 0.5 * x)
y <- round(rgamma(n, shape = 4, rate = 4 / mu), 4)
d <- data.frame(y = y, x = x, o = -0.4 * x)
write.csv(d, file.path(dir, "null_start_gamma.csv"), row.names = FALSE)
fam <- Gamma(link = "inverse")
r <- run(glm(y ~ 1 + offset(o), family = fam, data = d, control = ctl))
put("gamma", "null_glm_error", NA, if (is.character(r$fit)) r$fit else "no error")
full <- glm(y ~ x + offset(o), family = fam, data = d, control = ctl)
put("gamma", "glm_null_deviance", full$null.deviance)
s <- summary(full)
put("gamma", "dispersion", s$dispersion)
for (j in seq_along(coef(full))) {
  put("gamma", paste0("coef:", names(coef(full))[j]), coef(full)[[j]])
  put("gamma", paste0("se:", names(coef(full))[j]), s$coefficients[j, 2])
}
b0 <- 1 / mean(d$y) - min(d$o)
r <- run(glm(y ~ 1 + offset(o), family = fam, data = d, control = ctl, start = b0))
put_null("gamma", r$fit, full)
put_warnings("gamma_null", r$warnings)
a <- anova(r$fit, full, test = "Rao")
put("gamma", "rao", a$Rao[2])  # before division by the dispersion (stat.anova divides for the p-value)
put("gamma", "rao_p", a[["Pr(>Chi)"]][2])
put("gamma", "lr_deviance", a$Deviance[2])

# 2. Poisson, square-root link (tests/peers/sqrt_link_null.csv, drawn by sqrt_link.R): the null
# model from b0 = sqrt(mean y) - min(o); its log-likelihood (the full model by glm.fit from the
# intercept-only model's eta, as sqrt_link.R)
d <- read.csv(file.path(dir, "sqrt_link_null.csv"))
fam <- poisson(link = "sqrt")
b0 <- sqrt(mean(d$y)) - min(d$o)
r <- run(glm(y ~ 1 + offset(o), family = fam, data = d, control = ctl, start = b0))
full <- glm.fit(cbind(1, d$x), d$y, offset = d$o, family = fam, start = c(sqrt(mean(d$y)), 1), control = ctl)
put_null("sqrt", r$fit, full)
put_warnings("sqrt_null", r$warnings)
put("sqrt", "loglik", full$aic / -2 + 2)

# 3. Poisson, square-root link: a null model whose Fisher steps from b0 = sqrt(mean y) - min(o)
# leave the range and are halved back ("step size truncated: out of bounds"), with R's default
# control (as dimorph's default), while the full model y ~ x + offset(o) fits from R's default
# start inside the range (glm.fit: glm() itself stops in its null refit). The seed is the first
# of 3000 where both hold (a search kept out of this script).
set.seed(2640)
n <- 60
x <- round(runif(n, 0, 3), 3)
a <- runif(1, 0.05, 1); b <- runif(1, 0.1, 1); cc <- runif(1, 0.3, 1.5)
y <- rpois(n, (a + b * x)^2)
d <- data.frame(y = y, x = x, o = round(-cc * x, 3))
write.csv(d, file.path(dir, "null_start_truncated.csv"), row.names = FALSE)
r <- run(glm(y ~ x + offset(o), family = fam, data = d))
put("truncated", "glm_error", NA, if (is.character(r$fit)) r$fit else "no error")
full <- run(glm.fit(cbind(1, d$x), d$y, offset = d$o, family = fam))
put("truncated", "deviance", full$fit$deviance)
put("truncated", "full_boundary", as.numeric(full$fit$boundary))
put_warnings("truncated_full", full$warnings)
r <- run(glm(y ~ 1 + offset(o), family = fam, data = d))
put("truncated", "null_glm_error", NA, if (is.character(r$fit)) r$fit else "no error")
b0 <- sqrt(mean(d$y)) - min(d$o)
r <- run(glm(y ~ 1 + offset(o), family = fam, data = d, start = b0))
put("truncated", "null_deviance", deviance(r$fit))
put("truncated", "null_iterations", r$fit$iter)
put("truncated", "null_boundary", as.numeric(r$fit$boundary))
put("truncated", "null_converged", as.numeric(r$fit$converged))
put_warnings("truncated_null", r$warnings)
r <- run(glm(y ~ 1 + offset(o), family = fam, data = d, start = b0, control = ctl))
put("truncated", "null_deviance_tight", deviance(r$fit))
put_warnings("truncated_null_tight", r$warnings)

write.csv(do.call(rbind, out), file.path(dir, "null_start.csv"), row.names = FALSE)
cat(R.version.string, "\n")
