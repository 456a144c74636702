# Reference values for crates/dimorph-lifetable/tests/fmm_spline.rs: R's splinefun() with its
# default method "fmm" (Forsythe, Malcolm & Moler), which the paper's authors used to interpolate
# abridged log cause-of-death rates to single ages. Run: Rscript fmm_spline.R
x <- c(0, 3, 7.5, 12.5, 17.5, 22.5, 30, 100)
y <- c(-4.1, -7.9, -8.6, -8.2, -6.9, -6.1, -5.8, -0.4)
f <- splinefun(x, y)
at <- c(-1, 0, 1, 2.5, 5, 10, 20, 50, 99, 100, 101)
cat(sprintf("%.15g", f(at)), sep = ",\n")
# three knots: the parabola through them; two: the line
g <- splinefun(c(0, 1, 3), c(1, 2, 0))
cat(sprintf("%.15g", g(c(-1, 2, 4))), sep = ",\n")
