"""Blocks of the ACDC CG products: input checks, contraction kernels, properties, gradients.

Used by :mod:`o3ref.fast.acdc`, which plans which ``(block a, block b, L)`` pieces feed
which output block; this module fills the values, the property labels and the gradients
(product rule) of one output block.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import numpy as np
from metatensor import Labels, TensorBlock, TensorMap

from .clebsch_gordan import real_clebsch_gordan

__all__ = ["Piece", "build_block", "check_blocks", "same_tensor"]


def _contract(cg, a, b, out):
    """out[i, M, p, q] = sum_{m1 m2} cg[m1, m2, M] a[i, m1, p] b[i, m2, q].

    Two steps: the coefficients are first contracted with the factor of larger degree
    (``tensordot``, BLAS), then a ``matmul`` batched over samples and ``M`` sums over the
    smaller degree and writes straight into ``out``; each output entry costs
    ``2 min(l_a, l_b) + 1`` multiply-adds.
    """
    if a.shape[1] < b.shape[1]:
        a, b, cg, out = b, a, cg.transpose(1, 0, 2), out.transpose(0, 1, 3, 2)
    T = np.tensordot(a, cg, axes=([1], [0]))  # (i, p, m_b, M)
    T = np.ascontiguousarray(T.transpose(0, 3, 1, 2))  # (i, M, p, m_b)
    np.matmul(T, b[:, None], out=out)


def _contract_gradient(cg, grad_a, a_rows, grad_b, b_rows, out):
    """Product rule: out[g, x, M, p, q] = C (da[g, x]) b[s_g] + C a[s_g] (db[g, x])."""
    np.einsum("abM,gxap,gbq->gxMpq", cg, grad_a, b_rows, optimize=True, out=out)
    out += np.einsum("abM,gap,gxbq->gxMpq", cg, a_rows, grad_b, optimize=True)


def _split_last(view, p, q):
    """``view`` with its last axis (of length ``p * q``) split into ``(p, q)``, as a view.

    Splitting a unit-stride axis never needs a copy; the assertion guards the invariant that
    the kernels write into the output block itself.
    """
    split = view.reshape(view.shape[:-1] + (p, q))
    assert np.may_share_memory(split, view) and split.strides[-1] == view.strides[-1]
    return split


class Piece:
    """One (block a, block b, L) contribution to one output block.

    ``offset, size``: where its properties go in the output block; ``triangle``: ``None``
    (every property pair ``(p, q)``) or the ``(p, q)`` index arrays kept by ``symmetric``.
    """

    __slots__ = ("index_a", "index_b", "lam_a", "lam_b", "L", "offset", "size", "triangle")

    def __init__(self, index_a, index_b, lam_a, lam_b, L, offset, size, triangle):
        self.index_a, self.index_b, self.lam_a, self.lam_b = index_a, index_b, lam_a, lam_b
        self.L, self.offset, self.size, self.triangle = L, offset, size, triangle


def build_block(L, pieces, n_properties, blocks_a, blocks_b, property_names,
                gradient_parameters) -> TensorBlock:
    """The output block of degree ``L`` filled by ``pieces`` (values, properties, gradients)."""
    first = blocks_a[pieces[0].index_a]
    samples = first.samples
    n_samples = len(samples)
    values = np.empty((n_samples, 2 * L + 1, n_properties))
    property_values = np.empty((n_properties, len(property_names)), dtype=np.int32)

    for piece in pieces:
        block_a, block_b = blocks_a[piece.index_a], blocks_b[piece.index_b]
        a, b = np.asarray(block_a.values), np.asarray(block_b.values)
        cg = real_clebsch_gordan(a.shape[1] // 2, b.shape[1] // 2, L)
        target = values[:, :, piece.offset : piece.offset + piece.size]
        if piece.triangle is None:
            _contract(cg, a, b, _split_last(target, a.shape[2], b.shape[2]))
        else:
            full = np.empty((n_samples, 2 * L + 1, a.shape[2], b.shape[2]))
            _contract(cg, a, b, full)
            target[...] = full[:, :, piece.triangle[0], piece.triangle[1]]
        property_values[piece.offset : piece.offset + piece.size] = _piece_properties(
            piece, block_a, block_b
        )

    components = [Labels(["o3_mu"], np.arange(-L, L + 1, dtype=np.int32).reshape(-1, 1))]
    properties = Labels(property_names, property_values)
    block = TensorBlock(values=values, samples=samples, components=components,
                        properties=properties)
    for parameter in gradient_parameters:
        _add_gradient(block, parameter, pieces, n_properties, blocks_a, blocks_b, L)
    return block


def _piece_properties(piece, block_a, block_b):
    """Property rows ``(properties of a, lambda_a, properties of b, lambda_b)``."""
    lam_a, lam_b = piece.lam_a, piece.lam_b
    pa = np.asarray(block_a.properties.values)
    pb = np.asarray(block_b.properties.values)
    if piece.triangle is None:
        ia, ib = np.divmod(np.arange(len(pa) * len(pb)), len(pb))
    else:
        ia, ib = piece.triangle
    return np.column_stack(
        [pa[ia], np.full(len(ia), lam_a), pb[ib], np.full(len(ia), lam_b)]
    )


def _add_gradient(block, parameter, pieces, n_properties, blocks_a, blocks_b, L):
    # the gradient rows: the union of the gradient samples of every contributing block
    union = None
    for piece in pieces:
        for source in (blocks_a[piece.index_a], blocks_b[piece.index_b]):
            samples = source.gradient(parameter).samples
            union = samples if union is None else union.union(samples)
    template = blocks_a[pieces[0].index_a].gradient(parameter)
    direction_components = list(template.components[:-1])
    n_rows = len(union)
    n_dir = int(np.prod([len(c) for c in direction_components])) if direction_components else 1
    values = np.zeros((n_rows, n_dir, 2 * L + 1, n_properties))
    sample_rows = np.asarray(union.column("sample"))
    for piece in pieces:
        block_a, block_b = blocks_a[piece.index_a], blocks_b[piece.index_b]
        grad_a = _scatter_gradient(block_a, parameter, union)
        grad_b = _scatter_gradient(block_b, parameter, union)
        a = np.asarray(block_a.values)[sample_rows]
        b = np.asarray(block_b.values)[sample_rows]
        cg = real_clebsch_gordan(a.shape[1] // 2, b.shape[1] // 2, L)
        shape = (n_rows, n_dir, 2 * L + 1, a.shape[2], b.shape[2])
        if piece.triangle is None:
            target = values[..., piece.offset : piece.offset + piece.size]
            _contract_gradient(cg, grad_a, a, grad_b, b, _split_last(target, *shape[-2:]))
        else:
            full = np.empty(shape)
            _contract_gradient(cg, grad_a, a, grad_b, b, full)
            values[..., piece.offset : piece.offset + piece.size] = full[
                ..., piece.triangle[0], piece.triangle[1]
            ]
    values = values.reshape(
        (n_rows,) + tuple(len(c) for c in direction_components) + (2 * L + 1, n_properties)
    )
    block.add_gradient(
        parameter,
        TensorBlock(
            values=values,
            samples=union,
            components=direction_components + [block.components[0]],
            properties=block.properties,
        ),
    )


def _scatter_gradient(source, parameter, union):
    gradient = source.gradient(parameter)
    values = np.asarray(gradient.values)
    flat = values.reshape(values.shape[0], -1, values.shape[-2], values.shape[-1])
    if gradient.samples == union:
        return flat
    full = np.zeros((len(union),) + flat.shape[1:])
    # union is a superset of gradient.samples and keeps its own order in union_and_mapping
    _, _, mapping = union.union_and_mapping(gradient.samples)
    full[np.asarray(mapping)] = flat
    return full


def check_blocks(name: str, tensor: TensorMap) -> None:
    """Input check of the products: each block has one component ``o3_mu = -lambda..lambda``
    matching its ``o3_lambda`` key, and finite values (gradients too); a ``ValueError`` names
    the offending block's key."""
    names = list(tensor.keys.names)
    for key, block in tensor.items():
        where = {n: int(v) for n, v in zip(names, key.values, strict=True)}
        lam = where["o3_lambda"]
        want = np.arange(-lam, lam + 1)
        comps = block.components
        got = [list(c.names) for c in comps]
        if (len(comps) != 1 or got[0] != ["o3_mu"]
                or not np.array_equal(np.asarray(comps[0].values).reshape(-1), want)):
            sizes = [len(c) for c in comps]
            raise ValueError(
                f"{name} block {where}: components {got} of sizes {sizes} do not match "
                f"o3_lambda = {lam}; it needs one component 'o3_mu' with the "
                f"2*{lam}+1 = {2 * lam + 1} values -{lam}..{lam} in order"
            )
        arrays = [("values", block.values)]
        arrays += [(f"gradient {p!r}", g.values) for p, g in block.gradients()]
        for what, values in arrays:
            bad = ~np.isfinite(np.asarray(values))
            if bad.any():
                index = tuple(int(i) for i in np.argwhere(bad)[0])
                raise ValueError(
                    f"{name} block {where}: its {what} hold a non-finite number "
                    f"({float(np.asarray(values)[index])} at index {index}); features must be "
                    "finite"
                )


def same_tensor(x_a: TensorMap, x_b: TensorMap) -> bool:
    """Whether two TensorMaps hold the same keys, samples, properties and values."""
    if x_a is x_b:
        return True
    if x_a.keys != x_b.keys:
        return False
    for block_a, block_b in zip(x_a.blocks(), x_b.blocks(), strict=True):
        if block_a.properties != block_b.properties or block_a.samples != block_b.samples:
            return False
        if not np.array_equal(block_a.values, block_b.values):
            return False
    return True
