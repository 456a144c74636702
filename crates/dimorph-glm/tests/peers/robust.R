# Peer values for dimorph's robust standard errors (crates/dimorph-glm/tests/robust.rs):
# R's sandwich::vcovHC (HC0-HC3) and sandwich::vcovCL (cluster-robust, type HC1 = Stata's
# G/(G-1)*(n-1)/(n-k), and HC0 = G/(G-1)) on bundled data. Run once from the repository root:
#   Rscript crates/dimorph-glm/tests/peers/robust.R
# writes crates/dimorph-glm/tests/peers/robust.csv (model, type, term index, estimate, se).
suppressPackageStartupMessages(library(sandwich))
crabs <- read.csv("data/crabs.csv")
snoring <- read.csv("data/snoring.csv")
insurance <- read.csv("data/insurance.csv")
models <- list(
  crabs_poisson = list(fit = glm(satell ~ width, family = poisson, data = crabs), cluster = crabs$color),
  crabs_gaussian = list(fit = glm(weight ~ width, family = gaussian, data = crabs), cluster = crabs$color),
  crabs_gamma_log = list(fit = glm(weight ~ width, family = Gamma(link = "log"), data = crabs), cluster = crabs$spine),
  snoring_logit = list(fit = glm(cbind(disease, total - disease) ~ snoring, family = binomial, data = snoring), cluster = NULL),
  insurance_poisson = list(
    fit = glm(claims ~ factor(group) + factor(age) + offset(log(holders)), family = poisson, data = insurance),
    cluster = insurance$district
  )
)
rows <- list()
add <- function(model, type, fit, v) {
  rows[[length(rows) + 1]] <<- data.frame(
    model = model, type = type, term = seq_along(coef(fit)), estimate = unname(coef(fit)),
    se = unname(sqrt(diag(v)))
  )
}
for (m in names(models)) {
  fit <- models[[m]]$fit
  for (type in c("HC0", "HC1", "HC2", "HC3")) add(m, type, fit, vcovHC(fit, type = type))
  cl <- models[[m]]$cluster
  if (!is.null(cl)) {
    add(m, "CR1", fit, vcovCL(fit, cluster = cl, type = "HC1"))
    add(m, "CR0", fit, vcovCL(fit, cluster = cl, type = "HC0"))
  }
}
out <- do.call(rbind, rows)
write.csv(out, "crates/dimorph-glm/tests/peers/robust.csv", row.names = FALSE)
cat(R.version.string, "sandwich", as.character(packageVersion("sandwich")), "\n")
