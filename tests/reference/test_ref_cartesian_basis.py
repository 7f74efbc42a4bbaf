"""cartesian_basis: exact orthonormality, labels, dimensions, equivariance (symbolic for rank 2,
50 digits for ranks 3 and 4) with o3ref's own rotation_matrix and D_real, symmetric range,
e3nn's numeric basis up to an orthogonal transform per irrep block (when installed)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

from o3ref.reference import cartesian_basis, rotation_matrix, wigner_D_real
from o3ref.verify.tolerances import tolerance

FORMULAS = {  # formula -> multiplicity of each L
    "i": {1: 1},
    "ij": {0: 1, 1: 1, 2: 1},
    "ij=ji": {0: 1, 2: 1},
    "ij=-ji": {1: 1},
    "ijk=jik": {1: 2, 2: 1, 3: 1},
    "ijk=jki": {0: 1, 1: 1, 3: 1},   # cyclic: dim 11 (no L = 2: mixed symmetry)
    "ijkl=jikl=ijlk=klij": {0: 2, 2: 2, 4: 1},  # elastic: 21 independent entries
}


def _exact_simplify(e):
    return sympy.nsimplify(sympy.radsimp(sympy.expand(e)))


@pytest.mark.parametrize("formula", list(FORMULAS))
def test_orthonormal_rows_and_labels(formula):
    Q, labels = cartesian_basis(formula)
    mult = FORMULAS[formula]
    expected = [(L, c, m) for L in sorted(mult) for c in range(mult[L]) for m in range(-L, L + 1)]
    assert labels == expected
    assert Q.shape == (len(expected), 3 ** len(formula.split("=")[0]))
    assert (Q * Q.T).applyfunc(_exact_simplify) == sympy.eye(Q.shape[0])


@pytest.mark.parametrize("formula", ["ij=ji", "ijk=jik", "ijkl=jikl=ijlk=klij", "ij=-ji"])
def test_rows_span_exactly_the_tensors_with_the_symmetries(formula):
    terms = formula.split("=")
    n = len(terms[0])
    Q, _ = cartesian_basis(formula)
    for term in terms[1:]:
        sign = -1 if term.startswith("-") else 1
        perm = [terms[0].index(ch) for ch in term.lstrip("-")]
        for row in range(Q.shape[0]):
            t = np.array(Q.row(row), dtype=object).reshape((3,) * n)
            assert np.all(t == sign * np.transpose(t, perm)), (formula, term, row)


@pytest.mark.parametrize("axis", ["z", "y"])
def test_rank2_equivariant_symbolically(axis):
    """Q (R x R) Q^T = diag(D_real^0, D_real^1, D_real^2) for R = Rz(t) and R = Ry(t) with
    a symbolic t; every rotation is a product of these and D_real is a homomorphism."""
    t = sympy.Symbol("t", real=True)
    angles = (t, 0, 0) if axis == "z" else (0, t, 0)
    R = rotation_matrix(*angles)
    Q, labels = cartesian_basis("ij")
    lhs = Q * sympy.kronecker_product(R, R) * Q.T
    blocks = sympy.diag(*[wigner_D_real(L, *angles) for L in (0, 1, 2)])
    diff = (lhs - blocks).applyfunc(lambda e: sympy.simplify(sympy.expand(e)))
    assert diff == sympy.zeros(9, 9)


@pytest.mark.parametrize("formula", ["ijk=jik", "ijk", "ijkl=jikl=ijlk=klij"])
def test_rank3_and_4_equivariant_at_50_digits(formula):
    angles = (sympy.Rational(3, 10), sympy.Rational(11, 10), sympy.Rational(-7, 5))
    with mpmath.workdps(60):
        R = np.array(rotation_matrix(*angles).evalf(60), dtype=object)
        Q, labels = cartesian_basis(formula)
        n = len(formula.split("=")[0])
        big = R
        for _ in range(n - 1):
            big = np.kron(big, R)
        q = np.array(Q.evalf(60), dtype=object)
        lhs = q @ big @ q.T
        Ls = [L for L, c, m in labels if m == -L]
        blocks = [np.array(wigner_D_real(L, *angles, dps=55), dtype=object) for L in Ls]
        expected = np.zeros(lhs.shape, dtype=object)
        start = 0
        for block in blocks:
            k = block.shape[0]
            expected[start:start + k, start:start + k] = block
            start += k
        err = max(abs(sympy.Float(v)) for v in (lhs - expected).ravel())
        assert err < sympy.Float("1e-50"), err


def test_e3nn_basis_up_to_an_orthogonal_transform_per_block():
    """Within each L, o3ref's rows and e3nn's span the same subspace of Cartesian tensors:
    the orthogonal projectors onto the two L-isotypic parts are equal."""
    torch = pytest.importorskip("torch")
    e3nn_io = pytest.importorskip("e3nn.io")
    for formula in ["ij=ji", "ijk=jik", "ijkl=jikl=ijlk=klij"]:
        ours, labels = cartesian_basis(formula)
        ours = np.array(ours.evalf(20), dtype=float)
        ct = e3nn_io.CartesianTensor(formula)
        with torch.no_grad():
            theirs = ct.reduced_tensor_products().change_of_basis
        theirs = theirs.to(torch.float64).reshape(theirs.shape[0], -1).numpy()
        assert theirs.shape == ours.shape
        start = 0
        for mul, ir in ct:
            size = mul * ir.dim
            block = theirs[start:start + size]
            start += size
            proj_theirs = block.T @ np.linalg.solve(block @ block.T, block)
            rows = [i for i, (L, _, _) in enumerate(labels) if L == ir.l]
            assert len(rows) == size
            proj_ours = ours[rows].T @ ours[rows]
            # e3nn's basis is float32: agreement to its precision
            tol = tolerance("cartesian", l=ir.l, dtype=np.float32, scale=3**4).atol
            assert np.abs(proj_ours - proj_theirs).max() <= tol, (formula, ir)


def test_bad_formulas():
    with pytest.raises(ValueError, match=r"formula='ijklm' has rank 5; ranks 1..4"):
        cartesian_basis("ijklm")
    with pytest.raises(ValueError, match=r"formula='ij=jk' is not valid .*term 'jk'"):
        cartesian_basis("ij=jk")
    with pytest.raises(ValueError, match=r"formula='ii' is not valid"):
        cartesian_basis("ii")
    with pytest.raises(TypeError, match=r"formula=3 must be a string"):
        cartesian_basis(3)
    Q, labels = cartesian_basis("ij=ji=-ij")  # symmetric and antisymmetric: only zero
    assert Q.shape == (0, 9) and labels == []
