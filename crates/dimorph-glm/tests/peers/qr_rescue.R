# A Poisson fit whose two slopes are nearly collinear (x2 = x + 1e-6 sin(i)): the normal
# equations (squared condition) declare x2 aliased, R's glm (QR, tol 1e-11) estimates it.
# Run from crates/dimorph-glm:  Rscript tests/peers/qr_rescue.R
x <- (1:30) / 10
d <- data.frame(y = c(1,0,2,1,3,2,2,4,3,5,4,6,5,7,6,8,9,7,10,9,12,11,13,12,15,14,17,16,19,20),
                x = x, x2 = x + 1e-6 * sin(1:30))
write.csv(data.frame(lapply(d, function(v) sprintf("%.17g", v))), "tests/fixtures/qr_rescue_poisson.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("tests/fixtures/qr_rescue_poisson.csv")
g <- glm(y ~ x + x2, family = poisson, data = d)
s <- summary(g)$coefficients
# glm's standard errors come from the QR of the iteration before the last (weights at the
# previous beta, 1e-6 off here); converged further (epsilon 1e-12, 7 iterations) they are at the MLE
t <- glm(y ~ x + x2, family = poisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))
out <- data.frame(term = rownames(s), estimate = s[, 1], se = s[, 2], deviance = deviance(g),
                  se_converged = summary(t)$coefficients[, 2])
write.csv(data.frame(term = out$term, lapply(out[-1], function(v) sprintf("%.17g", v))), "tests/reference/qr_rescue_poisson_r.csv", row.names = FALSE, quote = FALSE)
print(out, digits = 15)
