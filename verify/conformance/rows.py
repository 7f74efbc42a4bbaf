"""``o3ref verify`` checks of the pipeline stages: radial integrals, density expansion, ACDC
(CG products of TensorMaps) and the ridge model, each against :mod:`o3ref.reference`.

Registered in :data:`CHECKS` and run by :func:`o3ref.verify.conformance.suite.run_suite` after the
angular checks; a stage whose fast implementation is not there shows as ``missing``.
Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from ..compare import compare_arrays, to_numeric
from ..tolerances import Tolerance, eps, policy_text, tolerance
from .verdicts import Accumulator, Check

__all__ = ["CHECKS", "GRIDS", "HYPERS", "check_acdc", "check_expansion", "check_radial",
           "check_ridge", "fast_pipeline_implementations", "overlap_condition", "sample_frames"]

#: hyper-parameters of the expansion checks (seed spelling: max_radial counts functions)
HYPERS = {"cutoff": 2.5, "max_radial": 4, "max_angular": 3, "atomic_gaussian_width": 0.3,
          "center_atom_weight": 1.0, "radial_basis": {"Gto": {}},
          "cutoff_function": {"ShiftedCosine": {"width": 0.5}}}

GRIDS: dict[str, dict[str, dict]] = {
    "quick": {
        "radial": {"n_r": 6, "l_max": 4, "n_radial": 6},
        "expansion": {"n_frames": 1},
        "acdc": {"n_samples": 3, "n_properties": 2, "l_max": 2},
        "ridge": {"n_samples": 12, "o3_lambda": 1, "n_features": 5, "n_problems": 3},
    },
    "full": {
        "radial": {"n_r": 16, "l_max": 6, "n_radial": 8},
        "expansion": {"n_frames": 3},
        "acdc": {"n_samples": 5, "n_properties": 3, "l_max": 3},
        "ridge": {"n_samples": 40, "o3_lambda": 2, "n_features": 12, "n_problems": 8},
    },
}

# the fast path's spline of the radial integrals is documented (o3ref.fast.hypers) to within
# 1e-10 of the largest value; the closed form is held to the eps-derived policy
SPLINE_ACCURACY = 1e-10


def overlap_condition(cutoff, n_radial) -> float:
    """Condition number of the GTO overlap matrix (the exact reference at 30 digits): how
    much the orthonormalised radial basis amplifies a float64 error."""
    from o3ref.reference import expansion as reference

    s = reference.gto_overlap(cutoff, n_radial, dps=30)
    return float(np.linalg.cond(np.array(s.tolist(), dtype=np.float64)))


def check_radial(impl: Callable, grid: dict, spline: bool = False):
    """Löwdin-orthonormal GTO radial integrals ``I_nl(r)`` (closed form or spline)."""
    from o3ref.reference import expansion as reference

    cutoff, width, n_radial, l_max = 2.5, 0.3, grid["n_radial"], grid["l_max"]
    r = np.linspace(0.0, cutoff, grid["n_r"] + 1)[:-1] + 0.01
    lowdin = reference.gto_lowdin(cutoff, n_radial, dps=30)
    ref = np.array([[[float(v) for v in reference.radial_integral(
        ri, l, cutoff, n_radial, width, dps=30, lowdin=lowdin)] for l in range(l_max + 1)]
        for ri in r])
    acc = Accumulator()
    scale = float(np.max(np.abs(ref)))
    cond = overlap_condition(cutoff, n_radial)
    got = np.asarray(impl(r, cutoff, n_radial, l_max, width, spline))
    for l in range(l_max + 1):
        if spline:
            tol = Tolerance(SPLINE_ACCURACY * scale, 0.0, "documented spline accuracy")
        else:
            tol = tolerance("radial", l, scale=cond * scale)
        acc.add(compare_arrays(got[:, l], ref[:, l], tol, names=["r", "n"]), f"l = {l}")
    if spline:
        return acc.row("radial integrals (spline)", f"0..{l_max}", "1e-10 max|I|")
    return acc.row("radial integrals (closed form)", f"0..{l_max}",
                   f"16(2l+1)eps cond(S)={cond:.0f} max|I|")


def sample_frames(n_frames: int):
    """Small structures: a water molecule, a periodic H2O2-like cell, a methanol-like one."""
    import ase

    frames = [ase.Atoms("OH2", positions=[[0, 0, 0], [0.76, 0.59, 0.0], [-0.74, 0.61, 0.05]])]
    frames.append(ase.Atoms("O2H2", positions=[[0, 0, 0], [1.45, 0.1, 0], [-0.3, 0.9, 0.2],
                                               [1.7, -0.2, 0.9]], cell=np.diag([3.2, 3.0, 3.4]),
                            pbc=True))
    frames.append(ase.Atoms("COH4", positions=[[0, 0, 0], [1.42, 0, 0], [1.7, 0.9, 0.1],
                                               [-0.4, 1.0, 0.1], [-0.4, -0.5, 0.9],
                                               [-0.3, -0.5, -0.9]]))
    return frames[:n_frames]


def check_expansion(impl: Callable, grid: dict):
    """Density coefficients (closed-form radial integrals) against mpmath at 20 digits,
    block by block, relative to the block's largest value."""
    from o3ref.reference import expansion as reference

    frames = sample_frames(grid["n_frames"])
    tm = impl(frames, dict(HYPERS, radial_basis={"Gto": {"splined_radial_integral": False}}))
    ref = reference.spherical_expansion(
        frames, cutoff=HYPERS["cutoff"], n_radial=HYPERS["max_radial"],
        l_max=HYPERS["max_angular"], density_width=HYPERS["atomic_gaussian_width"],
        center_atom_weight=HYPERS["center_atom_weight"], smoothing="ShiftedCosine",
        smoothing_width=0.5, dps=20)
    acc = Accumulator()
    problems = []
    cond = overlap_condition(HYPERS["cutoff"], HYPERS["max_radial"])
    for (l, c, a), (samples, values) in sorted(ref.items()):
        sel = {"o3_lambda": l, "center_type": c, "neighbor_type": a}
        try:
            block = tm.block(sel)
        except ValueError:
            problems.append(f"block {sel} missing")
            continue
        got_samples = [tuple(int(v) for v in s) for s in np.asarray(block.samples.values)]
        if got_samples != [tuple(s) for s in samples]:
            problems.append(f"block {sel}: samples {got_samples} != {samples}")
            continue
        expected = to_numeric(values)
        scale = cond * max(float(np.max(np.abs(expected))), 1e-300)
        acc.add(compare_arrays(block.values, expected, tolerance("expansion", l, scale=scale),
                               names=["sample", "m", "n"], offsets=[0, -l, 0]),
                f"block {sel}")
    row = acc.row("spherical expansion", f"0..{HYPERS['max_angular']}",
                  f"16(2l+1)eps cond(S)={cond:.0f} max|c|")
    if len(tm.keys) != len(ref):
        problems.append(f"{len(tm.keys)} blocks, the reference has {len(ref)}")
    if problems:
        row.status, row.worst = "FAIL", "; ".join(problems[:3])
    return row


