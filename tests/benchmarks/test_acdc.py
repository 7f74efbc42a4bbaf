"""Benchmarks: o3ref lambda-SOAP (nu = 2) against featomic's EquivariantPowerSpectrum.

Data: the seed tutorial's 121 water molecules (o3ref's own copy of the geometries), the
seed's hypers, lcut = 4. Two kinds of groups, each with o3ref and featomic side by side:

- ``acdc-pipeline-*``: from structures to features (spherical expansion + CG product);
  featomic's ``EquivariantPowerSpectrum.compute(..., neighbors_to_properties=True)``
  against ``o3ref.fast.SphericalExpansion`` + ``acdc_standardize_keys`` + ``cg_increment``.
- ``acdc-cg-*``: the CG step alone, on the same precomputed density: featomic's
  ``ClebschGordanProduct`` (what EquivariantPowerSpectrum calls) against ``cg_increment``.

``*-all`` is every nu = 2 block with o3_lambda <= 4, ``*-s1-l1`` the (sigma = 1, lambda = 1)
block. featomic keeps ``center_type`` as a key and computes the ordered pairs
``l_1 <= l_2`` only; o3ref runs both in the seed's layout (centre types in the samples, all
ordered pairs: 2x featomic's features) and with ``symmetric=True`` (each mirror pair once).
Every benchmark checks its output against featomic's once (values to the spline accuracy
of featomic's radial integrals, after its extra sign ``(-1)**(l_1 + l_2 + lambda)``).

Run: ``python -m pytest --bench tests/benchmarks/test_acdc.py --benchmark-only``.
"""

from __future__ import annotations

import ase
import numpy as np
import pytest
from metatensor import Labels

from o3ref.data.generate_water_dipoles import grid, positions
from o3ref.fast import SphericalExpansion, acdc_standardize_keys, cg_increment
from o3ref.fast.hypers import seed_hypers

featomic = pytest.importorskip("featomic")
clebsch_gordan = pytest.importorskip("featomic.clebsch_gordan")

