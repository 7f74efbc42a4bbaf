"""Hyper-parameters of the spherical expansion, accepted in two spellings.

One typed object, :class:`ExpansionHypers`, is built from either

* the **seed (rascaline <= 0.1) keyword style**::

      cutoff=2.0, max_radial=6, max_angular=4, atomic_gaussian_width=0.2,
      radial_basis={"Gto": {}}, cutoff_function={"ShiftedCosine": {"width": 0.5}},
      center_atom_weight=1.0, gradients=False

  where ``max_radial`` is the **number** of radial functions (6 functions ``n = 0..5``); or

* the **featomic >= 0.6 dictionaries**::

      cutoff={"radius": 2.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
      density={"type": "Gaussian", "width": 0.2, "center_atom_weight": 1.0},
      basis={"type": "TensorProduct", "max_angular": 4,
             "radial": {"type": "Gto", "max_radial": 5}, "spline_accuracy": None}

  where ``max_radial`` is the **largest index** (5 means the same six functions).

The object stores the unambiguous ``n_radial`` (the count) and ``l_max``;
:meth:`ExpansionHypers.to_featomic` writes the featomic spelling back (used by the
comparison tests). Anything unknown or invalid raises ``ValueError`` naming the key, the
value and the rule.

Conventions: :mod:`o3ref.reference.conventions` (density expansion section).

>>> h = ExpansionHypers.from_kwargs(cutoff=2.0, max_radial=6, max_angular=4,
...     atomic_gaussian_width=0.2, radial_basis={"Gto": {}},
...     cutoff_function={"ShiftedCosine": {"width": 0.5}}, center_atom_weight=1.0)
>>> h.n_radial, h.to_featomic()["basis"]["radial"]["max_radial"]
(6, 5)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

from .radial import MAX_N_RADIAL, n_radial_message

__all__ = ["ExpansionHypers", "seed_hypers"]


def seed_hypers() -> dict:
    """The seed tutorial's hyper-parameters ("Equivariant ML models"), in its own spelling.

    A new dict on every call, so callers may change it. ``max_radial=6`` is a count here.

    >>> seed_hypers()["atomic_gaussian_width"], seed_hypers()["cutoff"]
    (0.2, 2.0)
    """
    return {
        "cutoff": 2.0,
        "max_radial": 6,
        "max_angular": 4,
        "atomic_gaussian_width": 0.2,
        "radial_basis": {"Gto": {}},
        "cutoff_function": {"ShiftedCosine": {"width": 0.5}},
        "center_atom_weight": 1.0,
    }

SEED_KEYS = {
    "cutoff",
    "max_radial",
    "max_angular",
    "atomic_gaussian_width",
    "radial_basis",
    "cutoff_function",
    "center_atom_weight",
    "gradients",
}
FEATOMIC_KEYS = {"cutoff", "density", "basis"}
SMOOTHINGS = ("ShiftedCosine", "Step")


def _fail(key, value, rule):
    raise ValueError(f"{key}={value!r} {rule}")


def _real(key, value, positive=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(key, value, f"must be a real number (got {type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        _fail(key, value, "must be finite")
    if positive and value <= 0:
        _fail(key, value, "must be positive")
    return value


def _int(key, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(key, value, f"must be an integer (got {type(value).__name__})")
    if value < minimum:
        _fail(key, value, f"must be an integer >= {minimum}")
    return int(value)


def _mapping(key, value, allowed, required=()):
    if not isinstance(value, Mapping):
        _fail(key, value, f"must be a dict (got {type(value).__name__})")
    for name in value:
        if name not in allowed:
            _fail(f"{key}.{name}", value[name], f"is not a known key; allowed: {sorted(allowed)}")
    for name in required:
        if name not in value:
            _fail(key, value, f"must contain the key {name!r}")
    return value


def _typed(key, value, allowed_types):
    _mapping(key, value, set(value) if isinstance(value, Mapping) else set(), ["type"])
    if value["type"] not in allowed_types:
        _fail(f"{key}.type", value["type"], f"is not supported; supported: {list(allowed_types)}")
    return value["type"]


@dataclass(frozen=True)
class ExpansionHypers:
    """Validated hyper-parameters of a GTO / Gaussian-density spherical expansion.

    Attributes:
        cutoff: cutoff radius ``r_c`` (Angstrom), > 0.
        n_radial: number of radial functions ``N`` (``n = 0..N-1``): the seed's
            ``max_radial``, featomic's ``max_radial + 1``.
        l_max: largest angular degree (``max_angular`` in both spellings).
        density_width: Gaussian width ``sigma`` (seed ``atomic_gaussian_width``,
            featomic ``density.width``), > 0.
        center_atom_weight: weight ``w_c`` of the centre's own Gaussian (any finite real).
        smoothing: ``"ShiftedCosine"`` or ``"Step"``.
        smoothing_width: width ``w`` of the shifted cosine, ``0 < w < r_c``; ``None`` for Step.
        spline: radial integrals from the cubic Hermite spline (True, <= 1e-10 relative to
            the closed form) or the closed form on every call (False; featomic's
            ``spline_accuracy=None``, the seed's ``splined_radial_integral=False``).
        gradients: the seed's default ``gradients`` flag (featomic asks at compute time).

    Conventions: :mod:`o3ref.reference.conventions` (density expansion section).
    """

    cutoff: float
    n_radial: int
    l_max: int
    density_width: float
    center_atom_weight: float = 1.0
    smoothing: str = "ShiftedCosine"
    smoothing_width: float | None = 0.5
    spline: bool = True
    gradients: bool = False

    def __post_init__(self):
        _real("cutoff", self.cutoff)
        _int("n_radial", self.n_radial, 1)
        if self.n_radial > MAX_N_RADIAL:
            raise ValueError(n_radial_message(self.n_radial))
        _int("l_max", self.l_max, 0)
        _real("density_width", self.density_width)
        _real("center_atom_weight", self.center_atom_weight, positive=False)
        if self.smoothing not in SMOOTHINGS:
            _fail("smoothing", self.smoothing, f"must be one of {list(SMOOTHINGS)}")
        if self.smoothing == "ShiftedCosine":
            width = _real("smoothing_width", self.smoothing_width)
            if width >= self.cutoff:
                _fail("smoothing_width", width, f"must be smaller than the cutoff {self.cutoff}")
        elif self.smoothing_width is not None:
            _fail("smoothing_width", self.smoothing_width, "must be None for a Step cutoff")

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_kwargs(cls, **hypers) -> ExpansionHypers:
        """Build from either spelling (detected from the keys; mixing them is an error)."""
        if not hypers:
            raise ValueError("hypers={} must not be empty: give the seed or featomic spelling")
        if isinstance(hypers.get("cutoff"), Mapping) or "density" in hypers or "basis" in hypers:
            return cls._from_featomic(hypers)
        return cls._from_seed(hypers)

    @classmethod
    def _from_seed(cls, h):
        for key in h:
            if key not in SEED_KEYS:
                _fail(key, h[key], f"is not a known key of the seed spelling {sorted(SEED_KEYS)}")
        for key in ("cutoff", "max_radial", "max_angular", "atomic_gaussian_width"):
            if key not in h:
                raise ValueError(f"hypers is missing the required key {key!r} (seed spelling)")
        spline = True
        basis = h.get("radial_basis", {"Gto": {}})
        _mapping("radial_basis", basis, {"Gto"}, ["Gto"])
        gto = _mapping("radial_basis.Gto", basis["Gto"], {"splined_radial_integral",
                                                           "spline_accuracy"})
        if "splined_radial_integral" in gto:
            if not isinstance(gto["splined_radial_integral"], bool):
                _fail("radial_basis.Gto.splined_radial_integral", gto["splined_radial_integral"],
                      "must be a bool")
            spline = gto["splined_radial_integral"]
        if gto.get("spline_accuracy") is not None:
            _real("radial_basis.Gto.spline_accuracy", gto["spline_accuracy"])
        smoothing, width = "ShiftedCosine", 0.5
        if "cutoff_function" in h:
            fn = _mapping("cutoff_function", h["cutoff_function"], set(SMOOTHINGS))
            if len(fn) != 1:
                _fail("cutoff_function", fn, f"must contain exactly one of {list(SMOOTHINGS)}")
            smoothing = next(iter(fn))
            if smoothing == "ShiftedCosine":
                params = _mapping("cutoff_function.ShiftedCosine", fn[smoothing], {"width"},
                                  ["width"])
                width = _real("cutoff_function.ShiftedCosine.width", params["width"])
            else:
                _mapping("cutoff_function.Step", fn[smoothing], set())
                width = None
        gradients = h.get("gradients", False)
        if not isinstance(gradients, bool):
            _fail("gradients", gradients, "must be a bool")
        cutoff = _real("cutoff", h["cutoff"])
        return cls(
            cutoff=cutoff,
            n_radial=_int("max_radial", h["max_radial"], 1),
            l_max=_int("max_angular", h["max_angular"], 0),
            density_width=_real("atomic_gaussian_width", h["atomic_gaussian_width"]),
            center_atom_weight=_real("center_atom_weight", h.get("center_atom_weight", 1.0),
                                     positive=False),
            smoothing=smoothing,
            smoothing_width=_check_width("cutoff_function.ShiftedCosine.width", width, cutoff),
            spline=spline,
            gradients=gradients,
        )

    @classmethod
    def _from_featomic(cls, h):
        for key in h:
            if key not in FEATOMIC_KEYS:
                _fail(key, h[key],
                      f"is not a known key of the featomic spelling {sorted(FEATOMIC_KEYS)}")
        for key in sorted(FEATOMIC_KEYS):
            if key not in h:
                raise ValueError(f"hypers is missing the required key {key!r} (featomic spelling)")
        cut = _mapping("cutoff", h["cutoff"], {"radius", "smoothing"}, ["radius", "smoothing"])
        radius = _real("cutoff.radius", cut["radius"])
        smoothing = _typed("cutoff.smoothing", cut["smoothing"], SMOOTHINGS)
        if smoothing == "ShiftedCosine":
            _mapping("cutoff.smoothing", cut["smoothing"], {"type", "width"}, ["width"])
            width = _real("cutoff.smoothing.width", cut["smoothing"]["width"])
        else:
            _mapping("cutoff.smoothing", cut["smoothing"], {"type"})
            width = None
        dens = h["density"]
        _typed("density", dens, ("Gaussian",))
        _mapping("density", dens, {"type", "width", "center_atom_weight"}, ["width"])
        basis = h["basis"]
        _typed("basis", basis, ("TensorProduct",))
        _mapping("basis", basis, {"type", "max_angular", "radial", "spline_accuracy"},
                 ["max_angular", "radial"])
        radial = basis["radial"]
        _typed("basis.radial", radial, ("Gto",))
        _mapping("basis.radial", radial, {"type", "max_radial", "radius"}, ["max_radial"])
        if "radius" in radial and _real("basis.radial.radius", radial["radius"]) != radius:
            _fail("basis.radial.radius", radial["radius"],
                  f"is only supported when equal to cutoff.radius={radius}")
        accuracy = basis.get("spline_accuracy", 1e-8)
        if accuracy is not None:
            _real("basis.spline_accuracy", accuracy)
        return cls(
            cutoff=radius,
            n_radial=_int("basis.radial.max_radial", radial["max_radial"], 0) + 1,
            l_max=_int("basis.max_angular", basis["max_angular"], 0),
            density_width=_real("density.width", dens["width"]),
            center_atom_weight=_real("density.center_atom_weight",
                                     dens.get("center_atom_weight", 1.0), positive=False),
            smoothing=smoothing,
            smoothing_width=_check_width("cutoff.smoothing.width", width, radius),
            spline=accuracy is not None,
        )

    # ------------------------------------------------------------------ writers
    def to_featomic(self, spline_accuracy: float | None = None) -> dict:
        """The featomic >= 0.6 spelling of these hypers (``max_radial = n_radial - 1``).

        ``spline_accuracy=None`` (the default) asks featomic for its closed form, the
        setting for comparisons tighter than featomic's spline error (PITFALLS.md).
        """
        if self.smoothing == "ShiftedCosine":
            smoothing = {"type": "ShiftedCosine", "width": self.smoothing_width}
        else:
            smoothing = {"type": "Step"}
        return {
            "cutoff": {"radius": self.cutoff, "smoothing": smoothing},
            "density": {
                "type": "Gaussian",
                "width": self.density_width,
                "center_atom_weight": self.center_atom_weight,
            },
            "basis": {
                "type": "TensorProduct",
                "max_angular": self.l_max,
                "radial": {"type": "Gto", "max_radial": self.n_radial - 1},
                "spline_accuracy": spline_accuracy,
            },
        }

    def to_seed(self) -> dict:
        """The seed (rascaline keyword) spelling of these hypers (``max_radial = n_radial``)."""
        if self.smoothing == "ShiftedCosine":
            cutoff_function = {"ShiftedCosine": {"width": self.smoothing_width}}
        else:
            cutoff_function = {"Step": {}}
        return {
            "cutoff": self.cutoff,
            "max_radial": self.n_radial,
            "max_angular": self.l_max,
            "atomic_gaussian_width": self.density_width,
            "radial_basis": {"Gto": {"splined_radial_integral": self.spline}},
            "cutoff_function": cutoff_function,
            "center_atom_weight": self.center_atom_weight,
            "gradients": self.gradients,
        }


def _check_width(key, width, cutoff):
    if width is not None and width >= cutoff:
        _fail(key, width, f"must be smaller than the cutoff radius {cutoff}")
    return width
