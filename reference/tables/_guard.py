"""One writer per folder of tables, and nothing half-written left behind.

* :func:`folder_lock`: a run holds ``OUT/.o3ref-tables.lock`` (created with ``O_EXCL``, so
  two processes can never both hold it) from planning to the final manifest. A second run
  into the same folder waits for it (up to ``wait_s``), then plans against the manifest the
  first one wrote, so the manifest lists both tables; past ``wait_s`` it fails with
  :class:`FolderLockedError` naming the holder. A lock whose process is gone (same host) is
  stale and taken over.
* :func:`remove_partial`: after a write error (a full disk, ``ENOSPC``) the files of the
  unfinished tasks are deleted and the manifest lists only the tables that are complete (or
  is removed when none is); :func:`o3ref.reference.tables.write_tables` also removes a
  folder it created. The folder is as it was, less what ``force`` asked to replace. Each
  file is itself written under a temporary name and renamed into place only when complete.

Conventions: see :mod:`o3ref.reference.conventions` (no convention of its own: files only).

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> with folder_lock(out, wait_s=0):
...     (out / LOCK).exists()
True
>>> (out / LOCK).exists()
False
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path

from ._files import MANIFEST, write_manifest

__all__ = ["LOCK", "FolderLockedError", "folder_lock", "remove_partial"]

LOCK = ".o3ref-tables.lock"
_POLL_S = 0.1
# a lock file still empty after this long was left by a process killed while creating it
_EMPTY_LOCK_STALE_S = 10.0


class FolderLockedError(FileExistsError):
    """Another run holds the folder's lock (the message names it and the lock file)."""


def _holder(path: Path) -> tuple[str, int] | None:
    try:
        host, pid = path.read_text("ascii").split()
        return host, int(pid)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _stale(path: Path) -> bool:
    holder = _holder(path)
    if holder is None:
        try:
            return time.time() - path.stat().st_mtime > _EMPTY_LOCK_STALE_S
        except FileNotFoundError:
            return True
    host, pid = holder
    if host != socket.gethostname():
        return False  # another machine's process: cannot tell, so it is live
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextlib.contextmanager
def folder_lock(out, wait_s: float = 60.0):
    """Hold ``out/.o3ref-tables.lock`` inside the block (``out`` is created if missing);
    wait up to ``wait_s`` seconds for another run's lock, then raise
    :class:`FolderLockedError`."""
    if isinstance(wait_s, bool) or not isinstance(wait_s, (int, float)) or not wait_s >= 0:
        raise ValueError(f"wait_s={wait_s!r} must be a non-negative number of seconds")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _stale(path):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            if time.monotonic() >= deadline:
                holder = _holder(path)
                who = f"pid {holder[1]} on {holder[0]}" if holder else "another process"
                raise FolderLockedError(
                    f"another o3ref tables run ({who}) is writing into {out} (lock file "
                    f"{path}); waited {wait_s:g} s: run again when it has finished, or "
                    "delete the lock file if no run is active") from None
            time.sleep(_POLL_S)
            continue
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{socket.gethostname()} {os.getpid()}\n")
        break
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_partial(out: Path, names, kept: dict[str, dict], had_manifest: bool) -> None:
    """Undo an unfinished run: delete ``names`` (the files of its tasks) and the folders
    they emptied, and list only ``kept`` in the manifest (or remove it when the run created
    it and nothing is kept). Best effort: a step that fails again (the disk is still full)
    is skipped."""
    out = Path(out)
    for name in sorted(set(names)):
        with contextlib.suppress(OSError):
            (out / name).unlink()
        parent = (out / name).parent
        while parent != out and out in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    manifest = out / MANIFEST
    if kept or had_manifest:
        with contextlib.suppress(OSError):
            write_manifest(out, kept)
    else:
        with contextlib.suppress(OSError):
            manifest.unlink()
