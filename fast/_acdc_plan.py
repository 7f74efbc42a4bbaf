"""Planning of the ACDC CG products: which block pairs feed which output block, and where.

Used by :func:`o3ref.fast.acdc.cg_combine`: the output keys (the symmetry keys and the
extra keys, matched or paired), the ``(block a, block b, L)`` pieces of every output block
and their offsets in its properties. :mod:`o3ref.fast._acdc_blocks` then fills them.

Conventions: :mod:`o3ref.reference.conventions` (``o3_sigma`` of a product:
``sigma_a sigma_b (-1)^(lambda_a + lambda_b + L)``).
"""

from __future__ import annotations

import numbers

import numpy as np
from metatensor import Labels

from ._acdc_blocks import Piece

__all__ = ["SYMMETRY_KEYS", "DEFAULT_MATCH", "check_lcut", "parse_selected", "key_layout",
           "default_property_names", "plan_pieces"]

#: key names that carry the symmetry of an ACDC block
SYMMETRY_KEYS = ("order_nu", "o3_sigma", "o3_lambda")

#: extra keys matched by default (a centre's features only combine with the same centre's)
DEFAULT_MATCH = ("center_type",)


def check_lcut(lcut):
    if isinstance(lcut, bool) or not isinstance(lcut, numbers.Integral):
        raise TypeError(f"lcut={lcut!r} must be a non-negative integer")
    if lcut < 0:
        raise ValueError(f"lcut={lcut} must be a non-negative integer")
    return int(lcut)


def parse_selected(selected_keys):
    if selected_keys is None:
        return None
    if isinstance(selected_keys, Labels):
        names = list(selected_keys.names)
        if names != ["o3_sigma", "o3_lambda"]:
            raise ValueError(
                f"selected_keys has names {names}: it must have the names ['o3_sigma', 'o3_lambda']"
            )
        return {tuple(int(v) for v in row) for row in np.asarray(selected_keys.values)}
    result = set()
    for item in selected_keys:
        try:
            sigma, lam = (int(v) for v in item)
        except (TypeError, ValueError):
            raise ValueError(
                f"selected_keys entry {item!r} must be a pair (o3_sigma, o3_lambda)"
            ) from None
        if sigma not in (-1, 1) or lam < 0:
            raise ValueError(
                f"selected_keys entry {item!r}: o3_sigma must be +1 or -1 and o3_lambda >= 0"
            )
        result.add((sigma, lam))
    return result


def key_layout(x_a, x_b, other_keys_match):
    """(names of the output's extra keys, function (key_a, key_b) -> extra values or None)."""
    others_a = [n for n in x_a.keys.names if n not in SYMMETRY_KEYS]
    others_b = [n for n in x_b.keys.names if n not in SYMMETRY_KEYS]
    if other_keys_match is None:
        match = [n for n in DEFAULT_MATCH if n in others_a and n in others_b]
    else:
        match = list(other_keys_match)
        for name in match:
            if name not in others_a or name not in others_b:
                raise ValueError(
                    f"other_keys_match names {name!r}, which is not a key of both inputs "
                    f"(x_a: {others_a}, x_b: {others_b})"
                )
    only_a = [n for n in others_a if n not in match]
    only_b = [n for n in others_b if n not in match]
    names = (
        match
        + [n + ("_a" if n in others_b else "") for n in only_a]
        + [n + ("_b" if n in others_a else "") for n in only_b]
    )
    index_a = {n: x_a.keys.names.index(n) for n in others_a}
    index_b = {n: x_b.keys.names.index(n) for n in others_b}

    def combine(key_a, key_b):
        values = []
        for n in match:
            if key_a[index_a[n]] != key_b[index_b[n]]:
                return None
            values.append(int(key_a[index_a[n]]))
        values += [int(key_a[index_a[n]]) for n in only_a]
        values += [int(key_b[index_b[n]]) for n in only_b]
        return tuple(values)

    return names, combine


def default_property_names(x_a, x_b):
    nu = int(x_a.keys.values[0][x_a.keys.names.index("order_nu")]) + int(
        x_b.keys.values[0][x_b.keys.names.index("order_nu")]
    )
    names_a = list(x_a.block(0).properties.names)
    names_b = list(x_b.block(0).properties.names)
    return (
        [n + "_a" for n in names_a] + [f"k_{nu}"] + [n + "_b" for n in names_b] + [f"l_{nu}"]
    )


def plan_pieces(x_a, x_b, lcut, symmetric, selected, combine_keys):
    """``(plan, sizes)``: per output key, its :class:`o3ref.fast._acdc_blocks.Piece` s and
    its number of properties. Every pair of blocks whose extra keys combine
    (``combine_keys``), every ``L`` of ``|lambda_a - lambda_b|..min(lambda_a + lambda_b,
    lcut)`` (and in ``selected`` when given); ``symmetric`` keeps one of each mirror pair
    and the upper triangle of the properties of a block with itself. Combined blocks must
    have identical samples (``ValueError`` otherwise)."""
    keys_a, keys_b = np.asarray(x_a.keys.values), np.asarray(x_b.keys.values)
    key_index_a = [x_a.keys.names.index(k) for k in SYMMETRY_KEYS]
    key_index_b = [x_b.keys.names.index(k) for k in SYMMETRY_KEYS]
    blocks_a, blocks_b = list(x_a.blocks()), list(x_b.blocks())
    plan: dict[tuple, list[Piece]] = {}
    sizes: dict[tuple, int] = {}
    checked_samples = set()
    for ia, key_a in enumerate(keys_a):
        nu_a, sigma_a, lam_a = (int(key_a[k]) for k in key_index_a)
        for ib, key_b in enumerate(keys_b):
            nu_b, sigma_b, lam_b = (int(key_b[k]) for k in key_index_b)
            extra = combine_keys(key_a, key_b)
            if extra is None or (symmetric and (lam_a, ia) > (lam_b, ib)):
                continue
            for L in range(abs(lam_a - lam_b), min(lam_a + lam_b, lcut) + 1):
                sigma = sigma_a * sigma_b * (-1) ** (lam_a + lam_b + L)
                if selected is not None and (sigma, L) not in selected:
                    continue
                if (ia, ib) not in checked_samples:
                    _check_samples(blocks_a[ia], blocks_b[ib], key_a, key_b)
                    checked_samples.add((ia, ib))
                key = (nu_a + nu_b, sigma, L) + extra
                triangle = None
                size = len(blocks_a[ia].properties) * len(blocks_b[ib].properties)
                if symmetric and ia == ib:
                    strict = (lam_a + lam_b + L) % 2 == 1
                    triangle = np.triu_indices(len(blocks_a[ia].properties),
                                               k=1 if strict else 0)
                    size = len(triangle[0])
                if size == 0:
                    continue
                offset = sizes.get(key, 0)
                plan.setdefault(key, []).append(
                    Piece(ia, ib, lam_a, lam_b, L, offset, size, triangle))
                sizes[key] = offset + size
    return plan, sizes


def _check_samples(block_a, block_b, key_a, key_b):
    if block_a.samples != block_b.samples:
        raise ValueError(
            f"mismatched samples: x_a block {key_a.tolist()} has {len(block_a.samples)} "
            f"samples and x_b block {key_b.tolist()} has {len(block_b.samples)} (or different "
            "ones): combined blocks must have identical samples"
        )
