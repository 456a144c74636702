#!/usr/bin/env bash
# Installs the Python peers of dimorph-embed's reference values and benchmarks: a virtual
# environment (default bench/.venv-embed, or $EMBED_VENV) with openTSNE, FIt-SNE (PyPI `fitsne`,
# a C++ extension built against FFTW: needs a C++ compiler and libfftw3-dev, installed here with
# apt-get when missing and run as root), numpy, scikit-learn and pyarrow.
set -euo pipefail
VENV="${EMBED_VENV:-$(dirname "$0")/.venv-embed}"
if ! [ -f /usr/include/fftw3.h ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    apt-get install -y -q libfftw3-dev > /dev/null
  else
    echo "FIt-SNE needs FFTW's headers: apt-get install libfftw3-dev (as root)" >&2; exit 2
  fi
fi
command -v c++ > /dev/null || { echo "FIt-SNE needs a C++ compiler (apt-get install g++)" >&2; exit 2; }
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet openTSNE numpy scikit-learn pyarrow cython setuptools wheel
# fitsne 1.2.1 is a source distribution whose build imports numpy and Cython: build it against
# the environment's own (no isolated build environment).
"$VENV/bin/pip" install --quiet --no-build-isolation fitsne==1.2.1
"$VENV/bin/python" -c "import openTSNE, fitsne, sklearn, numpy; print('openTSNE', openTSNE.__version__, 'fitsne', fitsne.__version__ if hasattr(fitsne, '__version__') else '1.2.1', 'sklearn', sklearn.__version__, 'numpy', numpy.__version__)"
