"""The JSON schema of o3ref's reports (``--json`` of ``verify``, ``verify --profile``,
``bench``; designed to carry ``survey`` and ``check-model`` as well).

Every report is one JSON object with a common envelope (JSON Schema draft 2020-12,
:data:`REPORT_SCHEMA`):

- ``"schema"``: ``"o3ref-report/1"`` (this document; a later incompatible change bumps it);
- ``"kind"``: which command wrote it (``"verify"``, ``"profile"``, ``"bench"``, ...);
- ``"provenance"``: :func:`o3ref.verify.provenance.provenance` (o3ref's version, Python,
  platform, numpy, BLAS, thread variables, the versions of the libraries involved, the UTC
  time);
- ``"under_test"``: ``{"name", "version"}`` of the implementation that was checked or timed
  (``"o3ref.fast"`` and o3ref's version when no other library was named);
- ``"passed"``: the verdict of the whole report (``null`` where there is nothing to judge);
- ``"rows"``: one object per table row, described per kind in :data:`KIND_SCHEMAS`.

Tolerances are numbers (``abs_tol``, ``rel_tol``, ``diff_tol``); the policy that produced
them is text in a separate field (``tolerance_policy``, ``diff_policy``). Another command
adds its own kind by adding an entry to :data:`KIND_SCHEMAS` (the envelope is shared);
:func:`report_schema` assembles the whole schema.

>>> envelope("verify", {"name": "o3ref.fast", "version": None})["schema"]
'o3ref-report/1'
"""

from __future__ import annotations

import copy

from ..provenance import provenance

__all__ = ["KIND_SCHEMAS", "PROVENANCE_SCHEMA", "REPORT_SCHEMA", "SCHEMA_ID", "envelope",
           "report_schema", "validate_report"]

SCHEMA_ID = "o3ref-report/1"

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_STRING_OR_NULL = {"type": ["string", "null"]}

PROVENANCE_SCHEMA: dict = {
    "type": "object",
    "description": "o3ref.verify.provenance.provenance(): where the numbers come from",
    "required": ["o3ref", "python", "platform", "machine", "numpy", "blas",
                 "blas_threads_env", "libraries", "timestamp"],
    "properties": {
        "o3ref": {**_STRING_OR_NULL, "description": "installed o3ref version"},
        "python": {"type": "string"},
        "platform": {"type": "string"},
        "machine": {"type": "string"},
        "numpy": {"type": "string"},
        "blas": {"type": "object", "description": "BLAS numpy was built with / has loaded"},
        "blas_threads_env": {"type": "object", "additionalProperties": {"type": "string"}},
        "libraries": {
            "type": "object", "additionalProperties": _STRING_OR_NULL,
            "description": "distribution name -> installed version (null: not installed); "
            "always includes the library under test",
        },
        "timestamp": {"type": "string", "description": "ISO 8601, UTC"},
    },
}

_UNDER_TEST = {
    "type": "object", "required": ["name", "version"],
    "properties": {"name": {"type": "string"}, "version": _STRING_OR_NULL},
    "description": "the implementation checked or timed: o3ref.fast or an adapter's library",
}

_VERIFY_ROW = {
    "type": "object",
    "required": ["quantity", "l_range", "cases", "status", "verdict_on", "max_abs_err",
                 "abs_tol", "max_rel_err", "rel_tol", "err_over_tol", "tolerance_policy",
                 "worst", "seconds"],
    "properties": {
        "quantity": {"type": "string"},
        "l_range": {"type": "string"},
        "cases": {"type": "integer", "minimum": 0},
        "status": {"enum": ["pass", "FAIL", "missing", "error"]},
        "verdict_on": {
            "enum": ["abs", "rel", "abs+rel", None],
            "description": "which error the verdict compares with which tolerance: 'abs' "
            "(max_abs_err vs abs_tol), 'rel' (max_rel_err vs rel_tol), 'abs+rel' (each "
            "entry within abs_tol + rel_tol |expected|); null when nothing was compared",
        },
        "max_abs_err": {**_NUMBER_OR_NULL,
                        "description": "largest |actual - expected| in the worst case"},
        "abs_tol": {**_NUMBER_OR_NULL, "description": "absolute tolerance of the worst case"},
        "max_rel_err": {**_NUMBER_OR_NULL, "description": "largest relative error over all "
                        "cases (entries above 1e-6 of the largest); judged only when "
                        "verdict_on involves 'rel'"},
        "rel_tol": {**_NUMBER_OR_NULL, "description": "relative tolerance (null: not used)"},
        "err_over_tol": {**_NUMBER_OR_NULL, "description": "largest error/tolerance ratio "
                         "over the cases: the row passes when it is <= 1"},
        "tolerance_policy": {"type": "string", "description": "the policy's formula "
                             "(o3ref.verify.tolerances)"},
        "worst": {"type": "string", "description": "the case with the largest error / "
                  "tolerance ratio and its worst entry (named indices, got, expected); for "
                  "'missing' and 'error' rows, the reason"},
        "seconds": {"type": "number", "minimum": 0},
    },
}

