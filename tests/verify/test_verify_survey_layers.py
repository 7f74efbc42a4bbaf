"""``o3ref survey``'s layer rows: o3ref's own NumPy product is always surveyed and named
plain CG; a product with a spoiled path fails, and one with other scalars is named for what
they are; ``--json`` follows the report schema (kind ``"survey"``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from o3ref.verify.cli import main
from o3ref.verify.report_schema import validate_report
from o3ref.verify.reports import _measure_layers
from o3ref.verify.reports.survey import run_survey, survey_layers


def _row(out: str, library: str) -> list[str]:
    lines = [line for line in out.splitlines() if line.startswith(f"| {library} |")]
    assert len(lines) == 1, out
    return [c.strip() for c in lines[0].strip("|").split("|")]


def test_o3ref_layer_row_is_named_and_passes(tmp_path, capsys):
    path = tmp_path / "s.json"
    assert main(["survey", "--only", "o3ref", "--quiet", "--json", str(path)]) == 0
    cells = _row(capsys.readouterr().out, "o3ref")
    assert cells[2].startswith("layer: ") and cells[3] == "plain CG (o3ref)"
    assert cells[4] == "0..3" and cells[7:9] == ["float64", "pass"]
    report = json.loads(path.read_text())
    validate_report(report)
    assert report["kind"] == "survey" and report["passed"] is True
    assert report["under_test"]["name"] == "o3ref"
    (row,) = report["rows"]
    assert len(row["errors"]) == 4 and all(
        e <= t for e, t in zip(row["errors"], row["tolerances"], strict=True))


def _case(scale_path: float = 1.0, spoil: bool = False):
    """o3ref's product with the 1o x 1o -> 1e path scaled, or replaced by a non-CG block."""
    (case,) = _measure_layers._o3ref_cases()
    inner = case.f
    dims = [1, 1, 3]  # 2x0e+1o: the 1o copy is entries 2..4
    start = sum(dims[:2])

    def f(x1, x2):
        y = inner(x1, x2)
        # out: 0e 1o 2e | 0e 1o 2e | 1o 0e 1e 2e 1o 2o 3o; 1o x 1o -> 1e at 22..24
        a, b = np.asarray(x1)[:, start:start + 3], np.asarray(x2)[:, 1:4]
        if spoil:
            y[:, 22:25] += 0.5 * a * b  # elementwise: not equivariant
        else:
            y[:, 22:25] *= scale_path
        return y

    case.f = f
    return case


@pytest.fixture
def spoiled(monkeypatch):
    def make(**kw):
        monkeypatch.setitem(_measure_layers.LAYER_CASES, "o3ref", lambda: [_case(**kw)])
    return make


def test_a_scaled_path_is_named_no_convention(spoiled):
    spoiled(scale_path=-1.0)
    (row,) = survey_layers("o3ref")
    assert row.status == "pass"  # still CG multiples: the residuals pass
    assert row.convention.startswith("none named (closest plain CG (o3ref), deviates on 1 ")
    assert "in1[2]=1o x in2[1]=1o -> out[" in row.notes[0]


def test_a_non_cg_block_fails_at_its_l(spoiled, capsys):
    spoiled(spoil=True)
    (row,) = survey_layers("o3ref")
    assert row.status == "FAIL" and row.errors[1] > row.tolerances[1]
    assert all(e <= t for e, t in zip(row.errors[2:], row.tolerances[2:], strict=True))
    assert any("blocks not CG multiples" in n for n in row.notes)
    assert main(["survey", "--only", "o3ref", "--quiet", "--strict"]) == 1


def test_layers_can_be_left_out_and_missing_libraries_are_listed(monkeypatch):
    rows, _ = run_survey(["o3ref"], blocks=["sh"])
    assert rows == []

    def absent():
        raise ImportError("no torch", name="torch")

    monkeypatch.setitem(_measure_layers.LAYER_CASES, "scipy", absent)
    rows, missing = run_survey(["scipy"], l_max={"sh": 2})
    assert [r.block for r in rows] == ["SH"] and missing == {"scipy layers": "torch"}
