"""The help texts of the command line say what the code does: the adapters of ``--against``
are the registry's, the degrees of ``--quick``, ``--full`` and ``--profile`` are those of the
grids the code runs, and ``o3ref bench --quick`` names the sizes its cases run (each case's
set-up runs here with the timing replaced, so that its row labels can be read).

Each test reads the number it compares from the code (a registry, a grid, a row label),
never from the help text's own generator."""

from __future__ import annotations

import argparse
import re
import sys

import pytest

from o3ref.verify.cli import SUBCOMMANDS, build_parser


def _help(command: str, width: int = 100) -> str:
    """``o3ref COMMAND --help`` as printed, whitespace runs made one space."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser = sub.choices[command]
    formatter = argparse.HelpFormatter
    parser.formatter_class = lambda prog: formatter(prog, width=width)
    return " ".join(parser.format_help().split())


def _option_help(command: str, option: str) -> str:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if option in a.option_strings)
    return action.help


# ------------------------------------------------------------------ o3ref verify


def test_against_lists_every_registered_adapter():
    from o3ref.verify.adapters import ADAPTERS, adapter_names

    text = _option_help("verify", "--against")
    assert {"escnn", "cuequivariance_torch"} <= set(ADAPTERS)
    for name in adapter_names():
        assert re.search(rf"\b{name}\b", text), f"--against help leaves {name} out: {text}"
    printed = _help("verify", width=60)  # wrapped: no name is cut
    for name in adapter_names():
        assert re.search(rf"(?<![\w-]){name}(?![\w-])", printed), name


def test_against_lists_an_adapter_another_package_registers(monkeypatch):
    from importlib.metadata import EntryPoint

    from o3ref.verify.adapters import registry

    found = dict(registry._entry_points())
    found["mylib_adapter"] = EntryPoint("mylib_adapter", "mylib.o3ref_adapter", "o3ref.adapters")
    monkeypatch.setattr(registry, "_entry_points", lambda: found)
    assert "mylib_adapter" in _option_help("verify", "--against")


#: the quantities as the help of ``o3ref verify`` names them
VERIFY_NAMES = {"SH": "sh", "SH gradients": "sh_gradient", "Wigner D": "wigner_d",
                "real CG": "cg", "complex CG": "complex_cg"}


def _degrees_in(text: str) -> dict[str, int]:
    """``{"sh": 12, ...}`` from ``"SH to l = 12, SH gradients to 6, ..."``."""
    found = re.findall(r"(SH gradients|SH|Wigner D|real CG|complex CG) to (?:l = )?(\d+)", text)
    return {VERIFY_NAMES[name]: int(n) for name, n in found}


@pytest.mark.parametrize("mode", ["quick", "full"])
def test_mode_help_gives_the_degrees_of_the_suite_grids(mode):
    from o3ref.verify.conformance.suite import GRIDS

    expected = {q: g["l_max"] for q, g in GRIDS[mode].items() if "l_max" in g}
    assert _degrees_in(_option_help("verify", f"--{mode}")) == expected


def test_profile_help_gives_the_largest_profiled_degrees():
    from o3ref.verify.reports.error_profile import PROFILE_DEGREES

    expected = {q: max(max(d[q]) for d in PROFILE_DEGREES.values()) for q in ("sh", "wigner_d",
                                                                              "cg")}
    assert _degrees_in(_option_help("verify", "--profile")) == expected


# ------------------------------------------------------------------ o3ref bench


class _Bar:
    def set_label(self, text):
        pass

    def update(self, n=1):
        pass


@pytest.fixture
def dry_cases(monkeypatch):
    """Run a bench case's set-up without timing anything: ``time_rounds`` records its
    arguments and returns one fake time per function; no other library is used."""
    from o3ref.verify.reports import bench_cases

    calls = []

    def fake_time_rounds(functions, repeat, warmup=True, setup=None):
        calls.append((tuple(functions), repeat))
        return {name: [1e-3] for name in functions}, {name: [] for name in functions}

    monkeypatch.setattr(bench_cases, "time_rounds", fake_time_rounds)
    monkeypatch.setattr(bench_cases, "_optional", lambda name: None)
    for module in ("featomic", "featomic.clebsch_gordan"):
        monkeypatch.setitem(sys.modules, module, None)  # lambda-SOAP: o3ref's density only

    def run(case, quick, repeat=5):
        calls.clear()
        rows = bench_cases.CASE_FUNCTIONS[case](quick, repeat, _Bar())
        return rows, list(calls)

    return run


def test_quick_help_gives_the_sizes_the_quick_cases_run(dry_cases):
    from o3ref.verify.cli.bench import QUICK_SIZES

    labels = {case: [r["case"] for r in dry_cases(case, True)[0]]
              for case in ("sh", "wigner", "expansion", "cg", "lambda-soap")}
    (sh,) = labels["sh"]
    n, l_max = re.search(r"N=([\d.e+]+), l_max=(\d+)", sh).groups()
    (wigner,) = labels["wigner"]
    rotations, wigner_l = re.search(r"([\d.e+]+) rotations, l<=(\d+)", wigner).groups()
    atoms = int(re.search(r"water box \((\d+) atoms\)", " ".join(labels["expansion"])).group(1))
    (cg,) = labels["cg"]
    (soap,) = labels["lambda-soap"]
    measured = {"sh_points": int(float(n)), "sh_l_max": int(l_max),
                "wigner_rotations": int(float(rotations)), "wigner_l_max": int(wigner_l),
                "box_molecules": atoms // 3,
                "cg_l_max": int(re.search(r"l1, l2 <= (\d+)", cg).group(1)),
                "lambda_soap_frames": int(re.search(r"\((\d+) frames\)", soap).group(1))}
    assert measured == QUICK_SIZES
    text = _option_help("bench", "--quick")
    for number in (f"{QUICK_SIZES['sh_points']:,}", f"l_max = {QUICK_SIZES['sh_l_max']}",
                   f"l1, l2 <= {QUICK_SIZES['cg_l_max']}",
                   f"{QUICK_SIZES['lambda_soap_frames']} frames",
                   f"{QUICK_SIZES['box_molecules']} molecules"):
        assert number in text, (number, text)


@pytest.mark.parametrize("mode", ["quick", "full"])
def test_repeat_help_gives_the_rounds_the_cg_case_runs(dry_cases, mode):
    from o3ref.verify.cli.bench import REPEAT, SYMPY_CG_ROUNDS

    _, calls = dry_cases("cg", mode == "quick", REPEAT[mode])
    ((names, rounds),) = calls
    assert rounds == {"o3ref": REPEAT[mode], "sympy": SYMPY_CG_ROUNDS[mode]}
    text = _option_help("bench", "--repeat")
    assert f"default {REPEAT['full']}, --quick {REPEAT['quick']}" in text
    assert f"sympy's CG table: {SYMPY_CG_ROUNDS['full']}, --quick at most " \
           f"{SYMPY_CG_ROUNDS['quick']}" in text


def test_bench_summary_names_every_library_it_times(dry_cases):
    from o3ref.verify.reports.bench_cases import CASES

    others = {row["other"] for case in CASES if case != "expansion"
              for row in dry_cases(case, True)[0]}
    others |= {row["other"] for row in dry_cases("expansion", True)[0]}
    summary = SUBCOMMANDS["bench"][1]
    for library in others:
        assert library in summary, (library, summary)
    assert "--only" in _help("bench") and all(c in _option_help("bench", "--only") for c in CASES)


# ------------------------------------------------------------------ tables, survey


def test_tables_l_max_help_gives_the_cartesian_ranks_and_the_size_limit(tmp_path):
    from o3ref.reference.tables import CARTESIAN_FORMULAS, KINDS, MAX_BYTES, plan

    text = _option_help("tables", "--l-max")
    for formula in CARTESIAN_FORMULAS:
        assert formula in text
    top = int(re.search(r"up to (\d+)", text).group(1))

    def bases(l_max):  # the Cartesian bases that plan() writes at this --l-max
        tasks, _ = plan(tmp_path / "out", ["cartesian-basis"], l_max, ["json"],
                        shards="blocks")
        return {key for _, keys in tasks for key in keys}

    assert bases(top) == bases(top + 3) and bases(top - 1) < bases(top)
    assert f"{MAX_BYTES:.0e}" in text
    printed = _help("tables")
    assert all(kind in printed for kind in KINDS)


def test_survey_help_gives_the_default_degrees_and_the_adapters():
    from o3ref.verify.adapters import adapter_names
    from o3ref.verify.reports.survey import L_MAX

    text = _option_help("survey", "--l-max")
    assert dict(re.findall(r"(\w+) (\d+)", text.split("default:")[1])) == \
        {k: str(v) for k, v in L_MAX.items()}
    only = _option_help("survey", "--only")
    assert all(re.search(rf"\b{n}\b", only) for n in adapter_names())


def test_plugin_l_max_help_gives_the_suite_defaults():
    from o3ref.verify import pytest_plugin
    from o3ref.verify.pytest_plugin import ConformanceSuite

    helps = {}

    class Group:  # what pytest_addoption uses of pytest's parser
        def addoption(self, *names, **attrs):
            helps.update(dict.fromkeys(names, attrs.get("help", "")))

    class Parser:
        def getgroup(self, name, description=""):
            return Group()

    pytest_plugin.pytest_addoption(Parser())
    default, cg = re.search(r"default (\d+); CG at most (\d+)", helps["--o3ref-l-max"]).groups()
    assert int(default) == ConformanceSuite.l_max

    class Probe(ConformanceSuite):  # the degree the CG test runs at when asked for more
        cg = staticmethod(lambda l1, l2, L: None)
        l_max = 99

    assert int(cg) == Probe()._l_max("cg")
