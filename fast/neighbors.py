"""Full neighbour lists for molecules and periodic cells (float64, vectorised).

A pair ``(i, j, S)`` is listed when ``|r_ij| < cutoff`` with
``r_ij = r_j - r_i + S @ cell`` (neighbour minus centre, ``S`` an integer cell shift along
periodic axes only). Lists are *full*: both ``(i, j, S)`` and ``(j, i, -S)`` appear. An atom
is never its own neighbour with ``S = 0``, but its periodic images are (``j == i``,
``S != 0``) when the cutoff exceeds a lattice period; any number of images is found when
the cutoff exceeds half the cell.

Method: positions are wrapped into the cell along periodic axes; the periodic images that
can lie within the cutoff of the cell are generated explicitly (a bounded loop over shifts,
from the distances between lattice planes); pairs are then found with an axis-aligned cell
list of bin size ``cutoff`` (27 neighbouring bins), all in NumPy. Small non-periodic
molecules of equal size are handled together in one batched brute-force pass.

Conventions: :mod:`o3ref.reference.conventions` (density expansion: ``r_ij = r_j - r_i``).

>>> import numpy as np
>>> nl = neighbor_list(np.zeros((1, 3)), np.eye(3) * 2.0, [True, False, False], 2.5)
>>> nl.shifts.tolist()  # one atom, period 2: its two images at +-2 along x
[[-1, 0, 0], [1, 0, 0]]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

__all__ = ["NeighborList", "neighbor_list", "batched_molecule_neighbors", "frames_neighbor_pairs"]


@dataclass
class NeighborList:
    """Pairs of one structure: ``first`` (centre ``i``), ``second`` (``j``), integer
    ``shifts`` ``(n, 3)`` and ``vectors`` ``r_j - r_i + shifts @ cell`` ``(n, 3)``,
    sorted by ``(first, second, shifts)``."""

    first: np.ndarray
    second: np.ndarray
    shifts: np.ndarray
    vectors: np.ndarray


def _check_cell(cell, pbc):
    cell = np.asarray(cell, dtype=np.float64).reshape(3, 3)
    pbc = np.asarray(pbc, dtype=bool).reshape(3)
    if not np.all(np.isfinite(cell)):
        raise ValueError(f"cell={cell.tolist()} must be finite")
    if not pbc.any():
        return cell, pbc, None
    # complete the non-periodic axes with unit vectors orthogonal to the periodic ones
    work = cell.copy()
    periodic = [k for k in range(3) if pbc[k]]
    basis = np.linalg.qr(cell[periodic].T, mode="complete")[0]
    free = iter(basis[:, len(periodic):].T)
    for k in range(3):
        if not pbc[k]:
            work[k] = next(free)
    volume = abs(np.linalg.det(work))
    lengths = np.linalg.norm(cell, axis=1)
    if volume <= 1e-12 * max(1.0, np.prod(np.where(pbc, lengths, 1.0))):
        raise ValueError(
            f"cell={cell.tolist()} with pbc={pbc.tolist()} has zero size along a periodic "
            "direction: periodic cell vectors must be non-zero and linearly independent"
        )
    return cell, pbc, work


def neighbor_list(positions, cell, pbc, cutoff, sort=True) -> NeighborList:
    """Full neighbour list of one structure (see the module docstring).

    ``sort=False`` skips the final ordering by ``(first, second, shifts)``. A periodic axis
    needs a non-zero cell vector independent of the other periodic ones (``ValueError``).

    Conventions: :mod:`o3ref.reference.conventions` (``r_ij = r_j - r_i + S @ cell``).
    """
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    if not cutoff > 0:
        raise ValueError(f"cutoff={cutoff} must be positive")
    cell, pbc, work = _check_cell(cell, pbc)
    n = len(positions)
    if work is None:
        source_pos, source_idx, source_shift = positions, np.arange(n), np.zeros((n, 3), int)
        wrap = np.zeros((n, 3), dtype=np.int64)
        queries = positions
    else:
        recip = np.linalg.inv(work).T  # rows: reciprocal vectors b_k with a_i . b_k = delta_ik
        frac = positions @ recip.T
        wrap = np.where(pbc, np.floor(frac), 0.0).astype(np.int64)
        frac = frac - wrap
        queries = positions - wrap @ cell
        spacing = 1.0 / np.linalg.norm(recip, axis=1)  # distance between lattice planes
        reach = np.where(pbc, cutoff / spacing, 0.0)
        # with 0 <= f <= 1, an image f + s inside (-reach, 1 + reach) has |s| <= ceil(reach)
        ranges = [range(-int(np.ceil(reach[k])), int(np.ceil(reach[k])) + 1) if pbc[k]
                  else range(1) for k in range(3)]
        shifts = np.array(list(itertools.product(*ranges)), dtype=np.int64)
        # image (atom, shift) kept when it lies within `reach` (in fractional units) of [0, 1)
        f = frac[None, :, :] + shifts[:, None, :]
        keep = np.all(~pbc | ((f > -reach) & (f < 1.0 + reach)), axis=2)
        s_idx, a_idx = np.nonzero(keep)
        source_idx = a_idx
        source_shift = shifts[s_idx]
        source_pos = queries[a_idx] + source_shift @ cell
    first, second, vectors = _cell_list_pairs(queries, source_pos, cutoff)
    j = source_idx[second]
    shift = source_shift[second]
    not_self = (j != first) | np.any(shift != 0, axis=1)
    first, j, shift, vectors = first[not_self], j[not_self], shift[not_self], vectors[not_self]
    # shift with respect to the input (unwrapped) positions
    shift = shift - wrap[j] + wrap[first]
    if sort:
        order = np.lexsort((shift[:, 2], shift[:, 1], shift[:, 0], j, first))
        first, j, shift, vectors = first[order], j[order], shift[order], vectors[order]
    return NeighborList(first, j, shift, vectors)


def _cell_list_pairs(queries, sources, cutoff):
    """All ``(q, s)`` with ``|sources[s] - queries[q]| < cutoff`` via an axis-aligned grid."""
    if len(queries) == 0 or len(sources) == 0:
        return np.zeros(0, int), np.zeros(0, int), np.zeros((0, 3))
    origin = np.minimum(queries.min(axis=0), sources.min(axis=0))
    extent = np.maximum(queries.max(axis=0), sources.max(axis=0)) - origin
    n_bins = np.maximum(1, np.minimum(np.floor(extent / cutoff).astype(np.int64), 1024))
    size = np.where(n_bins > 1, extent / n_bins, np.inf)  # >= cutoff by construction

    def bins_of(points):
        b = np.floor((points - origin) / size).astype(np.int64)
        return np.clip(b, 0, n_bins - 1)

    sb = bins_of(sources)
    s_flat = (sb[:, 0] * n_bins[1] + sb[:, 1]) * n_bins[2] + sb[:, 2]
    s_order = np.argsort(s_flat, kind="stable")
    counts = np.bincount(s_flat, minlength=int(np.prod(n_bins)))
    starts = np.concatenate([[0], np.cumsum(counts)])
    qb = bins_of(queries)
    # the 27 neighbouring bins of every query at once; the grid does not wrap (images are
    # explicit), so each (bin, offset) is a distinct bin and no pair is found twice
    offsets = np.array(list(itertools.product((-1, 0, 1), repeat=3)))
    nb = qb[:, None, :] + offsets[None, :, :]
    valid = np.all((nb >= 0) & (nb < n_bins), axis=2)
    flat = (nb[..., 0] * n_bins[1] + nb[..., 1]) * n_bins[2] + nb[..., 2]
    cnt = np.where(valid, counts[np.where(valid, flat, 0)], 0).reshape(-1)
    total = int(cnt.sum())
    # expand the ragged ranges [starts[flat], starts[flat] + cnt) without a Python loop
    first = np.repeat(np.repeat(np.arange(len(queries)), len(offsets)), cnt)
    begin = np.repeat(starts[np.where(valid, flat, 0)].reshape(-1) - (np.cumsum(cnt) - cnt), cnt)
    second = s_order[begin + np.arange(total)]
    vectors = sources[second] - queries[first]
    d2 = np.einsum("ij,ij->i", vectors, vectors)
    keep = d2 < cutoff * cutoff
    return first[keep], second[keep], vectors[keep]


def batched_molecule_neighbors(positions, cutoff):
    """Pairs of ``F`` non-periodic molecules with the same atom count, all at once.

    ``positions`` is ``(F, n, 3)``; returns ``(frame, first, second, vectors)`` sorted by
    ``(frame, first, second)`` (atom indices local to each molecule).
    """
    positions = np.asarray(positions, dtype=np.float64)
    n_frames, n_atoms = positions.shape[:2]
    vectors = positions[:, None, :, :] - positions[:, :, None, :]  # [f, i, j] = r_j - r_i
    d2 = np.einsum("fijx,fijx->fij", vectors, vectors)
    mask = d2 < cutoff * cutoff
    mask[:, np.arange(n_atoms), np.arange(n_atoms)] = False
    frame, first, second = np.nonzero(mask)
    return frame, first, second, vectors[frame, first, second]


def frames_neighbor_pairs(positions, cells, pbcs, cutoff, batch_limit=64):
    """Pairs of several structures, with atom indices global over the concatenated frames.

    ``positions`` is a list of ``(n_f, 3)`` arrays. Returns ``(first, second, vectors)``
    sorted by ``(first, second)``; a pair with ``first == second`` is a periodic self-image.
    Non-periodic frames of at most ``batch_limit`` atoms are grouped by size and handled in
    one batched pass each; the others go through :func:`neighbor_list` one by one.
    """
    sizes = np.array([len(p) for p in positions], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    firsts, seconds, vectors = [], [], []
    batched = {}
    for f, (pos, cell, pbc) in enumerate(zip(positions, cells, pbcs, strict=True)):
        if sizes[f] == 0:
            continue
        if not np.any(pbc) and sizes[f] <= batch_limit:
            batched.setdefault(int(sizes[f]), []).append(f)
            continue
        nl = neighbor_list(pos, cell, pbc, cutoff, sort=False)
        firsts.append(nl.first + offsets[f])
        seconds.append(nl.second + offsets[f])
        vectors.append(nl.vectors)
    for frames in batched.values():
        frames = np.array(frames)
        stacked = np.stack([positions[f] for f in frames])
        frame, first, second, vec = batched_molecule_neighbors(stacked, cutoff)
        firsts.append(first + offsets[frames[frame]])
        seconds.append(second + offsets[frames[frame]])
        vectors.append(vec)
    if not firsts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 3))
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(vectors)
