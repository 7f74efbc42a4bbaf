"""Exact rotation matrices: ZYZ Euler angles (active), and rotations from quaternions.

Conventions: see :mod:`o3ref.reference.conventions` (active rotations,
``R(alpha, beta, gamma) = Rz(alpha) Ry(beta) Rz(gamma)``).

>>> from sympy import pi
>>> rotation_matrix(pi / 2, 0, 0) * sympy.Matrix([1, 0, 0])  # x -> y: active
Matrix([
[0],
[1],
[0]])
"""

from __future__ import annotations

import numbers

import sympy

__all__ = [
    "exact_angle",
    "quaternion_to_matrix",
    "rotation_matrix",
    "rotation_y",
    "rotation_z",
]


def exact_angle(name: str, value) -> sympy.Expr:
    """``value`` as an exact sympy expression; floats are refused (they are not exact).

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> exact_angle("beta", sympy.pi / 3)
    pi/3
    >>> exact_angle("beta", 0.5)
    Traceback (most recent call last):
    ...
    TypeError: beta=0.5 is a float: pass an exact angle (e.g. sympy.pi/3) or ask for dps=...
    """
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be an angle, not a bool")
    if isinstance(value, numbers.Real) and not isinstance(value, (numbers.Rational, sympy.Basic)):
        raise TypeError(
            f"{name}={value!r} is a float: pass an exact angle (e.g. sympy.pi/3) or ask for dps=..."
        )
    try:
        expr = sympy.sympify(value, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise TypeError(f"{name}={value!r} must be a sympy expression or an exact number") from exc
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"{name}={value!r} must be a sympy expression or an exact number")
    if expr.has(sympy.Float):
        raise TypeError(
            f"{name}={value} contains a float: pass an exact angle (e.g. sympy.pi/3) "
            "or ask for dps=..."
        )
    if expr.is_real is False:  # symbols of unknown sign are kept; I, 1 + I etc. are not
        raise ValueError(f"{name}={expr} must be a real angle")
    return expr


def _exact_component(name: str, value) -> sympy.Expr:
    """A quaternion component as an exact real sympy number or expression (no floats)."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be a number, not a bool")
    if isinstance(value, numbers.Real) and not isinstance(value, (numbers.Rational, sympy.Basic)):
        raise TypeError(f"{name}={value!r} is a float: the exact layer takes exact numbers")
    try:
        expr = sympy.sympify(value, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise TypeError(f"{name}={value!r} must be a sympy expression or an exact number") from exc
    if not isinstance(expr, sympy.Expr) or expr.has(sympy.Float):
        raise TypeError(f"{name}={value!r} must be an exact number (no floats)")
    if expr.is_real is False:
        raise ValueError(f"{name}={expr} must be real")
    return expr


def rotation_z(t) -> sympy.Matrix:
    """Active rotation by ``t`` about z: ``[[c, -s, 0], [s, c, 0], [0, 0, 1]]``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> rotation_z(sympy.pi / 2)
    Matrix([
    [0, -1, 0],
    [1,  0, 0],
    [0,  0, 1]])
    """
    t = exact_angle("t", t)
    c, s = sympy.cos(t), sympy.sin(t)
    return sympy.Matrix([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def rotation_y(t) -> sympy.Matrix:
    """Active rotation by ``t`` about y: ``[[c, 0, s], [0, 1, 0], [-s, 0, c]]``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> rotation_y(sympy.pi / 2) * sympy.Matrix([0, 0, 1])  # z -> x
    Matrix([
    [1],
    [0],
    [0]])
    """
    t = exact_angle("t", t)
    c, s = sympy.cos(t), sympy.sin(t)
    return sympy.Matrix([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rotation_matrix(alpha, beta, gamma) -> sympy.Matrix:
    """Exact active rotation ``R = Rz(alpha) Ry(beta) Rz(gamma)`` (ZYZ Euler angles, radians).

    Angles are sympy expressions (symbols, or rational multiples of ``pi``, which sympy turns
    into radicals where it can) or exact numbers; floats are refused.
    Same matrix as scipy ``Rotation.from_euler("ZYZ", [alpha, beta, gamma])``.

    Conventions: see :mod:`o3ref.reference.conventions` (active, ZYZ).

    >>> from sympy import pi
    >>> rotation_matrix(0, pi / 2, 0) * sympy.Matrix([0, 0, 1])  # z -> +x
    Matrix([
    [1],
    [0],
    [0]])
    >>> rotation_matrix(pi / 2, pi / 2, 0)
    Matrix([
    [ 0, -1, 0],
    [ 0,  0, 1],
    [-1,  0, 0]])
    """
    a = exact_angle("alpha", alpha)
    b = exact_angle("beta", beta)
    g = exact_angle("gamma", gamma)
    return rotation_z(a) * rotation_y(b) * rotation_z(g)


def quaternion_to_matrix(w, x, y, z) -> sympy.Matrix:
    """Exact rotation matrix of the quaternion ``w + x i + y j + z k`` (any non-zero norm).

    Integer quaternions give rational rotation matrices, handy for exact tests.
    Conventions: see :mod:`o3ref.reference.conventions` (active rotation ``r -> q r q*``).

    >>> quaternion_to_matrix(1, 0, 0, 1)  # 90 degrees about z
    Matrix([
    [0, -1, 0],
    [1,  0, 0],
    [0,  0, 1]])
    """
    w, x, y, z = (_exact_component(n, v) for n, v in (("w", w), ("x", x), ("y", y), ("z", z)))
    n = w**2 + x**2 + y**2 + z**2
    if n == 0:
        raise ValueError("quaternion (0, 0, 0, 0) has no rotation: the norm must be non-zero")
    return (
        sympy.Matrix(
            [
                [w**2 + x**2 - y**2 - z**2, 2 * (x * y - w * z), 2 * (x * z + w * y)],
                [2 * (x * y + w * z), w**2 - x**2 + y**2 - z**2, 2 * (y * z - w * x)],
                [2 * (x * z - w * y), 2 * (y * z + w * x), w**2 - x**2 - y**2 + z**2],
            ]
        )
        / n
    )
