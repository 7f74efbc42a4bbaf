"""``o3ref tutorial``: runs end to end; nu = 2 beats nu = 1; rotated predictions rotate."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re

import numpy as np
import pytest

from o3ref.verify import tutorial
from o3ref.verify.cli import main
from o3ref.verify.targets import dipole_tensor, read_frames


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


def test_tutorial_cli_writes_chemiscope(cli_run):
    pytest.importorskip("chemiscope")
    _, _, out = cli_run
    assert (out / "rotated-dipoles.json.gz").stat().st_size > 0


def test_tutorial_nu2_beats_nu1_on_our_data(cli_run):
    _, text, _ = cli_run
    nu1 = _number(r"test RMSE nu=1 = (\S+),", text)
    nu2 = _number(r"nu=2 = (\S+)\n", text)
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


def test_tutorial_bad_arguments(tmp_path, capsys):
    assert main(["tutorial", "--data", str(tmp_path / "missing.xyz")]) == 2
    assert "--data=" in capsys.readouterr().err
    small = tmp_path / "small.xyz"
    small.write_text(
        "3\nProperties=species:S:1:pos:R:3 dipole=\"0.1 0.2 0.0\" energy=1.0 pbc=\"F F F\"\n"
        "O 0 0 0\nH 0.7 0.6 0\nH -0.7 0.6 0\n"
    )
    assert main(["tutorial", "--data", str(small), "--frame", "5"]) == 2
    assert "--frame=5 is out of range for 1 structures" in capsys.readouterr().err
