"""Decompose a symmetric contraction (an equivariant polynomial layer) by degree onto the
exact coupling spaces.

``f(A)`` is a polynomial of degree at most ``degree`` in the features ``A``. Its homogeneous
parts are separated by evaluating ``f(t A)`` at ``degree + 2`` Chebyshev nodes ``t`` in
``[-1, 1]`` and solving the Vandermonde system (its condition number is reported; one degree
more than asked is fitted, and a part there is a residue above ``degree``). The degree-``nu``
part of each output copy ``(L, parity)`` is then fitted by least squares on the exact basis
of symmetric couplings (:func:`o3ref.reference.coupling.coupling_basis`, exact where it fits
and certified to 20 digits in mpmath beyond; its dimension is checked against the character
count). A part is symmetric by construction (a homogeneous
polynomial is the diagonal of one symmetric multilinear map); what the basis does not explain
is its non-equivariant residue. ``reached`` is the rank of the fitted coefficient vectors over
``f`` and the other weight draws of the same layer in ``samples``.

>>> import numpy as np
>>> def f(A):                                   # 0e+1o -> 0e: s + s^2 + 0.5 |x|^2
...     s, x = A[:, :1], A[:, 1:]
...     return s + s**2 + 0.5 * (x * x).sum(1, keepdims=True)
>>> r = decompose_polynomial(f, "0e+1o", "0e", 2)
>>> [(row.degree, row.exact_dim, row.reached) for row in r.rows]
[(1, 1, 1), (2, 2, 1)]
>>> r.passed
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..tolerances import tolerance
from ._copies import (
    call,
    copies,
    frame_matrix,
    frame_name,
    irreps_dim,
    irreps_str,
    output_dtype,
    resolve_frame,
)

__all__ = ["PolynomialReport", "PolynomialRow", "decompose_polynomial"]


@dataclass
class PolynomialRow:
    """One (output copy, degree): ``exact_dim`` of the coupling space, the rank ``reached``
    over the draws, ``norm`` (rms size of the part of ``f``), ``residual`` (the part's
    unexplained share, relative) and ``abs_residual`` against ``tolerance``;
    ``coefficients[draw]``: the part of each draw in an orthonormal basis of the coupling
    space (the same basis for every draw and every copy of one irrep and degree, so two
    implementations fed the same inputs can be compared by them)."""

    copy: int
    irrep_out: str
    degree: int
    exact_dim: int
    reached: int
    norm: float
    residual: float
    abs_residual: float
    tolerance: float
    coefficients: np.ndarray | None = None

    def __getitem__(self, name: str):
        """``row["reached"]`` reads the field, like ``row.reached``."""
        return getattr(self, name)

    @property
    def dead(self) -> bool:
        """A non-empty coupling space that no draw reaches."""
        return self.exact_dim > 0 and self.reached == 0

    @property
    def passed(self) -> bool:
        """Equivariant within the policy and not dead."""
        return bool(self.abs_residual <= self.tolerance) and not self.dead


@dataclass
class PolynomialReport:
    """Result of :func:`decompose_polynomial`: ``rows``, the Vandermonde conditioning and the
    residue above ``degree``."""

    irreps_in: str
    irreps_out: str
    degree: int
    rows: list[PolynomialRow] = field(default_factory=list)
    vandermonde_cond: float = 1.0
    above_degree: float = 0.0
    above_tolerance: float = 0.0
    n_draws: int = 1
    dtype: str = "float64"
    frame: str = "o3ref"
    cross_channel: float = 0.0

    @property
    def passed(self) -> bool:
        """Every row passes, nothing lies above ``degree`` and no channel leaks into another."""
        return (all(r.passed for r in self.rows) and self.above_degree <= self.above_tolerance
                and self.cross_channel <= self.above_tolerance)

    def __str__(self) -> str:
        lines = [f"decompose_polynomial: {self.irreps_in} -> {self.irreps_out}, degree <= "
                 f"{self.degree}, {self.n_draws} draw(s), frame {self.frame}, {self.dtype}; "
                 f"Vandermonde cond {self.vandermonde_cond:.1f}"]
        for r in self.rows:
            state = "ok" if r.passed else "FAILED"
            if r.dead:
                state += ": never reached although the exact space is not empty (dead "\
                         "weights? an all-zero U?)"
            elif r.reached < r.exact_dim:
                state += f" (reached {r.reached} of {r.exact_dim})"
            if r.abs_residual > r.tolerance:
                state += f": not equivariant ({r.abs_residual:.1e} > {r.tolerance:.1e})"
            lines.append(f"  out[{r.copy}]={r.irrep_out} degree {r.degree}: exact_dim "
                         f"{r.exact_dim} reached {r.reached} norm {r.norm:.3g} residual "
                         f"{r.residual:.1e}  {state}")
        if self.cross_channel > self.above_tolerance:
            lines.append(f"  a channel's input reaches other channels' outputs: "
                         f"{self.cross_channel:.2e} > {self.above_tolerance:.1e}")
        if self.above_degree > self.above_tolerance:
            lines.append(f"  a part above degree {self.degree}: {self.above_degree:.2e} > "
                         f"{self.above_tolerance:.1e}")
        lines.append("passed" if self.passed else "FAILED")
        return "\n".join(lines)


def _nodes(n: int) -> np.ndarray:
    return np.cos((2 * np.arange(n) + 1) * np.pi / (2 * n))


def _features(A, cs, frame, dim):
    """o3ref's components in mul_ir order -> the layer's frame and layout."""
    x = np.zeros((A.shape[0], dim))
    start = 0
    for c in cs:
        d = 2 * c.l + 1
        block = A[:, start:start + d]
        x[:, c.index] = block if frame == "o3ref" else block @ frame_matrix(frame, c.l).T
        start += d
    return x


def _basis_values(basis: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``Phi[s, b, M]``: each basis tensor contracted with ``A_s`` on every argument."""
    vals = np.einsum("bi...,si->sb...", basis, A)
    while vals.ndim > 3:
        vals = np.einsum("sbi...,si->sb...", vals, A)
    return vals


