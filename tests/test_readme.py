"""Every code block of README.md works as written.

- Every ```python block runs. The blocks of one section (a ``## `` heading, its ``###``
  subsections included) run in order in one namespace, in a temporary working directory;
  each section is one test. A block that needs an optional library says so on a first line
  of its own, visible to readers, ``# needs: matplotlib, featomic`` (import names); the test
  then skips through ``pytest.importorskip`` when one is missing, never silently.
- The README calls the reader's own library ``mylib`` (the pytest plugin example). The test
  provides a stand-in module of that name, made of o3ref's own functions in the calling
  convention of :mod:`o3ref.verify.callables`, so the example runs as printed.
- Shell blocks (any other fence) are checked without running them: each ``o3ref ...`` command
  is parsed by the real argument parser, each ``python -m MODULE`` must name an importable
  module, each ``pip install ".[extra,...]"`` must name extras that ``pyproject.toml`` declares
  and each ``tox -e ENV`` an environment of ``tox.ini``. Lines that are not one of these
  commands (output shown in a block, ``cd``, ``python3 -m venv``) are left alone.
"""

from __future__ import annotations

import configparser
import importlib.metadata as md
import importlib.util
import re
import shlex
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
NEEDS = re.compile(r"^#\s*needs:\s*(.+?)\s*$")


@dataclass
class Block:
    lang: str
    line: int  # line number (1-based) of the block's first code line
    code: str
    section: str


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def parse_blocks(text: str) -> list[Block]:
    """The fenced blocks of a markdown text, with the ``## `` section each one is in."""
    blocks, section, lang, start, lines = [], "(top)", None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if lang is None:
            if line.startswith("## "):
                section = line[3:].strip()
            match = FENCE.match(line)
            if match:
                lang, start, lines = match.group(1).lower(), number + 1, []
        elif line.strip() == "```":
            blocks.append(Block(lang, start, "\n".join(lines) + "\n", section))
            lang = None
        else:
            lines.append(line)
    assert lang is None, f"README.md: the block opened at line {start - 1} is never closed"
    return blocks


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


def _python_sections() -> list[Section]:
    sections: dict[str, Section] = {}
    for block in BLOCKS:
        if block.lang in ("python", "py"):
            sections.setdefault(block.section, Section(block.section)).blocks.append(block)
    return list(sections.values())


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _mylib() -> types.ModuleType:
    """The reader's library of the README, played by o3ref's own functions."""
    import numpy as np

    from o3ref import fast

    def real_sph(l_max, xyz):
        return fast.SphericalHarmonics(l_max).compute(np.asarray(xyz, dtype=np.float64))

    def sph_grad(l_max, xyz):
        return fast.SphericalHarmonics(l_max).compute_with_gradients(
            np.asarray(xyz, dtype=np.float64))

    def wigner_D(l, alpha, beta, gamma):
        rotation = fast.rotation_matrix(alpha, beta, gamma).reshape(1, 3, 3)
        return fast.wigner_D_real_blocks(l, rotation)[l][0]

    module = types.ModuleType("mylib", "stand-in for the reader's library (tests/test_readme.py)")
    module.real_sph, module.sph_grad, module.wigner_D = real_sph, sph_grad, wigner_D
    module.real_cg = fast.real_clebsch_gordan
    return module


def test_the_readme_has_python_blocks_and_they_are_all_collected():
    python = [b for b in BLOCKS if b.lang in ("python", "py")]
    assert len(python) >= 4
    assert sum(len(s.blocks) for s in _python_sections()) == len(python)


@pytest.mark.parametrize("section", _python_sections(), ids=lambda s: _slug(s.title))
def test_python_blocks_run(section, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "mylib", _mylib())
    run_section(section)


def test_needs_marker_skips_only_for_a_missing_library():
    code = "# needs: o3ref_no_such_library\nraise RuntimeError('ran')\n"
    with pytest.raises(pytest.skip.Exception, match="o3ref_no_such_library"):
        run_section(Section("t", [Block("python", 1, code, "t")]))
    with pytest.raises(RuntimeError, match="ran"):  # a present library: the block runs
        run_section(Section("t", [Block("python", 1, code.replace("o3ref_no_such_library",
                                                                  "json"), "t")]))


