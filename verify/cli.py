"""The ``o3ref`` command line.

Each subcommand lives in its own module, which provides two functions:

- ``configure_parser(parser: argparse.ArgumentParser) -> None`` adds the options;
- ``run(args: argparse.Namespace) -> int`` does the work and returns the exit status.

This module only dispatches; it imports a subcommand's module when that subcommand runs
(or when ``--help`` lists it), so ``o3ref tables`` never pays for importing the fast path.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "verify": (
        "o3ref.verify.suite",
        "cross-validate the exact reference against the fast path (or another library)",
    ),
    "tables": (
        "o3ref.reference.tables",
        "write exact coefficient tables (CG, 3j, real CG) with a checksum manifest",
    ),
    "tutorial": (
        "o3ref.verify.tutorial",
        "run the 'Equivariant ML models' tutorial end to end and print what each step shows",
    ),
    "bench": (
        "o3ref.verify.bench",
        "time o3ref's fast kernels against sphericart, spherical and featomic (one thread)",
    ),
    "survey": (
        "o3ref.verify.survey",
        "every installed library x building block: its convention and its error after the map",
    ),
}


def build_parser() -> argparse.ArgumentParser:
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except (ValueError, TypeError, FileExistsError, FileNotFoundError) as exc:
        print(f"o3ref {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
