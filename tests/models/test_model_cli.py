"""``o3ref check-model``: report, exit status, JSON with provenance, --vs, usage errors."""

from __future__ import annotations

import json

import ase.io
import pytest
from model_helpers import emt_cell

from o3ref.verify.cli import main


@pytest.fixture()
def structures(tmp_path):
    path = tmp_path / "cells.xyz"
    ase.io.write(path, [emt_cell(seed=1), emt_cell(seed=2)])
    return str(path)


def test_emt_passes_with_json(tmp_path, structures, capsys):
    out = tmp_path / "report.json"
    code = main(["check-model", "ase.calculators.emt:EMT", "--structures", structures,
                 "--checks", "permutation,forces = -dE/dr", "--json", str(out), "--quiet"])
    printed = capsys.readouterr()
    assert code == 0, printed.out
    assert "check_model: PASSED" in printed.out and printed.err == ""
    report = json.loads(out.read_text())
    assert report["passed"] is True
    assert report["provenance"]["libraries"]["ase"] is not None
    rows = report["rows"]
    assert {r["frame"] for r in rows} == {0, 1}
    assert {r["check"] for r in rows} == {"permutation", "forces = -dE/dr"}
    assert {r["slug"] for r in rows} == {"permutation", "forces-fd"}


def test_json_is_in_the_report_envelope(tmp_path, structures, capsys):
    from o3ref.verify.report_schema import validate_report

    out = tmp_path / "report.json"
    code = main(["check-model", "ase.calculators.emt:EMT", "--structures", structures,
                 "--checks", "translation,stress-fd", "--vs", "ase.calculators.emt:EMT",
                 "--json", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().out
    report = json.loads(out.read_text())
    validate_report(report)
    assert report["kind"] == "check-model" and report["schema"] == "o3ref-report/1"
    assert report["under_test"]["name"] == "ase.calculators.emt:EMT"
    assert report["differential"]["passed"] is True


def test_help_lists_the_check_slugs(capsys):
    from o3ref.verify.models.checks import CHECKS

    with pytest.raises(SystemExit):
        main(["check-model", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for slug in CHECKS:
        assert slug in text


def test_a_module_of_the_current_directory_is_found(tmp_path, monkeypatch):
    import sys

    from o3ref.verify._loading import load_callable

    (tmp_path / "o3ref_cwd_model_xyz.py").write_text("def factory():\n    return 42\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "o3ref_cwd_model_xyz", raising=False)
    assert load_callable("o3ref_cwd_model_xyz:factory")() == 42


def test_broken_forces_exit_1_and_vs_reports_the_difference(structures, capsys):
    code = main(["check-model", "model_helpers:ScaledForces", "--structures", structures,
                 "--checks", "forces = -dE/dr", "--vs", "ase.calculators.emt:EMT", "--quiet"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "forces = 1.001 x (-dE/dr)" in printed
    assert "differential: FAILED" in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no_such_module_xyz:Calc"], "cannot import 'no_such_module_xyz'"),
        (["ase.calculators.emt:Nope"], "has no attribute 'Nope'"),
        (["EMT"], "must read 'module:callable'"),
        (["ase.calculators.emt:EMT", "--checks", "gauge"], "checks contains 'gauge'"),
        (["ase.calculators.emt:EMT", "--checks", "gauge"], "forces-fd"),
        (["ase.calculators.emt:EMT", "--properties", "charges"], "properties contains"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, message, structures, tmp_path, capsys):
    out = tmp_path / "never.json"
    code = main(["check-model", *argv, "--structures", structures, "--json", str(out),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not out.exists()


def test_missing_structures_file_exits_2(tmp_path, capsys):
    code = main(["check-model", "ase.calculators.emt:EMT", "--structures",
                 str(tmp_path / "none.xyz")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err
