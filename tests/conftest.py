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
DEFAULT_SHARED_DATA = REPO.parent / "shared" / "data"


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


@pytest.fixture
def tutorial_xyz():
    """Path of the seed tutorial's own water-dipoles.xyz (not shipped with o3ref): in the
    folder named by the environment variable O3REF_SHARED_DATA, by default ../shared/data
    beside the repository. Skips the test, saying where it looked and why, when absent."""
    folder = os.environ.get("O3REF_SHARED_DATA")
    path = Path(folder or DEFAULT_SHARED_DATA) / "water-dipoles.xyz"
    if not path.is_file():
        origin = ("O3REF_SHARED_DATA" if folder
                  else "the default ../shared/data; set O3REF_SHARED_DATA to change it")
        pytest.skip(f"the seed tutorial's data file is absent: {path} does not exist "
                    f"(folder from {origin})")
    return path
