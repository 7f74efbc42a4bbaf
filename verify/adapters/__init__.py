"""Adapters to other libraries (each an optional import), and their registry.

Every adapter module (``sphericart``, ``featomic``, ``e3nn``, ``scipy``, ``sympy``,
``wigners``, ``spherical``, ``cuequivariance``, ``e3x``, ``escnn``) imports its library only
when a function needs it, and raises ``ImportError`` naming the package to install when it
is missing. Each exposes

- functions in the library's *own* convention (``spherical_harmonics``, ``wigner_D``, ...);
- ``CONVENTIONS``: the names, in :mod:`o3ref.verify.conventions`, of the exact maps from
  those functions to o3ref's conventions (or, for maps the table does not hold, a short
  description);
- ``implementations()``: a dict ``quantity -> callable`` giving the library's values mapped
  to o3ref's conventions, with the signatures of :func:`o3ref.verify.detect_convention`
  (``"sh"``: ``f(l_max, xyz)``; ``"sh_gradient"``: ``f(l_max, xyz) -> (values, gradients)``;
  ``"wigner_d"``: ``f(l, alpha, beta, gamma)`` ZYZ real D; ``"cg"``: ``f(l1, l2, L)`` real
  CG; ``"complex_cg"``: ``f(l1, l2, L)`` Condon-Shortley CG). ``o3ref verify --against NAME``
  checks these against the exact reference;
- ``DISTRIBUTIONS`` (the packages it needs, the library first), ``KNOWN_VERSIONS`` (for
  each, the version prefixes the adapter was written and checked against), ``MAX_L`` (the
  largest degree per quantity the library computes) and ``DTYPE`` (the dtype of its results,
  one name or a dict per quantity); ``max_l()`` may refine ``MAX_L`` for the installed
  version;
- optionally ``natives()``: ``quantity -> (function, takes)`` in the library's own
  convention, for the detector (``takes`` is "euler", "matrix" or "quaternion" for D).

A third-party package registers its own adapter (a module or any object with these
attributes) in the entry-point group ``o3ref.adapters``::

    [project.entry-points."o3ref.adapters"]
    mylib = "mylib.o3ref_adapter"

and ``o3ref verify --against mylib`` / ``o3ref survey`` find it. The built-in adapters are
registered in that group too, and are found directly when o3ref is not installed.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from .registry import (
    ADAPTERS, ENTRY_POINT_GROUP, AdapterError, adapter_dtype, adapter_max_l, adapter_names,
    checked_implementations, get_adapter, guard, installed_versions, require,
    version_known,
)

__all__ = ["ADAPTERS", "ENTRY_POINT_GROUP", "AdapterError", "adapter_dtype", "adapter_max_l",
           "adapter_names", "checked_implementations", "get_adapter", "guard", "installed_versions",
           "require", "version_known"]
