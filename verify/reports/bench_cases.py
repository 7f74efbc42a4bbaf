"""The cases of ``o3ref bench``: what each one times, against which library, its goal, and
the tolerance its largest difference from that library is judged by.

Each case function takes ``(quick, repeat, bar)`` and returns rows (dicts with the fields
of the ``bench`` rows of :mod:`o3ref.verify.report_schema`). ``max_diff`` is always of the
same kind as ``diff_tol`` (``diff_kind`` says which), and ``diff_tol`` comes from
:mod:`o3ref.verify.tolerances` with the magnitude it is measured against:

==============  ===============================================  ==========================
case            max diff                                         tolerance
==============  ===============================================  ==========================
sh              abs                                              ``(2l+1)^2 eps`` at l_max
sh-grad         abs, gradients times ``|r|`` (they scale 1/|r|)  ``(2l+1)^3 eps`` at l_max
wigner          abs                                              ``8 (2l+1)^2 eps``, l = 10
expansion       abs / the block's largest value, closed-form     ``16 (2l+1) eps cond(S)``
                radial integrals on both sides (untimed run)
cg              exact: the number of coefficients that differ    0 (exact is ``==``)
lambda-soap     abs / the block's largest value, same input      ``16 (2l+1)^2 eps``
==============  ===============================================  ==========================

Goals are the issues', for the full sizes; ``--quick`` rows carry ``goal = None`` and a
``goal_note`` saying so.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from functools import partial

from ..compare import compare_arrays, over_tolerance
from ..provenance import distribution_version
from ..tolerances import policy_text, tolerance

__all__ = ["BOX_HYPERS", "CASES", "CASE_FUNCTIONS", "CASE_ROWS", "BenchRow", "Difference",
           "make_row", "time_rounds"]

QUICK_NOTE = "no goal at quick sizes: the goals are set for the full sizes"

# the water-box case of the benchmarks (tests/benchmarks/test_expansion.py uses it too)
BOX_HYPERS = {"cutoff": {"radius": 5.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
              "density": {"type": "Gaussian", "width": 0.3},
              "basis": {"type": "TensorProduct", "max_angular": 6,
                        "radial": {"type": "Gto", "max_radial": 8}}}


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def time_rounds(functions: dict, repeat: int, warmup: bool = True,
                setup=None) -> tuple[dict, dict]:
    """Alternate the functions round by round (after one warm-up call each, unless
    ``warmup`` is False); ``repeat`` is an int or a name -> rounds mapping. Returns the
    seconds per call and each function's last result."""
    rounds = repeat if isinstance(repeat, dict) else dict.fromkeys(functions, repeat)
    results = {}
    if warmup:
        results = {name: f() for name, f in functions.items()}
    times = {name: [] for name in functions}
    for k in range(max(rounds.values())):
        for name, f in functions.items():
            if k >= rounds[name]:
                continue
            if setup is not None:
                setup()
            start = time.perf_counter()
            results[name] = f()
            times[name].append(time.perf_counter() - start)
    return times, results


@dataclass
class Difference:
    """How far o3ref's result is from the other library's, and the tolerance it is held to:
    ``kind`` says how the difference is measured, ``policy`` where the tolerance comes from."""

    value: float | None
    tol: float | None
    kind: str = "abs"
    policy: str = ""


@dataclass
class BenchRow:
    """One row of ``o3ref bench`` (times in ms; ``ratio`` = ours / theirs, minimum times)."""

    case: str
    ours_min_ms: float
    ours_median_ms: float
    other: str
    other_version: str | None
    other_min_ms: float | None = None
    other_median_ms: float | None = None
    ratio: float | None = None
    goal: float | None = None
    goal_note: str | None = None
    max_diff: float | None = None
    diff_tol: float | None = None
    diff_kind: str = "abs"
    diff_policy: str = ""
    diff_ok: bool | None = None

    def to_dict(self) -> dict:
        """The JSON row (keys in the order above)."""
        return asdict(self)


def _max_abs(actual, expected) -> float:
    """The largest absolute difference, from the comparison core (NaN or inf: inf)."""
    return compare_arrays(actual, expected, atol=0.0).max_abs