SEED_HYPERS = seed_hypers()
FEATOMIC_HYPERS = {
    "cutoff": {"radius": 2.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
    "density": {"type": "Gaussian", "width": 0.2, "center_atom_weight": 1.0},
    "basis": {
        "type": "TensorProduct", "max_angular": 4, "radial": {"type": "Gto", "max_radial": 5}
    },
}
LCUT = 4
NEIGHBORS = Labels(["neighbor_type"], np.array([[1], [8]], dtype=np.int32))
SELECTIONS = {
    "all": Labels(["o3_lambda"], np.arange(LCUT + 1, dtype=np.int32).reshape(-1, 1)),
    "s1-l1": Labels(["o3_lambda", "o3_sigma"], np.array([[1, 1]], dtype=np.int32)),
}
OURS_SELECTED = {"all": None, "s1-l1": [(1, 1)]}


@pytest.fixture(scope="module", autouse=True)
def _single_thread_blas():
    """numpy may be imported (by the o3ref pytest plugin) before tests/benchmarks/conftest.py
    sets OPENBLAS_NUM_THREADS=1; threadpoolctl pins the already-loaded BLAS to 1 thread."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - then only the environment variables apply
        yield
        return
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def frames():
    return [ase.Atoms("OHH", positions=positions(*g)) for g in grid()]


@pytest.fixture(scope="module")
def featomic_calculators():
    calculator = featomic.SphericalExpansion(**FEATOMIC_HYPERS)
    power_spectrum = clebsch_gordan.EquivariantPowerSpectrum(calculator)
    from featomic.clebsch_gordan._density_correlations import _filter_redundant_keys

    product = clebsch_gordan.ClebschGordanProduct(
        max_angular=2 * LCUT, keys_filter=_filter_redundant_keys
    )
    return calculator, power_spectrum, product


def _featomic_densities(calculator, frames):
    density = calculator.compute(frames)
    pair = []
    for k in (1, 2):
        d = density.keys_to_properties("neighbor_type")
        d = _rename(d, "neighbor_type", f"neighbor_{k}_type")
        pair.append(_rename(d, "n", f"n_{k}"))
    return pair


def _rename(tensor, old, new):
    from metatensor import TensorBlock, TensorMap

    blocks = []
    for block in tensor.blocks():
        names = [new if n == old else n for n in block.properties.names]
        blocks.append(TensorBlock(block.values, block.samples, block.components,
                                  Labels(names, block.properties.values)))
    return TensorMap(tensor.keys, blocks)


def _ours_pipeline(frames, symmetric, selected):
    density = SphericalExpansion(**SEED_HYPERS).compute(frames)
    nu1 = acdc_standardize_keys(density.keys_to_properties(NEIGHBORS))
    nu1 = nu1.keys_to_samples("center_type")
    return cg_increment(nu1, nu1, lcut=LCUT, symmetric=symmetric, selected_keys=selected)


def _check_against_featomic(ours, theirs):
    """Every featomic feature appears in ours with the value (-1)^(l1+l2+lambda) x theirs."""
    checked = 0
    for key, block in theirs.items():
        sigma, lam, center = (int(key[n]) for n in ("o3_sigma", "o3_lambda", "center_type"))
        mine = ours.block(order_nu=2, o3_sigma=sigma, o3_lambda=lam)
        rows = [mine.samples.position((s, a, center)) for s, a in block.samples.values.tolist()]
        names = list(block.properties.names)
        index = {tuple(r): k for k, r in enumerate(mine.properties.values.tolist())}
        values = np.asarray(block.values)
        scale = np.abs(values).max()
        for k, row in enumerate(block.properties.values.tolist()):
            p = dict(zip(names, row, strict=True))
            label = (p["neighbor_1_type"], p["n_1"], p["l_1"],
                     p["neighbor_2_type"], p["n_2"], p["l_2"])
            sign = (-1) ** (p["l_1"] + p["l_2"] + lam)
            mirror = label[3:] + label[:3]
            if label in index:
                column = np.asarray(mine.values)[rows, :, index[label]]
            elif mirror in index:  # symmetric=True kept the mirror: X(b,a) = (-1)^(l1+l2+L) X(a,b)
                column = sign * np.asarray(mine.values)[rows, :, index[mirror]]
            else:  # symmetric=True dropped an antisymmetric diagonal, identically zero
                assert label == mirror and sign == -1
                column = np.zeros((len(rows), 2 * lam + 1))
            assert np.abs(sign * column - values[:, :, k]).max() <= 1e-6 * scale
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("selection", ["all", "s1-l1"])
@pytest.mark.parametrize("implementation", ["featomic", "o3ref", "o3ref-symmetric"])
def test_acdc_pipeline(benchmark, frames, featomic_calculators, implementation, selection):
    benchmark.group = f"acdc-pipeline-{selection}"
    _, power_spectrum, _ = featomic_calculators
    theirs = power_spectrum.compute(
        frames, neighbors_to_properties=True, selected_keys=SELECTIONS[selection]
    )
    if implementation == "featomic":
        result = benchmark(
            power_spectrum.compute, frames, neighbors_to_properties=True,
            selected_keys=SELECTIONS[selection],
        )
        assert result.keys == theirs.keys
        return
    symmetric = implementation == "o3ref-symmetric"
    result = benchmark(_ours_pipeline, frames, symmetric, OURS_SELECTED[selection])
    _check_against_featomic(result, theirs)
    benchmark.extra_info["n_features"] = sum(len(b.properties) for b in result.blocks())


@pytest.mark.parametrize("selection", ["all", "s1-l1"])
@pytest.mark.parametrize("implementation", ["featomic", "o3ref", "o3ref-symmetric"])
def test_acdc_cg_step(benchmark, frames, featomic_calculators, implementation, selection):
    benchmark.group = f"acdc-cg-{selection}"
    calculator, power_spectrum, product = featomic_calculators
    theirs = power_spectrum.compute(
        frames, neighbors_to_properties=True, selected_keys=SELECTIONS[selection]
    )
    if implementation == "featomic":
        d1, d2 = _featomic_densities(calculator, frames)
        result = benchmark(
            product.compute, d1, d2, o3_lambda_1_new_name="l_1", o3_lambda_2_new_name="l_2",
            selected_keys=SELECTIONS[selection],
        )
        assert len(result.keys) >= len(theirs.keys)
        return
    density = SphericalExpansion(**SEED_HYPERS).compute(frames)
    nu1 = acdc_standardize_keys(density.keys_to_properties(NEIGHBORS))
    nu1 = nu1.keys_to_samples("center_type")
    symmetric = implementation == "o3ref-symmetric"
    result = benchmark(
        cg_increment, nu1, nu1, lcut=LCUT, symmetric=symmetric,
        selected_keys=OURS_SELECTED[selection],
    )
    _check_against_featomic(result, theirs)
    benchmark.extra_info["n_features"] = sum(len(b.properties) for b in result.blocks())