def check_acdc(impl: Callable, grid: dict):
    """nu = 2 CG products of a nu = 1 TensorMap with itself (all ordered pairs), block by
    block against :func:`o3ref.reference.lambda_soap` at 30 digits; the o3_sigma of each
    output block must be ``(-1)^(l1 + l2 + L)``."""
    from metatensor import Labels, TensorBlock, TensorMap

    from o3ref import reference

    rng = np.random.default_rng(5)
    l_max, n, q = grid["l_max"], grid["n_samples"], grid["n_properties"]
    coefficients = {l: rng.standard_normal((n, 2 * l + 1, q)) for l in range(l_max + 1)}
    blocks = [TensorBlock(values=coefficients[l].copy(),
                          samples=Labels(["system", "atom"],
                                         np.array([[0, i] for i in range(n)], dtype=np.int32)),
                          components=[Labels(["o3_mu"], np.arange(-l, l + 1, dtype=np.int32)
                                             .reshape(-1, 1))],
                          properties=Labels(["n"], np.arange(q, dtype=np.int32).reshape(-1, 1)))
              for l in range(l_max + 1)]
    nu1 = TensorMap(Labels(["o3_lambda"], np.arange(l_max + 1, dtype=np.int32).reshape(-1, 1)),
                    blocks)
    out = impl(nu1, l_max)
    acc = Accumulator()
    problems = []
    seen = set()
    for key, block in out.items():
        sigma, L = int(key["o3_sigma"]), int(key["o3_lambda"])
        seen.add((sigma, L))
        names = list(block.properties.names)
        cols = {tuple(int(r[names.index(k)]) for k in ("l_1", "n_1", "l_2", "n_2")): i
                for i, r in enumerate(np.asarray(block.properties.values))}
        values, labels = reference.lambda_soap(coefficients, sigma, L, dps=30)
        if set(cols) != set(labels):
            problems.append(f"(sigma, L) = ({sigma}, {L}): properties differ from the "
                            "reference's ordered pairs")
            continue
        bad = [lab for lab in labels if (-1) ** (lab[0] + lab[2] + L) != sigma]
        if bad:
            problems.append(f"(sigma, L) = ({sigma}, {L}) holds (l1, l2) = {bad[0][::2]}")
        got = np.asarray(block.values)[:, :, [cols[lab] for lab in labels]]
        expected = to_numeric(values)
        acc.add(compare_arrays(got, expected, tolerance("acdc", L),
                               names=["sample", "M", "property"], offsets=[0, -L, 0]),
                f"(sigma, L) = {sigma, L}")
    expected_keys = {(s, L) for L in range(l_max + 1) for s in (-1, 1)
                     if reference.lambda_soap(coefficients, s, L, dps=15)[1]}
    if seen != expected_keys:
        problems.append(f"keys (sigma, L) {sorted(seen)} != {sorted(expected_keys)}")
    row = acc.row("ACDC nu = 2 (lambda-SOAP)", f"lambda 0..{l_max}", policy_text("acdc"))
    if problems:
        row.status, row.worst = "FAIL", "; ".join(problems[:3])
    return row


