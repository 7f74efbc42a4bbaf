"""Adapters to other libraries (each an optional import).

Every adapter module (``sphericart``, ``featomic``, ``e3nn``, ``scipy``, ``sympy``,
``wigners``, ``spherical``) imports its library only when a function needs it, and raises
``ImportError`` naming the package to install when it is missing. Each exposes

- functions in the library's *own* convention (``spherical_harmonics``, ``wigner_D``, ...);
- ``CONVENTIONS``: the names, in :mod:`o3ref.verify.conventions`, of the exact maps from
  those functions to o3ref's conventions;
- ``implementations()``: a dict ``quantity -> callable`` giving the library's values mapped
  to o3ref's conventions, with the signatures of :func:`o3ref.verify.detect_convention`
  (``"sh"``: ``f(l_max, xyz)``; ``"sh_gradient"``: ``f(l_max, xyz) -> (values, gradients)``;
  ``"wigner_d"``: ``f(l, alpha, beta, gamma)`` ZYZ real D; ``"cg"``: ``f(l1, l2, L)`` real
  CG; ``"complex_cg"``: ``f(l1, l2, L)`` Condon-Shortley CG). ``o3ref verify --against NAME``
  checks these against the exact reference.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["ADAPTERS", "get_adapter", "require"]

ADAPTERS = ("sphericart", "featomic", "e3nn", "scipy", "sympy", "wigners", "spherical")

# import name -> pip name
_PIP = {"sphericart": "sphericart", "featomic": "featomic", "torch": "torch e3nn",
        "e3nn": "e3nn", "scipy": "scipy", "sympy": "sympy", "wigners": "wigners",
        "spherical": "spherical", "quaternionic": "spherical"}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise ``ImportError`` telling which package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pip = _PIP.get(module.split(".")[0], module.split(".")[0])
        raise ImportError(
            f"this o3ref adapter needs the optional package {module!r}, which is not "
            f"installed: pip install {pip}"
        ) from exc


def get_adapter(name: str) -> ModuleType:
    """The adapter module ``o3ref.verify.adapters.<name>`` (its library is not imported)."""
    if name not in ADAPTERS:
        raise ValueError(f"adapter name={name!r} must be one of {', '.join(ADAPTERS)}")
    return importlib.import_module(f"{__name__}.{name}")
