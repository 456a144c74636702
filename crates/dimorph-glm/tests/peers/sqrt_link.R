# Peer values for the square-root link's valid range (crates/dimorph-glm/tests/sqrt_link.rs): R's
# glm() with family = poisson(link = "sqrt"), which refuses eta <= 0 (make.link("sqrt")$valideta)
# and halves a step that leaves that range ("step size truncated: out of bounds").
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/sqrt_link.R
#   -> sqrt_link_{interior,boundary,score,null}.csv (data, R's RNG)
#   -> sqrt_link.csv (case, quantity, value; messages in the column `text`)
dir <- "crates/dimorph-glm/tests/peers"
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
out <- list()
put <- function(case, quantity, value = NA, text = "") {
  out[[length(out) + 1]] <<- data.frame(case = case, quantity = quantity, value = value, text = text)
}
# fit with R's warnings and error kept as text
run <- function(expr) {
  ws <- character(0)
  f <- withCallingHandlers(tryCatch(expr, error = function(e) conditionMessage(e)),
    warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(fit = f, warnings = ws)
}
put_fit <- function(case, r) {
  f <- r$fit
  if (is.character(f)) { put(case, "error", text = f); return(invisible()) }
  s <- summary(f)$coefficients
  for (j in seq_along(coef(f))) {
    put(case, paste0("coef:", names(coef(f))[j]), coef(f)[[j]])
    put(case, paste0("se:", names(coef(f))[j]), s[j, 2])
  }
  put(case, "deviance", deviance(f))
  put(case, "min_eta", min(f$linear.predictors))
  put(case, "boundary", as.numeric(f$boundary))
  put(case, "iterations", f$iter)
  tab <- table(r$warnings)
  for (w in names(tab)) put(case, "warning", as.numeric(tab[[w]]), w)
}
# the folded likelihood (mu = eta^2 over all eta), what dimorph fitted before it kept eta > 0
folded <- poisson(link = "sqrt")
folded$valideta <- function(eta) TRUE
folded$validmu <- function(mu) all(is.finite(mu)) && all(mu >= 0)

# 1. interior: the constrained maximum has every eta > 0, but R's first step from its starting mu
# leaves the range (R stops: no valid coefficients), and the folded likelihood has a higher
# maximum with 7 rows at eta < 0. From the intercept-only start (sqrt(mean y), 0), as dimorph's
# anchor, R reaches the maximum.
set.seed(359)
n <- sample(c(30, 60, 100), 1)
lo <- runif(1, -1, 0); b0 <- runif(1, 0.1, 1.5); b1 <- runif(1, 0.5, 3)
x <- round(runif(n, lo, 1), 3)
y <- rpois(n, (b0 + b1 * x)^2)
d <- data.frame(y = y, x = x)
write.csv(d, file.path(dir, "sqrt_link_interior.csv"), row.names = FALSE)
put_fit("interior_default_start", run(glm(y ~ x, family = poisson(link = "sqrt"), data = d, control = ctl)))
put_fit("interior", run(glm(y ~ x, family = poisson(link = "sqrt"), data = d, start = c(sqrt(mean(y)), 0), control = ctl)))
put_fit("interior_folded", run(glm(y ~ x, family = folded, data = d, control = ctl)))
put_fit("interior_invalid_start", run(glm(y ~ x, family = poisson(link = "sqrt"), data = d, start = c(-1, 0), control = ctl)))
# the global score test against the intercept-only model
null <- glm(y ~ 1, family = poisson(link = "sqrt"), data = d, control = ctl)
full <- glm(y ~ x, family = poisson(link = "sqrt"), data = d, start = c(sqrt(mean(y)), 0), control = ctl)
put("interior", "rao", anova(null, full, test = "Rao")$Rao[2])

# 2. boundary: rows with x < -0.5 have mean 0 and y = 0; the constrained maximum has eta = 0 on
# a row with y = 0, where mu = 0 is outside the Poisson family's range (mu > 0): R's step-halving
# creeps towards it and stops where the deviance stops changing, with "algorithm stopped at
# boundary value"; where it stops depends on the start.
set.seed(4)
x <- round(runif(200, -1, 1), 4)
y <- rpois(200, pmax(1 + 2 * x, 0)^2)
d <- data.frame(y = y, x = x)
write.csv(d, file.path(dir, "sqrt_link_boundary.csv"), row.names = FALSE)
put_fit("boundary", run(glm(y ~ x, family = poisson(link = "sqrt"), data = d, start = c(sqrt(mean(y)), 0), control = ctl)))
put_fit("boundary_start2", run(glm(y ~ x, family = poisson(link = "sqrt"), data = d, start = c(2, 0.5), control = ctl)))
# the maximum over the closed range {eta >= 0}: eta = 0 on one row j with y = 0 (b0 = -b1 x_j),
# the slope by optimize() on that line, the best over the rows j where every eta >= 0
dev <- function(b) { e <- b[1] + b[2] * d$x; sum(poisson()$dev.resids(d$y, e^2, rep(1, nrow(d)))) }
best <- c(Inf, NA, NA)
for (j in which(d$y == 0)) {
  o <- optimize(function(s) dev(c(-s * d$x[j], s)), c(0, 20), tol = 1e-12)
  b <- c(-o$minimum * d$x[j], o$minimum)
  if (all(b[1] + b[2] * d$x >= -1e-12) && o$objective < best[1]) best <- c(o$objective, b)
}
put("boundary_closed_max", "deviance", best[1])
put("boundary_closed_max", "coef:(Intercept)", best[2])
put("boundary_closed_max", "coef:x", best[3])

# 3. score test where the null model's eta is the offset alone and some offsets are negative:
# R refuses that null model; the full model (a constant column `one` instead of an intercept)
# is fitted as usual. With an intercept the null model y ~ 1 + offset(o) is refitted.
set.seed(11)
x <- round(runif(50, 0, 1), 3)
o <- round(runif(50, -0.3, 0.3), 3)
y <- rpois(50, (1 + x + o)^2)
d <- data.frame(y = y, x = x, o = o, one = 1)
write.csv(d, file.path(dir, "sqrt_link_score.csv"), row.names = FALSE)
full <- glm(y ~ x + offset(o), family = poisson(link = "sqrt"), data = d, control = ctl)
null <- glm(y ~ 1 + offset(o), family = poisson(link = "sqrt"), data = d, control = ctl)
put_fit("score_intercept", list(fit = full, warnings = character(0)))
put("score_intercept", "rao", anova(null, full, test = "Rao")$Rao[2])
put("score_intercept", "null_deviance", deviance(null))
full0 <- glm(y ~ 0 + one + x + offset(o), family = poisson(link = "sqrt"), data = d, control = ctl)
put_fit("score_no_intercept", list(fit = full0, warnings = character(0)))
r <- run(anova(glm(y ~ 0 + offset(o), family = poisson(link = "sqrt"), data = d), full0, test = "Rao"))
put("score_no_intercept", "rao_error", NA, if (is.character(r$fit)) r$fit else "no error")
# the same without negative offsets: R's value checks dmu/deta at the offset-only null model
d$o2 <- abs(d$o) + 0.05
full2 <- glm(y ~ 0 + one + x + offset(o2), family = poisson(link = "sqrt"), data = d, control = ctl)
null2 <- glm(y ~ 0 + offset(o2), family = poisson(link = "sqrt"), data = d)
put("score_no_intercept_positive", "rao", anova(null2, full2, test = "Rao")$Rao[2])
write.csv(d, file.path(dir, "sqrt_link_score.csv"), row.names = FALSE)

# 4. the null model y ~ 1 + offset(o) has no valid fit from the family's start (R's glm stops in
# its null-deviance refit: "no valid set of coefficients has been found"), though the model
# y ~ x + offset(o) has one (x compensates the offset, -x). R's values from valid starts: the
# null model from the intercept that puts the smallest eta at sqrt(mean y), the full model by
# glm.fit (no null refit) from the intercept-only model's eta.
set.seed(5)
x <- round(runif(100, 0, 3), 3)
y <- rpois(100, (1 + 0.2 * x)^2)
d <- data.frame(y = y, x = x, o = -x)
write.csv(d, file.path(dir, "sqrt_link_null.csv"), row.names = FALSE)
r <- run(glm(y ~ x + offset(o), family = poisson(link = "sqrt"), data = d, control = ctl))
put("null_refit", "glm_error", NA, if (is.character(r$fit)) r$fit else "no error")
null <- glm(y ~ 1 + offset(o), family = poisson(link = "sqrt"), data = d, start = sqrt(mean(y)) - min(d$o),
            control = ctl)
put("null_refit", "null_deviance", deviance(null))
put("null_refit", "null_min_eta", min(null$linear.predictors))
f <- glm.fit(cbind(1, d$x), d$y, offset = d$o, family = poisson(link = "sqrt"), start = c(sqrt(mean(y)), 1),
             control = ctl)
put("null_refit", "coef:(Intercept)", f$coefficients[[1]])
put("null_refit", "coef:x", f$coefficients[[2]])
put("null_refit", "deviance", f$deviance)

write.csv(do.call(rbind, out), file.path(dir, "sqrt_link.csv"), row.names = FALSE)
cat(R.version.string, "\n")
