"""Benchmarks run single-threaded for every library, so the comparisons are like for like.

The thread variables must be set before numpy, featomic or sphericart load their thread
pools. This conftest is imported before the benchmark modules are collected, and the o3ref
pytest plugin (loaded earlier) imports no numpy; ``tox -e bench`` also sets them in the
environment. The check below refuses to run if numpy was loaded too early anyway.
"""

import os
import sys

_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
_numpy_was_loaded = "numpy" in sys.modules
_preset = all(os.environ.get(v) == "1" for v in _VARS[:3])
for _var in _VARS:
    os.environ[_var] = "1"


def pytest_configure(config):
    if _numpy_was_loaded and not _preset:
        raise RuntimeError(
            "numpy was imported before tests/benchmarks/conftest.py could pin BLAS to one "
            "thread; run the benchmarks with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "
            "MKL_NUM_THREADS=1 (tox -e bench sets them)"
        )
