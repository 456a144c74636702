# Peer values for a text binary response (crates/dimorph-glm/tests/event.rs): R's glm on a factor
# response models the probability of its second level. Writes, from the repository root,
#   crates/dimorph-glm/tests/peers/crabs_yes_no.csv  the crab data with sat = "yes"/"no" (any satellite)
#   crates/dimorph-glm/tests/peers/event.csv         coefficients and SEs modelling "yes" and "no"
# (epsilon 1e-14: R at its default 1e-8 reports standard errors from the weights of the
# iteration before the last, 8e-6 relative away from those at the maximum.)
# Run: Rscript crates/dimorph-glm/tests/peers/event.R
crabs <- read.csv("data/crabs.csv")
d <- data.frame(width = crabs$width, weight = crabs$weight, sat = ifelse(crabs$satell > 0, "yes", "no"))
write.csv(d, "crates/dimorph-glm/tests/peers/crabs_yes_no.csv", row.names = FALSE, quote = FALSE)
rows <- list()
for (event in c("yes", "no")) {
  other <- setdiff(c("yes", "no"), event)
  d$f <- factor(d$sat, levels = c(other, event))   # the second level is modelled
  fit <- glm(f ~ width + weight, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
  s <- summary(fit)$coefficients
  rows[[event]] <- data.frame(event = event, term = rownames(s), estimate = s[, 1], se = s[, 2],
                              deviance = deviance(fit))
}
write.csv(do.call(rbind, rows), "crates/dimorph-glm/tests/peers/event.csv", row.names = FALSE)
cat(R.version.string, "\n")
