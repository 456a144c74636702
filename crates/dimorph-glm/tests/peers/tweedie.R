# Peer values for the Tweedie family (crates/dimorph-glm/tests/tweedie.rs): R's glm with
# statmod::tweedie(var.power, link.power) on a seeded compound Poisson-gamma sample (written to
# tweedie_data.csv), summary.glm's Pearson dispersion and standard errors, and anova() of nested
# Tweedie fits (F test with the largest model's dispersion).
# Fisher scoring with a non-canonical link converges linearly and R's glm stops where the deviance
# no longer changes in double precision, up to 1e-8 short of the maximum; each fit is therefore
# finished by Newton steps on the quasi-score (Jacobian by central differences) and refitted by
# glm from there (start = the polished coefficients), so that summary.glm reports at the maximum.
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/tweedie.R
library(statmod)
set.seed(20261126)
n <- 300
x <- round(runif(n, 0, 2), 3)
g <- sample(c("a", "b", "c"), n, replace = TRUE)
mu <- exp(0.3 + 0.6 * x + c(a = 0, b = -0.4, c = 0.5)[g])
# compound Poisson-gamma with p = 1.5, phi = 1: N ~ Poisson(lambda), Y = sum of N Gamma(alpha, beta)
p <- 1.5; phi <- 1
lambda <- mu^(2 - p) / (phi * (2 - p)); alpha <- (2 - p) / (p - 1); beta <- phi * (p - 1) * mu^(p - 1)
N <- rpois(n, lambda)
y <- round(sapply(seq_len(n), function(i) if (N[i] == 0) 0 else sum(rgamma(N[i], shape = alpha, scale = beta[i]))), 4)
d <- data.frame(y = y, x = x, g = g, ypos = y + 0.5)
write.csv(d, "crates/dimorph-glm/tests/peers/tweedie_data.csv", row.names = FALSE)
d <- read.csv("crates/dimorph-glm/tests/peers/tweedie_data.csv")
ctl <- glm.control(epsilon = 1e-13, maxit = 100)
cases <- list(
  list(name = "p1.5_log", formula = y ~ x + g, p = 1.5, lp = 0, link = "log"),
  list(name = "p1.2_canonical", formula = y ~ x + g, p = 1.2, lp = 1 - 1.2, link = "power(-0.2)"),
  list(name = "p1.8_log", formula = y ~ x, p = 1.8, lp = 0, link = "log"),
  list(name = "p2.5_log", formula = ypos ~ x + g, p = 2.5, lp = 0, link = "log"),
  list(name = "p3_log", formula = ypos ~ x + g, p = 3, lp = 0, link = "log"),
  list(name = "p0_log", formula = ypos ~ x + g, p = 0, lp = 0, link = "log"),
  list(name = "p1_identity", formula = ypos ~ x, p = 1, lp = 1, link = "identity"))
score <- function(fam, X, y, b) {
  eta <- drop(X %*% b); mu <- fam$linkinv(eta)
  drop(crossprod(X, (y - mu) / fam$variance(mu) * fam$mu.eta(eta)))
}
polished_glm <- function(formula, fam) {
  m <- glm(formula, family = fam, data = d, control = ctl)
  X <- model.matrix(m); y <- m$y; b <- coef(m)
  for (it in 1:6) {
    J <- sapply(seq_along(b), function(j) {
      h <- 1e-6 * max(abs(b[j]), 1); e <- replace(numeric(length(b)), j, h)
      (score(fam, X, y, b + e) - score(fam, X, y, b - e)) / (2 * h)
    })
    b <- b - solve(J, score(fam, X, y, b))
  }
  glm(formula, family = fam, data = d, control = ctl, start = b)
}
rows <- list()
for (k in cases) {
  m <- polished_glm(k$formula, tweedie(var.power = k$p, link.power = k$lp))
  s <- summary(m)
  cf <- coef(s)
  rows[[k$name]] <- data.frame(case = k$name, formula = deparse(k$formula), power = k$p, link = k$link,
    term = c(rownames(cf), "deviance", "null_deviance", "dispersion", "df_residual", "aic"),
    estimate = c(cf[, 1], deviance(m), m$null.deviance, s$dispersion, m$df.residual, AIC(m)),
    se = c(cf[, 2], NA, NA, NA, NA, NA))
}
write.csv(do.call(rbind, rows), "crates/dimorph-glm/tests/peers/tweedie.csv", row.names = FALSE)
ctl <- glm.control(epsilon = 1e-13, maxit = 100)
tw <- tweedie(var.power = 1.5, link.power = 0)
a <- anova(polished_glm(y ~ x, tw), polished_glm(y ~ x + g, tw), test = "F")
write.csv(data.frame(model = 1:2, df_residual = a[["Resid. Df"]], deviance = a[["Resid. Dev"]], df = a[["Df"]],
  deviance_change = a[["Deviance"]], f = a[["F"]], f_p = a[["Pr(>F)"]]),
  "crates/dimorph-glm/tests/peers/tweedie_anova.csv", row.names = FALSE)
cat(R.version.string, "statmod", as.character(packageVersion("statmod")), "\n")
