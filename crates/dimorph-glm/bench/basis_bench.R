# Peer timing for examples/basis_bench.rs: model.frame + model.matrix of
# y ~ poly(x1, 3) + ns(x2, df = 5) + bs(x3, df = 6) + scale(x4) on n rows of uniform numbers
# (best of 3, elapsed seconds). Usage: Rscript basis_bench.R [n]
library(splines)
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) > 0) as.integer(args[1]) else 1000000L
set.seed(1)
d <- as.data.frame(matrix(runif(n * 5), n, 5))
names(d) <- c("y", paste0("x", 1:4))
f <- y ~ poly(x1, 3) + ns(x2, df = 5) + bs(x3, df = 6) + scale(x4)
best <- Inf
for (r in 1:3) {
  t <- system.time({ mf <- model.frame(f, d); X <- model.matrix(f, mf) })[["elapsed"]]
  best <- min(best, t)
}
cat(best, "\n")
