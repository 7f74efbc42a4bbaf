"""Atom-centred density correlations (ACDC, lambda-SOAP) by iterated Clebsch-Gordan products.

Starting from density coefficients (``nu = 1``, a :class:`metatensor.TensorMap` from
``SphericalExpansion``), each CG product of a ``(nu_a, sigma_a, lambda_a)`` block with a
``(nu_b, sigma_b, lambda_b)`` block gives, for every ``L`` with
``|lambda_a - lambda_b| <= L <= min(lambda_a + lambda_b, lcut)``, features of the block

    ``order_nu = nu_a + nu_b``, ``o3_sigma = sigma_a sigma_b (-1)**(lambda_a + lambda_b + L)``,
    ``o3_lambda = L``

with values ``X[i, M, (q_a, q_b)] = sum_{m1 m2} C[m1, m2, M] a[i, m1, q_a] b[i, m2, q_b]``
(``C`` the real Clebsch-Gordan coefficients of ``o3ref.fast.real_clebsch_gordan``). A block
``(sigma, lambda)`` picks up ``sigma (-1)**lambda`` under inversion; ``nu = 1`` blocks have
``sigma = +1``. Position gradients follow the product rule
``dX = C (da) b + C a (db)``.

Property names (the seed tutorial's scheme, with today's metatensor names). After
:func:`acdc_standardize_keys` every property name gets the suffix ``_1`` (a trailing
``_<digits>`` is replaced). :func:`cg_increment` then names the properties of the product:

=====================  ===========================  ==========================================
input                  seed tutorial (rascaline)    o3ref (featomic/metatensor names)
=====================  ===========================  ==========================================
nu = 1 properties      ``species_neighbor_1, n_1``  ``neighbor_type_1, n_1``
nu = 2 properties      ``species_neighbor_1, n_1,   ``neighbor_type_1, n_1, l_1,
                       l_1, species_neighbor_2,     neighbor_type_2, n_2, l_2``
                       n_2, l_2``
nu = 3 properties      ``... l_2, k_3,              ``... l_2, k_3, neighbor_type_3, n_3, l_3``
                       species_neighbor_3, n_3,
                       l_3``
=====================  ===========================  ==========================================

``l_1, l_2`` are the degrees of the two ``nu = 1`` factors; ``k_{nu+1}`` is the degree of
the ``nu``-body factor and ``l_{nu+1}`` that of the ``nu = 1`` factor in the step that made
``nu + 1``. The key names map as ``inversion_sigma -> o3_sigma``,
``spherical_harmonics_l -> o3_lambda``, ``species_center -> center_type``,
``species_neighbor -> neighbor_type``; ``order_nu`` is unchanged.

Order of the output: keys in the order they first appear when looping over the blocks of
``x_a``, then of ``x_b``, then ``L``; within a block the properties of each ``(a, b)``
block pair follow each other in that loop order, with ``q_a`` outer and ``q_b`` inner (the
seed's order, so its printed numbers can be compared entry by entry).

Conventions: :mod:`o3ref.reference.conventions`.

Sign-sensitive check: two l = 1 vectors coupled to L = 1 give ``(u x v)/sqrt(2)`` in
``(y, z, x)`` order, with parity ``sigma = -1`` (a pseudo-vector):

>>> import numpy as np
>>> from metatensor import Labels, TensorBlock, TensorMap
>>> def vector(v, name):
...     block = TensorBlock(
...         values=np.array(v, dtype=float).reshape(1, 3, 1),
...         samples=Labels(["system"], np.array([[0]])),
...         components=[Labels(["o3_mu"], np.array([[-1], [0], [1]]))],
...         properties=Labels([name], np.array([[0]])),
...     )
...     return TensorMap(Labels(["o3_lambda"], np.array([[1]])), [block])
>>> u = acdc_standardize_keys(vector([0.0, 0.0, 1.0], "n"))   # x unit vector (y, z, x)
>>> v = acdc_standardize_keys(vector([1.0, 0.0, 0.0], "n"))   # y unit vector
>>> out = cg_increment(u, v, lcut=1, selected_keys=[(-1, 1)])
>>> out.keys.names, out.keys.values.tolist()
(['order_nu', 'o3_sigma', 'o3_lambda'], [[2, -1, 1]])
>>> np.round(out.block(0).values[0, :, 0] * np.sqrt(2), 12).tolist()   # x cross y = z
[0.0, 1.0, 0.0]
"""

from __future__ import annotations

import numbers
import re

import numpy as np
from metatensor import Labels, TensorBlock, TensorMap

from .acdc_blocks import Piece, build_block, check_blocks, same_tensor

__all__ = ["acdc_standardize_keys", "cg_combine", "cg_increment"]

