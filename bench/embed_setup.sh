#!/usr/bin/env bash
# Installs the Python peer of dimorph-embed's reference values and benchmark: a virtual
# environment (default bench/.venv-embed, or $EMBED_VENV) with openTSNE, numpy and scikit-learn.
set -euo pipefail
VENV="${EMBED_VENV:-$(dirname "$0")/.venv-embed}"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet openTSNE numpy scikit-learn pyarrow
"$VENV/bin/python" -c "import openTSNE, sklearn, numpy; print('openTSNE', openTSNE.__version__, 'sklearn', sklearn.__version__, 'numpy', numpy.__version__)"
