"""Folders of exact tables stay consistent (issue 19, class 8): one writer per folder (a
second run waits, then its table joins the manifest, or it fails naming the lock), shards
are checked against their block, a write error leaves no partial table, the arguments of
``read_tables`` are checked before any work, workers are capped."""

from __future__ import annotations

import errno
import json
import os
import threading
import time

import pytest

from o3ref.reference import cartesian_basis
from o3ref.reference.tables import (
    LOCK,
    MANIFEST,
    FolderLockedError,
    _run,
    folder_lock,
    load_manifest,
    read_table,
    read_tables,
    verify_manifest,
    worker_count,
    write_tables,
)


def test_a_second_run_waits_for_the_lock_and_both_tables_are_listed(tmp_path):
    out = tmp_path / "t"
    holding = threading.Event()

    def first_run():  # holds the folder while it "writes" a table of its own
        with folder_lock(out, wait_s=0):
            holding.set()
            time.sleep(0.4)
            write_tables_unlocked = _run._run_tasks
            tasks, kept = _run.plan(out, ["cg"], 1, ["csv"], shards="blocks")
            write_tables_unlocked(out, tasks, kept, 1, ["csv"], "blocks", None, None)

    holder = threading.Thread(target=first_run)
    holder.start()
    holding.wait(5)
    start = time.monotonic()
    write_tables(out, ["6j"], 1, ["csv"], shards="blocks")  # waits, then merges
    waited = time.monotonic() - start
    holder.join()
    assert waited >= 0.3, "the second run must wait for the first"
    assert not (out / LOCK).exists()
    assert {e["kind"] for e in load_manifest(out).values()} == {"cg", "6j"}
    verify_manifest(out)


def test_concurrent_runs_into_one_folder_list_every_table(tmp_path):
    out = tmp_path / "t"
    errors = []

    def run(kind):
        try:
            write_tables(out, [kind], 2, ["json"], shards="blocks")
        except Exception as exc:  # collected: the test fails below if any
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in ("cg", "3j", "6j")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert {e["kind"] for e in load_manifest(out).values()} == {"cg", "3j", "6j"}
    assert len(verify_manifest(out)) == len(load_manifest(out))


def test_a_held_lock_fails_clearly_after_the_wait(tmp_path):
    out = tmp_path / "t"
    with folder_lock(out, wait_s=0):
        start = time.monotonic()
        with pytest.raises(FolderLockedError, match=r"another o3ref tables run \(pid \d+ on"):
            write_tables(out, ["cg"], 1, ["csv"], lock_wait_s=0.3)
        assert time.monotonic() - start < 1.5
    assert not (out / MANIFEST).exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "t"
    out.mkdir()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # a pid that no longer runs
    import socket
    (out / LOCK).write_text(f"{socket.gethostname()} {pid}\n")
    write_tables(out, ["cg"], 1, ["csv"], lock_wait_s=0)
    assert not (out / LOCK).exists() and (out / MANIFEST).is_file()


def _swap(path_a, path_b):
    tmp = path_a.with_suffix(".swap")
    path_a.rename(tmp)
    path_b.rename(path_a)
    tmp.rename(path_b)


def test_swapped_shards_are_refused(tmp_path):
    out = tmp_path / "t"
    write_tables(out, ["cg", "6j"], 2, ["csv"], shards="blocks")
    manifest = json.loads((out / MANIFEST).read_text())
    # swap two shards of the same table, and their manifest checksums with them, so that
    # only the rows' degrees can tell
    a, b = "cg_lmax2/cg_lmax2_1-2.csv", "cg_lmax2/cg_lmax2_2-1.csv"
    _swap(out / a, out / b)
    files = manifest["files"]
    for key in ("sha256", "bytes", "rows"):
        files[a][key], files[b][key] = files[b][key], files[a][key]
    (out / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"cg_lmax2_1-2.csv: row 1 has indices \(2, 1\) but "
                                         r"the file is the shard \(1, 2\)"):
        list(read_tables(out, "cg", 2, "csv"))
    with pytest.raises(ValueError, match="shard"):
        read_table(out / a)
    assert len(list(read_tables(out, "6j", 2, "csv"))) > 0  # the other table is intact