_PROFILE_ROW = {
    "type": "object",
    "required": ["quantity", "l", "max_abs_err", "abs_tol", "max_rel_err", "passed",
                 "tolerance_policy"],
    "properties": {
        "quantity": {"enum": ["sh", "wigner_d", "cg"]},
        "l": {"type": "integer", "minimum": 0},
        "max_abs_err": _NUMBER_OR_NULL,
        "abs_tol": _NUMBER_OR_NULL,
        "max_rel_err": {**_NUMBER_OR_NULL, "description": "for information: not judged"},
        "passed": {"type": "boolean"},
        "tolerance_policy": {"type": "string"},
        "error": {"type": "string", "description": "present when this degree raised"},
    },
}

_BENCH_ROW = {
    "type": "object",
    "required": ["case", "ours_min_ms", "ours_median_ms", "other", "other_version",
                 "other_min_ms", "other_median_ms", "ratio", "goal", "goal_note", "max_diff",
                 "diff_tol", "diff_kind", "diff_policy", "diff_ok"],
    "properties": {
        "case": {"type": "string"},
        "ours_min_ms": {"type": "number"},
        "ours_median_ms": {"type": "number"},
        "other": {"type": "string"},
        "other_version": _STRING_OR_NULL,
        "other_min_ms": _NUMBER_OR_NULL,
        "other_median_ms": _NUMBER_OR_NULL,
        "ratio": {**_NUMBER_OR_NULL, "description": "ours_min_ms / other_min_ms"},
        "goal": {**_NUMBER_OR_NULL, "description": "the ratio to reach (<=)"},
        "goal_note": {**_STRING_OR_NULL, "description": "why there is no goal (e.g. quick "
                      "sizes), or null"},
        "max_diff": {**_NUMBER_OR_NULL, "description": "largest difference between the "
                     "two results (null: the other library is missing)"},
        "diff_tol": {**_NUMBER_OR_NULL, "description": "the tolerance max_diff is judged "
                     "by, same kind as max_diff"},
        "diff_kind": {"type": "string", "description": "what max_diff measures, e.g. "
                      "'abs' or 'abs / max|other|'"},
        "diff_policy": {"type": "string", "description": "where diff_tol comes from"},
        "diff_ok": {"type": ["boolean", "null"], "description": "max_diff <= diff_tol"},
    },
}

#: kind -> schema of the kind-specific fields (the envelope's fields are shared)
KIND_SCHEMAS: dict[str, dict] = {
    "verify": {
        "required": ["mode", "rows"],
        "properties": {"mode": {"enum": ["quick", "full"]},
                       "rows": {"type": "array", "items": _VERIFY_ROW}},
    },
    "profile": {
        "required": ["mode", "degrees", "rows"],
        "properties": {"mode": {"enum": ["quick", "full"]},
                       "degrees": {"type": "object",
                                   "additionalProperties": {"type": "array",
                                                            "items": {"type": "integer"}}},
                       "rows": {"type": "array", "items": _PROFILE_ROW}},
    },
    "bench": {
        "required": ["threads", "thread_env", "rounds", "quick", "rows"],
        "properties": {"threads": {"type": "integer", "minimum": 1},
                       "thread_env": {"type": "object",
                                      "additionalProperties": _STRING_OR_NULL},
                       "rounds": {"type": "integer", "minimum": 1},
                       "quick": {"type": "boolean"},
                       "rows": {"type": "array", "items": _BENCH_ROW}},
    },
}

