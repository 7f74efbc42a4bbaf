"""The GTO overlap of the exact layer is an independent derivation (issue 19, verification
depth): its exact rational square against a quadrature of the defining integral
``int_0^inf r^2 G_n(r) G_k(r) dr``, and the identities every overlap satisfies."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from o3ref.reference import allow_work, gto_lowdin, gto_overlap
from o3ref.reference.expansion import _overlap_square


def _quadrature(n: int, k: int, n_radial: int, cutoff, dps: int = 22):
    """The definition, integrated numerically (no closed form, no Gamma of (n+k+3)/2)."""
    with mpmath.workdps(dps):
        cutoff = mpmath.mpf(cutoff)
        sig = [cutoff * max(mpmath.sqrt(j), 1) / n_radial for j in (n, k)]

        def primitive(r, j, s):  # normalised by its own quadrature: int r^2 G^2 = 1
            return r**j * mpmath.exp(-r * r / (2 * s * s))

        norms = [1 / mpmath.sqrt(mpmath.quad(lambda r, j=j, s=s: (r * primitive(r, j, s)) ** 2,
                                             [0, s, 4 * s, 12 * s, mpmath.inf]))
                 for j, s in zip((n, k), sig, strict=True)]
        top = 12 * max(sig)
        value = mpmath.quad(lambda r: r * r * primitive(r, n, sig[0]) * primitive(r, k, sig[1]),
                            [0, min(sig), max(sig), 4 * max(sig), top, mpmath.inf])
        return value * norms[0] * norms[1]


@pytest.mark.parametrize("n_radial, cutoff", [(3, 2.0), (12, 4.5)])
def test_the_exact_overlap_matches_a_quadrature_of_its_definition(n_radial, cutoff):
    overlap = gto_overlap(cutoff, n_radial, dps=30)
    pairs = [(0, 1), (1, 2), (0, n_radial - 1), (n_radial - 2, n_radial - 1)]
    for n, k in pairs:
        expected = _quadrature(n, k, n_radial, cutoff)
        # quadrature at 22 digits: agreement to 1e-16 relative is a strong, independent check
        assert abs(overlap[n, k] - expected) <= mpmath.mpf(10) ** -16 * abs(expected), (n, k)


def test_the_overlap_square_is_rational_and_its_identities_hold():
    for n_radial in (1, 4, 13):
        for n in range(n_radial):
            r, ss, e = _overlap_square(n, n, n_radial)
            assert e == 0 and r * r * ss == 1  # S_nn = 1: R = 1/s
            for k in range(n_radial):
                rk = _overlap_square(n, k, n_radial)
                assert rk == _overlap_square(k, n, n_radial)  # symmetric
                assert isinstance(rk[0], Fraction) and rk[2] == (n + k) % 2
    s = gto_overlap(3.0, 6, dps=30)
    t = gto_overlap(7.5, 6, dps=30)  # dimensionless: the cutoff cancels
    assert max(abs(s[i, j] - t[i, j]) for i in range(6) for j in range(6)) < mpmath.mpf(10) ** -35
    # Cauchy-Schwarz with unit diagonal: |S_nk| < 1 off the diagonal
    assert all(0 < s[i, j] < 1 for i in range(6) for j in range(6) if i != j)


def test_lowdin_orthonormalises_the_exact_overlap():
    with mpmath.workdps(40):
        s, w = gto_overlap(4.0, 10, dps=30), gto_lowdin(4.0, 10, dps=30)
        identity = w * s * w
        worst = max(abs(identity[i, j] - (i == j)) for i in range(10) for j in range(10))
    assert worst < mpmath.mpf(10) ** -20


def test_huge_sizes_are_refused_up_front():
    with pytest.raises(ValueError, match=r"gto_overlap\(n_radial=1000000.*work budget"):
        gto_overlap(5.0, 10**6)
    with pytest.raises(ValueError, match=r"gto_lowdin\(n_radial=5000.*work budget"):
        gto_lowdin(5.0, 5000)
    with pytest.raises(ValueError, match="n_radial=0 must be a positive integer"):
        gto_overlap(5.0, 0)
    with pytest.raises(ValueError, match="cutoff=nan"):
        gto_overlap(float("nan"), 3)
    with allow_work(seconds=1e-9), pytest.raises(ValueError, match="work budget"):
        gto_overlap(5.0, 3)
