# Peer values for dimorph's GEE (crates/dimorph-glm/tests/gee.rs): R's geepack::geeglm and
# geepack::QIC on public data. Run once from the repository root:
#   Rscript crates/dimorph-glm/tests/peers/gee.R
# It writes the data it fits (geepack's `ohio`, `respiratory`, `dietox`, MASS's `epil`) to data/
# (sorted by cluster and wave: geeglm takes a cluster to be a run of equal consecutive ids) and
# the peer values to crates/dimorph-glm/tests/peers/gee.csv: one row per (model, kind, index,
# name, value) with kind = coef, se_naive, se_robust, alpha, scale, qic (QIC, QICu, Quasi Lik,
# CIC, params, QICC as geepack::QIC names them), clusters.
# (geepack 1.3.9's scale.fix = TRUE keeps the starting moment estimate of the scale instead of
# scale.value, so dimorph does not offer a fixed scale with --gee; and geepack 1.3.9 crashes on unstructured with missing waves: that case is checked in gee.rs by
# invariances instead.)
# geeglm's convergence tolerance is tightened (epsilon = 1e-12 on the largest parameter step,
# default 1e-4) so that the peer sits on the solution of the estimating equations.
suppressPackageStartupMessages({ library(geepack); library(MASS) })
data(ohio, package = "geepack"); data(respiratory, package = "geepack"); data(dietox, package = "geepack")
data(epil, package = "MASS")
ohio <- ohio[order(ohio$id, ohio$age), ]
ohio$id <- ohio$id + 1L                      # 1..537, as written
ohio$wave <- ohio$age + 3L                   # ages -2..1 -> waves 1..4
write.csv(ohio, "data/ohio.csv", row.names = FALSE, quote = FALSE)
resp <- respiratory
resp$id <- resp$center * 1000L + resp$id     # ids repeat across the two centres
resp <- resp[order(resp$id, resp$visit), ]
write.csv(resp, "data/respiratory.csv", row.names = FALSE, quote = FALSE)
# a version with gaps: one visit missing in some clusters (clusters of 3 or 4 rows)
gaps <- resp[!((resp$id * 7 + resp$visit * 3) %% 5 == 0), ]
write.csv(gaps, "crates/dimorph-glm/tests/peers/respiratory_gaps.csv", row.names = FALSE, quote = FALSE)
diet <- dietox[, c("Pig", "Evit", "Cu", "Litter", "Start", "Weight", "Time")]
diet <- diet[order(diet$Pig, diet$Time), ]
write.csv(diet, "data/dietox.csv", row.names = FALSE, quote = FALSE)
epil <- epil[order(epil$subject, epil$period), c("y", "trt", "base", "age", "V4", "subject", "period", "lbase", "lage")]
epil$w <- 1 + (epil$subject %% 3) / 2        # a deterministic prior weight for the weighted case
write.csv(epil, "data/epil.csv", row.names = FALSE, quote = FALSE)

ctl <- geese.control(epsilon = 1e-12, maxit = 500)
fit <- function(formula, data, family, corstr, waves = NULL, weights = NULL, scale.fix = FALSE) {
  data$.w <- if (is.null(weights)) rep(1, nrow(data)) else weights
  data$.waves <- if (is.null(waves)) NULL else waves
  if (is.null(waves)) {
    g <- geeglm(formula, data = data, id = id, family = family, corstr = corstr, weights = .w,
                control = ctl, scale.fix = scale.fix)
  } else {
    g <- geeglm(formula, data = data, id = id, waves = .waves, family = family, corstr = corstr,
                weights = .w, control = ctl, scale.fix = scale.fix)
  }
  g$qic <- QIC(g, env = environment())       # QIC refits the independence model from the call
  g
}
# fitted from the files as written, so that dimorph reads the same numbers
ohio <- read.csv("data/ohio.csv"); resp <- read.csv("data/respiratory.csv")
gaps <- read.csv("crates/dimorph-glm/tests/peers/respiratory_gaps.csv")
diet <- read.csv("data/dietox.csv"); epil <- read.csv("data/epil.csv")
epil$id <- epil$subject; diet$id <- diet$Pig
models <- list(
  ohio_ind = quote(fit(resp ~ age + smoke, ohio, binomial, "independence")),
  ohio_exch = quote(fit(resp ~ age + smoke, ohio, binomial, "exchangeable")),
  ohio_ar1 = quote(fit(resp ~ age + smoke, ohio, binomial, "ar1")),
  ohio_unstr = quote(fit(resp ~ age + smoke, ohio, binomial, "unstructured", waves = ohio$wave)),
  gaps_ar1 = quote(fit(outcome ~ treat + sex + age + baseline, gaps, binomial, "ar1", waves = gaps$visit)),
  gaps_exch_probit = quote(fit(outcome ~ treat + sex + age + baseline, gaps, binomial(link = "probit"), "exchangeable")),
  epil_exch = quote(fit(y ~ trt + lbase + lage, epil, poisson, "exchangeable")),
  epil_ar1 = quote(fit(y ~ trt + lbase + lage, epil, poisson, "ar1", waves = epil$period)),
  epil_ar1_offset = quote(fit(y ~ trt + lage + offset(lbase), epil, poisson, "ar1", waves = epil$period)),
  epil_exch_w = quote(fit(y ~ trt + lbase + lage, epil, poisson, "exchangeable", weights = epil$w)),
  diet_ar1 = quote(fit(Weight ~ Time + Cu, diet, gaussian, "ar1", waves = diet$Time)),
  diet_exch = quote(fit(Weight ~ Time + Cu, diet, gaussian, "exchangeable"))
)
rows <- list()
add <- function(model, kind, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(model = model, kind = kind, index = seq_along(value),
                                          name = name, value = unname(value))
}
for (m in names(models)) {
  g <- eval(models[[m]])
  if (g$geese$error != 0) stop(m, ": geeglm did not converge")
  b <- coef(g)
  add(m, "coef", names(b), b)
  add(m, "se_naive", names(b), sqrt(diag(g$geese$vbeta.naiv)))
  add(m, "se_robust", names(b), sqrt(diag(g$geese$vbeta)))
  if (length(g$geese$alpha) > 0) add(m, "alpha", names(g$geese$alpha), g$geese$alpha)
  add(m, "scale", "scale", g$geese$gamma)
  q <- g$qic
  add(m, "qic", names(q), q)
  add(m, "clusters", "clusters", length(g$geese$clusz))
}
out <- do.call(rbind, rows)
write.csv(out, "crates/dimorph-glm/tests/peers/gee.csv", row.names = FALSE)
cat(sprintf("geepack %s, R %s: %d values\n", packageVersion("geepack"), getRversion(), nrow(out)))
