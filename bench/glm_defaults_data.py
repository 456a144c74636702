#!/usr/bin/env python3
"""Seeded data for bench/glm_defaults.sh: 1,000,000 rows x 20 standard-normal covariates and a
0/1 response y ~ Bernoulli(expit(0.25 + X b)), b = linspace(-0.5, 0.5, 20) * 0.6 (the model of
bench/glm), numpy PCG64 with seed 20261126, written with 8 significant digits.

    python3 bench/glm_defaults_data.py OUT.csv [ROWS]
"""
import sys

import numpy as np

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
p = 20
rng = np.random.default_rng(20261126)
x = rng.standard_normal((n, p))
eta = 0.25 + x @ (np.linspace(-0.5, 0.5, p) * 0.6)
y = rng.binomial(1, 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
header = ",".join(["y"] + [f"x{j + 1}" for j in range(p)])
np.savetxt(out, np.column_stack([y, x]), fmt=["%d"] + ["%.8g"] * p, delimiter=",", header=header, comments="")
print(f"wrote {out}: {n} rows x {p} covariates")
