"""The examples of the README and of the guides (``verify/_o3ref/guides/*.md``) work as written.

- A ```` ```pycon ```` block is an interactive session (``>>>`` and the output shown). Each
  one runs under :mod:`doctest` (``ELLIPSIS``, ``NORMALIZE_WHITESPACE``), so a changed printed
  result fails. The blocks of one file run in order, in one namespace, in a temporary working
  directory: a later block may use the names of an earlier one. Examples print rounded
  floats, so that the output is the same on any CPU and BLAS.
- A ```` ```python ```` block is the content of a file (a test module of the reader's
  library, say). It is executed, in the same namespace as the file's sessions.
- A block that needs an optional library says so on a line of its own just above it,
  ``<!-- needs: featomic -->`` (import names, comma-separated; an HTML comment, so the
  rendered page does not show it). The block then skips, naming the library, when one is
  missing. Such a block must not define names that a later block uses.
- The reader's library is called ``mylib`` in the examples. The test provides a stand-in
  module of that name, made of o3ref's own functions in the calling convention of
  ``o3ref.verify.callables``.
- Shell blocks (``console``, ``bash``, ``sh``, ``ini``...) are checked without running them:
  each ``o3ref ...`` command is parsed by the real argument parser, each ``python -m MODULE``
  must name an importable module, each ``pip install ".[extra,...]"`` must name extras that
  ``pyproject.toml`` declares and each ``tox -e ENV`` an environment of ``tox.ini``. Output
  lines and other programs are left alone.
- An ``o3ref`` command of a ``console`` block that shows its output (``$ o3ref ...`` and the
  lines below it) runs, in a fresh temporary directory, and what it prints is compared with
  the lines shown: ``...`` stands for any text, whitespace runs are one space, and every
  decimal number matches any decimal number (errors and tolerances move with the BLAS; the
  verdicts, degrees, counts and names do not). A block marked ``<!-- not run: REASON -->``
  is not run (the tutorial, the CI guide's noxfile: their own tests run them).
"""

from __future__ import annotations

import configparser
import doctest
import importlib.metadata as md
import importlib.util
import re
import shlex
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GUIDES = REPO / "verify" / "_o3ref" / "guides"
#: the README, the guides, and the API reference's landing page (the ``o3ref`` docstring)
DOCS = [REPO / "README.md", *sorted(GUIDES.glob("*.md")),
        REPO / "verify" / "_o3ref" / "__init__.py"]
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
COMMENT = re.compile(r"^<!--(.*)-->\s*$")
NEEDS = re.compile(r"needs:\s*([\w., ]+?)\s*(?:;|$)")
FILE = re.compile(r"file:\s*([^\s;]+)")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
PYTHON = ("pycon", "python", "py")


