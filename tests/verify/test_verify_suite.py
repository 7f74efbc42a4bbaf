"""``o3ref verify``: the quick suite passes on o3ref.fast, an injected failure gives a
non-zero exit, --json / --against / --profile do what they say."""

from __future__ import annotations

import json

import numpy as np
import pytest

from o3ref import fast
from o3ref.verify.cli import main
from o3ref.verify.conformance import suite

ALL_QUANTITIES = {
    "spherical harmonics", "SH gradients (x|r|)", "Wigner D (real)", "Clebsch-Gordan (complex)",
    "real Clebsch-Gordan", "Cartesian rank 2 -> L = 0, 1, 2", "radial integrals (closed form)",
    "radial integrals (spline)", "spherical expansion", "ACDC nu = 2 (lambda-SOAP)",
    "ridge weights",
}


def test_quick_passes_on_fast(tmp_path, capsys):
    out = tmp_path / "table.json"
    assert main(["verify", "--quick", "--json", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "quantity" in text and "max abs err" in text and "FAIL" not in text
    table = json.loads(out.read_text())
    assert table["passed"] is True and table["mode"] == "quick" and table["kind"] == "verify"
    assert {r["quantity"] for r in table["rows"]} == ALL_QUANTITIES
    for row in table["rows"]:
        assert row["status"] == "pass", row
        assert row["cases"] > 0 and row["max_abs_err"] is not None
        assert row["max_abs_err"] <= row["abs_tol"]  # every check here judges absolutely


class _FlippedSH:
    """o3ref.fast.SphericalHarmonics with the sign of (l, m) = (3, 1) flipped."""

    def __init__(self, l_max):
        self._inner = _ORIGINAL_SH(l_max)

    def compute(self, xyz):
        values = np.array(self._inner.compute(xyz))
        if values.shape[1] > 13:
            values[:, 13] *= -1
        return values

    def compute_with_gradients(self, xyz):
        return self._inner.compute_with_gradients(xyz)


_ORIGINAL_SH = getattr(fast, "SphericalHarmonics", None)


def test_injected_failure_exits_non_zero(monkeypatch, capsys):
    monkeypatch.setattr(fast, "SphericalHarmonics", _FlippedSH)
    assert main(["verify", "--quick", "--no-progress"]) == 1
    text = capsys.readouterr().out
    assert "FAIL: spherical harmonics: l = 3" in text
    assert "FAILED: spherical harmonics" in text


def test_crashing_implementation_is_an_error(monkeypatch):
    def broken(l1, l2, L):
        raise RuntimeError("boom")

    rows = suite.run_suite("quick", {"cg": broken, "ridge": suite.fast_implementations()["ridge"]},
                           progress=False)
    by_name = {r.quantity: r for r in rows}
    assert by_name["real Clebsch-Gordan"].status == "error"
    assert "RuntimeError: boom" in by_name["real Clebsch-Gordan"].worst
    assert by_name["ridge weights"].status == "pass"
    assert by_name["spherical harmonics"].status == "missing"  # never counted as a pass
    assert not by_name["spherical harmonics"].failed


def test_against_sphericart(capsys):
    pytest.importorskip("sphericart")
    assert main(["verify", "--against", "sphericart", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "sphericart vs exact reference" in text and "SH gradients" in text


def test_against_unknown_library(capsys):
    assert main(["verify", "--against", "numpy"]) == 2
    assert "adapter name='numpy' must be one of sphericart" in capsys.readouterr().err


def test_against_empty_name_is_an_error(capsys):
    assert main(["verify", "--against", ""]) == 2
    assert "--against='' must name an adapter" in capsys.readouterr().err


def test_against_missing_library(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # torch "not installed"
    assert main(["verify", "--against", "e3nn", "--no-progress"]) == 2
    assert "pip install torch e3nn" in capsys.readouterr().err


def test_progress_is_plain_text_off_a_terminal(capsys):
    suite.run_suite("quick", {"cg": fast.real_clebsch_gordan})
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "o3ref verify --quick: 0/1 real Clebsch-Gordan"
    assert lines[-1] == "o3ref verify --quick: 1/1 done"


def test_table_format():
    rows = [suite.Row("x", "0..2", 3, 1e-16, 2e-15, "pass", err_over_tol=0.05,
                      tolerance_policy="t"),
            suite.Row("y", "-", 0, None, None, "missing", "no implementation for 'y'",
                      verdict_on=None)]
    text = suite.format_table(rows)
    assert text.splitlines()[0].split("  ")[:5] == ["quantity", "l range", "cases",
                                                   "max abs err", "abs tol"]
    assert text.splitlines()[2].split() == ["x", "0..2", "3", "1.00e-16", "2.00e-15", "0.05",
                                            "pass", "t"]
    assert "missing: y: no implementation for 'y'" in text


def test_profile_writes_csv_and_png(tmp_path, monkeypatch, capsys):
    from o3ref.verify.reports import error_profile as profile

    monkeypatch.setattr(profile, "PROFILE_DEGREES",
                        {"quick": {"sh": list(range(9)), "wigner_d": [0, 1, 4], "cg": [1, 3]}})
    assert main(["verify", "--profile", "--out", str(tmp_path), "--no-progress"]) == 0
    lines = (tmp_path / "profile.csv").read_text().splitlines()
    assert lines[0] == "quantity,l,max_abs_err,abs_tol,passed,max_rel_err,tolerance_policy"
    assert len(lines) == 1 + 9 + 3 + 2
    first = lines[1].split(",")
    assert first[:2] == ["sh", "0"] and float(first[2]) <= float(first[3])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert not (tmp_path / "profile.png").exists()
    else:
        assert (tmp_path / "profile.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in capsys.readouterr().out


def test_unwritable_json_is_an_error(monkeypatch, tmp_path, capsys):
    rows = [suite.Row("x", "0..2", 3, 1e-16, 2e-15, "pass")]
    monkeypatch.setattr(suite, "run_suite", lambda *args, **kwargs: rows)
    target = tmp_path / "missing-folder" / "t.json"
    assert main(["verify", "--quick", "--json", str(target), "--no-progress"]) == 2
    assert f"--json={target}: the folder {target.parent} does not exist" in \
        capsys.readouterr().err
