# Rao score tests of the model against the intercept-only model (R 4.2.2), for
# inference::tests::score_test_matches_r. Run from this folder: Rscript score_test.R
#
# The textbook statistic U' I^-1 U at the null model's MLE, by matrix algebra:
c2 <- read.csv("../../../../data/crabs.csv")
X <- cbind(1, c2$width); y <- c2$satell; m <- mean(y)
U <- t(X) %*% (y - m); I <- t(X) %*% (X * m)
print(sprintf("%.10f", t(U) %*% solve(I, U)))            # 67.4718867775
d <- read.csv("../../../../data/snoring.csv")
n <- d$total; e <- d$disease; p0 <- sum(e) / sum(n); X <- cbind(1, d$snoring)
U <- t(X) %*% (e - n * p0); I <- t(X) %*% (X * n * p0 * (1 - p0))
print(sprintf("%.10f", t(U) %*% solve(I, U)))            # 72.6880865038
# anova(..., test = "Rao") gives 67.47414947 and 72.68809382: it takes the weights and working
# residuals of a further IRLS step, not those at the null MLE, so it differs in the 5th digit.
f <- glm(cbind(disease, total - disease) ~ snoring, binomial, data = d)
print(anova(update(f, . ~ 1), f, test = "Rao"), digits = 10)
g <- glm(satell ~ width, poisson, data = c2)
print(anova(update(g, . ~ 1), g, test = "Rao"), digits = 10)
