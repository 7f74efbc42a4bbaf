"""``o3ref verify``: the exact reference against the fast path (or another library).

Every quantity has a check registered in :data:`CHECKS`: it runs the implementation over a
declared grid of inputs (:data:`GRIDS`, ``quick`` or ``full``), compares each case with
:mod:`o3ref.reference` under the tolerance policy of :mod:`o3ref.verify.tolerances`, and
gives one row of the table (:class:`Row`): quantity, l range, cases, the error and the
tolerance of the worst case (of the kind the verdict uses: absolute for every check here),
their ratio, pass/fail. A quantity whose implementation does not exist yet shows as
``missing`` (never as a pass).

The command line (``--against``, ``--json``, ``--profile``) is :mod:`o3ref.verify.cli.verify`;
``--against NAME`` takes the implementations from ``o3ref.verify.adapters.NAME`` (mapped
to o3ref's conventions through the exact maps) instead of :mod:`o3ref.fast`.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ..tolerances import policy_text, tolerance
from . import quantities
from .verdicts import Accumulator, Check, Row
from .verdicts import missing_row as _missing_row

__all__ = ["CHECKS", "GRIDS", "Row", "fast_implementations", "format_table", "run_suite"]

# declared grids: what each check covers in each mode
GRIDS: dict[str, dict[str, dict]] = {
    "quick": {
        "sh": {"l_max": 12, "n_points": 16},
        "sh_gradient": {"l_max": 6, "n_points": 6},
        "wigner_d": {"l_max": 6, "n_rotations": 4},
        "cg": {"l_max": 4},
        "complex_cg": {"l_max": 4},
        "cartesian": {"n_tensors": 4},
    },
    "full": {
        "sh": {"l_max": 24, "n_points": 40},
        "sh_gradient": {"l_max": 10, "n_points": 12},
        "wigner_d": {"l_max": 14, "n_rotations": 8},
        "cg": {"l_max": 6},
        "complex_cg": {"l_max": 8},
        "cartesian": {"n_tensors": 16},
    },
}


def _points(n: int, seed: int = 0) -> np.ndarray:
    """``n`` points: the poles, axis points and random directions at random radii."""
    special = np.array([[0, 0, 1], [0, 0, -1], [1, 0, 0], [0, 1, 0], [1, 1, 1], [0, -2, 1e-9]])
    rng = np.random.default_rng(seed)
    pts = rng.standard_normal((max(n - len(special), 0), 3)) * rng.uniform(0.3, 3, (1, 1))
    return np.concatenate([special[:n], pts]).astype(np.float64)


def _angles(n: int, seed: int = 0) -> list[tuple[float, float, float]]:
    special = [(0.0, 0.0, 0.0), (0.3, 0.0, 0.5), (0.7, np.pi, -0.2), (1.0, np.pi / 2, 2.0)]
    rng = np.random.default_rng(seed)
    rand = [tuple(rng.uniform(-np.pi, np.pi, 3)) for _ in range(max(n - len(special), 0))]
    return (special + rand)[:n] if n <= len(special) else special + rand


def _triples(l_max: int):
    return [(l1, l2, L) for l1 in range(l_max + 1) for l2 in range(l_max + 1)
            for L in range(abs(l1 - l2), l1 + l2 + 1)]


def _dtype(grid: dict) -> np.dtype:
    """The dtype whose machine epsilon the policies use (the implementation's declared
    precision, float64 unless the grid says otherwise)."""
    return np.dtype(grid.get("dtype", np.float64))


def _policy(quantity: str, grid: dict) -> str:
    """The policy's formula, with the dtype named when it is not float64."""
    dtype = _dtype(grid)
    return policy_text(quantity) + ("" if dtype == np.float64 else f" ({dtype.name})")


# ------------------------------------------------------------------ the checks


def _tol(quantity: str, grid: dict):
    """The policy's tolerance at a degree, at the grid's dtype."""
    return lambda l: tolerance(quantity, l, _dtype(grid))


def _cg_tol(grid: dict):
    return lambda l1, l2, L: tolerance("cg", max(l1, l2, L), _dtype(grid))


def check_sh(impl: Callable, grid: dict) -> Row:
    acc = Accumulator()
    for case in quantities.sh_cases(impl, grid["l_max"], _points(grid["n_points"]),
                                    _tol("sh", grid)):
        acc.add(case.report, f"l = {case.l}")
    return acc.row("spherical harmonics", f"0..{grid['l_max']}", _policy("sh", grid))


