# Reference column names and values for the formula/design tests (crates/dimorph-glm/src/design.rs).
# Run: Rscript model_matrix.R   (R 4.2.2 was used; the tests quote its output)
d <- data.frame(
  y = c(1, 0, 1, 1, 0, 1, 0, 1),
  region = c("south", "north", "west", "east", "north", "south", "east", "west"),
  color = c(3, 1, 2, 3, 2, 1, 1, 2),
  a = c("a1", "a2", "a3", "a1", "a2", "a3", "a1", "a2"),
  b = c("b1", "b1", "b2", "b2", "b1", "b2", "b1", "b2"),
  x = c(1.5, 2, 3.5, 4, 5, 6.5, 7, 8),
  z = c(2, 1, 4, 3, 6, 5, 8, 7),
  stringsAsFactors = FALSE
)
fs <- c("y ~ region", "y ~ factor(color)", "y ~ C(factor(color))", "y ~ a*b", "y ~ a:b", "y ~ a + a:b", "y ~ x:a", "y ~ a - 1",
        "y ~ a + b - 1", "y ~ x + a:b - 1", "y ~ x*a", "y ~ a*x", "y ~ relevel(factor(region), ref = 'north')",
        "y ~ x*z + I(x^2)", "y ~ a:b + x", "y ~ b:a + a + b", "y ~ a*b*x")
for (f in fs) {
  m <- model.matrix(as.formula(f), d)
  cat(f, "=>", paste(colnames(m), collapse = " | "), "\n")
}
m <- model.matrix(y ~ a*b, d)
cat("a*b row 3:", m[3, ], "\n")
m <- model.matrix(y ~ x:a, d)
cat("x:a row 2:", m[2, ], "\n")
for (f in c("y ~ a:b + a", "y ~ x:a + a", "y ~ a:b + x:a", "y ~ x:a - 1", "y ~ x + a:b + b - 1")) {
  m <- model.matrix(as.formula(f), d)
  cat(f, "=>", paste(colnames(m), collapse = " | "), "\n")
}
# Full matrix for the test `full_matrix_matches_r` (values printed with 17 significant digits).
m <- model.matrix(y ~ region + log(z) + a:x, d)
cat(paste(colnames(m), collapse = " | "), "\n")
for (i in 1:nrow(m)) cat(sprintf("%.17g", m[i, ]), "\n", sep = c(rep(", ", ncol(m) - 1), ""))
