# RIbench subset benchmark (called by bench/refint_ribench.sh): on the 20 sets drawn by
# crates/dimorph-refint/tests/ribench.rs from tests/fixtures/ribench_subset.csv (RIbench's
# parameters; our seeded generator), in one run on one machine, the wall time and the mean
# absolute % error against the true limits of dimorph --method reflim / refiner (--model boxcox
# and modboxcox) / kosmic and of reflimR 1.1.0 reflim(), refineR 2.0.0 findRI (NBootstrap = 0;
# model "BoxCox", its default, and "modBoxCox") and, when installed, kosmic.
# dimorph is timed end to end (process start and CSV read included); the R peers on the
# estimate only. Writes the peers' limits to the file given as third argument.
# Args: dimorph binary, folder of the sets (truth.csv inside), output CSV of the peers' limits,
# optionally the peers to run, comma-separated (default reflimR,refineR,refineR_modBoxCox; the
# held-out subset runs refineR only), optionally an analyte to run alone (e.g. CRP). The peers'
# file has, beside the 2.5 and 97.5 % limits, refineR's 95 % quantile (column upper95): RIbench
# evaluates CRP's upper limit at the 95th percentile (its GT_URL 5 mg/L is the P95 of the design;
# RIbench's computeRIsAll uses RIperc = 0.95 for CRP).
# Peers: reflimR, refineR, refineR_modBoxCox, kosmic (tidykosmic, kosmic by its authors, with the
# set's decimals as dimorph --method kosmic gets them). dimorph's counterpart of a peer runs only
# when the peer does (dimorph's times beside the peer's, same run). When the output file exists,
# its rows of other (index, method) pairs are kept and the new rows appended, so peers can be
# added to a subset's file one run at a time; it is written after every set. R kosmic runs in a
# child process (tidykosmic 0.0.0.9000 crashes R on some CRP sets: its limits are then NA);
# KOSMIC_TIMEOUT=S (seconds, wall) stops an R kosmic estimate that runs longer (kosmic tries every
# pair of truncation points: at 2 decimals TSH's 20,000+ pairs take many minutes); its limits are
# then NA and its seconds the cap.
args <- commandArgs(trailingOnly = TRUE)
bin <- args[1]; dir <- args[2]; peers_out <- args[3]
run_peers <- if (length(args) >= 4) strsplit(args[4], ",")[[1]] else c("reflimR", "refineR", "refineR_modBoxCox")
suppressPackageStartupMessages({
  if (any(c("refineR", "refineR_modBoxCox") %in% run_peers)) library(refineR)
  if ("reflimR" %in% run_peers) library(reflimR)
})
has_kosmic_r <- requireNamespace("tidykosmic", quietly = TRUE)
truth <- read.csv(file.path(dir, "truth.csv"))
if (length(args) >= 5) truth <- truth[truth$analyte == args[5], ]
dimorph <- function(file, method, extra = character()) {
  t0 <- proc.time()[["elapsed"]]
  out <- suppressWarnings(system2(bin, c("refint", "estimate", "--data", file, "--value", "value",
                                         "--method", method, extra, "--format", "csv"), stdout = TRUE, stderr = FALSE))
  secs <- proc.time()[["elapsed"]] - t0
  if (!is.null(attr(out, "status"))) return(c(NA, NA, secs))
  d <- read.csv(text = out)
  c(d$estimate[d$limit == "lower"][1], d$estimate[d$limit == "upper"][1], secs)
}
has_dimorph_kosmic <- "kosmic" %in% run_peers &&
  !is.na(dimorph(file.path(dir, truth$file[1]), "kosmic", c("--decimals", truth$decimals[1]))[2])
kosmic_timeout <- as.numeric(Sys.getenv("KOSMIC_TIMEOUT", "Inf"))
kosmic_r <- function(x, d) { # kosmic's 2.5, 97.5 and 95 % quantiles, in a child process
  job <- parallel::mcparallel(quantile(tidykosmic::kosmic(x, decimals = d), c(0.025, 0.975, 0.95), names = FALSE))
  v <- parallel::mccollect(job, wait = FALSE, timeout = if (is.finite(kosmic_timeout)) kosmic_timeout else 1e7)
  if (is.null(v)) {
    tools::pskill(job$pid); suppressWarnings(parallel::mccollect(job))
    cat(sprintf("kosmic stopped after %g s\n", kosmic_timeout)); stop("timeout")
  }
  v <- v[[1]]
  if (!is.numeric(v) || length(v) != 3) {
    cat("kosmic failed:", if (is.character(v)) v else "its process died", "\n"); stop("kosmic failed")
  }
  v
}
timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  v <- c(tryCatch(expr, error = function(e) c(NA, NA)), NA)
  c(v[1], v[2], proc.time()[["elapsed"]] - t0, v[3]) # lower, upper, seconds, 95 % quantile
}
ape <- function(v, k) {
  e <- 100 * abs(v[2] - truth$gt_url[k]) / truth$gt_url[k]
  if (is.finite(truth$gt_lrl[k]) && truth$gt_lrl[k] > 0) e <- c(e, 100 * abs(v[1] - truth$gt_lrl[k]) / truth$gt_lrl[k])
  e
}
methods <- c("dimorph_reflim", "reflimR", "dimorph_refiner", "refineR", "dimorph_refiner_modbc", "refineR_modBoxCox",
             if (has_dimorph_kosmic) "dimorph_kosmic", if (has_kosmic_r) "kosmic")
counterpart <- c(dimorph_reflim = "reflimR", dimorph_refiner = "refineR", dimorph_refiner_modbc = "refineR_modBoxCox",
                 dimorph_kosmic = "kosmic")
