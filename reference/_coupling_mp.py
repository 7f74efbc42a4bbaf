"""Symmetric couplings at a stated precision: the mpmath route of
:func:`o3ref.reference.coupling.coupling_basis` (``dps=...``), for sizes beyond the exact
trees.

**Construction.** ``Sym^nu V`` splits over the multisets of copies of ``V``'s irreps: a
multiset with copy ``c`` taken ``k_c`` times carries ``(x)_c Sym^{k_c} V_{l_c}``, and the
symmetric maps on different multisets have disjoint supports. For one copy,
``Hom(Sym^k V_l, V_J)`` is built from degree ``k - 1``: each basis map ``phi`` into ``V_J'``
is coupled with one more ``V_l`` by the real CG ``(J', l, J)`` and symmetrised over the
``k`` argument positions (``phi`` is symmetric already, so ``k`` terms, not ``k!``); the
candidates are orthonormalised (modified Gram-Schmidt, twice) until their number is the
character count, and ``ArithmeticError`` is raised if they fall short. Distinct copies are
then chained with CG arrays, which keeps orthonormality: no rank decision is needed there.
Symmetric tensors are stored on sorted index tuples (with their number of orderings as
weights), so that the cost grows with ``C(2l+k, k)``, not ``(2l+1)^k``.

**Arithmetic.** Numbers are fixed-point integers ``round(x * 2**wp)`` (mpmath's own internal
form) at a working precision of ``wp`` bits; CG entries are ``isqrt`` of exact rationals
(error below one unit). The returned tensors are mpmath numbers ``v * 2**-wp``, scaled to
unit Frobenius norm over the full symmetric tensor.

**The error bound (a posteriori).** For ``T`` in ``Hom(W, V_L)`` let ``ad_a(T) = X_a^L T -
T X_a^W`` for an orthonormal basis ``X_a`` of so(3) (``-sum_a X_a^2 = l(l+1)`` on ``V_l``).
``sum_a ||ad_a T||^2 = <T, K T>`` with ``K`` the Casimir of ``W* (x) V_L``, whose kernel is the
equivariant maps and whose smallest non-zero eigenvalue is ``1 * 2 = 2``. So the Frobenius
distance of each returned tensor from the exact coupling space is at most
``sqrt(sum_a ||ad_a T||^2 / 2)``, computed here in exact integer arithmetic on the stored
tensor, plus the effect of rounding the generators (one unit each, bounded explicitly).
Symmetry is exact (the storage), parity is exact (the multisets), and the Gram matrix is
computed exactly; with as many tensors as the character count, a small distance bound and a
Gram matrix close to the identity, the span is the exact space. ``error_bound`` is the
largest distance bound; the route raises ``ArithmeticError`` if it exceeds ``10**-dps``
after one retry at a doubled guard.
"""

from __future__ import annotations

import functools
import itertools
from math import factorial, isqrt

import mpmath
import numpy as np
import sympy

from .conventions import complex_to_real
from .indexing import triangle
from .real_cg import real_clebsch_gordan

#: the most entries (basis tensors x full dense components) the mpmath route returns
MAX_MP_ENTRIES = 20_000_000
_GUARD_BITS = 64


def _wp(dps: int, guard: int = _GUARD_BITS) -> int:
    return int(dps * 3.3219280948873626) + 1 + guard


