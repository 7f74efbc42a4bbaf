"""Where every pair of a spherical expansion goes: pair order, samples, gradient entries, chunks.

Helper of :mod:`o3ref.fast.expansion` (index arithmetic only, no floats). Pairs are
sorted by ``(group, centre, neighbour)`` with ``group = (centre type, neighbour type)``; a
*segment* is a run of pairs sharing a group and a centre, and becomes one sample row
(``key = group * n_atoms + centre``). Samples are the segments plus every atom's own
``(c, c)`` row (its Gaussian), sorted by key, so that each group's samples are one slice.

Gradient entries (``gradients=True``): one per ``(sample row, neighbour atom)`` and one per
``(sample row, centre)``, sorted the same way; several periodic images of one neighbour
(a *run* of pairs) share an entry, and an atom's own images land on its centre entry.

The pair pipeline then walks the sorted pairs in chunks (:func:`chunk_bounds`): whole
segments where they fit, a segment longer than a chunk split into pieces.

>>> import numpy as np
>>> lay = layout(np.array([8, 1, 1]), np.array([0, 0, 1, 2]), np.array([1, 2, 0, 0]), False)
>>> lay.sample_key.tolist()  # groups (H,H)=0, (H,O)=1, (O,H)=2, (O,O)=3: key group*3 + atom
[1, 2, 4, 5, 6, 9]
>>> lay.seg_row.tolist()  # the segments: H1 and H2 with O (group 1), O with H (group 2)
[2, 3, 4]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PairLayout", "layout", "chunk_bounds", "Chunk"]


@dataclass
class PairLayout:
    """Sorted pairs and the rows they feed (see the module docstring).

    ``order`` sorts the pairs; ``first``, ``second``, ``seg_start`` (first pair of every
    segment), ``seg_row`` (its sample row) refer to the sorted pairs. ``sample_key``,
    ``group_bounds`` (sample rows of each group in ``groups``), ``diag_row`` (every atom's
    own row) describe the samples. With gradients: ``entry_key`` (``row * n_atoms + atom``),
    ``pair_entry`` (the entry of every sorted pair), ``centre_entry`` and ``row_entry_start``
    (per sample row; one more at the end), ``entry_bounds`` (entries of each group), and
    ``moving`` (pairs whose neighbour is not the centre's own image).
    """

    n_atoms: int
    species: np.ndarray
    order: np.ndarray
    first: np.ndarray
    second: np.ndarray
    seg_start: np.ndarray
    seg_row: np.ndarray
    sample_key: np.ndarray
    groups: np.ndarray
    group_bounds: np.ndarray
    diag_row: np.ndarray
    entry_key: np.ndarray | None = None
    pair_entry: np.ndarray | None = None
    centre_entry: np.ndarray | None = None
    row_entry_start: np.ndarray | None = None
    entry_bounds: np.ndarray | None = None
    moving: np.ndarray | None = None

    @property
    def n_pairs(self) -> int:
        """The number of pairs."""
        return len(self.first)

    @property
    def sample_atom(self) -> np.ndarray:
        """The (global) atom of every sample row."""
        return self.sample_key % self.n_atoms

    def pair_types(self, group) -> tuple[int, int]:
        """``(centre type, neighbour type)`` of a group."""
        n_types = len(self.species)
        return int(self.species[group // n_types]), int(self.species[group % n_types])


def layout(types, first, second, gradients) -> PairLayout:
    """The :class:`PairLayout` of pairs ``first -> second`` among atoms of ``types``."""
    n_atoms = len(types)
    species, type_index = np.unique(types, return_inverse=True)
    type_index = type_index.reshape(-1)
    n_types = len(species)
    group = type_index[first] * n_types + type_index[second]
    order = np.lexsort((second, first, group))
    first, second, group = first[order], second[order], group[order]
    seg_key = group * n_atoms + first
    del group
    seg_start = run_starts(seg_key)
    diag_key = (type_index * n_types + type_index) * n_atoms + np.arange(n_atoms)
    sample_key = np.union1d(seg_key[seg_start], diag_key)
    groups, group_start = np.unique(sample_key // n_atoms, return_index=True)
    lay = PairLayout(
        n_atoms=n_atoms, species=species, order=order, first=first, second=second,
        seg_start=seg_start, seg_row=np.searchsorted(sample_key, seg_key[seg_start]),
        sample_key=sample_key, groups=groups,
        group_bounds=np.append(group_start, len(sample_key)),
        diag_row=np.searchsorted(sample_key, diag_key),
    )
    del seg_key
    if gradients:
        _add_entries(lay)
    return lay


def _add_entries(lay: PairLayout) -> None:
    """The gradient entries of :class:`PairLayout` (its ``gradients=True`` fields)."""
    n_atoms, n_rows = lay.n_atoms, len(lay.sample_key)
    seg_len = np.diff(np.append(lay.seg_start, lay.n_pairs))
    pair_key = np.repeat(lay.seg_row, seg_len) * n_atoms + lay.second
    centre_key = np.arange(n_rows) * n_atoms + lay.sample_atom
    lay.entry_key = np.union1d(pair_key, centre_key)
    lay.pair_entry = np.searchsorted(lay.entry_key, pair_key)
    del pair_key
    lay.centre_entry = np.searchsorted(lay.entry_key, centre_key)
    entry_row = lay.entry_key // n_atoms
    lay.row_entry_start = np.searchsorted(entry_row, np.arange(n_rows + 1))
    lay.entry_bounds = lay.row_entry_start[lay.group_bounds]
    lay.moving = lay.first != lay.second  # an atom's own periodic images do not move


@dataclass
class Chunk:
    """Pairs ``lo:hi`` of a :class:`PairLayout`: the segments they touch (``starts``, local
    to the chunk, and their sample ``rows``), and ``whole`` when those segments lie entirely
    inside the chunk (no segment shared with a neighbouring chunk)."""

    lo: int
    hi: int
    starts: np.ndarray
    rows: np.ndarray
    whole: bool


def chunk_bounds(lay: PairLayout, max_pairs: int):
    """Yield the :class:`Chunk` s of at most ``max_pairs`` pairs that cover every pair once.

    A chunk ends at the last segment boundary that keeps it within ``max_pairs``; a segment
    longer than ``max_pairs`` is cut into pieces of ``max_pairs``.
    """
    n_pairs, seg_start = lay.n_pairs, lay.seg_start
    ends = np.append(seg_start[1:], n_pairs)
    lo = 0
    while lo < n_pairs:
        target = lo + max_pairs
        k = int(np.searchsorted(ends, target, side="right")) - 1
        hi = int(ends[k]) if k >= 0 and ends[k] > lo else min(target, n_pairs)
        s0 = int(np.searchsorted(seg_start, lo, side="right")) - 1
        s1 = int(np.searchsorted(seg_start, hi, side="left"))
        starts = np.maximum(seg_start[s0:s1], lo) - lo
        whole = bool(seg_start[s0] == lo and hi == ends[s1 - 1])
        yield Chunk(lo, hi, starts, lay.seg_row[s0:s1], whole)
        lo = hi


def run_starts(sorted_keys) -> np.ndarray:
    """Indices where a run of equal values starts in a sorted 1-d array."""
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))
