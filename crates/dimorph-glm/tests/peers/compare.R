# Peer values for dimorph glm anova (crates/dimorph-glm/tests/compare.rs): R 4.2.2's anova() on
# nested glm fits of the bundled crab data with missing cells injected (seeded; written to
# compare_data.csv). R's anova needs all models on one data set, so each comparison is fitted to
# na.omit of the variables of all its models — what dimorph does by itself, with a warning.
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/compare.R
crabs <- read.csv("data/crabs.csv")
set.seed(13)
crabs$weight[sample(nrow(crabs), 9)] <- NA
crabs$color[sample(nrow(crabs), 6)] <- NA
crabs$y <- as.integer(crabs$satell > 0)
write.csv(crabs, "crates/dimorph-glm/tests/peers/compare_data.csv", row.names = FALSE, na = "")
d <- read.csv("crates/dimorph-glm/tests/peers/compare_data.csv")
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
rows <- list()
add <- function(name, vars, family, formulas, test) {
  dd <- na.omit(d[, vars])
  ms <- lapply(formulas, function(f) glm(as.formula(f), family = family, data = dd, control = ctl))
  a <- do.call(anova, c(ms, list(test = test)))
  p <- if (test == "F") a[["Pr(>F)"]] else a[["Pr(>Chi)"]]
  rows[[name]] <<- data.frame(comparison = name, model = seq_len(nrow(a)), formula = formulas,
    n = nrow(dd), df_residual = a[["Resid. Df"]], deviance = a[["Resid. Dev"]], df = a[["Df"]],
    deviance_change = a[["Deviance"]], f = if (test == "F") a[["F"]] else NA, p = p)
}
add("poisson_lrt", c("satell", "width", "weight", "color"), poisson,
    c("satell ~ width", "satell ~ width + weight", "satell ~ width + weight + factor(color)"), "Chisq")
add("binomial_lrt", c("y", "width", "weight", "color"), binomial,
    c("y ~ width", "y ~ width + weight + factor(color)"), "Chisq")
add("gamma_log_f", c("weight", "width", "color"), Gamma(link = "log"),
    c("weight ~ width + factor(color)", "weight ~ width", "weight ~ 1"), "F")
add("gaussian_interaction_f", c("weight", "width", "color"), gaussian,
    c("weight ~ width", "weight ~ width * factor(color)"), "F")
write.csv(do.call(rbind, rows), "crates/dimorph-glm/tests/peers/compare.csv", row.names = FALSE)
cat(R.version.string, "\n")
