"""The package installs as o3ref.{reference,fast,verify} and CI runs the README's command."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    text = (REPO / "README.md").read_text()
    blocks = text.split("```")
    commands = [b.strip() for b in blocks[1::2]]
    matches = [c for c in commands if "pytest" in c and "pip install" in c]
    assert len(matches) == 1, f"expected one test command in the README, found {matches}"
    return matches[0]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert _readme_test_command() in ci


def _installed_distribution() -> md.Distribution:
    """The o3ref that pip installed (it has PEP 610's direct_url.json).

    An in-tree build leaves ``o3ref.egg-info`` in the repository root, which is on
    ``sys.path`` under ``python -m pytest``; that source-tree metadata is not the install.
    """
    installed = [d for d in md.distributions(name="o3ref") if d.read_text("direct_url.json")]
    assert installed, "o3ref is not installed by pip (no direct_url.json found)"
    return installed[0]


@pytest.mark.parametrize("layer", ["reference", "fast", "verify"])
def test_layers_import_from_the_installed_distribution(layer):
    dist = _installed_distribution()
    module = importlib.import_module(f"o3ref.{layer}")
    origin = Path(module.__file__).resolve()
    direct_url = json.loads(dist.read_text("direct_url.json"))
    if direct_url.get("dir_info", {}).get("editable"):
        assert origin.parent == (REPO / layer).resolve()
    else:
        installed = {Path(dist.locate_file(f)).resolve() for f in dist.files}
        assert origin in installed, f"{origin} is not a file of the installed o3ref"
        source = (REPO / layer).resolve()
        assert source not in origin.parents, f"{origin} was imported from the source tree"


@pytest.mark.parametrize("name", ["reference", "fast", "verify"])
def test_no_plain_top_level_package_is_installed(name):
    top_level = (_installed_distribution().read_text("top_level.txt") or "").split()
    assert name not in top_level
    spec = importlib.util.find_spec(name)
    assert spec is None or "o3ref" not in str(spec.origin or "")


def test_console_script_is_declared():
    eps = md.entry_points(group="console_scripts")
    assert any(ep.name == "o3ref" and ep.value == "o3ref.verify.cli:main" for ep in eps)
