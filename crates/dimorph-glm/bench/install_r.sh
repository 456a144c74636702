#!/bin/sh
# Installs R (the peer of examples/design_bench.rs) on Debian/Ubuntu.
set -e
apt-get update
apt-get install -y r-base-core