def check_ridge(impl: Callable, grid: dict):
    """Ridge weights ``(X^T X + alpha 1)^-1 X^T y`` against mpmath at 50 digits.

    Tolerance: the solve loses ``cond(X^T X + alpha 1)`` times eps (relative to the largest
    weight); 16 covers the accumulation of the normal-equation products.
    """
    from o3ref import reference

    rng = np.random.default_rng(11)
    acc = Accumulator()
    lam, nf = grid["o3_lambda"], grid["n_features"]
    for k in range(grid["n_problems"]):
        X = rng.standard_normal((grid["n_samples"], 2 * lam + 1, nf))
        y = rng.standard_normal((grid["n_samples"], 2 * lam + 1))
        alpha = float(10.0 ** -rng.integers(1, 6))
        got = np.asarray(impl(X, y, alpha))
        ref = to_numeric(reference.ridge_solution(X, y, alpha, dps=50))
        A = X.reshape(-1, nf)
        cond = float(np.linalg.cond(A.T @ A + alpha * np.eye(nf)))
        tol = Tolerance(16 * cond * eps() * float(np.max(np.abs(ref))), 0.0,
                        "16 cond(X^T X + alpha) eps |w|")
        acc.add(compare_arrays(got, ref, tol, names=["feature"]),
                f"problem #{k} (alpha = {alpha:g}, cond = {cond:.1e})")
    return acc.row("ridge weights", f"lambda = {lam}", "16 cond eps |w|")


def fast_pipeline_implementations() -> dict[str, Callable]:
    """The fast pipeline stages behind the uniform signatures of these checks."""
    from o3ref import fast

    impl: dict[str, Callable] = {}
    radial_cls = getattr(fast, "GtoRadialIntegral", None)
    if radial_cls is None:
        try:
            from o3ref.fast.radial import GtoRadialIntegral as radial_cls
        except ImportError:
            radial_cls = None
    if radial_cls is not None:
        impl["radial"] = lambda r, cutoff, n_radial, l_max, width, spline: radial_cls(
            cutoff, n_radial, l_max, width, spline=spline).compute(r)
    if hasattr(fast, "SphericalExpansion"):
        impl["expansion"] = lambda frames, hypers: fast.SphericalExpansion(**hypers).compute(
            frames)
    if hasattr(fast, "cg_increment") and hasattr(fast, "acdc_standardize_keys"):
        def acdc(nu1, lcut):
            x = fast.acdc_standardize_keys(nu1)
            return fast.cg_increment(x, x, lcut=lcut)

        impl["acdc"] = acdc
    if hasattr(fast, "EquivariantRidge"):
        impl["ridge"] = lambda X, y, alpha: fast.EquivariantRidge(alpha=alpha).fit(X, y).coef_
    return impl


CHECKS: list[Check] = [
    Check("radial integrals (closed form)", "radial", check_radial),
    Check("radial integrals (spline)", "radial", partial(check_radial, spline=True)),
    Check("spherical expansion", "expansion", check_expansion),
    Check("ACDC nu = 2 (lambda-SOAP)", "acdc", check_acdc),
    Check("ridge weights", "ridge", check_ridge),
]
