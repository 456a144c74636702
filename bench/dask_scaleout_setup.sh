#!/usr/bin/env bash
# The environment of bench/dask_scaleout.py: a Java runtime for Spark (Debian's
# default-jre-headless, when `java` is missing), a virtual environment VENV with python/ci.sh's
# pinned packages, the peers of bench/dask_scaleout_requirements.txt (dask-ml / dask-glm,
# pyspark, statsmodels, psutil) and dimorph from this checkout (`pip install ./python`), and the
# release CLI for the streaming fit (`cargo build --release -p dimorph --no-default-features`).
#
#   bash bench/dask_scaleout_setup.sh /tmp/scaleout-venv
#   /tmp/scaleout-venv/bin/python bench/dask_scaleout.py --rows 1000000,10000000 --row-group 250000
set -euo pipefail
venv="${1:?usage: bash bench/dask_scaleout_setup.sh VENV}"
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
    echo "== Java for Spark: apt-get install -y default-jre-headless"
    apt-get install -y default-jre-headless || { apt-get update && apt-get install -y default-jre-headless; }
fi
java -version 2>&1 | head -1

echo "== $venv: python/ci.sh's pins, the peers, dimorph from this checkout"
python3 -m venv "$venv"
export PATH="$venv/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# the pins of python/ci.sh's `pip install --quiet maturin==… distributed==…` line
pins="$(sed -n '/pip install --quiet maturin==/,/distributed==/p' python/ci.sh | tr -d '\\\n' | sed 's/.*pip install --quiet//')"
eval "pip install --quiet $pins"
pip install --quiet -r bench/dask_scaleout_requirements.txt
pip install --quiet --no-build-isolation ./python

echo "== the CLI's streaming fit: cargo build --release -p dimorph --no-default-features"
cargo build --release --quiet -p dimorph --no-default-features --bin dimorph
python -c "import dimorph, dask, dask_ml, pyspark, statsmodels; print('dimorph', dimorph.__version__, \
'dask', dask.__version__, 'dask-ml', dask_ml.__version__, 'pyspark', pyspark.__version__, \
'statsmodels', statsmodels.__version__)"
