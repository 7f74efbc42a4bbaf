"""``o3ref verify``: the table's error and tolerance columns agree with its verdicts, user
errors end in one line and exit status 2 before anything is computed or written, progress
counts only what is checked, ``--profile`` honours ``--against``, ``--full`` and ``--json``."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from o3ref import fast
from o3ref.verify.cli import main
from o3ref.verify.compare import compare_arrays
from o3ref.verify.conformance import suite, verdicts
from o3ref.verify.reports import error_profile as profile
from o3ref.verify.tolerances import Tolerance, eps, tolerance


def _parse(table: str) -> list[dict]:
    """The table's rows as dicts keyed by the header (columns are 2+ spaces apart)."""
    lines = table.splitlines()
    head = re.split(r"\s{2,}", lines[0].strip())
    rows = []
    for line in lines[2:]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(head):
            break
        rows.append(dict(zip(head, cells, strict=True)))
    return rows


def _agrees(row: dict) -> bool:
    """The printed verdict follows from the printed numbers of the kinds the row uses."""
    verdicts = []
    for err, tol in (("max abs err", "abs tol"), ("max rel err", "rel tol")):
        if row.get(err, "-") != "-":
            assert row[tol] != "-", row  # an error is never printed without its tolerance
            verdicts.append(float(row[err]) <= float(row[tol]))
    assert verdicts, row
    return (row["result"] == "pass") == all(verdicts)


def test_row_passing_absolute_but_failing_relative():
    expected = np.array([1e-3, 0.5])
    actual = expected + np.array([1e-17, 0.0])  # abs err 1e-17, rel err 1e-14
    absolute = tolerance("sh", 0)  # eps, absolute
    relative = Tolerance(0.0, eps(), "relative: one ulp")
    rows = []
    for name, tol in (("judged absolutely", absolute), ("judged relatively", relative)):
        acc = verdicts.Accumulator()
        acc.add(compare_arrays(actual, expected, tol), "case #0")
        rows.append(acc.row(name, "0..0", tol.reason))
    assert [r.status for r in rows] == ["pass", "FAIL"]
    printed = _parse(suite.format_table(rows))
    assert [p["result"] for p in printed] == ["pass", "FAIL"]
    assert printed[0]["max rel err"] == "-" and printed[0]["rel tol"] == "-"  # not judged
    assert printed[1]["max abs err"] == "-" and printed[1]["abs tol"] == "-"
    assert float(printed[1]["max rel err"]) > float(printed[1]["rel tol"])
    assert all(_agrees(p) for p in printed)


def test_row_shows_its_worst_case_not_the_largest_numbers():
    # case A: large error under a large tolerance; case B: small error over a small one
    acc = verdicts.Accumulator()
    acc.add(compare_arrays([1e-15], [0.0], tolerance("sh", 10)), "l = 10")
    acc.add(compare_arrays([3e-16], [0.0], tolerance("sh", 0)), "l = 0")
    row = acc.row("harmonics", "0..10", "(2l+1)^2 eps")
    (printed,) = _parse(suite.format_table([row]))
    assert printed["result"] == "FAIL" and _agrees(printed)
    # printed with two significant digits: equal to half a unit in the last printed place
    atol = tolerance("sh", 0).atol
    last_place = 10 ** np.floor(np.log10(atol)) / 10
    assert float(printed["abs tol"]) == pytest.approx(atol, abs=0.5 * last_place)
    assert row.worst.startswith("l = 0:")  # the failing case, the worst by err/tol
    assert float(printed["err/tol"]) > 1