def make_row(case, times, other, goal, quick, difference: Difference | None = None, *,
             goal_note=None, distribution=None) -> dict:
    """One row (as :meth:`BenchRow.to_dict`); ``goal`` is dropped (with a note) at quick
    sizes; ``difference`` is compared only when the other library ran."""
    ours = times["o3ref"]
    theirs = times.get(other)
    if quick:
        goal, goal_note = None, QUICK_NOTE
    d = difference if difference is not None else Difference(None, None)
    row = BenchRow(case, 1e3 * min(ours), 1e3 * statistics.median(ours), other,
                   distribution_version(distribution or other), goal=goal,
                   goal_note=goal_note, diff_tol=d.tol, diff_kind=d.kind,
                   diff_policy=d.policy)
    if theirs:
        row.other_min_ms = 1e3 * min(theirs)
        row.other_median_ms = 1e3 * statistics.median(theirs)
        row.ratio = min(ours) / min(theirs)
        row.max_diff = d.value
        row.diff_ok = None if d.value is None else not over_tolerance([d.value], [d.tol])
    return row.to_dict()


def _sh_rows(gradients: bool, quick: bool, repeat: int, bar) -> list[dict]:
    import numpy as np

    from o3ref.fast import SphericalHarmonics

    sphericart = _optional("sphericart")
    n = 10_000 if quick else 100_000
    xyz = np.random.default_rng(0).normal(size=(n, 3))
    r = np.linalg.norm(xyz, axis=1)
    rows = []
    for l_max in (10,) if quick else (4, 10, 20):
        what = "SH values+gradients" if gradients else "SH values"
        case = f"{what}, N={n:.0e}, l_max={l_max}"
        bar.set_label(case)
        ours = SphericalHarmonics(l_max)
        method = "compute_with_gradients" if gradients else "compute"
        functions = {"o3ref": partial(getattr(ours, method), xyz)}
        if sphericart is not None:
            functions["sphericart"] = partial(getattr(sphericart.SphericalHarmonics(l_max),
                                                      method), xyz)
        times, results = time_rounds(functions, repeat)
        diff = None
        if gradients:
            tol, kind = tolerance("sh_gradient", l_max), "abs; gradients times |r|"
        else:
            tol, kind = tolerance("sh", l_max), "abs"
        if sphericart is not None:
            a, b = results["o3ref"], results["sphericart"]
            if gradients:  # sphericart's gradient layout is o3ref's: (n, 3, K)
                diff = max(_max_abs(a[0], b[0]),
                           _max_abs(r[:, None, None] * (a[1] - b[1]), 0.0 * a[1]))
            else:
                diff = _max_abs(a, b)
        policy = f"{policy_text('sh_gradient' if gradients else 'sh')} at l = {l_max}"
        rows.append(make_row(case, times, "sphericart", 2.0 if l_max == 10 else None, quick,
                             Difference(diff, tol.atol, kind, policy),
                             goal_note=None if l_max == 10 else "goal only at l_max = 10"))
        bar.update()
    return rows


def _wigner_rows(quick: bool, repeat: int, bar) -> list[dict]:
    from o3ref.fast import complex_to_real_matrix, random_quaternions
    from o3ref.fast.wigner import WignerDReal

    n = 1_000 if quick else 10_000
    case = f"Wigner D real, {n:.0e} rotations, l<=10"
    bar.set_label(case)
    q = random_quaternions(n, seed=0)
    ours = WignerDReal(10)
    functions = {"o3ref": lambda: ours.compute(q)}
    spherical, quaternionic = _optional("spherical"), _optional("quaternionic")
    if spherical is not None and quaternionic is not None:
        theirs = spherical.Wigner(10)
        qq = quaternionic.array(q)
        functions["spherical"] = lambda: theirs.D(qq)
    times, results = time_rounds(functions, repeat)
    diff = None
    if "spherical" in results:
        D, flat = results["o3ref"], results["spherical"]
        diff = 0.0
        for l in range(11):  # moble's D is the conjugate of the standard D
            U = complex_to_real_matrix(l)
            block = flat[:, theirs.Dindex(l, -l, -l) : theirs.Dindex(l, l, l) + 1]
            real = (U.conj().T @ block.reshape(-1, 2 * l + 1, 2 * l + 1) @ U).real
            diff = max(diff, _max_abs(D[l], real))
    tol = tolerance("wigner_d", 10)
    bar.update()
    return [make_row(case, times, "spherical", 1.0, quick,
                     Difference(diff, tol.atol, "abs", "8(2l+1)^2 eps at l = 10"))]


def _block_diff(ours, theirs, sign=None) -> float:
    """max over blocks of max|ours - theirs| / max|theirs| (blocks matched by key)."""
    import numpy as np

    worst = 0.0
    for key, block in theirs.items():
        mine = ours.block(key)
        pairs = [(mine, block)]
        if block.gradients_list():
            pairs.append((mine.gradient("positions"), block.gradient("positions")))
        for a, b in pairs:
            scale = max(float(np.abs(b.values).max()), np.finfo(float).tiny)
            worst = max(worst, _max_abs(a.values, b.values) / scale)
    return worst


