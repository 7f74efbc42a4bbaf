"""Figures and viewer files of ``o3ref tutorial`` (matplotlib and chemiscope are optional).

- ``parity.png``: predicted against reference dipole components (in the dipoles' unit,
  e·Å by default), train and test, for the nu = 1 and nu = 2 models, test RMSEs in titles;
- ``rotation_matrices.png``: the 9x9 Cartesian rotation ``R (x) R`` of a rank-2 tensor next
  to the block-diagonal irreducible one ``D^0 + D^1 + D^2``, labelled rows and columns, one
  colour bar, the Euler angles of ``R`` in the title;
- ``rotated_predictions.png``: nu = 2 predictions on the 256 rotated copies of the named
  frame against the rotated reference dipole, per component, with units;
- ``rotated-dipoles.json.gz``: the rotated copies with their predicted dipoles as arrows,
  for chemiscope (``chemiscope.show_input`` or https://chemiscope.org).

Each writer prints what it wrote, or why it skipped (library not installed).

Conventions: :mod:`o3ref.reference.conventions`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._io import atomic_write

__all__ = ["FILES", "write_chemiscope", "write_figures"]

FILES = ("parity.png", "rotation_matrices.png", "rotated_predictions.png",
         "rotated-dipoles.json.gz")


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def _pi_text(angle: float) -> str:
    """An angle as a rational multiple of pi when it is one with a small denominator."""
    from fractions import Fraction

    frac = Fraction(float(angle) / np.pi).limit_denominator(12)
    if abs(float(frac) * np.pi - angle) > 1e-9:
        return f"{angle:.3f}"
    if frac == 0:
        return "0"
    num = "" if abs(frac.numerator) == 1 else str(abs(frac.numerator))
    sign = "-" if frac < 0 else ""
    return f"{sign}{num}π" + ("" if frac.denominator == 1 else f"/{frac.denominator}")


def _parity(out, dipoles, results, context, plt):
    unit = context["unit"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), sharex=True, sharey=True)
    low, high = float(dipoles.min()), float(dipoles.max())
    pad = 0.05 * (high - low)
    for ax, name in zip(axes, ("nu=1", "nu=2"), strict=True):
        predicted = results[name]["predicted"]
        n_train, n_test = len(dipoles[::2]), len(dipoles[1::2])
        ax.plot(dipoles[::2].ravel(), predicted[::2].ravel(), ".", color="C0", ms=4,
                label=f"train: frames [::2] ({n_train} x 3 components)")
        ax.plot(dipoles[1::2].ravel(), predicted[1::2].ravel(), ".", color="C3", ms=4,
                label=f"test: frames [1::2] ({n_test} x 3 components)")
        ax.plot([low - pad, high + pad], [low - pad, high + pad], "k-", lw=0.6,
                label="predicted = reference")
        nu = name.split("=")[1]
        ax.set_title(f"ν = {nu} model: test RMSE {results[name]['rmse']:.1e} {unit}\n"
                     f"(train RMSE {results[name].get('train_rmse', float('nan')):.1e} {unit})",
                     fontsize=10)
        ax.set_xlabel(f"reference dipole component $y_\\mu$ ({unit})")
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel(f"predicted dipole component $\\tilde{{y}}_\\mu$ ({unit})")
    fig.suptitle(f"Dipole parity, {context['data']}: ridge on the (σ = 1, λ = 1) block of "
                 "the O atom; μ = -1, 0, 1 (y, z, x)", fontsize=10)
    return _save(fig, out / "parity.png", plt)


def _rotation_matrices(out, matrices, context, plt):
    RR, coupled = matrices["RR"], matrices["coupled_RR"]
    alpha, beta, gamma = (_pi_text(a) for a in context["angles"])
    scale = float(np.abs(RR).max())
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.4), constrained_layout=True)
    cart = [a + b for a in "xyz" for b in "xyz"]
    irrep = ["0,+0"] + [f"1,{m:+d}" for m in (-1, 0, 1)] + [f"2,{m:+d}" for m in range(-2, 3)]
    image = None
    for ax, matrix, title, ticks, label in (
            (axes[0], RR, "Cartesian: R ⊗ R acting on vec(Y)", cart,
             "Cartesian component ab of Y"),
            (axes[1], coupled, "irreducible: D⁰ ⊕ D¹ ⊕ D² (block diagonal)", irrep,
             "irreducible component (L, M)")):
        image = ax.matshow(matrix, cmap=plt.cm.RdBu, vmin=-scale, vmax=scale)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(9), ticks, rotation=90, fontsize=7)
        ax.set_yticks(range(9), ticks, fontsize=7)
        ax.xaxis.set_ticks_position("bottom")
        ax.set_xlabel(f"input: {label}", fontsize=8)
        ax.set_ylabel(f"output: {label}", fontsize=8)
    fig.colorbar(image, ax=axes, shrink=0.8, label="matrix entry (dimensionless)")
    fig.suptitle("9x9 rotation of the rank-2 tensor Y = y yᵀ + |y|² 1, "
                 f"R = Rz(α) Ry(β) Rz(γ) with (α, β, γ) = ({alpha}, {beta}, {gamma})",
                 fontsize=10)
    return _save(fig, out / "rotation_matrices.png", plt, tight=False)


def _rotated_predictions(out, true_rot, rot_pred, context, plt):
    unit = context["unit"]
    fig, ax = plt.subplots(figsize=(5.6, 5.4))
    # the three components lie on one diagonal: hollow markers of three shapes and sizes,
    # so that a point drawn last does not hide the others
    styles = (("o", 7), ("s", 5), ("^", 4))
    for k, (mu, axis) in enumerate(zip((-1, 0, 1), "yzx", strict=True)):
        marker, size = styles[k]
        ax.plot(true_rot[:, k], rot_pred[:, k], marker, color=f"C{k}", ms=size, mfc="none",
                mew=0.9, alpha=0.8, label=f"μ = {mu:+d} ({axis})")
    low, high = float(true_rot.min()), float(true_rot.max())
    pad = 0.05 * (high - low)
    ax.plot([low - pad, high + pad], [low - pad, high + pad], "k-", lw=0.6,
            label="prediction = reference")
    ax.set_xlabel(f"rotated reference dipole $D^1(R)\\,y$ ({unit})")
    ax.set_ylabel(f"ν = 2 prediction on the rotated copy ({unit})")
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"frame {context['frame']} of {context['data']}, {len(rot_pred)} rotated "
                 f"copies\nRMSE {context['rmse_rotated']:.1e} {unit}; "
                 f"max |ŷ(RA) - D¹(R) ŷ(A)| = {context['max_rotated_deviation']:.0e} {unit}",
                 fontsize=9)
    return _save(fig, out / "rotated_predictions.png", plt)


def write_figures(out: Path, dipoles, results, matrices, true_rot, rot_pred,
                  context: dict | None = None) -> list[Path]:
    """Write the three figures (PNG at 200 dpi, and SVG beside each); returns the PNG paths
    (empty without matplotlib).

    ``context`` names what the axes and titles say: ``unit`` of the dipoles, ``data`` (the
    file's name), ``frame`` (the rotated frame), ``angles`` (the rotation of
    ``rotation_matrices.png``), ``rmse_rotated`` and ``max_rotated_deviation``.
    """
    plt = _pyplot()
    if plt is None:
        print("matplotlib is not installed: no figures (pip install 'o3ref[plot]')")
        return []
    context = {"unit": "e·Å", "data": "the data set", "frame": "?",
               "angles": matrices.get("angles", (0.0, 0.0, 0.0)), "rmse_rotated": float("nan"),
               "max_rotated_deviation": float("nan"), **(context or {})}
    return [_parity(out, dipoles, results, context, plt),
            _rotation_matrices(out, matrices, context, plt),
            _rotated_predictions(out, true_rot, rot_pred, context, plt)]


def _save(fig, path: Path, plt, tight: bool = True) -> Path:
    if tight:
        fig.tight_layout()
    # print quality: a 200-dpi PNG, and the same figure as vector graphics (SVG) beside it
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=200, format="png"))
    atomic_write(path.with_suffix(".svg"), lambda tmp: fig.savefig(tmp, format="svg"))
    plt.close(fig)
    print(f"wrote {path} (and {path.with_suffix('.svg').name})")
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
    atomic_write(path, lambda tmp: chemiscope.write_input(
        str(tmp),
        structures=frames,
        properties=properties,
        shapes={"dipole": arrows},
        settings=settings,
        metadata={"name": "o3ref tutorial: nu=2 dipole predictions on rotated copies"},
    ))
    print(f"wrote {path}")
    return path