#: key names that carry the symmetry of an ACDC block
SYMMETRY_KEYS = ("order_nu", "o3_sigma", "o3_lambda")

#: extra keys matched by default (a centre's features only combine with the same centre's)
DEFAULT_MATCH = ("center_type",)

_SUFFIX = re.compile(r"_[0-9]+$")


def _root(name: str) -> str:
    """``name`` without a trailing ``_<digits>`` (``n_1 -> n``; ``neighbor_type`` unchanged)."""
    return _SUFFIX.sub("", name)


def _check_tensor(name: str, tensor) -> None:
    if not isinstance(tensor, TensorMap):
        raise TypeError(f"{name} must be a metatensor TensorMap, got {type(tensor).__name__}")
    if len(tensor.keys) == 0:
        raise ValueError(f"{name} has no blocks: a CG product needs at least one block")


def _relabel_properties(block: TensorBlock, names: list[str]) -> TensorBlock:
    properties = Labels(names, np.asarray(block.properties.values))
    new = TensorBlock(
        values=np.array(block.values, copy=True),  # no aliasing with the input
        samples=block.samples,
        components=block.components,
        properties=properties,
    )
    for parameter, gradient in block.gradients():
        new.add_gradient(
            parameter,
            TensorBlock(
                values=np.array(gradient.values, copy=True),
                samples=gradient.samples,
                components=gradient.components,
                properties=properties,
            ),
        )
    return new


def acdc_standardize_keys(descriptor: TensorMap) -> TensorMap:
    """Put density coefficients (nu = 1) in ACDC form.

    Adds the key ``order_nu = 1`` and, when missing, ``o3_sigma = +1`` (an ``o3_sigma`` key
    already present keeps its values); the keys become
    ``(order_nu, o3_sigma, o3_lambda, <other keys in their original order>)``. Every
    property name gets the suffix ``_1`` (``n -> n_1``, ``neighbor_type -> neighbor_type_1``;
    a trailing ``_<digits>`` is replaced). Values, samples, components and every gradient
    are kept.

    Conventions: :mod:`o3ref.reference.conventions`.
    """
    _check_tensor("descriptor", descriptor)
    names = list(descriptor.keys.names)
    if "o3_lambda" not in names:
        raise ValueError(
            f"descriptor has keys {names}: an 'o3_lambda' key (the degree of each block) "
            "is required"
        )
    check_blocks("descriptor", descriptor)
    values = np.asarray(descriptor.keys.values)
    columns = {name: values[:, k] for k, name in enumerate(names)}
    n_keys = len(values)
    order_nu = columns.get("order_nu", np.ones(n_keys, dtype=np.int32))
    sigma = columns.get("o3_sigma", np.ones(n_keys, dtype=np.int32))
    if not np.all(np.isin(sigma, (-1, 1))):
        raise ValueError(
            f"descriptor has o3_sigma values {sorted(set(sigma.tolist()))}: "
            "each must be +1 or -1"
        )
    others = [name for name in names if name not in SYMMETRY_KEYS]
    new_values = np.column_stack(
        [order_nu, sigma, columns["o3_lambda"]] + [columns[name] for name in others]
    ).astype(np.int32)
    keys = Labels(list(SYMMETRY_KEYS) + others, new_values)
    blocks = []
    for block in descriptor.blocks():
        new_names = [_root(name) + "_1" for name in block.properties.names]
        blocks.append(_relabel_properties(block, new_names))
    return TensorMap(keys, blocks)


# ------------------------------------------------------------------------------------------
# planning: which block pairs feed which output block, and where their properties go
# ------------------------------------------------------------------------------------------


def _check_lcut(lcut):
    if isinstance(lcut, bool) or not isinstance(lcut, numbers.Integral):
        raise TypeError(f"lcut={lcut!r} must be a non-negative integer")
    if lcut < 0:
        raise ValueError(f"lcut={lcut} must be a non-negative integer")
    return int(lcut)


def _check_symmetry_keys(name: str, tensor: TensorMap) -> None:
    missing = [k for k in SYMMETRY_KEYS if k not in tensor.keys.names]
    if missing:
        raise ValueError(
            f"{name} has keys {list(tensor.keys.names)}, missing {missing}: call "
            "acdc_standardize_keys on density coefficients first"
        )


def _parse_selected(selected_keys):
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


def _key_layout(x_a, x_b, other_keys_match):
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


def _default_property_names(x_a, x_b):
    nu = int(x_a.keys.values[0][x_a.keys.names.index("order_nu")]) + int(
        x_b.keys.values[0][x_b.keys.names.index("order_nu")]
    )
    names_a = list(x_a.block(0).properties.names)
    names_b = list(x_b.block(0).properties.names)
    return (
        [n + "_a" for n in names_a] + [f"k_{nu}"] + [n + "_b" for n in names_b] + [f"l_{nu}"]
    )


