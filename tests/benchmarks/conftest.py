"""Benchmarks run single-threaded for every library, so the comparisons are like for like.

The thread variables must be set before numpy, featomic or sphericart are imported; this
conftest is imported before the benchmark modules are collected.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"
