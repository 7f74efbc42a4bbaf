"""The calling convention for users' functions: one signature per quantity.

Every function of :mod:`o3ref.verify` that calls a user's implementation (the property
checks, :func:`o3ref.verify.detect_convention`, the pytest
:class:`o3ref.verify.pytest_plugin.ConformanceSuite`) calls it the same way:

- real spherical harmonics: ``sh(l_max, xyz)`` for points ``xyz (n, 3)`` returns
  ``(n, (l_max+1)**2)``, ``m = -l..l`` in each degree, flat index ``l*l + l + m``;
- their gradients: ``sh_gradient(l_max, xyz)`` returns ``(values (n, K), gradients
  (n, 3, K))`` with ``K = (l_max+1)**2``;
- the real Wigner D: ``wigner_d(l, alpha, beta, gamma)`` returns ``(2l+1, 2l+1)`` for the
  ZYZ Euler angles (radians) of an active rotation; a check given ``takes="matrix"`` calls
  ``wigner_d(l, R)`` with a rotation matrix ``R (3, 3)`` instead;
- real Clebsch-Gordan coefficients: ``cg(l1, l2, L)`` returns ``(2l1+1, 2l2+1, 2L+1)``.

A function written to another signature goes through one explicit wrapper, so that a
mismatch is never guessed: :func:`from_xyz_function` turns ``f(xyz)`` (a fixed ``l_max``)
into ``sh(l_max, xyz)``, and :func:`from_matrix_function` turns a batched
``d_func(R (n, 3, 3)) -> (n, 2l+1, 2l+1)`` (a fixed ``l``) into ``wigner_d(l, alpha, beta,
gamma)``. A callable that cannot be called with the convention's arguments is refused with a
``TypeError`` naming the expected signature (:func:`require_signature`).

The generic helpers :func:`o3ref.verify.assert_equivariant` and
:func:`o3ref.verify.assert_gradient_fd` take any function of one argument ``f(x)``.

Conventions (signs, order, rotations): :mod:`o3ref.reference.conventions`.

>>> import numpy as np
>>> sh = from_xyz_function(lambda xyz: np.full((len(xyz), 1), 0.5 / np.sqrt(np.pi)), l_max=0)
>>> sh(0, np.ones((2, 3))).shape
(2, 1)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

__all__ = ["SIGNATURES", "from_matrix_function", "from_xyz_function", "require_signature"]

#: The convention, by kind: how o3ref calls a user's function and what it expects back.
SIGNATURES = {
    "sh": ("sh(l_max, xyz)", "(n, (l_max+1)**2) for xyz of shape (n, 3)"),
    "sh_gradient": ("sh_gradient(l_max, xyz)", "(values (n, K), gradients (n, 3, K))"),
    "wigner_d": ("wigner_d(l, alpha, beta, gamma)", "(2l+1, 2l+1), ZYZ Euler angles, active"),
    "wigner_d_matrix": ("wigner_d(l, R)", "(2l+1, 2l+1) for a rotation matrix R (3, 3)"),
    "cg": ("cg(l1, l2, L)", "(2l1+1, 2l2+1, 2L+1)"),
}

_HINTS = {
    "sh": "a function of xyz alone goes through from_xyz_function(f, l_max)",
    "sh_gradient": "a function of xyz alone goes through a lambda: lambda l_max, xyz: f(xyz)",
    "wigner_d": "a function of rotation matrices goes through takes='matrix' (f(l, R)) or "
    "from_matrix_function(f, l) (batched f(R (n, 3, 3)))",
    "wigner_d_matrix": "a function of Euler angles goes through takes='angles'",
    "cg": "cg must take the three degrees",
}


def _n_args(kind: str) -> int:
    return SIGNATURES[kind][0].count(",") + 1


def require_signature(func, kind: str, name: str | None = None) -> Callable:
    """Return ``func`` if it can be called as the convention's ``kind`` says, else raise.

    ``kind`` is a key of :data:`SIGNATURES` (``"sh"``, ``"sh_gradient"``, ``"wigner_d"``,
    ``"wigner_d_matrix"``, ``"cg"``). A callable whose signature cannot take that many
    positional arguments raises ``TypeError`` naming the signature o3ref expects and the
    wrapper to use. Callables without an inspectable signature (some builtins) pass.

    >>> require_signature(lambda xyz: xyz, "sh")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: sh=<function <lambda> at ...> cannot be called as sh(l_max, xyz) ...
    """
    if kind not in SIGNATURES:
        raise ValueError(f"kind={kind!r} must be one of {sorted(SIGNATURES)}")
    name = name or SIGNATURES[kind][0].split("(")[0]
    signature, returns = SIGNATURES[kind]
    if not callable(func):
        raise TypeError(f"{name}={func!r} must be callable as {signature} -> {returns}")
    try:
        params = inspect.signature(func)
    except (TypeError, ValueError):  # no signature to inspect: the call itself will tell
        return func
    try:
        params.bind(*range(_n_args(kind)))
    except TypeError as exc:
        raise TypeError(
            f"{name}={func!r} cannot be called as {signature} ({exc}); o3ref calls it as "
            f"{signature} -> {returns}; {_HINTS[kind]}"
        ) from None
    return func


def _require_degree(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name}={value!r} must be a non-negative integer")
    return int(value)


def from_xyz_function(f: Callable, l_max: int) -> Callable:
    """Wrap ``f(xyz (n, 3)) -> (n, (l_max+1)**2)`` as ``sh(l, xyz)`` for any ``l <= l_max``.

    The wrapper returns the first ``(l+1)**2`` columns of ``f(xyz)``; it raises
    ``ValueError`` for ``l > l_max`` and when ``f`` returns another number of columns.

    >>> import numpy as np
    >>> sh = from_xyz_function(lambda xyz: np.ones((len(xyz), 4)), l_max=1)
    >>> sh(0, np.zeros((3, 3))).shape, sh(1, np.zeros((3, 3))).shape
    ((3, 1), (3, 4))
    """
    l_max = _require_degree(l_max, "l_max")
    if not callable(f):
        raise TypeError(f"f={f!r} must be callable as f(xyz)")
    width = (l_max + 1) ** 2

    def sh(l: int, xyz):
        l = _require_degree(l, "l_max")
        if l > l_max:
            raise ValueError(f"l_max={l} must be <= {l_max}, the l_max given to from_xyz_function")
        values = np.asarray(f(xyz))
        if values.ndim != 2 or values.shape[1] != width:
            raise ValueError(
                f"f(xyz) returned shape {values.shape}: from_xyz_function(f, l_max={l_max}) "
                f"needs (n, {width})"
            )
        return values[:, : (l + 1) ** 2]

    sh.__name__ = f"sh_from_{getattr(f, '__name__', 'function')}"
    return sh


def _zyz(alpha: float, beta: float, gamma: float) -> np.ndarray:
    # R = Rz(alpha) Ry(beta) Rz(gamma), as o3ref.reference.conventions states it
    def rz(t):
        c, s = np.cos(t), np.sin(t)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])

    c, s = np.cos(beta), np.sin(beta)
    ry = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    return rz(alpha) @ ry @ rz(gamma)


def from_matrix_function(d_func: Callable, l: int) -> Callable:
    """Wrap a batched ``d_func(R (n, 3, 3)) -> (n, 2l+1, 2l+1)`` as ``wigner_d(l, alpha,
    beta, gamma)``: the angles (ZYZ, active) become ``R = Rz(alpha) Ry(beta) Rz(gamma)``.

    The wrapper raises ``ValueError`` when asked for another degree than ``l``.

    >>> import numpy as np
    >>> P = np.eye(3)[[1, 2, 0]]             # D_real^1(R) = P R P^T
    >>> d = from_matrix_function(lambda R: P @ R @ P.T, l=1)
    >>> (np.round(d(1, np.pi / 2, 0.0, 0.0), 12) + 0.0).tolist()   # Rz(pi/2) in (y, z, x)
    [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]]
    """
    l = _require_degree(l, "l")
    if not callable(d_func):
        raise TypeError(f"d_func={d_func!r} must be callable as d_func(R (n, 3, 3))")

    def wigner_d(degree: int, alpha: float, beta: float, gamma: float):
        degree = _require_degree(degree, "l")
        if degree != l:
            raise ValueError(f"l={degree} must equal {l}, the l given to from_matrix_function")
        return np.asarray(d_func(_zyz(alpha, beta, gamma)[None]))[0]

    wigner_d.__name__ = f"wigner_d_from_{getattr(d_func, '__name__', 'function')}"
    return wigner_d
