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
sorted by (centre type, neighbour type, centre, neighbour)
(:mod:`o3ref.fast.expansion_layout`), then walked in chunks of bounded size
(``CHUNK_BYTES``, whole segments where they fit): each chunk's radial and angular parts, then
the sums over the neighbours of one centre as batched matrix products of zero-padded segments
(harmonics^T @ radial, one per ``l``), added into preallocated output arrays
(:mod:`o3ref.fast.expansion_sums`). A pair's gradient is the rank-2 product
``[dY, Y r_hat] @ [R, dR/dr]`` written straight into the output's gradient array, and the
centre's entry is minus the sum over its neighbours. Only the per-pair index arrays and the
output grow with the call; every other temporary is of the size of one chunk, so that peak
memory follows the number of pairs linearly.

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
from .expansion_layout import chunk_bounds, layout
from .expansion_sums import add_gradients, add_values, segment_plans
from .harmonics import SphericalHarmonics
from .hypers import ExpansionHypers
from .neighbors import frames_neighbor_pairs
from .radial import GtoRadialIntegral

__all__ = ["SphericalExpansion"]

KEY_NAMES = ["o3_lambda", "o3_sigma", "center_type", "neighbor_type"]
COINCIDENCE = 1e-10
#: the radial spline is built with the calculator when it holds at most this many
#: functions ``(l_max + 1) n_radial`` (a second or less); larger bases build it on the
#: first call with ``SPLINE_MIN_PAIRS`` pairs or more and use the closed form before
EAGER_SPLINE_VALUES = 256
#: the arrays of one call that grow with its pairs (index arrays and, with gradients, the
#: output's gradient rows) may take at most this many bytes (checked before allocating)
MAX_PAIR_BYTES = 8 << 30
SPLINE_MIN_PAIRS = 4096
#: the per-pair radial, angular and gradient arrays of one chunk of pairs take about this
#: many bytes at most (a fixed bound: 5 % of the values of a 12,288-atom water box with
#: l_max = 6 and 9 radial functions, 0.06 % of their gradients) ...
CHUNK_BYTES = 4 << 20
#: ... but a chunk holds at least this many pairs (very large bases)
MIN_CHUNK_PAIRS = 64
#: float64 values per 4 KiB page: the output's pages are touched at once (``_allocate``)
PAGE_VALUES = 512
#: bytes of the index arrays kept for every pair of a call (pair lists, order, entries)
_INDEX_BYTES_PER_PAIR = 96