def _expansion_rows(quick: bool, repeat: int, bar) -> list[dict]:
    from o3ref.fast import ExpansionHypers, SphericalExpansion, seed_hypers

    from ..conformance.rows import overlap_condition
    from ..structures.water import seed_water_frames, water_box

    featomic = _optional("featomic")
    n_side = 2 if quick else 8
    # goals (values, gradients), for the full sizes only
    cases = [("seed water set (121 frames)", seed_hypers(), seed_water_frames(), (0.5, 0.5)),
             (f"water box ({3 * n_side**3} atoms)", BOX_HYPERS, [water_box(n_side)], (1.5, 1.0))]
    rows = []
    for name, hypers, frames, goals in cases:
        exact = ExpansionHypers.from_kwargs(**hypers)
        cond = overlap_condition(exact.cutoff, exact.n_radial)
        tol = tolerance("expansion", exact.l_max, scale=cond)
        for gradients, goal in zip(([], ["positions"]), goals, strict=True):
            label = f"expansion {name}{', gradients' if gradients else ''}"
            bar.set_label(label)
            functions = {"o3ref": partial(SphericalExpansion(**hypers).compute, frames,
                                          gradients=gradients)}
            diff = None
            if featomic is not None:
                fhypers = exact.to_featomic()
                del fhypers["basis"]["spline_accuracy"]  # featomic's default splines
                functions["featomic"] = partial(featomic.SphericalExpansion(**fhypers).compute,
                                                frames, gradients=gradients or None)
            times, _ = time_rounds(functions, repeat)
            if featomic is not None:  # the diff: closed-form radial integrals on both sides
                closed = exact.to_featomic()  # spline_accuracy=None
                diff = _block_diff(
                    SphericalExpansion(**closed).compute(frames, gradients=gradients),
                    featomic.SphericalExpansion(**closed).compute(frames,
                                                                  gradients=gradients or None))
            rows.append(make_row(label, times, "featomic", goal, quick, Difference(
                diff, tol.atol, "abs / max|block|, closed-form radial integrals both sides",
                f"16(2l+1) eps cond(S) at l = {exact.l_max}, cond(S) = {cond:.0f}")))
            bar.update()
    return rows


def _cg_rows(quick: bool, repeat: int, bar) -> list[dict]:
    import importlib

    from o3ref.reference import clear_caches, clebsch_gordan

    l_max = 3 if quick else 8
    args = [(l1, m1, l2, m2, L, m1 + m2) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
            for L in range(abs(l1 - l2), l1 + l2 + 1) for m1 in range(-l1, l1 + 1)
            for m2 in range(-l2, l2 + 1) if abs(m1 + m2) <= L]
    case = f"exact complex CG table, l1, l2 <= {l_max} ({len(args)} coefficients)"
    bar.set_label(case + " (sympy takes seconds)")
    functions = {"o3ref": lambda: [clebsch_gordan(*a) for a in args]}
    rounds = {"o3ref": repeat}
    try:
        sympy_cg = importlib.import_module("sympy.physics.wigner").clebsch_gordan
        import sympy
    except ImportError:  # pragma: no cover - sympy is a dependency
        sympy_cg = None
    if sympy_cg is not None:
        functions["sympy"] = lambda: [sympy_cg(l1, l2, L, m1, m2, M)
                                      for l1, m1, l2, m2, L, M in args]
        rounds["sympy"] = 1 if not quick else min(repeat, 3)  # sympy: ~19 s at l <= 8

    def cold():  # both sides compute the table cold
        clear_caches()
        if sympy_cg is not None:
            sympy.core.cache.clear_cache()

    times, results = time_rounds(functions, rounds, warmup=False, setup=cold)
    diff = None
    if sympy_cg is not None:
        diff = float(sum(a != b for a, b in zip(results["o3ref"], results["sympy"],
                                                  strict=True)))
    bar.update()
    return [make_row(case, times, "sympy", 1 / 50, quick, Difference(
        diff, 0.0, "exact: number of coefficients that differ",
        "exact vs exact is == (o3ref.verify.tolerances)"))]


