"""Exact coefficient tables: compute, write (sharded, resumable), read back and verify.

``write_tables(out, kinds, l_max, formats)`` writes every non-zero coefficient of each kind
with angular momenta ``<= l_max`` in each format, plus ``out/manifest.json`` (sha256, size
and row count of every file). What each kind holds and the one column pattern shared by all
kinds (indices, then ``sign, p, q, exact, value``): :mod:`o3ref.reference.tables._kinds`; the
formats and the checking reader: :mod:`o3ref.reference.tables._files`. The command line
(``o3ref tables``, progress bars, Dask) is :mod:`o3ref.verify.cli.tables`.

* ``shards="none"``: one file per kind and format (``real-cg_lmax4.csv``);
* ``shards="blocks"``: one file per block (``(l1, l2)`` for the coupling kinds) in a folder
  per table (``real-cg_lmax20/real-cg_lmax20_03-10.npz``), computed task by task so that
  memory is bounded by one task; the manifest is rewritten every few seconds, so an
  interrupted run can be resumed (``resume=True`` keeps every file whose checksum verifies).

Files are byte-for-byte deterministic whatever the order in which tasks finish (and
wherever they run), written atomically, and never overwritten without ``force``.

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> rows = table_rows("real-cg", 1)
>>> rows[0]  # (l1, l2, L, m1, m2, M, sign, p, q, exact, value)
(0, 0, 0, 0, 0, 0, 1, 1, 1, '1', 1.0)
>>> [r[-2] for r in rows if r[:3] == (1, 1, 0)]  # -(u . v)/sqrt(3)
['-sqrt(1/3)', '-sqrt(1/3)', '-sqrt(1/3)']
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..indexing import check_degree
from ._coupling_rows import coupling_l_max
from ._files import (
    FORMATS,
    MANIFEST,
    atomic_write,
    checked_bytes,
    encode,
    file_name,
    load_manifest,
    read_table,
    sha256,
    verify_manifest,
    write_manifest,
)
from ._guard import folder_lock, remove_partial
from ._kinds import (
    KINDS,
    PI_KINDS,
    ShardRows,
    _task_rows,
    columns,
    estimate_rows,
    manifest_extra,
    shard_keys,
    task_keys,
)

__all__ = [
    "FORMATS",
    "KINDS",
    "MAX_BYTES",
    "SHARDINGS",
    "columns",
    "estimate_bytes",
    "file_name",
    "plan",
    "read_table",
    "read_tables",
    "run_task",
    "table_rows",
    "verify_manifest",
    "worker_count",
    "write_tables",
]

SHARDINGS = ("none", "blocks")
# the manifest is rewritten at most this often during a run (and once at the end)
_MANIFEST_INTERVAL_S = 5.0
# refuse up front beyond this estimated output (bytes, all files together)
MAX_BYTES = 2 * 10**12
_BYTES_PER_ROW = {"csv": 90, "json": 100, "npz": 45}


def _concat(parts: list[ShardRows]) -> ShardRows:
    pairs: dict[tuple[int, int], int] = {}
    ids = []
    for part in parts:
        remap = np.array([pairs.setdefault(pq, len(pairs)) for pq in part.pairs], dtype=np.int64)
        ids.append(remap[part.pair_id] if len(part) else part.pair_id)
    width = parts[0].indices.shape[1]
    return ShardRows(
        np.concatenate([p.indices.reshape(-1, width) for p in parts]),
        np.concatenate([p.sign for p in parts]),
        np.concatenate(ids),
        list(pairs),
    )


def _whole_table(kind: str, l_max: int) -> ShardRows:
    shards: dict[tuple[int, ...], ShardRows] = {}
    for keys in task_keys(kind, l_max):
        shards.update(_task_rows(kind, l_max, keys))
    return _concat([shards[key] for key in shard_keys(kind, l_max)])


def table_rows(kind: str, l_max) -> list[tuple]:
    """All non-zero coefficients of ``kind`` with angular momenta ``<= l_max``, as rows
    ``(*indices, sign, p, q, exact, value)`` (for small tables: Python tuples).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    from ._files import exact_text, float_value

    l_max = check_degree("l_max", l_max)
    rows = _whole_table(kind, l_max)
    pi = kind in PI_KINDS
    out = []
    for idx, s, i in zip(rows.indices.tolist(), rows.sign.tolist(), rows.pair_id.tolist(),
                         strict=True):
        p, q = rows.pairs[i]
        out.append(tuple(idx) + (s, p, q, exact_text(s, p, q, pi), float_value(s, p, q, pi)))
    return out


