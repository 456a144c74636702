# Peer values for reflimR's own options reached from the CLI (crates/dimorph/tests/refint_cli.rs,
# reflim_options_equal_reflimrs): reflimR 1.1.0's reflim() on livertests' CREA and ALT per sex with
# perc.trunc = 5 and 1, with lognormal forced TRUE and FALSE, and with n.min = 40 (the women's
# truncated sample, 182 values, is below the default 200). Unrounded limits (apply.rounding = FALSE).
# Run: R_LIBS=<lib with reflimR> Rscript crates/dimorph-refint/tests/peers/reflim_options.R \
#        > crates/dimorph-refint/tests/peers/reflim_options.out.csv
suppressMessages(library(reflimR))
d <- read.csv("data/refint/reflimr_livertests.csv")
cases <- list(
  list(name = "perc_trunc_5", args = list(perc.trunc = 5)),
  list(name = "perc_trunc_1", args = list(perc.trunc = 1)),
  list(name = "lognormal", args = list(lognormal = TRUE)),
  list(name = "normal", args = list(lognormal = FALSE)),
  list(name = "n_min_40", args = list(n.min = 40))
)
g <- function(v) sprintf("%.17g", v)
out <- data.frame()
for (analyte in c("CREA", "ALT")) {
  for (s in sort(unique(d$Sex))) {
    x <- d[[analyte]][d$Sex == s & !is.na(d[[analyte]])]
    for (cs in cases) {
      warned <- character(0)
      r <- withCallingHandlers(
        do.call(reflim, c(list(x, plot.it = FALSE, apply.rounding = FALSE), cs$args)),
        warning = function(w) {
          warned <<- c(warned, conditionMessage(w))
          invokeRestart("muffleWarning")
        })
      out <- rbind(out, data.frame(analyte = analyte, group = s, case = cs$name,
        lognormal = isTRUE(r$lognormal), n_trunc = unname(r$stats["n.trunc"]),
        lower = g(unname(r$limits[1])), upper = g(unname(r$limits[2])),
        warned = length(warned) > 0))
    }
  }
}
cat("# ", R.version.string, ", reflimR ", as.character(packageVersion("reflimR")), "\n", sep = "")
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
