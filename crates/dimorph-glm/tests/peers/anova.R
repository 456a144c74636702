# Peer values for dimorph glm --anova (crates/dimorph-glm/tests/anova.rs): R 4.2.2's anova() on
# nested glm fits of the bundled crab data, test = "Chisq" and (estimated dispersion) "F".
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/anova.R -> anova.csv
crabs <- read.csv("data/crabs.csv")
ctl <- glm.control(epsilon = 1e-13, maxit = 100)
rows <- list()
add <- function(name, ...) {
  a <- anova(..., test = "Chisq")
  f <- tryCatch(anova(..., test = "F"), warning = function(w) NULL)
  rows[[name]] <<- data.frame(comparison = name, model = seq_len(nrow(a)), df_residual = a[["Resid. Df"]],
    deviance = a[["Resid. Dev"]], df = a[["Df"]], deviance_change = a[["Deviance"]],
    chisq_p = a[["Pr(>Chi)"]], f = if (is.null(f)) NA else f[["F"]], f_p = if (is.null(f)) NA else f[["Pr(>F)"]])
}
add("poisson",
    glm(satell ~ width, family = poisson, data = crabs, control = ctl),
    glm(satell ~ width + weight, family = poisson, data = crabs, control = ctl),
    glm(satell ~ width + weight + factor(color), family = poisson, data = crabs, control = ctl))
add("gaussian",
    glm(weight ~ width, family = gaussian, data = crabs, control = ctl),
    glm(weight ~ width + factor(color), family = gaussian, data = crabs, control = ctl))
add("quasipoisson_decreasing",
    glm(satell ~ width + weight + factor(color), family = quasipoisson, data = crabs, control = ctl),
    glm(satell ~ width, family = quasipoisson, data = crabs, control = ctl))
write.csv(do.call(rbind, rows), "crates/dimorph-glm/tests/peers/anova.csv", row.names = FALSE)
cat(R.version.string, "\n")
