"""``o3ref tutorial``: the seed tutorial ("Equivariant ML models") end to end, with o3ref.

Steps (each prints what it shows, with the largest deviation where there is one):

1. the data set and its targets as metatensor blocks (energies with position gradients
   from the forces; dipoles as an ``o3_lambda = 1`` block in ``(y, z, x)`` order);
2. 256 rotated copies of one frame (8 alpha x 4 beta x 8 gamma, ZYZ Euler angles) and the
   dipole rotating as ``y -> R y``;
3. the rank-2 tensor ``Y = y y^T + |y|^2 1`` rotated both ways: the full 9x9 Cartesian
   matrix ``R (x) R`` against the block-diagonal irreducible one ``D^0 + D^1 + D^2``;
4. density coefficients (nu = 1) and lambda-SOAP (nu = 2) with the seed's hypers, and
   their equivariance: ``X(R A) = D^lambda(R) X(A)`` over all 256 rotations, and
   ``X(-A) = sigma (-1)^lambda X(A)`` under inversion;
5. linear dipole models on the ``(sigma, lambda) = (1, 1)`` block of the first atom of
   each structure (O for water), trained on frames ``[::2]``, tested on ``[1::2]``;
6. predictions of the nu = 2 model on the 256 rotated copies against the rotated
   prediction ``D^1(R) y_pred``.

Writes PNG figures (matplotlib, optional) and a chemiscope input (chemiscope, optional)
to ``--out`` (checked before anything is computed; without ``--out`` it says that no figure
is written). Dipoles and RMSEs are in ``--dipole-unit`` (e·Å, the unit of o3ref's and the
tutorial's files). Returns 0 when every equivariance check holds to ``1e-10``, 1 otherwise;
a user error (unreadable ``--data``, a file without dipoles, an unwritable ``--out``, a
``--frame`` out of range) exits with status 2 before any computation.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

import argparse
import importlib.resources
import time
from pathlib import Path

import numpy as np

from .._io import UsageError, check_output_dir, printing_beside_progress
from . import figures as tutorial_figures
from ._equivariance import (
    ALPHAS,
    LCUT,
    equivariance_deviation,
    features,
    first_atom_rows,
    inversion_deviation,
    rotated_copies,
    split_inversion,
)
from .published import NU1_OH_L2_M_MINUS2, NU2_S1_L3_FIRST3

__all__ = ["ALPHAS", "LCUT", "TOLERANCE", "configure_parser", "data_step", "default_data",
           "features", "features_step", "first_atom_rows", "fit_models", "predictions_step",
           "rank2_demo", "rotated_copies", "rotations_step", "run", "summary",
           "write_outputs"]

#: only UsageError is a user error here (see o3ref.verify.cli)
#: the fewest structures the models can be trained and tested on (5-fold CV on [::2])
MIN_STRUCTURES = 10

TOLERANCE = 1e-10
#: the rotated copy shown in steps 2 and 3: the seed's "selected", (0, pi/3, 6 pi/7)
SELECTED = 11


def default_data() -> Path:
    """o3ref's own data set (PBE0/aug-cc-pVDZ), installed as ``o3ref.data``."""
    return Path(str(importlib.resources.files("o3ref.data") / "water-dipoles.xyz"))


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``o3ref tutorial`` to ``parser``."""
    parser.add_argument(
        "--data", default=None,
        help="extended XYZ file with a per-structure 'dipole' (default: o3ref's own "
        "water-dipoles.xyz; the tutorial's file works too)",
    )
    parser.add_argument(
        "--out", default=None, help="folder for the PNG figures and the chemiscope file "
        "(default: none written)"
    )
    parser.add_argument(
        "--dipole-unit", default="e·Å",
        help="unit of the file's dipoles, for the printed RMSEs and the figures' axes "
        "(default: e·Å, the unit of o3ref's and the tutorial's files)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--frame", type=int, default=None,
        help="frame to rotate (default: 81, the tutorial's, or 0 for smaller data sets)",
    )


def _section(title: str) -> None:
    print(f"\n== {title} ==")


def _fmt(values) -> str:
    return np.array2string(np.asarray(values), precision=6, suppress_small=True,
                           max_line_width=100)


def _read_data(path: Path):
    """The frames and dipoles of ``--data``; every problem with the file is a UsageError."""
    from ..structures.targets import dipole_tensor, read_frames

    if not path.is_file():
        raise UsageError(f"--data={path} is not a file")
    try:
        frames = read_frames(path)
    except Exception as exc:  # ase raises many kinds on a file it cannot parse
        raise UsageError(f"--data={path} cannot be read as extended XYZ "
                         f"({type(exc).__name__}: {exc})") from exc
    try:
        dipole_map = dipole_tensor(frames)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--data={path}: each structure needs a 'dipole' 3-vector ({exc})") \
            from exc
    if len(frames) < MIN_STRUCTURES:
        raise UsageError(f"--data={path} holds {len(frames)} structures: the models need at "
                         f"least {MIN_STRUCTURES} (train on [::2] with 5-fold CV, test on "
                         "[1::2])")
    return frames, dipole_map


def rank2_demo(dipole, R_selected, angles_selected) -> dict:
    """Step 3: Y = y y^T + |y|^2 1 rotated as a Cartesian tensor and as irreducible blocks."""
    from o3ref.fast import real_clebsch_gordan, wigner_D_real_blocks

    def y_to_Y(y):
        return np.outer(y, y) + (y @ y) * np.eye(3)

    perm = [1, 2, 0]  # (x, y, z) -> (y, z, x)

    def couple(Y):
        Ys = Y[np.ix_(perm, perm)]
        return np.concatenate([np.einsum("abM,ab->M", real_clebsch_gordan(1, 1, L), Ys)
                               for L in (0, 1, 2)])

    def decouple(c):
        Ys = sum(np.einsum("abM,M->ab", real_clebsch_gordan(1, 1, L), c[L * L:(L + 1) ** 2])
                 for L in (0, 1, 2))
        Y = np.empty((3, 3))
        Y[np.ix_(perm, perm)] = Ys
        return Y

    R = R_selected
    base_Y = y_to_Y(dipole)
    selected_Y = y_to_Y(R @ dipole)
    RR = np.kron(R, R)  # acts on Y flattened row-major: vec(R Y R^T) = (R (x) R) vec(Y)
    D = wigner_D_real_blocks(2, R[None])
    coupled_RR = np.zeros((9, 9))
    for L in (0, 1, 2):
        coupled_RR[L * L:(L + 1) ** 2, L * L:(L + 1) ** 2] = D[L][0]
    base_c, selected_c = couple(base_Y), couple(selected_Y)
    print(f"rotation (alpha, beta, gamma) = {_fmt(angles_selected)}")
    print("Y(A)         =\n" + _fmt(base_Y))
    print("R Y(A) R^T   =\n" + _fmt(R @ base_Y @ R.T))
    print("Y(R A)       =\n" + _fmt(selected_Y))
    cartesian_dev = np.abs(RR @ base_Y.ravel() - selected_Y.ravel()).max()
    print(f"9x9 Cartesian rotation: {np.count_nonzero(np.abs(RR) > 1e-12)} of 81 entries nonzero;"
          f" max |RR vec(Y) - vec(Y(RA))| = {cartesian_dev:.1e}")
    print(f"trace invariant: {np.trace(base_Y):.8f} {np.trace(selected_Y):.8f}")
    print("irreducible form (L=0 | L=1 | L=2), L=1 is zero since Y is symmetric:")
    print("  Y(A)      : " + _fmt(base_c))
    print("  D Y(A)    : " + _fmt(coupled_RR @ base_c))
    print("  Y(R A)    : " + _fmt(selected_c))
    blocks = np.count_nonzero(np.abs(coupled_RR) > 1e-12)
    print(f"block-diagonal rotation: {blocks} of 81 entries nonzero (1 + 9 + 25 possible);"
          f" max deviation = {np.abs(coupled_RR @ base_c - selected_c).max():.1e}")
    back = decouple(selected_c)
    print(f"back to Cartesian: max |decouple(couple(Y)) - Y| = "
          f"{np.abs(back - selected_Y).max():.1e}")
    return {"RR": RR, "coupled_RR": coupled_RR, "angles": np.asarray(angles_selected)}


def fit_models(nu1, nu2, dipoles, unit: str = "e·Å"):
    """Step 5: ridge dipole models on the (1, 1) block of the first atom of each structure."""
    from o3ref.fast import EquivariantRidge

    results = {}
    for name, tensor in (("nu=1", nu1), ("nu=2", nu2)):
        block = tensor.block(o3_sigma=1, o3_lambda=1)
        X = np.asarray(block.values)[first_atom_rows(block)]
        model = EquivariantRidge(alpha=ALPHAS).fit(X[::2], dipoles[::2])
        predicted = model.predict(X)
        rmse = float(np.sqrt(np.mean((predicted[1::2] - dipoles[1::2]) ** 2)))
        train = float(np.sqrt(np.mean((predicted[::2] - dipoles[::2]) ** 2)))
        print(f"{name}: {X.shape[2]:5d} features, alpha = {model.alpha_:.0e} (5-fold CV), "
              f"train RMSE = {train:.2e} {unit}, test RMSE = {rmse:.2e} {unit}")
        results[name] = {"model": model, "predicted": predicted, "rmse": rmse,
                         "train_rmse": train}
    return results


def _inputs(args: argparse.Namespace):
    """The user's inputs and outputs, checked first: ``(out, path, frames, dipole_map,
    frame index)``; a :class:`o3ref.verify._io.UsageError` on a mistake."""
    out = check_output_dir(args.out, "--out") if args.out is not None else None
    path = Path(args.data) if args.data else default_data()
    frames, dipole_map = _read_data(path)
    index = args.frame if args.frame is not None else (81 if len(frames) > 81 else 0)
    if not 0 <= index < len(frames):
        raise UsageError(f"--frame={index} is out of range for {len(frames)} structures")
    return out, path, frames, dipole_map, index


def data_step(path, frames, dipole_map, unit) -> np.ndarray:
    """Step 1: the data set and its targets; returns the dipoles ``(n, 3)`` in ``(y, z, x)``."""
    from ..structures.targets import energy_block

    dipoles = np.asarray(dipole_map.block(0).values)[:, :, 0]
    _section("1. data and targets")
    print(f"{path} : {len(frames)} structures, {sum(len(f) for f in frames)} atoms")
    try:
        energies = energy_block(frames)
        print(f"energies: block {energies.values.shape} with a 'positions' gradient "
              f"{energies.gradient('positions').values.shape} (= -forces)")
    except ValueError as error:  # only the dipole is needed below
        print(f"energies: not in this file ({error})")
    print(f"dipoles : block {dipoles.shape + (1,)}, keys (o3_lambda, o3_sigma) = (1, 1), "
          "o3_mu = -1, 0, 1 holding (y, z, x)")
    print(f"RMS dipole component = {np.sqrt(np.mean(dipoles ** 2)):.4f} {unit}")
    return dipoles


def rotations_step(frame, dipole_yzx, index, unit):
    """Step 2: the 256 rotated copies of one frame; ``(dipole xyz, angles, R, copies)``."""
    from ..structures.targets import spherical_to_xyz

    _section(f"2. rotations and vectors (frame {index})")
    dipole = spherical_to_xyz(dipole_yzx, axis=0)
    angles, R, rotated = rotated_copies(frame, dipole)
    print(f"{len(rotated)} rotated copies; copy 0 is the identity, copy {SELECTED} is "
          f"(alpha, beta, gamma) = {_fmt(angles[SELECTED])}")
    print(f"dipole of the frame   y = {_fmt(dipole)} {unit}")
    print(f"rotated dipole      R y = {_fmt(R[SELECTED] @ dipole)} {unit}")
    return dipole, angles, R, rotated


def features_step(frames, rotated, index, wigner) -> tuple:
    """Step 4: nu = 1 and nu = 2 features of the data set and of the rotated copies, and
    their equivariance; ``(nu1, nu2, rotated nu2, deviations)``."""
    from o3ref.fast import SphericalExpansion, seed_hypers

    _section("4. density coefficients (nu = 1) and lambda-SOAP (nu = 2)")
    calculator = SphericalExpansion(**seed_hypers())
    types = sorted({int(z) for f in frames for z in f.numbers})
    nu1, nu2 = features(calculator, frames, types)
    block = nu2.block(o3_sigma=1, o3_lambda=1)
    print(f"nu=1 keys (order_nu, o3_sigma, o3_lambda): {nu1.keys.values.tolist()}")
    print(f"nu=2 keys: {nu2.keys.values.tolist()}")
    print(f"nu=2 properties: {list(block.properties.names)}; "
          f"samples: {list(block.samples.names)}")
    print(f"(order_nu, o3_sigma, o3_lambda) = (2, 1, 1): {len(block.properties)} properties")
    rot_nu1, rot_nu2 = features(calculator, rotated, types)
    inverted = frames[index].copy()
    inverted.positions = -inverted.positions
    inv_nu1, inv_nu2 = features(calculator, [frames[index], inverted], types)
    n_atoms = len(frames[index])
    # rows are (system, atom) sorted: copy k holds rows k*n_atoms .. k*n_atoms + n_atoms - 1
    base_rows = np.arange(n_atoms)
    rot_rows = np.arange(len(rotated) * n_atoms).reshape(len(rotated), n_atoms)
    deviations = {}
    for name, tensor, inv in (("nu=1", rot_nu1, inv_nu1), ("nu=2", rot_nu2, inv_nu2)):
        rot_dev = max(equivariance_deviation(tensor, base_rows[a], rot_rows[:, a], wigner)
                      for a in range(n_atoms))
        inv_dev = inversion_deviation(*split_inversion(inv, n_atoms))
        deviations[name] = max(rot_dev, inv_dev)
        print(f"{name}: max |X(RA) - D(R) X(A)| over {len(rotated)} rotations = "
              f"{rot_dev:.1e}; max |X(-A) - sigma (-1)^lambda X(A)| = {inv_dev:.1e}")
    _seed_numbers(rot_nu1, rot_nu2, SELECTED, n_atoms)
    return nu1, nu2, rot_nu2, deviations


def predictions_step(model, base_pred, rot_nu2, wigner, dipole_yzx, index, n_copies, unit):
    """Step 6: the nu = 2 model on the rotated copies against ``D^1(R) y_pred``;
    ``(predictions, rotated reference dipoles, max deviation, RMSE)``."""
    _section(f"6. nu=2 predictions on the {n_copies} rotated copies of frame {index}")
    rot_block = rot_nu2.block(o3_sigma=1, o3_lambda=1)
    rot_pred = model.predict(np.asarray(rot_block.values)[first_atom_rows(rot_block)])
    expected = np.einsum("kab,b->ka", wigner[1], base_pred)
    rot_dev = float(np.abs(rot_pred - expected).max())
    true_rot = np.einsum("kab,b->ka", wigner[1], dipole_yzx)
    rot_rmse = float(np.sqrt(np.mean((rot_pred - true_rot) ** 2)))
    print(f"max |y_pred(RA) - D^1(R) y_pred(A)| = {rot_dev:.1e} {unit}")
    print(f"RMSE of y_pred(RA) against the rotated reference dipole = {rot_rmse:.2e} {unit}")
    return rot_pred, true_rot, rot_dev, rot_rmse


def summary(deviations: dict, results: dict, unit: str, start: float) -> int:
    """The summary; 1 when a deviation is above :data:`TOLERANCE` (or NaN), else 0."""
    _section("summary")
    failed = [name for name, dev in deviations.items() if not dev <= TOLERANCE]
    print(f"test RMSE nu=1 = {results['nu=1']['rmse']:.2e} {unit}, "
          f"nu=2 = {results['nu=2']['rmse']:.2e} {unit}")
    for name, dev in deviations.items():
        status = "ok" if dev <= TOLERANCE else "FAILED"
        print(f"{name:20s} max deviation {dev:.1e} (tolerance {TOLERANCE:.0e}) {status}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    """Run ``o3ref tutorial``: check the options (a :class:`o3ref.verify._io.UsageError` on a
    mistake, before any computation), run the six steps, write, summarise; returns the exit
    status."""
    # metatensor (and torch, where installed) load here, not when `o3ref --help` is built
    from o3ref.fast import wigner_D_real_blocks

    from ..progress import Progress

    start = time.perf_counter()
    out, path, frames, dipole_map, index = _inputs(args)  # nothing computed on a mistake
    unit = args.dipole_unit
    with printing_beside_progress(args.quiet), \
            Progress(7, "o3ref tutorial", quiet=args.quiet, unit="step") as bar:
        bar.set_label("1. data and targets")
        dipoles = data_step(path, frames, dipole_map, unit)
        bar.update()
        bar.set_label("2. rotations")
        dipole, angles, R, rotated = rotations_step(frames[index], dipoles[index], index, unit)
        bar.update()
        bar.set_label("3. rank-2 tensor")
        _section("3. rank-2 tensor Y = y y^T + |y|^2 1: Cartesian vs irreducible rotation")
        matrices = rank2_demo(dipole, R[SELECTED], angles[SELECTED])
        bar.update()
        bar.set_label("4. features of the data set and of 256 rotated copies")
        wigner = wigner_D_real_blocks(LCUT, R)
        nu1, nu2, rot_nu2, deviations = features_step(frames, rotated, index, wigner)
        bar.update()
        bar.set_label("5. dipole models (5-fold CV)")
        _section("5. linear dipole models: train on frames [::2], test on [1::2]")
        results = fit_models(nu1, nu2, dipoles, unit)
        bar.update()
        bar.set_label("6. predictions on rotated copies")
        rot_pred, true_rot, rot_dev, rot_rmse = predictions_step(
            results["nu=2"]["model"], results["nu=2"]["predicted"][index], rot_nu2, wigner,
            dipoles[index], index, len(rotated), unit)
        deviations["rotated predictions"] = rot_dev
        bar.update()
        bar.set_label("figures")
        write_outputs(out, {
            "dipoles": dipoles, "results": results, "matrices": matrices,
            "true_rot": true_rot, "rot_pred": rot_pred, "rotated": rotated, "angles": angles,
            "context": {"unit": unit, "data": path.name, "frame": index,
                        "angles": angles[SELECTED], "rmse_rotated": rot_rmse,
                        "max_rotated_deviation": rot_dev}})
        bar.update()
    return summary(deviations, results, unit, start)


def write_outputs(out: Path | None, data: dict) -> list[Path]:
    """The figures and the chemiscope file in ``out`` (created here); without ``out``, a
    line saying that none is written and how to get them."""
    from ..structures.targets import spherical_to_xyz

    if out is None:
        _section("figures")
        print(f"no figures written: pass --out DIR to write {', '.join(tutorial_figures.FILES)} "
              "into DIR")
        return []
    _section(f"figures and viewer files in {out}")
    out.mkdir(parents=True, exist_ok=True)
    written = tutorial_figures.write_figures(out, data["dipoles"], data["results"],
                                             data["matrices"], data["true_rot"],
                                             data["rot_pred"], data["context"])
    viewer = tutorial_figures.write_chemiscope(out, data["rotated"], data["angles"],
                                               spherical_to_xyz(data["rot_pred"], axis=1))
    return written + ([viewer] if viewer is not None else [])


def _seed_numbers(rot_nu1, rot_nu2, selected, n_atoms) -> None:
    """Print the seed's printed numbers next to ours (geometry of the seed's frame 81)."""
    row = selected * n_atoms  # the first atom (O) of the selected copy
    block = rot_nu1.block(o3_sigma=1, o3_lambda=2)
    h_columns = np.flatnonzero(np.asarray(block.properties.column("neighbor_type_1")) == 1)
    ours = np.asarray(block.values)[row, 0, h_columns]
    print("seed nu=1 (O, neighbour H, l=2, m=-2):", _fmt(NU1_OH_L2_M_MINUS2))
    print("o3ref                                :", _fmt(ours),
          f"(max deviation {np.abs(ours - NU1_OH_L2_M_MINUS2).max():.1e})")
    block = rot_nu2.block(o3_sigma=1, o3_lambda=3)
    ours = np.asarray(block.values)[row][:, :3]
    seed = np.array([NU2_S1_L3_FIRST3[m] for m in sorted(NU2_S1_L3_FIRST3)])
    dev = np.abs(ours[sorted(NU2_S1_L3_FIRST3)] - seed).max()
    print(f"seed nu=2 block (sigma=1, lambda=3), first 3 properties: max |o3ref - seed| = "
          f"{dev:.1e} (the seed printed 8 decimals; meaningful on the tutorial's geometry)")
