"""Products of real spherical harmonics with a unit vector, the relations behind the gradients.

``u_a Y_lm`` (``a`` = x, y, z) is a combination of degrees ``l - 1`` and ``l + 1`` only; these
constant matrices give the gradients of :mod:`o3ref.fast.harmonics` as one matrix product per
degree, cut by the parity of ``m``. Derived here in floating point, independently of
:mod:`o3ref.reference`; the tests check the gradients they give against finite differences.

Conventions: :mod:`o3ref.reference.conventions` (real form, ``m = -l..l``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["coefficients", "n_parity", "parity_blocks", "unit_products"]


def unit_products(l: int) -> tuple[np.ndarray, np.ndarray]:
    """``(up, down)``: ``u_a Y_lm = sum_m' up[a,m,m'] Y_{l+1,m'} + down[a,m,m'] Y_{l-1,m'}``.

    ``u`` is a unit vector, ``a`` runs over ``x, y, z``, ``m`` over ``-l..l`` (index ``m + l``).
    From ``x c_m = (c_{m+1} + rho^2 c_{m-1})/2`` (and the like for ``y``, ``s_m``) and the
    Legendre relations ``(2l+1) s P_l^m = P_{l+1}^{m+1} - P_{l-1}^{m+1}
    = (l+m)(l+m-1) P_{l-1}^{m-1} - (l-m+1)(l-m+2) P_{l+1}^{m-1}`` (no Condon-Shortley phase),
    with the normalisation ratios worked out; ``sqrt(2)`` where ``m = 0`` meets ``|m'| = 1``.
    The harmonic part of ``x_a R_l`` of degree ``l - 1`` is ``r^2 d_a R_l/(2l+1)``, so
    ``d_a R_l(u) = (2l+1) down_a Y_{l-1}`` and
    ``r d_a Y_l = (l+1) down_a Y_{l-1} - l up_a Y_{l+1}``.
    """
    up = np.zeros((3, 2 * l + 1, 2 * l + 3))
    down = np.zeros((3, 2 * l + 1, max(2 * l - 1, 0)))

    def put(a, m, degree, m_to, value):
        if degree == l + 1:
            up[a, m + l, m_to + l + 1] += value
        elif value != 0.0:
            down[a, m + l, m_to + l - 1] += value

    d1, d3 = (2 * l + 1) * (2 * l + 3), max((2 * l - 1) * (2 * l + 1), 1)
    for m in range(l + 1):
        c_up_plus = 0.5 * math.sqrt((l + m + 1) * (l + m + 2) / d1)  # -> (l+1, m+1)
        c_down_plus = -0.5 * math.sqrt(max((l - m) * (l - m - 1), 0) / d3)  # -> (l-1, m+1)
        c_down_minus = 0.5 * math.sqrt((l + m) * (l + m - 1) / d3)  # -> (l-1, m-1)
        c_up_minus = -0.5 * math.sqrt((l - m + 1) * (l - m + 2) / d1)  # -> (l+1, m-1)
        for mm in {m, -m}:
            put(2, mm, l + 1, mm, math.sqrt(((l + 1) ** 2 - m * m) / d1))
            put(2, mm, l - 1, mm, math.sqrt((l * l - m * m) / d3))
        if m == 0:
            for a, sign in ((0, 1), (1, -1)):
                put(a, 0, l + 1, sign, math.sqrt(2.0) * c_up_plus)
                put(a, 0, l - 1, sign, math.sqrt(2.0) * c_down_plus)
            continue
        f = math.sqrt(2.0) if m == 1 else 1.0  # Y_l0 has no factor sqrt(2)
        for a, row, to_plus, sign_plus, to_minus, sign_minus, fm in (
            (0, m, m + 1, 1, m - 1, 1, f),  # x Y_lm, cos family
            (1, m, -(m + 1), 1, -(m - 1), -1, 0.0 if m == 1 else 1.0),  # y Y_lm
            (0, -m, -(m + 1), 1, -(m - 1), 1, 0.0 if m == 1 else 1.0),  # x Y_l-m, sin family
            (1, -m, m + 1, -1, m - 1, 1, f),  # y Y_l-m
        ):
            put(a, row, l + 1, to_plus, sign_plus * c_up_plus)
            put(a, row, l - 1, to_plus, sign_plus * c_down_plus)
            if fm:
                put(a, row, l - 1, to_minus, fm * sign_minus * c_down_minus)
                put(a, row, l + 1, to_minus, fm * sign_minus * c_up_minus)
    return up, down


def parity_blocks(l: int, mat: np.ndarray) -> list:
    """``mat`` ``(3, 2l+1, cols)`` cut into ``(component a, parity p of m, input parity, block)``.

    Rows with ``m = p (mod 2)`` of component ``a`` depend on inputs ``m'`` of parity ``p`` (z)
    or ``1 - p`` (x, y) only: each block is a quarter of the dense product.
    """
    m_down = np.arange(-(l - 1), l)
    m_up = np.arange(-(l + 1), l + 2)
    m_in = np.concatenate([m_down, m_up])[: mat.shape[2]]
    m_out = np.arange(-l, l + 1)
    blocks = []
    for a in range(3):
        for p in range(2):
            p_in = p if a == 2 else 1 - p
            rows = np.flatnonzero(m_out % 2 == p)
            if len(rows):
                block = mat[a][np.ix_(rows, np.flatnonzero(m_in % 2 == p_in))]
                blocks.append((a, int(rows[0]), p_in, np.ascontiguousarray(block)))
    return blocks


def n_parity(l: int, p: int) -> int:
    """Number of ``m`` in ``-l..l`` with ``m = p (mod 2)``."""
    return l + 1 if (l - p) % 2 == 0 else l


def coefficients(l_max: int, n_dense: int) -> dict:
    """Recurrence and gradient coefficients of :mod:`o3ref.fast.harmonics`, per ``l`` (to
    ``l_max + 1``), as float64 arrays; the dense gradient matrices for ``l < n_dense``."""
    top = l_max + 1
    qmm = np.empty(top + 1)
    qmm[0] = 1.0 / math.sqrt(4 * math.pi)
    for m in range(1, top + 1):
        extra = 2.0 if m == 1 else 1.0
        qmm[m] = qmm[m - 1] * math.sqrt(extra * (2 * m + 1) / (2 * m))
    a, b, ra, rb = ([None] * (top + 1) for _ in range(4))
    for l in range(top + 1):
        m = np.arange(l + 1, dtype=np.float64)
        if l >= 2:
            mm = m[: l - 1]
            a[l] = np.sqrt((4.0 * l * l - 1) / (l * l - mm * mm))
            b[l] = np.sqrt(
                (2.0 * l + 1) * ((l - 1.0) ** 2 - mm * mm) / ((2.0 * l - 3) * (l * l - mm * mm))
            )
        if l >= 1:
            f = (2.0 * l + 1) / (2.0 * l - 1)
            r_a = np.sqrt(f * np.maximum((l - m) * (l - m - 1), 0.0))
            r_a[0] /= math.sqrt(2.0)
            ra[l] = -r_a  # d_x Q_l^m = -x Q_{l-1}^{m+1}: the sign is folded in here
            rb[l] = np.sqrt(f * (l - m) * (l + m))
    # column vectors over m, broadcasting against (m, points) blocks
    col = [[None if v is None else v[:, None] for v in arr] for arr in (a, b, ra, rb)]
    mats = {False: [], True: []}
    for l in range(min(l_max + 1, n_dense)):
        up, down = unit_products(l)
        # columns [Y_{l-1}; Y_{l+1}] (solid: [Y_{l-1}]), rows (m, component)
        full = {False: np.concatenate([(l + 1) * down, -l * up], axis=2), True: (2 * l + 1) * down}
        for solid, mat in full.items():
            mats[solid].append(parity_blocks(l, mat))
    return {"qmm": qmm, "a": col[0], "b": col[1], "ra": col[2], "rb": col[3], "mats": mats}
