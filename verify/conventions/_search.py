"""Reading the pieces of a :class:`o3ref.verify.convention_maps.ConventionMap` off fitted
matrices: the detector's factored search (:mod:`o3ref.verify.conventions.detect`,
:mod:`o3ref.verify.conventions._matrices`).

A convention differs from o3ref's, at each degree ``l``, by a matrix ``X_l``: the other
library's vector over its positions is ``X_l`` times o3ref's (after the argument is read and a
complex basis is taken off). When ``X_l`` is monomial (one entry per row and column), its
pattern is an ``m`` order and its entries are a normalisation times signs; these are matched
against the named pieces one kind at a time (order, then normalisation, then signs or a
product of two sign rules), never as a product over all combinations.

Conventions: :mod:`o3ref.reference.conventions`.

>>> import numpy as np
>>> x = np.diag([1.0, -1.0, 1.0])[::-1]  # m descending, sign flipped at m = 0
>>> read_monomial(x, 1)
([1, 0, -1], [1.0, -1.0, 1.0])
"""

from __future__ import annotations

import itertools

import numpy as np

from .maps import M_ORDERS, SH_NORMALISATIONS, SH_SIGNS, Piece

__all__ = ["match_normalisation", "match_order", "match_signs", "read_monomial", "read_pieces"]


def read_monomial(x: np.ndarray, l: int, rtol: float = 1e-5):
    """``(ms, factors)`` when ``x`` has one significant entry per row and column: the ``m``
    of o3ref's column at each row and the entry there; None otherwise."""
    x = np.asarray(x)
    scale = float(np.max(np.abs(x))) if x.size else 0.0
    if scale == 0.0:
        return None
    big = np.abs(x) > rtol * scale
    if not (np.all(big.sum(axis=1) == 1) and np.all(big.sum(axis=0) == 1)):
        return None
    cols = np.argmax(big, axis=1)
    factors = x[np.arange(len(cols)), cols]
    if not np.iscomplexobj(factors) or np.max(np.abs(factors.imag)) <= rtol * scale:
        factors = np.real(factors)
    return [int(c) - l for c in cols], [complex(f) if np.iscomplexobj(f) else float(f)
                                        for f in factors]


def match_order(seen: dict[int, list[int]]) -> list[Piece] | None:
    """The order piece (none for o3ref's ``m = -l..l``) whose ``m`` lists are ``seen[l]``."""
    if all(ms == list(range(-l, l + 1)) for l, ms in seen.items()):
        return []
    for piece in M_ORDERS.values():
        if all(ms == piece.value(l) for l, ms in seen.items()):
            return [piece]
    return None


def match_normalisation(table: dict[tuple[int, int], complex], rtol: float = 1e-5):
    """The normalisation piece matching ``|table[l, m]|`` (none for orthonormal)."""
    mags = {k: abs(v) for k, v in table.items()}
    if all(abs(v - 1.0) <= rtol for v in mags.values()):
        return []
    for piece in SH_NORMALISATIONS.values():
        if all(abs(v - piece.value(*k)) <= rtol * abs(piece.value(*k)) for k, v in mags.items()):
            return [piece]
    return None


def _sign_candidates():
    rules = list(SH_SIGNS.values())
    yield []
    for r in rules:
        yield [r]
    yield from (list(pair) for pair in itertools.combinations(rules, 2))


def match_signs(phases: dict[tuple[int, int], complex], per_l_free: bool = False,
                rtol: float = 1e-5):
    """The sign rules (none, one, or a product of two) giving ``phases[l, m]``.

    With ``per_l_free`` a common factor per ``l`` is allowed (a Wigner D does not see it)."""
    for rules in _sign_candidates():
        ok = True
        ratio: dict[int, complex] = {}
        for (l, m), p in phases.items():
            s = 1
            for r in rules:
                s *= r.value(l, m)
            q = p / s
            if per_l_free:
                ratio.setdefault(l, q)
                q = q / ratio[l]
            if abs(q - 1) > rtol:
                ok = False
                break
        if ok:
            return rules
    return None


def read_pieces(mats: dict[int, np.ndarray], per_l_free: bool = False, rtol: float = 1e-5):
    """Order, normalisation and sign pieces of the monomial matrices ``mats[l]`` (the other
    library's vector = ``mats[l]`` @ o3ref's); None when they are not of that form."""
    seen, table = {}, {}
    for l, x in mats.items():
        read = read_monomial(x, l, rtol)
        if read is None:
            return None
        seen[l], factors = read
        for m, f in zip(seen[l], factors, strict=True):
            table[l, m] = f
    order = match_order(seen)
    if order is None:
        return None
    if per_l_free:  # a D sees a common factor per l only: no normalisation to read
        norm: list[Piece] = []
        phases = table
    else:
        norm = match_normalisation(table, rtol)
        if norm is None:
            return None
        scale = {k: (norm[0].value(*k) if norm else 1.0) for k in table}
        phases = {k: v / scale[k] for k, v in table.items()}
    signs = match_signs(phases, per_l_free, rtol)
    if signs is None:
        return None
    return order + norm + signs
