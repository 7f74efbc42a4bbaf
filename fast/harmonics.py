"""Real spherical and solid harmonics (values and analytic gradients), vectorised over points.

Conventions: :mod:`o3ref.reference.conventions` — the real "Wikipedia" form, ``m = -l..l``
ascending, flat index from :mod:`o3ref.fast.indexing`; ``Y_1 = sqrt(3/4pi) (y, z, x)/r``.

Algorithm (the one of sphericart, Bigi et al. 2023, with normalised coefficients). For a unit
vector ``(x, y, z)`` write ``c_m + i s_m = (x + i y)^m`` and ``Y_lm = q_l^m(z) c_m`` (m > 0),
``q_l^|m|(z) s_|m|`` (m < 0), ``q_l^0(z)`` (m = 0), where ``q_l^m`` is the associated Legendre
function divided by ``sin(theta)^m`` *and already normalised*:

    q_m^m = const,  q_{m+1}^m = sqrt(2m+3) z q_m^m,
    q_l^m = a_lm z q_{l-1}^m - b_lm q_{l-2}^m,
    a_lm = sqrt((4l^2-1)/(l^2-m^2)),  b_lm = sqrt((2l+1)((l-1)^2-m^2)/((2l-3)(l^2-m^2))).

The upward recurrence in ``l`` is the stable direction for Legendre functions; ``|Y_lm|``
stays below ``sqrt((2l+1)/4pi)`` and ``q_l^m`` below ``q_l^m(1) ~ sqrt((l+m)!/(l-m)!)/(2^m m!)``
(about 1e20 at l = 100, 1e205 at l = 1000): no overflow, no NaN (tested to l_max = 150,
poles included). The Python loop runs over ``l`` only: ``m`` and blocks of points are
vectorised, with the points as the contiguous axis, and the blocks sized to stay in cache.

Memory layout: the results have the documented shapes ``(n, K)`` and ``(n, 3, K)``, but are
transposed views of buffers with the points last (``(K, n)`` and ``(K, 3, n)``, written once
by the kernel, no transposed copy): they are not C-ordered. Use ``np.ascontiguousarray`` where
a C-ordered array is required.

Gradients are analytic. On the unit sphere ``u_a Y_l = up_a Y_{l+1} + down_a Y_{l-1}`` with
sparse constant matrices (``unit_products`` of ``_harmonics_relations``), and the part of
``x_a R_l`` of degree ``l - 1`` is ``r^2 d_a R_l/(2l+1)``, so
``d_a R_l(u) = (2l+1) down_a Y_{l-1}(u)`` and

    r d_a Y_l = (l+1) down_a Y_{l-1} - l up_a Y_{l+1}:

for ``l < _N_DENSE`` each degree's gradient is one matrix product per (component, parity of
``m``) applied to ``Y/r`` of degrees ``l - 1`` and ``l + 1`` (BLAS; no Python loop over ``m``).
Higher degrees use the elementwise form: the solid harmonic ``R_lm = r^l Y_lm = N_lm
Q_l^m(z, r^2) c_m`` obeys ``d_x Q_l^m = -x Q_{l-1}^{m+1}``, ``d_y Q_l^m = -y Q_{l-1}^{m+1}``,
``d_z Q_l^m = (l+m) Q_{l-1}^m``, ``d_x c_m = m c_{m-1}``, ``d_y c_m = -m s_{m-1}``,
``d_x s_m = m s_{m-1}``, ``d_y s_m = m c_{m-1}``; then ``grad Y = (grad R(u) - l Y(u) u)/r``
with ``u = r/|r|``.

Accuracy (tested against 30-digit mpmath, l <= 40): ``|error| <= 2 (2l+1) eps
sqrt((2l+1)/4pi)`` at the poles, on the axes and at generic points; within 0.1 rad of a pole
up to ``(2 + l/4) (2l+1) eps sqrt((2l+1)/4pi)``: there the rounding of ``z = cos(theta)``
alone moves ``P_l`` by up to ``l(l+1)/2 eps``.

Zero vectors: solid harmonics are defined there (``Y_00`` for l = 0, ``0`` for l > 0; the
gradient is the constant ``sqrt(3/4pi) (e_y, e_z, e_x)`` for l = 1 and 0 otherwise).
Spherical harmonics are undefined at ``r = 0``: :class:`SphericalHarmonics` raises
``ValueError`` naming the first such row (never a silent NaN).

Inputs: ``xyz`` of shape ``(n, 3)``; integer arrays are converted to float64, bool/complex/
object arrays raise ``TypeError``; NaN/inf raise ``ValueError``. Every finite magnitude works
(subnormal to 1.8e308, mixed per component), or ``ValueError`` names the point and ``l`` whose
result float64 cannot hold; ``l_max <= 1000``; sizes within the memory budget: see
:mod:`o3ref.fast.harmonics_range`.

>>> import numpy as np
>>> Y = SphericalHarmonics(1).compute(np.array([[1.0, 2.0, 2.0]]))
>>> bool(np.allclose(Y[0, 1:], np.sqrt(3 / (4 * np.pi)) * np.array([2.0, 2.0, 1.0]) / 3))
True
"""

