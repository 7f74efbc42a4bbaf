"""Benchmark: ``o3ref check-model`` with every check on a 64-atom periodic EMT cell.

Goal: under 30 s on the project's 2-core machine (one thread). The benchmark checks its own
result: every check ran, on every property EMT implements, and passed.

Run: ``python -m pytest --bench tests/benchmarks/test_check_model.py --benchmark-only``.
"""

from __future__ import annotations

import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from o3ref.verify.models import check_model
from o3ref.verify.models.checks import CHECKS

GOAL_S = 30.0


def _cell():
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat((2, 2, 4))  # 64 atoms
    atoms.numbers[::4] = 13
    atoms.rattle(0.05, seed=3)
    return atoms


@pytest.mark.benchmark(group=f"check-model, 64-atom EMT cell, all checks (goal: < {GOAL_S:g} s)")
def test_check_model_emt_64(benchmark):
    cell = _cell()
    assert len(cell) == 64
    report = benchmark.pedantic(check_model, args=(EMT(), [cell]), rounds=1, iterations=1)
    assert report.passed, report
    assert {r["slug"] for r in report.rows} == set(CHECKS)
    assert {r["property"] for r in report.rows} == {"energy", "forces", "stress"}
    assert benchmark.stats.stats.min < GOAL_S
