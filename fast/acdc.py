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

import re

import numpy as np
from metatensor import Labels, TensorBlock, TensorMap

from ._acdc_blocks import build_block, check_blocks, same_tensor
from ._acdc_plan import (
    DEFAULT_MATCH,
    SYMMETRY_KEYS,
    check_lcut,
    default_property_names,
    key_layout,
    parse_selected,
    plan_pieces,
)

__all__ = ["acdc_standardize_keys", "cg_combine", "cg_increment", "SYMMETRY_KEYS",
           "DEFAULT_MATCH"]

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


def _check_symmetry_keys(name: str, tensor: TensorMap) -> None:
    missing = [k for k in SYMMETRY_KEYS if k not in tensor.keys.names]
    if missing:
        raise ValueError(
            f"{name} has keys {list(tensor.keys.names)}, missing {missing}: call "
            "acdc_standardize_keys on density coefficients first"
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
    lcut, selected = _check_inputs(x_a, x_b, lcut, symmetric, selected_keys)
    extra_names, combine_keys = key_layout(x_a, x_b, other_keys_match)
    property_names = _property_names(x_a, x_b, property_names)
    blocks_a, blocks_b = list(x_a.blocks()), list(x_b.blocks())
    gradient_parameters = sorted(
        set.intersection(*[set(b.gradients_list()) for b in blocks_a + blocks_b])
    )
    plan, sizes = plan_pieces(x_a, x_b, lcut, symmetric, selected, combine_keys)
    names = list(SYMMETRY_KEYS) + extra_names
    if not plan:
        return TensorMap(Labels(names, np.zeros((0, len(names)), dtype=np.int32)), [])
    blocks = [build_block(key[2], pieces, sizes[key], blocks_a, blocks_b, property_names,
                          gradient_parameters) for key, pieces in plan.items()]
    return TensorMap(Labels(names, np.asarray(list(plan), dtype=np.int32)), blocks)


def _check_inputs(x_a, x_b, lcut, symmetric, selected_keys):
    """Check the inputs of :func:`cg_combine`; return ``lcut`` (its default: the sum of the
    largest input degrees) and the selected ``(o3_sigma, o3_lambda)`` set (or ``None``)."""
    _check_tensor("x_a", x_a)
    _check_tensor("x_b", x_b)
    _check_symmetry_keys("x_a", x_a)
    _check_symmetry_keys("x_b", x_b)
    for label, tensor in (("x_a", x_a), ("x_b", x_b))[: 1 if x_b is x_a else 2]:
        check_blocks(label, tensor)
    if lcut is None:
        lcut = sum(int(np.asarray(x.keys.values)[:, list(x.keys.names).index("o3_lambda")].max())
                   for x in (x_a, x_b))
    lcut = check_lcut(lcut)
    selected = parse_selected(selected_keys)
    if symmetric and not same_tensor(x_a, x_b):
        raise ValueError(
            "symmetric=True needs x_a and x_b to be the same TensorMap (equal keys, samples, "
            "properties and values): it drops mirror combinations of a tensor with itself"
        )
    return lcut, selected


def _property_names(x_a, x_b, property_names):
    """The output's property names: the given ones (checked) or the default ones."""
    if property_names is None:
        property_names = default_property_names(x_a, x_b)
    property_names = list(property_names)
    expected = len(x_a.block(0).properties.names) + len(x_b.block(0).properties.names) + 2
    if len(property_names) != expected:
        raise ValueError(
            f"property_names has {len(property_names)} names: it must have {expected} "
            "(the properties of x_a, its degree, the properties of x_b, its degree)"
        )
    return property_names


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