def test_a_shard_listed_under_another_key_is_refused(tmp_path):
    out = tmp_path / "t"
    write_tables(out, ["6j"], 2, ["csv"], shards="blocks")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["6j_lmax2/6j_lmax2_1.csv"]["l_max"] = 3
    (out / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"6j_lmax2_1.csv: the manifest lists it as .*l_max=3"):
        list(read_tables(out, "6j", 2, "csv"))


@pytest.mark.parametrize("l_max, match", [
    (-1, "l_max=-1 must be a non-negative integer"),
    (10**6, r"no table kind='cg', l_max=1000000, fmt='csv' in .*lists: cg l_max=2 csv"),
    (3, r"no table kind='cg', l_max=3"),
    (2.5, "l_max=2.5"),
])
def test_read_tables_checks_its_arguments_before_any_work(tmp_path, l_max, match):
    write_tables(tmp_path, ["cg"], 2, ["csv"], shards="blocks")
    start = time.perf_counter()
    with pytest.raises((ValueError, TypeError), match=match):
        read_tables(tmp_path, "cg", l_max, "csv")
    assert time.perf_counter() - start < 0.5
    with pytest.raises(ValueError, match="kind='nope'"):
        read_tables(tmp_path, "nope", 2, "csv")
    with pytest.raises(ValueError, match="fmt='xml'"):
        read_tables(tmp_path, "cg", 2, "xml")


@pytest.mark.parametrize("shards", ["blocks", "none"])
@pytest.mark.parametrize("fail_after", [0, 3])
def test_a_full_disk_leaves_no_partial_table(tmp_path, monkeypatch, shards, fail_after):
    out = tmp_path / "t"
    write_tables(out, ["6j"], 2, ["csv"], shards=shards)  # an earlier, complete table
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_write = _run.atomic_write
    calls = []

    def full_disk(path, data, sync=True):
        calls.append(path)
        if len(calls) > fail_after:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data, sync)

    monkeypatch.setattr(_run, "atomic_write", full_disk)
    with pytest.raises(OSError) as info:
        write_tables(out, ["cg", "real-cg"], 3, ["csv", "json"], shards=shards)
    assert info.value.errno == errno.ENOSPC
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the earlier table and its manifest, nothing else
    assert not list(out.rglob("*.tmp")) and not (out / LOCK).exists()
    assert not any(p.is_dir() and not any(p.iterdir()) for p in out.rglob("*"))


def test_a_full_disk_in_a_new_folder_removes_the_folder(tmp_path, monkeypatch):
    def full_disk(path, data, sync=True):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(_run, "atomic_write", full_disk)
    with pytest.raises(OSError):
        write_tables(tmp_path / "new", ["cg"], 2, ["csv"], shards="blocks")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("requested, tasks, cpus, expected", [
    (1000, 10, 64, 10), (1000, 10, 4, 4), (2, 10, 4, 2), (3, 0, 4, 1), (1, 1, 1, 1),
])
def test_workers_are_capped_by_tasks_and_cpus(requested, tasks, cpus, expected):
    n, note = worker_count(requested, tasks, cpus=cpus)
    assert n == expected == min(requested, max(tasks, 1), cpus)
    assert (note == "") == (n == requested)
    if note:
        assert f"workers={requested} capped at {n}" in note
    with pytest.raises(ValueError, match="workers=0"):
        worker_count(0, tasks)


@pytest.mark.parametrize("formula", ["ij=--ji", "ij=---ji", "ij=-+ji", "ij=ji-", "ij=-"])
def test_cartesian_formula_signs_are_one_minus_at_most(formula):
    with pytest.raises(ValueError, match="is not valid"):
        cartesian_basis(formula)
    assert len(cartesian_basis("ij=-ji")) > 0