from __future__ import annotations

import math

import numpy as np

from ._harmonics_relations import coefficients as _relations_coefficients
from ._harmonics_relations import n_parity as _n_parity
from .harmonics_range import check_l_max as _check_l_max
from .harmonics_range import check_size as _check_size
from .harmonics_range import refuse_unrepresentable as _refuse_unrepresentable
from .harmonics_range import rescale as _rescale
from .indexing import l_slice, lm_index, n_harmonics
from .rotations import as_float_array

__all__ = ["SphericalHarmonics", "SolidHarmonics", "spherical_harmonics", "solid_harmonics"]


# degrees below this get their gradients from one dense product per degree (BLAS), the others
# from the elementwise formulas of _gradient_l (fewer operations once 2l+1 is large)
_N_DENSE = 24


def _check_xyz(xyz) -> np.ndarray:
    xyz = as_float_array("xyz", xyz)
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        raise ValueError(f"xyz must have shape (n, 3), got shape {xyz.shape}")
    return xyz


def _kernel_block(l_max: int, coef: dict, xyz: np.ndarray, Y: np.ndarray, G, solid: bool, work):
    """Harmonics of one block of points, components first.

    ``xyz`` is ``(3, B)``; fills ``Y`` ``(K, B)`` with ``Y(u)`` (``u = xyz/|xyz|``) and, when
    ``G`` is given (the ``(K, 3, B)`` block and the same memory as ``(3K, B)`` rows), with
    ``grad R(u)`` (``solid=True``, the gradient of the solid harmonic at ``u``) or
    ``grad Y = (grad R(u) - l Y u)/r`` (``solid=False``). Every NumPy
    operation runs over contiguous rows of points; Python loops over ``l`` (and over ``m``
    for ``c_m, s_m`` only). ``work`` holds the scratch arrays (:func:`_workspace`), reused
    from block to block.
    """
    B = xyz.shape[1]
    r = np.sqrt(np.einsum("ij,ij->j", xyz, xyz, out=work["r"][:B]), out=work["r"][:B])
    rinv = np.divide(1.0, r, out=work["rinv"][:B], where=r > 0)
    rinv[r == 0] = 0.0
    u = np.multiply(xyz, rinv, out=work["u"][:, :B])
    if solid:
        u[2, r == 0] = 1.0  # an arbitrary direction at r = 0: r^l removes every l > 0
        rinv[:] = 1.0
    x, y, z = u[0], u[1], u[2]
    top = work["top"]  # highest degree computed (l_max + 1 when the products need it)
    # c[k] = c_{k-1}, s[k] = s_{k-1} (a leading zero row holds c_{-1} = s_{-1} = 0)
    c, s, tmp = work["c"][:, :B], work["s"][:, :B], work["tmp"][:B]
    c[0] = 0.0
    s[0] = 0.0
    c[1] = 1.0
    s[1] = 0.0
    for m in range(1, top + 1):
        np.multiply(x, c[m], out=c[m + 1])
        np.multiply(y, s[m], out=tmp)
        c[m + 1] -= tmp
        np.multiply(x, s[m], out=s[m + 1])
        np.multiply(y, c[m], out=tmp)
        s[m + 1] += tmp
    qmm = coef["qmm"]
    q_prev2 = q_prev = None
    buf = work["q"][:, :, :B]  # q_l, q_{l-1}, q_{l-2} in rotation, and scratch
    if G is not None:
        G, Gf = G  # (K, 3, B) and the same memory as (3K, B): rows (l m, component)
        mats = coef["mats"][solid]
        n_mm = len(mats)  # degrees whose gradients are dense products
        par = [[p[:, :B] for p in pair] for pair in work["par"]]
        offset = work["offset"]
        G[0] = 0.0
        if l_max >= n_mm:
            fac = _factors(c, s, x, y, rinv, solid)
            G3 = G.transpose(1, 0, 2)
            grad_work = work["grad"][:, :, :B]
    for l in range(top + 1):
        q = buf[l % 3, : l + 1]
        if l >= 2:
            w = q[: l - 1]
            np.multiply(q_prev[: l - 1], coef["a"][l], out=w)
            w *= z
            t = q_prev2[: l - 1]  # q_{l-2} is not needed after this step
            t *= coef["b"][l]
            w -= t
        if l >= 1:
            np.multiply(z, math.sqrt(2 * l + 1) * qmm[l - 1], out=q[l - 1])
        q[l] = qmm[l]
        Yl = Y[l_slice(l)] if l <= l_max else work["extra"][:, :B]
        Yl[l] = q[0]
        if l >= 1:
            np.multiply(q[1:], c[2 : l + 2], out=Yl[l + 1 :])
            np.multiply(q[:0:-1], s[l + 1 : 1 : -1], out=Yl[:l])
        if G is not None:
            if l <= n_mm:
                for p_in in range(2):
                    o = offset[p_in][l]
                    dest = par[l % 2][p_in][o : o + _n_parity(l, p_in)]
                    np.multiply(Yl[(p_in + l) % 2 :: 2], rinv, out=dest)
            # the product of degree g needs Y/r of degrees g - 1 and g + 1 (solid: g - 1)
            g = l if solid else l - 1
            if 1 <= g < n_mm:
                block_rows = Gf[3 * l_slice(g).start : 3 * l_slice(g).stop]  # rows (m, a)
                for a, first, p_in, block in mats[g]:
                    lo = offset[p_in][g - 1]
                    src_rows = par[(g + 1) % 2][p_in][lo : lo + block.shape[1]]
                    dest = block_rows[3 * first + a :: 6]  # component a, every other m
                    np.matmul(block, src_rows, out=dest)
            if n_mm <= l <= l_max:
                _gradient_l(l, coef, q, q_prev, fac, z * l if not solid else None, G3,
                            grad_work, solid)
        q_prev2, q_prev = q_prev, q


