"""Shared test configuration.

Benchmarks (``tests/benchmarks/``) are off by default; ``pytest --bench tests/benchmarks``
runs them (the tox env ``bench`` does this).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# the tutorial's own data set lives beside the repository, never inside it
SHARED_DATA = Path(os.environ.get("O3REF_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_addoption(parser):
    parser.addoption(
        "--bench",
        action="store_true",
        default=False,
        help="collect tests/benchmarks (off by default)",
    )


def pytest_ignore_collect(collection_path, config):
    if "benchmarks" in Path(collection_path).parts and not config.getoption("--bench"):
        return True
    return None


@pytest.fixture(scope="session")
def tutorial_xyz():
    """Path of ../shared/data/water-dipoles.xyz; skips the test when it is absent."""
    path = SHARED_DATA / "water-dipoles.xyz"
    if not path.is_file():
        pytest.skip(f"tutorial data not found at {path}")
    return path
