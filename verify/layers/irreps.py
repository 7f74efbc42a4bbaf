"""Irreducible representations of O(3) with multiplicities: parsing, block-diagonal rotation
matrices, and the equivariance check of any layer ``f(x_1, ..., x_k) -> y``.

An irreps description is a list of ``(mul, l, parity)``: ``mul`` copies of the degree-``l``
irrep whose sign under inversion is ``parity`` (``+1`` even, ``-1`` odd). e3nn's strings
(``"16x0e+8x1o+4x2e"``; ``"1o"`` means ``1x1o``) parse to the same list. Memory layouts:
``"mul_ir"`` stores each entry as ``(mul, 2l+1)`` (e3nn's default), ``"ir_mul"`` as
``(2l+1, mul)``; the entries follow each other.

Frames: ``"o3ref"`` — the components of degree ``l`` are o3ref's real harmonics' (``m = -l..l``;
a vector ``(x, y, z)`` is ``(y, z, x)``); ``"e3nn"`` — e3nn's, which are o3ref's in the
cyclically permuted axes: ``e3nn(r[:, [1, 2, 0]]) = c_l Y_l(r)``, so e3nn's block of a rotation
``R`` is ``D_real^l(P^T R P)`` with ``P r = r[[1, 2, 0]]`` (for ``l = 1`` that is ``R`` itself);
or any object with a method ``matrix(l)`` (or a callable ``frame(l)``) returning ``M_l`` with
``theirs = M_l @ ours``, whose block is ``M_l D_real^l(R) M_l^-1``.

Improper rotations ``R = -Q`` (``det R < 0``) give ``parity * D_real^l(Q)``.

Conventions: :mod:`o3ref.reference.conventions`.

>>> parse_irreps("2x0e+1o")
[(2, 0, 1), (1, 1, -1)]
>>> import numpy as np
>>> Rz = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])  # +90 degrees about z
>>> irreps_rotation("1o", Rz).round(12) + 0.0  # P R P^T on (y, z, x): y -> -x, x -> y
array([[ 0.,  0.,  1.],
       [ 0.,  1.,  0.],
       [-1.,  0.,  0.]])
>>> np.allclose(irreps_rotation("1o", Rz, frame="e3nn"), Rz)
True
>>> [irreps_rotation(ir, -np.eye(3)).diagonal().tolist() for ir in ("1e", "1o")]
[[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..compare import compare_arrays
from ..tolerances import check_tolerance_value, irreps_layer_tolerance

__all__ = [
    "IrrepsReport",
    "as_numpy",
    "assert_equivariant_irreps",
    "frame_matrix",
    "irreps_dim",
    "irreps_rotation",
    "parse_irreps",
]

_TERM = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eoy])\s*$")
LAYOUTS = ("mul_ir", "ir_mul")
#: the highest degree irreps_rotation builds D for (2l+1 = 201 components per copy)
_L_MAX = 100
#: ``P r = r[[1, 2, 0]]``: o3ref's l = 1 components of a vector, as a matrix
CYCLIC = np.eye(3)[[1, 2, 0]]


def parse_irreps(irreps) -> list[tuple[int, int, int]]:
    """``"16x0e+8x1o"`` or ``[(16, 0, 1), (8, 1, -1)]`` (or e3nn's ``Irreps`` object, through
    its string) -> a list of ``(mul, l, parity)``; parity ``1`` (``e``) or ``-1`` (``o``)."""
    if isinstance(irreps, str):
        text = irreps
    elif isinstance(irreps, Sequence):
        out = []
        for k, entry in enumerate(irreps):
            if not isinstance(entry, Sequence) or len(entry) != 3:
                raise ValueError(f"irreps[{k}]={entry!r} must be a (mul, l, parity) triple")
            mul, l, p = entry
            for name, v in (("mul", mul), ("l", l)):
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                    raise ValueError(f"irreps[{k}] {name}={v!r} must be a non-negative integer")
            if p not in (1, -1):
                raise ValueError(f"irreps[{k}] parity={p!r} must be 1 (even) or -1 (odd)")
            out.append((int(mul), int(l), int(p)))
        return out
    elif type(irreps).__name__ == "Irreps":  # e3nn's class, without importing e3nn
        text = str(irreps)
    else:
        raise TypeError(
            f"irreps={irreps!r} must be an e3nn-style string or a list of (mul, l, parity)"
        )
    if text.strip() == "":
        return []
    out = []
    for term in text.split("+"):
        match = _TERM.match(term)
        if match is None:
            raise ValueError(
                f"irreps={text!r}: term {term.strip()!r} must read 'MULxLp' with p = e or o "
                "(e.g. '16x0e', '1o')"
            )
        mul, l, p = match.groups()
        if p == "y":
            raise ValueError(f"irreps={text!r}: parity 'y' (spherical-harmonic parity) is "
                             "ambiguous here; write e or o")
        out.append((1 if mul is None else int(mul), int(l), 1 if p == "e" else -1))
    return out


def irreps_str(irreps) -> str:
    """``[(2, 0, 1), (1, 1, -1)]`` -> ``"2x0e+1x1o"``."""
    return "+".join(f"{m}x{l}{'e' if p == 1 else 'o'}" for m, l, p in parse_irreps(irreps))


def irreps_dim(irreps) -> int:
    """Total number of components ``sum mul (2l+1)``."""
    return sum(m * (2 * l + 1) for m, l, _ in parse_irreps(irreps))


def _check_rotation(R) -> np.ndarray:
    R = np.asarray(R, dtype=np.float64)
    if R.shape != (3, 3):
        raise ValueError(f"R must be a 3x3 matrix, got shape {R.shape}")
    err = float(np.abs(R @ R.T - np.eye(3)).max())
    if not err <= 1e-6:
        raise ValueError(f"R must be orthogonal (R R^T = I); |R R^T - I| = {err:.2e}")
    return R


def frame_matrix(frame, l: int) -> np.ndarray:
    """``M_l`` of a frame: the components of degree ``l`` in that frame are ``M_l @ ours``."""
    if isinstance(frame, str):
        if frame == "o3ref":
            return np.eye(2 * l + 1)
        if frame == "e3nn":
            from o3ref.fast import wigner_D_real_blocks as wigner_D_real

            return wigner_D_real(l, CYCLIC.T[None])[l][0]
        raise ValueError(f"frame={frame!r} must be 'o3ref', 'e3nn' or a map with matrix(l)")
    getter = getattr(frame, "matrix", None)
    if getter is None and callable(frame):
        getter = frame
    if getter is None:
        raise TypeError(f"frame={frame!r} must be 'o3ref', 'e3nn' or have a matrix(l) method")
    M = np.asarray(getter(l), dtype=np.float64)
    if M.shape != (2 * l + 1, 2 * l + 1):
        raise ValueError(f"frame.matrix({l}) has shape {M.shape}; it must be {(2*l+1,)*2}")
    return M


def _d_blocks(ls, R: np.ndarray, frame) -> dict[int, np.ndarray]:
    from o3ref.fast import wigner_D_real_blocks as wigner_D_real

    proper = R if np.linalg.det(R) > 0 else -R
    l_max = max(ls)
    ds = wigner_D_real(l_max, proper[None])
    out = {}
    for l in set(ls):
        d = ds[l][0]
        if not (isinstance(frame, str) and frame == "o3ref"):
            M = frame_matrix(frame, l)
            d = M @ d @ np.linalg.inv(M)
        out[l] = d
    return out


def irreps_rotation(irreps, R, layout: str = "mul_ir", frame="o3ref") -> np.ndarray:
    """The block-diagonal matrix ``(dim, dim)`` by which features of ``irreps`` transform when
    the structure is rotated by ``R`` (active; proper or improper: parity applied)."""
    entries = parse_irreps(irreps)
    if layout not in LAYOUTS:
        raise ValueError(f"layout={layout!r} must be one of {LAYOUTS}")
    R = _check_rotation(R)
    dim = irreps_dim(entries)
    from o3ref.fast.budget import check_budget

    check_budget(f"irreps_rotation(irreps={irreps_str(entries)[:60]!r}): {dim} components, a "
                 f"{dim} x {dim} matrix,", 8 * dim * dim,
                 "the multiplicities or degrees of irreps")
    if max((l for _, l, _ in entries), default=0) > _L_MAX:
        raise ValueError(f"irreps={irreps_str(entries)!r} has l = "
                         f"{max(l for _, l, _ in entries)}; irreps_rotation supports l <= "
                         f"{_L_MAX} (Wigner D by recurrence)")
    out = np.zeros((dim, dim))
    if not entries:
        return out
    improper = np.linalg.det(R) < 0
    blocks = _d_blocks([l for _, l, _ in entries], R, frame)
    start = 0
    for mul, l, p in entries:
        d = blocks[l] * (p if improper else 1)
        eye = np.eye(mul)
        size = mul * (2 * l + 1)
        out[start:start + size, start:start + size] = (
            np.kron(eye, d) if layout == "mul_ir" else np.kron(d, eye)
        )
        start += size
    return out


def as_numpy(x) -> np.ndarray:
    """Any array (NumPy, or torch/jax through ``__array__`` or dlpack; a tensor that tracks
    gradients is detached through its own ``detach`` method) as a NumPy array. torch and jax
    are never imported here."""
    if isinstance(x, np.ndarray):
        return x
    detach = getattr(x, "detach", None)
    if callable(detach):
        x = detach()
    cpu = getattr(x, "cpu", None)
    if callable(cpu):
        x = cpu()
    try:
        return np.asarray(x)
    except (TypeError, RuntimeError, ValueError):
        return np.from_dlpack(x)


@dataclass
class IrrepsReport:
    """One row per output irrep entry: the largest error over proper and over improper
    rotations, the tolerance, and a diagnosis of a failing entry."""

    irreps_out: list
    rows: list[dict] = field(default_factory=list)
    tolerance: float = 0.0
    reason: str = ""

    @property
    def passed(self) -> bool:
        """True when every output irrep transforms as declared."""
        return all(r["passed"] for r in self.rows)

    def __str__(self) -> str:
        lines = [f"equivariance per output irrep (tolerance {self.tolerance:.1e}: {self.reason})"]
        for r in self.rows:
            status = "ok" if r["passed"] else "FAILED"
            lines.append(
                f"  [{r['index']}] {r['irrep']}: proper {r['proper']:.2e}, improper "
                f"{r['improper']:.2e} -> {status}" + (f" ({r['diagnosis']})" if r["diagnosis"]
                                                       else "")
            )
        return "\n".join(lines)


def _inputs(irreps_in, inputs, n_samples, dtype, seed):
    rng = np.random.default_rng(seed)
    if inputs is None:
        return [rng.standard_normal((n_samples, irreps_dim(ir))).astype(dtype) for ir in irreps_in]
    if isinstance(inputs, (list, tuple)) and len(irreps_in) == 1 and inputs and not hasattr(
            inputs[0], "shape") and not isinstance(inputs[0], (list, tuple)):
        inputs = [inputs]  # one input given as a plain list of numbers
    raw = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if len(raw) != len(irreps_in):
        raise ValueError(f"inputs has {len(raw)} array(s); irreps_in has {len(irreps_in)} "
                         "entries (one array per input of f)")
    inputs = []
    for k, x in enumerate(raw):
        try:
            inputs.append(np.asarray(as_numpy(x)))
        except ValueError as exc:
            raise ValueError(f"inputs[{k}] is ragged or not numeric: "
                             f"{str(exc).splitlines()[0]}") from None
    for k, (x, ir) in enumerate(zip(inputs, irreps_in, strict=True)):
        if x.shape[-1] != irreps_dim(ir):
            raise ValueError(f"inputs[{k}] has {x.shape[-1]} components on its last axis; "
                             f"irreps_in[{k}] needs {irreps_dim(ir)}")
    return inputs


def _rotate_blocks(y, D, bounds) -> np.ndarray:
    """``y @ D.T`` block by block of the output entries (``D`` is block diagonal): a NaN or
    inf in one entry stays in that entry's comparison instead of spreading as ``inf * 0``."""
    y = np.asarray(y, dtype=np.float64)
    out = np.empty_like(y)
    with np.errstate(invalid="ignore", over="ignore"):  # the core fails non-finite values
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            out[..., a:b] = y[..., a:b] @ D[a:b, a:b].T
    return out