def _div_round(a, d: int):
    """``round(a / d)`` for Python ints or object arrays of them (``d > 0``)."""
    return (a + d // 2) // d


@functools.lru_cache(maxsize=512)
def _cg_fixed(l1: int, l2: int, L: int, wp: int) -> np.ndarray:
    """Real CG ``(l1, l2, L)`` as fixed-point integers (error below one unit)."""
    C = real_clebsch_gordan(l1, l2, L)
    out = np.zeros(C.shape, dtype=object)
    for idx, v in np.ndenumerate(C):
        if v.sign:
            out[idx] = v.sign * isqrt((v.p << (2 * wp)) // v.q)
    return out


@functools.lru_cache(maxsize=128)
def _generators(l: int, wp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Real so(3) generators ``X_a = U^dagger (i conj(J_a)) U`` (``D = exp(-i t J_a)``) on
    o3ref's real components, fixed point; checked: ``-sum X_a^2 = l(l+1)``."""
    n = 2 * l + 1
    with mpmath.workprec(wp + 32):
        U = mpmath.matrix(n, n)
        Uexact = complex_to_real(l)
        for i, j in itertools.product(range(n), repeat=2):
            e = sympy.N(Uexact[i, j], int(wp / 3.3) + 12)
            U[i, j] = mpmath.mpc(mpmath.mpf(sympy.re(e)), mpmath.mpf(sympy.im(e)))
        Jp = mpmath.matrix(n, n)
        for k in range(n - 1):  # J_+ |m> = sqrt((l-m)(l+m+1)) |m+1>, m = k - l
            m = k - l
            Jp[k + 1, k] = mpmath.sqrt((l - m) * (l + m + 1))
        Jm = Jp.T
        Jx = (Jp + Jm) / 2
        Jy = (Jp - Jm) / (2j)
        Jz = mpmath.diag([k - l for k in range(n)])
        out = []
        for J in (Jx, Jy, Jz):
            Jc = J.apply(mpmath.conj)
            X = U.H * (1j * Jc) * U
            out.append(np.array([[int(mpmath.nint(mpmath.ldexp(mpmath.re(X[i, j]), wp)))
                                  for j in range(n)] for i in range(n)], dtype=object))
            imag = max(abs(mpmath.im(X[i, j])) for i in range(n) for j in range(n))
            if imag > mpmath.ldexp(1, -wp):
                raise ArithmeticError(f"so(3) generator for l={l} is not real")
        cas = sum(X @ X for X in out)  # scale 2^(2 wp)
        target = -l * (l + 1) << (2 * wp)
        if any(abs(cas[i, j] - (target if i == j else 0)) > (6 * n) << (wp + 1)
               for i in range(n) for j in range(n)):
            raise ArithmeticError(f"so(3) generators for l={l} fail the Casimir check")
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _sorted_tuples(n: int, k: int):
    """Sorted index tuples of ``Sym^k`` of an ``n``-dimensional space, their index, and
    their weights (numbers of orderings)."""
    tuples = list(itertools.combinations_with_replacement(range(n), k))
    index = {t: i for i, t in enumerate(tuples)}
    weights = np.empty(len(tuples), dtype=object)
    for i, t in enumerate(tuples):
        w = factorial(k)
        for c in (t.count(x) for x in set(t)):
            w //= factorial(c)
        weights[i] = w
    return tuples, index, weights


def _inner(a, b, weights, wp):
    """Weighted inner product of fixed-point arrays ``(n_t, ...)`` -> fixed point."""
    s = (a * b).reshape(a.shape[0], -1).sum(axis=1)
    return _div_round(int((s * weights).sum()), 1 << wp)


@functools.lru_cache(maxsize=256)
def _sym_basis(l: int, k: int, J: int, wp: int, count) -> np.ndarray:
    """Orthonormal basis of ``Hom(Sym^k V_l, V_J)`` on sorted tuples: fixed-point array
    ``(dim, n_t, 2J+1)`` (unit norm with the tuple weights)."""
    n = 2 * l + 1
    target = count(l, k, J)
    tuples, _, weights = _sorted_tuples(n, k)
    if target == 0:
        return np.zeros((0, len(tuples), 2 * J + 1), dtype=object)
    if k == 1:
        eye = np.zeros((1, n, n), dtype=object)  # the identity over its norm sqrt(n)
        for i in range(n):
            eye[0, i, i] = isqrt((1 << (2 * wp)) // n)
        return eye
    _, prev_index, _ = _sorted_tuples(n, k - 1)
    rest = [np.array([prev_index[t[:p] + t[p + 1:]] for t in tuples]) for p in range(k)]
    last = [np.array([t[p] for t in tuples]) for p in range(k)]
    basis: list = []
    for Jp in triangle(J, l):
        phis = _sym_basis(l, k - 1, Jp, wp, count)
        if not len(phis):
            continue
        cg = _cg_fixed(Jp, l, J, wp)  # (2J'+1, n, 2J+1)
        cs = [np.transpose(cg[:, last[p], :], (1, 0, 2)) for p in range(k)]  # (n_t, 2J'+1, 2J+1)
        for phi in phis:  # one candidate at a time: stop at the character count
            acc = 0
            for p in range(k):
                acc = acc + np.einsum("tm,tmM->tM", phi[rest[p], :], cs[p])
            q = _orthonormalise(_div_round(acc, k << wp), basis, weights, wp)
            if q is not None:
                basis.append(q)
            if len(basis) == target:
                return np.array(basis, dtype=object).reshape(target, len(tuples), 2 * J + 1)
    raise ArithmeticError(f"Sym^{k} V_{l} -> V_{J}: {len(basis)} independent couplings "
                          f"found at wp={wp} bits, the characters count {target}")


def _orthonormalise(c, basis, weights, wp):
    """Modified Gram-Schmidt, twice; ``None`` for a dependent candidate."""
    n0 = _inner(c, c, weights, wp)
    if n0 == 0:
        return None
    for _ in range(2):
        for q in basis:
            c = c - _div_round(_inner(c, q, weights, wp) * q, 1 << wp)
    n1 = _inner(c, c, weights, wp)
    if n1 <= n0 >> (wp // 2):  # relative residual below 2^(-wp/4): dependent
        return None
    r = isqrt(n1 << wp)  # fixed-point norm
    return _div_round(c << wp, r)


def _chain(parts, L, wp, count):
    """Orthonormal basis tensors of ``Hom((x)_c Sym^{k_c} V_{l_c}, V_L)`` as fixed-point
    arrays ``(n_1, ..., n_P, 2L+1)`` (product of the parts' sorted tuples)."""

    def grow(T, J, rest):  # T: (..., 2J+1) coupled so far
        if not rest:
            if J == L:
                yield T
            return
        l, k = rest[0]
        reach = sum(kk * ll for ll, kk in rest[1:])  # what the parts after this one can add
        for Jc in range(0, k * l + 1):
            Jns = [Jn for Jn in triangle(J, Jc) if abs(Jn - L) <= reach]
            betas = _sym_basis(l, k, Jc, wp, count) if Jns else ()
            if not len(betas):
                continue
            for Jn in Jns:
                cg = _cg_fixed(J, Jc, Jn, wp)
                # an equivariant map of norm 1 into V_J is sqrt(1/(2J+1)) times an isometry:
                # this factor keeps the coupled map at norm 1
                s = isqrt(((2 * J + 1) * (2 * Jc + 1) << (2 * wp)) // (2 * Jn + 1))
                TC = np.tensordot(T, cg, axes=([-1], [0]))  # (..., 2Jc+1, 2Jn+1)
                for beta in betas:  # (n_c, 2Jc+1)
                    out = np.tensordot(TC, beta, axes=([-2], [1]))  # (..., 2Jn+1, n_c)
                    yield from grow(_div_round(np.moveaxis(out, -1, -2) * s, 1 << (3 * wp)),
                                    Jn, rest[1:])

    l0, k0 = parts[0]
    reach = sum(k * l for l, k in parts[1:])
    for J0 in range(max(0, L - reach), min(k0 * l0, L + reach) + 1):
        for beta in _sym_basis(l0, k0, J0, wp, count):
            yield from grow(beta, J0, parts[1:])


@functools.lru_cache(maxsize=256)
def _generator_terms(l: int, k: int, a: int, wp: int) -> tuple:
    """``X_a`` acting on one argument after another of ``Sym^k V_l``, on sorted tuples:
    ``((idx, coef), ...)`` with ``(S X)[t] = sum idx, coef: S[idx[t]] * coef[t]``."""
    X = _generators(l, wp)[a]
    tuples, index, _ = _sorted_tuples(2 * l + 1, k)
    terms = []
    for pos in range(k):
        for p in range(2 * l + 1):
            coef = np.array([X[p, t[pos]] for t in tuples], dtype=object)
            if any(coef):
                idx = np.array([index[tuple(sorted(t[:pos] + (p,) + t[pos + 1:]))]
                                for t in tuples])
                terms.append((idx, coef))
    return tuple(terms)


def _apply_generator(T, parts, a, wp, L):
    """``ad_a(T)`` at scale ``2^(2 wp)`` on the product of sorted tuples."""
    XL = _generators(L, wp)[a]
    R = np.tensordot(T, XL, axes=([-1], [1]))  # sum_M' T[.., M'] X^L[M, M']
    for axis, (l, k) in enumerate(parts):
        shape = [1] * T.ndim
        shape[axis] = T.shape[axis]
        for idx, coef in _generator_terms(l, k, a, wp):
            R = R - np.take(T, idx, axis=axis) * coef.reshape(shape)
    return R


def _weights(parts):
    W = np.ones((), dtype=object)
    for l, k in parts:
        W = np.multiply.outer(W, _sorted_tuples(2 * l + 1, k)[2])
    return W


def _certify(tensors, parts, L, wp):
    """(largest distance bound from the equivariant space, largest Gram deviation) for
    tensors of one multiset, in units of their full-tensor norms."""
    if not tensors:
        return 0.0, 0.0
    W = _weights(parts)[..., None]
    nu = sum(k for _, k in parts)
    dist = mpmath.mpf(0)
    with mpmath.workprec(wp + 32):
        for T in tensors:
            norm2 = int((W * T * T).sum())  # scale 2^(2 wp), weights of the block
            res2 = sum(int((W * R * R).sum()) for R in
                       (_apply_generator(T, parts, a, wp, L) for a in range(3)))
            d = mpmath.sqrt(mpmath.mpf(res2) / 2 / norm2) / mpmath.ldexp(1, wp)
            # generators rounded by at most one unit per entry: ||dX||_F <= n 2^-wp per factor
            lmax = max([L] + [l for l, _ in parts])
            d += 3 * (nu + 1) * (2 * lmax + 1) * mpmath.ldexp(1, -wp)
            dist = max(dist, d)
        M = np.array([t.ravel() for t in tensors], dtype=object)
        Wf = np.broadcast_to(W, tensors[0].shape).ravel()
        G = (M * Wf) @ M.T
        gram = max(abs(mpmath.mpf(int(G[i, j]) - ((1 << (2 * wp)) if i == j else 0)))
                   for i in range(len(tensors)) for j in range(len(tensors)))
        gram = gram / mpmath.ldexp(1, 2 * wp)
    return dist, gram


def build(copies, sets, degree, L, dps, count, dimension):
    """The mpmath basis: ``(tensors, error_bound, gram_error, wp)`` (see the module
    docstring). ``copies``: ``(l, parity, start)`` per copy; ``sets``: multisets of copy
    indices of the right parity; ``count(l, k, J)``: character counts of one copy."""
    dim = copies[-1][2] + 2 * copies[-1][0] + 1 if copies else 0
    entries = dimension * dim ** degree * (2 * L + 1)
    if entries > MAX_MP_ENTRIES:
        raise ValueError(f"degree={degree}, L={L}: {dimension} tensors of {dim}^{degree} x "
                         f"{2 * L + 1} components ({entries:.3g} entries) exceed "
                         f"MAX_MP_ENTRIES={MAX_MP_ENTRIES} for the mpmath basis")
    bound = mpmath.mpf(10) ** -dps
    for guard in (_GUARD_BITS, 2 * _GUARD_BITS + dps):
        wp = _wp(dps, guard)
        found, err, gram = [], mpmath.mpf(0), mpmath.mpf(0)
        for members in sets:
            counts: dict = {}
            for c in members:
                counts[c] = counts.get(c, 0) + 1
            order = sorted(counts)
            parts = tuple((copies[c][0], counts[c]) for c in order)
            block = list(_chain(parts, L, wp, count))
            e, g = _certify(block, parts, L, wp)
            err, gram = max(err, e), max(gram, g)
            arrangements = factorial(degree)
            for c in order:
                arrangements //= factorial(counts[c])
            found.extend((T, order, parts, arrangements) for T in block)
        if len(found) != dimension:
            raise ArithmeticError(f"{len(found)} coupling tensors built, the characters "
                                  f"count {dimension}")
        if err <= bound and gram <= bound:
            break
    else:
        raise ArithmeticError(f"the mpmath basis at dps={dps} reached an error bound of "
                              f"{mpmath.nstr(max(err, gram), 3)} only")
    return _dense(found, copies, dim, degree, L, wp), err, gram, wp


def _dense(found, copies, dim, degree, L, wp):
    zero = mpmath.mpf(0)
    tensors = np.full((len(found),) + (dim,) * degree + (2 * L + 1,), zero, dtype=object)
    with mpmath.workprec(wp):
        for k, (T, order, parts, arrangements) in enumerate(found):
            scale = mpmath.ldexp(1, -wp) / mpmath.sqrt(arrangements)
            locals_ = [_sorted_tuples(2 * l + 1, kk)[0] for l, kk in parts]
            for idx, v in np.ndenumerate(T):
                if not v:
                    continue
                key = tuple(copies[c][2] + i for c, pos in zip(order, idx[:-1], strict=True)
                            for i in locals_[order.index(c)][pos])
                value = v * scale
                for perm in set(itertools.permutations(key)):
                    tensors[(k,) + perm + (idx[-1],)] = value
    return tensors

