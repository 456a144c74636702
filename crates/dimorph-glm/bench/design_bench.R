# Peer timing for examples/design_bench.rs: model.frame + model.matrix of y ~ x1 + ... + x20 on
# n rows of uniform numbers (best of 5, elapsed seconds). Usage: Rscript design_bench.R [n]
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) > 0) as.integer(args[1]) else 1000000L
set.seed(1)
d <- as.data.frame(matrix(runif(n * 21), n, 21))
names(d) <- c("y", paste0("x", 1:20))
f <- as.formula(paste("y ~", paste0("x", 1:20, collapse = " + ")))
best <- Inf
for (r in 1:5) {
  t <- system.time({ mf <- model.frame(f, d); X <- model.matrix(f, mf); y <- model.response(mf) })[["elapsed"]]
  best <- min(best, t)
}
cat(best, "\n")