def cg_combine(
    x_a: TensorMap,
    x_b: TensorMap,
    lcut: int | None = None,
    *,
    property_names=None,
    other_keys_match=None,
    symmetric: bool = False,
    selected_keys=None,
) -> TensorMap:
    """CG product of two ACDC TensorMaps (keys ``order_nu, o3_sigma, o3_lambda, ...``).

    Parameters
    ----------
    x_a, x_b:
        TensorMaps with the keys of :func:`acdc_standardize_keys` (or of an earlier
        product). Combined blocks must have identical samples.
    lcut:
        largest output ``o3_lambda`` (default: the sum of the largest input degrees).
    property_names:
        names of the output properties: those of ``x_a``, the degree of the ``x_a`` block,
        those of ``x_b``, the degree of the ``x_b`` block. Default: ``<name>_a ... k_nu
        <name>_b ... l_nu`` with ``nu`` the output body order.
    other_keys_match:
        key names (besides the symmetry keys) whose values must be equal for two blocks to
        be combined; they appear once in the output keys. Default: ``["center_type"]`` when
        both inputs have that key. Extra keys not matched form an outer product (all pairs
        of blocks), renamed ``<name>_a`` / ``<name>_b`` when both inputs have them: a
        ``neighbor_type`` left in the keys gives ``neighbor_type_a, neighbor_type_b``.
    symmetric:
        for a TensorMap combined with itself (``x_a`` and ``x_b`` equal): keep one of each
        pair of mirror combinations. Block pairs are kept when
        ``(lambda_a, index_a) <= (lambda_b, index_b)``; a block combined with itself keeps
        the property pairs ``q_a <= q_b`` (``q_a < q_b`` when
        ``lambda_a + lambda_b + L`` is odd, where the diagonal vanishes identically). The
        dropped features are exactly ``(-1)**(lambda_a + lambda_b + L)`` times kept ones.
    selected_keys:
        iterable of ``(o3_sigma, o3_lambda)`` pairs (or Labels with these names): compute
        only these output blocks.

    Returns a TensorMap keyed ``(order_nu, o3_sigma, o3_lambda, <extra keys>)``.
    Conventions: :mod:`o3ref.reference.conventions`.
    """
    _check_tensor("x_a", x_a)
    _check_tensor("x_b", x_b)
    _check_symmetry_keys("x_a", x_a)
    _check_symmetry_keys("x_b", x_b)
    for label, tensor in (("x_a", x_a), ("x_b", x_b))[: 1 if x_b is x_a else 2]:
        check_blocks(label, tensor)
    key_index_a = [x_a.keys.names.index(k) for k in SYMMETRY_KEYS]
    key_index_b = [x_b.keys.names.index(k) for k in SYMMETRY_KEYS]
    keys_a = np.asarray(x_a.keys.values)
    keys_b = np.asarray(x_b.keys.values)
    if lcut is None:
        lcut = int(keys_a[:, key_index_a[2]].max() + keys_b[:, key_index_b[2]].max())
    lcut = _check_lcut(lcut)
    selected = _parse_selected(selected_keys)
    if symmetric and not same_tensor(x_a, x_b):
        raise ValueError(
            "symmetric=True needs x_a and x_b to be the same TensorMap (equal keys, samples, "
            "properties and values): it drops mirror combinations of a tensor with itself"
        )
    extra_names, combine_keys = _key_layout(x_a, x_b, other_keys_match)
    if property_names is None:
        property_names = _default_property_names(x_a, x_b)
    property_names = list(property_names)

    blocks_a = list(x_a.blocks())
    blocks_b = list(x_b.blocks())
    n_props_a = [len(block.properties) for block in blocks_a]
    n_props_b = [len(block.properties) for block in blocks_b]
    expected = len(x_a.block(0).properties.names) + len(x_b.block(0).properties.names) + 2
    if len(property_names) != expected:
        raise ValueError(
            f"property_names has {len(property_names)} names: it must have {expected} "
            "(the properties of x_a, its degree, the properties of x_b, its degree)"
        )
    gradient_parameters = sorted(
        set.intersection(*[set(b.gradients_list()) for b in blocks_a + blocks_b])
    )

    # plan the output: key -> list of pieces
    plan: dict[tuple, list[Piece]] = {}
    sizes: dict[tuple, int] = {}
    checked_samples = set()
    for ia, key_a in enumerate(keys_a):
        nu_a, sigma_a, lam_a = (int(key_a[k]) for k in key_index_a)
        for ib, key_b in enumerate(keys_b):
            nu_b, sigma_b, lam_b = (int(key_b[k]) for k in key_index_b)
            extra = combine_keys(key_a, key_b)
            if extra is None:
                continue
            if symmetric and (lam_a, ia) > (lam_b, ib):
                continue
            Ls = range(abs(lam_a - lam_b), min(lam_a + lam_b, lcut) + 1)
            for L in Ls:
                sigma = sigma_a * sigma_b * (-1) ** (lam_a + lam_b + L)
                if selected is not None and (sigma, L) not in selected:
                    continue
                if (ia, ib) not in checked_samples:
                    if blocks_a[ia].samples != blocks_b[ib].samples:
                        raise ValueError(
                            f"mismatched samples: x_a block {key_a.tolist()} has "
                            f"{len(blocks_a[ia].samples)} samples and x_b block "
                            f"{key_b.tolist()} has {len(blocks_b[ib].samples)} "
                            "(or different ones): combined blocks must have identical samples"
                        )
                    checked_samples.add((ia, ib))
                key = (nu_a + nu_b, sigma, L) + extra
                triangle = None
                size = n_props_a[ia] * n_props_b[ib]
                if symmetric and ia == ib:
                    strict = (lam_a + lam_b + L) % 2 == 1
                    triangle = np.triu_indices(n_props_a[ia], k=1 if strict else 0)
                    size = len(triangle[0])
                if size == 0:
                    continue
                offset = sizes.get(key, 0)
                piece = Piece(ia, ib, lam_a, lam_b, L, offset, size, triangle)
                plan.setdefault(key, []).append(piece)
                sizes[key] = offset + size

    out_keys, out_blocks = [], []
    for key, pieces in plan.items():
        out_keys.append(key)
        out_blocks.append(
            build_block(key[2], pieces, sizes[key], blocks_a, blocks_b, property_names,
                        gradient_parameters)
        )
    names = list(SYMMETRY_KEYS) + extra_names
    if not out_keys:
        return TensorMap(Labels(names, np.zeros((0, len(names)), dtype=np.int32)), [])
    return TensorMap(Labels(names, np.asarray(out_keys, dtype=np.int32)), out_blocks)


