"""Inputs whose cost used to grow with empty space or a parameter (issue 10, class 3).

Each input either gives the right numbers (against the 30-digit reference, or featomic when
installed) or is refused up front with a ``ValueError`` giving the estimate. Time and
memory against featomic are in ``tests/benchmarks/test_expansion.py``.
"""

from __future__ import annotations

import ase
import mpmath
import numpy as np
import pytest
from expansion_helpers import SEED_HYPERS, two_implementations_rtol, water_frame

import o3ref.fast.neighbors as neighbors
import o3ref.fast.radial as radial
from o3ref.fast import SphericalExpansion, SphericalHarmonics
from o3ref.fast.neighbors import neighbor_list
from o3ref.fast.radial import GtoRadialIntegral, gto_lowdin, gto_overlap
from o3ref.reference import expansion as ref
from o3ref.verify.structures import sparse_box, thin_cell
from o3ref.verify.tolerances import eps, tolerance

CLOSED = {"radial_basis": {"Gto": {"splined_radial_integral": False}}}


def _hypers(**changes):
    return dict(SEED_HYPERS, **CLOSED, **changes)


def _expansion_scale(n_radial):
    """What amplifies float rounding in ``I_nl``: the largest row 1-norm of ``S^(-1/2)``.

    The tolerance policy's ``cond(S)`` bounds a float64 eigendecomposition; ``gto_lowdin``
    rounds an extended-precision one, so only applying it (row norms) amplifies eps.
    """
    return float(np.abs(gto_lowdin(n_radial)).sum(axis=1).max())


def _assert_matches_reference(frames, hypers):
    """Every block within ``tolerance("expansion", l)`` of the 30-digit reference."""
    n_radial = hypers["max_radial"]
    expected = ref.spherical_expansion(
        frames, cutoff=hypers["cutoff"], n_radial=n_radial, l_max=hypers["max_angular"],
        density_width=hypers["atomic_gaussian_width"], smoothing_width=0.5, dps=30)
    actual = SphericalExpansion(**hypers).compute(frames)
    assert len(actual.keys) == len(expected)
    amplification = _expansion_scale(n_radial)
    for (l, center, neighbor), (samples, values) in expected.items():
        block = actual.block(o3_lambda=l, center_type=center, neighbor_type=neighbor)
        assert [tuple(s) for s in block.samples.values.tolist()] == samples
        values = np.array(values, dtype=float)
        largest = np.abs(values).max()
        tol = tolerance("expansion", l, scale=amplification * max(largest, 1e-300))
        assert np.all(tol.allows(block.values, values)), (l, center, neighbor)


# ---------------------------------------------------------------- radial parameters
def test_twenty_radial_functions_loewdin_is_exact_to_float64():
    # cond(S) = 8.8e13 at N = 20: a float64 eigh left L S L - I at 4.5e-4; the
    # extended-precision S^(-1/2), rounded, leaves eps times its row norms (4.8e6)
    lowdin = gto_lowdin(20)
    with mpmath.workdps(40):
        overlap = ref.gto_overlap(2.0, 20, dps=30)
        product = mpmath.matrix(lowdin.tolist()) * overlap * mpmath.matrix(lowdin.tolist())
        residual = max(abs(product[i, j] - (i == j)) for i in range(20) for j in range(20))
    assert residual <= 16 * 20 * eps() * _expansion_scale(20)
    np.testing.assert_array_equal(lowdin, lowdin.T)
    # S does not depend on the cutoff: the float formula agrees with the exact one
    assert np.abs(gto_overlap(7.0, 20) - np.array(overlap.tolist(), dtype=float)).max() \
        <= 16 * eps()


def test_seed_with_twenty_radial_functions_matches_the_reference(monkeypatch):
    # the reference's own primitives and harmonics; its S^(-1/2) (1.8 s of mpmath.eigsy at
    # N = 20) replaced by ours, which the test above checks against the exact overlap
    lowdin = mpmath.matrix(gto_lowdin(20).tolist())
    monkeypatch.setattr(ref, "gto_lowdin", lambda cutoff, n_radial, dps=30: lowdin)
    _assert_matches_reference([water_frame(12)], _hypers(max_radial=20, max_angular=2))


@pytest.mark.parametrize("cutoff", [1e3, 1e4])
def test_long_cutoff_matches_the_reference(cutoff):
    _assert_matches_reference([water_frame(40)], _hypers(cutoff=cutoff, max_angular=3))


@pytest.mark.parametrize("width", [1e-3, 1e-4])
def test_narrow_density_matches_the_reference(width):
    _assert_matches_reference([water_frame(40)], _hypers(atomic_gaussian_width=width))


