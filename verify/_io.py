"""What the ``o3ref`` command line reads and writes: user errors, output paths checked before
any computation, and atomic writes.

- :class:`UsageError`: a mistake of the user's (a bad option value, an unreadable input, an
  unwritable output). :func:`o3ref.verify.cli.main` prints it as one line on stderr and
  exits with status 2, without a traceback; any other exception is a bug and keeps its
  traceback.
- :func:`check_output_file` / :func:`check_output_dir`: called by each subcommand *before*
  it computes, so that an unwritable ``--json`` or ``--out`` is refused at once and nothing
  is written.
- :func:`atomic_write`: write a file through a temporary file in the same folder and a
  rename; the temporary file is removed when writing fails, so a failed write leaves
  neither a partial file nor a ``*.tmp`` behind.
- :func:`printing_beside_progress`: results printed to stdout while a progress bar is on
  the terminal clear the bar's line first, so that the bar is drawn below them instead of
  sharing their line.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> check_output_file(str(folder), "--json")
Traceback (most recent call last):
...
o3ref.verify._io.UsageError: --json=... is a directory, not a file
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["UsageError", "atomic_write", "check_output_dir", "check_output_file",
           "printing_beside_progress"]


class UsageError(ValueError):
    """A user error on the command line: printed as one line, exit status 2."""


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def check_output_file(value, option: str) -> Path:
    """``value`` of ``option`` as a file path that can be written (created or replaced);
    raises :class:`UsageError` naming the option and the value otherwise. Writes nothing."""
    text = "" if value is None else str(value)
    if not text.strip():
        raise UsageError(f"{option}={text!r} must name a file")
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"{option}={text} is a directory, not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option}={text}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{option}={text}: the folder {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option}={text} exists and is not writable")
    return path


def check_output_dir(value, option: str) -> Path:
    """``value`` of ``option`` as a folder that exists and is writable, or that can be
    created; raises :class:`UsageError` naming the option and the value otherwise. Creates
    nothing (the caller creates it once the results are there)."""
    text = "" if value is None else str(value)
    if not text.strip():
        raise UsageError(f"{option}={text!r} must name a folder")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option}={text} exists and is not a folder")
    ancestor = _nearest_existing(path.absolute())
    if not ancestor.is_dir():
        raise UsageError(f"{option}={text}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        what = "the folder" if ancestor == path.absolute() else "its nearest existing folder"
        raise UsageError(f"{option}={text}: {what} {ancestor} is not writable")
    return path


def atomic_write(path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``path`` (same suffix), then rename it
    to ``path``. On any failure the temporary file is removed and the error re-raised."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = "".join(path.suffixes) or ".tmp"
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would outlive the rename
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class _ClearingStdout:
    """stdout that first clears the terminal line holding a progress bar (on stderr) each
    time it starts a line; the bar is drawn again at its next update, below the text."""

    def __init__(self, stdout, stderr):
        self._stdout, self._stderr, self._line_start = stdout, stderr, True

    def write(self, text: str) -> int:
        if text and self._line_start:
            self._stderr.write("\r\x1b[K")
            self._stderr.flush()
        if text:
            self._line_start = text.endswith("\n")
        written = self._stdout.write(text)
        self._stdout.flush()
        return written

    def __getattr__(self, name):
        return getattr(self._stdout, name)


@contextlib.contextmanager
def printing_beside_progress(quiet: bool) -> Iterator[None]:
    """While a tqdm bar may be on the terminal (stderr a terminal, not ``quiet``: the rule
    of :mod:`o3ref.verify.progress`), clear the bar's line before each line printed to
    stdout, so results and the bar never share a line; otherwise nothing changes."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    with contextlib.redirect_stdout(_ClearingStdout(sys.stdout, sys.stderr)):
        yield