def cg_increment(
    x_nu: TensorMap,
    x_1: TensorMap,
    lcut: int | None = None,
    *,
    other_keys_match=None,
    symmetric: bool = False,
    selected_keys=None,
) -> TensorMap:
    """One ACDC iteration: the CG product of ``nu``-body features with ``nu = 1`` features.

    ``x_1`` must hold ``order_nu = 1`` blocks (from :func:`acdc_standardize_keys`) and
    ``x_nu`` blocks of a single body order ``nu``. Properties are named as in the module
    table: ``nu = 1``: ``<roots>_1, l_1, <roots>_2, l_2``; ``nu > 1``: the properties of
    ``x_nu``, ``k_{nu+1}``, ``<roots>_{nu+1}``, ``l_{nu+1}``, where ``<roots>`` are the
    property names of ``x_1`` without their suffix. ``lcut`` bounds the output
    ``o3_lambda``; the other options are those of :func:`cg_combine`. The seed tutorial's
    lambda-SOAP is ``cg_increment(nu1, nu1, lcut=4)`` with ``center_type`` moved to the
    samples and ``neighbor_type`` to the properties.

    Conventions: :mod:`o3ref.reference.conventions`.
    """
    _check_tensor("x_nu", x_nu)
    _check_tensor("x_1", x_1)
    _check_symmetry_keys("x_nu", x_nu)
    _check_symmetry_keys("x_1", x_1)
    for label, tensor in (("x_nu", x_nu), ("x_1", x_1))[: 1 if x_1 is x_nu else 2]:
        check_blocks(label, tensor)
    orders_1 = set(x_1.keys.column("order_nu").tolist())
    if orders_1 != {1}:
        raise ValueError(f"x_1 has order_nu values {sorted(orders_1)}: they must all be 1")
    orders = set(x_nu.keys.column("order_nu").tolist())
    if len(orders) != 1:
        raise ValueError(
            f"x_nu has order_nu values {sorted(orders)}: all its blocks must have one body order"
        )
    nu = orders.pop()
    roots = [_root(name) for name in x_1.block(0).properties.names]
    if nu == 1:
        names = [r + "_1" for r in roots] + ["l_1"] + [r + "_2" for r in roots] + ["l_2"]
    else:
        names = (
            list(x_nu.block(0).properties.names)
            + [f"k_{nu + 1}"]
            + [f"{r}_{nu + 1}" for r in roots]
            + [f"l_{nu + 1}"]
        )
    return cg_combine(
        x_nu,
        x_1,
        lcut,
        property_names=names,
        other_keys_match=other_keys_match,
        symmetric=symmetric,
        selected_keys=selected_keys,
    )