@pytest.mark.parametrize("width, cutoff", [(1e-4, 2.0), (0.2, 1e4)])
def test_spline_grid_grows_with_the_log_of_the_scale_ratio(width, cutoff):
    # the grid is uniform in log(1 + r/a): r_c/sigma = 2e4 or 5e4 needs some thousands of
    # intervals (a uniform grid of step sigma/64 needed 1.3e6: 4 GB); values stay within
    # the spline's stated accuracy of the closed form on and between the grid points
    spline = GtoRadialIntegral(cutoff, 6, 1, width)
    closed = GtoRadialIntegral(cutoff, 6, 1, width, spline=False)
    assert spline.spline and spline._table[2] < 20_000
    r = np.concatenate([np.geomspace(1e-3 * width, cutoff, 97), [0.0, cutoff]])
    expected = closed.compute(r)
    scale = np.abs(expected).max(axis=(0, 2))[None, :, None]
    assert np.all(np.abs(spline.compute(r) - expected) <= tolerance("radial_spline").atol * scale)


def test_spline_over_its_memory_budget_gives_the_closed_form(monkeypatch):
    monkeypatch.setattr(radial, "MAX_SPLINE_BYTES", 1 << 10)
    radial._spline_table.cache_clear()
    try:
        integral = GtoRadialIntegral(2.5, 3, 2, 0.4)
        assert not integral.spline
        r = np.array([0.0, 0.7, 2.4])
        np.testing.assert_array_equal(integral.compute(r), integral.closed_form(r))
    finally:
        radial._spline_table.cache_clear()


@pytest.mark.parametrize("l_max, degrees", [(60, [0, 7, 33, 60]), (200, [1, 120, 200])])
def test_high_max_angular_matches_the_reference(l_max, degrees):
    # O-H in a generic direction, 1.1 A (inside the flat part of the cutoff): the O-centred
    # block of degree l is Y_lm(r_hat) I_nl(r). featomic 0.6.7 (closed form) differs from
    # the reference by 2.6e-5 of the block at l = 60; o3ref stays within the policies
    vec = np.array([0.3, -0.5, 0.9])
    vec *= 1.1 / np.linalg.norm(vec)
    frame = ase.Atoms("OH", positions=[np.zeros(3), vec])
    hypers = dict(SEED_HYPERS, max_angular=l_max)
    actual = SphericalExpansion(**hypers).compute(frame)
    if l_max <= 60:
        ylm = np.array(ref.real_spherical_harmonics(l_max, [vec.tolist()], dps=30)[0],
                       dtype=float)
    else:  # the mpmath harmonics take 12 s at l = 200; fast's are checked in tests/fast
        ylm = SphericalHarmonics(l_max).compute(vec[None, :])[0]
    amplification = _expansion_scale(6)
    for l in degrees:
        radial = np.array(ref.radial_integral(1.1, l, 2.0, 6, 0.2, dps=30), dtype=float)
        expected = ylm[l * l:(l + 1) ** 2, None] * radial[None, :]
        block = actual.block(o3_lambda=l, center_type=8, neighbor_type=1)
        largest = np.abs(expected).max()
        # radial error (Loewdin-amplified, per the expansion policy) plus the harmonics'
        tol = tolerance("expansion", l, scale=amplification * largest)
        atol = tol.atol + tolerance("sh", l).atol * np.abs(radial).max()
        assert np.abs(block.values[0] - expected).max() <= atol, l


# ---------------------------------------------------------------- empty space, thin cells
def _as_set(nl):
    return set(zip(nl.first.tolist(), nl.second.tolist(), map(tuple, nl.shifts.tolist()),
                   strict=True))


def _brute_force_set(atoms, cutoff, reach):
    """Every shift in ``[-reach, reach]`` per axis, every pair, all at once."""
    axes = [np.arange(-r, r + 1) for r in reach]
    shifts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    pos = atoms.positions
    vec = (pos[None, None, :, :] - pos[None, :, None, :]
           + (shifts @ atoms.cell.array)[:, None, None, :])
    s, i, j = np.nonzero(np.einsum("sijx,sijx->sij", vec, vec) < cutoff * cutoff)
    keep = (i != j) | np.any(shifts[s] != 0, axis=1)
    return set(zip(i[keep].tolist(), j[keep].tolist(), map(tuple, shifts[s[keep]].tolist()),
                   strict=True))


