"""``o3ref verify``: options, the checks of the user's options (before anything is computed),
the table, the JSON report and ``--profile``.

- The implementation under test is :mod:`o3ref.fast` or, with ``--against NAME``, the
  adapter ``o3ref.verify.adapters.NAME``; both the suite
  (:mod:`o3ref.verify.conformance.suite`) and the profile
  (:mod:`o3ref.verify.reports.error_profile`) run on it, in ``--quick`` or ``--full`` mode.
- ``--json FILE``: the report in the format of :mod:`o3ref.verify.report_schema` (kind
  ``"verify"``, or ``"profile"`` with ``--profile``), written atomically.
- A bad option value (an empty or unknown ``--against``, a library that is not installed,
  an unwritable ``--json`` or ``--out``) is a :class:`o3ref.verify._io.UsageError`:
  one line, exit status 2, nothing computed or written.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from .._io import UsageError, atomic_write, check_output_dir, check_output_file
from ..conformance import suite

__all__ = ["against_help", "configure_parser", "profile_help", "run"]

#: only UsageError is a user error here (see o3ref.verify.cli)
_ORACLES = {"sympy": None, "mpmath": None}


def _degrees(grid: dict) -> str:
    """``"SH to l = 12, SH gradients to 6, ..."``: the largest degree of each check of a grid
    of :data:`o3ref.verify.conformance.suite.GRIDS` (the quantities that have one)."""
    parts = [f"{_NAMES[q]} to {'l = ' if not k else ''}{grid[q]['l_max']}"
             for k, q in enumerate(q for q in _NAMES if "l_max" in grid.get(q, {}))]
    return ", ".join(parts)


#: the quantities of the suite's grids, as the help names them
_NAMES = {"sh": "SH", "sh_gradient": "SH gradients", "wigner_d": "Wigner D", "cg": "real CG",
          "complex_cg": "complex CG"}


def against_help() -> str:
    """The help of ``--against``: every adapter of the registry
    (:func:`o3ref.verify.adapters.adapter_names`, third-party ones included)."""
    from ..adapters import ENTRY_POINT_GROUP, adapter_names

    return (f"check another library through its adapter instead of o3ref.fast: one of "
            f"{', '.join(adapter_names())} (or one that a package registers as an "
            f"{ENTRY_POINT_GROUP} entry point)")


def profile_help() -> str:
    """The help of ``--profile``, from
    :data:`o3ref.verify.reports.error_profile.PROFILE_DEGREES`."""
    from ..reports.error_profile import degrees_text

    return (f"float64 error against exact values as a function of l ({degrees_text()}; "
            "Wigner D stops where the exact reference's work budget does): CSV, and PNG "
            "with matplotlib; honours --against, --full and --json")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``o3ref verify`` to ``parser`` (the degrees and adapters in the
    help come from the suite's grids and the adapter registry)."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help=f"small grids: {_degrees(suite.GRIDS['quick'])} (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help=f"larger grids: {_degrees(suite.GRIDS['full'])}, more points; with "
                      "--profile, every degree and more points")
    parser.set_defaults(mode="quick")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the report as JSON to FILE (schema o3ref-report/1)")
    parser.add_argument("--against", metavar="NAME", help=against_help())
    parser.add_argument("--profile", action="store_true", help=profile_help())
    parser.add_argument("--out", metavar="DIR", default="o3ref-profile",
                        help="output folder of --profile (default: ./o3ref-profile)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--no-progress", dest="quiet", action="store_true",
                        help=argparse.SUPPRESS)  # the older spelling of --quiet


def _implementations(against: str | None) -> tuple[dict | None, dict, dict, dict]:
    """(implementations or None for o3ref.fast, {"name", "version"} of what is tested,
    the adapter's largest degree per quantity, the adapter's dtype per quantity)."""
    from ..provenance import distribution_version

    if against is None:
        return None, {"name": "o3ref.fast", "version": distribution_version("o3ref")}, {}, {}
    from .. import adapters

    names = getattr(adapters, "adapter_names", lambda: adapters.ADAPTERS)()
    if not against.strip():
        raise UsageError(f"--against={against!r} must name an adapter: {', '.join(names)}")
    try:
        adapter = adapters.get_adapter(against)
        # the adapter registry's checks and declared degree limits, where it has them
        checked = getattr(adapters, "checked_implementations", None)
        impl = checked(against, adapter) if checked else adapter.implementations()
    except (ImportError, ValueError) as exc:  # not installed / unknown name / broken adapter
        raise UsageError(f"--against={against}: {exc}") from exc
    max_l = getattr(adapters, "adapter_max_l", None)
    caps = max_l(adapter) if max_l else {}
    dtype_of = getattr(adapters, "adapter_dtype", None)
    dtypes = {q: dtype_of(adapter, q) for q in impl} if dtype_of else {}
    distribution = (getattr(adapter, "DISTRIBUTIONS", None) or (against,))[0]
    return impl, {"name": against, "version": distribution_version(distribution)}, caps, dtypes


def run(args: argparse.Namespace) -> int:
    """Run ``o3ref verify``: check the options (a :class:`o3ref.verify._io.UsageError` on a
    mistake, before any computation), compute, print, write; returns the exit status."""
    from ..reports.schema import envelope

    # every user error before any computation
    impl, under_test, caps, dtypes = _implementations(args.against)
    json_path = check_output_file(args.json, "--json") if args.json is not None else None
    progress = not args.quiet
    if args.profile:
        from ..reports.error_profile import run_profile

        out = check_output_dir(args.out, "--out")
        report = envelope("profile", under_test, _ORACLES) if json_path else None
        return run_profile(impl if impl is not None else suite.fast_implementations(), out,
                           mode=args.mode, name=under_test["name"], progress=progress,
                           report=report, json_path=json_path, l_max_caps=caps)
    rows = suite.run_suite(args.mode, impl, progress=progress, l_max_caps=caps, dtypes=dtypes)
    if args.against:
        rows = [r for r in rows if r.status != "missing"]
    name = under_test["name"]
    print(f"o3ref verify --{args.mode}" + (f" --against {name}" if args.against else "")
          + f": {name} vs exact reference (o3ref.reference)")
    print(suite.format_table(rows))
    failed = [r for r in rows if r.failed]
    print(f"{len(rows) - len(failed)} of {len(rows)} quantities without failure"
          + (f"; FAILED: {', '.join(r.quantity for r in failed)}" if failed else ""))
    if json_path is not None:
        report = envelope("verify", under_test, _ORACLES)
        report.update(passed=not failed, mode=args.mode, rows=[asdict(r) for r in rows])
        atomic_write(json_path, lambda tmp: tmp.write_text(json.dumps(report, indent=2),
                                                           encoding="utf-8"))
        print(f"wrote {json_path}")
    return 1 if failed else 0
