"""Cartesian tensors with index symmetries as irreps: o3ref's basis and the comparison of
another library's change of basis with it.

o3ref's basis of rank-``n`` Cartesian tensors couples the indices one after the other with
the real Clebsch-Gordan coefficients of :func:`o3ref.fast.real_clebsch_gordan`: each index
is the ``l = 1`` vector ``(y, z, x)``, ``((1 x 1) -> L_2) x 1 -> L_3 ...``. For a formula with
symmetries (``"ij=ji"``, ``"ijk=jik=ikj"``, ``"ijkl=jikl=klij"``; ``"ij=-ji"`` for an
antisymmetry) the coupled vectors of each ``L`` are projected onto the symmetric tensors and
orthonormalised in the order of their coupling paths (Gram-Schmidt), so that an ``L`` that
appears once is the projection of its first path that survives, with that path's sign.

A change of basis ``Q`` (``(dim, 3, ..., 3)`` or ``(dim, 3**n)``; irreps ``= Q . T``, e3nn's
``CartesianTensor(formula).reduced_tensor_products().change_of_basis`` layout) is compared in
:func:`compare_change_of_basis`: equivariance, the spanned space, and per irrep block its
relation to o3ref's (``equal``, ``sign``, ``scale c``, ``orthogonal mix``, ``mix``).

Conventions: :mod:`o3ref.reference.conventions` (Cartesian <-> spherical).

>>> import numpy as np
>>> basis = cartesian_basis("ij=ji")
>>> sorted(basis), basis[0].shape, basis[2].shape
([0, 2], (1, 1, 9), (1, 5, 9))
>>> bool(np.allclose(basis[0][0, 0] * np.sqrt(3), -np.eye(3).ravel()))  # -trace/sqrt3
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .irreps import as_numpy, frame_matrix, irreps_rotation, parse_irreps

__all__ = [
    "ChangeOfBasisReport",
    "cartesian_basis",
    "compare_change_of_basis",
    "parse_formula",
    "symmetry_projector",
]

_P = np.eye(3)[[1, 2, 0]]  # (x, y, z) -> (y, z, x)


def parse_formula(formula: str) -> tuple[int, list[tuple[tuple[int, ...], int]]]:
    """``"ij=-ji"`` -> ``(2, [((1, 0), -1)])``: the rank and each equality as a permutation of
    the first index string with its sign."""
    if not isinstance(formula, str) or not formula:
        raise ValueError(f"formula={formula!r} must be a string such as 'ij=ji'")
    parts = [p.strip() for p in formula.split("=")]
    first = parts[0]
    if not first.isalpha() or len(set(first)) != len(first):
        raise ValueError(f"formula={formula!r}: {first!r} must be distinct letters")
    rules = []
    for p in parts[1:]:
        sign = -1 if p.startswith("-") else 1
        q = p.lstrip("-")
        if sorted(q) != sorted(first):
            raise ValueError(f"formula={formula!r}: {p!r} must permute the letters of {first!r}")
        rules.append((tuple(first.index(c) for c in q), sign))
    return len(first), rules


def _check_size(formula: str, n: int, copies: int) -> None:
    """Refuse, before allocating, a rank whose ``(3**n, 3**n)`` matrices (``copies`` of them)
    exceed o3ref.fast's memory budget (rank 9: 3.1 GB each)."""
    from o3ref.fast.budget import check_budget

    check_budget(f"formula={formula!r} (rank {n}: {copies} matrices of 3**{n} x 3**{n})",
                 copies * 9**n * 8, "the rank of the formula")


def symmetry_projector(formula: str) -> np.ndarray:
    """The orthogonal projector ``(3**n, 3**n)`` onto the tensors obeying ``formula``: the
    average over the group its equalities generate (with their signs). A rank whose matrix
    exceeds the memory budget is refused with ``ValueError`` before any work."""
    n, rules = parse_formula(formula)
    _check_size(formula, n, 1)
    group = {(tuple(range(n)), 1)}
    frontier = list(group)
    while frontier:
        new = []
        for perm, sign in frontier:
            for rule, s in rules:
                composed = (tuple(perm[i] for i in rule), sign * s)
                if composed not in group:
                    group.add(composed)
                    new.append(composed)
        frontier = new
    if any((p, -s) in group for p, s in group):
        raise ValueError(f"formula={formula!r} admits only the zero tensor")
    dim = 3**n
    proj = np.zeros((dim, dim))
    index = np.arange(dim).reshape((3,) * n)
    for perm, sign in group:
        target = np.transpose(index, perm).ravel()
        proj[np.arange(dim), target] += sign
    return proj / len(group)


