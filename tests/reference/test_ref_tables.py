"""Exact tables: golden files reproduced byte for byte, deterministic npz, checksums that
catch tampering, no overwrite without --force, the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy

from o3ref.reference import clebsch_gordan, real_clebsch_gordan, wigner_3j
from o3ref.reference.tables import read_table, table_rows, verify_manifest, write_tables
from o3ref.verify.cli import main

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "tables"


def test_golden_tables_are_reproduced_byte_for_byte(tmp_path):
    manifest = json.loads((GOLDEN / "manifest.json").read_text())
    kinds = sorted({e["kind"] for e in manifest["files"].values()})
    formats = sorted({e["format"] for e in manifest["files"].values()})
    (l_max,) = {e["l_max"] for e in manifest["files"].values()}
    assert set(kinds) == {"cg", "3j", "real-cg"} and {"json", "csv"} <= set(formats)
    write_tables(tmp_path, ["cg", "3j", "real-cg"], l_max, ["json", "csv"])
    for name in list(manifest["files"]) + ["manifest.json"]:
        assert (tmp_path / name).read_bytes() == (GOLDEN / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        list(manifest["files"]) + ["manifest.json"]
    )  # and no temporary files left behind
    assert verify_manifest(GOLDEN) == {n: e["sha256"] for n, e in manifest["files"].items()}


def test_golden_values_against_independent_oracles():
    from sympy.physics import wigner as sympy_wigner

    rows = read_table(GOLDEN / "cg_lmax4.csv")["rows"]
    for row in rows[::37]:  # a spread sample; the full equality with sympy is in test_ref_cg
        l1, m1, l2, m2, L, M, sign, p, q, exact, value = row
        expected = sympy_wigner.clebsch_gordan(l1, l2, L, m1, m2, M)
        assert sympy.sympify(exact) == expected == sign * sympy.sqrt(sympy.Rational(p, q))
        with mpmath.workdps(40):
            assert value == float(mpmath.mpf(sign) * mpmath.sqrt(mpmath.mpf(p) / q))
    rows = read_table(GOLDEN / "3j_lmax4.json")["rows"]
    assert len(rows) == len(read_table(GOLDEN / "cg_lmax4.json")["rows"])  # same selection
    for row in rows[::41]:
        l1, l2, l3, m1, m2, m3, sign, p, q, exact = row[:10]
        expected = sympy_wigner.wigner_3j(l1, l2, l3, m1, m2, m3)
        assert sympy.sympify(exact) == expected == sign * sympy.sqrt(sympy.Rational(p, q))
    # real CG: the squares of each (l1, l2, L) array add up to 2L+1 (orthonormal columns)
    totals = {}
    for row in read_table(GOLDEN / "real-cg_lmax4.csv")["rows"]:
        totals[row[:3]] = totals.get(row[:3], 0) + sympy.Rational(row[7], row[8])
    assert totals and all(total == 2 * key[2] + 1 for key, total in totals.items())


def test_all_formats_agree_with_the_public_functions(tmp_path):
    write_tables(tmp_path, ["cg", "3j", "real-cg"], 2, ["json", "csv", "npz"])
    for kind in ("cg", "3j", "real-cg"):
        tables = [read_table(tmp_path / f"{kind}_lmax2.{fmt}") for fmt in ("json", "csv", "npz")]
        assert tables[0]["rows"] == tables[1]["rows"] == tables[2]["rows"]
        assert tables[0]["rows"] == table_rows(kind, 2)
        for row in tables[0]["rows"]:
            if kind == "cg":
                value = clebsch_gordan(*row[:6])
            elif kind == "3j":
                value = wigner_3j(*row[:6])
            else:
                l1, l2, L, m1, m2, M = row[:6]
                value = real_clebsch_gordan(l1, l2, L)[m1 + l1, m2 + l2, M + L].to_sympy()
            assert value == sympy.sympify(row[9]) != 0


def test_npz_is_deterministic_and_loads_with_numpy(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_tables(a, ["real-cg"], 3, ["npz"])
    write_tables(b, ["real-cg"], 3, ["npz"])
    data = (a / "real-cg_lmax3.npz").read_bytes()
    assert data == (b / "real-cg_lmax3.npz").read_bytes()
    with np.load(a / "real-cg_lmax3.npz", allow_pickle=False) as npz:
        assert npz["indices"].shape == (len(npz["value"]), 6)
        assert npz["exact"][0] == b"1" and npz["value"].dtype == np.float64


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


def test_refuses_to_overwrite_without_force(tmp_path):
    write_tables(tmp_path, ["cg"], 1, ["csv"])
    before = (tmp_path / "cg_lmax1.csv").read_bytes()
    with pytest.raises(FileExistsError, match=r"cg_lmax1.csv.*pass --force to overwrite"):
        write_tables(tmp_path, ["cg"], 1, ["csv"])
    write_tables(tmp_path, ["cg"], 1, ["csv"], force=True)
    assert (tmp_path / "cg_lmax1.csv").read_bytes() == before


def test_later_tables_join_the_manifest(tmp_path):
    write_tables(tmp_path, ["cg"], 1, ["csv"])
    write_tables(tmp_path, ["real-cg"], 1, ["json"])  # a new table: no --force needed
    assert set(verify_manifest(tmp_path)) == {"cg_lmax1.csv", "real-cg_lmax1.json"}
    assert read_table(tmp_path / "cg_lmax1.csv")["rows"] == table_rows("cg", 1)
    (tmp_path / "manifest.json").write_text("not json")
    with pytest.raises(ValueError, match=r"manifest.json is not a manifest of o3ref tables"):
        write_tables(tmp_path, ["3j"], 1, ["csv"])
    write_tables(tmp_path, ["3j"], 1, ["csv"], force=True)
    assert set(verify_manifest(tmp_path)) == {"3j_lmax1.csv"}


def test_command_line(tmp_path, capsys):
    out = tmp_path / "tables"
    argv = ["tables", "--kind", "cg", "real-cg", "--l-max", "2", "--format", "csv", "npz"]
    assert main(argv + ["--out", str(out)]) == 0
    printed = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert f"{name}  rows={entry['rows']}" in printed and entry["sha256"] in printed
    assert main(argv + ["--out", str(out)]) == 2
    assert "pass --force to overwrite" in capsys.readouterr().err
    assert main(argv + ["--out", str(out), "--force"]) == 0
    assert main(["tables", "--kind", "cg", "--l-max", "-1", "--out", str(out)]) == 2
    assert "--l-max=-1 must be a non-negative integer" in capsys.readouterr().err
    below_a_file = out / "manifest.json" / "sub"
    assert main(["tables", "--kind", "cg", "--l-max", "1", "--out", str(below_a_file)]) == 2
    assert f"cannot write to --out={below_a_file}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tables", "--kind", "cg", "--l-max", "x", "--out", str(out)])
    assert "argument --l-max: invalid int value: 'x'" in capsys.readouterr().err


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"kind='dense' must be one of cg, 3j, real-cg"):
        write_tables(tmp_path, ["dense"], 1, ["csv"])
    with pytest.raises(ValueError, match=r"format='xml' must be one of json, csv, npz"):
        write_tables(tmp_path, ["cg"], 1, ["xml"])
    with pytest.raises(FileNotFoundError, match=r"manifest.json not found"):
        read_table(tmp_path / "cg_lmax1.csv")
