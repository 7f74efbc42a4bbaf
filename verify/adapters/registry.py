"""The adapter registry: the built-in adapters, those registered by other packages in the
entry-point group ``o3ref.adapters``, what each declares (library versions it knows, largest
degree per quantity, dtype), and a guard that turns a failing implementation into one line
naming the adapter and the quantity.

Conventions: :mod:`o3ref.reference.conventions`.

>>> adapter_max_l(get_adapter("e3nn"))["cg"] >= 4
True
>>> str(adapter_dtype(get_adapter("sphericart"), "sh"))
'float64'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

import numpy as np

__all__ = ["ADAPTERS", "ENTRY_POINT_GROUP", "AdapterError", "adapter_dtype", "adapter_max_l",
           "adapter_names", "checked_implementations", "get_adapter", "guard", "installed_versions",
           "require", "version_known"]

#: the adapters shipped with o3ref (modules of this package)
ADAPTERS = ("sphericart", "featomic", "e3nn", "scipy", "sympy", "wigners", "spherical",
            "cuequivariance", "e3x", "escnn", "cuequivariance_torch")

#: the entry-point group in which any package may register an adapter
ENTRY_POINT_GROUP = "o3ref.adapters"

# import name -> pip name
_PIP = {"sphericart": "sphericart", "featomic": "featomic", "torch": "torch e3nn",
        "e3nn": "e3nn", "scipy": "scipy", "sympy": "sympy", "wigners": "wigners",
        "spherical": "spherical", "quaternionic": "spherical",
        "cuequivariance": "cuequivariance", "cuequivariance_torch": "cuequivariance-torch",
        "e3x": "e3x", "jax": "jax e3x", "escnn": "escnn", "lie_learn": "escnn",
        "py3nj": "py3nj"}


class AdapterError(ValueError):
    """An adapter, or the implementation behind it, misbehaved (one line, no traceback)."""


def require(module: str) -> ModuleType:
    """Import ``module`` or raise ``ImportError`` telling which package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pip = _PIP.get(module.split(".")[0], module.split(".")[0])
        raise ImportError(
            f"this o3ref adapter needs the optional package {module!r}, which is not "
            f"installed: pip install {pip}"
        ) from exc


def _entry_points() -> dict:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def adapter_names() -> tuple[str, ...]:
    """The built-in adapters, then those of the entry-point group (sorted)."""
    extra = sorted(n for n in _entry_points() if n not in ADAPTERS)
    return ADAPTERS + tuple(extra)


def _validate(name: str, obj) -> None:
    if not callable(getattr(obj, "implementations", None)):
        raise AdapterError(f"adapter {name!r}: {obj!r} has no implementations() (see "
                           "o3ref.verify.adapters for what an adapter provides)")
    max_l = getattr(obj, "MAX_L", {})
    if not isinstance(max_l, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in max_l.values()):
        raise AdapterError(f"adapter {name!r}: MAX_L={max_l!r} must be a dict quantity -> "
                           "non-negative int")


def get_adapter(name: str):
    """The adapter called ``name``: ``o3ref.verify.adapters.<name>`` for a built-in one
    (its library is not imported), else the object registered under ``name`` in the
    entry-point group ``o3ref.adapters``."""
    if name in ADAPTERS:
        return importlib.import_module(f"{__package__}.{name}")
    eps = _entry_points()
    if name not in eps:
        raise ValueError(f"adapter name={name!r} must be one of {', '.join(adapter_names())} "
                         f"(built in, or registered in the entry-point group "
                         f"{ENTRY_POINT_GROUP!r})")
    try:
        obj = eps[name].load()
    except Exception as exc:  # a third-party module that fails to import: one line
        raise AdapterError(f"adapter {name!r}: entry point {eps[name].value!r} failed to load: "
                           f"{type(exc).__name__}: {exc}") from None
    _validate(name, obj)
    return obj


def adapter_max_l(adapter) -> dict[str, int]:
    """Largest degree per quantity (``max_l()`` for the installed version when the adapter
    has one, else ``MAX_L``); a quantity not listed has no declared limit."""
    if callable(getattr(adapter, "max_l", None)):
        return dict(adapter.max_l())
    return dict(getattr(adapter, "MAX_L", {}))


def adapter_dtype(adapter, quantity: str) -> np.dtype:
    """The dtype of the adapter's results for ``quantity`` (float64 when undeclared)."""
    dtype = getattr(adapter, "DTYPE", "float64")
    if isinstance(dtype, dict):
        dtype = dtype.get(quantity, dtype.get("default", "float64"))
    return np.dtype(dtype)


