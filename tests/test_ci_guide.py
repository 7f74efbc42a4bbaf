"""The CI guide (``verify/_o3ref/guides/ci.md``) works: its files, dropped into a small
throwaway package, run o3ref's conformance suite, which passes, then fails once one of the
package's functions has a sign flipped.

The package (``mylib``, its own SH, Wigner D and CG as thin wrappers over ``o3ref.fast``) is
built in ``tmp_path`` with the guide's test module, adapter, ``tox.ini`` and ``noxfile.py``,
each read from the guide's blocks (``<!-- file: NAME -->``), never copied here. Running real
tox or nox would build a virtual environment and install o3ref and its dependencies for each
run (minutes, and a package index); instead the test runs the exact ``commands`` of the
``tox.ini`` snippet (and the commands the nox session runs, through a stand-in ``nox``
module) with the current interpreter. "Installing" the package is played by putting it on
``PYTHONPATH`` with a ``mylib-0.1.dist-info`` that holds the guide's entry point, which is
what ``pip install .`` leaves behind for ``importlib.metadata``.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "verify" / "_o3ref" / "guides" / "ci.md"

MYLIB = '''"""A downstream library with its own SH, Wigner D and CG (test_ci_guide.py)."""
import numpy as np

from o3ref import fast

FLIP = {flip}


def real_sph(l_max, xyz):
    values = fast.SphericalHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64))
    if FLIP and l_max >= 3:
        values[:, 3 * 3 + 3 + 1] *= -1  # l = 3, m = 1
    return values


def wigner_D(l, alpha, beta, gamma):
    rotation = fast.rotation_matrix(alpha, beta, gamma).reshape(1, 3, 3)
    return fast.wigner_D_real_blocks(l, rotation)[l][0]


def real_cg(l1, l2, L):
    return fast.real_clebsch_gordan(l1, l2, L)
'''


def guide_files() -> dict[str, str]:
    """``{file name: content}`` of the guide's blocks marked ``<!-- file: NAME -->``."""
    text = GUIDE.read_text(encoding="utf-8")
    pattern = re.compile(r"^<!--[^\n]*?file:\s*([^\s;]+)[^\n]*-->\n```[\w+-]*\n(.*?)^```$",
                         re.M | re.S)
    return {name: body for name, body in pattern.findall(text)}


def entry_points_of_guide() -> str:
    """The guide's ``[project.entry-points."o3ref.adapters"]`` block as entry_points.txt."""
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r'^\[project\.entry-points\."o3ref\.adapters"\]\n(.*?)^```$', text,
                      re.M | re.S)
    assert block, "the CI guide registers no adapter"
    lines = [re.fullmatch(r'\s*(\w+)\s*=\s*"([\w.:]+)"\s*', line)
             for line in block.group(1).splitlines() if line.strip()]
    assert all(lines), block.group(1)
    return "[o3ref.adapters]\n" + "".join(f"{m.group(1)} = {m.group(2)}\n" for m in lines)


def make_package(root: Path, flip: bool) -> Path:
    files = guide_files()
    assert {"tox.ini", "noxfile.py", "mylib/o3ref_adapter.py",
            "tests/test_o3ref_conformance.py"} <= set(files), sorted(files)
    (root / "mylib").mkdir(parents=True)
    (root / "mylib" / "__init__.py").write_text(MYLIB.format(flip=flip))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    info = root / "mylib-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mylib\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points_of_guide())
    return root


def expand_env_list(text: str) -> set[str]:
    """tox's ``py{310,311}-o3ref, lint`` -> ``{"py310-o3ref", "py311-o3ref", "lint"}``."""
    names = set()
    for item in re.split(r",\s*(?![^{]*})", text.replace("\n", ",")):
        parts = [""]
        for literal, group in re.findall(r"([^{]*)(?:\{([^}]*)\})?", item.strip()):
            options = group.split(",") if group else [""]
            parts = [p + literal + o for p in parts for o in options]
        names.update(p for p in parts if p)
    return names


