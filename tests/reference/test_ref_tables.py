"""Exact tables: golden files reproduced byte for byte, every kind against independent
oracles, deterministic compressed npz, sharded = whole, resume, checksums and row checks that
catch tampering, broken manifests named, no overwrite without --force."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from sympy.physics import wigner as sympy_wigner

from o3ref.reference import (
    cartesian_basis,
    clebsch_gordan,
    real_clebsch_gordan,
    real_solid_harmonic,
    wigner_3j,
    x,
    y,
    z,
)
from o3ref.reference.tables import (
    CARTESIAN_FORMULAS,
    KINDS,
    atomic_write,
    columns,
    manifest_bytes,
    read_table,
    read_tables,
    sha256,
    table_rows,
    verify_manifest,
    write_tables,
)

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "tables"
GOLDEN_KINDS = ["cg", "3j", "real-cg", "gaunt", "real-gaunt", "6j", "sh-poly", "cartesian-basis"]


def _exact(row, kind) -> sympy.Expr:
    """sign * sqrt(p/q) (/ sqrt(pi)) from the integer columns, by sympy."""
    sign, p, q = row[-5:-2]
    value = sign * sympy.sqrt(sympy.Rational(p, q))
    return value / sympy.sqrt(sympy.pi) if kind in ("gaunt", "real-gaunt", "sh-poly") else value


def test_golden_tables_are_reproduced_byte_for_byte(tmp_path):
    manifest = json.loads((GOLDEN / "manifest.json").read_text())
    kinds = sorted({e["kind"] for e in manifest["files"].values()})
    formats = sorted({e["format"] for e in manifest["files"].values()})
    (l_max,) = {e["l_max"] for e in manifest["files"].values()}
    assert set(kinds) == set(GOLDEN_KINDS) and set(formats) == {"json", "csv"}
    write_tables(tmp_path, GOLDEN_KINDS, l_max, ["json", "csv"], shards="none")
    for name in list(manifest["files"]) + ["manifest.json"]:
        assert (tmp_path / name).read_bytes() == (GOLDEN / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        list(manifest["files"]) + ["manifest.json"]
    )  # and no temporary files left behind
    assert verify_manifest(GOLDEN) == {n: e["sha256"] for n, e in manifest["files"].items()}


def test_every_kind_has_one_column_pattern():
    for kind in KINDS:
        cols = columns(kind)
        assert cols[-5:] == ("sign", "p", "q", "exact", "value")
        names = cols[:-5]
        degrees = [i for i, c in enumerate(names) if c[0] in "lLj" and c not in ("m",)]
        orders = [i for i, c in enumerate(names) if c[0] in "mM"]
        assert not orders or max(degrees) < min(orders), kind  # degrees before orders


def test_golden_values_against_independent_oracles():
    rows = read_table(GOLDEN / "cg_lmax4.csv")["rows"]
    for row in rows[::37]:
        l1, l2, L, m1, m2, M = row[:6]
        expected = sympy_wigner.clebsch_gordan(l1, l2, L, m1, m2, M)
        assert sympy.sympify(row[9]) == expected == _exact(row, "cg")
        with mpmath.workdps(40):
            sign, p, q = row[6:9]
            assert row[10] == float(mpmath.mpf(sign) * mpmath.sqrt(mpmath.mpf(p) / q))
    rows = read_table(GOLDEN / "3j_lmax4.json")["rows"]
    assert len(rows) == len(read_table(GOLDEN / "cg_lmax4.json")["rows"])  # same selection
    for row in rows[::41]:
        assert sympy.sympify(row[9]) == sympy_wigner.wigner_3j(*row[:6]) == _exact(row, "3j")
    totals = {}
    for row in read_table(GOLDEN / "real-cg_lmax4.csv")["rows"]:
        totals[row[:3]] = totals.get(row[:3], 0) + sympy.Rational(row[7], row[8])
    assert totals and all(total == 2 * key[2] + 1 for key, total in totals.items())
    for row in read_table(GOLDEN / "gaunt_lmax4.csv")["rows"][::29]:
        l1, l2, l3, m1, m2, m3 = row[:6]
        assert _exact(row, "gaunt") == sympy_wigner.gaunt(l1, l2, l3, m1, m2, m3)
        with mpmath.workdps(40):
            sign, p, q = row[6:9]
            assert row[10] == float(sign * mpmath.sqrt(mpmath.mpf(p) / (q * mpmath.pi)))
    for row in read_table(GOLDEN / "real-gaunt_lmax4.json")["rows"][::31]:
        assert _exact(row, "real-gaunt") == sympy_wigner.real_gaunt(*row[:6])
    for row in read_table(GOLDEN / "6j_lmax4.csv")["rows"][::17]:
        assert _exact(row, "6j") == sympy_wigner.wigner_6j(*row[:6])
    poly = {}
    for row in read_table(GOLDEN / "sh-poly_lmax4.csv")["rows"]:
        l, m, a, b, c = row[:5]
        poly[(l, m)] = poly.get((l, m), 0) + _exact(row, "sh-poly") * x**a * y**b * z**c
    assert len(poly) == 25
    for (l, m), p in poly.items():
        assert sympy.expand(p - real_solid_harmonic(l, m)) == 0


def test_cartesian_basis_table_equals_the_function():
    rows = read_table(GOLDEN / "cartesian-basis_lmax4.csv")["rows"]
    for basis, formula in enumerate(CARTESIAN_FORMULAS):
        Q, labels = cartesian_basis(formula)
        table = {(r[1], r[2], r[3], r[4]): _exact(r, "cartesian-basis") for r in rows
                 if r[0] == basis}
        for i, label in enumerate(labels):
            for j in range(Q.shape[1]):
                assert sympy.radsimp(Q[i, j] - table.get((*label, j), 0)) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_all_formats_and_shardings_agree(tmp_path, kind):
    l_max = 1 if kind == "9j" else 2
    write_tables(tmp_path / "w", [kind], l_max, ["json", "csv", "npz"], shards="none")
    write_tables(tmp_path / "s", [kind], l_max, ["json", "csv", "npz"], shards="blocks")
    whole = [read_table(tmp_path / "w" / f"{kind}_lmax{l_max}.{f}")["rows"]
             for f in ("json", "csv", "npz")]
    assert whole[0] == whole[1] == whole[2] == table_rows(kind, l_max) != []
    for fmt in ("json", "csv", "npz"):
        assert list(read_tables(tmp_path / "s", kind, l_max, fmt)) == whole[0]
    if kind in ("cg", "3j", "real-cg"):
        for row in whole[0]:
            if kind == "cg":
                value = clebsch_gordan(row[0], row[3], row[1], row[4], row[2], row[5])
            elif kind == "3j":
                value = wigner_3j(*row[:6])
            else:
                l1, l2, L, m1, m2, M = row[:6]
                value = real_clebsch_gordan(l1, l2, L)[m1 + l1, m2 + l2, M + L].to_sympy()
            assert value == sympy.sympify(row[9]) != 0


def test_npz_is_deterministic_compressed_and_loads_with_numpy(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_tables(a, ["real-cg"], 3, ["npz"], shards="none")
    write_tables(b, ["real-cg"], 3, ["npz"], shards="none")
    data = (a / "real-cg_lmax3.npz").read_bytes()
    assert data == (b / "real-cg_lmax3.npz").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert sum(i.compress_size for i in zf.infolist()) < 0.5 * sum(
            i.file_size for i in zf.infolist())
    with np.load(a / "real-cg_lmax3.npz", allow_pickle=False) as npz:
        assert npz["indices"].shape == (len(npz["value"]), 6)
        assert npz["exact"][0] == b"1" and npz["value"].dtype == np.float64


def _rewrite_with_manifest(path: Path, text: str) -> None:
    """Change a file *and* its manifest entry, so that only the row checks can catch it."""
    path.write_text(text)
    manifest = json.loads((path.parent / "manifest.json").read_text())
    entry = manifest["files"][path.name]
    entry["sha256"], entry["bytes"] = sha256(path.read_bytes()), len(path.read_bytes())
    atomic_write(path.parent / "manifest.json", manifest_bytes(manifest["files"]))


def test_tampered_file_is_refused(tmp_path):
    shutil.copytree(GOLDEN, tmp_path / "t")
    target = tmp_path / "t" / "real-cg_lmax4.csv"
    text = target.read_text()
    target.write_text(text.replace("-sqrt(1/3)", "+sqrt(1/3)", 1))
    with pytest.raises(ValueError, match=r"real-cg_lmax4.csv: sha256 .* does not match"):
        read_table(target)
    with pytest.raises(ValueError, match=r"real-cg_lmax4.csv"):
        verify_manifest(tmp_path / "t")
    read_table(tmp_path / "t" / "cg_lmax4.csv")  # an untouched file still reads


@pytest.mark.parametrize(
    "old,new,message",
    [
        (",-1,1,3,-sqrt(1/3),", ",-1,1,3,sqrt(1/3),", r"row \d+: exact text 'sqrt\(1/3\)'"),
        (",-1,1,3,-sqrt(1/3),-0.5773502691896257", ",-1,1,3,-sqrt(1/3),-0.5773502691896258",
         r"row \d+: value -0.5773502691896258 is not the float64"),
        (",-1,1,3,-sqrt(1/3),", ",1,1,3,-sqrt(1/3),", r"row \d+: exact text"),
        (",-1,1,3,-sqrt(1/3),", ",-1,2,6,-sqrt(1/3),", r"row \d+: sign=-1, p=2, q=6"),
    ],
)
def test_inconsistent_rows_are_refused_even_with_a_matching_manifest(tmp_path, old, new, message):
    shutil.copytree(GOLDEN, tmp_path / "t")
    target = tmp_path / "t" / "real-cg_lmax4.csv"
    text = target.read_text()
    assert old in text
    _rewrite_with_manifest(target, text.replace(old, new, 1))
    with pytest.raises(ValueError, match=r"real-cg_lmax4.csv: " + message):
        read_table(target)


@pytest.mark.parametrize(
    "manifest,message",
    [("not json", "is not a manifest"), ('{"format_version": 2}', "is not a manifest"),
     ('{"files": {"a.csv": {"kind": "cg"}}}', "is not a manifest.*entry 'a.csv' lacks")],
)
def test_broken_manifest_names_the_file(tmp_path, manifest, message):
    write_tables(tmp_path, ["cg"], 1, ["csv"], shards="none")
    (tmp_path / "manifest.json").write_text(manifest)
    with pytest.raises(ValueError, match=rf"manifest.json {message}"):
        read_table(tmp_path / "cg_lmax1.csv")


def test_refuses_to_overwrite_without_force_and_resumes(tmp_path):
    write_tables(tmp_path, ["cg"], 1, ["csv"], shards="none")
    before = (tmp_path / "cg_lmax1.csv").read_bytes()
    with pytest.raises(FileExistsError, match=r"cg_lmax1.csv.*pass --force to overwrite"):
        write_tables(tmp_path, ["cg"], 1, ["csv"], shards="none")
    write_tables(tmp_path, ["cg"], 1, ["csv"], force=True, shards="none")
    assert (tmp_path / "cg_lmax1.csv").read_bytes() == before
    # sharded: a damaged shard is recomputed, verified ones are kept (same bytes, same mtime)
    out = tmp_path / "s"
    first = write_tables(out, ["real-cg"], 3, ["npz"], shards="blocks")
    damaged = out / "real-cg_lmax3" / "real-cg_lmax3_2-1.npz"
    damaged.write_bytes(b"broken")
    (out / "real-cg_lmax3" / "real-cg_lmax3_3-3.npz").unlink()
    mtimes = {n: (out / n).stat().st_mtime_ns for n in first if (out / n).exists()}
    redone = write_tables(out, ["real-cg"], 3, ["npz"], shards="blocks", resume=True)
    assert set(redone) == {"real-cg_lmax3/real-cg_lmax3_2-1.npz",
                           "real-cg_lmax3/real-cg_lmax3_1-2.npz",
                           "real-cg_lmax3/real-cg_lmax3_3-3.npz"}
    for name, mtime in mtimes.items():
        if name not in redone:
            assert (out / name).stat().st_mtime_ns == mtime
    assert verify_manifest(out) == {n: e["sha256"] for n, e in first.items()}


def test_later_tables_join_the_manifest(tmp_path):
    write_tables(tmp_path, ["cg"], 1, ["csv"], shards="none")
    write_tables(tmp_path, ["real-cg"], 1, ["json"], shards="none")
    assert set(verify_manifest(tmp_path)) == {"cg_lmax1.csv", "real-cg_lmax1.json"}
    assert read_table(tmp_path / "cg_lmax1.csv")["rows"] == table_rows("cg", 1)
    (tmp_path / "manifest.json").write_text("not json")
    with pytest.raises(ValueError, match=r"manifest.json is not a manifest of o3ref tables"):
        write_tables(tmp_path, ["3j"], 1, ["csv"], shards="none")
    write_tables(tmp_path, ["3j"], 1, ["csv"], force=True, shards="none")
    assert set(verify_manifest(tmp_path)) == {"3j_lmax1.csv"}


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"kind='dense' must be one of cg, 3j, real-cg"):
        write_tables(tmp_path, ["dense"], 1, ["csv"])
    with pytest.raises(ValueError, match=r"format='xml' must be one of json, csv, npz"):
        write_tables(tmp_path, ["cg"], 1, ["xml"])
    with pytest.raises(ValueError, match=r"shards='l3' must be one of none, blocks"):
        write_tables(tmp_path, ["cg"], 1, ["csv"], shards="l3")
    with pytest.raises(ValueError, match=r"l_max=1000000 would write about .* bytes .*real-cg"):
        write_tables(tmp_path, ["real-cg"], 10**6, ["npz"])
    with pytest.raises(FileNotFoundError, match=r"manifest.json not found"):
        read_table(tmp_path / "cg_lmax1.csv")
    assert not any(tmp_path.iterdir())  # nothing written by any refusal
