#!/usr/bin/env bash
# Installs the benchmark's peer: base R (Debian package r-base-core). Nothing else is needed.
set -euo pipefail
if ! command -v Rscript >/dev/null; then
  apt-get update
  apt-get install -y r-base-core
fi
Rscript --version