@dataclass
class Block:
    path: Path
    lang: str
    line: int  # line number (1-based) of the block's first code line
    code: str
    needs: tuple[str, ...] = ()
    file: str | None = None  # the file the block is the content of (ci.md), if it says so
    run: bool = True  # False for a block marked <!-- not run: REASON -->

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def parse_blocks(path: Path, text: str | None = None) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the ``<!-- needs: ...; file: ... -->``
    comment of the line above it."""
    text = path.read_text(encoding="utf-8") if text is None else text
    blocks, lang, start, lines, previous, run = [], None, 0, [], "", True
    needs: tuple[str, ...] = ()
    name: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if lang is None:
            match = FENCE.match(line)
            if match:
                comment = COMMENT.match(previous)
                marker = NEEDS.search(comment.group(1).strip()) if comment else None
                needs = tuple(n.strip() for n in marker.group(1).split(",")) if marker else ()
                named = FILE.search(comment.group(1)) if comment else None
                name = named.group(1) if named else None
                run = not (comment and "not run:" in comment.group(1))
                lang, start, lines = match.group(1).lower(), number + 1, []
            previous = line if line.strip() else previous
        elif line.strip() == "```":
            blocks.append(Block(path, lang, start, "\n".join(lines) + "\n", needs, name, run))
            lang, previous = None, ""
        else:
            lines.append(line)
    assert lang is None, f"{path.name}: the block opened at line {start - 1} is never closed"
    return blocks


BLOCKS = {path: parse_blocks(path) for path in DOCS}


def _id(block: Block) -> str:
    return f"{block.path.stem}-line{block.line}"


# --- the reader's library -----------------------------------------------------------------------

def _mylib() -> types.ModuleType:
    """The reader's library of the examples, played by o3ref's own functions."""
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

    module = types.ModuleType("mylib", "stand-in for the reader's library "
                              "(tests/test_docs_examples.py)")
    module.real_sph, module.sph_grad, module.wigner_D = real_sph, sph_grad, wigner_D
    module.real_cg = fast.real_clebsch_gordan
    return module


def test_mylib_stand_in_follows_the_calling_convention():
    # the stand-in must itself conform, or the examples would run on a broken library
    from o3ref.verify import assert_homomorphism, assert_parity

    mylib = _mylib()
    assert assert_parity(mylib.real_sph, 3).passed
    assert assert_homomorphism(mylib.wigner_D, 2).passed


# --- Python blocks ------------------------------------------------------------------------------

_NAMESPACES: dict[Path, tuple[dict, int]] = {}  # file -> (namespace, blocks run so far)


def run_block(block: Block, namespace: dict) -> None:
    """Run one block in ``namespace``: a session under doctest, a file's code with exec."""
    for name in block.needs:
        pytest.importorskip(name, reason=f"{block.where}: the example needs {name}, "
                            "which is not installed")
    if block.lang == "pycon":
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block.code, namespace, block.where, str(block.path),
                                  block.line - 1)
        assert test.examples, f"{block.where}: a pycon block without a >>> line"
        lines: list[str] = []
        runner = doctest.DocTestRunner(optionflags=FLAGS, verbose=False)
        result = runner.run(test, out=lines.append, clear_globs=False)
        namespace.update(test.globs)
        if result.failed:
            pytest.fail(f"{block.where}: the example no longer prints what the page shows\n"
                        + "".join(lines), pytrace=False)
    else:
        # blank lines in front, so that a traceback names the Markdown file's own line numbers
        exec(compile("\n" * (block.line - 1) + block.code, str(block.path), "exec"), namespace)


def _run_upto(block: Block) -> None:
    """Run the file's Python blocks before ``block`` (once), then ``block`` itself."""
    python = [b for b in BLOCKS[block.path] if b.lang in PYTHON and b.run]
    index = python.index(block)
    namespace, done = _NAMESPACES.get(block.path, ({"__name__": "__docs__"}, 0))
    for earlier in python[done:index]:
        try:
            run_block(earlier, namespace)
        except pytest.skip.Exception:
            pass  # a block with a missing library; the blocks after it do not rely on it
    _NAMESPACES[block.path] = (namespace, index + 1)
    run_block(block, namespace)


PYTHON_BLOCKS = [pytest.param(b, id=_id(b)) for path in DOCS for b in BLOCKS[path]
                 if b.lang in PYTHON and b.run]


@pytest.fixture(scope="module")
def docs_cwd(tmp_path_factory):
    return tmp_path_factory.mktemp("docs")


@pytest.mark.parametrize("block", PYTHON_BLOCKS)
def test_example(block, docs_cwd, monkeypatch):
    monkeypatch.chdir(docs_cwd)
    monkeypatch.setitem(sys.modules, "mylib", _mylib())
    _run_upto(block)


def test_every_page_is_found_and_the_examples_are_sessions():
    names = {p.name for p in DOCS}
    assert {"README.md", "conventions.md", "library.md", "models.md", "ci.md", "tables.md",
            "reports.md", "survey.md", "benchmarks.md", "tutorial.md"} <= names, names
    python = [b for path in DOCS for b in BLOCKS[path] if b.lang in PYTHON]
    assert sum(b.lang == "pycon" for b in python) >= 10
    # a session's output is compared; a file's code only runs: keep the latter for files
    for b in python:
        assert b.lang == "pycon" or ">>>" not in b.code, f"{b.where}: >>> in a python block"