def decompose_polynomial(f: Callable, irreps_in, irreps_out, degree: int, *,
                         samples: Sequence[Callable] | None = None, frame="o3ref",
                         layout: str = "mul_ir", dtype=None, convert: Callable | None = None,
                         n_points: int | None = None, seed: int = 0,
                         channelwise: bool = False) -> PolynomialReport:
    """Separate ``f``'s homogeneous parts of degree ``1..degree`` and measure each output
    copy's part against the exact coupling space (see the module docstring).

    ``f`` takes ``(n, dim_in)`` and returns ``(n, dim_out)`` (features in ``frame`` and
    ``layout``; ``convert`` turns the NumPy inputs into the library's arrays); ``samples``
    are other weight draws of the same layer (callables like ``f``). ``n_points`` random
    inputs (default: enough for every coupling space) are drawn with ``seed``.

    ``channelwise=True`` (MACE's and cuequivariance's symmetric contractions: every entry of
    ``irreps_in`` and ``irreps_out`` has the same multiplicity, the number of channels) feeds
    one channel at a time: each output copy of channel ``u`` is measured against the
    couplings of channel ``u``'s irreps, and any output outside the channel is reported as
    ``cross_channel``.
    """

    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 1:
        raise ValueError(f"degree={degree!r} must be a positive integer")
    frame = resolve_frame(frame)
    draws = [f] + list(samples or [])
    for k, g in enumerate(draws):
        if not callable(g):
            raise TypeError(f"{'f' if k == 0 else f'samples[{k - 1}]'}={g!r} must be callable")
    ci, co = copies(irreps_in, layout), copies(irreps_out, layout)
    di, do = irreps_dim(irreps_in), irreps_dim(irreps_out)
    t = _nodes(degree + 2)
    V = np.vander(t, degree + 2, increasing=True)  # V[j, nu] = t_j^nu
    report = PolynomialReport(irreps_str(irreps_in), irreps_str(irreps_out), int(degree),
                              vandermonde_cond=float(np.linalg.cond(V)), n_draws=len(draws),
                              frame=frame_name(frame))
    rng = np.random.default_rng(seed)
    cache: dict = {}
    for sub_in, sub_out in _channel_groups(ci, co, channelwise):
        _one_group(report, draws, sub_in, sub_out, co, t, V, rng, cache, frame, di, do,
                   degree, dtype, convert, n_points)
    report.rows.sort(key=lambda r: (r.copy, r.degree))
    return report


def _channel_groups(ci, co, channelwise: bool):
    """``[(input copies, output copies)]``: everything at once, or one channel at a time."""
    if not channelwise:
        return [(ci, co)]
    muls = {len([c for c in cs if c.entry == e]) for cs in (ci, co) for e in {c.entry for c in cs}}
    if len(muls) != 1:
        raise ValueError(f"channelwise=True needs one multiplicity on every entry of irreps_in "
                         f"and irreps_out (the channels); got {sorted(muls)}")
    return [([c for c in ci if c.u == u], [c for c in co if c.u == u])
            for u in range(muls.pop())]


def _basis(cache, sub_in, nu, c):
    from o3ref.reference.coupling import coupling_basis, exact_fits

    entries = tuple((1, x.l, x.parity) for x in sub_in)  # o3ref's mul_ir order of sub_in
    key = (entries, nu, c.l, c.parity)
    if key not in cache:
        # exact where it fits, else the certified mpmath basis (20 digits: beyond float64)
        exact = exact_fits(list(entries), nu, c.l, c.parity)
        b = coupling_basis(list(entries), nu, c.l, c.parity, dps=None if exact else 20)
        if b.dimension != b.character_dimension:
            raise ArithmeticError(f"coupling basis {key}: rank {b.dimension} != character "
                                  f"count {b.character_dimension}")
        T = b.to_float()
        if T.shape[0]:  # an orthonormal basis of the same space: a well-conditioned fit
            q, _ = np.linalg.qr(T.reshape(T.shape[0], -1).T)
            T = q.T.reshape(T.shape)
        cache[key] = T
    return cache[key]


