"""Progress reporting for long runs, one policy for every ``o3ref`` subcommand.

- On a terminal: a tqdm bar on stderr (tqdm is the only progress library o3ref uses).
- When stderr is not a terminal (CI logs, pipes): plain lines, one when a step starts,
  at most one every ``min_interval`` seconds for long loops, and one at the end.
- ``quiet=True`` (each subcommand's ``--quiet``): nothing at all.

Results never go to stderr; tables and reports go to stdout or files, so a progress line can
never be mistaken for a result.

>>> import io
>>> out = io.StringIO()
>>> for _ in progress(range(3), desc="demo", stream=out, min_interval=0.0):
...     pass
>>> print(out.getvalue().splitlines()[-1])
demo: 3/3 done
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["Progress", "progress"]

T = TypeVar("T")


class Progress:
    """A progress reporter over ``total`` steps (``None`` when unknown).

    Use :meth:`update` after each step (optionally with a label for the next one) and
    :meth:`close` at the end, or use it as a context manager.
    """

    def __init__(self, total: int | None = None, desc: str = "", *, quiet: bool = False,
                 stream=None, unit: str = "step", min_interval: float = 2.0):
        self.total, self.desc, self.quiet, self.unit = total, desc, quiet, unit
        self.stream = stream if stream is not None else sys.stderr
        self.min_interval = float(min_interval)
        self.n = 0
        self._last = -float("inf")
        self._bar = None
        self._closed = False
        if quiet:
            return
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        if tty:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=self.stream,
                             leave=False, dynamic_ncols=True)

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def set_label(self, label: str) -> None:
        """Name the step now running (shown in the bar, or as a line when not a terminal)."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(label, refresh=True)
        else:
            now = time.monotonic()
            if now - self._last >= self.min_interval:
                self._last = now
                of = f"/{self.total}" if self.total is not None else ""
                self._line(f"{self.desc}: {self.n}{of} {label}".rstrip())

    def update(self, n: int = 1) -> None:
        """Count ``n`` more steps done (a line at most every ``min_interval`` seconds when
        stderr is not a terminal)."""
        self.n += n
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(n)
        elif self.total is None or self.n < self.total:
            now = time.monotonic()
            if now - self._last >= self.min_interval:
                self._last = now
                of = f"/{self.total}" if self.total is not None else ""
                self._line(f"{self.desc}: {self.n}{of} {self.unit}s")

    def close(self) -> None:
        """End the bar (or print the final line); calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            of = f"/{self.total}" if self.total is not None else ""
            self._line(f"{self.desc}: {self.n}{of} done")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress(iterable: Iterable[T], desc: str = "", *, total: int | None = None,
             quiet: bool = False, stream=None, unit: str = "step",
             min_interval: float = 2.0) -> Iterator[T]:
    """Iterate over ``iterable`` while reporting progress (see the module docstring)."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    with Progress(total, desc, quiet=quiet, stream=stream, unit=unit,
                  min_interval=min_interval) as bar:
        for item in iterable:
            yield item
            bar.update()