def estimate_bytes(kinds: Iterable[str], l_max: int, formats: Iterable[str]) -> float:
    """Rough size of the output in bytes (for the up-front refusal of huge requests).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    formats = list(formats)
    return sum(estimate_rows(k, l_max) * _BYTES_PER_ROW[f] for k in kinds for f in formats)


def _check(kinds, l_max, formats, shards) -> tuple[list[str], int, list[str]]:
    l_max = check_degree("l_max", l_max)
    kinds = list(dict.fromkeys(kinds))
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r} must be one of {', '.join(KINDS)}")
    formats = list(dict.fromkeys(formats))
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"format={fmt!r} must be one of {', '.join(FORMATS)}")
    if not kinds or not formats:
        raise ValueError("at least one kind and one format are needed")
    if shards not in SHARDINGS:
        raise ValueError(f"shards={shards!r} must be one of {', '.join(SHARDINGS)}")
    if "coupling" in kinds and l_max > coupling_l_max():
        raise ValueError(f"l_max={l_max}: the coupling table is exact and reaches l = "
                         f"{coupling_l_max()} (coupling_basis's exact limits); beyond, use "
                         "coupling_basis(..., dps=N)")
    size = estimate_bytes(kinds, l_max, formats)
    if size > MAX_BYTES:
        raise ValueError(
            f"l_max={l_max} would write about {size:.1e} bytes "
            f"({', '.join(f'{k}: ~{estimate_rows(k, l_max):.1e} rows' for k in kinds)}); "
            f"the limit is {MAX_BYTES:.0e} bytes: choose a smaller l_max"
        )
    return kinds, l_max, formats


def run_task(kind: str, l_max: int, keys, formats, out_dir: str,
             shards: str = "blocks") -> dict[str, dict]:
    """Compute one task's shards (or a whole table when ``shards="none"``), write its files
    into ``out_dir`` and return their manifest entries. This is what runs on a Dask worker.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    return _write_task(kind, l_max, _task_parts(kind, l_max, keys, shards), formats, out_dir)


def _task_parts(kind: str, l_max: int, keys, shards: str) -> dict:
    if shards == "none":
        return {None: _whole_table(kind, l_max)}
    return _task_rows(kind, l_max, [tuple(k) for k in keys])


def _write_task(kind: str, l_max: int, parts: dict, formats, out_dir: str) -> dict[str, dict]:
    out = Path(out_dir)
    entries = {}
    for key, rows in parts.items():
        for fmt in formats:
            data = encode(kind, l_max, fmt, rows, key)
            name = file_name(kind, l_max, fmt, key)
            atomic_write(out / name, data, sync=False)
            entry = {"kind": kind, "l_max": l_max, "format": fmt, "rows": len(rows),
                     "bytes": len(data), "sha256": sha256(data)}
            if key is not None:
                entry["shard"] = list(key)
            entry.update(manifest_extra(kind, l_max, key))
            entries[name] = entry
    return entries


