#!/usr/bin/env bash
# Installs the R peers of dimorph-refint's reference values and benchmark: R (Debian package
# r-base-core) and the CRAN packages reflimR (benchmark, tests/reference/peers.R) and
# referenceIntervals (tests/reference/peers.R). Set R_PEER_LIB to install into a private library.
# kosmic (tests/peers/kosmic.R) is tidykosmic, the R binding of the authors' C++ library, which is
# neither on CRAN nor in Debian: set TIDYKOSMIC_SRC to a checkout of github:divinenephron/tidykosmic
# (or to its bare git dir: it is exported with git archive) and it is built with R CMD INSTALL; its
# R dependencies come from Debian (r-cran-rcpp, -rlang, -glue, -dplyr, -ggplot2).
set -euo pipefail
if ! command -v Rscript >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends r-base-core r-cran-mass r-cran-boot
fi
LIB="${R_PEER_LIB:-}"
if [ -n "${TIDYKOSMIC_SRC:-}" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    r-cran-rcpp r-cran-rlang r-cran-glue r-cran-dplyr r-cran-ggplot2
  src="$TIDYKOSMIC_SRC"
  if [ -f "$src/HEAD" ] && [ ! -f "$src/DESCRIPTION" ]; then
    tmp="$(mktemp -d)"
    git --git-dir="$src" archive HEAD | tar -x -C "$tmp"
    src="$tmp"
  fi
  R CMD INSTALL ${LIB:+-l "$LIB"} "$src"
fi
Rscript -e "lib <- Sys.getenv('R_PEER_LIB'); if (nzchar(lib)) { dir.create(lib, showWarnings = FALSE, recursive = TRUE); .libPaths(c(lib, .libPaths())) };
  r <- getOption('repos'); if (is.null(r) || r[['CRAN']] == '@CRAN@') stop('set a CRAN mirror in options(repos) (e.g. in ~/.Rprofile)');
  for (p in c('reflimR', 'referenceIntervals')) if (!requireNamespace(p, quietly = TRUE)) install.packages(p, lib = .libPaths()[1])"
echo "R peers installed${LIB:+ in $LIB}"
