"""Calculators for the model checks' tests: EMT cells, o3ref's ridge dipole model as an ASE
calculator, and broken models, each broken in one known way."""

from __future__ import annotations

import importlib.resources

import ase
import ase.io
import numpy as np
from ase.build import bulk
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.emt import EMT

DATA = importlib.resources.files("o3ref.data") / "water-dipoles.xyz"


def emt_cell(repeat=(1, 1, 1), seed=1) -> ase.Atoms:
    """A rattled periodic Cu/Al fcc cell (4 atoms per cubic cell times ``repeat``)."""
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(repeat)
    atoms.numbers[::3] = 13  # two species: permutations within each
    atoms.rattle(0.05, seed=seed)
    return atoms


def emt_cluster() -> ase.Atoms:
    atoms = ase.Atoms("Cu3Al", positions=[[0, 0, 0], [2.4, 0.3, 0.1], [0.2, 2.3, 0.4],
                                          [1.3, 1.1, 2.0]])
    return atoms


class Wrapped(Calculator):
    """An inner calculator's results, changed by :meth:`modify` (subclasses break it)."""

    implemented_properties = ["energy", "forces", "stress"]

    def __init__(self, inner=None, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner if inner is not None else EMT()

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        frame = self.prepare(self.atoms.copy())
        frame.calc = self.inner
        results = {"energy": frame.get_potential_energy(), "forces": frame.get_forces()}
        if frame.pbc.all():
            results["stress"] = frame.get_stress()
        self.results = self.modify(self.atoms, results)

    def prepare(self, atoms):
        return atoms

    def modify(self, atoms, results):
        return results


class AbsoluteCoordinate(Wrapped):
    """E + k x_0: a term that depends on one absolute coordinate (forces kept consistent)."""

    k = 1e-3

    def modify(self, atoms, results):
        results["energy"] = results["energy"] + self.k * atoms.positions[0, 0]
        forces = results["forces"].copy()
        forces[0, 0] -= self.k
        results["forces"] = forces
        return results


class ScaledForces(Wrapped):
    def modify(self, atoms, results):
        results["forces"] = 1.001 * results["forces"]
        return results


class WrongSignStress(Wrapped):
    def modify(self, atoms, results):
        if "stress" in results:
            results["stress"] = -results["stress"]
        return results


class Float32(Wrapped):
    """EMT seen through float32: positions and cell rounded on the way in, results on the
    way out (a model computing in single precision)."""

    def prepare(self, atoms):
        atoms.set_cell(np.asarray(atoms.cell).astype(np.float32).astype(float),
                       scale_atoms=False)
        atoms.set_positions(atoms.positions.astype(np.float32).astype(float))
        return atoms

    def modify(self, atoms, results):
        return {k: np.asarray(v, dtype=np.float32).astype(float) if k != "energy"
                else float(np.float32(v)) for k, v in results.items()}


class Raising(Wrapped):
    def modify(self, atoms, results):
        raise RuntimeError("the model's backend crashed")


class NaNForces(Wrapped):
    def modify(self, atoms, results):
        results["forces"] = np.full_like(results["forces"], np.nan)
        return results


class MolecularDipole(Calculator):
    """A toy molecular model: LJ-like energy, and a dipole from fixed charges (polar) or
    the cross product of two polar vectors (a pseudo-vector, wrong under inversion)."""

    implemented_properties = ["energy", "forces", "dipole", "polarizability"]

    def __init__(self, pseudo=False, **kwargs):
        super().__init__(**kwargs)
        self.pseudo = pseudo

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        r = self.atoms.positions
        charges = np.where(self.atoms.numbers == 8, -0.8, 0.4)
        diff = r[:, None] - r[None]
        dist2 = (diff**2).sum(-1) + np.eye(len(r))
        energy = 0.5 * np.sum((1 - np.eye(len(r))) / dist2**3)
        forces = np.sum((6 * (1 - np.eye(len(r))) / dist2**4)[:, :, None] * diff, axis=1)
        centre = r.mean(axis=0)
        u = charges @ (r - centre)
        if self.pseudo:
            weights = np.linalg.norm(r - centre, axis=1) ** 2
            v = weights @ (r - centre)
            dipole = np.cross(u, v)
        else:
            dipole = u
        rel = r - centre
        polarizability = np.eye(3) + 0.3 * rel.T @ rel  # a symmetric true rank-2 tensor
        self.results = {"energy": energy, "forces": forces, "dipole": dipole,
                        "polarizability": polarizability}


def water_frames(n=4):
    frames = ase.io.read(DATA, index=":")
    return [ase.Atoms(f.numbers, positions=f.positions) for f in frames[:: len(frames) // n][:n]]


class RidgeDipole(Calculator):
    """o3ref's seed pipeline as an ASE calculator: lambda-SOAP (nu = 2) features of the O
    centre, (sigma, lambda) = (1, 1) block, EquivariantRidge; dipole in (x, y, z)."""

    implemented_properties = ["dipole"]
    HYPERS = {"cutoff": 2.0, "max_radial": 3, "max_angular": 1, "atomic_gaussian_width": 0.3,
              "radial_basis": {"Gto": {}}, "cutoff_function": {"ShiftedCosine": {"width": 0.5}},
              "center_atom_weight": 1.0}

    def __init__(self, model=None, **kwargs):
        super().__init__(**kwargs)
        self.model = model

    @classmethod
    def features(cls, frames):
        from metatensor import Labels

        from o3ref.fast import SphericalExpansion, acdc_standardize_keys, cg_increment

        density = SphericalExpansion(**cls.HYPERS).compute(frames)
        density = density.keys_to_properties(
            Labels(["neighbor_type"], np.array([[1], [8]], dtype=np.int32)))
        nu1 = acdc_standardize_keys(density).keys_to_samples("center_type")
        block = cg_increment(nu1, nu1, lcut=1).block(o3_sigma=1, o3_lambda=1)
        samples = np.asarray(block.samples.values)
        names = list(block.samples.names)
        centre = samples[:, names.index("center_type")]
        return np.asarray(block.values)[centre == 8]  # one O per frame: (frames, 3, k)

    @classmethod
    def trained(cls, n_train=40):
        from o3ref.fast import EquivariantRidge

        frames = ase.io.read(DATA, index=":")[:n_train]
        dipoles = np.array([f.get_dipole_moment() for f in frames])
        X = cls.features([ase.Atoms(f.numbers, positions=f.positions) for f in frames])
        y = dipoles[:, [1, 2, 0]]  # (x, y, z) -> the l = 1 components (y, z, x)
        return cls(EquivariantRidge(alpha=1e-6).fit(X, y))

    def calculate(self, atoms=None, properties=("dipole",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        X = self.features([self.atoms.copy()])
        y = self.model.predict(X)[0]
        self.results = {"dipole": y[[2, 0, 1]]}  # (y, z, x) -> (x, y, z)
