"""``o3ref tables`` against hostile situations (issue 19, class 8): a server that is not Dask
behind ``--scheduler`` (exit 2, one line), ``--workers`` capped at the tasks and CPUs (and
said so), two concurrent runs into one ``--out`` (both tables listed), a held lock (exit 2,
one line). The rules themselves are pinned in ``tests/reference/test_ref_tables_safety.py``."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from o3ref.reference.tables import folder_lock
from o3ref.verify.cli import main
from o3ref.verify.cli import tables as tables_cli


@pytest.fixture
def not_dask():
    """A TCP server on 127.0.0.1 that answers every connection with HTTP and junk bytes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\n\r\nhello" + b"\xff" * 64)
                    time.sleep(0.2)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    server.close()


def test_a_server_that_is_not_dask_exits_2_with_one_line(tmp_path, capsys, not_dask):
    pytest.importorskip("dask.distributed")
    start = time.monotonic()
    code = main(["tables", "--kind", "cg", "--l-max", "1", "--out", str(tmp_path / "t"),
                 "--scheduler", not_dask, "--quiet"])
    assert time.monotonic() - start < 20
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "answered, but not as a Dask scheduler" in err and not_dask in err
    assert "Traceback" not in err and "EiB" not in err
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("requested, expected_note", [(1000, True), (1, False)])
def test_workers_are_capped_and_the_cap_is_said(tmp_path, monkeypatch, capsys, requested,
                                                 expected_note):
    seen = {}

    def no_cluster(args):  # record what would be started; run serially
        seen["workers"] = args.workers
        return None

    monkeypatch.setattr(tables_cli, "_client", no_cluster)
    monkeypatch.setattr(tables_cli.os, "cpu_count", lambda: 4)
    assert main(["tables", "--kind", "6j", "--l-max", "2", "--out", str(tmp_path / "t"),
                 "--workers", str(requested)]) == 0  # 3 tasks
    err = capsys.readouterr().err
    assert seen["workers"] == min(requested, 3, 4)
    assert ("workers=1000 capped at 3 (3 tasks, 4 CPUs)" in err) == expected_note


def test_concurrent_runs_into_one_out_list_both_tables(tmp_path, capsys):
    out = tmp_path / "t"
    codes = {}

    def run(kind):
        codes[kind] = main(["tables", "--kind", kind, "--l-max", "2", "--out", str(out),
                            "--quiet"])

    threads = [threading.Thread(target=run, args=(k,)) for k in ("cg", "6j")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == {"cg": 0, "6j": 0}
    kinds = {e["kind"] for e in json.loads((out / "manifest.json").read_text())["files"].values()}
    assert kinds == {"cg", "6j"}


def test_a_held_lock_exits_2_with_one_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "t"
    real = tables_cli.write_tables
    monkeypatch.setattr(tables_cli, "write_tables",
                        lambda *a, **k: real(*a, **{**k, "lock_wait_s": 0.2}))
    with folder_lock(out, wait_s=0):
        code = main(["tables", "--kind", "cg", "--l-max", "1", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "another o3ref tables run (pid" in err and ".o3ref-tables.lock" in err
