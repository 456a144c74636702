# Peer for tests/null_start.rs::no_null_start_gives_na_with_its_reason: a Poisson fit on the
# square-root link, every count 0, with an offset o = 0.2 x - 0.4 (negative on part of the rows).
# The full model's first step is valid (eta = 0.158 on every row: the offset is linear in x) and
# heads to the boundary eta -> 0; the null model y ~ 1 + offset(o) has no start:
#   1. from the family's start (mu = 0.1) its first step leaves eta > 0 (R: "no valid set of
#      coefficients has been found: please supply starting values"), and R's glm of the full
#      model stops there too (its null refit, from the full model's fitted means);
#   2. b0 = g(ybar) - min(o) = sqrt(0) + 0.3 puts eta = 0 on the row with the smallest offset
#      (R from that start: "cannot find valid starting values: please specify some");
#   3. the intercept-only anchor (b0 = sqrt(ybar) = 0, eta = o) is invalid where o <= 0.
# dimorph gives the null deviance as NA with the reason (R gives no fit at all).
# Run from the repository root: Rscript crates/dimorph-glm/tests/peers/null_start_none.R
#   -> null_start_none_data.csv, null_start_none.csv (quantity, value, text)
dir <- "crates/dimorph-glm/tests/peers"
x <- 0.5 + 0.25 * (0:11)
d <- data.frame(k = 0, x = x, o = round(0.2 * x - 0.4, 2))
write.csv(d, file.path(dir, "null_start_none_data.csv"), row.names = FALSE)
out <- list()
put <- function(q, v, t = "") out[[length(out) + 1]] <<- data.frame(quantity = q, value = v, text = t)
err <- function(expr) tryCatch({ expr; "" }, error = function(e) conditionMessage(e))
fam <- poisson(link = "sqrt")
put("glm_error", NA, err(glm(k ~ x + offset(o), family = fam, data = d)))
put("null_glm_error", NA, err(glm(k ~ 1 + offset(o), family = fam, data = d)))
b0 <- sqrt(mean(d$k)) - min(d$o)
put("null_b0", b0)
put("null_b0_error", NA, err(glm(k ~ 1 + offset(o), family = fam, data = d, start = b0)))
put("anchor_invalid_rows", sum(sqrt(mean(d$k)) + d$o <= 0))
# the full model alone (glm.fit, no null refit): it runs to the boundary eta -> 0
X <- model.matrix(~ x, d)
f <- glm.fit(X, d$k, offset = d$o, family = fam)
for (j in seq_len(ncol(X))) put(paste0("coef:", colnames(X)[j]), coef(f)[[j]])
put("deviance", f$deviance)
put("converged", as.numeric(f$converged))
write.csv(do.call(rbind, out), file.path(dir, "null_start_none.csv"), row.names = FALSE)
cat(R.version.string, "\n")
