# NIST StRD Filip (10th-degree polynomial): what R's glm (QR at tol min(1e-7, epsilon/1000) =
# 1e-11) and lm (QR at tol 1e-7) estimate. Run from crates/dimorph-glm:
#   Rscript tests/peers/nist_filip.R  -> tests/reference/nist_filip_r.csv
d <- read.csv("tests/fixtures/nist/filip.csv")
f <- y ~ x + I(x^2) + I(x^3) + I(x^4) + I(x^5) + I(x^6) + I(x^7) + I(x^8) + I(x^9) + I(x^10)
g <- glm(f, data = d)
l <- lm(f, data = d)
sg <- summary(g)$coefficients
out <- data.frame(term = names(coef(g)),
                  glm_estimate = unname(coef(g)),
                  glm_se = NA_real_,
                  lm_estimate = unname(coef(l)))
out$glm_se[match(rownames(sg), out$term)] <- sg[, 2]
# Type 3 likelihood ratio of each term: (D(without the term) - D) / phi, each reduced model by glm
phi <- deviance(g) / df.residual(g)
out$drop_lr <- c(NA, sapply(attr(terms(f), "term.labels"), function(t)
  (deviance(update(g, as.formula(paste(". ~ . -", t)))) - deviance(g)) / phi))
write.csv(out, "tests/reference/nist_filip_r.csv", row.names = FALSE)
print(out, digits = 15)
cat("R", R.version.string, "\n")
