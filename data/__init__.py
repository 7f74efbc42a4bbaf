"""Data shipped with o3ref: exact golden coefficient tables and the water-dipole data set.

Installed as ``o3ref.data``; read files with ``importlib.resources.files("o3ref.data")``,
or load the water data set in one call with :func:`load_water_dipoles`.
"""

from __future__ import annotations

import importlib.resources

__all__ = ["WATER_DIPOLES", "load_water_dipoles"]

#: File name of o3ref's water data set inside this package (see ``README.md`` here).
WATER_DIPOLES = "water-dipoles.xyz"


def load_water_dipoles() -> list:
    """o3ref's water data set: 121 ``ase.Atoms`` frames (O, H, H) with energies, forces and
    dipole moments computed with PBE0/aug-cc-pVDZ (PySCF).

    Units: positions in angstrom (Å); energy in eV (the total PBE0 energy, no reference
    subtracted), from ``atoms.get_potential_energy()``; forces in eV/Å, from
    ``atoms.get_forces()``; dipole moment in e·Å (about the O atom at the origin; the
    molecule is neutral), from ``atoms.get_dipole_moment()``. These are o3ref's own
    numbers, not the seed tutorial's file, which holds Hartree (relative to its minimum),
    Hartree/bohr and e·Å. Geometries, method and frame order: ``o3ref/data/README.md``.

    Frame 81 is the one the seed tutorial rotates (OH1 = 1.05 Å, HOH = 100 degrees):

    >>> frames = load_water_dipoles()
    >>> len(frames), frames[81].get_chemical_formula(), frames[81].info["HOH"]
    (121, 'H2O', 100.0)
    """
    import ase.io

    with importlib.resources.as_file(importlib.resources.files(__name__) / WATER_DIPOLES) as path:
        return ase.io.read(str(path), ":")