_SURVEY_ROW = {
    "type": "object",
    "required": ["library", "version", "block", "convention", "dtype", "l_max", "errors",
                 "tolerances", "status", "notes", "seconds", "max_error"],
    "properties": {
        "library": {"type": "string", "description": "adapter name, or 'o3ref' (its layer)"},
        "version": {"type": "string"},
        "block": {"type": "string", "description": "building block ('SH', 'CG', ...) or "
                  "'layer: <product>'"},
        "convention": {"type": "string", "description": "the convention the detector names "
                       "(layers: the normalisation(s) that explain the scalars)"},
        "dtype": {"type": "string"},
        "l_max": {"type": "integer", "minimum": 0},
        "errors": {"type": "array", "items": _NUMBER_OR_NULL, "description": "per l: the "
                   "largest error after the map (layers: the largest residual of a block "
                   "whose max(l1, l2, L) is l); null: not finite"},
        "tolerances": {"type": "array", "items": _NUMBER_OR_NULL,
                       "description": "per l: the policy at the dtype"},
        "status": {"enum": ["pass", "FAIL", "error"]},
        "notes": {"type": "array", "items": {"type": "string"}},
        "seconds": {"type": "number", "minimum": 0},
        "max_error": _NUMBER_OR_NULL,
    },
}

# ``o3ref survey --json``: one row per library x block (and per layer product)
KIND_SCHEMAS["survey"] = {
    "required": ["l_max", "seconds", "not_installed", "rows"],
    "properties": {"l_max": {"type": "object",
                             "additionalProperties": {"type": "integer", "minimum": 0}},
                   "seconds": {"type": "number", "minimum": 0},
                   "not_installed": {"type": "object",
                                     "additionalProperties": {"type": "string"}},
                   "rows": {"type": "array", "items": _SURVEY_ROW}},
}


# ``o3ref check-model --json``: one row per check, property and frame
_MODEL_ROW = {
    "type": "object",
    "required": ["check", "slug", "property", "error", "tolerance", "status", "diagnosis"],
    "properties": {
        "check": {"type": "string", "description": "the check, in words"},
        "slug": {"type": "string", "description": "its name on the command line (--checks)"},
        "property": {"type": "string"},
        "frame": {"type": "integer", "minimum": 0},
        "error": _NUMBER_OR_NULL,
        "tolerance": _NUMBER_OR_NULL,
        "status": {"enum": ["pass", "fail", "precision", "error", "skipped"]},
        "diagnosis": {"type": "string"},
        "worst": {"type": "string", "description": "the operation of the largest error"},
    },
}
KIND_SCHEMAS["check-model"] = {
    "required": ["calculator", "structures", "dtype", "policy", "summary", "rows"],
    "properties": {"calculator": {"type": "string"}, "structures": {"type": "string"},
                   "dtype": {"type": "string"}, "observed_dtype": {"type": "string"},
                   "policy": {"type": "string"}, "summary": {"type": "string"},
                   "rows": {"type": "array", "items": _MODEL_ROW}},
}

def report_schema() -> dict:
    """The whole schema: the envelope, and for each kind of :data:`KIND_SCHEMAS` its fields."""
    kinds = sorted(KIND_SCHEMAS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://o3ref/report-1.schema.json",
        "title": "o3ref report",
        "type": "object",
        "required": ["schema", "kind", "provenance", "under_test", "passed"],
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "kind": {"type": "string", "description": f"one of {', '.join(kinds)}"},
            "provenance": PROVENANCE_SCHEMA,
            "under_test": _UNDER_TEST,
            "passed": {"type": ["boolean", "null"]},
        },
        "allOf": [
            {"if": {"properties": {"kind": {"const": kind}}},
             "then": copy.deepcopy(KIND_SCHEMAS[kind])}
            for kind in kinds
        ],
    }


#: the schema as assembled when this module was imported (see :func:`report_schema`)
REPORT_SCHEMA: dict = report_schema()


def envelope(kind: str, under_test: dict, libraries: dict | None = None) -> dict:
    """The shared fields of a report of ``kind``; ``under_test`` is ``{"name", "version"}``
    and its library is added to the provenance's ``libraries`` (with ``libraries``)."""
    libs = dict(libraries or {})
    if under_test.get("name") and under_test["name"] != "o3ref.fast":
        libs.setdefault(under_test["name"], under_test.get("version"))
    return {"schema": SCHEMA_ID, "kind": kind, "provenance": provenance(libs),
            "under_test": dict(under_test), "passed": None}


def validate_report(report: dict) -> None:
    """Raise ``jsonschema.ValidationError`` when ``report`` does not follow the schema
    (needs the ``jsonschema`` package)."""
    try:
        import jsonschema
    except ImportError as exc:  # pragma: no cover - jsonschema is in the test extra
        raise ImportError("validate_report needs jsonschema: pip install jsonschema") from exc
    jsonschema.Draft202012Validator(report_schema()).validate(report)