methods <- methods[methods %in% run_peers | counterpart[methods] %in% run_peers]
has_kosmic_r <- has_kosmic_r && "kosmic" %in% run_peers
res <- list(); peers <- list()
for (k in seq_len(nrow(truth))) {
  file <- file.path(dir, truth$file[k])
  x <- read.csv(file)$value
  r <- list()
  if ("dimorph_reflim" %in% methods) r$dimorph_reflim <- dimorph(file, "reflim")
  if ("dimorph_refiner" %in% methods) r$dimorph_refiner <- dimorph(file, "refiner")
  if ("dimorph_refiner_modbc" %in% methods) r$dimorph_refiner_modbc <- dimorph(file, "refiner", c("--model", "modboxcox"))
  if ("dimorph_kosmic" %in% methods) r$dimorph_kosmic <- dimorph(file, "kosmic", c("--decimals", truth$decimals[k]))
  if ("reflimR" %in% run_peers) r$reflimR <- timed({ f <- reflim(x[x > 0], plot.it = FALSE, print.n = FALSE); as.numeric(f$limits[1:2]) })
  if ("refineR" %in% run_peers) r$refineR <- timed({ f <- findRI(Data = x, NBootstrap = 0); getRI(f, RIperc = c(0.025, 0.95, 0.975))$PointEst[c(1, 3, 2)] })
  if ("refineR_modBoxCox" %in% run_peers) r$refineR_modBoxCox <- timed({
    f <- findRI(Data = x, model = "modBoxCox", NBootstrap = 0); getRI(f, RIperc = c(0.025, 0.95, 0.975))$PointEst[c(1, 3, 2)]
  })
  if (has_kosmic_r && "kosmic" %in% run_peers) r$kosmic <- timed({
    kosmic_r(x, truth$decimals[k])
  })
  for (m in methods) {
    v <- r[[m]]
    res[[length(res) + 1]] <- data.frame(index = truth$index[k], analyte = truth$analyte[k], method = m,
                                         lower = v[1], upper = v[2], seconds = v[3], upper95 = v[4],
                                         mape = if (is.na(v[2])) NA else mean(ape(v, k)),
                                         nerr = length(ape(v, k)))
  }
  cat(sprintf("set %d %s done\n", truth$index[k], truth$analyte[k]))
  tab <- do.call(rbind, res)
  out <- tab[!grepl("^dimorph", tab$method), c("index", "analyte", "method", "lower", "upper", "seconds", "upper95")]
  if (k == 1 && file.exists(peers_out)) old <- read.csv(peers_out) else if (k == 1) old <- NULL
  if (!is.null(old)) out <- rbind(old[!paste(old$index, old$method) %in% paste(out$index, out$method), ], out)
  write.csv(out, peers_out, row.names = FALSE)
}
options(width = 200)
wide <- reshape(tab[, c("index", "analyte", "method", "mape")], idvar = c("index", "analyte"),
                timevar = "method", direction = "wide")
names(wide) <- sub("^mape\\.", "", names(wide))
cat("\nabsolute % error against the true limits, mean over the set's limits:\n")
print(wide, row.names = FALSE, digits = 3)
signed <- function(v, k, which) {
  t <- if (which == "upper") truth$gt_url[k] else truth$gt_lrl[k]
  if (!is.finite(t) || t <= 0 || is.na(v)) NA else 100 * (v - t) / t
}
cat("\nsigned % error of the upper limit (lower limit in brackets) per set:\n")
bias_tab <- do.call(rbind, lapply(seq_len(nrow(truth)), function(k) {
  row <- data.frame(index = truth$index[k], analyte = truth$analyte[k])
  for (m in methods) {
    s <- tab[tab$method == m & tab$index == truth$index[k], ]
    row[[m]] <- sprintf("%+.1f (%+.1f)", signed(s$upper, k, "upper"), signed(s$lower, k, "lower"))
  }
  row
}))
print(bias_tab, row.names = FALSE)
cat("\nper method over the ", nrow(truth), " sets (mean absolute % error over all limits; mean signed % error of the\n",
    "upper and lower limits; failed sets; total seconds):\n", sep = "")
for (m in methods) {
  s <- tab[tab$method == m, ]
  errs <- unlist(lapply(seq_len(nrow(s)), function(i) if (is.na(s$upper[i])) NULL else
    ape(c(s$lower[i], s$upper[i]), match(s$index[i], truth$index))))
  ks <- match(s$index, truth$index)
  bu <- mean(mapply(function(v, k) signed(v, k, "upper"), s$upper, ks), na.rm = TRUE)
  bl <- mean(mapply(function(v, k) signed(v, k, "lower"), s$lower, ks), na.rm = TRUE)
  cat(sprintf("  %-22s MAPE %6.2f %%   bias upper %+6.2f %%  lower %+6.2f %%   failed %2d   time %8.2f s\n",
              m, mean(errs), bu, bl, sum(is.na(s$upper)), sum(s$seconds)))
}
tt <- function(m) sum(tab$seconds[tab$method == m])
ratio <- function(p, d, fmt) if (p %in% methods) sprintf(fmt, tt(p) / tt(d)) else "not run"
cat(sprintf("\ntime ratios (peer / dimorph): reflimR/reflim %s, refineR/refiner %s, modBoxCox %s%s\n",
            ratio("reflimR", "dimorph_reflim", "%.2fx"), ratio("refineR", "dimorph_refiner", "%.1fx"),
            ratio("refineR_modBoxCox", "dimorph_refiner_modbc", "%.1fx"),
            if (has_kosmic_r && has_dimorph_kosmic) sprintf(", kosmic/dimorph kosmic %.1fx", tt("kosmic") / tt("dimorph_kosmic")) else ""))
cat("(dimorph end to end incl. process start and CSV read; the R peers estimate only)\n")
