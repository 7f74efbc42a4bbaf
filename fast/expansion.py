"""Spherical expansion of a Gaussian neighbour density on GTO x real-harmonic functions.

``c[i; a n l m] = sum_{j != i, a_j = a, |r_ij| < r_c} f_c(r_ij) I_nl(r_ij) Y_lm(r_ij/|r_ij|)
+ [a == a_i][l == 0] w_c I_n0(0) Y_00`` with ``r_ij = r_j - r_i`` (neighbour minus centre,
periodic images included), featomic's ``SphericalExpansion`` (>= 0.6) with a Gaussian
density and a ``Gto`` basis. Radial parts: :mod:`o3ref.fast.radial`; cutoff:
:mod:`o3ref.fast.cutoff`; pairs: :mod:`o3ref.fast.neighbors`.

Output layout (the same as featomic 0.6, so that the two compare block by block):

* keys ``o3_lambda, o3_sigma (= 1), center_type, neighbor_type``, ordered by
  ``(center_type, neighbor_type, o3_lambda)``; a ``(c, a)`` pair has blocks when some atom of
  type ``c`` has a neighbour of type ``a`` in some frame, and ``(c, c)`` for every type ``c``
  present (the centre's own Gaussian). Keys are collected over all frames of one call, so a
  type missing from some frames still gets its blocks (holding the frames that have it).
* samples ``system, atom``: the atoms of type ``c`` with at least one neighbour of type
  ``a`` (all atoms of type ``c`` when ``a == c``), sorted; components ``o3_mu = -l..l``;
  properties ``n = 0..N-1``.
* position gradients (``gradients=["positions"]``): gradient samples ``sample, system,
  atom`` (the centre itself and every neighbour atom of the sample, sorted), components
  ``[xyz, o3_mu]``. Periodic images of one atom add up; an atom's own images do not move.

Algorithm: all pairs of all frames at once (:func:`o3ref.fast.neighbors.frames_neighbor_pairs`),
sorted by (centre type, neighbour type, centre, neighbour); the sums over the neighbours of
one centre are batched matrix products of zero-padded segments (harmonics^T @ radial, one per
``l``); a pair's gradient is the rank-2 product ``[dY, Y r_hat] @ [R, dR/dr]`` written
straight into the gradient block, and the centre's entry is minus the sum over its
neighbours (again a padded batched product).

Edge cases: an empty frame adds no samples; a call whose frames hold no atom returns a
TensorMap with no keys; coincident atoms (distance below 1e-10) and non-finite positions
raise ``ValueError``.

Conventions: :mod:`o3ref.reference.conventions` (density expansion section).

>>> import ase
>>> frame = ase.Atoms("OH", positions=[[0, 0, 0], [0, 0, 1.0]])
>>> calc = SphericalExpansion(cutoff=2.0, max_radial=2, max_angular=1,
...     atomic_gaussian_width=0.3, cutoff_function={"ShiftedCosine": {"width": 0.5}})
>>> block = calc.compute(frame).block(o3_lambda=1, center_type=8, neighbor_type=1)
>>> block.values[0, :, 0].round(6).tolist()  # H on +z: only m = 0 (z), positive (featomic)
[0.0, 0.388328, 0.0]
"""

from __future__ import annotations

import math

import ase
import numpy as np
from metatensor import Labels, TensorBlock, TensorMap

from .cutoff import cutoff_function
from .harmonics import SphericalHarmonics
from .hypers import ExpansionHypers
from .indexing import l_slice
from .neighbors import frames_neighbor_pairs
from .radial import GtoRadialIntegral

__all__ = ["SphericalExpansion"]

KEY_NAMES = ["o3_lambda", "o3_sigma", "center_type", "neighbor_type"]
COINCIDENCE = 1e-10
#: the radial spline is built with the calculator when it holds at most this many
#: functions ``(l_max + 1) n_radial`` (a second or less); larger bases build it on the
#: first call with ``SPLINE_MIN_PAIRS`` pairs or more and use the closed form before
EAGER_SPLINE_VALUES = 256
#: per-pair arrays of one call may take at most this many bytes (checked before allocating)
MAX_PAIR_BYTES = 8 << 30
SPLINE_MIN_PAIRS = 4096


