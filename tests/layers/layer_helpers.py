"""NumPy layers built from o3ref's exact CG, independent of the code under test.

The CG comes from :func:`o3ref.reference.real_clebsch_gordan` (each exact entry rounded by
``float``); e3nn's frame goes through :func:`o3ref.verify.layers.irreps.frame_matrix` and the layout
is laid out here by hand, so that ``verify.layers`` is checked against a separate path.
"""

from __future__ import annotations

import functools

import numpy as np

from o3ref.reference import real_clebsch_gordan
from o3ref.verify.layers.irreps import frame_matrix, parse_irreps


@functools.cache
def cg(l1, l2, L):
    """The exact real CG as float64 (zeros when the triangle rule fails)."""
    return np.vectorize(float, otypes=[float])(real_clebsch_gordan(l1, l2, L))


def copy_list(irreps, layout="mul_ir"):
    """``[(l, parity, index array)]`` per copy, multiplicities expanded."""
    out, start = [], 0
    for mul, l, p in parse_irreps(irreps):
        d = 2 * l + 1
        for u in range(mul):
            idx = start + (u * d + np.arange(d) if layout == "mul_ir" else np.arange(d) * mul + u)
            out.append((l, p, idx))
        start += mul * d
    return out


def allowed(a, b, c):
    return abs(a[0] - b[0]) <= c[0] <= a[0] + b[0] and a[1] * b[1] == c[1]


def random_scalars(ir1, ir2, ir_out, seed=0):
    """Random scalars on every allowed copy triple, 0 elsewhere."""
    rng = np.random.default_rng(seed)
    c1, c2, co = copy_list(ir1), copy_list(ir2), copy_list(ir_out)
    coef = np.zeros((len(c1), len(c2), len(co)))
    for i, a in enumerate(c1):
        for j, b in enumerate(c2):
            for k, c in enumerate(co):
                if allowed(a, b, c):
                    coef[i, j, k] = rng.uniform(0.5, 2.0) * rng.choice([-1, 1])
    return coef


def bilinear_layer(ir1, ir2, ir_out, coef, *, frame="o3ref", layout="mul_ir", blocks=None):
    """``f(x1, x2)`` = sum over copy triples of ``coef * CG`` (or ``blocks[(i, j, k)]``, a
    replacement tensor in o3ref's frame) in ``frame`` and ``layout``."""
    c1, c2, co = (copy_list(ir, layout) for ir in (ir1, ir2, ir_out))
    dim_out = sum(len(c[2]) for c in co)
    blocks = blocks or {}

    def mat(l):
        return frame_matrix(frame, l)

    def f(x1, x2):
        x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
        y = np.zeros((x1.shape[0], dim_out))
        for i, a in enumerate(c1):
            xa = x1[:, a[2]] @ np.linalg.inv(mat(a[0])).T  # back to o3ref's components
            for j, b in enumerate(c2):
                xb = x2[:, b[2]] @ np.linalg.inv(mat(b[0])).T
                for k, c in enumerate(co):
                    T = blocks.get((i, j, k))
                    if T is None:
                        if coef[i, j, k] == 0:
                            continue
                        T = coef[i, j, k] * cg(a[0], b[0], c[0])
                    y[:, c[2]] += np.einsum("ijk,ni,nj->nk", T, xa, xb) @ mat(c[0]).T
        return y

    return f


def linear_layer(ir_in, ir_out, coef, *, frame="o3ref", blocks=None):
    """``f(x)`` = ``coef[i, k]`` times the identity between copies of one irrep."""
    ci, co = copy_list(ir_in), copy_list(ir_out)
    dim_out = sum(len(c[2]) for c in co)
    blocks = blocks or {}

    def f(x):
        x = np.asarray(x, dtype=np.float64)
        y = np.zeros((x.shape[0], dim_out))
        for i, a in enumerate(ci):
            for k, c in enumerate(co):
                B = blocks.get((i, k))
                if B is None:
                    if coef[i, k] == 0:
                        continue
                    B = coef[i, k] * np.eye(2 * a[0] + 1)
                y[:, c[2]] += x[:, a[2]] @ B
        return y

    return f
