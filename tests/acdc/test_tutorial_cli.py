"""``o3ref tutorial``: runs end to end; nu = 2 beats nu = 1; rotated predictions rotate."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re

import numpy as np
import pytest

from o3ref.verify.cli import main
from o3ref.verify.structures.targets import dipole_tensor, read_frames
from o3ref.verify.tutorial import steps as tutorial


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tutorial")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["tutorial", "--out", str(out)])
    return status, buffer.getvalue(), out


def _number(pattern, text):
    match = re.search(pattern, text)
    assert match is not None, pattern
    return float(match.group(1))


def test_tutorial_cli_runs_and_passes(cli_run):
    status, text, out = cli_run
    assert status == 0, text
    for step in ("1. data", "2. rotations", "3. rank-2", "4. density", "5. linear", "6. nu=2"):
        assert step in text
    assert "(order_nu, o3_sigma, o3_lambda) = (2, 1, 1): 1152 properties" in text
    assert _number(r"max \|y_pred\(RA\) - D\^1\(R\) y_pred\(A\)\| = (\S+)", text) <= 1e-10
    assert _number(r"max deviation = (\S+)\n", text) <= 1e-12  # block-diagonal rotation of Y
    if importlib.util.find_spec("matplotlib") is not None:
        for name in ("parity.png", "rotation_matrices.png", "rotated_predictions.png"):
            assert (out / name).stat().st_size > 0


def test_the_tutorial_guide_shows_the_rmses_the_command_prints(cli_run):
    # the guide's table of test RMSEs (o3ref's data set row) is what `o3ref tutorial` prints
    from pathlib import Path

    guide = Path(__file__).parents[2] / "verify" / "_o3ref" / "guides" / "tutorial.md"
    row = next(line for line in guide.read_text(encoding="utf-8").splitlines()
               if line.startswith("| o3ref's"))
    shown = [float(cell) for cell in row.strip("|").split("|")[1:]]
    _, text, _ = cli_run
    printed = [_number(r"test RMSE nu=1 = (\S+) ", text),
               _number(r"test RMSE nu=1 = \S+ \S+, nu=2 = (\S+) ", text)]
    assert [f"{v:.2e}" for v in shown] == [f"{v:.2e}" for v in printed], (shown, printed)


def test_tutorial_cli_writes_chemiscope(cli_run):
    pytest.importorskip("chemiscope")
    _, _, out = cli_run
    assert (out / "rotated-dipoles.json.gz").stat().st_size > 0


def test_tutorial_nu2_beats_nu1_on_our_data(cli_run):
    _, text, _ = cli_run
    nu1 = _number(r"test RMSE nu=1 = (\S+) e·Å,", text)
    nu2 = _number(r"nu=2 = (\S+) e·Å\n", text)
    assert nu2 < nu1 / 10


def _models(path):
    from o3ref.fast import SphericalExpansion, seed_hypers

    frames = read_frames(path)
    dipoles = np.asarray(dipole_tensor(frames).block(0).values)[:, :, 0]
    calculator = SphericalExpansion(**seed_hypers())
    nu1, nu2 = tutorial.features(calculator, frames, [1, 8])
    with contextlib.redirect_stdout(io.StringIO()):
        return tutorial.fit_models(nu1, nu2, dipoles), calculator, frames, dipoles


def test_tutorial_nu2_beats_nu1_on_the_tutorial_file(tutorial_xyz):
    results, *_ = _models(tutorial_xyz)
    assert results["nu=2"]["rmse"] < results["nu=1"]["rmse"] / 10


def test_tutorial_rotated_predictions_rotate():
    from o3ref.reference import wigner_D_real

    results, calculator, frames, dipoles = _models(tutorial.default_data())
    model = results["nu=2"]["model"]
    angles, R, rotated = tutorial.rotated_copies(frames[81], frames[81].get_dipole_moment())
    assert len(rotated) == 256
    _, rot_nu2 = tutorial.features(calculator, rotated, [1, 8])
    block = rot_nu2.block(o3_sigma=1, o3_lambda=1)
    predicted = model.predict(np.asarray(block.values)[tutorial.first_atom_rows(block)])
    base = results["nu=2"]["predicted"][81]
    # the Wigner D of the exact reference (mpmath) at the seed's angles
    worst = 0.0
    for k in range(0, 256, 7):
        D = np.array(wigner_D_real(1, *angles[k], dps=30).tolist(), dtype=float)
        worst = max(worst, np.abs(predicted[k] - D @ base).max())
    assert worst <= 1e-10


_WATER = ("3\nProperties=species:S:1:pos:R:3 dipole=\"0.1 0.2 0.0\" energy=1.0 pbc=\"F F F\"\n"
          "O 0 0 0\nH 0.7 0.6 0\nH -0.7 0.6 0\n")


def _no_compute(*args, **kwargs):
    raise AssertionError("computed before the options were checked")


@pytest.mark.parametrize(
    ("files", "argv", "message"),
    [
        ({}, ["--data", "{tmp}/missing.xyz"], "--data={tmp}/missing.xyz is not a file"),
        ({"notes.xyz": "not an XYZ file at all\n"}, ["--data", "{tmp}/notes.xyz"],
         "--data={tmp}/notes.xyz cannot be read as extended XYZ"),
        ({"picture.png": "\x89PNG\r\n\x1a\n0000"}, ["--data", "{tmp}/picture.png"],
         "--data={tmp}/picture.png cannot be read as extended XYZ"),
        ({"short.xyz": "5\nProperties=species:S:1:pos:R:3\nO 0 0 0\nH 1 0 0\n"},
         ["--data", "{tmp}/short.xyz"], "--data={tmp}/short.xyz cannot be read"),
        ({"nodipole.xyz": "3\nProperties=species:S:1:pos:R:3 pbc=\"F F F\"\n"
          "O 0 0 0\nH 0.7 0.6 0\nH -0.7 0.6 0\n"}, ["--data", "{tmp}/nodipole.xyz"],
         "each structure needs a 'dipole' 3-vector"),
        ({"one.xyz": _WATER}, ["--data", "{tmp}/one.xyz"], "holds 1 structures: the models "
         "need at least 10"),
        ({"ten.xyz": _WATER * 10}, ["--data", "{tmp}/ten.xyz", "--frame", "10"],
         "--frame=10 is out of range for 10 structures"),
        ({"a-file": "x"}, ["--out", "{tmp}/a-file"], "--out={tmp}/a-file exists and is not a "
         "folder"),
        ({"a-file": "x"}, ["--out", "{tmp}/a-file/figures"], "is not a folder"),
    ],
)
def test_tutorial_user_errors(files, argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tutorial, "features", _no_compute)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    before = sorted(tmp_path.rglob("*"))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["tutorial", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("o3ref tutorial: error: ") and err.count("\n") == 1
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


def test_tutorial_without_out_says_no_figures(capsys):
    assert tutorial.write_outputs(None, {}) == []
    text = capsys.readouterr().out
    assert "no figures written: pass --out DIR to write parity.png" in text


def _figures(tmp_path, monkeypatch):
    """The three figures on small synthetic data, kept open for inspection."""
    pytest.importorskip("matplotlib")
    from o3ref.fast import rotation_matrix
    from o3ref.verify.tutorial import figures as tutorial_figures

    figures = {}

    def keep(fig, path, plt, tight=True):
        figures[path.name] = fig
        return path

    monkeypatch.setattr(tutorial_figures, "_save", keep)
    rng = np.random.default_rng(0)
    dipoles = rng.normal(size=(10, 3))
    results = {name: {"predicted": dipoles + 0.01, "rmse": 0.01, "train_rmse": 0.01}
               for name in ("nu=1", "nu=2")}
    angles = np.array([0.0, np.pi / 3, 6 * np.pi / 7])
    R = rotation_matrix(*angles)
    matrices = {"RR": np.kron(R, R), "coupled_RR": np.eye(9), "angles": angles}
    context = {"unit": "e·Å", "data": "water.xyz", "frame": 81, "angles": angles,
               "rmse_rotated": 1e-3, "max_rotated_deviation": 1e-16}
    tutorial_figures.write_figures(tmp_path, dipoles, results, matrices, dipoles, dipoles,
                                   context)
    return figures


def test_tutorial_figures_say_units_axes_and_rotation(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    figures = _figures(tmp_path, monkeypatch)
    assert set(figures) == {"parity.png", "rotation_matrices.png", "rotated_predictions.png"}
    parity = figures["parity.png"]
    for ax in parity.axes:
        assert "(e·Å)" in ax.get_xlabel() and "e·Å" in ax.get_title()
    assert "(e·Å)" in parity.axes[0].get_ylabel()
    rotation = figures["rotation_matrices.png"]
    matrices, colour_bars = rotation.axes[:2], rotation.axes[2:]
    assert len(colour_bars) == 1 and "matrix entry" in colour_bars[0].get_ylabel()
    for ax in matrices:
        assert ax.get_xlabel().startswith("input:") and ax.get_ylabel().startswith("output:")
    assert "(0, π/3, 6π/7)" in rotation.texts[0].get_text()  # the suptitle names R
    (ax,) = figures["rotated_predictions.png"].axes
    assert "(e·Å)" in ax.get_xlabel() and "(e·Å)" in ax.get_ylabel()
    assert "frame 81 of water.xyz" in ax.get_title()
    for fig in figures.values():
        plt.close(fig)
