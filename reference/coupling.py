"""Exact symmetric couplings: the equivariant homogeneous polynomials of degree ``nu`` from a
sum of irreps into one irrep ``(L, parity)``, and their number from characters.

The degree-``nu`` part of an equivariant polynomial map ``V -> V_L`` is a symmetric
``nu``-linear equivariant map: an element of ``Hom_O(3)(Sym^nu V, V_L)``.
:func:`coupling_basis` builds an exact basis of that space and :func:`coupling_dimension`
counts it independently, from characters.

**The basis.** Every equivariant ``nu``-linear map on the copies ``c_1, ..., c_nu`` of ``V``
is a combination of coupling trees ``((c_1 c_2)_{L2} c_3)_{L3} ... -> L`` of real CG arrays;
symmetrising the trees over the ``nu!`` orders of the arguments spans the symmetric ones.
The entries are exact. In the rescaled components ``e'_m = e_m / r_l(m)`` with
``r_l(m)^2 = 2^[m != 0] (l-|m|)!/(l+|m|)!`` (the ratio of a real harmonic to a polynomial
with rational coefficients), each real CG array is a rational array times one square root
per triple (checked exactly here, entry by entry), the ``r`` of inner indices cancel along a
tree, and symmetrising keeps the rational form: trees are rational vectors, and their exact
rank is found by Gaussian elimination over :class:`fractions.Fraction`. The returned
tensors are in o3ref's components, each entry an exact
:class:`o3ref.reference.signed_sqrt.SignedSqrt`. A symmetric equivariant map vanishes iff
its output component ``M = 0`` does (the orbit of ``e_0`` spans ``V_L``), so ranks are taken
on that slice.

**The count.** The character of ``Sym^k W`` is read from the generating function
``prod_w 1/(1 - t z^w)`` over the weights ``w`` (the orders ``m``) of ``W`` (the cycle-index
form of the plethysm), with integers only; inversion acts on ``Sym^nu(V_+ + V_-)`` as
``(-1)^k`` on ``Sym^(nu-k) V_+ x Sym^k V_-``; and the multiplicity of ``V_L`` in an SO(3)
representation with weight counts ``n(m)`` is ``n(L) - n(L+1)`` (Weyl's integration
formula applied to the characters).

**Sizes: exact, then mpmath.** The exact basis is exact at every size it is built for;
nothing in it is rounded. Its cost is the number of coupling trees times their dense size
``(2l+1)^nu (2L+1)`` in Python integers, plus the echelon form of the symmetrised trees.
Measured on this project's 2 shared CPU cores (exact rank == character count in every case):
``"0e+1o+2e+3o"``, degree 3, ``L = 3``: 0.7 s; ``"0e+1o+2e+3o+4e"``, degree 3, ``L = 2``:
3.6 s; ``"8x1o"``, degree 3 (288 tensors): 2.3 s; ``"0e+1o+2e+3o+4e"``, degree 4, ``L = 0``:
13 s; ``"5o"``, degree 4, ``L = 2``: 32 s. The exact route is refused (``ValueError``, before
any work) when the symmetric components times the copy sets exceed :data:`MAX_EXACT_WORK`
or the tree work (trees times their dense size, counted with integers) exceeds
:data:`MAX_TREE_WORK`. Beyond that, ``coupling_basis(..., dps=N)`` builds an orthonormal
basis in fixed-point mpmath arithmetic at ``N`` decimal digits (plus guard bits) by a
different construction, symmetric powers grown one factor at a time
(:mod:`o3ref.reference._coupling_mp`): its cost grows with the symmetric components, not
the trees (``"5o"``, degree 4, ``L = 2``: under 1 s). Each of its tensors carries an a
posteriori bound on its distance from the exact space, from the Casimir operator, and
``CouplingBasis.error_bound <= 10**-dps`` is guaranteed (else ``ArithmeticError``). The two
routes agree (tests: the mpmath tensors lie in the span of the exact ones to within the
bound). MACE-size contractions (``l <= 3`` per channel, correlation order ``<= 3``, channel
by channel) are far inside the exact range. :func:`coupling_dimension` (integers only)
counts the space at any size.

Conventions: :mod:`o3ref.reference.conventions`.

>>> coupling_dimension("1o", 2, 0, 1), coupling_dimension("1o", 2, 1, 1)  # |x|^2; no x cross x
(1, 0)
>>> b = coupling_basis("1o", 2, 0, 1)
>>> b.dimension, [str(b.tensors[0, i, j, 0]) for i, j in ((0, 0), (1, 1), (2, 2), (0, 1))]
(1, ['-2', '-2', '-2', '0'])
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import comb, factorial, isqrt, lcm

import numpy as np

from .indexing import check_degree, triangle
from .real_cg import real_clebsch_gordan
from .signed_sqrt import SignedSqrt

__all__ = ["CouplingBasis", "coupling_basis", "coupling_dimension", "exact_fits"]

_TERM = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eo])\s*$")
#: the largest number of symmetric components (distinct sorted index tuples) times trees
#: that coupling_basis builds exactly
MAX_EXACT_WORK = 2_000_000
#: the largest tree work (coupling trees times their dense size) of the exact route; about
#: 10 s on this project's CPUs (``"5o"`` at degree 4, ``L = 2``, 32 s, is 1.7x this)
MAX_TREE_WORK = 2_000_000


def _irreps(irreps) -> list[tuple[int, int, int]]:
    """``"2x1o+0e"`` or ``[(mul, l, parity)]`` -> list of ``(mul, l, parity)``."""
    if isinstance(irreps, str):
        out = []
        for term in (t for t in irreps.split("+") if t.strip()):
            m = _TERM.match(term)
            if m is None:
                raise ValueError(f"irreps={irreps!r}: term {term.strip()!r} must read "
                                 "'MULxLp' with p = e or o")
            out.append((int(m.group(1) or 1), int(m.group(2)), 1 if m.group(3) == "e" else -1))
        return out
    if isinstance(irreps, (list, tuple)):
        out = []
        for k, e in enumerate(irreps):
            if not (isinstance(e, (list, tuple)) and len(e) == 3 and e[2] in (1, -1)):
                raise ValueError(f"irreps[{k}]={e!r} must be a (mul, l, parity) triple, "
                                 "parity 1 or -1")
            out.append((check_degree("mul", e[0]), check_degree("l", e[1]), int(e[2])))
        return out
    raise TypeError(f"irreps={irreps!r} must be a string like '2x1o+0e' or a list of "
                    "(mul, l, parity)")


def _check(degree, L, parity):
    degree = check_degree("degree", degree)
    if degree < 1:
        raise ValueError(f"degree={degree} must be at least 1")
    L = check_degree("L", L)
    if parity not in (1, -1):
        raise ValueError(f"parity={parity!r} must be 1 (even) or -1 (odd)")
    return degree, L, int(parity)


# -- the count -----------------------------------------------------------------------------


def _sym_weights(weights: list[int], k: int) -> Counter:
    """Weight counts of ``Sym^k W`` for ``W`` with the given weights (integers only)."""
    table = {(0, 0): 1}
    for w in weights:  # multiply by 1/(1 - t z^w), truncated at t^k
        new: dict = {}
        for (n, m), c in table.items():
            for j in range(0, k - n + 1):
                key = (n + j, m + j * w)
                new[key] = new.get(key, 0) + c
        table = new
    return Counter({m: c for (n, m), c in table.items() if n == k})


def coupling_dimension(irreps_in, degree: int, L: int, parity: int) -> int:
    """The number of independent symmetric equivariant ``degree``-linear maps from
    ``irreps_in`` into ``(L, parity)``: the multiplicity of ``(L, parity)`` in
    ``Sym^degree`` of the input, from characters (see the module docstring).

    >>> coupling_dimension("0e+1o", 3, 1, -1)  # x s^2, x |x|^2
    2
    """
    degree, L, parity = _check(degree, L, parity)
    entries = _irreps(irreps_in)
    even = [m for mul, l, p in entries if p == 1 for _ in range(mul) for m in range(-l, l + 1)]
    odd = [m for mul, l, p in entries if p == -1 for _ in range(mul) for m in range(-l, l + 1)]
    total = Counter()
    for k in range(degree + 1):
        if (-1) ** k != parity:
            continue
        a, b = _sym_weights(even, degree - k), _sym_weights(odd, k)
        for ma, ca in a.items():
            for mb, cb in b.items():
                total[ma + mb] += ca * cb
    return total[L] - total[L + 1]


# -- the basis -----------------------------------------------------------------------------


def _scale2(l: int, m: int) -> Fraction:
    """``r_l(m)^2``: the real harmonic over a polynomial with rational coefficients."""
    a = abs(m)
    return Fraction(factorial(l - a), factorial(l + a)) * (2 if a else 1)


def _is_square(f: Fraction) -> bool:
    return (f >= 0 and isqrt(f.numerator) ** 2 == f.numerator
            and isqrt(f.denominator) ** 2 == f.denominator)


@functools.lru_cache(maxsize=256)
def _rational_cg(l1: int, l2: int, L: int) -> np.ndarray:
    """``C[a, b, c] r(c) / (r(a) r(b))`` divided by one square root per triple: rational,
    returned as integers (times one more positive factor per triple)."""
    C = real_clebsch_gordan(l1, l2, L)
    out = np.full(C.shape, Fraction(0), dtype=object)
    ref = None
    for (a, b, c), v in np.ndenumerate(C):
        if v.sign == 0:
            continue
        s2 = v.square * _scale2(L, c - L) / (_scale2(l1, a - l1) * _scale2(l2, b - l2))
        ref = s2 if ref is None else ref
        ratio = s2 / ref
        if not _is_square(ratio):  # a theorem for real harmonics; checked, never assumed
            raise ArithmeticError(f"real CG ({l1}, {l2}, {L}) is not rational in the "
                                  "rescaled components")
        out[a, b, c] = v.sign * Fraction(isqrt(ratio.numerator), isqrt(ratio.denominator))
    # a tree is defined up to one factor: integers keep the products fast and exact
    den = lcm(*(f.denominator for f in out.ravel()))
    return np.vectorize(lambda f: int(f * den), otypes=[object])(out)


def _copy_sets(copies, degree: int, parity: int) -> list[tuple[int, ...]]:
    """The multisets of ``degree`` copies whose parities multiply to ``parity``."""
    return [c for c in itertools.combinations_with_replacement(range(len(copies)), degree)
            if np.prod([copies[i][1] for i in c]) == parity]


def _copies(entries):
    out, start = [], 0
    for mul, l, p in entries:
        for _ in range(mul):
            out.append((l, p, start))
            start += 2 * l + 1
    return out, start


def _trees(ls: tuple[int, ...], L: int):
    """Coupling trees ``((l1 l2)_{L2} l3)_{L3} ... -> L`` as integer arrays
    ``(2l1+1, ..., 2l_nu+1, 2L+1)`` in the rescaled components (up to one factor each)."""
    if len(ls) == 1:
        if ls[0] == L:
            yield np.array([[int(i == j) for j in range(2 * L + 1)]
                            for i in range(2 * L + 1)], dtype=object)
        return

    def grow(T, lc, rest):
        if not rest:
            if lc == L:
                yield T
            return
        for Ln in triangle(lc, rest[0]):
            if len(rest) == 1 and Ln != L:
                continue
            Q = _rational_cg(lc, rest[0], Ln)
            yield from grow(np.tensordot(T, Q, axes=([-1], [0])), Ln, rest[1:])

    for L2 in triangle(ls[0], ls[1]):
        if len(ls) > 2 or L2 == L:
            yield from grow(_rational_cg(ls[0], ls[1], L2), L2, ls[2:])


def _symmetrised(T, members, copies, M_slice=None) -> dict:
    """The symmetrised tree as ``{(sorted global indices, M): value}`` (rescaled)."""
    out: dict = {}
    offsets = [copies[c][2] for c in members]
    for M in range(T.shape[-1]) if M_slice is None else (M_slice,):
        for ms, v in np.ndenumerate(T[..., M]):
            if v == 0:
                continue
            key = tuple(sorted(o + m for o, m in zip(offsets, ms, strict=True)))
            stab = 1
            for c in Counter(key).values():
                stab *= factorial(c)
            out[(key, M)] = out.get((key, M), 0) + v * stab
    return {k: v for k, v in out.items() if v != 0}


def _subtract(target: dict, c, vector: dict) -> None:
    """``target -= c * vector`` for sparse exact vectors, in place (zeros are dropped)."""
    for k, v in vector.items():
        nv = target.get(k, 0) - c * v
        if nv:
            target[k] = nv
        else:
            target.pop(k, None)


def _reduce(row: dict, basis: list) -> dict:
    row = dict(row)
    for pivot, b in basis:
        c = row.get(pivot)
        if c:
            _subtract(row, c, b)
    return row


@dataclass
class CouplingBasis:
    """A basis of ``Hom_O(3)(Sym^degree V, V_L)``, exact or at a stated precision.

    ``tensors[k, i_1, ..., i_degree, M]`` is the ``k``-th symmetric map in o3ref's
    components (``V``'s entries in listed order, ``mul_ir`` layout): exact
    :class:`o3ref.reference.signed_sqrt.SignedSqrt` entries (``dps is None``), or mpmath
    numbers of an orthonormal basis (``dps`` set; each tensor within ``error_bound`` of the
    exact space). ``character_dimension`` is the independent count of
    :func:`coupling_dimension`.
    """

    irreps_in: list
    degree: int
    L: int
    parity: int
    tensors: np.ndarray
    character_dimension: int
    #: ``None`` for the exact basis; else the decimal digits of the mpmath basis
    dps: int | None = None
    #: the largest distance of a tensor from the exact space (Frobenius, tensors of unit
    #: norm); 0 for the exact basis
    error_bound: float = 0.0
    #: the largest deviation of the mpmath tensors' Gram matrix from the identity
    gram_error: float = 0.0
    #: working precision of the mpmath basis in bits (``None`` for the exact basis)
    working_bits: int | None = None

    @property
    def dimension(self) -> int:
        """The number of basis tensors (the exact rank of the symmetrised trees)."""
        return int(self.tensors.shape[0])

    def __len__(self) -> int:
        return self.dimension

    def __getitem__(self, k):
        """Basis tensor ``k`` (exact entries)."""
        return self.tensors[k]

    def to_float(self) -> np.ndarray:
        """The tensors in float64 (each exact entry rounded once)."""
        return np.vectorize(float, otypes=[np.float64])(self.tensors) if self.tensors.size \
            else np.zeros(self.tensors.shape)

    def to_sympy(self, k: int):
        """Basis tensor ``k`` as a sympy ``MutableDenseNDimArray``: exact radicals, or sympy
        Floats of the mpmath basis."""
        import sympy

        if self.dps is not None:
            return sympy.MutableDenseNDimArray(
                [sympy.Float(v, self.dps) for v in self.tensors[k].ravel()], self.tensors[k].shape)
        return sympy.MutableDenseNDimArray([v.to_sympy() for v in self.tensors[k].ravel()],
                                           self.tensors[k].shape)


def coupling_basis(irreps_in, degree: int, L: int, parity: int, *,
                   dps: int | None = None) -> CouplingBasis:
    """Basis of the symmetric ``degree``-fold couplings of ``irreps_in`` into ``(L, parity)``
    (see the module docstring for both constructions): exact with ``dps=None``, bounded by
    :data:`MAX_EXACT_WORK` and :data:`MAX_TREE_WORK` (beyond them a ``ValueError`` says so
    and names ``dps``); an orthonormal mpmath basis certified to ``10**-dps`` with
    ``dps=int`` (bounded by ``_coupling_mp.MAX_MP_ENTRIES``).

    >>> coupling_basis("0e+1o", 3, 1, -1).dimension
    2
    >>> b = coupling_basis("1o", 2, 0, 1, dps=30)
    >>> b.dimension, b.error_bound < 1e-30, str(b.tensors[0, 0, 0, 0])[:13]  # -1/sqrt(3)
    (1, True, '-0.5773502691')
    """
    degree, L, parity = _check(degree, L, parity)
    entries = _irreps(irreps_in)
    copies, dim = _copies(entries)
    sets = _copy_sets(copies, degree, parity)
    if dps is not None:
        return _mp_basis(entries, copies, sets, degree, L, parity, dps)
    refusal = _exact_refusal(irreps_in, copies, dim, sets, degree, L)
    if refusal:
        raise ValueError(refusal)
    basis, chosen = [], []
    for members in sets:
        ls = tuple(copies[i][0] for i in members)
        for T in _trees(ls, L):
            row = _reduce(_symmetrised(T, members, copies, M_slice=L), basis)
            if not row:
                continue
            pivot = min(row)
            inv = 1 / Fraction(row[pivot])
            row = {k: v * inv for k, v in row.items()}
            basis = [(p, _eliminate(b, pivot, row)) for p, b in basis]
            basis.append((pivot, row))
            chosen.append((T, members))
    tensors = np.full((len(chosen),) + (dim,) * degree + (2 * L + 1,), SignedSqrt(0, 0, 1),
                      dtype=object)
    scales = [_scale2(l, m) for l, _, _ in copies for m in range(-l, l + 1)]
    for k, (T, members) in enumerate(chosen):
        for (key, M), v in _symmetrised(T, members, copies).items():
            s2 = v * v * np.prod([scales[i] for i in key], dtype=object) / _scale2(L, M - L)
            value = SignedSqrt(1 if v > 0 else -1, s2.numerator, s2.denominator)
            for perm in set(itertools.permutations(key)):
                tensors[(k,) + perm + (M,)] = value
    return CouplingBasis(entries, degree, L, parity, tensors,
                         coupling_dimension(entries, degree, L, parity))


def _eliminate(b: dict, pivot, row: dict) -> dict:
    """Keep the echelon rows reduced: remove ``pivot`` from ``b`` with ``row``."""
    c = b.get(pivot)
    if not c:
        return b
    out = dict(b)
    _subtract(out, c, row)
    return out


def _tree_count(ls: tuple[int, ...], L: int) -> int:
    """The number of coupling trees ``((l1 l2)_{L2} l3) ... -> L`` (integers only)."""
    counts = {ls[0]: 1}
    for l in ls[1:]:
        new: dict = {}
        for J, c in counts.items():
            for Jn in triangle(J, l):
                new[Jn] = new.get(Jn, 0) + c
        counts = new
    return counts.get(L, 0)


def _tree_work(copies, sets, L: int) -> int:
    """Trees times their dense size, summed over the copy sets."""
    work = 0
    for members in sets:
        ls = tuple(copies[i][0] for i in members)
        work += _tree_count(ls, L) * int(np.prod([2 * l + 1 for l in ls])) * (2 * L + 1)
    return work


def _mp_basis(entries, copies, sets, degree, L, parity, dps) -> CouplingBasis:
    from . import _coupling_mp

    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or not 1 <= dps <= 1000:
        raise ValueError(f"dps={dps!r} must be an integer from 1 to 1000 (or None: exact)")
    dimension = coupling_dimension(entries, degree, L, parity)
    tensors, err, gram, wp = _coupling_mp.build(copies, sets, degree, L, int(dps),
                                                _copy_count, dimension)
    return CouplingBasis(entries, degree, L, parity, tensors, dimension, int(dps), float(err),
                         float(gram), wp)


def _copy_count(l: int, k: int, J: int) -> int:
    """Character count of ``Hom(Sym^k V_l, V_J)`` for one copy (SO(3): parity aside)."""
    return coupling_dimension([(1, l, 1)], k, J, 1)


def _exact_refusal(irreps_in, copies, dim, sets, degree, L) -> str | None:
    n_sym = comb(dim + degree - 1, degree) if dim else 0
    if n_sym * max(1, len(sets)) > MAX_EXACT_WORK:
        return (f"irreps_in={irreps_in!r}, degree={degree}: {n_sym} symmetric components x "
                f"{len(sets)} copy sets exceeds MAX_EXACT_WORK={MAX_EXACT_WORK} for the exact "
                "basis; pass dps=N for the mpmath basis")
    work = _tree_work(copies, sets, L)
    if work > MAX_TREE_WORK:
        return (f"irreps_in={irreps_in!r}, degree={degree}, L={L}: the coupling trees' work "
                f"{work:.3g} exceeds MAX_TREE_WORK={MAX_TREE_WORK} for the exact basis; pass "
                "dps=N for the mpmath basis")
    return None


def exact_fits(irreps_in, degree: int, L: int, parity: int) -> bool:
    """Whether :func:`coupling_basis` builds this space exactly (``dps=None``), or refuses it
    for its size (integers only; nothing is built).

    >>> exact_fits("0e+1o+2e+3o", 3, 3, -1), exact_fits("5o", 4, 2, 1)
    (True, False)
    """
    degree, L, parity = _check(degree, L, parity)
    copies, dim = _copies(_irreps(irreps_in))
    sets = _copy_sets(copies, degree, parity)
    return _exact_refusal(irreps_in, copies, dim, sets, degree, L) is None
