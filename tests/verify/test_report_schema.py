"""The JSON report schema (``o3ref.verify.reports.schema``): a valid draft 2020-12 schema;
verify reports follow it with their provenance; it refuses what it documents as wrong; other
kinds (survey, check-model) reuse the envelope."""

from __future__ import annotations

import copy
import json
from importlib.metadata import version
from pathlib import Path

import jsonschema
import pytest

from o3ref import fast
from o3ref.verify.cli import main
from o3ref.verify.conformance import suite
from o3ref.verify.provenance import PROVENANCE_KEYS
from o3ref.verify.reports import schema as report_schema
from o3ref.verify.reports.schema import REPORT_SCHEMA, envelope, validate_report


@pytest.fixture(scope="module")
def verify_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "verify.json"
    mp = pytest.MonkeyPatch()
    mp.setattr(suite, "fast_implementations", lambda: {"cg": fast.real_clebsch_gordan})
    try:
        assert main(["verify", "--quick", "--quiet", "--json", str(path)]) == 0
    finally:
        mp.undo()
    return json.loads(path.read_text())


def test_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    assert REPORT_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(report_schema.PROVENANCE_SCHEMA["required"]) == set(PROVENANCE_KEYS)


def test_verify_report_follows_the_schema(verify_report):
    validate_report(verify_report)
    assert verify_report["schema"] == "o3ref-report/1" and verify_report["kind"] == "verify"
    prov = verify_report["provenance"]
    assert prov["o3ref"] == version("o3ref")
    assert verify_report["under_test"] == {"name": "o3ref.fast", "version": version("o3ref")}
    assert prov["libraries"]["sympy"] == version("sympy")  # the oracle's version
    (row,) = [r for r in verify_report["rows"] if r["status"] == "pass"]
    assert isinstance(row["abs_tol"], float) and row["tolerance_policy"] == "16(2l+1) eps"
    assert row["worst"].startswith("(l1, l2, L) = ")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: r["rows"][0].update(abs_tol="<= 1.4e-13"),  # tolerances are numbers
        lambda r: r.pop("provenance"),
        lambda r: r["provenance"].pop("timestamp"),
        lambda r: r.update(schema="o3ref-report/0"),
        lambda r: r["rows"][0].update(status="ok"),
        lambda r: r["under_test"].pop("version"),
    ],
)
def test_schema_refuses_spoiled_reports(verify_report, spoil):
    report = copy.deepcopy(verify_report)
    spoil(report)
    with pytest.raises(jsonschema.ValidationError):
        validate_report(report)


def test_other_kinds_reuse_the_envelope(monkeypatch):
    report = envelope("a-new-kind", {"name": "every installed library", "version": None},
                      {"numpy": None})
    validate_report(report)  # no kind-specific part yet: the envelope alone
    monkeypatch.setitem(report_schema.KIND_SCHEMAS, "a-new-kind", {"required": ["rows"]})
    with pytest.raises(jsonschema.ValidationError, match="'rows' is a required property"):
        validate_report(report)
    validate_report({**report, "rows": []})


def test_the_reports_guide_documents_the_schema():
    guide = Path(__file__).parents[2] / "verify" / "_o3ref" / "guides" / "reports.md"
    section = guide.read_text(encoding="utf-8")
    assert "o3ref-report/1" in section
    for kind in report_schema.KIND_SCHEMAS:
        assert f'"{kind}"' in section
    for field in ("provenance", "under_test", "abs_tol", "err_over_tol", "worst", "diff_tol",
                  "goal_note"):
        assert field in section
