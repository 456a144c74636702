# The reflimR side of crates/dimorph-refint/examples/bench.rs: reads the simulated CSV
# (columns group,value) and times reflimR::reflim() on each group (reading not timed).
args <- commandArgs(trailingOnly = TRUE)
lib <- Sys.getenv("R_PEER_LIB"); if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
suppressMessages(library(reflimR))
d <- read.csv(args[1], colClasses = c("character", "numeric"))
cat("reflimR", as.character(packageVersion("reflimR")), "on", R.version.string, "\n")
t <- system.time({
  res <- lapply(split(d$value, d$group), function(x) reflim(x, plot.it = FALSE, apply.rounding = FALSE))
})[["elapsed"]]
for (g in names(res)) cat(sprintf("reflimR  group %s: limits %.4f - %.4f (n after truncation %d)\n", g,
                                  res[[g]]$limits[1], res[[g]]$limits[2], as.integer(res[[g]]$stats[4])))
cat(sprintf("reflimR_seconds=%.3f\n", t))