def test_quick_table_header_and_verdicts(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(suite, "fast_implementations",
                        lambda: {"cg": fast.real_clebsch_gordan})
    out = tmp_path / "t.json"
    assert main(["verify", "--quick", "--quiet", "--json", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # --quiet: no progress
    table = captured.out.split("\n", 1)[1]
    printed = _parse(table)
    assert "max abs err" in table.splitlines()[0] and "abs tol" in table.splitlines()[0]
    checked = [p for p in printed if p["result"] != "missing"]
    assert [p["quantity"] for p in checked] == ["real Clebsch-Gordan"]
    assert all(_agrees(p) for p in checked)
    report = json.loads(out.read_text())
    (cg,) = [r for r in report["rows"] if r["status"] == "pass"]
    assert cg["verdict_on"] == "abs" and isinstance(cg["abs_tol"], float)
    assert cg["max_abs_err"] <= cg["abs_tol"] and cg["err_over_tol"] <= 1


def test_progress_counts_only_checked_quantities(capsys):
    rows = suite.run_suite("quick", {"cg": fast.real_clebsch_gordan})
    err = capsys.readouterr().err
    assert "o3ref verify --quick: 0/1 real Clebsch-Gordan" in err
    assert "/11" not in err and "spherical harmonics" not in err
    assert sum(r.status == "pass" for r in rows) == 1


def _no_compute(*args, **kwargs):
    raise AssertionError("computed before the options were checked")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--against", ""], "--against='' must name an adapter"),
        (["--against", "  "], "--against='  ' must name an adapter"),
        (["--against", "numpy"], "--against=numpy: adapter name='numpy' must be one of"),
        (["--json", "{tmp}"], "--json={tmp} is a directory, not a file"),
        (["--json", "{tmp}/missing/t.json"], "the folder {tmp}/missing does not exist"),
        (["--profile", "--out", "{tmp}/a-file"], "--out={tmp}/a-file exists and is not a folder"),
        (["--profile", "--out", "{tmp}/a-file/sub"], "is not a folder"),
        (["--profile", "--out", ""], "--out='' must name a folder"),
    ],
)
def test_user_errors(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(suite, "run_suite", _no_compute)
    monkeypatch.setattr(profile, "profile_errors", _no_compute)
    (tmp_path / "a-file").write_text("x")
    before = sorted(tmp_path.rglob("*"))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["verify", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("o3ref verify: error: ")
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


def test_a_bug_keeps_its_traceback(monkeypatch):
    def bug(*args, **kwargs):
        raise ValueError("an internal bug, not a user error")

    monkeypatch.setattr(suite, "run_suite", bug)
    with pytest.raises(ValueError, match="internal bug"):
        main(["verify", "--quick", "--quiet"])


_SMALL = {"quick": {"sh": [0, 1, 2], "wigner_d": [0, 1], "cg": [1, 2]},
          "full": {"sh": [0, 1, 2, 3], "wigner_d": [0, 1, 2], "cg": [1, 2, 3]}}


def test_profile_honours_full_and_json(tmp_path, monkeypatch, capsys):
    from o3ref.verify.reports.schema import validate_report

    monkeypatch.setattr(profile, "PROFILE_DEGREES", _SMALL)
    report_path = tmp_path / "profile.json"
    assert main(["verify", "--profile", "--full", "--out", str(tmp_path / "p"),
                 "--json", str(report_path)]) == 0
    captured = capsys.readouterr()
    assert "o3ref verify --profile" in captured.err  # progress, not silent
    report = json.loads(report_path.read_text())
    validate_report(report)
    assert report["kind"] == "profile" and report["mode"] == "full" and report["passed"]
    assert [r["l"] for r in report["rows"] if r["quantity"] == "sh"] == [0, 1, 2, 3]
    for row in report["rows"]:
        assert row["max_abs_err"] <= row["abs_tol"]
    lines = (tmp_path / "p" / "profile.csv").read_text().splitlines()
    assert lines[0] == ",".join(profile.CSV_FIELDS) and len(lines) == 1 + 4 + 3 + 3


def test_profile_honours_against(tmp_path, monkeypatch, capsys):
    pytest.importorskip("sphericart")
    from o3ref.verify.reports.schema import validate_report

    monkeypatch.setattr(profile, "PROFILE_DEGREES", _SMALL)
    report_path = tmp_path / "profile.json"
    assert main(["verify", "--profile", "--against", "sphericart", "--quiet", "--out",
                 str(tmp_path), "--json", str(report_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "wigner_d: no implementation (missing)" in captured.out
    report = json.loads(report_path.read_text())
    validate_report(report)
    assert report["under_test"]["name"] == "sphericart"
    assert report["under_test"]["version"] == report["provenance"]["libraries"]["sphericart"]
    assert {r["quantity"] for r in report["rows"]} == {"sh"}


@pytest.mark.parametrize("name", ["_io", "reports.schema"])
def test_doctests(name):
    import doctest
    import importlib

    module = importlib.import_module(f"o3ref.verify.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    from o3ref.verify._io import atomic_write

    def half_then_fail(tmp):
        tmp.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(tmp_path / "r.json", half_then_fail)
    assert list(tmp_path.iterdir()) == []
    atomic_write(tmp_path / "r.json", lambda tmp: tmp.write_text("{}"))
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_printed_lines_clear_the_progress_line_first():
    import io

    from o3ref.verify._io import _ClearingStdout

    out, err = io.StringIO(), io.StringIO()
    stream = _ClearingStdout(out, err)
    for text in ("row 1\n", "row ", "2\n"):
        stream.write(text)
    assert out.getvalue() == "row 1\nrow 2\n"
    assert err.getvalue() == "\r\x1b[K" * 2  # once per line, before it starts


def test_printing_is_untouched_off_a_terminal(capsys):
    import sys

    from o3ref.verify._io import printing_beside_progress

    before = sys.stdout
    with printing_beside_progress(quiet=False):  # stderr is captured: not a terminal
        assert sys.stdout is before
        print("plain")
    assert capsys.readouterr() == ("plain\n", "")


@pytest.mark.parametrize(("command", "target", "argv"), [
    ("tables", "o3ref.verify.cli.tables.write_tables",
     ["--kind", "cg", "--l-max", "1", "--out", "{tmp}/t", "--quiet"]),
    ("survey", "o3ref.verify.cli.survey.run_survey", ["--only", "scipy", "--quiet"]),
    ("check-model", "o3ref.verify.models.runner.check_model",
     ["ase.calculators.emt:EMT", "--structures", "{xyz}", "--quiet"]),
])
@pytest.mark.parametrize("error", [ValueError, TypeError, KeyError])
def test_a_bug_in_a_subcommand_keeps_its_traceback(command, target, argv, error, tmp_path,
                                                   monkeypatch):
    """Only UsageError is a user's mistake (one line, exit 2): any other exception escapes
    ``main`` with its traceback, whatever its type (issue 18)."""
    import ase
    import ase.io

    xyz = tmp_path / "s.xyz"
    ase.io.write(xyz, ase.Atoms("Cu2", positions=[[0, 0, 0], [1.2, 1.3, 0.4]]))

    def bug(*args, **kwargs):
        raise error("a bug, not the user's mistake")

    monkeypatch.setattr(target, bug)
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{xyz}", str(xyz)) for a in argv]
    with pytest.raises(error, match="a bug"):
        main([command, *argv])


# ------------------------------------------------------------------ --profile's degrees


def test_profile_default_degrees_stop_where_the_exact_d_fits_the_budget():
    from o3ref import reference
    from o3ref.verify.oracle import DPS

    for mode in ("quick", "full"):
        assert max(profile.PROFILE_DEGREES[mode]["wigner_d"]) == profile.D_L_MAX
    # the next degree the old defaults asked for is refused up front by the work budget
    with pytest.raises(ValueError, match="work budget"):
        reference.wigner_D_real(30, 0.7, 1.1, -2.3, dps=DPS)


def test_profile_help_is_generated_from_the_degrees(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert profile.degrees_text() in help_text
    assert f"D to {profile.D_L_MAX}" in profile.degrees_text()


def test_a_refused_degree_is_a_row_and_the_next_degrees_go_on(tmp_path, monkeypatch, capsys):
    from o3ref.verify.reports.schema import validate_report

    def d(l, a, b, g):
        if l == 1:
            raise ValueError("refused: estimated 99 s exceeds the work budget of 60 s")
        return fast.wigner_D_real_blocks(l, np.asarray(fast.rotation_matrix(a, b, g)).reshape(
            1, 3, 3))[l][0]

    impl = dict(suite.fast_implementations(), wigner_d=d)
    monkeypatch.setattr(suite, "fast_implementations", lambda: impl)
    monkeypatch.setattr(profile, "PROFILE_DEGREES", _SMALL)
    report_path = tmp_path / "profile.json"
    assert main(["verify", "--profile", "--quiet", "--out", str(tmp_path / "p"),
                 "--json", str(report_path)]) == 1
    out = capsys.readouterr().out
    assert "wigner_d: error at l = 1: ValueError: refused" in out
    report = json.loads(report_path.read_text())
    validate_report(report)
    rows = [r for r in report["rows"] if r["quantity"] == "wigner_d"]
    assert [(r["l"], r["passed"]) for r in rows] == [(0, True), (1, False)]
    assert rows[1]["max_abs_err"] is None and "work budget" in rows[1]["error"]
    csv_lines = (tmp_path / "p" / "profile.csv").read_text().splitlines()
    assert any(line.startswith("wigner_d,1,,") for line in csv_lines)


def test_verify_json_follows_the_schema(tmp_path, monkeypatch):
    from o3ref.verify.reports.schema import validate_report

    monkeypatch.setattr(suite, "fast_implementations",
                        lambda: {"cg": fast.real_clebsch_gordan,
                                 "wigner_d": lambda l, a, b, g: np.full((2 * l + 1,) * 2,
                                                                        np.nan)})
    path = tmp_path / "verify.json"
    assert main(["verify", "--quick", "--quiet", "--json", str(path)]) == 1
    report = json.loads(path.read_text())
    validate_report(report)
    status = {r["quantity"]: r["status"] for r in report["rows"]}
    assert status["real Clebsch-Gordan"] == "pass" and status["Wigner D (real)"] == "FAIL"
