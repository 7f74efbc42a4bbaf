"""``o3ref bench``: runs, prints a table, writes a JSON report that follows the documented
schema, starts itself on one thread, judges each max diff by a tolerance, and rejects bad
options with exit status 2 and one line naming the option, before running anything."""

from __future__ import annotations

import json

import pytest

from o3ref.verify.cli import main
from o3ref.verify.reports import bench_cases
from o3ref.verify.reports.schema import validate_report
from o3ref.verify.tolerances import tolerance


def test_wigner_case_in_process(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("O3REF_BENCH_CHILD", "1")  # no child process: time here
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--only", "wigner", "--repeat", "1", "--json", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Wigner D real, 1e+03 rotations" in captured.out
    assert "o3ref bench: " in captured.err  # progress on stderr
    result = json.loads(out.read_text())
    validate_report(result)
    assert [p.name for p in tmp_path.iterdir()] == ["bench.json"]  # no temporary file left
    assert result["kind"] == "bench" and result["quick"] is True
    (row,) = result["rows"]
    assert row["ours_min_ms"] > 0 and row["other"] == "spherical"
    assert row["goal"] is None and "no goal at quick sizes" in row["goal_note"]
    assert row["diff_tol"] == tolerance("wigner_d", 10).atol
    if row["other_min_ms"] is None:
        assert "spherical: not installed" in captured.out and result["passed"] is None
    else:
        assert row["max_diff"] <= row["diff_tol"] and row["diff_ok"] is True
        # the printed ratio is the quotient of the printed times, to its own rounding
        ratio = row["ours_min_ms"] / row["other_min_ms"]
        assert row["ratio"] == pytest.approx(ratio, abs=tolerance("rotation", scale=ratio).atol)
        assert result["provenance"]["libraries"]["spherical"] == row["other_version"]


def test_child_process_runs_on_one_thread(tmp_path, capfd):
    out = tmp_path / "sh.json"
    assert main(["bench", "--quick", "--quiet", "--only", "sh", "--repeat", "1",
                 "--json", str(out)]) == 0
    captured = capfd.readouterr()
    assert "SH values, N=1e+04, l_max=10" in captured.out and captured.err == ""
    result = json.loads(out.read_text())
    validate_report(result)
    assert set(result["thread_env"].values()) == {"1"}
    (row,) = result["rows"]
    assert row["diff_tol"] == tolerance("sh", 10).atol
    if row["other_min_ms"] is not None:
        assert row["max_diff"] <= row["diff_tol"]  # sphericart uses the same real harmonics


def test_sphericart_row_has_a_ratio_and_agrees(monkeypatch, capsys):
    pytest.importorskip("sphericart")
    monkeypatch.setenv("O3REF_BENCH_CHILD", "1")
    assert main(["bench", "--quick", "--quiet", "--only", "sh-grad", "--repeat", "1"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("SH values+"))
    ratio, goal, diff, tol, ok = line.split()[-5:]
    assert float(ratio) > 0 and goal == "-"
    assert float(diff) <= float(tol) and ok == "yes"


def test_cg_case_is_exact_against_sympy(monkeypatch, capsys):
    monkeypatch.setenv("O3REF_BENCH_CHILD", "1")
    rows = bench_cases.CASE_FUNCTIONS["cg"](True, 1, _Bar())
    (row,) = rows
    assert row["case"].startswith("exact complex CG table, l1, l2 <= 3")
    assert row["other"] == "sympy" and row["max_diff"] == 0.0 and row["diff_tol"] == 0.0
    assert row["diff_ok"] is True


def test_lambda_soap_case_against_featomic(monkeypatch):
    pytest.importorskip("featomic")
    (row,) = bench_cases.CASE_FUNCTIONS["lambda-soap"](True, 1, _Bar())
    assert row["other"] == "featomic" and row["other_min_ms"] is not None
    assert row["diff_tol"] == tolerance("acdc", 4).atol
    assert row["max_diff"] <= row["diff_tol"] and row["diff_ok"] is True


def test_full_sizes_have_goals():
    times = {"o3ref": [0.002], "featomic": [0.004]}
    row = bench_cases.make_row("x", times, "featomic", 0.5, False,
                                 bench_cases.Difference(1e-16, 1e-15))
    assert row["goal"] == 0.5 and row["goal_note"] is None and row["ratio"] == 0.5
    assert row["diff_ok"] is True
    quick = bench_cases.make_row("x", times, "featomic", 0.5, True,
                                   bench_cases.Difference(2e-15, 1e-15))
    assert quick["goal"] is None and quick["goal_note"] == bench_cases.QUICK_NOTE
    assert quick["diff_ok"] is False


class _Bar:
    def set_label(self, label):
        pass

    def update(self, n=1):
        pass


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "nope"], "among sh, sh-grad, wigner, expansion, cg, lambda-soap, got 'nope'"),
        (["--only", ""], "--only must name cases"),
        (["--repeat", "0"], "--repeat must be at least 1, got 0"),
        (["--threads", "0"], "--threads must be at least 1, got 0"),
        (["--json", "{tmp}"], "--json={tmp} is a directory, not a file"),
        (["--json", "{tmp}/missing/b.json"], "the folder {tmp}/missing does not exist"),
        (["--json", ""], "--json='' must name a file"),
    ],
)
def test_bad_options(argv, message, tmp_path, monkeypatch, capsys):
    def no_run(*args, **kwargs):
        raise AssertionError("ran before the options were checked")

    monkeypatch.setattr("subprocess.run", no_run)
    monkeypatch.setattr("o3ref.verify.cli.bench._run_here", no_run)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("o3ref bench: error: ") and err.count("\n") == 1
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert list(tmp_path.iterdir()) == []  # no DIR.tmp, nothing written