class SphericalExpansion:
    """Spherical expansion calculator; hypers in the seed or the featomic spelling.

    See :mod:`o3ref.fast.hypers` for both spellings (the seed's ``max_radial`` counts radial
    functions, featomic's is the largest index). The radial spline (cached per set of
    hypers) is built here when the basis has at most ``EAGER_SPLINE_VALUES`` functions;
    a larger basis (``l_max = 60``: 366) builds it on the first call with at least
    ``SPLINE_MIN_PAIRS`` pairs and uses the closed form before, so that a few pairs never
    pay for a table. ``compute`` works on all pairs of all frames at once.

    Conventions: :mod:`o3ref.reference.conventions` (density expansion, ``r_ij = r_j - r_i``,
    real harmonics with ``m = -l..l``).
    """

    def __init__(self, **hypers):
        self.hypers = ExpansionHypers.from_kwargs(**hypers)
        h = self.hypers
        self._radial = GtoRadialIntegral(h.cutoff, h.n_radial, h.l_max, h.density_width,
                                         spline=False)
        self._splined = None
        if h.spline and (h.l_max + 1) * h.n_radial <= EAGER_SPLINE_VALUES:
            self._splined = GtoRadialIntegral(h.cutoff, h.n_radial, h.l_max, h.density_width)
        self._cutoff = cutoff_function(h)
        self._harmonics = SphericalHarmonics(h.l_max)
        y00 = 0.5 / math.sqrt(math.pi)
        self._self_term = h.center_atom_weight * y00 * self._radial.at_zero()
        self._components = [
            Labels(["o3_mu"], np.arange(-l, l + 1, dtype=np.int32).reshape(-1, 1))
            for l in range(h.l_max + 1)
        ]
        self._properties = Labels(["n"], np.arange(h.n_radial, dtype=np.int32).reshape(-1, 1))
        self._xyz = Labels(["xyz"], np.arange(3, dtype=np.int32).reshape(-1, 1))

    def compute(self, frames, gradients=None) -> TensorMap:
        """Expansion coefficients of ``frames`` (one ``ase.Atoms`` or a list of them).

        ``gradients``: ``None`` (or the seed's ``gradients`` hyper) or ``["positions"]``.
        """
        frames = _check_frames(frames)
        with_gradients = _check_gradients(gradients, self.hypers.gradients)
        numbers = [f.numbers for f in frames]
        positions = [np.asarray(f.positions, dtype=np.float64) for f in frames]
        for index, pos in enumerate(positions):
            if not np.all(np.isfinite(pos)):
                atom = int(np.flatnonzero(~np.all(np.isfinite(pos), axis=1))[0])
                raise ValueError(
                    f"positions of frames[{index}] atom {atom} = {pos[atom].tolist()} "
                    "must be finite"
                )
        sizes = np.array([len(p) for p in positions], dtype=np.int64)
        system = np.repeat(np.arange(len(frames), dtype=np.int64), sizes)
        atom = np.arange(len(system)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        if len(system) == 0:  # no atom at all: a TensorMap without keys
            return TensorMap(Labels(KEY_NAMES, np.zeros((0, 4), dtype=np.int32)), [])
        types_all = np.concatenate(numbers).astype(np.int64)
        first, second, vectors = frames_neighbor_pairs(
            positions, [f.cell.array for f in frames], [f.pbc for f in frames],
            self.hypers.cutoff,
        )
        self._check_size(len(first), with_gradients)
        distances = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
        close = distances < COINCIDENCE
        if close.any():
            p = int(np.flatnonzero(close)[0])
            raise ValueError(
                f"atoms {atom[first[p]]} and {atom[second[p]]} of frames[{system[first[p]]}] "
                f"coincide (distance {distances[p]:.3g} < {COINCIDENCE}): the direction "
                "r_ij/|r_ij| of the harmonics is undefined"
            )
        return self._expand(types_all, system, atom, first, second, vectors, distances,
                            with_gradients)

    def _check_size(self, n_pairs, gradients):
        """Refuse (``ValueError``) before the per-pair arrays when they pass the budget.

        Per pair: radial values (and derivatives), harmonics (and gradients) and their
        zero-padded copies, about three times the values themselves.
        """
        h = self.hypers
        per_pair = (h.l_max + 1) * h.n_radial + (h.l_max + 1) ** 2
        if gradients:
            per_pair *= 4
        estimate = 3 * 8 * per_pair * n_pairs
        if estimate > MAX_PAIR_BYTES:
            raise ValueError(
                f"frames: {n_pairs} neighbour pairs within cutoff={h.cutoff} need about "
                f"{estimate / 2**30:.3g} GiB of per-pair arrays (l_max={h.l_max}, "
                f"n_radial={h.n_radial}, gradients={gradients}), more than MAX_PAIR_BYTES="
                f"{MAX_PAIR_BYTES / 2**30:g} GiB: compute fewer frames per call or use a "
                "smaller cutoff"
            )

    def _radial_for(self, n_pairs):
        """The spline when built (or worth building: ``n_pairs >= SPLINE_MIN_PAIRS``),
        the closed form otherwise. A spline that does not fit ``MAX_SPLINE_BYTES`` turns
        out as the closed form (``spline`` False)."""
        if not self.hypers.spline:
            return self._radial
        if self._splined is None:
            if n_pairs < SPLINE_MIN_PAIRS:
                return self._radial
            h = self.hypers
            self._splined = GtoRadialIntegral(h.cutoff, h.n_radial, h.l_max, h.density_width)
        return self._splined

    # ------------------------------------------------------------------ kernel
    def _expand(self, types_all, system, atom, first, second, vectors, distances, grads):
        h = self.hypers
        n_atoms = len(types_all)
        species, type_index = np.unique(types_all, return_inverse=True)
        n_types = len(species)
        # group of a pair: (type of centre, type of neighbour); sort by (group, i, j)
        group = type_index[first] * n_types + type_index[second]
        order = np.lexsort((second, first, group))
        group, first, second = group[order], first[order], second[order]
        vectors, distances = vectors[order], distances[order]

        # segments: runs of equal (group, centre); samples: segments plus the self samples
        seg_key = group * n_atoms + first
        seg_start = _run_starts(seg_key)
        diag_key = (type_index * n_types + type_index) * n_atoms + np.arange(n_atoms)
        sample_key = np.union1d(seg_key[seg_start], diag_key)
        sample_group = sample_key // n_atoms
        sample_atom = sample_key % n_atoms
        groups, group_start = np.unique(sample_group, return_index=True)
        group_bounds = np.append(group_start, len(sample_key))
        seg_row = np.searchsorted(sample_key, seg_key[seg_start])
        diag_row = np.searchsorted(sample_key, diag_key)
        samples_all = np.stack([system[sample_atom], atom[sample_atom]], axis=1).astype(np.int32)

        # radial and angular parts of every pair
        fc, dfc = self._cutoff.compute(distances)
        radial_integral = self._radial_for(len(distances))
        if grads:
            radial, dradial = radial_integral.compute(distances, derivative=True)
            dradial = dfc[:, None, None] * radial + fc[:, None, None] * dradial
            harmonics, dharmonics = self._harmonics.compute_with_gradients(vectors)
        else:
            radial = radial_integral.compute(distances)
            harmonics = self._harmonics.compute(vectors)
        radial *= fc[:, None, None]

        if grads:
            # gradient entries: (sample row, atom) for every neighbour and every centre
            pair_row = np.repeat(seg_row, np.diff(np.append(seg_start, len(first))))
            pair_entry_key = pair_row * n_atoms + second
            centre_key = np.arange(len(sample_key)) * n_atoms + sample_atom
            entry_key = np.union1d(pair_entry_key, centre_key)
            entry_row = entry_key // n_atoms
            entry_atom = entry_key % n_atoms
            run_start = _run_starts(pair_entry_key)
            run_entry = np.searchsorted(entry_key, pair_entry_key[run_start])
            centre_entry = np.searchsorted(entry_key, centre_key)
            entry_bounds = np.searchsorted(entry_row, group_bounds)
            moving = first != second  # an atom's own periodic images do not move
            unit = vectors / distances[:, None]

        values = [np.zeros((len(sample_key), 2 * l + 1, h.n_radial)) for l in range(h.l_max + 1)]
        if len(first):
            _accumulate(values, harmonics, radial, seg_start, seg_row)
        values[0][diag_row, 0, :] += self._self_term
        gradient_values = []
        if grads and len(first):
            plans = _segment_plans(seg_start, len(first))
            # fast path: one entry per pair, none on the centre (no self-images, no repeats)
            direct = len(run_start) == len(first) and bool(np.all(moving))
        for l in range(h.l_max + 1) if grads else ():
            sl = l_slice(l)
            n_m = 2 * l + 1
            if not len(first):
                gradient_values.append(np.zeros((len(entry_key), 3, n_m, h.n_radial)))
                continue
            # d/dr_j [R_l(r) Y_lm(r)] = [dY_lm, Y_lm r_hat] @ [R_l, dR_l/dr]: rank 2 per pair;
            # stored transposed, (pair, 2, xyz * m), so that every scatter copies whole rows
            left = np.empty((len(first), 2, 3, n_m))
            left[:, 0] = dharmonics[:, :, sl]
            left[:, 1] = harmonics[:, None, sl] * unit[:, :, None]
            left[~moving] = 0.0
            left = left.reshape(len(first), 2, 3 * n_m)
            right = np.empty((len(first), 2, h.n_radial))
            right[:, 0] = radial[:, l]
            right[:, 1] = dradial[:, l]
            if direct:
                left_all = np.zeros((len(entry_key), 2, 3 * n_m))
                left_all[run_entry] = left
                right_all = np.zeros((len(entry_key), 2, h.n_radial))
                right_all[run_entry] = right
                entries = np.matmul(left_all.transpose(0, 2, 1), right_all)
            else:
                entries = np.zeros((len(entry_key), 3 * n_m, h.n_radial))
                pair_grads = np.matmul(left.transpose(0, 2, 1), right)
                entries[run_entry] = np.add.reduceat(pair_grads, run_start, axis=0)
            # the centre moves opposite to all its neighbours together
            for rows, total in _segment_sums(left, right, plans):
                entries[centre_entry[seg_row[rows]]] -= total
            gradient_values.append(entries.reshape(len(entry_key), 3, n_m, h.n_radial))

        keys, blocks = [], []
        for k, grp in enumerate(groups):
            lo, hi = group_bounds[k], group_bounds[k + 1]
            c, a = species[grp // n_types], species[grp % n_types]
            samples = Labels(["system", "atom"], samples_all[lo:hi], assume_unique=True)
            if grads:
                elo, ehi = entry_bounds[k], entry_bounds[k + 1]
                grad_samples = Labels(
                    ["sample", "system", "atom"],
                    np.stack([entry_row[elo:ehi] - lo, system[entry_atom[elo:ehi]],
                              atom[entry_atom[elo:ehi]]], axis=1).astype(np.int32),
                    assume_unique=True,
                )
            for l in range(h.l_max + 1):
                keys.append((l, 1, c, a))
                block = TensorBlock(values[l][lo:hi], samples, [self._components[l]],
                                    self._properties)
                if grads:
                    block.add_gradient("positions", TensorBlock(
                        gradient_values[l][elo:ehi], grad_samples,
                        [self._xyz, self._components[l]], self._properties,
                    ))
                blocks.append(block)
        return TensorMap(Labels(KEY_NAMES, np.array(keys, dtype=np.int32)), blocks)


def _segment_plans(seg_start, n_pairs, chunk=512):
    """Padding plans for segment sums: segments sorted by length, in chunks of ``chunk``.

    Each plan is ``(segments, which, pos, pairs, width)``: pair ``pairs[k]`` goes to row
    ``which[k]``, column ``pos[k]`` of a ``(len(segments), width)`` zero-padded table.
    """
    seg_len = np.diff(np.append(seg_start, n_pairs))
    by_length = np.argsort(seg_len, kind="stable")
    plans = []
    for lo in range(0, len(seg_start), chunk):
        segs = by_length[lo:lo + chunk]
        lengths = seg_len[segs]
        which = np.repeat(np.arange(len(segs)), lengths)
        pos = np.arange(len(which)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        pairs = np.repeat(seg_start[segs], lengths) + pos
        plans.append((segs, which, pos, pairs, int(lengths.max())))
    return plans


def _segment_sums(left, right, plans):
    """Yield ``(segments, sum_{p in segment} left[p]^T @ right[p])`` chunk by chunk.

    ``left`` is ``(P, k, a)``, ``right`` ``(P, k, b)``; each chunk is one batched product of
    zero-padded ``(width k, a)`` (transposed) and ``(width k, b)`` tables.
    """
    n_k, n_a = left.shape[1], left.shape[2]
    n_b = right.shape[2]
    for segs, which, pos, pairs, width in plans:
        left_pad = np.zeros((len(segs), width, n_k, n_a))
        left_pad[which, pos] = left[pairs]
        right_pad = np.zeros((len(segs), width, n_k, n_b))
        right_pad[which, pos] = right[pairs]
        yield segs, np.matmul(left_pad.reshape(len(segs), width * n_k, n_a).transpose(0, 2, 1),
                              right_pad.reshape(len(segs), width * n_k, n_b))


def _accumulate(values, harmonics, radial, seg_start, seg_row):
    """``values[l][seg_row[s]] = sum_{p in segment s} Y[p, l m] R[p, l, n]`` for every ``l``.

    Segments (runs of pairs sharing a centre and a neighbour type) are zero-padded by
    :func:`_segment_plans`, so that each chunk is one batched matrix product per ``l``.
    """
    n_lm, (n_l, n_n) = harmonics.shape[1], radial.shape[1:]
    for segs, which, pos, pairs, width in _segment_plans(seg_start, len(harmonics)):
        # row-wise (contiguous) scatter; matmul takes the transposed strided views as is
        y_pad = np.zeros((len(segs), width, n_lm))
        y_pad[which, pos] = harmonics[pairs]
        r_pad = np.zeros((len(segs), width, n_l, n_n))
        r_pad[which, pos] = radial[pairs]
        rows = seg_row[segs]
        for l, out in enumerate(values):
            out[rows] = np.matmul(y_pad[:, :, l_slice(l)].transpose(0, 2, 1), r_pad[:, :, l, :])


def _run_starts(sorted_keys):
    """Indices where a run of equal values starts in a sorted 1-d array."""
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))


def _check_frames(frames):
    if isinstance(frames, ase.Atoms):
        return [frames]
    if not isinstance(frames, (list, tuple)):
        raise TypeError(
            f"frames={type(frames).__name__} must be an ase.Atoms or a list of ase.Atoms"
        )
    for index, frame in enumerate(frames):
        if not isinstance(frame, ase.Atoms):
            raise TypeError(
                f"frames[{index}]={type(frame).__name__} must be an ase.Atoms"
            )
    return list(frames)


def _check_gradients(gradients, default):
    if gradients is None:
        return bool(default)
    if isinstance(gradients, str) or not isinstance(gradients, (list, tuple)):
        raise ValueError(f"gradients={gradients!r} must be None or a list such as ['positions']")
    for name in gradients:
        if name != "positions":
            raise ValueError(
                f"gradients={list(gradients)!r}: only 'positions' gradients are supported"
            )
    return len(gradients) > 0