def check_sh_gradient(impl: Callable, grid: dict) -> Row:
    acc = Accumulator()
    xyz = _points(grid["n_points"])[2:]  # gradients: off the z axis
    for case in quantities.sh_gradient_cases(impl, grid["l_max"], xyz,
                                             _tol("sh_gradient", grid)):
        acc.add(case.report, f"l = {case.l}")
    return acc.row("SH gradients (x|r|)", f"0..{grid['l_max']}", _policy("sh_gradient", grid))


def check_wigner_d(impl: Callable, grid: dict) -> Row:
    acc = Accumulator()
    angles = _angles(grid["n_rotations"])
    for case in quantities.wigner_d_cases(impl, range(grid["l_max"] + 1), angles,
                                          _tol("wigner_d", grid)):
        a, b, g = angles[case.index[0]]
        acc.add(case.report, f"l = {case.l}, angles #{case.index[0]} ({a:.3g}, {b:.3g}, "
                f"{g:.3g})")
    return acc.row("Wigner D (real)", f"0..{grid['l_max']}", _policy("wigner_d", grid))


def check_cg(impl: Callable, grid: dict) -> Row:
    acc = Accumulator()
    for case in quantities.cg_cases(impl, _triples(grid["l_max"]), _cg_tol(grid)):
        acc.add(case.report, f"(l1, l2, L) = {case.index}")
    return acc.row("real Clebsch-Gordan", f"l1, l2 <= {grid['l_max']}", _policy("cg", grid))


def check_complex_cg(impl: Callable, grid: dict) -> Row:
    acc = Accumulator()
    for case in quantities.complex_cg_cases(impl, _triples(grid["l_max"]), _cg_tol(grid)):
        acc.add(case.report, f"(l1, l2, L) = {case.index}")
    return acc.row("Clebsch-Gordan (complex)", f"l1, l2 <= {grid['l_max']}",
                   _policy("cg", grid))


def check_cartesian(impl: Callable, grid: dict) -> Row:
    acc = Accumulator()
    for case in quantities.cartesian_cases(impl, grid["n_tensors"], _tol("cartesian", grid)):
        acc.add(case.report, f"tensor #{case.index[0]}, L = {case.l}")
    return acc.row("Cartesian rank 2 -> L = 0, 1, 2", "0..2", _policy("cartesian", grid))


CHECKS: list[Check] = [
    Check("spherical harmonics", "sh", check_sh),
    Check("SH gradients (x|r|)", "sh_gradient", check_sh_gradient),
    Check("Wigner D (real)", "wigner_d", check_wigner_d),
    Check("Clebsch-Gordan (complex)", "complex_cg", check_complex_cg),
    Check("real Clebsch-Gordan", "cg", check_cg),
    Check("Cartesian rank 2 -> L = 0, 1, 2", "cartesian", check_cartesian),
]


def fast_implementations() -> dict[str, Callable]:
    """``o3ref.fast``'s functions behind the uniform signatures of the checks (those that
    exist: a missing one becomes a ``missing`` row)."""
    from o3ref import fast

    impl: dict[str, Callable] = {}
    if hasattr(fast, "SphericalHarmonics"):
        impl["sh"] = lambda l_max, xyz: fast.SphericalHarmonics(l_max).compute(xyz)
        impl["sh_gradient"] = lambda l_max, xyz: fast.SphericalHarmonics(
            l_max).compute_with_gradients(xyz)
    if hasattr(fast, "wigner_D_real_blocks") and hasattr(fast, "rotation_matrix"):
        impl["wigner_d"] = lambda l, a, b, g: fast.wigner_D_real_blocks(
            l, np.asarray(fast.rotation_matrix(a, b, g)).reshape(1, 3, 3))[l][0]
    if hasattr(fast, "real_clebsch_gordan"):
        impl["cg"] = fast.real_clebsch_gordan
    if hasattr(fast, "complex_clebsch_gordan"):
        impl["complex_cg"] = fast.complex_clebsch_gordan
    if hasattr(fast, "couple"):
        def cart(t):
            t_sph = np.asarray(t)[[1, 2, 0]][:, [1, 2, 0]]  # (x, y, z) -> (y, z, x) both axes
            return fast.couple(t_sph, 1, 1)

        impl["cartesian"] = cart
    from . import rows as checks_pipeline

    impl.update(checks_pipeline.fast_pipeline_implementations())
    return impl