def plan(out_dir, kinds, l_max, formats, *, shards: str = "none", force: bool = False,
         resume: bool = False) -> tuple[list[tuple], dict[str, dict]]:
    """What a run has to do: ``(tasks, kept)``; each task ``(kind, keys)``; ``kept`` the
    manifest entries that stay (other tables, and with ``resume`` the verified files).
    Checks everything that can be checked before computing; raises ``FileExistsError`` for
    existing files without ``force`` or ``resume``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    kinds, l_max, formats = _check(kinds, l_max, formats, shards)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out={str(out)!r} exists and is not a directory")
    try:
        old = load_manifest(out) if (out / MANIFEST).is_file() else {}
    except ValueError:
        if not force:
            raise ValueError(f"{out / MANIFEST} is not a manifest of o3ref tables; "
                             "pass --force to replace it") from None
        old = {}
    tasks, targets = [], set()
    for kind in kinds:
        groups = [None] if shards == "none" else task_keys(kind, l_max)
        for keys in groups:
            names = [file_name(kind, l_max, f, None if keys is None else k)
                     for k in (keys or [None]) for f in formats]
            targets.update(names)
            if resume and all(n in old and _verifies(out / n, old[n]) for n in names):
                continue
            tasks.append((kind, keys, names))
    existing = [n for _, _, names in tasks for n in names if (out / n).exists()]
    if existing and not (force or resume):
        shown = ", ".join(str(out / n) for n in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise FileExistsError(f"{shown}{more} already exist{'s' if len(existing) == 1 else ''}; "
                              "pass --force to overwrite (or --resume to keep verified files)")
    pending = {n for _, _, names in tasks for n in names}
    kept = {n: e for n, e in old.items() if n not in pending and (out / n).is_file()}
    return [(kind, keys) for kind, keys, _ in tasks], kept


def _verifies(path: Path, entry: dict) -> bool:
    try:
        checked_bytes(path, entry)
    except ValueError:
        return False
    return True


Mapper = Callable[[list[tuple]], Iterator[dict[str, dict]]]


def serial_mapper(kind_l_max_formats_out) -> Mapper:
    """Run tasks one after the other in this process (the default of :func:`write_tables`);
    one writer thread encodes, compresses (zlib runs without the GIL) and writes a task's
    files while the next task is computed, at most two tasks behind."""
    l_max, formats, out, shards = kind_l_max_formats_out

    def run(tasks):
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="o3ref-tables") as pool:
            pending: deque = deque()
            for kind, keys in tasks:
                parts = _task_parts(kind, l_max, keys, shards)
                pending.append(pool.submit(_write_task, kind, l_max, parts, formats, str(out)))
                while pending and (pending[0].done() or len(pending) > 2):
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    return run


def write_tables(out_dir, kinds, l_max, formats, force: bool = False, *, shards: str = "none",
                 resume: bool = False, mapper: Mapper | None = None,
                 on_task: Callable[[dict[str, dict]], None] | None = None,
                 lock_wait_s: float = 60.0) -> dict[str, dict]:
    """Write the tables and ``manifest.json``; returns the manifest's entries for this run.

    ``mapper(tasks)`` runs ``(kind, keys)`` tasks and yields each task's entries as it
    finishes (default: serially here; :mod:`o3ref.verify.cli.tables` passes a Dask one);
    the manifest is rewritten every few seconds and at the end (sorted: the same bytes in
    any order).
    Refuses (``FileExistsError``) to overwrite an existing table unless ``force``;
    ``resume`` keeps files whose checksum verifies. The manifest keeps the entries of the
    folder's other tables.
    One run at a time per folder: the run holds the folder's lock file from planning to the
    last manifest; another run waits up to ``lock_wait_s`` seconds for it, then raises
    ``FolderLockedError`` (a ``FileExistsError``). A write error (``OSError``, e.g. a full
    disk) deletes the files of the unfinished tasks and leaves a manifest of the complete
    tables only (see :mod:`o3ref.reference.tables._guard`); an interruption
    (``KeyboardInterrupt``) keeps them for ``resume``.
    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    kinds, l_max, formats = _check(kinds, l_max, formats, shards)
    out = Path(out_dir)
    created = not out.exists()
    try:
        with folder_lock(out, lock_wait_s):
            tasks, kept = plan(out_dir, kinds, l_max, formats, shards=shards, force=force,
                               resume=resume)
            had_manifest = (out / MANIFEST).is_file()
            try:
                return _run_tasks(out, tasks, kept, l_max, formats, shards, mapper, on_task)
            except OSError:
                names = [file_name(kind, l_max, f, None if keys is None else k)
                         for kind, keys in tasks for k in (keys or [None]) for f in formats]
                remove_partial(out, names, kept, had_manifest)
                raise
    except BaseException as exc:
        if created and not isinstance(exc, KeyboardInterrupt):
            with contextlib.suppress(OSError):
                out.rmdir()  # only when empty: nothing of this run is left
        raise


