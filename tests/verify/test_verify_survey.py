"""``o3ref survey``: one row per installed library x building block, with the convention the
detector names and the error per l after the map; Markdown, JSON with provenance, quiet."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from o3ref.verify.cli import main


def _fast_sh(l_max, xyz):
    from o3ref import fast

    return fast.SphericalHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64))


def _flipped_sh(l_max, xyz):
    out = _fast_sh(l_max, xyz)
    out[:, 2 * 2 + 2 - 1] *= -1  # l = 2, m = -1
    return out


def _adapter(sh):
    return SimpleNamespace(implementations=lambda: {"sh": sh}, MAX_L={"sh": 3},
                           DISTRIBUTIONS=("numpy",), CONVENTIONS={"sh": "o3ref"},
                           natives=lambda: {"sh": (sh, None)})


def _missing():
    raise ImportError("this o3ref adapter needs the optional package 'nolib', which is not "
                      "installed: pip install nolib")


@pytest.fixture
def registered(monkeypatch):
    from o3ref.verify.adapters import registry

    class EntryPoint:
        def __init__(self, name, obj):
            self.name, self.value, self.obj = name, f"pkg:{name}", obj

        def load(self):
            return self.obj

    eps = {"good": EntryPoint("good", _adapter(_fast_sh)),
           "flipped": EntryPoint("flipped", _adapter(_flipped_sh)),
           "absent": EntryPoint("absent", SimpleNamespace(implementations=_missing))}
    monkeypatch.setattr(registry, "_entry_points", lambda: eps)


def test_survey_row_json_and_provenance(registered, tmp_path, capsys):
    from o3ref.verify.provenance import PROVENANCE_KEYS

    out_json, out_md = tmp_path / "s.json", tmp_path / "s.md"
    assert main(["survey", "--only", "good", "--quiet", "--json", str(out_json),
                 "--markdown", str(out_md)]) == 0
    cap = capsys.readouterr()
    row = [line for line in cap.out.splitlines() if line.startswith("| good |")]
    assert len(row) == 1
    cells = [c.strip() for c in row[0].strip("|").split("|")]
    assert cells[2:5] == ["SH", "o3ref", "0..3"] and cells[7:9] == ["float64", "pass"]
    assert "l capped at the library's maximum 3" in cells[9]
    assert "o3ref survey:" not in cap.err  # --quiet: no progress
    data = json.loads(out_json.read_text())
    assert set(data["provenance"]) == set(PROVENANCE_KEYS)
    (r,) = data["rows"]
    assert len(r["errors"]) == 4
    assert all(e <= t for e, t in zip(r["errors"], r["tolerances"], strict=True))
    assert out_md.read_text().strip() == cap.out.split("\n\n")[0].strip()


def test_survey_names_no_convention_for_a_sign_flip(registered, capsys):
    assert main(["survey", "--only", "flipped", "--quiet"]) == 0
    row = [line for line in capsys.readouterr().out.splitlines()
           if line.startswith("| flipped |")][0]
    assert "| FAIL |" in row and "above the float64 policy at l = 2" in row
    assert "detector names no known convention (first differs at l = 2, m = -1)" in row
    assert main(["survey", "--only", "flipped", "--quiet", "--strict"]) == 1


def test_survey_lists_missing_libraries_and_rejects_unknown_names(registered, capsys):
    assert main(["survey", "--only", "absent", "--quiet"]) == 0
    assert "Not installed: absent (`pip install nolib`)" in capsys.readouterr().out
    assert main(["survey", "--only", "nosuch", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "adapter name='nosuch' must be one of" in err
    assert main(["survey", "--l-max", "0", "--quiet"]) == 2


def test_survey_progress_lines(registered, capsys):
    assert main(["survey", "--only", "good", "--l-max", "2"]) == 0
    err = capsys.readouterr().err
    assert "o3ref survey: 0 good" in err and "done" in err


def test_survey_of_sphericart():
    pytest.importorskip("sphericart")
    from o3ref.verify.reports.survey import run_survey

    rows, missing = run_survey(["sphericart"], l_max={"sh": 4, "sh_gradient": 3})
    assert not missing
    by_block = {r.block: r for r in rows}
    assert by_block["SH"].convention == "o3ref" and by_block["SH"].status == "pass"
    assert by_block["SH gradients"].status == "pass" and len(by_block["SH gradients"].errors) == 4


def test_survey_of_escnn():
    """escnn's native conventions are named by the detector; its harmonics are judged at the
    float32 policy it declares (float32 change-of-basis buffers), D and CG at float64."""
    pytest.importorskip("escnn")
    from o3ref.verify.reports.survey import run_survey

    rows, missing = run_survey(["escnn"], blocks=["sh", "wigner_d", "cg"],
                               l_max={"sh": 4, "wigner_d": 3, "cg": 2})
    assert not missing
    by_block = {r.block: r for r in rows}
    assert by_block["SH"].convention == "escnn harmonic polynomials"
    assert by_block["SH"].dtype == "float32"
    assert by_block["Wigner D"].convention == "quaternion scalar last"
    assert by_block["CG"].convention == "o3ref" and by_block["CG"].dtype == "float64"
    assert all(r.status == "pass" for r in rows), [(r.block, r.notes) for r in rows]