def run_suite(mode: str = "quick", implementations: dict | None = None,
              progress: bool = True, l_max_caps: dict[str, int] | None = None,
              dtypes: dict[str, object] | None = None) -> list[Row]:
    """Run every registered check; returns the rows (missing implementations included).
    ``l_max_caps`` (quantity -> largest degree the implementation computes, as adapters
    declare it) lowers a grid's ``l_max`` to that degree. ``dtypes`` (quantity -> the
    precision the implementation declares, e.g. float32 for a library whose coefficients
    are stored in float32) sets the machine epsilon of that quantity's tolerance policy; the
    row's policy text names a dtype other than float64.

    Progress (:mod:`o3ref.verify.progress`, on stderr) counts only the checks that have an
    implementation: ``--against sphericart`` shows its two quantities, not every check.
    """
    from ..progress import Progress
    from . import rows as checks_pipeline

    if mode not in GRIDS:
        raise ValueError(f"mode={mode!r} must be one of {sorted(GRIDS)}")
    impl = fast_implementations() if implementations is None else implementations
    checks = CHECKS + checks_pipeline.CHECKS
    runnable = [c for c in checks if c.key in impl]
    rows = []
    with Progress(len(runnable), f"o3ref verify --{mode}", quiet=not progress,
                  unit="check") as bar:
        for check in checks:
            if check.key not in impl:
                rows.append(_missing_row(check.quantity, "missing",
                                         f"no implementation for {check.key!r}"))
                continue
            bar.set_label(check.quantity)
            grid = GRIDS[mode].get(check.key) or checks_pipeline.GRIDS[mode][check.key]
            if l_max_caps and check.key in l_max_caps and "l_max" in grid:
                grid = dict(grid, l_max=min(grid["l_max"], l_max_caps[check.key]))
            if dtypes and check.key in dtypes and np.dtype(dtypes[check.key]) != np.float64:
                grid = dict(grid, dtype=np.dtype(dtypes[check.key]))
            t0 = time.perf_counter()
            try:
                row = check.func(impl[check.key], grid)
            except Exception as exc:  # an implementation that crashes is a failure, reported
                row = _missing_row(check.quantity, "error", f"{type(exc).__name__}: {exc}")
            row.seconds = time.perf_counter() - t0
            rows.append(row)
            bar.update()
    return rows


def _num(v) -> str:
    return "-" if v is None else f"{v:.2e}"


def format_table(rows: list[Row]) -> str:
    """The table as fixed-width text, the failures' worst cases listed below it.

    Each row shows its worst case (largest error/tolerance ratio): the error and the
    tolerance of the kind its verdict uses, side by side. Relative columns appear only when
    some row's verdict uses a relative tolerance; ``-`` marks a column the row's verdict
    does not use.
    """
    relative = any(r.verdict_on in ("rel", "abs+rel") for r in rows)
    head = ["quantity", "l range", "cases", "max abs err", "abs tol"]
    head += ["max rel err", "rel tol"] if relative else []
    head += ["err/tol", "result", "tolerance policy"]

    def cells(r: Row) -> list[str]:
        uses_abs = r.verdict_on in ("abs", "abs+rel")
        uses_rel = r.verdict_on in ("rel", "abs+rel")
        line = [r.quantity, r.l_range, str(r.cases),
                _num(r.max_abs_err) if uses_abs else "-", _num(r.abs_tol) if uses_abs else "-"]
        if relative:
            line += [_num(r.max_rel_err) if uses_rel else "-",
                     _num(r.rel_tol) if uses_rel else "-"]
        ratio = "-" if r.err_over_tol is None else f"{r.err_over_tol:.2f}"
        return line + [ratio, r.status, r.tolerance_policy or "-"]

    body = [cells(r) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, ["-" * w for w in widths], *body]]
    lines.append("errors and tolerances are those of each row's worst case (largest "
                 "err/tol); a row passes when err <= tol in every case")
    for r in rows:
        if r.status in ("FAIL", "error", "missing"):
            lines.append(f"{r.status}: {r.quantity}: {r.worst}")
    return "\n".join(lines)