def test_a_changed_printed_result_fails():
    block = Block(REPO / "README.md", "pycon", 1, ">>> print(round(0.1 + 0.2, 3))\n0.4\n")
    with pytest.raises(pytest.fail.Exception, match=r"no longer prints(.|\n)*0\.3"):
        run_block(block, {})
    run_block(Block(REPO / "README.md", "pycon", 1, ">>> print(round(0.1 + 0.2, 3))\n0.3\n"),
              {})


def test_needs_marker_skips_only_for_a_missing_library():
    text = ("<!-- needs: o3ref_no_such_library -->\n```pycon\n>>> raise RuntimeError('ran')\n"
            "```\n\n<!-- needs: json -->\n```python\nraise RuntimeError('ran')\n```\n")
    missing, present = parse_blocks(REPO / "README.md", text.replace(
        "needs: json", "file: x.py; needs: json"))
    assert missing.needs == ("o3ref_no_such_library",) and present.needs == ("json",)
    assert (missing.file, present.file) == (None, "x.py")
    with pytest.raises(pytest.skip.Exception, match="o3ref_no_such_library"):
        run_block(missing, {})
    with pytest.raises(RuntimeError, match="ran"):  # a present library: the block runs
        run_block(present, {})


# --- shell blocks -------------------------------------------------------------------------------

def _commands(block: Block):
    """(line, argv) of each command of a shell block: continuation lines joined, comments
    dropped, split at ``&&``, ``||``, ``;`` and ``|``, leading ``VAR=value`` removed. In a
    block with ``$ `` prompts only the prompted lines are commands (the others are output)."""
    text = block.code.replace("\\\n", " ")
    prompted = any(line.startswith("$ ") for line in text.splitlines())
    for offset, line in enumerate(text.splitlines()):
        if prompted and not line.startswith("$ "):
            continue
        line = line[2:] if prompted else line
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
    pytest.param(block, line, argv, id=f"{block.path.stem}-line{line}-{_program(argv)}")
    for path in DOCS for block in BLOCKS[path]
    if block.lang in ("", "console", "bash", "sh", "shell")
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
    programs = {_program(p.values[2]) for p in SHELL_COMMANDS}
    assert {"o3ref", "pip", "tox"} <= programs, programs


@pytest.mark.parametrize(("block", "line", "argv"), SHELL_COMMANDS)
def test_shell_command_is_valid(block, line, argv, capsys):
    if block.path.name == "ci.md" and _program(argv) == "tox":
        return  # the reader's own tox.ini (tests/test_ci_guide.py runs its commands)
    check_command(f"{block.path.relative_to(REPO)}:{line}", argv, capsys)


@pytest.mark.parametrize(
    "command",
    ["o3ref verify --no-such-option", "o3ref no-such-command", "python -m o3ref.no_such_module",
     "pip install '.[no-such-extra]'", "tox -e no-such-env"],
)
def test_shell_check_refuses_a_wrong_command(command, capsys):
    (line, argv), = _commands(Block(REPO / "README.md", "console", 1, command + "\n"))
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        check_command(f"README.md:{line}", argv, capsys)


def check_command(where: str, argv: list[str], capsys) -> None:
    """Fail unless the command ``argv`` (at ``where``) would start as written."""
    where = f"{where}: {shlex.join(argv)}"
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


# --- tables of the guides that come from the code or from a command -----------------------------

def _verify_attribute(module: str, name: str):
    """``o3ref.verify.<module>.<name>``, or the same name in the submodule of that name
    wherever it lives in ``o3ref.verify`` (its modules may move into subpackages)."""
    import importlib
    import pkgutil

    import o3ref.verify

    candidates = [f"o3ref.verify.{module}"] + [
        info.name for info in pkgutil.walk_packages(o3ref.verify.__path__, "o3ref.verify.")
        if info.name.rsplit(".", 1)[-1] == module]
    for candidate in candidates:
        try:
            value = getattr(importlib.import_module(candidate), name, None)
        except ImportError:
            continue
        if value is not None:
            return value
    raise AssertionError(f"no {name} in a module {module!r} of o3ref.verify")