def _factors(c, s, x, y, rinv, solid):
    """Per-block products of ``c_m, s_m`` with ``x/r, y/r, 1/r`` for :func:`_gradient_l`."""
    xr, yr = (x * rinv, y * rinv) if not solid else (x, y)
    cr, sr = (c * rinv, s * rinv) if not solid else (c, s)
    mcol = np.arange(-1.0, c.shape[0] - 1)[:, None]  # row k holds c_{k-1}: m = k
    mcol[0] = 0.0
    return {
        "xc": c[1:] * xr, "yc": c[1:] * yr, "xs": s[1:] * xr, "ys": s[1:] * yr,
        "cr": cr[1:], "sr": sr[1:],  # c_m / r, s_m / r
        "mcr": (cr * (mcol + 1))[:-1], "msr": (sr * (mcol + 1))[:-1],  # m c_{m-1} / r
    }


def _gradient_l(l, coef, q, q_prev, fac, lz, G, work, solid):
    """Gradients of degree ``l`` (see :func:`_kernel_block`).

    With ``R_l^m = q_l^m c_m`` (and ``s_m``): ``d_x R = x A c_m + P``, ``d_y R = y A c_m - Q``,
    ``d_z R = W c_m`` for the cos family and ``d_x R = x A s_m + Q``, ``d_y R = y A s_m + P``,
    ``d_z R = W s_m`` for the sin family, where ``A = -N_lm/N_{l-1,m+1} q_{l-1}^{m+1}``,
    ``W = (l+m) N_lm/N_{l-1,m} q_{l-1}^m``, ``P = m q c_{m-1}``, ``Q = m q s_{m-1}``. The
    spherical gradient ``(grad R - l Y u)/r`` then reads ``(A - l q) (x/r) c_m + P/r`` etc., so
    ``A - l q`` and ``(W - l z q)/r`` are formed once per ``l`` for both families.
    """
    i0 = lm_index(l, 0)
    pos = slice(i0, i0 + l + 1)  # m = 0..l
    neg = slice(i0 - 1, i0 - l - 1, -1)  # m = -1..-l, mirrors m = 1..l
    U, Wz, P, Q = (work[k, : l + 1] for k in range(4))
    # U = A - l q  (A_m is zero for m >= l - 1); P is scratch here
    np.multiply(q, -float(l) if not solid else 0.0, out=U)
    if l >= 2:
        np.multiply(q_prev[1:], coef["ra"][l][: l - 1], out=P[: l - 1])
        U[: l - 1] += P[: l - 1]
    # Wz = W - l z q  (W_m is zero for m = l); 1/r comes with c_m / r below
    np.multiply(q_prev, coef["rb"][l][:l], out=Wz[:l])
    Wz[l] = 0.0
    if not solid:
        np.multiply(q, lz, out=P)
        Wz -= P
    n = l + 1
    # P, Q = m q (c, s)_{m-1} / r
    np.multiply(q, fac["mcr"][:n], out=P)
    np.multiply(q, fac["msr"][:n], out=Q)
    # cos family, m = 0..l
    np.multiply(Wz, fac["cr"][:n], out=G[2, pos])
    np.multiply(U, fac["xc"][:n], out=G[0, pos])
    G[0, pos] += P
    np.multiply(U, fac["yc"][:n], out=G[1, pos])
    G[1, pos] -= Q
    # sin family, m = 1..l
    np.multiply(Wz[1:], fac["sr"][1:n], out=G[2, neg])
    np.multiply(U[1:], fac["xs"][1:n], out=G[0, neg])
    G[0, neg] += Q[1:]
    np.multiply(U[1:], fac["ys"][1:n], out=G[1, neg])
    G[1, neg] += P[1:]