def _lambda_soap_rows(quick: bool, repeat: int, bar) -> list[dict]:
    import numpy as np
    from metatensor import Labels

    from o3ref.fast import acdc_standardize_keys, cg_increment

    from ..structures.water import seed_water_frames

    lcut = 4
    frames = seed_water_frames()[: 20 if quick else None]
    case = f"lambda-SOAP CG step, all nu = 2 blocks, seed data ({len(frames)} frames)"
    bar.set_label(case)
    featomic = _optional("featomic")
    try:
        from featomic.clebsch_gordan import ClebschGordanProduct
        from featomic.clebsch_gordan._density_correlations import _filter_redundant_keys
    except ImportError:
        featomic = None
    if featomic is None:  # without featomic: our own density, our time only
        from o3ref.fast import SphericalExpansion, seed_hypers

        density = SphericalExpansion(**seed_hypers()).compute(frames)
    else:
        from o3ref.fast import ExpansionHypers, seed_hypers

        density = featomic.SphericalExpansion(
            **ExpansionHypers.from_kwargs(**seed_hypers()).to_featomic()).compute(frames)
    neighbors = Labels(["neighbor_type"], np.array([[1], [8]], dtype=np.int32))
    nu1 = acdc_standardize_keys(density.keys_to_properties(neighbors))
    nu1 = nu1.keys_to_samples("center_type")
    functions = {"o3ref": partial(cg_increment, nu1, nu1, lcut=lcut)}
    if featomic is not None:
        pair = [_featomic_input(density, k) for k in (1, 2)]
        product = ClebschGordanProduct(max_angular=2 * lcut, keys_filter=_filter_redundant_keys)
        selected = Labels(["o3_lambda"], np.arange(lcut + 1, dtype=np.int32).reshape(-1, 1))
        functions["featomic"] = partial(product.compute, *pair, o3_lambda_1_new_name="l_1",
                                        o3_lambda_2_new_name="l_2", selected_keys=selected)
    times, results = time_rounds(functions, repeat)
    diff = None
    if featomic is not None:
        diff = _lambda_soap_diff(results["o3ref"], results["featomic"])
    tol = tolerance("acdc", lcut)
    bar.update()
    return [make_row(case, times, "featomic", 0.5, quick, Difference(
        diff, tol.atol, "abs / max|block|, same nu = 1 input, featomic's "
        "(-1)^(l1+l2+lambda) mapped", f"16(2l+1)^2 eps at lambda = {lcut}"))]


def _featomic_input(density, k):
    """featomic's density with properties renamed for ClebschGordanProduct (input ``k``)."""
    from metatensor import Labels, TensorBlock, TensorMap

    d = density.keys_to_properties("neighbor_type")
    rename = {"neighbor_type": f"neighbor_{k}_type", "n": f"n_{k}"}
    blocks = [TensorBlock(b.values, b.samples, b.components,
                          Labels([rename.get(n, n) for n in b.properties.names],
                                 b.properties.values)) for b in d.blocks()]
    return TensorMap(d.keys, blocks)


def _lambda_soap_diff(ours, theirs) -> float:
    """Every featomic feature against ours times (-1)^(l1+l2+lambda), relative to the
    block's largest value."""
    import numpy as np

    worst = 0.0
    for key, block in theirs.items():  # featomic's keys: o3_lambda, o3_sigma, center_type,
        sigma, lam, center, l1, l2 = (int(key[n]) for n in (  # l_1, l_2
            "o3_sigma", "o3_lambda", "center_type", "l_1", "l_2"))
        mine = ours.block(order_nu=2, o3_sigma=sigma, o3_lambda=lam)
        rows = [mine.samples.position((s, a, center)) for s, a in block.samples.values.tolist()]
        index = {tuple(r): k for k, r in enumerate(mine.properties.values.tolist())}
        names = list(block.properties.names)
        values = np.asarray(block.values)
        scale = max(float(np.abs(values).max()), np.finfo(float).tiny)
        mine_values = np.asarray(mine.values)[rows]
        sign = (-1) ** (l1 + l2 + lam)
        for k, row in enumerate(block.properties.values.tolist()):
            p = dict(zip(names, row, strict=True))
            label = (p["neighbor_1_type"], p["n_1"], l1, p["neighbor_2_type"], p["n_2"], l2)
            column = mine_values[:, :, index[label]]
            worst = max(worst, _max_abs(sign * column, values[:, :, k]) / scale)
    return worst


CASE_FUNCTIONS = {
    "sh": lambda quick, repeat, bar: _sh_rows(False, quick, repeat, bar),
    "sh-grad": lambda quick, repeat, bar: _sh_rows(True, quick, repeat, bar),
    "wigner": _wigner_rows,
    "expansion": _expansion_rows,
    "cg": _cg_rows,
    "lambda-soap": _lambda_soap_rows,
}
CASES = tuple(CASE_FUNCTIONS)
#: rows each case gives (for the progress total)
CASE_ROWS = {"sh": (1, 3), "sh-grad": (1, 3), "wigner": (1, 1), "expansion": (4, 4),
             "cg": (1, 1), "lambda-soap": (1, 1)}
