"""``o3ref verify``: the exact reference against the fast path (or another library).

Every quantity has a check registered in :data:`CHECKS`: it runs the implementation over a
declared grid of inputs (:data:`GRIDS`, ``quick`` or ``full``), compares each case with
:mod:`o3ref.reference` under the tolerance policy of :mod:`o3ref.verify.tolerances`, and
gives one row of the table: quantity, l range, cases, max abs and relative error,
tolerance, pass/fail. A quantity whose implementation does not exist yet shows as
``missing`` (never as a pass).

``--against NAME`` takes the implementations from ``o3ref.verify.adapters.NAME`` (mapped
to o3ref's conventions through the exact maps) instead of :mod:`o3ref.fast`.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from .compare import compare_arrays, to_numeric
from .indexing import block, flat_index
from .tolerances import policy_text, tolerance

__all__ = ["CHECKS", "GRIDS", "Row", "configure_parser", "fast_implementations",
           "format_table", "run", "run_suite"]

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


@dataclass
class Row:
    """One line of the table."""

    quantity: str
    l_range: str
    cases: int
    max_abs_err: float | None
    max_rel_err: float | None
    tolerance: str
    status: str  # "pass", "FAIL", "missing", "error"
    worst: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "error")


class _Acc:
    """Accumulates case reports into a row."""

    def __init__(self):
        self.cases = 0
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.largest_tol = 0.0
        self.failures: list[str] = []
        self.worst = ""
        self._worst_excess = -np.inf

    def add(self, report, where: str):
        self.cases += 1
        self.max_abs = max(self.max_abs, report.max_abs)
        self.max_rel = max(self.max_rel, report.max_rel)
        self.largest_tol = max(self.largest_tol, report.atol)
        excess = report.max_abs / report.atol if report.atol else np.inf
        if excess > self._worst_excess:
            self._worst_excess = excess
            self.worst = f"{where}, {report.where()}"
        if not report.passed:
            self.failures.append(f"{where}: {report}")

    def row(self, quantity, l_range, tol_text) -> Row:
        status = "FAIL" if self.failures else "pass"
        worst = self.failures[0] if self.failures else self.worst
        return Row(quantity, l_range, self.cases, self.max_abs, self.max_rel,
                   f"{tol_text} <= {self.largest_tol:.1e}", status, worst)


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


# ------------------------------------------------------------------ the checks


def check_sh(impl: Callable, grid: dict) -> Row:
    from o3ref import reference

    l_max, xyz = grid["l_max"], _points(grid["n_points"])
    got = np.asarray(impl(l_max, xyz))
    ref = to_numeric(reference.real_spherical_harmonics(l_max, xyz, dps=30))
    acc = _Acc()
    for l in range(l_max + 1):
        s = block(l)
        acc.add(compare_arrays(got[:, s], ref[:, s], tolerance("sh", l), names=["point", "m"],
                               offsets=[0, -l]), f"l = {l}")
    return acc.row("spherical harmonics", f"0..{l_max}", policy_text("sh"))


def _exact_gradients(l_max: int, xyz: np.ndarray) -> np.ndarray:
    """d/dr of ``Y_lm(r/|r|) = p_lm(r)/|r|^l`` from the exact polynomial, mpmath 30 digits."""
    import mpmath
    import sympy

    from o3ref import reference

    x, y, z = reference.x, reference.y, reference.z
    r2 = x**2 + y**2 + z**2
    out = np.zeros((len(xyz), 3, (l_max + 1) ** 2))
    with mpmath.workdps(30):
        for l in range(l_max + 1):
            for m in range(-l, l + 1):
                p = reference.real_solid_harmonic(l, m)
                f = p * r2 ** sympy.Rational(-l, 2)
                grads = [sympy.lambdify((x, y, z), sympy.diff(f, v), "mpmath") for v in (x, y, z)]
                for i, pt in enumerate(xyz):
                    mp_pt = [mpmath.mpf(float(c)) for c in pt]
                    for a in range(3):
                        out[i, a, flat_index(l, m)] = float(grads[a](*mp_pt))
    return out


def check_sh_gradient(impl: Callable, grid: dict) -> Row:
    l_max, xyz = grid["l_max"], _points(grid["n_points"])[2:]  # gradients: off the z axis
    _, got = impl(l_max, xyz)
    got = np.asarray(got)
    ref = _exact_gradients(l_max, xyz)
    r = np.linalg.norm(xyz, axis=1)[:, None, None]
    acc = _Acc()
    for l in range(l_max + 1):
        s = block(l)
        # gradients scale as 1/|r|: compare r * grad, which is O(l)
        acc.add(compare_arrays((r * got)[..., s], (r * ref)[..., s],
                               tolerance("sh_gradient", l),
                               names=["point", "direction", "m"], offsets=[0, 0, -l]),
                f"l = {l}")
    return acc.row("SH gradients (x|r|)", f"0..{l_max}", policy_text("sh_gradient"))


def check_wigner_d(impl: Callable, grid: dict) -> Row:
    from o3ref import reference

    acc = _Acc()
    for k, (a, b, g) in enumerate(_angles(grid["n_rotations"])):
        for l in range(grid["l_max"] + 1):
            got = np.asarray(impl(l, a, b, g))
            ref = to_numeric(reference.wigner_D_real(l, a, b, g, dps=30))
            acc.add(compare_arrays(got, ref, tolerance("wigner_d", l), names=["m'", "m"],
                                   offsets=[-l, -l]),
                    f"l = {l}, angles #{k} ({a:.3g}, {b:.3g}, {g:.3g})")
    return acc.row("Wigner D (real)", f"0..{grid['l_max']}", policy_text("wigner_d"))


def check_cg(impl: Callable, grid: dict) -> Row:
    from o3ref import reference

    acc = _Acc()
    for l1, l2, L in _triples(grid["l_max"]):
        got = np.asarray(impl(l1, l2, L))
        ref = to_numeric(reference.real_clebsch_gordan(l1, l2, L))
        acc.add(compare_arrays(got, ref, tolerance("cg", max(l1, l2, L)),
                               names=["m1", "m2", "M"], offsets=[-l1, -l2, -L]),
                f"(l1, l2, L) = {l1, l2, L}")
    return acc.row("real Clebsch-Gordan", f"l1, l2 <= {grid['l_max']}", policy_text("cg"))


def check_complex_cg(impl: Callable, grid: dict) -> Row:
    from o3ref import reference

    acc = _Acc()
    for l1, l2, L in _triples(grid["l_max"]):
        got = np.asarray(impl(l1, l2, L))
        ref = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * L + 1))
        for i in range(2 * l1 + 1):
            for j in range(2 * l2 + 1):
                M = i - l1 + j - l2
                if abs(M) <= L:
                    ref[i, j, M + L] = float(reference.clebsch_gordan(l1, i - l1, l2, j - l2,
                                                                      L, M))
        acc.add(compare_arrays(got, ref, tolerance("cg", max(l1, l2, L)),
                               names=["m1", "m2", "M"], offsets=[-l1, -l2, -L]),
                f"(l1, l2, L) = {l1, l2, L}")
    return acc.row("Clebsch-Gordan (complex)", f"l1, l2 <= {grid['l_max']}",
                   policy_text("cg"))


def check_cartesian(impl: Callable, grid: dict) -> Row:
    import sympy

    from o3ref import reference

    rng = np.random.default_rng(3)
    acc = _Acc()
    for k in range(grid["n_tensors"]):
        ints = rng.integers(-9, 10, (3, 3))
        t = sympy.Matrix(ints.tolist()) / 7
        ref = reference.couple(t)
        got = impl(np.asarray(ints, dtype=np.float64) / 7)
        for L in (0, 1, 2):
            acc.add(compare_arrays(np.asarray(got[L]).ravel(), to_numeric(ref[L]).ravel(),
                                   tolerance("cartesian", L), names=["M"],
                                   offsets=[-L]),
                    f"tensor #{k}, L = {L}")
    return acc.row("Cartesian rank 2 -> L = 0, 1, 2", "0..2", policy_text("cartesian"))


@dataclass
class Check:
    quantity: str
    key: str  # implementation key
    func: Callable[[Callable, dict], Row]


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
    if hasattr(fast, "wigner_D_real") and hasattr(fast, "rotation_matrix"):
        impl["wigner_d"] = lambda l, a, b, g: fast.wigner_D_real(
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
    from . import checks_pipeline

    impl.update(checks_pipeline.fast_pipeline_implementations())
    return impl


class _Progress:
    def __init__(self, total: int, stream=None):
        self.total, self.done = total, 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, label: str):
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        text = f"[{bar}] {self.done}/{self.total} {label}"
        if self.tty:
            self.stream.write("\r" + text.ljust(78)[:78])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.done += 1

    def close(self):
        if self.tty:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


def run_suite(mode: str = "quick", implementations: dict | None = None,
              progress: bool = True, l_max_caps: dict[str, int] | None = None) -> list[Row]:
    """Run every registered check; returns the rows (missing implementations included).
    ``l_max_caps`` (quantity -> largest degree the implementation computes, as adapters
    declare it) lowers a grid's ``l_max`` to that degree."""
    from . import checks_pipeline

    if mode not in GRIDS:
        raise ValueError(f"mode={mode!r} must be one of {sorted(GRIDS)}")
    impl = fast_implementations() if implementations is None else implementations
    checks = CHECKS + checks_pipeline.CHECKS
    bar = _Progress(len(checks)) if progress else None
    rows = []
    for check in checks:
        if bar:
            bar.step(check.quantity)
        if check.key not in impl:
            rows.append(Row(check.quantity, "-", 0, None, None, "-", "missing",
                            f"no implementation for {check.key!r}"))
            continue
        grid = GRIDS[mode].get(check.key) or checks_pipeline.GRIDS[mode][check.key]
        if l_max_caps and check.key in l_max_caps and "l_max" in grid:
            grid = dict(grid, l_max=min(grid["l_max"], l_max_caps[check.key]))
        t0 = time.perf_counter()
        try:
            row = check.func(impl[check.key], grid)
        except Exception as exc:  # an implementation that crashes is a failure, reported
            row = Row(check.quantity, "-", 0, None, None, "-", "error",
                      f"{type(exc).__name__}: {exc}")
        row.seconds = time.perf_counter() - t0
        rows.append(row)
    if bar:
        bar.close()
    return rows


