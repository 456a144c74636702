#!/usr/bin/env bash
# Installs the R peers of dimorph-refint's peer scripts (crates/dimorph-refint/tests/peers/*.R,
# tests/reference/peers.R) and benchmarks (bench/refint_*.sh) without CRAN, which may be
# unreachable: R and every R package Debian has from apt (r-base-core, r-cran-<name>); the
# packages Debian lacks are built from their GitHub sources with R CMD INSTALL.
#
#   bench/refint_install_peers.sh [PACKAGE ...]       (default: all of them, in this order)
#     ash, refineR          tests/peers/refiner.R, refiner_modboxcox.R, bench/refint_refiner.sh,
#                           bench/refint_ribench.sh (refineR imports future, future.apply: Debian)
#     reflimR               tests/reference/peers.R, bench/refint_reflimr.R, bench/refint_ribench.sh
#     outliers, extremevalues, referenceIntervals      tests/reference/peers.R
#     gamlss.data, gamlss.dist, gamlss                 tests/peers/lms_gamlss.R
#     tidykosmic            tests/peers/kosmic.R (github.com/divinenephron/tidykosmic)
#
# R_PEER_LIB=DIR installs into a private library (then run the peers with R_LIBS=DIR); without it
# the packages go to R's default library. A package already installed is left alone (FORCE=1
# reinstalls). Where a package's source comes from, first found:
#   1. $SRC_<name> (dots as underscores, e.g. SRC_refineR, SRC_gamlss_dist): a checkout, or a bare
#      git dir (exported with `git archive HEAD`);
#   2. $R_PEER_MIRROR/<owner>+<name>/ (default /work/.mirror): a folder holding a bare git dir, as
#      the fetch tool leaves github:<owner>/<name> (owner cran: GitHub's read-only CRAN mirror);
#   3. `git clone --bare --depth 1 https://github.com/<owner>/<name>` (needs GitHub).
# Versions used for the committed peer outputs: refineR 2.0.0, ash 1.0-15, reflimR 1.1.0,
# gamlss 5.5-0 (gamlss.dist 6.1-1, gamlss.data 6.0-6), referenceIntervals 1.3.1.
set -euo pipefail
LIB="${R_PEER_LIB:-}"
MIRROR="${R_PEER_MIRROR:-/work/.mirror}"
ALL=(ash refineR reflimR outliers extremevalues referenceIntervals gamlss.data gamlss.dist gamlss tidykosmic)
PKGS=("$@")
[ ${#PKGS[@]} -gt 0 ] || PKGS=("${ALL[@]}")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

apt_install() { # installs the Debian packages not yet installed (needs root and the Debian mirror)
  local want=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || want+=("$p"); done
  [ ${#want[@]} -eq 0 ] && return 0
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -q >/dev/null; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}"
}

has_r_pkg() {
  Rscript -e "lib <- Sys.getenv('R_PEER_LIB'); if (nzchar(lib)) .libPaths(c(lib, .libPaths()));
    quit(status = if (requireNamespace('$1', quietly = TRUE)) 0 else 1)" >/dev/null 2>&1
}

# R packages each needs that are built here too (installed first).
r_deps() {
  case "$1" in
    refineR) echo ash ;;
    referenceIntervals) echo outliers extremevalues ;;
    gamlss) echo gamlss.data gamlss.dist ;;
  esac
}

owner_of() { case "$1" in tidykosmic) echo divinenephron ;; *) echo cran ;; esac; }

# Dependencies of each package that Debian has.
debian_deps() {
  case "$1" in
    refineR) echo r-cran-future r-cran-future.apply ;;
    referenceIntervals) echo r-cran-boot r-cran-mass ;;
    gamlss | gamlss.dist) echo r-cran-mass r-cran-nlme r-cran-survival ;;
    tidykosmic) echo r-cran-rcpp r-cran-rlang r-cran-glue r-cran-dplyr r-cran-ggplot2 ;;
  esac
}

# The package's source as a folder with its DESCRIPTION.
source_of() {
  local name="$1" owner var src git_dir
  owner="$(owner_of "$name")"
  var="SRC_${name//./_}"
  src="${!var:-}"
  if [ -z "$src" ] && [ -d "$MIRROR/$owner+$name" ]; then
    git_dir="$(find "$MIRROR/$owner+$name" -maxdepth 2 -name HEAD -printf '%h\n' | head -n 1)"
    src="${git_dir:-}"
  fi
  if [ -z "$src" ]; then
    git clone -q --bare --depth 1 "https://github.com/$owner/$name" "$tmp/$name.git" >&2 || {
      echo "$name: no source (set $var to a checkout or bare git dir of github:$owner/$name)" >&2
      return 1
    }
    src="$tmp/$name.git"
  fi
  if [ -f "$src/DESCRIPTION" ]; then
    echo "$src"
  else
    mkdir -p "$tmp/$name"
    git --git-dir="$src" archive HEAD | tar -x -C "$tmp/$name"
    echo "$tmp/$name"
  fi
}

install_pkg() {
  local p="$1" d deb src
  if [ -z "${FORCE:-}" ] && has_r_pkg "$p"; then
    echo "$p: installed"
    return 0
  fi
  for d in $(r_deps "$p"); do install_pkg "$d"; done
  deb="r-cran-$(echo "$p" | tr '[:upper:]' '[:lower:]')"
  if apt-cache show "$deb" 2>/dev/null | grep -q '^Version:' && apt_install "$deb"; then
    echo "$p: Debian package $deb"
    return 0
  fi
  # shellcheck disable=SC2046
  apt_install $(debian_deps "$p")
  src="$(source_of "$p")" || exit 1
  echo "$p: R CMD INSTALL from $src ($(grep -m1 '^Version:' "$src/DESCRIPTION"))"
  R CMD INSTALL ${LIB:+-l "$LIB"} "$src" >"$tmp/$p.log" 2>&1 || {
    tail -n 30 "$tmp/$p.log" >&2
    exit 1
  }
}

# a fresh machine has no package lists: fetch them once, so Debian's packages are preferred
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -n 1)" ]; then
  apt-get update -q >/dev/null 2>&1 && APT_UPDATED=1 || echo "apt-get update failed: building from source" >&2
fi
command -v Rscript >/dev/null || apt_install r-base-core r-cran-mass r-cran-boot
[ -z "$LIB" ] || mkdir -p "$LIB"
for p in "${PKGS[@]}"; do install_pkg "$p"; done
echo "R peers installed${LIB:+ in $LIB}: ${PKGS[*]}"
