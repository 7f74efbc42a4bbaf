"""``o3ref tables`` on the command line: summary, refusals before any work (exit 2, one line,
nothing written), --format default in --help, --quiet and progress lines, Dask (a local
cluster gives the serial bytes; an unreachable scheduler exits 2 within 10 s)."""

from __future__ import annotations

import json
import time

import pytest

from o3ref.verify.cli import build_parser, main


def _files(path):
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*")) if path.exists() else []


def test_command_line(tmp_path, capsys):
    out = tmp_path / "tables"
    argv = ["tables", "--kind", "cg", "real-cg", "--l-max", "2", "--format", "csv", "npz",
            "--shards", "none", "--quiet"]
    assert main(argv + ["--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""  # --quiet: no progress
    manifest = json.loads((out / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert f"{name}  rows={entry['rows']}" in printed.out and entry["sha256"] in printed.out
    assert main(argv + ["--out", str(out)]) == 2
    assert "pass --force to overwrite" in capsys.readouterr().err
    assert main(argv + ["--out", str(out), "--force"]) == 0
    assert main(["tables", "--kind", "cg", "--l-max", "-1", "--out", str(out)]) == 2
    assert "--l-max=-1 must be a non-negative integer" in capsys.readouterr().err
    below_a_file = out / "manifest.json" / "sub"
    assert main(["tables", "--kind", "cg", "--l-max", "1", "--out", str(below_a_file)]) == 2
    assert f"{below_a_file}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tables", "--kind", "cg", "--l-max", "x", "--out", str(out)])
    assert "argument --l-max: invalid int value: 'x'" in capsys.readouterr().err


def test_progress_lines_when_not_a_terminal(tmp_path, capsys):
    assert main(["tables", "--kind", "real-cg", "--l-max", "4", "--format", "npz",
                 "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "o3ref tables (serial): 15/15 done" in captured.err  # 15 tasks: pairs l1 >= l2
    assert "real-cg l_max=4 npz: 25 files" in captured.out  # many files: one line per table


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--out", ""], "--out='' is empty"),
        (["--out", "x", "--l-max", "1000000"], "l_max=1000000 would write about"),
        (["--out", "x", "--workers", "0"], "--workers=0 must be a positive integer"),
        (["--out", "x", "--scheduler", " "], "--scheduler=' ' is empty"),
    ],
)
def test_user_errors_exit_2_with_one_line_and_write_nothing(tmp_path, monkeypatch, capsys,
                                                            extra, message):
    monkeypatch.chdir(tmp_path)
    argv = ["tables", "--kind", "real-cg", "9j", "--l-max", "3"] + extra
    build_parser()  # imports every subcommand once, so that the timing is the command's own
    start = time.monotonic()
    assert main(argv) == 2
    assert time.monotonic() - start < 2  # refused up front, before any work
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert _files(tmp_path) == []


def test_format_default_is_shown_in_help():
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices["tables"]
    text = sub.format_help()
    assert "(default: json)" in text and "(default: blocks)" in text and "--quiet" in text


def test_unreachable_scheduler_exits_2_within_10_s(tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    start = time.monotonic()
    code = main(["tables", "--kind", "cg", "--l-max", "1", "--out", str(tmp_path / "t"),
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2 and time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the Dask scheduler" in err
    assert _files(tmp_path / "t") == []


@pytest.mark.slow
def test_local_dask_cluster_writes_the_serial_bytes(tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    base = ["tables", "--kind", "real-cg", "gaunt", "--l-max", "3", "--format", "npz", "csv",
            "--quiet"]
    assert main(base + ["--out", str(tmp_path / "serial")]) == 0
    assert main(base + ["--out", str(tmp_path / "dask"), "--workers", "2"]) == 0
    serial, dask = _files(tmp_path / "serial"), _files(tmp_path / "dask")
    assert serial == dask and len(serial) > 30
    for name in serial:
        path_a, path_b = tmp_path / "serial" / name, tmp_path / "dask" / name
        if path_a.is_file():
            assert path_a.read_bytes() == path_b.read_bytes(), name


def test_module_docstring_example_runs():
    import doctest

    from o3ref.verify.cli import tables as tables_cli

    result = doctest.testmod(tables_cli, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    assert "o3ref.reference.conventions" in tables_cli.__doc__
