"""Reports over many checks: the survey of installed libraries (:mod:`.survey`), the error
profile against ``l`` (:mod:`.error_profile`), the benchmarks of ``o3ref bench``
(:mod:`.bench`, :mod:`.bench_cases`) and the JSON report schema (:mod:`.schema`).

May import the verify root, conventions, adapters, conformance and models.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from .error_profile import profile_errors, run_profile, write_outputs
from .schema import envelope, report_schema, validate_report
from .survey import SurveyRow, format_markdown, run_survey

__all__ = ["SurveyRow", "envelope", "format_markdown", "profile_errors", "report_schema",
           "run_profile", "run_survey", "validate_report", "write_outputs"]
