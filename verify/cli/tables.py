"""``o3ref tables``: write exact coefficient tables (the command line over
:mod:`o3ref.reference.tables`), with a progress bar and, on request, a Dask cluster.

``o3ref tables --kind KIND [KIND ...] --l-max N [--format F ...] --out DIR`` with
``--shards {blocks,none}`` (default ``blocks``: one file per ``(l1, l2)`` block, memory
bounded by one block), ``--resume`` (keep files whose checksum verifies, compute the rest),
``--force``, ``--quiet``, and ``--workers N`` (a local Dask cluster of ``N`` processes) or
``--scheduler ADDRESS`` (a running Dask scheduler; every worker must have o3ref installed and
see ``--out`` at the same path, e.g. a shared file system). Shards are computed and written
where the work runs; the bytes are the same as those of a serial run.

Every user error is checked before any computation and ends with exit status 2 and one line
on stderr; nothing is written then.

Conventions: see :mod:`o3ref.reference.conventions`.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="o3ref tables")
>>> configure_parser(parser)
>>> "(default: json)" in parser.format_help()
True
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import sys
from pathlib import Path

from o3ref.reference.tables import (
    CARTESIAN_FORMULAS,
    FORMATS,
    KINDS,
    MANIFEST,
    MAX_BYTES,
    SHARDINGS,
    plan,
    run_task,
    sha256,
    worker_count,
    write_tables,
)

from .._io import UsageError
from ..progress import Progress

__all__ = ["configure_parser", "l_max_help", "run"]

_CONNECT_TIMEOUT_S = 3
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


def l_max_help() -> str:
    """The help of ``--l-max``: what it bounds, the Cartesian formulas by rank
    (:data:`o3ref.reference.tables.CARTESIAN_FORMULAS`) and the size limit
    (:data:`o3ref.reference.tables.MAX_BYTES`)."""
    ranks: dict[int, list[str]] = {}
    for formula in CARTESIAN_FORMULAS:
        ranks.setdefault(len(formula.split("=")[0]), []).append(formula)
    by_rank = "; ".join(f"{r}: {', '.join(f)}" for r, f in sorted(ranks.items()))
    return (f"largest angular momentum: every l (or j) index <= L_MAX; cartesian-basis: the "
            f"largest rank, up to {max(ranks)} (rank {by_rank}); a plan over {MAX_BYTES:.0e} "
            "bytes is refused")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``o3ref tables``."""
    parser.add_argument("--kind", nargs="+", choices=KINDS, required=True,
                        help="table kind(s) to write")
    parser.add_argument("--l-max", type=int, required=True, help=l_max_help())
    parser.add_argument("--format", nargs="+", choices=FORMATS, default=["json"],
                        help="file format(s) (default: json)")
    parser.add_argument("--out", required=True, help="output directory (created if missing)")
    parser.add_argument("--shards", choices=SHARDINGS, default="blocks",
                        help="one file per (l1, l2) block, or one file per table "
                        "(default: blocks)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument("--resume", action="store_true",
                        help="keep existing files whose checksum verifies; compute the rest")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=int, default=None,
                       help="start a local Dask cluster with this many worker processes")
    group.add_argument("--scheduler", default=None,
                       help="address of a running Dask scheduler (tcp://host:8786)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _fail(message: str) -> int:
    print(f"o3ref tables: error: {message}", file=sys.stderr)
    return 2


def _check_writable(out: Path) -> None:
    """Raise ``OSError`` unless ``out`` can be created (or written) there; writes nothing."""
    existing = out.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"{existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{existing} is not writable")


@contextlib.contextmanager
def _quiet_dask_logs():
    names = ("distributed", "distributed.comm", "distributed.client", "tornado", "asyncio")
    saved = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


def _probe(address: str) -> None:
    """Fail fast (``ConnectionError``) when a ``tcp://host:port`` scheduler does not accept a
    connection, before the (slow) import of dask; other schemes are left to dask."""
    text = address.strip()
    if "://" in text and not text.startswith("tcp://"):
        return
    host, _, port = text.removeprefix("tcp://").rpartition(":")
    if not host or not port.isdigit():
        raise ConnectionError(f"--scheduler={address!r} is not an address such as "
                              "tcp://host:8786")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ConnectionError(f"cannot reach the Dask scheduler at --scheduler={address!r} "
                              f"({exc.strerror or exc})") from None


