#!/usr/bin/env bash
# Creates bench/.venv with the Python peers of the GLM benchmark, at the versions it was run with
# (Python 3.11, 2026-11). Usage: bench/glm/setup.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/bench/.venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet \
    numpy==2.4.6 pandas==3.1.1 pyarrow==26.0.1 statsmodels==0.15.0 glum==3.4.1 \
    scikit-learn==1.9.1 scipy==1.17.1
"$venv/bin/python" -c "import numpy, pandas, pyarrow, statsmodels, glum, sklearn, scipy; print('bench venv ready:', '$venv')"