def test_wide_molecule_needs_no_grid_over_empty_space():
    # 200 atoms over 2e4 cutoffs (a dense grid of size-cutoff bins: 8e12 bins; the old
    # 1024-per-axis cap: an 8 GiB bincount): only occupied bins are stored now
    rng = np.random.default_rng(3)
    clusters = rng.uniform(0, 4e4, (20, 3))
    positions = (clusters[:, None, :] + rng.uniform(0, 3, (20, 10, 3))).reshape(-1, 3)
    atoms = ase.Atoms(numbers=np.full(200, 8), positions=positions)
    nl = neighbor_list(atoms.positions, atoms.cell.array, atoms.pbc, 2.0)
    found = _as_set(nl)
    assert found == _brute_force_set(atoms, 2.0, reach=(0, 0, 0)) and len(found) > 0


def test_sparse_periodic_box_matches_brute_force_and_featomic():
    atoms = sparse_box(100, 1000.0, seed=0)
    nl = neighbor_list(atoms.positions, atoms.cell.array, atoms.pbc, 2.0)
    assert _as_set(nl) == _brute_force_set(atoms, 2.0, reach=(1, 1, 1))
    featomic = pytest.importorskip("featomic")
    ours = SphericalExpansion(**SEED_HYPERS)
    actual = ours.compute(atoms)
    expected = featomic.SphericalExpansion(
        **ours.hypers.to_featomic(spline_accuracy=None)).compute(atoms)
    assert expected.keys == actual.keys
    for key, block in expected.items():
        other = actual.block(key)
        assert block.samples == other.samples
        # our spline (1e-10 of the largest |I_nl| per l, SH <= 1) against featomic's closed
        # form; a sparse box has few neighbours per atom, so the block's largest value is
        # the scale of every entry
        scale = max(np.abs(block.values).max(), 1e-300)
        tol = two_implementations_rtol(SEED_HYPERS) * scale
        assert np.all(np.abs(other.values - block.values) <= tol), key


def test_thin_cell_is_refused_up_front():
    atoms = thin_cell(1e-6)
    with pytest.raises(ValueError, match=r"cell=.*1e-06.*about 3e\+08 periodic images.*"
                                         r"more than MAX_IMAGES"):
        SphericalExpansion(**SEED_HYPERS).compute(atoms)


def test_thin_but_valid_cell_matches_brute_force():
    atoms = thin_cell(0.05)  # 40 planes within the cutoff along z
    nl = neighbor_list(atoms.positions, atoms.cell.array, atoms.pbc, 2.0)
    assert _as_set(nl) == _brute_force_set(atoms, 2.0, reach=(3, 3, 41))
    expected = atoms.positions[nl.second] - atoms.positions[nl.first] + nl.shifts @ atoms.cell
    assert np.abs(nl.vectors - expected).max() <= 16 * eps() * 4.0


def test_too_many_candidate_pairs_are_refused_up_front(monkeypatch):
    monkeypatch.setattr(neighbors, "MAX_CANDIDATES", 1000)
    atoms = sparse_box(100, 5.0, seed=1)
    with pytest.raises(ValueError, match=r"cutoff=2.0: the cell list would test about "
                                         r".* candidate pairs .* more than MAX_CANDIDATES=1000"):
        neighbor_list(atoms.positions, atoms.cell.array, atoms.pbc, 2.0)


@pytest.mark.parametrize("spelling", ["seed", "featomic"])
def test_radial_basis_beyond_float64_is_refused_up_front(spelling):
    # 30 GTOs: eps times the row norms of S^(-1/2) is 9.4e-6 of the values
    hypers = _hypers(max_radial=30)
    if spelling == "featomic":
        hypers = SphericalExpansion(**_hypers()).hypers.to_featomic()
        hypers["basis"]["radial"]["max_radial"] = 29
    with pytest.raises(ValueError, match=r"n_radial=30 \(seed max_radial=30, featomic "
                                         r"basis.radial.max_radial=29\) must be between 1 and "
                                         r"MAX_N_RADIAL=24: the GTO overlap's condition"):
        SphericalExpansion(**hypers)


def test_too_many_pairs_for_memory_are_refused_before_the_arrays(monkeypatch):
    import o3ref.fast.expansion as expansion

    monkeypatch.setattr(expansion, "MAX_PAIR_BYTES", 10_000)
    with pytest.raises(ValueError, match=r"frames: 6 neighbour pairs within cutoff=2.0 need "
                                         r"about .* GiB of per-pair arrays \(l_max=4, "
                                         r"n_radial=6, gradients=True\), more than "
                                         r"MAX_PAIR_BYTES"):
        SphericalExpansion(**SEED_HYPERS).compute(water_frame(40), gradients=["positions"])
