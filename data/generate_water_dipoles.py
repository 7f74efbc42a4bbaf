"""Generate ``water-dipoles.xyz``: o3ref's own water data set (energies, forces, dipoles).

Method: Kohn-Sham DFT, PBE0 hybrid functional, aug-cc-pVDZ basis (PySCF ``dft.RKS``,
``xc="pbe0"``, integration grid level 3, SCF ``conv_tol=1e-11``), analytic nuclear gradients.

Geometries: the 121-point grid of the seed tutorial ("Equivariant ML models"), built here
from its definition (nothing is read from the tutorial's file):

- OH1 = 0.70, 0.75, ..., 1.20 angstrom (11 values), OH2 = 1.90 - OH1;
- HOH = 60, 70, ..., 160 degrees (11 values);
- O at the origin, molecule in the xy plane, HOH bisector along +y:
  ``H1 = OH1 (-sin(HOH/2), cos(HOH/2), 0)``, ``H2 = OH2 (sin(HOH/2), cos(HOH/2), 0)``;
- frame order: OH1 outer, HOH inner (frame 0 = (0.70, 60), frame 1 = (0.70, 70), ...,
  frame 11 = (0.75, 60), ..., frame 81 = (1.05, 100)), as in the tutorial.

Units written to the file (the extended XYZ convention of ASE):

- positions: angstrom (written with 12 decimals; the calculation uses exactly the written
  positions, so the file is self-consistent);
- ``energy``: eV, the total PBE0 energy (no reference subtracted);
- ``forces``: eV/angstrom (minus the analytic gradient);
- ``dipole``: e * angstrom, electronic + nuclear, about the origin (= the O position); the
  molecule is neutral, so the value does not depend on the origin.

Conversions use ``ase.units`` (CODATA 2014): 1 Hartree = 27.211386024367243 eV,
1 bohr = 0.5291772105638411 angstrom.

Regenerate (about 4 minutes on one core)::

    pip install ".[data]"
    OMP_NUM_THREADS=1 python -m o3ref.data.generate_water_dipoles --out data/water-dipoles.xyz

Output formatting is fixed (``%.12f`` positions, ``%.10f`` values, signed zeros cleared),
so a rerun with the same PySCF version on the same platform gives the same file.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

METHOD = "PBE0"
BASIS = "aug-cc-pVDZ"
GRID_LEVEL = 3
CONV_TOL = 1e-11

# ase.units (CODATA 2014), written out so the file does not depend on the ase version
HARTREE_TO_EV = 27.211386024367243
BOHR_TO_ANGSTROM = 0.5291772105638411


def grid() -> list[tuple[float, float, float]]:
    """The 121 ``(OH1, OH2, HOH)`` triples in the tutorial's frame order (OH1 outer).

    >>> g = grid()
    >>> len(g), g[0], g[1], g[11], g[81]
    (121, (0.7, 1.2, 60.0), (0.7, 1.2, 70.0), (0.75, 1.15, 60.0), (1.05, 0.85, 100.0))
    """
    # integer arithmetic, then one division: each value is the double nearest the decimal
    return [
        ((70 + 5 * i) / 100, (120 - 5 * i) / 100, float(60 + 10 * j))
        for i in range(11)
        for j in range(11)
    ]


def _fmt(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    if float(text) == 0.0:  # no "-0.000..." from round-off noise
        text = f"{0.0:.{decimals}f}"
    return text


def positions(oh1: float, oh2: float, hoh: float) -> np.ndarray:
    """O, H1, H2 positions (angstrom), rounded to the 12 decimals that the file stores.

    >>> positions(1.0, 0.9, 90.0)[1:].round(6).tolist()
    [[-0.707107, 0.707107, 0.0], [0.636396, 0.636396, 0.0]]
    """
    half = math.radians(hoh) / 2
    s, c = math.sin(half), math.cos(half)
    xyz = [[0.0, 0.0, 0.0], [-oh1 * s, oh1 * c, 0.0], [oh2 * s, oh2 * c, 0.0]]
    return np.array([[float(_fmt(v, 12)) for v in row] for row in xyz])


def compute(xyz: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """PBE0/aug-cc-pVDZ energy (eV), forces (eV/A, (3, 3)) and dipole (e*A, (3,)) of O, H, H."""
    from pyscf import dft, gto

    mol = gto.M(
        atom=[["O", tuple(xyz[0])], ["H", tuple(xyz[1])], ["H", tuple(xyz[2])]],
        basis=BASIS,
        unit="Angstrom",
        charge=0,
        spin=0,
        verbose=0,
    )
    mf = dft.RKS(mol)
    mf.xc = METHOD
    mf.grids.level = GRID_LEVEL
    mf.conv_tol = CONV_TOL
    energy = mf.kernel()
    if not mf.converged:
        raise RuntimeError(f"SCF did not converge for positions {xyz.tolist()}")
    gradient = mf.nuc_grad_method().kernel()  # Hartree/bohr
    dipole = mf.dip_moment(unit="AU", verbose=0)  # e*bohr, electronic + nuclear
    return (
        float(energy) * HARTREE_TO_EV,
        -np.asarray(gradient) * HARTREE_TO_EV / BOHR_TO_ANGSTROM,
        np.asarray(dipole) * BOHR_TO_ANGSTROM,
    )


def frame_text(oh1: float, oh2: float, hoh: float, xyz, energy, forces, dipole) -> str:
    """One extended-XYZ frame (ase.io.read puts energy, forces and dipole in a calculator)."""
    dip = " ".join(_fmt(v, 10) for v in dipole)
    header = (
        'Properties=species:S:1:pos:R:3:forces:R:3 '
        f"OH1={oh1:.2f} OH2={oh2:.2f} HOH={hoh:.1f} "
        f'energy={_fmt(energy, 10)} dipole="{dip}" '
        f'method={METHOD} basis={BASIS} pbc="F F F"'
    )
    lines = ["3", header]
    for symbol, r, f in zip(("O", "H", "H"), xyz, forces, strict=True):
        coords = " ".join(f"{_fmt(v, 12):>18}" for v in r)
        force = " ".join(f"{_fmt(v, 10):>16}" for v in f)
        lines.append(f"{symbol:<2} {coords} {force}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: compute the data set and write it (``--out``); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="water-dipoles.xyz", help="output file")
    parser.add_argument(
        "--limit", type=int, default=None, help="only the first LIMIT frames (for a quick test)"
    )
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        raise SystemExit(f"--limit={args.limit} must be a positive integer")
    frames = grid()[: args.limit]
    start = time.perf_counter()
    chunks = []
    for k, (oh1, oh2, hoh) in enumerate(frames):
        xyz = positions(oh1, oh2, hoh)
        energy, forces, dipole = compute(xyz)
        chunks.append(frame_text(oh1, oh2, hoh, xyz, energy, forces, dipole))
        elapsed = time.perf_counter() - start
        print(f"frame {k:3d}/{len(frames)} OH1={oh1:.2f} HOH={hoh:5.1f} ({elapsed:.0f} s)",
              file=sys.stderr)
    with open(args.out, "w", encoding="ascii", newline="\n") as fh:
        fh.write("".join(chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
