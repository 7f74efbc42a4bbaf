"""``o3ref survey``: options, the table, ``--markdown`` and ``--json``; the survey itself is
:func:`o3ref.verify.reports.survey.run_survey`.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict

from .._io import UsageError
from ..reports.survey import L_MAX, format_markdown, run_survey

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``o3ref survey`` to ``parser``."""
    from ..adapters import adapter_names

    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated adapters to survey, among "
                        f"{', '.join(adapter_names())}, or o3ref for its own reference layer "
                        "(default: every installed one)")
    parser.add_argument("--markdown", metavar="FILE", help="write the table to FILE too")
    parser.add_argument("--json", metavar="FILE",
                        help="write every number (errors per l, notes, provenance) to FILE")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a row is above its policy or fails to run")
    parser.add_argument("--l-max", type=int, metavar="L",
                        help="largest degree of every block (default: " + ", ".join(
                            f"{k} {v}" for k, v in L_MAX.items()) + ")")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    """Run ``o3ref survey`` with the parsed ``args``; returns the exit status."""
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    t0 = time.perf_counter()
    if args.l_max is not None and args.l_max < 1:
        raise UsageError(f"--l-max={args.l_max} must be a positive integer")
    if names:
        from ..adapters import ENTRY_POINT_GROUP, adapter_names

        known = ["o3ref", *adapter_names()]
        for name in names:
            if name not in known:
                raise UsageError(f"adapter name={name!r} must be one of {', '.join(known)} "
                                 f"(built in, or registered in the entry-point group "
                                 f"{ENTRY_POINT_GROUP!r})")
    l_max = None if args.l_max is None else {k: min(v, args.l_max) for k, v in L_MAX.items()}
    rows, missing = run_survey(names, l_max=l_max, quiet=args.quiet)
    seconds = time.perf_counter() - t0
    table = format_markdown(rows, missing)
    print(table)
    print(f"\n{len(rows)} rows in {seconds:.0f} s", file=sys.stderr if args.quiet else sys.stdout)
    for path, text in ((args.markdown, table + "\n"), (args.json, None)):
        if not path:
            continue
        if text is None:
            text = json.dumps(_report(rows, missing, l_max or L_MAX, seconds), indent=2,
                              allow_nan=False)
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(f"o3ref survey: error: cannot write {path}: {exc}", file=sys.stderr)
            return 2
    bad = [r for r in rows if r.status != "pass"]
    return 1 if args.strict and bad else 0


def _finite(values):
    return [v if v is None or math.isfinite(v) else None for v in values]


def _report(rows, missing, l_max, seconds) -> dict:
    """The survey in the report envelope of :mod:`o3ref.verify.reports.schema` (kind
    ``"survey"``); a non-finite error is written as ``null``."""
    from ..adapters import get_adapter, installed_versions
    from ..reports.schema import envelope

    libs = {}
    for name in sorted({r.library for r in rows} - {"o3ref"}):
        libs.update(installed_versions(get_adapter(name)))
    surveyed = sorted({(r.library, r.version) for r in rows})
    generic = "every installed library"
    under_test = ({"name": surveyed[0][0], "version": surveyed[0][1]} if len(surveyed) == 1
                  else {"name": generic, "version": None})
    report = envelope("survey", under_test, libs)
    report["provenance"]["libraries"].pop(generic, None)
    report["passed"] = all(r.status == "pass" for r in rows) if rows else None
    report.update({
        "l_max": l_max, "seconds": seconds, "not_installed": missing,
        "rows": [dict(asdict(r), errors=_finite(r.errors), tolerances=_finite(r.tolerances),
                      max_error=_finite([r.max_error])[0]) for r in rows],
    })
    return report
