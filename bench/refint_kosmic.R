# Benchmark for `dimorph refint estimate --method kosmic` (called by bench/refint_kosmic.sh): on
# refineR's five test cases and tidykosmic's haemoglobin data, in one run on one machine, the wall
# time and the limits of dimorph --method kosmic and of kosmic by its authors (tidykosmic, the C++
# library with its R binding), with the same `decimals` per set (the ones dimorph's default picks,
# as in crates/dimorph-refint/tests/peers/kosmic.R). dimorph is timed end to end (process start,
# CSV read, estimate); kosmic() on values already in memory. Each is run `reps` times, the minimum
# taken. Prints a table and the time ratio.
# Args: path of the dimorph binary, the peers folder (crates/dimorph-refint/tests/peers), reps.
args <- commandArgs(trailingOnly = TRUE)
bin <- args[1]; dir <- args[2]; reps <- if (length(args) > 2) as.integer(args[3]) else 3L
suppressPackageStartupMessages(library(tidykosmic))
sets <- list()
for (k in 1:5) sets[[k]] <- list(case = paste0("testcase", k), decimals = c(1, 0, 2, 1, 2)[k],
  file = file.path(dir, "refiner_data", paste0("testcase", k, ".csv")), column = "value")
sets[[6]] <- list(case = "haemoglobin", decimals = 1,
  file = file.path(dir, "kosmic_data", "haemoglobin.csv"), column = "result")
dimorph <- function(s) {
  t0 <- proc.time()[["elapsed"]]
  out <- system2(bin, c("refint", "estimate", "--data", s$file, "--value", s$column, "--method", "kosmic",
                        "--decimals", s$decimals, "--format", "csv"), stdout = TRUE)
  secs <- proc.time()[["elapsed"]] - t0
  d <- read.csv(text = out)
  c(d$estimate[d$limit == "lower"], d$estimate[d$limit == "upper"], secs)
}
peer <- function(s, x) {
  t0 <- proc.time()[["elapsed"]]
  fit <- kosmic(x, s$decimals)
  q <- quantile(fit, c(0.025, 0.975), names = FALSE)
  c(q, proc.time()[["elapsed"]] - t0)
}
rows <- list()
for (s in sets) {
  x <- read.csv(s$file)[[s$column]]
  ours <- NULL; theirs <- NULL
  for (r in seq_len(reps)) {   # alternate, so that both see the same machine load
    o <- dimorph(s); p <- peer(s, x)
    ours <- if (is.null(ours) || o[3] < ours[3]) o else ours
    theirs <- if (is.null(theirs) || p[3] < theirs[3]) p else theirs
  }
  rows[[length(rows) + 1]] <- data.frame(case = s$case, n = length(x), decimals = s$decimals,
    dimorph_s = ours[3], kosmic_s = theirs[3], ratio = theirs[3] / ours[3],
    lower = ours[1], kosmic_lower = theirs[1], upper = ours[2], kosmic_upper = theirs[2],
    max_rel_diff = max(abs(ours[1:2] / theirs[1:2] - 1)))
}
tab <- do.call(rbind, rows)
options(width = 200)
print(tab, row.names = FALSE, digits = 6)
cat(sprintf("\ntotal (minimum of %d runs each): dimorph kosmic %.2f s (end to end), R kosmic %.2f s (estimate only): kosmic/dimorph = %.1fx\n",
            reps, sum(tab$dimorph_s), sum(tab$kosmic_s), sum(tab$kosmic_s) / sum(tab$dimorph_s)))
cat(sprintf("largest relative difference of a limit: %.2e\n", max(tab$max_rel_diff)))
cat(R.version.string, "tidykosmic", as.character(packageVersion("tidykosmic")), "\n")