def _coupled_paths(n: int) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Every coupling path ``(1, L_2, ..., L_n)`` with its orthonormal vectors
    ``(2L_n+1, 3**n)`` (Cartesian indices, row-major)."""
    from o3ref.fast import real_clebsch_gordan

    vec = _P.copy()  # (m, xyz) for one index: component m of the l = 1 vector
    paths = [((1,), vec)]
    for _ in range(n - 1):
        grown = []
        for path, basis in paths:  # basis: (2L+1, 3**k)
            L1 = path[-1]
            for L in range(abs(L1 - 1), L1 + 2):
                cg = real_clebsch_gordan(L1, 1, L)  # (2L1+1, 3, 2L+1)
                new = np.einsum("abM,ai,bj->Mij", cg, basis, _P).reshape(2 * L + 1, -1)
                grown.append((path + (L,), new))
        paths = grown
    return paths


def cartesian_basis(formula: str) -> dict[int, np.ndarray]:
    """o3ref's float basis of the tensors obeying ``formula``: ``{L: (mul, 2L+1, 3**n)}``,
    orthonormal rows, from the real CG couplings (see the module docstring)."""
    n, _ = parse_formula(formula)
    _check_size(formula, n, 2)
    proj = symmetry_projector(formula)
    out: dict[int, list[np.ndarray]] = {}
    for _path, vectors in _coupled_paths(n):
        L = (len(vectors) - 1) // 2
        v = vectors @ proj.T
        for kept in out.get(L, []):  # Gram-Schmidt against the blocks kept (same M rows)
            v = v - np.sum(v * kept) / (2 * L + 1) * kept
        norm = np.sqrt(np.sum(v * v) / (2 * L + 1))
        if norm > 1e-8:
            out.setdefault(L, []).append(v / norm)
    return {L: np.stack(blocks) for L, blocks in sorted(out.items())}


@dataclass
class ChangeOfBasisReport:
    """Result of :func:`compare_change_of_basis`."""

    formula: str
    irreps: list
    equivariance_error: float
    span_error: float
    dimension: tuple[int, int]
    tolerance: float
    blocks: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every irrep block is equivariant and spans o3ref's space."""
        return (self.equivariance_error <= self.tolerance and self.span_error <= self.tolerance
                and self.dimension[0] == self.dimension[1])

    def relations(self) -> dict[int, list[str]]:
        """``{L: [relation of each block of degree L]}``."""
        out: dict[int, list[str]] = {}
        for b in self.blocks:
            out.setdefault(b["L"], []).append(b["relation"])
        return out

    def __str__(self) -> str:
        lines = [
            f"change of basis for {self.formula!r}: {'ok' if self.passed else 'FAILED'}; "
            f"equivariance err {self.equivariance_error:.2e}, span err {self.span_error:.2e} "
            f"(tolerance {self.tolerance:.1e}); dimension {self.dimension[0]} "
            f"(o3ref: {self.dimension[1]})"
        ]
        for b in self.blocks:
            lines.append(f"  block {b['index']} (L = {b['L']}): {b['relation']}")
        return "\n".join(lines)


def _relation(coeffs: np.ndarray, tol: float) -> str:
    """Name the relation of one block, ``Q_block = sum_k c_k (x) I  o3ref_block_k`` (the
    coefficients ``coeffs`` ``(2L+1, mul, 2L+1)``)."""
    dim = coeffs.shape[0]
    eye = np.eye(dim)
    for k in range(coeffs.shape[1]):
        c = np.trace(coeffs[:, k]) / dim
        others = np.delete(coeffs, k, axis=1)
        if np.abs(coeffs[:, k] - c * eye).max() <= tol and np.abs(others).max(initial=0) <= tol:
            target = "" if coeffs.shape[1] == 1 else f" o3ref block {k}"
            if abs(c - 1) <= tol:
                return "equal" + (f" to{target}" if target else "")
            if abs(c + 1) <= tol:
                return "sign (-1)" + (f" of{target}" if target else "")
            return f"scale {c:.6g}" + (f" of{target}" if target else "")
    flat = coeffs.reshape(dim, -1)
    gram = flat @ flat.T
    s = np.trace(gram) / dim
    if np.abs(gram - s * eye).max() <= tol * max(1.0, s):
        return (f"orthogonal mix (scale {np.sqrt(s):.6g}): "
                + np.array2string(coeffs.reshape(dim, -1), precision=4, suppress_small=True)
                .replace("\n", ""))
    return "mix (not orthogonal)"


def _blocks_from_rows(Q: np.ndarray, basis: dict[int, np.ndarray]):
    """Degrees of Q's rows, read off from o3ref's subspaces of all rank-n tensors (``basis``),
    cut into blocks of 2L+1."""
    degrees = []
    for row in Q:
        weights = {L: float(np.sum((b.reshape(-1, b.shape[-1]) @ row) ** 2))
                   for L, b in basis.items()}
        degrees.append(max(weights, key=weights.get) if weights else 0)
    entries, i = [], 0
    while i < len(degrees):
        L = degrees[i]
        entries.append((1, L, 0))
        i += 2 * L + 1
    return entries


