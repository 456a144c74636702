#!/bin/sh
# Create bench/.venv-torch with PyTorch, torchvision, numpy and safetensors from PyPI, for the BagNet fixture
# (crates/dimorph-bagnet/tests/fixtures/make_fixture.py), the torchvision fixture of the baseline CNNs
# (make_baseline_fixture.py beside it) and the PyTorch side of the benchmarks.
# Usage (from anywhere): sh bench/bagnet/setup.sh
set -eu
cd "$(dirname "$0")/../.."
if [ ! -x bench/.venv-torch/bin/python ]; then
    python3 -m venv bench/.venv-torch
fi
bench/.venv-torch/bin/pip install -q torch torchvision numpy safetensors
bench/.venv-torch/bin/python -c 'import torch, torchvision, numpy, safetensors; print("torch", torch.__version__, "torchvision", torchvision.__version__, "numpy", numpy.__version__, "safetensors", safetensors.__version__)'