def _run_tasks(out: Path, tasks, kept, l_max, formats, shards, mapper, on_task):
    mapper = mapper or serial_mapper((l_max, formats, out, shards))
    entries = dict(kept)
    written: dict[str, dict] = {}
    last = time.monotonic()
    for result in mapper(tasks):
        written.update(result)
        entries.update(result)
        if time.monotonic() - last > _MANIFEST_INTERVAL_S:  # progress kept for --resume
            write_manifest(out, entries)
            last = time.monotonic()
        if on_task is not None:
            on_task(result)
    write_manifest(out, entries)
    return written


def read_tables(out_dir, kind: str, l_max: int, fmt: str) -> Iterator[tuple]:
    """Every row of a table written with ``shards="blocks"`` (or ``"none"``), shard after
    shard in row order, each file checked by :func:`read_table`.

    The arguments are checked first (``ValueError`` naming ``kind``, ``l_max`` or ``fmt``);
    the table must be listed in the folder's manifest (so ``l_max`` is bounded by what was
    written); each shard's manifest entry and rows must belong to its block (the leading
    indices of every row are the shard's key), so swapped or renamed shards are refused.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    l_max = check_degree("l_max", l_max)
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} must be one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt={fmt!r} must be one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    listed = {(e["kind"], e["l_max"], e["format"]) for e in load_manifest(out).values()}
    if (kind, l_max, fmt) not in listed:
        tables = ", ".join(f"{k} l_max={n} {f}" for k, n, f in sorted(listed)) or "none"
        raise ValueError(f"no table kind={kind!r}, l_max={l_max}, fmt={fmt!r} in "
                         f"{out / MANIFEST} (it lists: {tables})")
    return _read_rows(out, kind, l_max, fmt)


def _read_rows(out: Path, kind: str, l_max: int, fmt: str) -> Iterator[tuple]:
    whole = out / file_name(kind, l_max, fmt)
    if whole.is_file():
        yield from _checked_table(whole, kind, l_max, fmt, None)["rows"]
        return
    for key in shard_keys(kind, l_max):
        yield from _checked_table(out / file_name(kind, l_max, fmt, key), kind, l_max, fmt,
                                  key)["rows"]


def _checked_table(path: Path, kind: str, l_max: int, fmt: str, key) -> dict:
    table = read_table(path)  # checksums, row consistency, rows within the entry's shard
    shard = None if table["shard"] is None else tuple(table["shard"])
    if (table["kind"], table["l_max"], shard) != (kind, l_max, key):
        raise ValueError(f"{path}: the manifest lists it as kind={table['kind']!r}, "
                         f"l_max={table['l_max']}, shard={shard}; expected kind={kind!r}, "
                         f"l_max={l_max}, shard={key} (a swapped or renamed file)")
    return table


def worker_count(requested: int, n_tasks: int, cpus: int | None = None) -> tuple[int, str]:
    """Worker processes worth starting: ``min(requested, n_tasks, cpus)`` (at least 1), and
    a note saying so when that is fewer than ``requested`` (empty otherwise).

    Conventions: see :mod:`o3ref.reference.conventions` (no convention of its own).

    >>> worker_count(1000, 10, cpus=4)
    (4, 'workers=1000 capped at 4 (10 tasks, 4 CPUs)')
    """
    if isinstance(requested, bool) or not isinstance(requested, int) or requested < 1:
        raise ValueError(f"workers={requested!r} must be a positive integer")
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    n = max(1, min(requested, n_tasks, cpus))
    if n == requested:
        return n, ""
    return n, f"workers={requested} capped at {n} ({n_tasks} tasks, {cpus} CPUs)"
