"""Full neighbour lists for molecules and periodic cells (float64, vectorised).

A pair ``(i, j, S)`` is listed when ``|r_ij| < cutoff`` with
``r_ij = r_j - r_i + S @ cell`` (neighbour minus centre, ``S`` an integer cell shift along
periodic axes only). Lists are *full*: both ``(i, j, S)`` and ``(j, i, -S)`` appear. An atom
is never its own neighbour with ``S = 0``, but its periodic images are (``j == i``,
``S != 0``) when the cutoff exceeds a lattice period; any number of images is found when
the cutoff exceeds half the cell.

Method: positions are wrapped into the cell along periodic axes; the periodic images that
can lie within the cutoff of the cell are generated explicitly (per atom and axis one range
of shifts, from the distances between lattice planes); pairs are then found with an
axis-aligned cell list of bin size ``cutoff`` (27 neighbouring bins), all in NumPy. The cell
list stores only occupied bins (sorted keys, per-axis ranks that keep adjacency), so time and
memory follow atoms, images and candidate pairs, never the volume: 100 atoms in a 1000 Å
box or a molecule spread over 1e4 cutoffs cost what their pairs cost. Requests that are
genuinely huge are refused before allocation with the estimate (``ValueError``): more than
:data:`MAX_IMAGES` periodic images (a cell much thinner than the cutoff: ``diag(1, 1, 1e-6)``
with a 2 Å cutoff needs 3e8) or more than :data:`MAX_CANDIDATES` candidate pairs. Small
non-periodic molecules of equal size are handled together in one batched brute-force pass.

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

__all__ = ["NeighborList", "neighbor_list", "batched_molecule_neighbors", "frames_neighbor_pairs",
           "MAX_IMAGES", "MAX_CANDIDATES"]

#: periodic images (atoms times shifts) one structure may need; about 100 bytes each
MAX_IMAGES = 1 << 24
#: candidate pairs one cell-list search may test (about 4 per real pair); 56 bytes each
MAX_CANDIDATES = 1 << 28
_BYTES_PER_IMAGE = 100
_BYTES_PER_CANDIDATE = 56


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
    A cell so thin that the cutoff spans more than :data:`MAX_IMAGES` periodic images in
    all, or a structure whose cell list would test more than :data:`MAX_CANDIDATES` pairs,
    is refused with a ``ValueError`` giving the estimate, before anything that size is
    allocated.

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
        frac = np.where(pbc, frac - wrap, 0.0)
        queries = positions - wrap @ cell
        spacing = 1.0 / np.linalg.norm(recip, axis=1)  # distance between lattice planes
        reach = np.where(pbc, cutoff / spacing, 0.0)
        _check_image_count(n, reach, spacing, cell, pbc, cutoff)
        source_idx, source_shift = _images(frac, reach, pbc)
        source_pos = queries[source_idx] + source_shift @ cell
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


def _check_image_count(n_atoms, reach, spacing, cell, pbc, cutoff):
    """Refuse (``ValueError``) before allocating when the images would exceed the limit."""
    per_atom = float(np.prod(np.where(pbc, 2.0 * np.ceil(reach) + 1.0, 1.0)))
    estimate = n_atoms * per_atom
    if estimate > MAX_IMAGES:
        k = int(np.argmax(np.where(pbc, reach, 0.0)))
        raise ValueError(
            f"cell={cell.tolist()} with pbc={pbc.tolist()} and cutoff={cutoff}: the cutoff "
            f"spans {reach[k]:.3g} lattice planes along cell vector {k} (plane spacing "
            f"{spacing[k]:.3g}), about {estimate:.3g} periodic images of the {n_atoms} atoms "
            f"(about {estimate * _BYTES_PER_IMAGE / 2**30:.3g} GiB), more than "
            f"MAX_IMAGES={MAX_IMAGES}: use a thicker cell (replicate it) or a smaller cutoff"
        )


def _images(frac, reach, pbc):
    """Atom index and integer shift of every image ``f + s`` within ``reach`` of ``[0, 1)``.

    Per atom and axis the shifts form one range, ``-reach - f < s < 1 + reach - f``; the
    images are the ragged product of the three ranges, built without a Python loop.
    """
    lo = np.where(pbc, np.floor(-reach - frac) + 1, 0).astype(np.int64)  # strict bounds
    hi = np.where(pbc, np.ceil(1.0 + reach - frac) - 1, 0).astype(np.int64)
    hi = np.maximum(hi, lo - 1)
    count = hi - lo + 1  # (n, 3)
    total = count.prod(axis=1)
    atom = np.repeat(np.arange(len(frac)), total)
    local = np.arange(len(atom)) - np.repeat(np.cumsum(total) - total, total)
    shift = np.empty((len(atom), 3), dtype=np.int64)
    c = count[atom]
    shift[:, 2] = local % c[:, 2]
    shift[:, 1] = (local // c[:, 2]) % c[:, 1]
    shift[:, 0] = local // (c[:, 2] * c[:, 1])
    return atom, shift + lo[atom]


def _compressed_bins(points, cutoff):
    """Per-axis bin ranks of ``points`` (bins of size ``cutoff``) with adjacency kept.

    Occupied bins are numbered in order along each axis; a step of one bin stays a step of
    one, a larger gap becomes a step of two, so that ``rank +- 1`` is a neighbouring bin
    exactly when the bins are neighbours. Memory and time follow the number of points, not
    the extent of the structure (empty space costs nothing).
    """
    origin = points.min(axis=0)
    extent = points.max(axis=0) - origin
    # bins of size cutoff, coarser only where the extent would not fit an int64
    size = np.maximum(cutoff, extent / 2.0**40)
    bins = np.floor((points - origin) / size).astype(np.int64)
    ranks = np.empty_like(bins)
    for k in range(3):
        values, inverse = np.unique(bins[:, k], return_inverse=True)
        steps = np.where(np.diff(values) == 1, 1, 2)
        rank_of = np.concatenate([[0], np.cumsum(steps)])
        ranks[:, k] = rank_of[inverse.reshape(-1)]
    return ranks


def _cell_list_pairs(queries, sources, cutoff, chunk=1 << 16):
    """All ``(q, s)`` with ``|sources[s] - queries[q]| < cutoff`` via a sparse cell list.

    Only occupied bins are stored (sorted keys, looked up with ``searchsorted``), so the
    cost is that of the points and of the candidate pairs in the 27 bins around each query.
    """
    if len(queries) == 0 or len(sources) == 0:
        return np.zeros(0, int), np.zeros(0, int), np.zeros((0, 3))
    ranks = _compressed_bins(np.concatenate([queries, sources]), cutoff) + 1  # room for -1
    radix = ranks.max(axis=0) + 2
    if float(np.prod(radix.astype(np.float64))) >= 2.0**62:
        raise ValueError(  # pragma: no cover - needs millions of points spread on all axes
            f"cutoff={cutoff}: {len(queries) + len(sources)} points spread over "
            f"{radix.tolist()} occupied bins per axis do not fit one 64-bit cell key"
        )

    def flat(r):
        return (r[..., 0] * radix[1] + r[..., 1]) * radix[2] + r[..., 2]

    qr, sr = ranks[:len(queries)], ranks[len(queries):]
    s_key = flat(sr)
    s_order = np.argsort(s_key, kind="stable")
    keys, starts, counts = np.unique(s_key[s_order], return_index=True, return_counts=True)
    # the 27 neighbouring bins of every query; the grid does not wrap (images are explicit),
    # so each (bin, offset) is a distinct bin and no pair is found twice
    offsets = np.array(list(itertools.product((-1, 0, 1), repeat=3)))
    nb = flat(qr[:, None, :] + offsets[None, :, :]).reshape(-1)
    where = np.minimum(np.searchsorted(keys, nb), len(keys) - 1)
    found = keys[where] == nb
    cnt = np.where(found, counts[where], 0)
    begin_bin = np.where(found, starts[where], 0)
    total = int(cnt.sum())
    if total > MAX_CANDIDATES:
        raise ValueError(
            f"cutoff={cutoff}: the cell list would test about {total:.3g} candidate pairs "
            f"among {len(queries)} atoms and {len(sources)} images (about "
            f"{total * _BYTES_PER_CANDIDATE / 2**30:.3g} GiB), more than "
            f"MAX_CANDIDATES={MAX_CANDIDATES}: use a smaller cutoff or fewer atoms per call"
        )
    firsts, seconds, vectors = [], [], []
    query_of = np.repeat(np.arange(len(queries)), len(offsets))
    # expand the ragged ranges [begin, begin + cnt) chunk by chunk of candidates
    bounds = np.searchsorted(np.cumsum(cnt), np.arange(chunk, total + chunk, chunk), "right")
    lo = 0
    for hi in np.unique(np.append(bounds, len(cnt))):
        if hi <= lo:
            continue
        c = cnt[lo:hi]
        n_c = int(c.sum())
        first = np.repeat(query_of[lo:hi], c)
        begin = np.repeat(begin_bin[lo:hi] - (np.cumsum(c) - c), c)
        second = s_order[begin + np.arange(n_c)]
        vec = sources[second] - queries[first]
        keep = np.einsum("ij,ij->i", vec, vec) < cutoff * cutoff
        firsts.append(first[keep])
        seconds.append(second[keep])
        vectors.append(vec[keep])
        lo = hi
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(vectors)


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
