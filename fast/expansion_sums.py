"""Segment sums and pair gradients of one chunk of a spherical expansion (float64 kernels).

Helper of :mod:`o3ref.fast.expansion`. A chunk
(:class:`o3ref.fast.expansion_layout.Chunk`) holds consecutive sorted pairs; their radial
parts ``R`` ``(P, L, N)`` (cutoff included) and harmonics ``Y`` ``(P, K)`` feed

* :func:`add_values`: ``values[l][row(s)] += sum_{p in s} Y[p, l m] R[p, l, n]`` for each
  segment ``s`` of the chunk, one batched matrix product per ``l`` over zero-padded segments;
* :func:`add_gradients`: the position gradients. A pair's entry is the rank-2 product
  ``d/dr_j [R_l Y_lm] = [dY_lm, Y_lm r_hat] @ [R_l, dR_l/dr]`` (one small matrix product
  per pair), written straight into the output's gradient array; the centre's entry is minus
  the sum over its neighbours, one matrix product per sample row of the row's stacked
  factors (``[L_1; L_2; ...]^T @ [R_1; R_2; ...]``).

Every temporary is of the chunk's size: nothing here grows with the whole call.
"""

from __future__ import annotations

import numpy as np

from .indexing import l_slice

__all__ = ["segment_plans", "add_values", "add_gradients"]


