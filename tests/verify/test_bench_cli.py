"""``o3ref bench``: runs, prints a table, writes JSON, starts itself on one thread, rejects
bad options with exit status 2 and a message naming the option."""

from __future__ import annotations

import json

import pytest

from o3ref.verify.cli import main


def test_wigner_case_in_process(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("O3REF_BENCH_CHILD", "1")  # no child process: time here
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--only", "wigner", "--repeat", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Wigner D real, 1e+03 rotations" in printed
    result = json.loads(out.read_text())
    assert not (tmp_path / "bench.json.tmp").exists()
    (row,) = result["rows"]
    assert row["ours_min_ms"] > 0 and row["other"] == "spherical"
    if row["other_min_ms"] is None:
        assert "spherical: not installed" in printed
    else:
        assert row["max_diff"] < 1e-12  # our real D is spherical's conjugated D mapped by U
        assert row["ratio"] == pytest.approx(row["ours_min_ms"] / row["other_min_ms"])


def test_child_process_runs_on_one_thread(tmp_path, capfd):
    out = tmp_path / "sh.json"
    assert main(["bench", "--quick", "--only", "sh", "--repeat", "1", "--json", str(out)]) == 0
    assert "SH values, N=1e+04, l_max=10" in capfd.readouterr().out
    result = json.loads(out.read_text())
    assert set(result["thread_env"].values()) == {"1"}
    (row,) = result["rows"]
    if row["other_min_ms"] is not None:
        assert row["max_diff"] < 1e-12  # sphericart uses the same real harmonics


def test_sphericart_row_has_a_ratio_and_agrees(monkeypatch, capsys):
    pytest.importorskip("sphericart")
    monkeypatch.setenv("O3REF_BENCH_CHILD", "1")
    assert main(["bench", "--quick", "--only", "sh-grad", "--repeat", "1"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("SH values+"))
    ratio, goal, diff = line.split()[-3:]
    assert float(ratio) > 0 and goal == "-" and float(diff) < 1e-10


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "nope"], "among sh, sh-grad, wigner, expansion, got 'nope'"),
        (["--only", ""], "--only must name cases"),
        (["--repeat", "0"], "--repeat must be at least 1, got 0"),
        (["--threads", "0"], "--threads must be at least 1, got 0"),
    ],
)
def test_bad_options(argv, message, capsys):
    assert main(["bench", *argv]) == 2
    assert message in capsys.readouterr().err
