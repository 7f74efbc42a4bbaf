"""Every subpackage imports from a built wheel: ``pip wheel .``, a fresh virtual environment
(reusing this one's site-packages for numpy and the rest), the wheel installed without its
dependencies, then each package that pyproject.toml lists imported from outside the source
tree. An editable install maps the folders and hides a subpackage missing from the list; a
wheel does not."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def _packages() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return config["tool"]["setuptools"]["packages"]


def _subfolders_with_init() -> set[str]:
    """Every folder of the three layers holding an ``__init__.py``, as a package name."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    package_dir = config["tool"]["setuptools"]["package-dir"]
    found = set()
    for package, folder in package_dir.items():
        root = REPO / folder
        for init in root.rglob("__init__.py"):
            rel = init.parent.relative_to(root)
            if "__pycache__" in rel.parts:
                continue
            found.add(".".join([package, *rel.parts]) if rel.parts else package)
    return found


def test_pyproject_lists_every_package_folder():
    missing = {n for n in _subfolders_with_init() if n not in _packages()
               and not n.startswith("o3ref.verify._o3ref")}
    assert not missing, f"packages in pyproject.toml lack {sorted(missing)}"


@pytest.mark.slow
def test_every_subpackage_imports_from_the_wheel(tmp_path):
    run = dict(capture_output=True, text=True, timeout=300)
    source = tmp_path / "source"  # a copy: building leaves build/ and *.egg-info behind
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tox", "build", "dist", "*.egg-info", "__pycache__", "tests",
        ".benchmarks", ".hypothesis", ".pytest_cache"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                            "-q", "-w", str(tmp_path / "dist")], cwd=tmp_path, **run)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("o3ref-*.whl")
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], **run)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # numpy, metatensor, ... from this environment's site-packages, as plain path entries: a
    # path line of a .pth file is not itself scanned for .pth files, so this environment's
    # editable install of o3ref (a .pth finder) stays out
    new_site = subprocess.run([str(python), "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"], **run).stdout.strip()
    # the wheel first: with this environment's paths already there, pip would find the
    # non-editable o3ref installed in them (as in CI) and install nothing
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python),
                                "install", "--no-deps", "--no-index", "-q", str(wheel)],
                               cwd=tmp_path, **run)
    assert installed.returncode == 0, installed.stderr[-2000:]
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(new_site) / "reuse.pth").write_text("\n".join(sorted(ours)) + "\n")
    code = (
        "import importlib, sys, sysconfig\n"
        "site = sysconfig.get_paths()['purelib']\n"
        "for name in sys.argv[1:]:\n"
        "    module = importlib.import_module(name)\n"
        "    assert module.__file__.startswith(site), (name, module.__file__)\n"
        "print('ok')\n"
    )
    # -I: neither the source tree nor the user's site is on the path
    imported = subprocess.run([str(python), "-I", "-c", code, *_packages()], cwd=tmp_path,
                              **run)
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert imported.stdout.strip() == "ok"
