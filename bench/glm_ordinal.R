# Peer timings for bench/glm_ordinal.sh: MASS::polr (Hess = TRUE) and nnet::multinom
# (Hess = TRUE, maxit = 1000) on the seeded data the script writes; prints seconds and logLik.
# Usage: Rscript bench/glm_ordinal.R DATA.csv
suppressMessages({ library(MASS); library(nnet) })
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
d$yf <- factor(d$y)
t <- system.time(f <- polr(yf ~ x1 + x2 + x3 + x4 + g, data = d, Hess = TRUE))[["elapsed"]]
cat(sprintf("polr %.3f s logLik %.6f\n", t, as.numeric(logLik(f))))
t <- system.time(m <- multinom(yf ~ x1 + x2 + x3 + x4 + g, data = d, Hess = TRUE, maxit = 1000,
                               trace = FALSE))[["elapsed"]]
cat(sprintf("multinom %.3f s logLik %.6f\n", t, as.numeric(logLik(m))))
