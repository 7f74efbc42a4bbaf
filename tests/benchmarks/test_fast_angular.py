"""Angular kernels of o3ref.fast against the libraries users would pick instead, single-threaded.

Run with ``python -m pytest --bench tests/benchmarks/test_fast_angular.py --benchmark-only``.
Goals (issue 3): real spherical harmonics at N = 1e5 points, values and values+gradients, at
most 2x sphericart's time at l_max = 10 (also measured at l_max = 4 and 20); real Wigner D for
1e4 rotations up to l = 10 no slower than moble's ``spherical`` (which returns the complex D;
we return the real one directly). Each benchmark checks its result against the competitor
once. Competitors are optional: their benchmarks skip when the library is missing.
"""

from __future__ import annotations

import numpy as np
import pytest

from o3ref.fast import SphericalHarmonics, complex_to_real_matrix, random_quaternions
from o3ref.fast.wigner import WignerDReal

N_POINTS = 100_000
N_ROTATIONS = 10_000


@pytest.fixture(scope="module")
def xyz():
    return np.random.default_rng(0).normal(size=(N_POINTS, 3))


@pytest.fixture(scope="module")
def quaternions():
    return random_quaternions(N_ROTATIONS, seed=0)  # (w, x, y, z), like quaternionic


def _sphericart(l_max):
    sphericart = pytest.importorskip("sphericart")
    return sphericart.SphericalHarmonics(l_max)  # normalized=True is its default


@pytest.mark.parametrize("l_max", [4, 10, 20])
@pytest.mark.parametrize("library", ["o3ref", "sphericart"])
def test_sh_values(benchmark, xyz, l_max, library):
    benchmark.group = f"real SH values, N=1e5, l_max={l_max}"
    calc = SphericalHarmonics(l_max) if library == "o3ref" else _sphericart(l_max)
    values = benchmark(calc.compute, xyz)
    other = _sphericart(l_max) if library == "o3ref" else SphericalHarmonics(l_max)
    np.testing.assert_allclose(values, other.compute(xyz), atol=1e-12)


@pytest.mark.parametrize("l_max", [4, 10, 20])
@pytest.mark.parametrize("library", ["o3ref", "sphericart"])
def test_sh_gradients(benchmark, xyz, l_max, library):
    benchmark.group = f"real SH values+gradients, N=1e5, l_max={l_max}"
    calc = SphericalHarmonics(l_max) if library == "o3ref" else _sphericart(l_max)
    values, grads = benchmark(calc.compute_with_gradients, xyz)
    other = _sphericart(l_max) if library == "o3ref" else SphericalHarmonics(l_max)
    ov, og = other.compute_with_gradients(xyz)
    np.testing.assert_allclose(values, ov, atol=1e-12)
    r = np.linalg.norm(xyz, axis=1)[:, None, None]
    np.testing.assert_allclose(grads * r, og * r, atol=1e-10)


def _spherical_real(D_flat, wigner, l):
    """moble's ``spherical`` D is the complex conjugate of the standard D (checked against our
    real D here): D_real = U^dagger D_moble U, with U of CONVENTIONS.md."""
    U = complex_to_real_matrix(l)
    block = D_flat[:, wigner.Dindex(l, -l, -l) : wigner.Dindex(l, l, l) + 1]
    block = block.reshape(-1, 2 * l + 1, 2 * l + 1)
    return (U.conj().T @ block @ U).real


@pytest.mark.parametrize("library", ["o3ref", "spherical"])
def test_wigner_D(benchmark, quaternions, library):
    benchmark.group = "Wigner D, 1e4 rotations, l <= 10"
    spherical = pytest.importorskip("spherical")
    quaternionic = pytest.importorskip("quaternionic")
    ours_calc = WignerDReal(10)
    theirs = spherical.Wigner(10)
    q = quaternionic.array(quaternions)
    if library == "o3ref":
        result = benchmark(ours_calc.compute, quaternions)
    else:
        result = benchmark(theirs.D, q)
    ours = result if library == "o3ref" else ours_calc.compute(quaternions)
    flat = result if library == "spherical" else theirs.D(q)
    for l in (1, 2, 7, 10):
        np.testing.assert_allclose(ours[l], _spherical_real(flat, theirs, l), atol=1e-12)