def run_section(section: Section) -> None:
    """Run the python blocks of one section in order, in one namespace."""
    namespace = {"__name__": f"readme_{_slug(section.title).replace('-', '_')}"}
    for block in section.blocks:
        for line in block.code.splitlines():
            if not line.startswith("#"):
                break
            needs = NEEDS.match(line)
            if needs:
                for name in needs.group(1).split(","):
                    pytest.importorskip(name.strip(), reason=(
                        f"README.md:{block.line}: the block needs {name.strip()}, "
                        "which is not installed"))
        # blank lines in front so that a traceback names the README's own line numbers
        code = compile("\n" * (block.line - 1) + block.code, str(README), "exec")
        exec(code, namespace)


def test_mylib_stand_in_follows_the_calling_convention():
    # the stand-in must itself conform, or the README example would run on a broken library
    from o3ref.verify.properties import assert_homomorphism, assert_parity

    mylib = _mylib()
    assert assert_parity(mylib.real_sph, 3).passed
    assert assert_homomorphism(mylib.wigner_D, 2).passed


# --- shell blocks -----------------------------------------------------------------------------

def _commands(block: Block):
    """(line, argv) of each command of a shell block: continuation lines joined, comments
    dropped, split at ``&&``, ``||``, ``;`` and ``|``, leading ``VAR=value`` removed."""
    text = block.code.replace("\\\n", " ")
    for offset, line in enumerate(text.splitlines()):
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # prose or output with an unbalanced quote: not a command
            continue
        argv: list[str] = []
        for word in [*words, "&&"]:
            if word in ("&&", "||", ";", "|"):
                while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):
                    argv.pop(0)
                if argv:
                    yield block.line + offset, argv
                argv = []
            else:
                argv.append(word)


def _program(argv: list[str]) -> str:
    return Path(argv[0]).name


SHELL_CHECKED = ("o3ref", "python", "python3", "pip", "tox")
SHELL_COMMANDS = [
    pytest.param(line, argv, id=f"line{line}-{_program(argv)}")
    for block in BLOCKS
    if block.lang not in ("python", "py")
    for line, argv in _commands(block)
    if _program(argv) in SHELL_CHECKED
]


def _tox_envs() -> set[str]:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(REPO / "tox.ini", encoding="utf-8")
    envs = {s.split(":", 1)[1] for s in ini.sections() if s.startswith("testenv:")}
    listed = ini.get("tox", "env_list", fallback="").replace("\n", ",")
    return envs | {e.strip() for e in listed.split(",") if e.strip()}


def test_shell_blocks_have_commands_to_check():
    programs = {_program(p.values[1]) for p in SHELL_COMMANDS}
    assert {"o3ref", "pip"} <= programs, programs


@pytest.mark.parametrize(("line", "argv"), SHELL_COMMANDS)
def test_shell_command_is_valid(line, argv, capsys):
    check_command(line, argv, capsys)


@pytest.mark.parametrize(
    "command",
    ["o3ref verify --no-such-option", "o3ref no-such-command", "python -m o3ref.no_such_module",
     "pip install '.[no-such-extra]'", "tox -e no-such-env"],
)
def test_shell_check_refuses_a_wrong_command(command, capsys):
    (line, argv), = _commands(Block("", 1, command + "\n", "test"))
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        check_command(line, argv, capsys)


def check_command(line: int, argv: list[str], capsys) -> None:
    """Fail unless the command ``argv`` (README line ``line``) would start as written."""
    where = f"README.md:{line}: {shlex.join(argv)}"
    program = _program(argv)
    if program == "o3ref":
        from o3ref.verify.cli import build_parser

        try:
            build_parser().parse_args(argv[1:])
        except SystemExit as exc:
            pytest.fail(f"{where}: the o3ref parser refuses it ({capsys.readouterr().err.strip()})"
                        if exc.code else f"{where}: exits without running")
    elif program.startswith("python") and "-m" in argv:
        module = argv[argv.index("-m") + 1]
        assert importlib.util.find_spec(module) is not None, f"{where}: no module {module}"
    elif program == "pip" and "install" in argv:
        declared = set(md.metadata("o3ref").get_all("Provides-Extra") or [])
        for word in argv:
            extras = re.fullmatch(r"\.\[([\w,-]+)\]", word)
            if extras:
                unknown = set(extras.group(1).split(",")) - declared
                assert not unknown, f"{where}: pyproject.toml declares no extra {unknown}"
    elif program == "tox" and "-e" in argv:
        env = argv[argv.index("-e") + 1]
        for name in env.split(","):
            assert name in _tox_envs(), f"{where}: tox.ini has no environment {name!r}"
