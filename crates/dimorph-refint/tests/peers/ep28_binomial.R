# Peer values for the CLSI EP28 transference check (crates/dimorph-refint/src/verify.rs tests):
# the binomial probabilities that a correct reference interval (5 % outside) leaves at most k of
# n reference values outside. Run: Rscript crates/dimorph-refint/tests/peers/ep28_binomial.R
options(digits = 15)
cat(R.version.string, "\n")
cat("pbinom(2, 20, 0.05) =", format(pbinom(2, 20, 0.05), digits = 15), "\n")
cat("pbinom(1, 20, 0.05) =", format(pbinom(1, 20, 0.05), digits = 15), "\n")
# the allowed count for n = 20..60: the smallest k with P(X <= k) >= 0.90
for (n in c(20, 40, 60)) cat("n =", n, "allowed =", min(which(pbinom(0:n, n, 0.05) >= 0.90)) - 1, "\n")