class SphericalExpansion:
    """Spherical expansion calculator; hypers in the seed or the featomic spelling.

    See :mod:`o3ref.fast.hypers` for both spellings (the seed's ``max_radial`` counts radial
    functions, featomic's is the largest index). The radial spline (cached per set of
    hypers) is built here when the basis has at most ``EAGER_SPLINE_VALUES`` functions;
    a larger basis (``l_max = 60``: 366) builds it on the first call with at least
    ``SPLINE_MIN_PAIRS`` pairs and uses the closed form before, so that a few pairs never
    pay for a table. ``compute`` finds all pairs of all frames at once and works through
    them in chunks of bounded size (``CHUNK_BYTES``).

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
        positions = _positions(frames)
        sizes = np.array([len(p) for p in positions], dtype=np.int64)
        system = np.repeat(np.arange(len(frames), dtype=np.int64), sizes)
        atom = np.arange(len(system)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        if len(system) == 0:  # no atom at all: a TensorMap without keys
            return TensorMap(Labels(KEY_NAMES, np.zeros((0, 4), dtype=np.int32)), [])
        types = np.concatenate([f.numbers for f in frames]).astype(np.int64)
        first, second, vectors = frames_neighbor_pairs(
            positions, [f.cell.array for f in frames], [f.pbc for f in frames],
            self.hypers.cutoff,
        )
        self._check_size(len(first), with_gradients)
        distances = _distances(vectors, first, second, system, atom)
        lay = layout(types, first, second, with_gradients)
        del first, second
        values, grads = self._allocate(lay, with_gradients)
        self._accumulate(lay, vectors, distances, values, grads)
        del vectors, distances
        values[0][lay.diag_row, 0, :] += self._self_term
        return self._tensor_map(lay, system, atom, values, grads)

    def _check_size(self, n_pairs, gradients):
        """Refuse (``ValueError``) before the per-pair arrays when they pass the budget.

        Per pair: its index arrays and, with gradients, its row of the output's gradients
        (``3 (l_max+1)^2 n_radial`` values); the radial and angular parts are computed
        chunk by chunk and do not count.
        """
        h = self.hypers
        per_pair = _INDEX_BYTES_PER_PAIR
        if gradients:
            per_pair += 8 * 3 * (h.l_max + 1) ** 2 * h.n_radial
        estimate = per_pair * n_pairs
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
    def _allocate(self, lay, gradients):
        """The output arrays, zero: values ``(samples, 2l+1, N)`` and gradients
        ``(entries, 3, 2l+1, N)`` per ``l`` (an empty list without gradients).

        Every page is touched here, at once (one zero written per ``PAGE_VALUES``), rather
        than by the chunks that fill it later: the same page faults (every row is written
        anyway), but taken right after the neighbour search, so that memory a previous
        call has just freed comes straight back. Faulted over the whole run, the memory can
        meanwhile go back to a virtual machine's host (free page reporting: 2 MiB blocks
        free for about two seconds), whose faults then cost ten times more (issue 21: the
        1,536-atom box with gradients, 0.1 s of system time per round or 0.8 s).
        """
        h = self.hypers
        n_rows = len(lay.sample_key)
        values = [np.zeros((n_rows, 2 * l + 1, h.n_radial)) for l in range(h.l_max + 1)]
        grads = []
        if gradients:
            n_entries = len(lay.entry_key)
            grads = [np.zeros((n_entries, 3, 2 * l + 1, h.n_radial)) for l in range(h.l_max + 1)]
        for out in values + grads:
            out.reshape(-1)[::PAGE_VALUES] = 0.0
        return values, grads

    def _chunk_pairs(self, gradients):
        """Pairs per chunk: per-pair temporaries within ``CHUNK_BYTES``, at least
        ``MIN_CHUNK_PAIRS``."""
        h = self.hypers
        n_lm, n_ln = (h.l_max + 1) ** 2, (h.l_max + 1) * h.n_radial
        # harmonics, radial parts and their zero-padded copies; with gradients also the
        # harmonics' gradients, dR/dr, and the factors [dY, Y r_hat] and [R, dR/dr] of every
        # degree (on the rows of the chunk's entries, about one per pair)
        per_pair = 2 * (n_lm + n_ln) + 8
        if gradients:
            per_pair += 9 * n_lm + 3 * n_ln + 12 * (h.l_max + 1)
        return max(MIN_CHUNK_PAIRS, CHUNK_BYTES // (8 * per_pair))

    def _accumulate(self, lay, vectors, distances, values, grads):
        """Run the pair pipeline chunk by chunk: radial and angular parts of the chunk's
        pairs, then their segment sums (and gradients) into the output arrays."""
        radial_integral = self._radial_for(lay.n_pairs)
        for chunk in chunk_bounds(lay, self._chunk_pairs(bool(grads))):
            index = lay.order[chunk.lo:chunk.hi]
            vec, dist = vectors[index], distances[index]
            fc, dfc = self._cutoff.compute(dist)
            fc, dfc = fc[:, None, None], dfc[:, None, None]
            plans = segment_plans(chunk.starts, len(index))
            if not grads:
                radial = radial_integral.compute(dist)
                radial *= fc
                add_values(values, self._harmonics.compute(vec), radial, plans, chunk.rows)
                continue
            radial, dradial = radial_integral.compute(dist, derivative=True)
            dradial *= fc
            dradial += dfc * radial
            radial *= fc
            harmonics, dharmonics = self._harmonics.compute_with_gradients(vec)
            add_values(values, harmonics, radial, plans, chunk.rows)
            add_gradients(grads, lay, chunk, harmonics, dharmonics, radial, dradial,
                          vec / dist[:, None])

    def _tensor_map(self, lay, system, atom, values, grads):
        """The blocks of every group and ``l`` (slices of the output arrays), with labels."""
        samples_all = np.stack([system[lay.sample_atom], atom[lay.sample_atom]],
                               axis=1).astype(np.int32)
        if grads:
            entry_row = lay.entry_key // lay.n_atoms
            entry_atom = lay.entry_key % lay.n_atoms
        keys, blocks = [], []
        for k, group in enumerate(lay.groups):
            lo, hi = lay.group_bounds[k], lay.group_bounds[k + 1]
            c, a = lay.pair_types(group)
            samples = Labels(["system", "atom"], samples_all[lo:hi], assume_unique=True)
            if grads:
                elo, ehi = lay.entry_bounds[k], lay.entry_bounds[k + 1]
                grad_samples = Labels(
                    ["sample", "system", "atom"],
                    np.stack([entry_row[elo:ehi] - lo, system[entry_atom[elo:ehi]],
                              atom[entry_atom[elo:ehi]]], axis=1).astype(np.int32),
                    assume_unique=True,
                )
            for l in range(self.hypers.l_max + 1):
                keys.append((l, 1, c, a))
                block = TensorBlock(values[l][lo:hi], samples, [self._components[l]],
                                    self._properties)
                if grads:
                    block.add_gradient("positions", TensorBlock(
                        grads[l][elo:ehi], grad_samples,
                        [self._xyz, self._components[l]], self._properties,
                    ))
                blocks.append(block)
        return TensorMap(Labels(KEY_NAMES, np.array(keys, dtype=np.int32)), blocks)


def _positions(frames):
    """float64 positions of every frame; non-finite ones raise ``ValueError``."""
    positions = [np.asarray(f.positions, dtype=np.float64) for f in frames]
    if positions and np.isfinite(np.concatenate(positions)).all():  # one check for all
        return positions
    for index, pos in enumerate(positions):
        if not np.all(np.isfinite(pos)):
            atom = int(np.flatnonzero(~np.all(np.isfinite(pos), axis=1))[0])
            raise ValueError(
                f"positions of frames[{index}] atom {atom} = {pos[atom].tolist()} "
                "must be finite"
            )
    return positions


def _distances(vectors, first, second, system, atom):
    """``|r_ij|`` of every pair; coincident atoms raise ``ValueError``."""
    distances = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
    close = distances < COINCIDENCE
    if close.any():
        p = int(np.flatnonzero(close)[0])
        raise ValueError(
            f"atoms {atom[first[p]]} and {atom[second[p]]} of frames[{system[first[p]]}] "
            f"coincide (distance {distances[p]:.3g} < {COINCIDENCE}): the direction "
            "r_ij/|r_ij| of the harmonics is undefined"
        )
    return distances


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
