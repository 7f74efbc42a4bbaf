"""Structures and their labels: the seed's water set and condensed-phase boxes
(:mod:`.water`) and the tutorial's targets read as metatensor blocks (:mod:`.targets`).

Imports only the verify root vocabulary.

Conventions: :mod:`o3ref.reference.conventions`.
"""

from .targets import (
    dipole_tensor,
    energy_block,
    frame_dipole,
    frame_energy,
    frame_forces,
    read_frames,
    spherical_to_xyz,
    xyz_to_spherical,
)
from .water import seed_water_frame, seed_water_frames, sparse_box, thin_cell, water_box

__all__ = ["seed_water_frame", "seed_water_frames", "sparse_box", "thin_cell", "water_box",
           "dipole_tensor", "energy_block", "frame_dipole", "frame_energy", "frame_forces",
           "read_frames", "spherical_to_xyz", "xyz_to_spherical"]
