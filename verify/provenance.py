"""Provenance of a report: which o3ref, which libraries, which machine, when.

Every JSON report that o3ref writes (``o3ref verify --json``, ``o3ref bench --json``,
``o3ref survey --json``, ``o3ref check-model --json``) carries this block under the key
``"provenance"``, so that a number read later can be traced to the code and the machine
that produced it.

>>> p = provenance({"numpy": None})
>>> sorted(p) == sorted(PROVENANCE_KEYS)
True
>>> p["libraries"]["numpy"] == p["numpy"]
True
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys

__all__ = ["PROVENANCE_KEYS", "distribution_version", "provenance"]

PROVENANCE_KEYS = ("o3ref", "python", "platform", "machine", "numpy", "blas",
                   "blas_threads_env", "libraries", "timestamp")


def distribution_version(name: str) -> str | None:
    """The installed version of distribution ``name`` (``None`` when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _blas() -> dict:
    """The BLAS numpy was built with and, when threadpoolctl is importable, the one loaded."""
    info: dict = {}
    try:
        import numpy as np

        cfg = np.show_config(mode="dicts")  # numpy >= 1.26
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["build"] = {k: blas.get(k) for k in ("name", "version") if blas.get(k)}
    except Exception:  # noqa: BLE001 - older numpy: no dict form; provenance must not fail
        pass
    try:
        from threadpoolctl import threadpool_info

        info["runtime"] = [{k: d.get(k) for k in ("internal_api", "version", "architecture",
                                                  "num_threads")}
                           for d in threadpool_info() if d.get("user_api") == "blas"]
    except Exception:  # noqa: BLE001 - threadpoolctl is optional
        pass
    core = os.environ.get("OPENBLAS_CORETYPE")
    if core:
        info["OPENBLAS_CORETYPE"] = core
    return info


def provenance(libraries: dict[str, str | None] | None = None) -> dict:
    """The provenance block: o3ref's version, Python, platform, numpy, BLAS, thread
    variables, the versions of ``libraries`` (a name -> version mapping; a ``None`` version
    is looked up among the installed distributions) and an ISO-8601 UTC timestamp."""
    import numpy as np

    libs = {}
    for name, ver in (libraries or {}).items():
        libs[name] = ver if ver is not None else distribution_version(name)
    return {
        "o3ref": distribution_version("o3ref"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "numpy": np.__version__,
        "blas": _blas(),
        "blas_threads_env": {k: os.environ[k] for k in (
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
            if k in os.environ},
        "libraries": libs,
        "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
