# Peer values for the negative binomial's Newton finishing step (crates/dimorph-glm/tests/numerics.rs):
# the Committee model of statsmodels' GLM tests (Hardin & Hilbe's data, committee.csv as shipped in
# statsmodels.datasets.committee), glm(..., family = negative.binomial(1)) in R 4.2.2 with
# epsilon 1e-15 (the exact maximum; at R's default 1e-8 and in statsmodels' reference the fit
# stops up to 2e-4 short). Run from the repository root:
#   Rscript crates/dimorph-glm/tests/peers/committee.R   -> committee_ref.csv
suppressPackageStartupMessages(library(MASS))
d <- read.csv("crates/dimorph-glm/tests/peers/committee.csv")
fit <- glm(BILLS104 ~ SIZE + SUBS + log(STAFF) + PRESTIGE + BILLS103 + SUBS:log(STAFF),
           family = negative.binomial(1), data = d, control = glm.control(epsilon = 1e-15, maxit = 200))
s <- summary(fit, dispersion = 1)$coefficients
out <- data.frame(term = rownames(s), estimate = s[, 1], se = s[, 2], deviance = deviance(fit))
write.csv(out, "crates/dimorph-glm/tests/peers/committee_ref.csv", row.names = FALSE)
cat(R.version.string, "\n")
