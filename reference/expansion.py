"""The spherical expansion with mpmath, to ``dps`` digits, for small systems.

The same coefficients as featomic's ``SphericalExpansion`` (Gaussian density, ``Gto`` basis)
and :class:`o3ref.fast.SphericalExpansion`, derived on their own here:

``c[i; a n l m] = sum_{j != i, a_j = a, |r_ij| < r_c} f_c(r_ij) I_nl(r_ij) Y_lm(r_ij/|r_ij|)
+ [a == a_i][l == 0] w_c I_n0(0) Y_00``, ``r_ij = r_j - r_i + S @ cell``.

* GTO primitives ``G_n(r) = N_n r^n exp(-r^2/(2 sigma_n^2))``,
  ``sigma_n = r_c max(sqrt(n), 1)/N``, ``N_n = sqrt(2/(sigma_n^(2n+3) Gamma(n+3/2)))``;
  overlap ``S`` in closed form; Löwdin ``S^(-1/2)`` from the symmetric eigendecomposition
  ``mpmath.eigsy`` at the working precision.
* ``Itilde_nl(r) = (pi/sigma^2)^(3/4) exp(-c r^2) (c r)^l (c+d_n)^(-a) Gamma(a)/Gamma(b)
  1F1(a; b; c^2 r^2/(c+d_n)) N_n`` with ``mpmath.hyp1f1``.
* :func:`radial_integral_quadrature` evaluates the *definition* instead: the overlap of the
  density ``g(r' - r ez) = (pi sigma^2)^(-3/4) exp(-|r' - r ez|^2/(2 sigma^2))`` with
  ``G_n(r') Y_l0(r'/|r'|)``, divided by ``Y_l0(ez)``, as a two-dimensional ``mpmath.quad``
  over ``r'`` and ``cos(theta')`` (Legendre polynomials only, no Bessel identity).
* Harmonics: :func:`o3ref.reference.real_spherical_harmonics`; neighbours: every image
  shift in a box bounded by the lattice-plane spacings, brute force.

All arithmetic runs at ``dps + 10`` digits (``mpmath.workdps``); inputs given as floats are
taken exactly (``mpmath.mpf(float)``). Error bound: the Löwdin sum loses at most
``log10 cond(S)`` digits (5 at ``N = 9``, 8 at ``N = 12``): inside the 10 guard digits for
``N <= 14``, so the coefficients then carry ``dps`` correct digits relative to each block's scale.
Never imports :mod:`o3ref.fast`.

Conventions: :mod:`o3ref.reference.conventions` (density expansion section).

>>> import mpmath
>>> s01 = gto_overlap(2, 2, dps=20)[0, 1]  # sigma_0 = sigma_1: S_01 = sqrt(8/(3 pi))
>>> mpmath.nstr(s01, 15), mpmath.nstr(mpmath.sqrt(8 / (3 * mpmath.pi)), 15)
('0.921317731923561', '0.921317731923561')
"""

from __future__ import annotations

import itertools
import numbers
from fractions import Fraction
from math import factorial

import mpmath
import numpy as np

from .harmonics import real_spherical_harmonics
from .indexing import flat_index
from .limits import check_work, mpmath_seconds

__all__ = [
    "gto_overlap",
    "gto_lowdin",
    "radial_integral",
    "radial_integral_quadrature",
    "spherical_expansion",
]

_GUARD = 10


def _mpf(value):
    return mpmath.mpf(value)


def _sigmas(cutoff, n_radial):
    cutoff = _mpf(cutoff)
    return [cutoff * max(mpmath.sqrt(n), 1) / n_radial for n in range(n_radial)]


def _norms(sigmas):
    return [mpmath.sqrt(2 / (s ** (2 * n + 3) * mpmath.gamma(n + mpmath.mpf(3) / 2)))
            for n, s in enumerate(sigmas)]


