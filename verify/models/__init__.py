"""Whole-model checks of any ASE calculator: the property checks (:mod:`.checks`), the runner
that applies them (:mod:`.runner`: :func:`check_model`, :func:`compare_models`) and the pytest
base class (:mod:`.conformance`: ``ModelConformance``).

Imports the verify root vocabulary and :mod:`o3ref.verify.layers`.

Conventions: :mod:`o3ref.reference.conventions`.

The names below are re-exported lazily (PEP 562): the pytest plugin imports
:mod:`.conformance` in every pytest session, which must not import numpy.
"""

import importlib

_EXPORTS = {"DifferentialReport": "runner", "ModelReport": "runner", "check_model": "runner",
            "compare_models": "runner"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