def test_the_conventions_guide_shows_the_table_of_the_code():
    table = _verify_attribute("conventions", "CONVENTIONS_TABLE")
    assert table in (GUIDES / "conventions.md").read_text(encoding="utf-8"), (
        "conventions.md does not show o3ref.verify.conventions.CONVENTIONS_TABLE as it is: "
        "paste the table again")


def _table_rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


@pytest.mark.parametrize("name", ["survey_table.md", "survey.md"])
def test_the_survey_tables_have_the_commands_columns_and_consistent_verdicts(name):
    format_markdown = _verify_attribute("survey", "format_markdown")
    header, separator = format_markdown([], {}).splitlines()[:2]
    text = (GUIDES / name).read_text(encoding="utf-8")
    rows = _table_rows(text, header)
    assert text.splitlines()[text.splitlines().index(header) + 1] == separator
    assert len(rows) >= 10
    columns = [c.strip() for c in header.strip("|").split("|")]
    for row in rows:
        cells = dict(zip(columns, row, strict=True))
        error = float(cells["max error after map"].split()[0])
        policy = float(cells["policy at that l"])
        assert cells["result"] == ("pass" if error <= policy else "FAIL"), row
        assert re.fullmatch(r"0\.\.\d+", cells["l"]), row


# --- o3ref commands with their output -----------------------------------------------------------

def console_runs(block: Block) -> list[tuple[int, list[str], str]]:
    """(line, argv, output shown) of each ``$ o3ref ...`` line of a console block that has
    output lines below it."""
    if block.lang != "console" or not block.run:
        return []
    runs, lines = [], block.code.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("$ "):
            continue
        shown = []
        for after in lines[i + 1:]:
            if after.startswith("$ "):
                break
            shown.append(after)
        argv = shlex.split(line[2:], comments=True)
        if argv and argv[0] == "o3ref" and any(x.strip() for x in shown):
            runs.append((block.line + i, argv, "\n".join(shown) + "\n"))
    return runs


CONSOLE_RUNS = [pytest.param(block, line, argv, shown, id=f"{block.path.stem}-line{line}")
                for path in DOCS for block in BLOCKS[path]
                for line, argv, shown in console_runs(block)]
_DECIMAL = re.compile(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?")


def same_output(shown: str, printed: str) -> bool:
    """``printed`` matches ``shown``: ``...`` is any text, whitespace runs are equal, and a
    decimal number matches any decimal number."""
    checker = doctest.OutputChecker()
    return checker.check_output(_DECIMAL.sub("<decimal>", shown),
                                _DECIMAL.sub("<decimal>", printed), FLAGS)


def test_output_comparison_ignores_float_noise_only():
    shown = "rows  err  1.11e-16  pass\n...\n3 of 3 quantities without failure\n"
    assert same_output(shown, "rows err 2.2e-16 pass\nmore\n3 of 3 quantities without failure\n")
    assert not same_output(shown, "rows err 2.2e-16 FAIL\n3 of 3 quantities without failure\n")
    assert not same_output(shown, "rows err 2.2e-16 pass\n2 of 3 quantities without failure\n")


@pytest.mark.parametrize(("block", "line", "argv", "shown"), CONSOLE_RUNS)
def test_console_output(block, line, argv, shown, tmp_path):
    for name in block.needs:
        pytest.importorskip(name, reason=f"{block.where}: the example needs {name}, "
                            "which is not installed")
    result = subprocess.run([sys.executable, "-m", "o3ref", *argv[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    printed = result.stdout
    assert same_output(shown, printed), (
        f"{block.path.relative_to(REPO)}:{line}: `{shlex.join(argv)}` no longer prints what "
        f"the page shows.\nShown:\n{shown}\nPrinted (exit {result.returncode}):\n{printed}"
        f"{result.stderr}")


def test_some_console_outputs_are_compared():
    assert len(CONSOLE_RUNS) >= 2