def installed_versions(adapter) -> dict[str, str | None]:
    """``distribution -> installed version`` (None when missing) of ``DISTRIBUTIONS``."""
    from ..provenance import distribution_version

    return {d: distribution_version(d) for d in getattr(adapter, "DISTRIBUTIONS", ())}


def _prefix_matches(version: str, prefix: str) -> bool:
    v, p = version.split("+")[0].split("."), prefix.split(".")
    return v[: len(p)] == p


def version_known(adapter) -> list[str]:
    """Notes on installed versions outside ``KNOWN_VERSIONS`` (empty when all are known)."""
    notes = []
    for dist, prefixes in getattr(adapter, "KNOWN_VERSIONS", {}).items():
        from ..provenance import distribution_version

        v = distribution_version(dist)
        if v is not None and not any(_prefix_matches(v, p) for p in prefixes):
            notes.append(f"{dist} {v} is not among the versions this adapter knows "
                         f"({', '.join(prefixes)})")
    return notes


# ------------------------------------------------------------------ the guard


def _show(args) -> str:
    def one(a):
        if hasattr(a, "shape") and getattr(a, "ndim", 0) > 0:
            return f"<array {tuple(a.shape)}>"
        if isinstance(a, (float, np.floating)):
            return f"{float(a):.4g}"
        return repr(a)

    return "(" + ", ".join(one(a) for a in args) + ")"


def _expected_shapes(quantity: str, args) -> list[tuple] | None:
    if quantity in ("sh", "sh_gradient"):
        n, k = len(args[1]), (args[0] + 1) ** 2
        return [(n, k)] if quantity == "sh" else [(n, k), (n, 3, k)]
    if quantity == "wigner_d":
        return [(2 * args[0] + 1, 2 * args[0] + 1)]
    if quantity in ("cg", "complex_cg"):
        return [tuple(2 * int(v) + 1 for v in args[:3])]
    return None


def _as_array(name, quantity, args, value, shape) -> np.ndarray:
    where = f"adapter {name!r}, {quantity}{_show(args)}"
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - anything that is not array-like
        raise AdapterError(f"{where} returned a {type(value).__name__}, not an array: "
                           f"{exc}") from None
    if arr.dtype.kind not in "biufc":
        raise AdapterError(f"{where} returned a {type(value).__name__} of dtype {arr.dtype}, "
                           "not a numeric array") from None
    if shape is not None and arr.shape != shape:
        raise AdapterError(f"{where} returned shape {arr.shape}, expected {shape}")
    if not np.all(np.isfinite(arr)):
        raise AdapterError(f"{where} returned non-finite values (NaN or inf)")
    return arr


def guard(name: str, quantity: str, func: Callable) -> Callable:
    """``func`` whose failures (an exception, a wrong shape, NaN, a non-array) become one
    :class:`AdapterError` line naming the adapter, the quantity and the arguments."""

    def guarded(*args):
        try:
            out = func(*args)
        except AdapterError:
            raise
        except Exception as exc:  # noqa: BLE001 - the implementation under test failed
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise AdapterError(f"adapter {name!r}, {quantity}{_show(args)} raised "
                               f"{type(exc).__name__}: {text}") from None
        shapes = _expected_shapes(quantity, args)
        if quantity == "sh_gradient":
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise AdapterError(f"adapter {name!r}, {quantity}{_show(args)} returned a "
                                   f"{type(out).__name__}, expected (values, gradients)")
            return tuple(_as_array(name, quantity, args, v, s)
                         for v, s in zip(out, shapes, strict=True))
        if quantity == "cartesian":
            return [_as_array(name, quantity, args, v, None) for v in out]
        return _as_array(name, quantity, args, out, shapes[0] if shapes else None)

    guarded.__name__ = getattr(func, "__name__", quantity)
    return guarded


def checked_implementations(name: str, adapter=None) -> dict[str, Callable]:
    """The adapter's ``implementations()``, each behind :func:`guard`; ``ImportError``
    (library missing) propagates, any other failure becomes an :class:`AdapterError`."""
    adapter = get_adapter(name) if adapter is None else adapter
    try:
        impl = adapter.implementations()
    except ImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - a third-party adapter that fails: one line
        raise AdapterError(f"adapter {name!r}: implementations() raised "
                           f"{type(exc).__name__}: {exc}") from None
    if not isinstance(impl, dict):
        raise AdapterError(f"adapter {name!r}: implementations() returned a "
                           f"{type(impl).__name__}, expected a dict quantity -> callable")
    return {q: guard(name, q, f) for q, f in impl.items()}