def _chunk_size(l_max: int, gradients: bool) -> int:
    """Points per block: large enough to amortise Python overhead, small enough for cache
    (tuned at l_max = 4..20 on a 2 MiB-L2 core)."""
    if not gradients:
        return 8192
    return int(min(max(2**21 // ((l_max + 1) * 64), 512), 8192))


def _workspace(l_max: int, B: int, gradients: bool, solid: bool) -> dict:
    """Scratch arrays of :func:`_kernel_block`, allocated once per call."""
    n_mm = min(l_max + 1, _N_DENSE) if gradients else 0
    top = l_max + 1 if gradients and not solid and n_mm == l_max + 1 else l_max
    work = {"top": top, "r": np.empty(B), "rinv": np.empty(B), "u": np.empty((3, B)),
            "tmp": np.empty(B), "c": np.empty((top + 2, B)), "s": np.empty((top + 2, B)),
            "q": np.empty((4, top + 1, B)), "extra": np.empty((2 * top + 1, B))}
    if gradients:
        # Y/r (solid: Y) of the degrees with dense products, even and odd degrees apart,
        # so that degrees g - 1 and g + 1 are adjacent rows
        offset = [[], []]
        count = [[0, 0], [0, 0]]  # [degree parity][m parity]
        for l in range(min(n_mm + 1, top + 1)):
            for p_in in range(2):
                offset[p_in].append(count[l % 2][p_in])
                count[l % 2][p_in] += _n_parity(l, p_in)
        work["offset"] = offset
        work["par"] = [[np.empty((k, B)) for k in pair] for pair in count]
        work["grad"] = np.empty((4, top + 1, B)) if l_max >= n_mm else None
    return work


def _kernel(l_max: int, coef: dict, xyz: np.ndarray, gradients: bool, solid: bool, chunk=None):
    """``Y(u)`` as ``(n, K)`` and, if requested, gradients as ``(n, 3, K)``.

    Both are transposed views of buffers with the points last (``(K, n)`` and ``(K, 3, n)``):
    the blocks write there directly, without a transposed copy.
    """
    n = xyz.shape[0]
    K = n_harmonics(l_max)
    Y = np.empty((K, n))
    G = np.empty((K, 3, n)) if gradients else None
    G_rows = G.reshape(3 * K, n) if gradients else None  # a view: G is contiguous
    B = min(chunk or _chunk_size(l_max, gradients), max(n, 1))
    work = _workspace(l_max, B, gradients, solid)
    xt = np.ascontiguousarray(xyz.T)
    for start in range(0, n, B):
        stop = min(start + B, n)
        gb = (G[:, :, start:stop], G_rows[:, start:stop]) if gradients else None
        _kernel_block(l_max, coef, xt[:, start:stop], Y[:, start:stop], gb, solid, work)
    return Y.T, (G.transpose(2, 1, 0) if gradients else None)


def _degrees(l_max: int) -> np.ndarray:
    """``l`` of every flat index."""
    return np.concatenate([np.full(2 * l + 1, float(l)) for l in range(l_max + 1)])


class SphericalHarmonics:
    """Real spherical harmonics ``Y_lm(r/|r|)`` for all ``l <= l_max`` (calculator object).

    Conventions: :mod:`o3ref.reference.conventions` (Wikipedia real form, flat index
    ``l*l + l + m``, gradients ``(n, 3, (l_max+1)**2)`` as sphericart).

    Raises ``ValueError`` at ``r = 0`` (use :class:`SolidHarmonics` there).

    >>> import numpy as np
    >>> Y = SphericalHarmonics(2).compute(np.array([[0.0, 0.0, 1.0]]))
    >>> round(float(Y[0, 6] * np.sqrt(4 * np.pi / 5)), 14)  # Y_20 at the north pole
    1.0
    >>> np.sign(SphericalHarmonics(1).compute(np.array([[1.0, 1.0, 1.0]]))[0])  # (y, z, x) > 0
    array([1., 1., 1., 1.])
    """

    def __init__(self, l_max: int):
        self.l_max = _check_l_max(l_max)
        self._coef = _relations_coefficients(self.l_max, _N_DENSE)
        self._l = _degrees(self.l_max)

    def _prepare(self, xyz, arrays: int):
        xyz = _check_xyz(xyz)
        _check_size("SphericalHarmonics", self.l_max, xyz.shape[0], arrays)
        scaled, e, has_zero = _rescale(xyz)
        if has_zero:
            zero = ~xyz.any(axis=1)
            i = int(np.argmax(zero))
            raise ValueError(
                f"xyz[{i}] = {tuple(xyz[i].tolist())} has zero length: spherical harmonics are "
                "undefined at r = 0 (solid harmonics are defined there)"
            )
        return xyz, scaled, e

    def compute(self, xyz) -> np.ndarray:
        """Values, shape ``(n, (l_max+1)**2)``."""
        _, scaled, _ = self._prepare(xyz, 1)
        return _kernel(self.l_max, self._coef, scaled, False, False)[0]

    def compute_with_gradients(self, xyz) -> tuple[np.ndarray, np.ndarray]:
        """``(values (n, K), gradients (n, 3, K))``, ``gradients[i, a, k] = dY_k/dxyz[i, a]``.

        The gradients scale as ``1/|r|``: where one overflows float64 (``|r|`` below about
        ``l * 1e-308``), ``ValueError`` names the point and ``l``.
        """
        xyz, scaled, e = self._prepare(xyz, 4)
        Y, G = _kernel(self.l_max, self._coef, scaled, True, False)
        if e is not None:
            rows = np.flatnonzero(e)
            with np.errstate(over="ignore"):
                G[rows] = np.ldexp(G[rows], -e[rows, None, None])
            _refuse_unrepresentable("the gradient of Y_lm (about l/|r|)", G[rows], rows, xyz,
                                    self._l)
        return Y, G


class SolidHarmonics:
    """Real solid harmonics ``r^l Y_lm(r/|r|)`` (homogeneous polynomials), all ``l <= l_max``.

    Conventions: :mod:`o3ref.reference.conventions`. Defined at ``r = 0``: ``Y_00`` for
    ``l = 0`` and ``0`` for ``l > 0``.

    >>> import numpy as np
    >>> R = SolidHarmonics(1).compute(np.array([[0.0, 0.0, 2.0]]))
    >>> round(float(R[0, 2] / np.sqrt(3 / (4 * np.pi))), 14)  # R_10 = sqrt(3/4pi) z
    2.0
    """

    def __init__(self, l_max: int):
        self.l_max = _check_l_max(l_max)
        self._coef = _relations_coefficients(self.l_max, _N_DENSE)
        self._l = _degrees(self.l_max)

    def _powers(self, r: np.ndarray, shift: int) -> np.ndarray:
        """``r^(l + shift)`` for every flat index (``0^0 = 1``; negative powers unused)."""
        rl = np.ones((r.shape[0], self.l_max + 1))
        for l in range(1, self.l_max + 1):
            rl[:, l] = rl[:, l - 1] * r
        out = np.zeros((r.shape[0], n_harmonics(self.l_max)))
        for l in range(self.l_max + 1):
            if l + shift >= 0:
                out[:, lm_index(l, -l) : lm_index(l, l) + 1] = rl[:, l + shift : l + shift + 1]
        return out

    def _scaled(self, xyz, arrays: int):  # checked input, rescaled rows, exponents, |r'|
        xyz = _check_xyz(xyz)
        _check_size("SolidHarmonics", self.l_max, xyz.shape[0], arrays)
        scaled, e, _ = _rescale(xyz, self.l_max)
        return xyz, scaled, e, np.sqrt(np.einsum("ij,ij->i", scaled, scaled))

    def _unscale(self, what, values, xyz, e, shift):
        """``values *= 2**(e (l + shift))`` on the scaled rows, refusing an overflow."""
        if e is None:
            return
        rows = np.flatnonzero(e)
        exponent = (e[rows, None] * (self._l.astype(np.int64) + shift)).reshape(
            (len(rows),) + (1,) * (values.ndim - 2) + (-1,))
        with np.errstate(over="ignore"):
            values[rows] = np.ldexp(values[rows], exponent)
        _refuse_unrepresentable(what, values[rows], rows, xyz, self._l)

    def compute(self, xyz) -> np.ndarray:
        """Values, shape ``(n, (l_max+1)**2)``; ``ValueError`` where ``r^l Y_lm`` overflows."""
        xyz, scaled, e, r = self._scaled(xyz, 2)
        Y = _kernel(self.l_max, self._coef, scaled, False, True)[0]
        Y *= self._powers(r, 0)
        self._unscale("the solid harmonic r^l Y_lm", Y, xyz, e, 0)
        return Y

    def compute_with_gradients(self, xyz) -> tuple[np.ndarray, np.ndarray]:
        """``(values (n, K), gradients (n, 3, K))``; ``grad(r^l Y) = r^(l-1) grad R(u)``."""
        xyz, scaled, e, r = self._scaled(xyz, 5)
        Y, G = _kernel(self.l_max, self._coef, scaled, True, True)
        Y *= self._powers(r, 0)
        G *= self._powers(r, -1)[:, None, :]
        self._unscale("the solid harmonic r^l Y_lm", Y, xyz, e, 0)
        self._unscale("the gradient of r^l Y_lm", G, xyz, e, -1)
        return Y, G


def spherical_harmonics(l_max: int, xyz) -> np.ndarray:
    """``SphericalHarmonics(l_max).compute(xyz)``."""
    return SphericalHarmonics(l_max).compute(xyz)


def solid_harmonics(l_max: int, xyz) -> np.ndarray:
    """``SolidHarmonics(l_max).compute(xyz)``."""
    return SolidHarmonics(l_max).compute(xyz)