def _client(args):
    """A Dask client (local cluster or running scheduler), or ``None`` for a serial run."""
    if args.workers is None and args.scheduler is None:
        return None
    if args.scheduler is not None:
        _probe(args.scheduler)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError("--workers/--scheduler need dask.distributed: "
                         "pip install 'o3ref[distributed]'") from exc
    with _quiet_dask_logs():
        if args.scheduler is not None:
            try:
                return Client(args.scheduler, timeout=f"{_CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError, MemoryError, TypeError, KeyError) as exc:
                # MemoryError: a server that is not Dask answers bytes read as a huge length
                if isinstance(exc, (MemoryError, TypeError, KeyError)):
                    raise ConnectionError(f"--scheduler={args.scheduler!r} answered, but not as "
                                          "a Dask scheduler (its reply is not Dask's protocol)"
                                          ) from None
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ConnectionError(f"cannot reach the Dask scheduler at "
                                      f"--scheduler={args.scheduler!r} within "
                                      f"{_CONNECT_TIMEOUT_S} s ({reason[:120]})") from None
        import dask

        # forked workers start in 0.2 s with o3ref already imported (spawned ones take ~2 s
        # each to start and import); they run only run_task, which starts no threads
        with dask.config.set({"distributed.worker.multiprocessing-method": _START_METHOD}):
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   silence_logs=logging.CRITICAL)
        return Client(cluster)


def _dask_mapper(client, l_max, formats, out: Path, shards):
    from dask.distributed import as_completed

    def run(tasks):
        futures = [
            client.submit(run_task, kind, l_max, keys, list(formats), str(out), shards,
                          pure=False)
            for kind, keys in tasks
        ]
        for future in as_completed(futures):
            yield future.result()

    return run


def run(args: argparse.Namespace) -> int:
    """Check every argument and the output folder, then write the tables and print a summary.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    if not args.out or not args.out.strip():
        return _fail(f"--out={args.out!r} is empty: name an output directory")
    if args.l_max < 0:
        return _fail(f"--l-max={args.l_max} must be a non-negative integer")
    if args.workers is not None and args.workers < 1:
        return _fail(f"--workers={args.workers} must be a positive integer")
    if args.scheduler is not None and not args.scheduler.strip():
        return _fail(f"--scheduler={args.scheduler!r} is empty: give host:port")
    out = Path(args.out)
    formats = list(dict.fromkeys(args.format))
    # everything that can be refused is refused here, before any computation or writing
    try:  # plan() checks the arguments and the folder: what it refuses is the user's
        tasks, _ = plan(out, args.kind, args.l_max, formats, shards=args.shards,
                        force=args.force, resume=args.resume)
    except (ValueError, FileExistsError) as exc:
        raise UsageError(str(exc)) from None
    try:
        _check_writable(out)
    except OSError as exc:
        return _fail(f"cannot write to --out={args.out}: {exc}")
    if args.workers is not None:
        args.workers, note = worker_count(args.workers, len(tasks))
        if note and not args.quiet:
            print(f"o3ref tables: {note}", file=sys.stderr)
    try:
        client = _client(args)
    except ConnectionError as exc:
        return _fail(str(exc))
    mapper = None
    if client is not None:
        mapper = _dask_mapper(client, args.l_max, formats, out.resolve(), args.shards)
    where = ("serial" if client is None else
             f"dask: {args.scheduler or f'{args.workers} local workers'}")
    bar = Progress(len(tasks), f"o3ref tables ({where})", quiet=args.quiet, unit="task")
    try:
        with bar:
            entries = write_tables(out, args.kind, args.l_max, formats, force=args.force,
                                   shards=args.shards, resume=args.resume, mapper=mapper,
                                   on_task=lambda result: bar.update())
    except OSError as exc:
        return _fail(f"cannot write to --out={args.out}: {exc}")
    finally:
        if client is not None:
            with _quiet_dask_logs():
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None and args.scheduler is None:
                    cluster.close()
    print(f"o3ref tables: l_max={args.l_max}, exact values sign*sqrt(p/q) (gaunt, real-gaunt, "
          f"sh-poly: /sqrt(pi)), non-zero entries only; {len(tasks)} task(s) computed")
    if len(entries) <= 24:
        for name, entry in sorted(entries.items()):
            print(f"  {out / name}  rows={entry['rows']}  bytes={entry['bytes']}  "
                  f"sha256={entry['sha256']}")
    else:
        tables: dict[tuple, list[int]] = {}
        for entry in entries.values():
            t = tables.setdefault((entry["kind"], entry["l_max"], entry["format"]), [0, 0, 0])
            t[0] += 1
            t[1] += entry["rows"]
            t[2] += entry["bytes"]
        for (kind, l_max, fmt), (files, rows, size) in sorted(tables.items()):
            print(f"  {kind} l_max={l_max} {fmt}: {files} files, rows={rows}, bytes={size}")
    manifest = out / MANIFEST
    print(f"  {manifest}  sha256={sha256(manifest.read_bytes())}")
    return 0