def tox_commands(root: Path, envname: str) -> list[list[str]]:
    """The ``commands`` of the snippet's ``[testenv]``, tox's substitutions made."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(root / "tox.ini", encoding="utf-8")
    assert envname in expand_env_list(ini.get("tox", "env_list")), envname
    lines = [line.strip() for line in ini.get("testenv", "commands").splitlines()
             if line.strip()]
    values = {"{toxinidir}": str(root), "{envname}": envname, "{posargs}": ""}
    commands = []
    for line in lines:
        for key, value in values.items():
            line = line.replace(key, value)
        commands.append(shlex.split(line))
    return commands


def nox_commands(root: Path, python: str, monkeypatch) -> list[list[str]]:
    """The commands the snippet's nox session runs (a stand-in ``nox`` records them)."""
    sessions, installed, commands = {}, [], []

    def session(*args, **kwargs):
        def register(func):
            sessions[func.__name__] = (func, kwargs)
            return func
        return register(args[0]) if args and callable(args[0]) else register

    class Session:
        posargs: list[str] = []

        def __init__(self):
            self.python = python

        def install(self, *args):
            installed.extend(args)

        def run(self, *args):
            commands.append(list(args))

    monkeypatch.setitem(sys.modules, "nox", types.SimpleNamespace(session=session))
    exec(compile((root / "noxfile.py").read_text(), str(root / "noxfile.py"), "exec"), {})
    (func, kwargs), = sessions.values()
    assert python in kwargs.get("python", [])
    func(Session())
    assert {".", "o3ref"} <= set(installed), installed
    return commands


def run(commands: list[list[str]], root: Path) -> list[subprocess.CompletedProcess]:
    """Run each command in ``root`` with this interpreter (``python`` and ``o3ref``)."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    results = []
    for argv in commands:
        head = {"python": [sys.executable], "o3ref": [sys.executable, "-m", "o3ref"]}
        assert argv[0] in head, f"the guide runs {argv[0]!r}, which this test cannot stand in for"
        results.append(subprocess.run(head[argv[0]] + argv[1:], cwd=root, env=env,
                                      capture_output=True, text=True, timeout=300))
    return results


def _report(root: Path, name: str) -> dict:
    from o3ref.verify.report_schema import validate_report

    report = json.loads((root / name).read_text())
    validate_report(report)
    return report


@pytest.mark.slow
def test_the_tox_snippet_passes_then_fails_on_a_flipped_sign(tmp_path):
    good = make_package(tmp_path / "good", flip=False)
    results = run(tox_commands(good, "py312-o3ref"), good)
    assert len(results) == 2
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    report = _report(good, "o3ref-report-py312-o3ref.json")
    assert report["passed"] is True and report["under_test"]["name"] == "mylib"

    bad = make_package(tmp_path / "bad", flip=True)
    pytest_run, verify_run = run(tox_commands(bad, "py312-o3ref"), bad)
    assert pytest_run.returncode == 1, pytest_run.stdout + pytest_run.stderr
    assert "l = 3, m = 1" in pytest_run.stdout and "sign flipped" in pytest_run.stdout
    assert verify_run.returncode == 1, verify_run.stdout + verify_run.stderr
    report = _report(bad, "o3ref-report-py312-o3ref.json")
    assert report["passed"] is False
    assert [r["status"] for r in report["rows"] if r["quantity"].startswith("spherical")] == [
        "FAIL"]


@pytest.mark.slow
def test_the_nox_session_runs_the_same_suite(tmp_path, monkeypatch):
    bad = make_package(tmp_path / "bad", flip=True)
    commands = nox_commands(bad, "3.12", monkeypatch)
    # the same two steps as the tox environment: the test module, then the JSON report
    assert [c[:3] for c in commands] == [c[:3] for c in tox_commands(bad, "py312-o3ref")]
    results = run(commands, bad)
    assert [r.returncode for r in results] == [1, 1], [r.stdout for r in results]
    assert _report(bad, "o3ref-report-3.12.json")["passed"] is False
