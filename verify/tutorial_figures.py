"""Figures and viewer files of ``o3ref tutorial`` (matplotlib and chemiscope are optional).

- ``parity.png``: predicted against reference dipole components, train and test, for the
  nu = 1 and nu = 2 models;
- ``rotation_matrices.png``: the 9x9 Cartesian rotation ``R (x) R`` of a rank-2 tensor next
  to the block-diagonal irreducible one ``D^0 + D^1 + D^2`` (same colour scale);
- ``rotated_predictions.png``: nu = 2 predictions on the 256 rotated copies against the
  rotated reference dipole;
- ``rotated-dipoles.json.gz``: the rotated copies with their predicted dipoles as arrows,
  for chemiscope (``chemiscope.show_input`` or https://chemiscope.org).

Each writer prints what it wrote, or why it skipped (library not installed).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["write_chemiscope", "write_figures"]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def write_figures(out: Path, dipoles, results, matrices, true_rot, rot_pred) -> list[Path]:
    """Write the three PNG figures; returns their paths (empty without matplotlib)."""
    plt = _pyplot()
    if plt is None:
        print("matplotlib is not installed: no figures (pip install 'o3ref[plot]')")
        return []
    written = []

    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharex=True, sharey=True)
    for ax, name in zip(axes, ("nu=1", "nu=2"), strict=True):
        predicted = results[name]["predicted"]
        ax.plot(dipoles[::2].ravel(), predicted[::2].ravel(), "b.", label="train")
        ax.plot(dipoles[1::2].ravel(), predicted[1::2].ravel(), "r.", label="test")
        low, high = dipoles.min(), dipoles.max()
        ax.plot([low, high], [low, high], "k-", lw=0.5)
        ax.set_title(f"{name}: test RMSE {results[name]['rmse']:.1e}")
        ax.set_xlabel(r"reference $y_\mu$")
        ax.legend()
    axes[0].set_ylabel(r"predicted $\tilde{y}_\mu$")
    written.append(_save(fig, out / "parity.png", plt))

    RR, coupled = matrices["RR"], matrices["coupled_RR"]
    scale = np.abs(RR).max()
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    for ax, matrix, title in ((axes[0], RR, "Cartesian R (x) R"),
                              (axes[1], coupled, "irreducible D0 + D1 + D2")):
        ax.matshow(matrix, cmap=plt.cm.RdBu, vmin=-scale, vmax=scale)
        ax.set_title(title)
    written.append(_save(fig, out / "rotation_matrices.png", plt))

    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    ax.plot(true_rot.ravel(), rot_pred.ravel(), "b.")
    low, high = true_rot.min(), true_rot.max()
    ax.plot([low, high], [low, high], "k-", lw=0.5)
    ax.set_xlabel(r"rotated reference $y_\mu$")
    ax.set_ylabel(r"prediction on the rotated copy $\tilde{y}_\mu$")
    ax.set_title(f"{len(rot_pred)} rotated copies")
    written.append(_save(fig, out / "rotated_predictions.png", plt))
    return written


def _save(fig, path: Path, plt) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")
    return path


def write_chemiscope(out: Path, rotated, angles, predicted_xyz) -> Path | None:
    """Chemiscope input: rotated copies, Euler angles as properties, predicted dipoles as arrows."""
    try:
        import chemiscope
    except ImportError:
        print("chemiscope is not installed: no viewer file (pip install 'o3ref[viewer]')")
        return None
    arrows = {
        "kind": "arrow",
        "parameters": {
            "global": {"baseRadius": 0.08, "headRadius": 0.15, "headLength": 0.2},
            "structure": [{"vector": [float(v) for v in 2.0 * vector]} for vector in predicted_xyz],
        },
    }
    properties = {
        name: {"target": "structure", "values": angles[:, k].tolist()}
        for k, name in enumerate(("alpha", "beta", "gamma"))
    }
    settings = {
        "map": {"x": {"property": "alpha"}, "y": {"property": "beta"},
                "z": {"property": "gamma"}},
        "structure": [{"axes": "xyz", "keepOrientation": True, "shape": ["dipole"]}],
    }
    frames = []
    for frame in rotated:
        copy = frame.copy()
        copy.info = {}
        frames.append(copy)
    path = out / "rotated-dipoles.json.gz"
    chemiscope.write_input(
        str(path),
        structures=frames,
        properties=properties,
        shapes={"dipole": arrows},
        settings=settings,
        metadata={"name": "o3ref tutorial: nu=2 dipole predictions on rotated copies"},
    )
    print(f"wrote {path}")
    return path