class _Probe:
    """Measurements that name why an output entry fails under proper rotations: its value at
    zero input (a bias), and how its equivariance error grows when the inputs double (an
    input-dependent mixing grows faster than the output; a wrong l, frame or layout does
    not)."""

    def __init__(self, f, conv, xs, ins, out, rotations, layout, frame, bounds, atol):
        self.out, self.bounds, self.atol = out, bounds, atol
        R = next(r for r in rotations if np.linalg.det(r) > 0)

        def err_and_size(scale):
            x2 = [x * x.dtype.type(scale) for x in xs]
            y = as_numpy(f(*[conv(x) for x in x2])).astype(np.float64)
            rot = [x @ irreps_rotation(i, R, layout, frame).T.astype(x.dtype)
                   for x, i in zip(x2, ins, strict=True)]
            lhs = as_numpy(f(*[conv(x) for x in rot])).astype(np.float64)
            rhs = _rotate_blocks(y, irreps_rotation(out, R, layout, frame), bounds)
            return np.abs(lhs - rhs), np.abs(y)

        self.e1, self.y1 = err_and_size(1.0)
        self.e2, self.y2 = err_and_size(2.0)
        zeros = [np.zeros_like(x) for x in xs]
        self.f0 = np.abs(as_numpy(f(*[conv(z) for z in zeros])).astype(np.float64))

    def diagnose(self, k) -> str:
        mul, l, p = self.out[k]
        s = slice(self.bounds[k], self.bounds[k + 1])
        name = f"{mul}x{l}{'e' if p == 1 else 'o'}"
        bias = float(self.f0[..., s].max(initial=0.0))
        if bias > self.atol:
            return (f"output not zero at zero input (|f(0)| = {bias:.2e}): a bias on {name}; "
                    "only 0e outputs may carry one")
        e1, e2 = float(self.e1[..., s].max(initial=0.0)), float(self.e2[..., s].max(initial=0.0))
        if not (np.isfinite(e1) and np.isfinite(e2)):
            return ("not equivariant: the comparison is NaN or inf (f returned non-finite "
                    "values in another output entry, which D_out(R) mixes in)")
        y1, y2 = float(self.y1[..., s].max(initial=0.0)), float(self.y2[..., s].max(initial=0.0))
        grow_e = e2 / e1 if e1 > 0 else float("inf")
        grow_y = y2 / y1 if y1 > 0 else float("inf")
        if e1 > self.atol and grow_e > 1.5 * grow_y:
            return (f"equivariance error grows faster than the output with |x| (x{grow_e:.3g} "
                    f"when the inputs double, output x{grow_y:.3g}): input-dependent mixing "
                    f"of channels or components in {name}")
        return (f"not equivariant under proper rotations; relative error "
                f"{e1 / max(y1, 1e-300):.2e}, growing with the output (x{grow_e:.3g} when the "
                "inputs double): a fixed map that is not D_out(R) (wrong l, frame or "
                "layout?)")