def compare_change_of_basis(
    Q, formula: str, *, irreps=None, frame="o3ref", n_rotations: int = 3, tol=None, seed=0
) -> ChangeOfBasisReport:
    """Compare a change of basis ``Q`` (irreps ``= Q . T``) for tensors obeying ``formula``
    with o3ref's :func:`cartesian_basis`.

    ``irreps`` (e3nn string or list; read off ``Q`` when omitted) says which rows form which
    block; ``frame`` is the frame of the irreps' components (``"o3ref"``, ``"e3nn"`` or a map,
    as in :func:`o3ref.verify.layers.irreps.irreps_rotation`). Checks: ``Q R^{(x)n} = D(R) Q`` for
    random proper and improper ``R``, the rows span exactly the tensors obeying the formula,
    and each block's relation to o3ref's. Tolerance ``64 (3**n) eps max|Q|`` (float64 unless
    ``Q`` is float32): ``Q . T`` sums ``3**n`` products per entry.
    """
    from ..compare import compare_arrays
    from ..properties import random_rotations
    from ..tolerances import check_tolerance_value, eps

    n, _ = parse_formula(formula)
    _check_size(formula, n, 3)  # the projector, R^(x)n and their products with Q
    Q = as_numpy(Q)
    dtype = Q.dtype if Q.dtype.kind == "f" else np.dtype(np.float64)
    Q = np.asarray(Q, dtype=np.float64)
    Q = Q.reshape(Q.shape[0], -1) if Q.ndim > 1 else Q[None]
    if Q.shape[1] != 3**n:
        raise ValueError(f"Q has {Q.shape[1]} Cartesian components per row; formula="
                         f"{formula!r} (rank {n}) needs 3**{n} = {3**n}")
    basis = cartesian_basis(formula)
    finite = np.isfinite(Q)
    scale = max(1.0, float(np.abs(Q[finite]).max()) if finite.any() else 1.0)
    atol = check_tolerance_value("tol", tol) if tol is not None else (
        64 * 3**n * eps(dtype) * scale)
    entries = parse_irreps(irreps) if irreps is not None else _blocks_from_rows(
        Q, cartesian_basis(formula.split("=")[0]))
    if irreps is None:  # a Cartesian tensor of rank n has parity (-1)^n in every block
        entries = [(m, L, (-1) ** n) for m, L, _ in entries]
    dim = sum(m * (2 * L + 1) for m, L, _ in entries)
    if dim != Q.shape[0]:
        raise ValueError(f"irreps={irreps!r} have {dim} components; Q has {Q.shape[0]} rows")
    proper = random_rotations(n_rotations, seed)
    equiv = 0.0
    for R in np.concatenate([proper, -proper]):
        big = R
        for _ in range(n - 1):
            big = np.kron(big, R)
        lhs = Q @ big  # Q vec(R T R^T) = Q (R x R) vec(T) must be D(R) Q vec(T)
        rhs = irreps_rotation(entries, R, "mul_ir", frame) @ Q
        # the comparison core: a NaN or inf on either side is an infinite error
        equiv = max(equiv, compare_arrays(lhs, rhs, atol=atol).max_abs)
    proj = symmetry_projector(formula)
    span_err = compare_arrays(Q, Q @ proj, atol=atol).max_abs
    rank = int(np.linalg.matrix_rank(Q, tol=1e-8 * scale)) if finite.all() else 0
    report = ChangeOfBasisReport(formula, entries, equiv, span_err,
                                 (rank, sum(b.shape[0] * b.shape[1] for b in basis.values())),
                                 atol)
    start = 0
    index = 0
    for mul, L, _p in entries:
        M_inv = np.linalg.inv(frame_matrix(frame, L))
        for _ in range(mul):
            rows = M_inv @ Q[start:start + 2 * L + 1]  # the block in o3ref's frame
            start += 2 * L + 1
            ours = basis.get(L)
            if ours is None:
                relation = f"no L = {L} block in o3ref's basis of {formula!r}"
            else:
                coeffs = np.einsum("ai,kbi->akb", rows, ours)
                resid = rows - np.einsum("akb,kbi->ai", coeffs, ours)
                relation = (_relation(coeffs, atol) if np.abs(resid).max() <= atol
                            else f"outside o3ref's L = {L} space (residual "
                                 f"{np.abs(resid).max():.2e})")
            report.blocks.append({"index": index, "L": L, "relation": relation})
            index += 1
    return report