def segment_plans(starts, n_pairs, chunk=512):
    """Padding plans for segment sums: segments sorted by length, ``chunk`` at a time.

    ``starts`` are the first pairs of the segments (ascending, the first one 0). Each plan
    is ``(segments, which, pos, pairs, width)``: pair ``pairs[k]`` goes to row ``which[k]``,
    column ``pos[k]`` of a ``(len(segments), width)`` zero-padded table.

    >>> [p[0].tolist() for p in segment_plans(np.array([0, 3, 4]), 6)]  # lengths 3, 1, 2
    [[1, 2, 0]]
    """
    seg_len = np.diff(np.append(starts, n_pairs))
    by_length = np.argsort(seg_len, kind="stable")
    plans = []
    for lo in range(0, len(starts), chunk):
        segs = by_length[lo:lo + chunk]
        lengths = seg_len[segs]
        which = np.repeat(np.arange(len(segs)), lengths)
        pos = np.arange(len(which)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        pairs = np.repeat(starts[segs], lengths) + pos
        plans.append((segs, which, pos, pairs, int(lengths.max())))
    return plans


def add_values(values, harmonics, radial, plans, rows):
    """``values[l][rows[s]] += sum_{p in segment s} Y[p, l m] R[p, l, n]`` for every ``l``.

    ``harmonics`` is ``(P, K)``, ``radial`` ``(P, L, N)``; ``rows`` are distinct.
    """
    n_lm, (n_l, n_n) = harmonics.shape[1], radial.shape[1:]
    for segs, which, pos, pairs, width in plans:
        # row-wise (contiguous) scatter; matmul takes the transposed strided views as is
        y_pad = np.zeros((len(segs), width, n_lm))
        y_pad[which, pos] = harmonics[pairs]
        r_pad = np.zeros((len(segs), width, n_l, n_n))
        r_pad[which, pos] = radial[pairs]
        out_rows = rows[segs]
        for l, out in enumerate(values):
            out[out_rows] += np.matmul(y_pad[:, :, l_slice(l)].transpose(0, 2, 1),
                                       r_pad[:, :, l, :])


def _factors(harmonics, dharmonics, radial, dradial, unit, slots, n_rows):
    """The factors of the pair gradients, their pair ``p`` on row ``slots[p]`` (zero rows
    elsewhere): per ``l`` a ``(rows, 2, 3 (2l+1))`` left ``[dY_lm, Y_lm r_hat]``, and one
    ``(L, rows, 2, N)`` right ``[R_l, dR_l/dr]`` (each ``l`` contiguous)."""
    n_l, n_n = radial.shape[1:]
    right = np.zeros((n_l, n_rows, 2, n_n))
    right[:, slots, 0] = radial.transpose(1, 0, 2)
    right[:, slots, 1] = dradial.transpose(1, 0, 2)
    # built pair-last, the layout of the harmonics' buffers (long rows), then moved to rows
    dharmonics_t, harmonics_t = dharmonics.transpose(2, 1, 0), harmonics.T
    unit_t = np.ascontiguousarray(unit.T)
    work = np.empty(6 * (2 * n_l - 1) * len(unit))
    buffer = np.zeros(n_rows * 6 * n_l * n_l)
    lefts = []
    for l in range(n_l):
        sl, n_m = l_slice(l), 2 * l + 1
        pair_last = work[:6 * n_m * len(unit)].reshape(2, 3, n_m, len(unit))
        pair_last[0] = dharmonics_t[sl].transpose(1, 0, 2)
        np.multiply(harmonics_t[None, sl], unit_t[:, None, :], out=pair_last[1])
        left = buffer[n_rows * 6 * sl.start:n_rows * 6 * sl.stop].reshape(n_rows, 2, 3, n_m)
        left[slots] = pair_last.transpose(3, 0, 1, 2)
        lefts.append(left.reshape(n_rows, 2, 3 * n_m))
    return lefts, right


def add_gradients(gradients, lay, chunk, harmonics, dharmonics, radial, dradial, unit):
    """Write the gradient entries of the chunk's pairs, and their centres', into ``gradients``.

    ``gradients[l]`` is the ``(entries, 3, 2l+1, N)`` output (zeros where nothing was
    written yet); ``dharmonics`` is ``(P, 3, K)``, ``dradial`` ``dR/dr`` (cutoff included),
    ``unit`` ``r_hat`` ``(P, 3)``. When the chunk's segments are whole and every pair has an
    entry of its own (no repeated periodic image), the products go straight into the
    output's rows (the chunk's entries are one slice of them; the centres' rows get zero
    factors, then minus the sum of their row's products); otherwise per-pair products are
    summed by entry (a neighbour's images add up; an atom's own images do not move) and
    added to the output.
    """
    lo, hi = chunk.lo, chunk.hi
    pair_entry = lay.pair_entry[lo:hi]
    first_row, last_row = int(chunk.rows[0]), int(chunk.rows[-1])
    e_lo, e_hi = int(lay.row_entry_start[first_row]), int(lay.row_entry_start[last_row + 1])
    n_pairs, n_entries = hi - lo, e_hi - e_lo
    direct = (chunk.whole and n_entries <= 2 * n_pairs
              and bool(np.all(pair_entry[1:] > pair_entry[:-1]))
              and bool(lay.moving[lo:hi].all()))
    if direct:  # pair p on row pair_entry[p] of the output's slice e_lo:e_hi
        lefts, right = _factors(harmonics, dharmonics, radial, dradial, unit,
                                pair_entry - e_lo, n_entries)
        # the chunk's sample rows: their entries and their centre's entry
        bounds = (lay.row_entry_start[chunk.rows] - e_lo).tolist()
        ends = (lay.row_entry_start[chunk.rows + 1] - e_lo).tolist()
        centres = (lay.centre_entry[chunk.rows] - e_lo).tolist()
        contiguous = bounds[1:] == ends[:-1] and ends[-1] == n_entries
    else:  # pair order; an atom's own images do not move
        moving = lay.moving[lo:hi]
        lefts, right = _factors(harmonics, dharmonics, radial, dradial, unit,
                                np.arange(n_pairs), n_pairs)
        for left in lefts:
            left[~moving] = 0.0
        runs = np.flatnonzero(np.concatenate([[True], pair_entry[1:] != pair_entry[:-1]]))
        centres = lay.centre_entry[chunk.rows]
    for l, (out, left) in enumerate(zip(gradients, lefts, strict=True)):
        flat = out.reshape(len(out), -1, out.shape[-1])  # (entries, 3 (2l+1), N)
        if direct:
            rows = flat[e_lo:e_hi]
            np.matmul(left.transpose(0, 2, 1), right[l], out=rows)
            # the centre moves opposite to all its neighbours together: minus the sum of the
            # row's products (its own entry's zero factors included); the chunk's sample rows
            # are consecutive, so one segmented sum over the products just written
            if contiguous:
                rows[centres] = -np.add.reduceat(rows, bounds, axis=0)
            else:
                n_a, n_n = left.shape[2], right.shape[3]
                for start, end, centre in zip(bounds, ends, centres, strict=True):
                    np.matmul(left[start:end].reshape(-1, n_a).T,
                              right[l, start:end].reshape(-1, n_n), out=rows[centre])
                rows[centres] *= -1.0
        else:
            products = np.matmul(left.transpose(0, 2, 1), right[l])
            flat[pair_entry[runs]] += np.add.reduceat(products, runs, axis=0)
            flat[centres] -= np.add.reduceat(products, chunk.starts, axis=0)
