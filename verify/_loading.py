"""``"package.module:function"`` specs: how the command line and the pytest plugin find a
user's function or factory. Standard library only (the pytest plugin imports it in every
pytest session, before any benchmark can pin BLAS threads).

>>> load_callable("math:sqrt")(16.0)
4.0
"""

from __future__ import annotations

import importlib
import os
import sys

__all__ = ["load_callable"]


def load_callable(spec: str):
    """``"package.module:function"`` -> the callable (the attribute may be dotted). The
    current directory is on the import path, as with ``python -m`` (a console script like
    ``o3ref`` does not put it there by itself).

    Raises ``ValueError`` (no ``:``), ``ImportError`` (the module), ``AttributeError`` (the
    attribute) or ``TypeError`` (not callable), each message starting with ``spec``.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"spec={spec!r} must be 'module:function'")
    module_name, attr = spec.split(":", 1)
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:  # a console script: as `python -m` does
        sys.path.insert(0, cwd)
    try:
        obj = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"{spec}: cannot import {module_name!r}: {exc}") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise AttributeError(f"{spec}: {module_name} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{spec} is not callable")
    return obj
