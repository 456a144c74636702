# Peer values for power links other than lambda = 0.5 (crates/dimorph-glm/tests/power_link.rs):
# R 4.2.2's glm() with family = Gamma(link = ...) and poisson(link = ...) on one small data set
# where every fit ends inside the range (all eta > 0 at the estimate; R's boundary is FALSE).
# R's power(lambda) returns the log link for lambda <= 0 (stats::power: "if (lambda <= 0)
# return(make.link("log"))"); dimorph's power(lambda) with lambda < 0 is mu^lambda (SAS GENMOD's
# LINK=POWER(lambda)), so the negative powers are given to R as the links they are:
# power(-1) = "inverse", power(-2) = "1/mu^2", power(-0.5) a link-glm object written here.
# R's poisson() and quasipoisson() accept the inverse link (poisson(link = "inverse"): a link
# outside okLinks is made by make.link), so the Poisson power(-1) is compared with it; R's own
# power(-1) there would be the log link. On a second data set (power_link_rescue_data.csv) R's
# poisson(link = "inverse") from its default start stops with "no valid set of coefficients has
# been found: please supply starting values" (its first step leaves eta > 0); the case records
# that (default_start_refused = 1) and R's fit from the intercept-only model, the anchor dimorph
# halves that first step towards.
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/power_link.R
#   -> power_link_data.csv, power_link_rescue_data.csv (data, R's RNG)
#   -> power_link.csv (case, quantity, value)
dir <- "crates/dimorph-glm/tests/peers"
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
out <- list()
put <- function(case, quantity, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, quantity = quantity, value = value)
}
# mu^lambda for any lambda != 0, eta > 0 as R's power() (for the negative powers R has no own)
mu_power <- function(lambda) {
  structure(list(
    linkfun = function(mu) mu^lambda,
    linkinv = function(eta) pmax(eta, .Machine$double.eps)^(1 / lambda),
    mu.eta = function(eta) (1 / lambda) * pmax(eta, .Machine$double.eps)^(1 / lambda - 1),
    valideta = function(eta) all(is.finite(eta)) && all(eta > 0),
    name = paste0("mu^", lambda)), class = "link-glm")
}
set.seed(2026)
n <- 40
x <- round(runif(n, 0.5, 3), 3)
y <- round(rgamma(n, shape = 5, rate = 5 / (1 + 0.8 * x)), 4)
k <- rpois(n, 2 + 2 * x)
d <- data.frame(y = y, k = k, x = x)
write.csv(d, file.path(dir, "power_link_data.csv"), row.names = FALSE)
cases <- list(
  list("gamma_1/3", y ~ x, Gamma(link = power(1/3))),
  list("gamma_2", y ~ x, Gamma(link = power(2))),
  list("gamma_-0.5", y ~ x, Gamma(link = mu_power(-0.5))),
  list("gamma_-1", y ~ x, Gamma(link = "inverse")),
  # R's first step from mustart leaves eta > 0 ("no valid set of coefficients"): from the
  # intercept-only model (g(mean y), 0), the anchor dimorph halves that step towards
  list("gamma_-2", y ~ x, Gamma(link = "1/mu^2"), c(1 / mean(d$y)^2, 0)),
  list("poisson_1/3", k ~ x, poisson(link = power(1/3))),
  list("poisson_2", k ~ x, poisson(link = power(2)), c(mean(d$k)^2, 0)),
  list("poisson_-1", k ~ x, poisson(link = "inverse"))
)
# the rescue data: counts rising along x to 5 and two small counts far out (x = 6.5, 7)
set.seed(1)
x2 <- round(runif(30, 0, 5), 3)
k2 <- rpois(30, 1 / (0.3 - 0.05 * x2))
d2 <- data.frame(k = c(k2, 0, 1), x = c(x2, 7, 6.5))
write.csv(d2, file.path(dir, "power_link_rescue_data.csv"), row.names = FALSE)
refused <- tryCatch({
  glm(k ~ x, family = poisson(link = "inverse"), data = d2, control = ctl)
  0
}, error = function(e) {
  stopifnot(grepl("no valid set of coefficients has been found", conditionMessage(e)))
  1
})
put("poisson_-1_rescue", "default_start_refused", refused)
cases[[length(cases) + 1]] <-
  list("poisson_-1_rescue", k ~ x, poisson(link = "inverse"), c(1 / mean(d2$k), 0), d2)