def format_table(rows: list[Row]) -> str:
    """The table as fixed-width text, worst cases of failures listed below it."""
    head = ("quantity", "l range", "cases", "max abs err", "max rel err", "tolerance", "result")

    def fmt(v):
        return "-" if v is None else f"{v:.2e}"

    body = [(r.quantity, r.l_range, str(r.cases), fmt(r.max_abs_err), fmt(r.max_rel_err),
             r.tolerance, r.status) for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, tuple("-" * w for w in widths), *body]]
    for r in rows:
        if r.status in ("FAIL", "error", "missing"):
            lines.append(f"{r.status}: {r.quantity}: {r.worst}")
    return "\n".join(lines)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="small grids, under a minute (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="larger grids (higher l, more points)")
    parser.set_defaults(mode="quick")
    parser.add_argument("--json", metavar="FILE", help="also write the table as JSON to FILE")
    parser.add_argument("--against", metavar="NAME",
                        help="check another library through o3ref.verify.adapters.NAME "
                        "(sphericart, featomic, e3nn, scipy, sympy, wigners, spherical, "
                        "cuequivariance, e3x, or one registered in the entry-point "
                        "group o3ref.adapters)")
    parser.add_argument("--profile", action="store_true",
                        help="float64 error against exact values as a function of l "
                        "(SH to 60, D to 40, CG to 30): CSV, and PNG with matplotlib")
    parser.add_argument("--out", metavar="DIR", default="o3ref-profile",
                        help="output folder of --profile (default: ./o3ref-profile)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "profile", False):
        from .profile import run_profile

        return run_profile(args.out, progress=not args.no_progress)
    against = getattr(args, "against", None)
    if against:
        from .adapters import adapter_max_l, checked_implementations, get_adapter

        try:
            adapter = get_adapter(against)
            impl = checked_implementations(against, adapter)
        except ImportError as exc:
            print(f"o3ref verify: error: --against {against}: {exc}", file=sys.stderr)
            return 2
        caps = adapter_max_l(adapter)  # e.g. e3nn's SH stop at l = 11 or 12
        title = f"o3ref verify --{args.mode} --against {against}: {against} vs exact reference"
    else:
        impl, caps = None, None
        title = f"o3ref verify --{args.mode}: o3ref.fast vs exact reference (o3ref.reference)"
    rows = run_suite(args.mode, impl, progress=not args.no_progress, l_max_caps=caps)
    if against:
        rows = [r for r in rows if r.status != "missing"]
    print(title)
    print(format_table(rows))
    failed = [r for r in rows if r.failed]
    print(f"{len(rows) - len(failed)} of {len(rows)} quantities without failure"
          + (f"; FAILED: {', '.join(r.quantity for r in failed)}" if failed else ""))
    if args.json:
        try:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump({"mode": args.mode, "against": against or "o3ref.fast",
                           "passed": not failed, "rows": [asdict(r) for r in rows]}, fh,
                          indent=2)
        except OSError as exc:
            print(f"o3ref verify: error: cannot write --json={args.json}: {exc}",
                  file=sys.stderr)
            return 2
    return 1 if failed else 0
