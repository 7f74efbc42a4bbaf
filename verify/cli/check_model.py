"""``o3ref check-model``: run :func:`o3ref.verify.models.check_model` on a calculator from the
command line.

``o3ref check-model MODULE:FACTORY --structures FILE [--vs MODULE:FACTORY] [--json OUT]
[--quiet]``: ``FACTORY()`` (a function or class of ``MODULE``, called without arguments)
returns an ASE calculator; ``FILE`` is any structure file ASE reads (every frame is used).
With ``--vs`` the two calculators are also compared frame by frame
(:func:`o3ref.verify.models.compare_models`). Exit status 0 when every check passes, 1 when
one fails, 2 on a usage error (one line on stderr, nothing written). ``--checks`` takes the
slugs of :data:`o3ref.verify.models.checks.CHECKS` (``oh-proper, rotations, forces-fd``,
...); the ``--json`` report is in the shared envelope of
:func:`o3ref.verify.reports.schema.envelope` (kind ``"check-model"``; ``rows`` are the rows
of the :class:`o3ref.verify.models.runner.ModelReport`). ``MODULE`` may be a module of the
current directory (as with ``python -m``).

Conventions: :mod:`o3ref.reference.conventions`.

>>> parser = __import__("argparse").ArgumentParser()
>>> configure_parser(parser)
>>> parser.parse_args(["m:f", "--structures", "s.xyz"]).vs is None
True
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .._io import UsageError
from .._loading import load_callable

__all__ = ["configure_parser", "load_factory", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``o3ref check-model`` to ``parser``."""
    parser.add_argument("factory", metavar="MODULE:FACTORY",
                        help="a callable returning an ASE calculator, e.g. ase.calculators.emt:EMT")
    parser.add_argument("--structures", required=True, metavar="FILE",
                        help="structures to check (any format ase.io.read reads; all frames)")
    parser.add_argument("--vs", metavar="MODULE:FACTORY", default=None,
                        help="a second calculator to compare with, frame by frame")
    parser.add_argument("--json", metavar="OUT", default=None,
                        help="also write the report as JSON to OUT (with provenance)")
    parser.add_argument("--properties", default=None, metavar="P1,P2",
                        help="properties to check (default: those the calculator implements)")
    from ..models.checks import DESCRIPTIONS

    parser.add_argument("--checks", default=None, metavar="C1,C2",
                        help="checks to run, comma-separated (default: all; the names "
                        "are listed below)")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "checks (for --checks):\n" + "\n".join(
        f"  {slug:<16} {text}" for slug, text in DESCRIPTIONS.items())
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def load_factory(spec: str, option: str = "MODULE:FACTORY"):
    """``"package.module:factory"`` -> the calculator ``factory()`` returns."""
    if not isinstance(spec, str) or spec.count(":") != 1 or not all(spec.split(":")):
        raise UsageError(f"{option}={spec!r} must read 'module:callable'")
    try:
        factory = load_callable(spec)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"{option}={spec!r}: {exc}") from None
    except TypeError as exc:
        raise UsageError(f"{option}={spec!r} must name a callable ({exc})") from None
    return factory()


def _read(path: str) -> list:
    import ase.io

    if not Path(path).is_file():
        raise UsageError(f"--structures={path!r}: no such file")
    try:
        frames = ase.io.read(path, index=":")
    except Exception as exc:  # noqa: BLE001 - any reader failure is a usage error here
        raise UsageError(f"--structures={path!r}: ase cannot read it ({exc})") from None
    if not frames:
        raise UsageError(f"--structures={path!r} holds no structure")
    return frames


def _split(text, option):
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise UsageError(f"{option}={text!r} must list at least one name")
    return items


def _check_names(properties, checks) -> None:
    """Unknown property or check names are the user's mistake: refused before any work."""
    from ..models.checks import PROPERTIES, resolve_checks

    for name in properties or ():
        if name not in PROPERTIES:
            raise UsageError(f"properties contains {name!r}; each must be one of {PROPERTIES}")
    if checks is not None:
        try:
            resolve_checks(checks)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"--checks: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run ``o3ref check-model`` with the parsed ``args``; exit status 0 pass, 1 fail,
    2 usage error."""
    from ..models.runner import check_model, compare_models
    from ..reports.schema import envelope

    if args.json is not None:
        parent = Path(args.json).resolve().parent
        if not parent.is_dir():
            raise UsageError(f"--json={args.json!r}: folder {str(parent)!r} does not exist")
    frames = _read(args.structures)
    properties = _split(args.properties, "--properties")
    checks = _split(args.checks, "--checks")
    _check_names(properties, checks)
    calculator = load_factory(args.factory)
    other = load_factory(args.vs, "--vs") if args.vs is not None else None
    report = check_model(calculator, frames, properties, checks=checks, quiet=args.quiet)
    print(report)
    passed = report.passed
    data = report.to_dict()
    out = envelope("check-model", {"name": args.factory, "version": None},
                   {"ase": None, "metatensor-core": None})
    out.update(calculator=args.factory, structures=args.structures, dtype=data["dtype"],
               observed_dtype=data["observed_dtype"], policy=data["policy"],
               summary=data["summary"], rows=data["rows"])
    if other is not None:
        diff = compare_models(calculator, other, frames, properties)
        print()
        print(diff)
        passed = passed and diff.passed
        out["vs"] = args.vs
        out["differential"] = diff.to_dict()
    if args.json is not None:
        out["passed"] = passed
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
    sys.stdout.flush()
    return 0 if passed else 1