for (cs in cases) {
  case <- cs[[1]]
  start <- if (length(cs) > 3) cs[[4]] else NULL
  d <- if (length(cs) > 4) cs[[5]] else d
  f <- glm(cs[[2]], family = cs[[3]], data = d, control = ctl, start = start)
  s <- summary(f)
  # R's beta is good to about 1e-7 at epsilon = 1e-14 (the deviance is flat at the maximum):
  # 300 more Fisher iterations from it (epsilon = 1e-300 does not stop early; R warns that it did not
  # "converge", which here means only that it ran to maxit) give beta to rounding
  g <- suppressWarnings(glm(cs[[2]], family = cs[[3]], data = d, start = coef(f),
                            control = glm.control(epsilon = 1e-300, maxit = 300)))
  sg <- summary(g)
  for (j in seq_along(coef(f))) {
    put(case, paste0("coef:", names(coef(f))[j]), coef(f)[[j]])
    put(case, paste0("se:", names(coef(f))[j]), s$coefficients[j, 2])
    put(case, paste0("coef_refined:", names(coef(f))[j]), coef(g)[[j]])
    put(case, paste0("se_refined:", names(coef(f))[j]), sg$coefficients[j, 2])
  }
  put(case, "dispersion_refined", sg$dispersion)
  put(case, "deviance_refined", deviance(g))
  put(case, "deviance", deviance(f))
  put(case, "null_deviance", f$null.deviance)
  put(case, "dispersion", s$dispersion)
  put(case, "loglik", as.numeric(logLik(f)))
  put(case, "aic", AIC(f))
  put(case, "min_eta", min(f$linear.predictors))
  put(case, "boundary", as.numeric(f$boundary))
  put(case, "converged", as.numeric(f$converged))
  put(case, "iterations", f$iter)
  put(case, "default_start", as.numeric(is.null(start)))
}
# quasipoisson(link = "inverse"): Poisson's beta, Pearson's dispersion
d <- read.csv(file.path(dir, "power_link_data.csv"))
q <- glm(k ~ x, family = quasipoisson(link = "inverse"), data = d, control = ctl)
q <- suppressWarnings(glm(k ~ x, family = quasipoisson(link = "inverse"), data = d, start = coef(q),
                          control = glm.control(epsilon = 1e-300, maxit = 300)))
for (j in seq_along(coef(q))) {
  put("quasipoisson_-1", paste0("coef_refined:", names(coef(q))[j]), coef(q)[[j]])
  put("quasipoisson_-1", paste0("se_refined:", names(coef(q))[j]), summary(q)$coefficients[j, 2])
}
put("quasipoisson_-1", "dispersion_refined", summary(q)$dispersion)
# MASS::glm.nb(link = "inverse"): theta by maximum likelihood
suppressMessages(library(MASS))
# (its theta-beta alternation stops at epsilon = 1e-10: at 1e-14 it runs to its limit on rounding)
nb <- glm.nb(k ~ x, data = d, link = "inverse", control = glm.control(epsilon = 1e-10, maxit = 200))
for (j in seq_along(coef(nb))) {
  put("negbin_-1", paste0("coef:", names(coef(nb))[j]), coef(nb)[[j]])
  put("negbin_-1", paste0("se:", names(coef(nb))[j]), summary(nb)$coefficients[j, 2])
}
put("negbin_-1", "theta", nb$theta)
put("negbin_-1", "deviance", deviance(nb))
put("negbin_-1", "loglik", as.numeric(logLik(nb)))
write.csv(do.call(rbind, out), file.path(dir, "power_link.csv"), row.names = FALSE)
cat(R.version.string, "\n")
