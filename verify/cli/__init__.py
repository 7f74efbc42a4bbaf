"""The ``o3ref`` command line.

Each subcommand lives in its own module, which provides two functions:

- ``configure_parser(parser: argparse.ArgumentParser) -> None`` adds the options;
- ``run(args: argparse.Namespace) -> int`` does the work and returns the exit status.

This module only dispatches; it imports a subcommand's module when that subcommand runs
(or when ``--help`` lists it), so ``o3ref tables`` never pays for importing the fast path.

Errors: a :class:`o3ref.verify._io.UsageError` (a user's mistake, found before any
computation; every subcommand raises it, and only it, for a bad argument) is printed as one
line on stderr, ``o3ref COMMAND: error: ...``, with exit status 2. Any other exception is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .._io import UsageError

__all__ = ["SUBCOMMANDS", "UsageError", "build_parser", "main"]

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "verify": (
        "o3ref.verify.cli.verify",
        "cross-validate the exact reference against the fast path (or another library)",
    ),
    "tables": (
        "o3ref.verify.cli.tables",
        "write exact coefficient tables (CG, 3j, real CG, Gaunt, 6j, 9j, solid-harmonic "
        "polynomials, Cartesian bases) with a checksum manifest, optionally on Dask",
    ),
    "tutorial": (
        "o3ref.verify.tutorial.steps",
        "run the 'Equivariant ML models' tutorial end to end and print what each step shows",
    ),
    "bench": (
        "o3ref.verify.cli.bench",
        "time o3ref's fast kernels against sphericart, spherical, featomic and sympy "
        "(one thread)",
    ),
    "check-model": (
        "o3ref.verify.cli.check_model",
        "check an ASE calculator: symmetries, periodic images, forces and stress vs finite "
        "differences",
    ),
    "survey": (
        "o3ref.verify.cli.survey",
        "every installed library x building block: its convention and its error after the map",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The ``o3ref`` argument parser, with one subcommand per entry of ``SUBCOMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="o3ref",
        description="Exact O(3) reference (real spherical harmonics, Wigner D, Clebsch-Gordan) "
        "and a conformance suite for equivariant atomistic ML.",
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        parser.add_argument("--version", action="version", version=version("o3ref"))
    except PackageNotFoundError:  # running from a source tree that is not installed
        pass
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        module.configure_parser(p)
        p.set_defaults(_module=module_name)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``o3ref`` command (also ``python -m o3ref``): parse ``argv`` (default
    ``sys.argv[1:]``), run the subcommand and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except UsageError as exc:
        message = " ".join(str(exc).splitlines())  # one line, whatever the message holds
        print(f"o3ref {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
