"""The package installs as o3ref.{reference,fast,verify} (and o3ref itself: __version__,
``python -m o3ref``), ships its release files, and CI runs the README's command."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import importlib.util
import json
import re
import subprocess
import sys
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


def _run_in(tmp_path, *args: str) -> str:
    # outside the repository, so that no source-tree metadata (o3ref.egg-info) is on sys.path
    result = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_version_is_the_installed_distributions(tmp_path):
    expected = _installed_distribution().version
    out = _run_in(tmp_path, "-c", "import o3ref; print(o3ref.__version__)")
    assert out.strip() == expected


def test_python_m_o3ref_is_the_command_line(tmp_path):
    assert _run_in(tmp_path, "-m", "o3ref", "--version").strip() == (
        _installed_distribution().version)
    assert "usage: o3ref" in _run_in(tmp_path, "-m", "o3ref", "--help")


def test_o3ref_is_a_package_of_the_distribution():
    import o3ref

    dist = _installed_distribution()
    origin = Path(o3ref.__file__).resolve()
    if json.loads(dist.read_text("direct_url.json")).get("dir_info", {}).get("editable"):
        assert origin == (REPO / "verify" / "_o3ref" / "__init__.py").resolve()
    else:
        assert origin in {Path(dist.locate_file(f)).resolve() for f in dist.files}


def test_importing_o3ref_and_the_plugin_imports_no_numpy(tmp_path):
    code = ("import sys, o3ref, o3ref.verify, o3ref.verify.pytest_plugin; o3ref.__version__; "
            "print(sorted(m for m in ('numpy', 'sympy', 'metatensor') if m in sys.modules))")
    assert _run_in(tmp_path, "-c", code).strip() == "[]"


def test_release_files_agree_with_the_version():
    version = _installed_distribution().version
    citation = (REPO / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", citation, re.M)
    for key in ("message", "title", "authors", "version", "license"):
        assert re.search(rf"^{key}:", citation, re.M), f"CITATION.cff has no {key!r}"
    assert re.search(rf'^version: "?{re.escape(version)}"?$', citation, re.M), (
        f"CITATION.cff does not cite version {version}")
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    heading = rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$"
    assert re.search(heading, changelog, re.M), f"CHANGELOG.md has no section for {version}"
    license_text = (REPO / "LICENSE").read_text()
    assert "BSD 3-Clause License" in license_text and "o3ref developers" in license_text
    meta = md.metadata("o3ref")
    assert "BSD-3-Clause" in (meta.get("License") or meta.get("License-Expression") or "")
    # the project has no public home yet: no URL that points nowhere
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert not urls, f"pyproject.toml declares project URLs: {urls}"