def assert_equivariant_irreps(
    f: Callable,
    irreps_in,
    irreps_out,
    *,
    inputs=None,
    layout: str = "mul_ir",
    frame="o3ref",
    rotations=None,
    n_rotations: int = 3,
    n_samples: int = 4,
    convert: Callable | None = None,
    dtype=None,
    tol: float | None = None,
    seed: int = 0,
) -> IrrepsReport:
    """Check ``f(D_in(R) x_1, ...) = D_out(R) f(x_1, ...)`` for proper and improper ``R``.

    ``irreps_in`` is one irreps (``f`` takes one array) or a list of them (``f`` takes one
    array per entry); features are on the last axis. ``inputs`` default to Gaussian samples
    ``(n_samples, dim)``; ``convert`` turns each NumPy input into the library's array (e.g.
    ``torch.from_numpy``) and ``f``'s output is read back through :func:`as_numpy`.
    ``rotations`` default to ``n_rotations`` random proper rotations and their negatives.
    The tolerance is :func:`o3ref.verify.tolerances.tolerance` ``("irreps_layer", l_max,
    dtype, scale=max |f(x)|)``, ``dtype`` being the output's unless given. Raises
    ``AssertionError`` with the :class:`IrrepsReport` when an output entry fails.
    """
    from ..properties import random_rotations

    single = isinstance(irreps_in, str) or (
        isinstance(irreps_in, Sequence) and irreps_in and isinstance(irreps_in[0], tuple)
    ) or type(irreps_in).__name__ == "Irreps"
    ins = [parse_irreps(irreps_in)] if single else [parse_irreps(i) for i in irreps_in]
    out = parse_irreps(irreps_out)
    conv = convert if convert is not None else (lambda a: a)
    xs = _inputs(ins, inputs, n_samples, np.float64 if dtype is None else dtype, seed)
    y = as_numpy(f(*[conv(x) for x in xs]))
    if y.shape[-1] != irreps_dim(out):
        raise ValueError(f"f returned {y.shape[-1]} components on its last axis; "
                         f"irreps_out={irreps_str(out)} has {irreps_dim(out)}")
    if rotations is None:
        proper = random_rotations(n_rotations, seed)
        rotations = np.concatenate([proper, -proper])
    rotations = np.asarray(rotations, dtype=np.float64).reshape(-1, 3, 3)
    l_max = max([l for _, l, _ in out] + [l for i in ins for _, l, _ in i] + [0])
    out_dtype = np.dtype(dtype) if dtype is not None else (
        y.dtype if y.dtype.kind == "f" else np.dtype(np.float64))
    finite = np.isfinite(y)
    scale = max(1.0, float(np.abs(y[finite]).max()) if finite.any() else 1.0)
    if tol is None:
        t = irreps_layer_tolerance(l_max, out_dtype, scale, sum(x.shape[-1] for x in xs))
        atol, reason = t.atol, t.reason
    else:
        atol, reason = check_tolerance_value("tol", tol), "given"
    worst = {"proper": np.zeros(len(out)), "improper": np.zeros(len(out))}
    flipped = np.zeros(len(out))  # error if the entry had the opposite parity
    bounds = np.cumsum([0] + [m * (2 * l + 1) for m, l, _ in out])
    for R in rotations:
        rotated = [x @ irreps_rotation(i, R, layout, frame).T.astype(x.dtype)
                   for x, i in zip(xs, ins, strict=True)]
        lhs = as_numpy(f(*[conv(x) for x in rotated])).astype(np.float64)
        rhs = _rotate_blocks(y, irreps_rotation(out, R, layout, frame), bounds)
        kind = "proper" if np.linalg.det(R) > 0 else "improper"
        for k in range(len(out)):
            s = slice(bounds[k], bounds[k + 1])
            # the comparison core: a NaN or inf on either side is an infinite error
            err = compare_arrays(lhs[..., s], rhs[..., s], atol=atol).max_abs
            worst[kind][k] = max(worst[kind][k], err)
            if kind == "improper":
                flipped[k] = max(flipped[k], compare_arrays(lhs[..., s], -rhs[..., s],
                                                            atol=atol).max_abs)
    report = IrrepsReport(irreps_out=out, tolerance=atol, reason=reason)
    probe = None
    for k, (mul, l, p) in enumerate(out):
        ok = worst["proper"][k] <= atol and worst["improper"][k] <= atol
        diagnosis = ""
        if not np.all(finite[..., bounds[k]:bounds[k + 1]]):
            diagnosis = "f returned NaN or inf: non-finite values never pass"
        elif not ok and worst["proper"][k] <= atol and flipped[k] <= atol:
            diagnosis = f"wrong parity: transforms as {l}{'o' if p == 1 else 'e'}"
        elif not ok and worst["proper"][k] > atol:
            if probe is None:
                probe = _Probe(f, conv, xs, ins, out, rotations, layout, frame, bounds, atol)
            diagnosis = probe.diagnose(k)
        elif not ok:
            diagnosis = "wrong under improper rotations"
        report.rows.append({
            "index": k, "irrep": f"{mul}x{l}{'e' if p == 1 else 'o'}",
            "proper": worst["proper"][k], "improper": worst["improper"][k],
            "passed": bool(ok), "diagnosis": diagnosis,
        })
    if not report.passed:
        raise AssertionError(f"equivariance f(D_in x) = D_out f(x) does not hold:\n{report}")
    return report
