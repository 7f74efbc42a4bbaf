"""Exact coefficient tables: compute, write (sharded, resumable), read back and verify.

``write_tables(out, kinds, l_max, formats)`` writes every non-zero coefficient of each kind
with angular momenta ``<= l_max`` in each format, plus ``out/manifest.json``;
``read_table(path)`` and ``read_tables(out, kind, l_max, fmt)`` read them back, checking each
file against the manifest and every row for internal consistency. The command line is
``o3ref tables``.

Private modules, one concept each: ``_run`` (plan, run, write, read a folder), ``_kinds``
(what each kind holds, its columns and shards), ``_files`` (the bytes of each format, the
manifest, the checking reader), ``_values`` (exact text and float64 of ``sign sqrt(p/q)``),
``_real_cg_blocks`` (the real CG of a whole ``(l1, l2)`` block, the tables' bulk route),
``_guard`` (one writer per folder, nothing half-written left behind), ``_coupling_rows``
(the ``coupling`` kind: exact bases of symmetric couplings; :func:`coupling_tensors` rebuilds
them from rows).

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> rows = table_rows("real-cg", 1)
>>> rows[0]  # (l1, l2, L, m1, m2, M, sign, p, q, exact, value)
(0, 0, 0, 0, 0, 0, 1, 1, 1, '1', 1.0)
"""

from ._coupling_rows import COUPLING_DEGREES, coupling_tensors
from ._files import MANIFEST, atomic_write, load_manifest, manifest_bytes, sha256
from ._kinds import CARTESIAN_FORMULAS, KINDS, columns, shard_rows
from ._run import (
    FORMATS,
    MAX_BYTES,
    SHARDINGS,
    estimate_bytes,
    file_name,
    plan,
    read_table,
    read_tables,
    run_task,
    table_rows,
    verify_manifest,
    worker_count,
    write_tables,
)
from ._guard import LOCK, FolderLockedError, folder_lock

__all__ = [
    # what a table holds
    "KINDS",
    "CARTESIAN_FORMULAS",
    "FORMATS",
    "SHARDINGS",
    "columns",
    "table_rows",
    "shard_rows",
    "COUPLING_DEGREES",
    "coupling_tensors",
    # writing a folder of tables
    "MAX_BYTES",
    "estimate_bytes",
    "plan",
    "run_task",
    "worker_count",
    "write_tables",
    "LOCK",
    "FolderLockedError",
    "folder_lock",
    # files, the manifest and reading back
    "MANIFEST",
    "atomic_write",
    "file_name",
    "load_manifest",
    "manifest_bytes",
    "read_table",
    "read_tables",
    "sha256",
    "verify_manifest",
]
