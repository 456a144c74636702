#!/usr/bin/env bash
# Creates bench/.venv-torch with the PyTorch peer of the BagNet benchmark (CPU wheels from PyPI).
# Usage: bench/bagnet/setup.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
python3 -m venv bench/.venv-torch && bench/.venv-torch/bin/pip install torch numpy safetensors
bench/.venv-torch/bin/python -c "import torch, numpy, safetensors; print('torch', torch.__version__, 'ready in bench/.venv-torch')"
