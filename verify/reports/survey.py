"""``o3ref survey``: every installed library x building block, in one table.

For each adapter of :mod:`o3ref.verify.adapters` whose library is installed (built in, or
registered in the ``o3ref.adapters`` entry-point group) and each building block it provides
(spherical harmonics, their gradients, Wigner D, real Clebsch-Gordan, the Cartesian rank-2
change of basis), the survey

1. runs :func:`o3ref.verify.detect_convention` on the library's *native* function and records
   the convention it names (when the detector returns a ``ConventionMap``, its ``.convert``
   gives the function in o3ref's convention; otherwise the adapter's own exact map does);
2. compares the function in o3ref's convention with the exact reference (mpmath at 30
   digits) for every degree up to the survey's ``l_max`` (capped by the adapter's declared
   maximum), and records the largest error per ``l`` next to the tolerance policy of
   :mod:`o3ref.verify.tolerances` at the library's dtype;
3. writes a Markdown table (stdout, or ``--markdown FILE``) and, with ``--json FILE``, every
   number with the provenance block of :mod:`o3ref.verify.provenance`.

It adds rows for layers (block ``layer: ...``, pseudo-block ``"layers"`` in ``blocks``): each
library of :data:`o3ref.verify.reports._measure_layers.LAYER_CASES` that is installed (o3ref's
own NumPy product always; e3nn and cuequivariance-torch when surveyed and installed) has its
tensor products decomposed onto the exact couplings; the row names the normalisation behind
the scalars (``convention``) and gives, per ``l = max(l1, l2, L)``, the largest residual (the
part of a block that no CG explains) next to the tolerance of the verdict. ``o3ref`` is
surveyed when no names are given, or when named.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..compare import over_tolerance
from ._measure import MEASURES

__all__ = ["BLOCKS", "L_MAX", "SurveyRow", "format_markdown", "run_survey", "survey_layers"]

#: block -> (title, detector kind or None)
BLOCKS: dict[str, tuple[str, str | None]] = {
    "sh": ("SH", "sh"),
    "sh_gradient": ("SH gradients", None),
    "wigner_d": ("Wigner D", "wigner_d"),
    "cg": ("CG", "cg"),
    "cartesian": ("Cartesian rank 2", None),
}

#: the survey's largest degree per block (then capped by each adapter's MAX_L)
L_MAX = {"sh": 10, "sh_gradient": 6, "wigner_d": 8, "cg": 5, "cartesian": 2}

# the detector probes small degrees: a convention is a statement about every l, and the
# pieces it composes (signs, orderings, normalisations) all show by l = 3
_DETECT_L_MAX = {"sh": 4, "wigner_d": 3, "cg": 2}


@dataclass
class SurveyRow:
    """One library x block: the convention named, the error per l after the map."""

    library: str
    version: str
    block: str
    convention: str
    dtype: str
    l_max: int = 0
    errors: list[float] = field(default_factory=list)  # max abs error after the map, per l
    tolerances: list[float] = field(default_factory=list)  # the policy at the dtype, per l
    status: str = "pass"  # "pass", "FAIL" (above the policy), "error"
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def max_error(self) -> float | None:
        """The largest error after the map over every degree of the row."""
        return max(self.errors) if self.errors else None

    @property
    def worst_l(self) -> int | None:
        """The degree where that largest error occurs."""
        return int(np.argmax(self.errors)) if self.errors else None


def _detector_supports_takes() -> bool:
    from ..conventions.detect import detect_convention

    return "takes" in inspect.signature(detect_convention).parameters


def _euler_wrapper(native: Callable, takes: str) -> Callable:
    """A D that takes a matrix or a quaternion, called at o3ref's ZYZ rotation (for a
    detector that only takes Euler angles)."""
    from o3ref import fast

    def at_matrix(l, a, b, g):
        return native(l, np.asarray(fast.rotation_matrix(a, b, g)).reshape(3, 3))

    def at_quaternion(l, a, b, g):  # scalar first, from Rz(a) Ry(b) Rz(g)
        qz = lambda t: np.array([np.cos(t / 2), 0, 0, np.sin(t / 2)])  # noqa: E731
        qy = np.array([np.cos(b / 2), 0, np.sin(b / 2), 0])
        return native(l, _qmul(_qmul(qz(a), qy), qz(g)))

    return at_matrix if takes == "matrix" else at_quaternion


def _qmul(p, q):
    w1, x1, y1, z1 = p
    w2, x2, y2, z2 = q
    return np.array([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])


def _detect(native: Callable, kind: str, takes: str | None):
    """``(convention name or None, converted function or None, notes)``."""
    from ..conventions.detect import detect_convention

    notes = []
    kwargs = {"l_max": _DETECT_L_MAX[kind]}
    func = native
    if kind == "wigner_d" and takes not in (None, "euler"):
        if _detector_supports_takes():
            kwargs["takes"] = takes
        else:
            func = _euler_wrapper(native, takes)
            notes.append(f"D takes a {takes}: detector fed o3ref's ZYZ rotations")
    try:
        report = detect_convention(func, kind, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a library that fails under the detector
        return None, None, notes + [f"detector: {type(exc).__name__}: {exc}"]
    cmap = getattr(report, "map", None)
    if cmap is not None:
        return cmap.name, cmap.convert(native), notes
    if report.convention is None:
        first = f" (first differs at {report.first_difference})" if report.first_difference else ""
        notes.append("detector names no known convention" + first)
    return report.convention, None, notes


def survey_adapter(name: str, adapter, blocks=None, l_max=None, quiet_bar=None) -> list[SurveyRow]:
    """The rows of one adapter whose library is installed (``ImportError`` otherwise)."""
    from ..adapters import (
        adapter_dtype,
        adapter_max_l,
        checked_implementations,
        guard,
        installed_versions,
        version_known,
    )

    impl = checked_implementations(name, adapter)
    natives = adapter.natives() if callable(getattr(adapter, "natives", None)) else {}
    versions = installed_versions(adapter)
    version = next(iter(versions.values()), None) or "?"
    caps = adapter_max_l(adapter)
    declared = getattr(adapter, "CONVENTIONS", {})
    rows = []
    for block in blocks or BLOCKS:
        if block not in impl:
            continue
        if quiet_bar is not None:
            quiet_bar.set_label(f"{name}: {BLOCKS[block][0]}")
        t0 = time.perf_counter()
        dtype = adapter_dtype(adapter, block)
        top = min((l_max or L_MAX)[block], caps.get(block, 10**6))
        row = SurveyRow(name, version, BLOCKS[block][0], declared.get(block, "-"),
                        str(dtype), top)
        row.notes += version_known(adapter) if not rows else []
        func = impl[block]
        kind = BLOCKS[block][1]
        if kind is not None and block in natives:
            native, takes = natives[block]
            conv, converted, notes = _detect(native, kind, takes)
            row.notes += notes
            row.convention = conv if conv is not None else f"none named (adapter: {row.convention})"
            if converted is not None:
                if kind == "wigner_d" and takes not in (None, "euler"):
                    converted = _euler_wrapper(converted, takes)  # keeps the native input
                func = guard(name, block, converted)
            else:
                row.notes.append(f"after the adapter's map ({declared.get(block, '?')})")
        else:  # no detector for this block (or no native function): the adapter's map
            row.convention = f"{row.convention} (adapter)"
        if block in caps and caps[block] < (l_max or L_MAX)[block]:
            row.notes.append(f"l capped at the library's maximum {caps[block]}")
        try:
            row.errors, row.tolerances = MEASURES[block](func, top, dtype)
        except Exception as exc:  # noqa: BLE001 - reported in the table, one line
            row.status = "error"
            row.notes.append(f"{type(exc).__name__}: {exc}")
        else:
            over = over_tolerance(row.errors, row.tolerances)
            if over:
                row.status = "FAIL"
                row.notes.append(f"above the {dtype} policy at l = {', '.join(map(str, over))}")
        row.seconds = time.perf_counter() - t0
        rows.append(row)
        if quiet_bar is not None:
            quiet_bar.update()
    return rows


def survey_layers(name: str, quiet_bar=None) -> list[SurveyRow]:
    """The layer rows of library ``name`` (a key of ``LAYER_CASES``; ``ImportError`` when
    it is not installed): one row per product, its normalisation named, its residuals per l
    against the policy."""
    from ._measure_layers import LAYER_CASES, measure_layer

    rows = []
    for case in LAYER_CASES[name]():
        if quiet_bar is not None:
            quiet_bar.set_label(f"{name}: {case.title}")
        t0 = time.perf_counter()
        row = SurveyRow(name, case.version, case.title, "-", "?")
        try:
            m = measure_layer(case)
        except Exception as exc:  # noqa: BLE001 - reported in the table, one line
            row.status = "error"
            row.notes.append(f"{type(exc).__name__}: {exc}")
        else:
            row.convention, row.dtype, row.l_max = m.convention, m.dtype, m.l_max
            row.errors, row.tolerances, row.notes = m.errors, m.tolerances, m.notes
            row.status = "pass" if m.passed else "FAIL"
        row.seconds = time.perf_counter() - t0
        rows.append(row)
        if quiet_bar is not None:
            quiet_bar.update()
    return rows


def run_survey(names=None, blocks=None, l_max=None, quiet: bool = True):
    """``(rows, not_installed)`` over the adapters ``names`` (default: every registered one,
    and o3ref's own layer); ``"o3ref"`` in ``names`` adds o3ref's layer row, and
    ``"layers"`` in ``blocks`` keeps the layer rows when ``blocks`` is given."""
    from ..adapters import AdapterError, adapter_names, get_adapter
    from ..progress import Progress
    from ._measure_layers import LAYER_CASES

    chosen = names is not None
    names = list(names or ["o3ref", *adapter_names()])
    layers = blocks is None or "layers" in blocks
    rows: list[SurveyRow] = []
    missing: dict[str, str] = {}
    with Progress(None, "o3ref survey", quiet=quiet, unit="block") as bar:
        for name in names:
            bar.set_label(name)
            if name == "o3ref":  # o3ref's own layer (its other blocks are the reference)
                rows += survey_layers(name, bar) if layers else []
                continue
            try:
                adapter = get_adapter(name)
            except AdapterError as exc:  # a broken third-party entry point: listed, not fatal
                if chosen:
                    raise
                missing[name] = f"adapter failed to load: {exc}"
                continue
            try:
                rows += survey_adapter(name, adapter, blocks, l_max, bar)
            except ImportError as exc:
                missing[name] = str(exc).split(": pip install ")[-1]
                continue
            if layers and name in LAYER_CASES:
                try:
                    rows += survey_layers(name, bar)
                except ImportError as exc:
                    missing[f"{name} layers"] = exc.name or str(exc)
    return rows, missing


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.1e}"


def format_markdown(rows: list[SurveyRow], missing: dict[str, str]) -> str:
    """The survey as a Markdown table (one row per library x block)."""
    head = ["library", "version", "block", "convention (detector)", "l", "max error after map",
            "policy at that l", "dtype", "result", "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        at = f" (l = {r.worst_l})" if r.errors else ""
        tol = _fmt(r.tolerances[r.worst_l]) if r.errors else "-"
        cells = [r.library, r.version, r.block, r.convention, f"0..{r.l_max}",
                 _fmt(r.max_error) + at, tol, r.dtype, r.status, "; ".join(r.notes)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if missing:
        lines.append("")
        lines.append("Not installed: " + ", ".join(f"{n} (`pip install {p}`)"
                                                     for n, p in missing.items()))
    return "\n".join(lines)