def _check_size(name: str, n_radial, dps) -> int:
    if isinstance(n_radial, bool) or not isinstance(n_radial, numbers.Integral) or n_radial < 1:
        raise ValueError(f"n_radial={n_radial!r} must be a positive integer")
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral) or dps < 1:
        raise ValueError(f"dps={dps!r} must be a positive integer")
    n = int(n_radial)
    # the overlap: ~30 operations per entry; the Löwdin step (eigsy): ~30 n^3
    ops = 30 * n * n + (30 * n**3 if name == "gto_lowdin" else 0)
    check_work(f"{name}(n_radial={n}, dps={dps})", mpmath_seconds(ops, dps + _GUARD),
               f"~{ops:.3g} mpmath operations at {dps + _GUARD} digits")
    return n


def _overlap_square(n: int, k: int, n_radial: int) -> tuple[Fraction, Fraction, int]:
    """``S_nk = sqrt(R) (s_n s_k)^(1/4) pi^(-e/2)`` exactly: ``(R, s_n s_k, e)`` with
    rationals ``R``, ``s = sigma^2 / r_c^2 = max(n, 1)/N^2`` and ``e`` in ``{0, 1}``.

    Derivation (independent of the Gamma-function evaluation of the fast path): with
    ``d = 1/(2 s)``, ``S_nk = N_n N_k Gamma(a) / (2 (d_n + d_k)^a)``, ``a = (n+k+3)/2``, and
    ``N_n^2 = 2/(s_n^(n+3/2) Gamma(n+3/2))``, the square is
    ``S^2 = G 2^(n+k+3) s_n^(k+1) s_k^(n+1) sqrt(s_n s_k) / (s_n + s_k)^(n+k+3)`` with
    ``G = Gamma(a)^2 / (Gamma(n+3/2) Gamma(k+3/2))``; ``r_c`` cancels. Each Gamma is a
    ratio of factorials (``Gamma(m+1/2) = (2m)! sqrt(pi) / (4^m m!)``), so ``G`` is a
    rational times ``pi^-e`` (``e = 1`` when ``n + k`` is odd, ``a`` an integer).
    """
    s_n, s_k = Fraction(max(n, 1), n_radial**2), Fraction(max(k, 1), n_radial**2)

    def half_gamma(m: int) -> Fraction:  # Gamma(m + 1/2) / sqrt(pi)
        return Fraction(factorial(2 * m), 4**m * factorial(m))

    den = half_gamma(n + 1) * half_gamma(k + 1)  # times pi
    if (n + k) % 2:  # a = (n+k+3)/2 is an integer
        g, e = Fraction(factorial((n + k + 1) // 2)) ** 2 / den, 1
    else:  # a = m + 1/2 with m = (n+k+2)/2: Gamma(a)^2 = pi (...)^2
        g, e = half_gamma((n + k + 2) // 2) ** 2 / den, 0
    r = g * 2 ** (n + k + 3) * s_n ** (k + 1) * s_k ** (n + 1) / (s_n + s_k) ** (n + k + 3)
    return r, s_n * s_k, e


def gto_overlap(cutoff, n_radial: int, dps: int = 30) -> mpmath.matrix:
    """Overlap ``S_nk = int_0^inf r^2 G_n G_k dr`` of the normalised GTO primitives.

    Computed from an exact rational square (:func:`_overlap_square`: factorials only, no
    Gamma function and no power of ``sigma``) and three correctly rounded roots at
    ``dps + 10`` digits. The fast path (:mod:`o3ref.fast`) evaluates the Gamma-function
    form in floats (or mpmath for many radial functions), and the tests check this one
    against a quadrature of the defining integral, so an agreement of the two layers'
    overlaps and Löwdin matrices is one formula checked against a different derivation,
    not an algorithm checked against itself. ``S`` does not depend on ``cutoff``.

    Conventions: :mod:`o3ref.reference.conventions` (density expansion section).
    """
    n_radial = _check_size("gto_overlap", n_radial, dps)
    if not mpmath.isfinite(_mpf(cutoff)) or not _mpf(cutoff) > 0:
        raise ValueError(f"cutoff={cutoff!r} must be a positive finite number")
    with mpmath.workdps(dps + _GUARD):
        out = mpmath.matrix(n_radial, n_radial)
        for n in range(n_radial):
            for k in range(n, n_radial):
                r, ss, e = _overlap_square(n, k, n_radial)
                value = mpmath.sqrt(mpmath.mpf(r.numerator) / r.denominator) * mpmath.root(
                    mpmath.mpf(ss.numerator) / ss.denominator, 4)
                out[n, k] = out[k, n] = value / mpmath.sqrt(mpmath.pi) if e else value
    return out


def gto_lowdin(cutoff, n_radial: int, dps: int = 30) -> mpmath.matrix:
    """Symmetric ``S^(-1/2)`` (Löwdin) of :func:`gto_overlap`, by ``mpmath.eigsy``."""
    _check_size("gto_lowdin", n_radial, dps)
    with mpmath.workdps(dps + _GUARD):
        eigval, eigvec = mpmath.eigsy(gto_overlap(cutoff, n_radial, dps))
        if min(eigval) <= 0:
            raise ValueError(f"overlap of n_radial={n_radial} GTOs is not positive definite")
        scaled = eigvec * mpmath.diag([1 / mpmath.sqrt(w) for w in eigval])
        return scaled * eigvec.T


def _primitive_integral(r, n, l, cutoff, n_radial, density_width):
    """``Itilde_nl(r)`` in closed form (at the caller's working precision)."""
    sig = _sigmas(cutoff, n_radial)
    sigma = _mpf(density_width)
    c = 1 / (2 * sigma**2)
    d = 1 / (2 * sig[n] ** 2)
    a = mpmath.mpf(n + l + 3) / 2
    b = l + mpmath.mpf(3) / 2
    pref = (mpmath.pi / sigma**2) ** (mpmath.mpf(3) / 4) * _norms(sig)[n]
    return (pref * mpmath.exp(-c * r * r) * (c * r) ** l * (c + d) ** (-a)
            * mpmath.gamma(a) / mpmath.gamma(b) * mpmath.hyp1f1(a, b, c * c * r * r / (c + d)))


def radial_integral(r, l: int, cutoff, n_radial: int, density_width, dps: int = 30, lowdin=None):
    """Löwdin-orthonormalised ``I_nl(r)`` for ``n = 0..n_radial-1`` (list of mpf)."""
    with mpmath.workdps(dps + _GUARD):
        r = _mpf(r)
        lowdin = gto_lowdin(cutoff, n_radial, dps) if lowdin is None else lowdin
        prim = [_primitive_integral(r, k, l, cutoff, n_radial, density_width)
                for k in range(n_radial)]
        return [+mpmath.fsum(lowdin[n, k] * prim[k] for k in range(n_radial))
                for n in range(n_radial)]


def radial_integral_quadrature(r, n: int, l: int, cutoff, n_radial: int, density_width,
                               dps: int = 12):
    """``Itilde_nl(r)`` (primitive ``n``, before Löwdin) by 2-d quadrature of its definition.

    ``int d^3r' g(r' - r ez) G_n(r') Y_l0(r') / Y_l0(ez)
    = 2 pi (pi sigma^2)^(-3/4) int_0^inf dr' r'^2 G_n(r') int_-1^1 du P_l(u)
    exp(-(r^2 + r'^2 - 2 r r' u)/(2 sigma^2))`` (``Y_l0(u) = sqrt((2l+1)/4pi) P_l(u)``).
    Gauss-Legendre on intervals broken where the integrand changes scale, at ``dps + 3``
    digits: a check of the closed form to about ``dps`` digits, not a 30-digit value.
    """
    with mpmath.workdps(dps + 3):
        r = _mpf(r)
        sigma = _mpf(density_width)
        sig = _sigmas(cutoff, n_radial)[n]
        norm = _norms(_sigmas(cutoff, n_radial))[n]

        def radial_part(rp):
            # the u-integrand grows like exp(kappa u): break the interval near u = 1
            kappa = r * rp / sigma**2
            points = [-1] + [1 - k / kappa for k in (256, 64, 16, 4) if kappa > k / 2] + [1]
            inner = mpmath.quad(
                lambda u: mpmath.exp(kappa * (u - 1)) * mpmath.legendre(l, u), points,
                method="gauss-legendre",
            )
            weight = mpmath.exp(-((r - rp) ** 2) / (2 * sigma**2) - rp * rp / (2 * sig**2))
            return rp ** (n + 2) * weight * inner

        upper = r + 12 * sigma + 12 * sig  # both Gaussians are below 1e-30 past this
        points = sorted({mpmath.mpf(0), max(r - 6 * sigma, 0), r, r + 6 * sigma, upper})
        value = mpmath.quad(radial_part, points, method="gauss-legendre")
        return 2 * mpmath.pi * (mpmath.pi * sigma**2) ** (-mpmath.mpf(3) / 4) * norm * value


def _cutoff_value(r, cutoff, smoothing, width):
    if r >= cutoff:
        return mpmath.mpf(0)
    if smoothing == "Step" or r <= cutoff - width:
        return mpmath.mpf(1)
    return (1 + mpmath.cos(mpmath.pi * (r - cutoff + width) / width)) / 2


def _pairs(positions, cell, pbc, cutoff):
    """Brute force over image shifts: ``[(i, j, vector)]`` with ``|vector| < cutoff``.

    Along a periodic axis ``k`` a shift ``s_k`` can only matter when
    ``|f_j - f_i + s_k| d_k < cutoff`` (``f`` fractional coordinates, ``d_k`` the spacing of
    the lattice planes), so ``|s_k| <= cutoff/d_k + spread(f_k) + 1`` bounds the loop.
    """
    n_atoms = len(positions)
    ranges = [range(1)] * 3
    if pbc.any():
        lattice = mpmath.matrix([[cell[k][m] for m in range(3)] for k in range(3)])
        volume = abs(mpmath.det(lattice))
        if volume == 0:
            raise ValueError("the reference needs a full-rank cell when any axis is periodic")
        inverse = lattice**-1
        frac = [[_dot(p, inverse[:, k]) for k in range(3)] for p in positions]
        ranges = []
        for k in range(3):
            if not pbc[k]:
                ranges.append(range(1))
                continue
            i, j = [m for m in range(3) if m != k]
            spacing = volume / mpmath.norm(_cross(cell[i], cell[j]))
            spread = max(f[k] for f in frac) - min(f[k] for f in frac)
            count = int(mpmath.ceil(cutoff / spacing + spread)) + 1
            ranges.append(range(-count, count + 1))
    out = []
    for shift in itertools.product(*ranges):
        offset = mpmath.matrix([0, 0, 0])
        for k, s in enumerate(shift):
            offset += s * cell[k]
        for i in range(n_atoms):
            for j in range(n_atoms):
                if i == j and not any(shift):
                    continue
                vec = positions[j] - positions[i] + offset
                if mpmath.norm(vec) < cutoff:
                    out.append((i, j, vec))
    return out


def _cross(a, b):
    return mpmath.matrix([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                          a[0] * b[1] - a[1] * b[0]])


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def spherical_expansion(frames, *, cutoff, n_radial: int, l_max: int, density_width,
                        center_atom_weight=1, smoothing="ShiftedCosine", smoothing_width=0.5,
                        dps: int = 30) -> dict:
    """Expansion coefficients of small structures at ``dps`` digits.

    ``frames``: a list of ``(numbers, positions, cell, pbc)`` tuples or of objects with
    ``numbers``, ``positions``, ``cell`` and ``pbc`` attributes (``ase.Atoms``).
    Returns ``{(l, center_type, neighbor_type): (samples, values)}`` where ``samples`` is a
    list of ``(system, atom)`` and ``values`` an object array ``(len(samples), 2l+1, N)`` of
    mpf; samples and keys follow featomic's rules (the centres of type ``c`` with a
    neighbour of type ``a``, every centre of type ``c`` when ``a == c``). Cost: one
    ``hyp1f1`` per pair, ``l`` and ``n`` at ``dps + 10`` digits; meant for a handful of atoms.

    Conventions: :mod:`o3ref.reference.conventions` (density expansion, ``r_ij = r_j - r_i``).
    """
    if smoothing not in ("ShiftedCosine", "Step"):
        raise ValueError(f"smoothing={smoothing!r} must be 'ShiftedCosine' or 'Step'")
    with mpmath.workdps(dps + _GUARD):
        rc = _mpf(cutoff)
        width = _mpf(smoothing_width) if smoothing == "ShiftedCosine" else None
        lowdin = gto_lowdin(cutoff, n_radial, dps)
        sums = {}  # (center_type, neighbor_type) -> {(system, atom): [l][m][n]}
        for system, frame in enumerate(frames):
            numbers, positions, cell, pbc = _unpack(frame)
            pos = [mpmath.matrix([_mpf(v) for v in p]) for p in positions]
            cel = [mpmath.matrix([_mpf(v) for v in row]) for row in cell]
            for i, number in enumerate(numbers):
                sums.setdefault((number, number), {})[(system, i)] = None
            for i, j, vec in _pairs(pos, cel, np.asarray(pbc, dtype=bool), rc):
                dist = mpmath.norm(vec)
                fc = _cutoff_value(dist, rc, smoothing, width)
                if fc == 0:
                    continue
                ylm = real_spherical_harmonics(l_max, [list(vec)], dps=dps + _GUARD)[0]
                coeff = []
                for l in range(l_max + 1):
                    radial = radial_integral(dist, l, cutoff, n_radial, density_width, dps, lowdin)
                    coeff.append([[fc * ylm[flat_index(l, m)] * radial[n] for n in range(n_radial)]
                                  for m in range(-l, l + 1)])
                block = sums.setdefault((numbers[i], numbers[j]), {})
                block[(system, i)] = _add(block.get((system, i)), coeff)
        self_radial = radial_integral(0, 0, cutoff, n_radial, density_width, dps, lowdin)
        y00 = 1 / (2 * mpmath.sqrt(mpmath.pi))
        out = {}
        for (c, a), samples in sums.items():
            keys = sorted(samples)
            for l in range(l_max + 1):
                values = np.empty((len(keys), 2 * l + 1, n_radial), dtype=object)
                for s, key in enumerate(keys):
                    for mi in range(2 * l + 1):
                        for n in range(n_radial):
                            entry = samples[key]
                            v = entry[l][mi][n] if entry is not None else mpmath.mpf(0)
                            if c == a and l == 0:
                                v = v + _mpf(center_atom_weight) * self_radial[n] * y00
                            values[s, mi, n] = +v
                out[(l, int(c), int(a))] = (keys, values)
    return out


def _add(total, coeff):
    if total is None:
        return coeff
    return [[[t + c for t, c in zip(tm, cm, strict=True)] for tm, cm in zip(tl, cl, strict=True)]
            for tl, cl in zip(total, coeff, strict=True)]


def _unpack(frame):
    if isinstance(frame, tuple):
        numbers, positions, cell, pbc = frame
    else:
        numbers, positions = frame.numbers, frame.positions
        cell = np.asarray(frame.cell)
        pbc = frame.pbc
    return ([int(v) for v in numbers], np.asarray(positions, dtype=np.float64).tolist(),
            np.asarray(cell, dtype=np.float64).reshape(3, 3).tolist(), pbc)