def _one_group(report, draws, sub_in, sub_out, co, t, V, rng, cache, frame, di, do, degree,
               dtype, convert, n_points):
    bases = {(nu, id(c)): _basis(cache, sub_in, nu, c) for c in sub_out
             for nu in range(1, degree + 1)}
    max_dim = max([b.shape[0] for b in bases.values()] + [1])
    n = n_points or max(8, 4 * max_dim)
    d_sub = sum(2 * c.l + 1 for c in sub_in)
    A = rng.standard_normal((n, d_sub))
    in_dt = np.float64 if dtype is None else np.dtype(dtype)
    outside = np.ones(do, dtype=bool)
    for c in sub_out:
        outside[c.index] = False
    parts_all, scale, dt, leak = [], 0.0, None, 0.0
    for g in draws:
        ys = []
        for tj in t:
            y = call(g, convert, _features(tj * A, sub_in, frame, di).astype(in_dt))
            if y.shape != (n, do):
                raise ValueError(f"f returned shape {y.shape}; irreps_out needs ({n}, {do})")
            dt = dt or output_dtype(y, dtype)
            ys.append(y.astype(np.float64))
        Y = np.stack(ys)  # (nodes, n, do)
        finite = Y[np.isfinite(Y)]
        scale = max(scale, float(np.abs(finite).max()) if finite.size else 0.0)
        leak = max(leak, float(np.abs(np.nan_to_num(Y[..., outside], nan=np.inf)).max(
            initial=0.0)))
        parts_all.append(np.linalg.solve(V, Y.reshape(len(t), -1)).reshape(len(t), n, do))
    l_max = max([c.l for c in sub_in + sub_out] + [0])
    atol = report.vandermonde_cond * tolerance("irreps_layer", l_max, dt, scale=scale).atol
    report.dtype = dt.name
    report.above_tolerance = max(report.above_tolerance, atol)
    report.above_degree = max([report.above_degree] + [float(np.abs(np.nan_to_num(
        P[degree + 1], nan=np.inf)).max(initial=0.0)) for P in parts_all])
    report.cross_channel = max(report.cross_channel, leak)
    for c in sub_out:
        k = next(i for i, x in enumerate(co) if x is c)
        inv = None if frame == "o3ref" else np.linalg.inv(frame_matrix(frame, c.l)).T
        for nu in range(1, degree + 1):
            basis = bases[(nu, id(c))]
            Phi = _basis_values(basis, A) if basis.shape[0] else np.zeros((n, 0, 2 * c.l + 1))
            design = Phi.transpose(0, 2, 1).reshape(-1, basis.shape[0])
            coefs, worst, rel, norm = [], 0.0, 0.0, 0.0
            for P in parts_all:
                part = P[nu][:, c.index] if inv is None else P[nu][:, c.index] @ inv
                target = part.reshape(-1)
                if basis.shape[0]:
                    a, *_ = np.linalg.lstsq(design, target, rcond=None)
                    fit = design @ a
                else:
                    a, fit = np.zeros(0), np.zeros_like(target)
                coefs.append(a)
                res = target - fit
                bad = not np.all(np.isfinite(target))
                worst = max(worst, np.inf if bad else float(np.abs(res).max(initial=0.0)))
                nt = float(np.linalg.norm(target))
                # relative to a part that is zero within the policy, a residual says nothing
                tiny = not bad and float(np.abs(target).max(initial=0.0)) <= atol
                rel = np.inf if bad else max(rel, 0.0 if tiny or nt == 0 else
                                             float(np.linalg.norm(res)) / nt)
                norm = max(norm, nt / np.sqrt(n))
            reached = _rank(np.array(coefs), design, atol)
            report.rows.append(PolynomialRow(k, c.label, nu, int(basis.shape[0]), reached,
                                             norm, rel, worst, atol, np.array(coefs)))


def _rank(coefs: np.ndarray, design: np.ndarray, atol: float) -> int:
    """Rank of the coefficient vectors, counting singular values above their error bound
    (the least-squares error of a coefficient: ``atol sqrt(rows) / sigma_min(design)``)."""
    if coefs.size == 0:
        return 0
    sigma = np.linalg.svd(design, compute_uv=False)
    if not np.isfinite(coefs).all():
        return 0
    bound = atol * np.sqrt(design.shape[0]) / sigma[-1] * np.sqrt(coefs.shape[0])
    s = np.linalg.svd(coefs, compute_uv=False)
    return int(np.count_nonzero(s > bound))
