"""A drug beside a frozen carrier fragment in implicit water: the OpenMM system of a binding PMF.

- Drug: GAFF2 + AM1-BCC from :func:`~nanomed.molecular.md.parametrise.parametrise` (cached).
- Carrier: a fragment of :mod:`nanomed.molecular.fragments`, frozen (zero mass, so the integrator never
  moves it and its internal energy is a constant that is left out: all carrier–carrier pairs are
  excluded). Only its non-bonded parameters matter:

  * organic fragments (PLGA/PLA/PCL oligomers, the phosphocholine head group): GAFF2 + AM1-BCC, the
    same route as the drug;
  * gold (Au20 cluster, Au(111) patch): the 12-6 Lennard-Jones Au of Heinz, Vaia, Farmer & Naik,
    J. Phys. Chem. C 112:17281 (2008), ε = 5.29 kcal/mol, σ = 2.629 Å (r_min 2.951 Å), uncharged;
  * silica (the silanol ring): INTERFACE silica of Emami et al., Chem. Mater. 26:2647 (2014):
    Si +1.1, O(Si–O–Si) −0.55, O(Si–O–H) −0.675, H +0.4 e, with their LJ terms.

  Parameters of the inorganic atoms are in ``data/molecular/carrier_nonbonded.yaml`` (CHARMM
  ε, R_min/2 as distributed in CHARMM-INTERFACE v1.5), mixed with GAFF2 by Lorentz–Berthelot.
- Water: OpenMM's built-in ``GBSAOBCForce`` (OBC2) through :func:`~.system.add_obc2`; NoCutoff.
- The centre-of-mass motion remover is left out: with a frozen carrier the drug is the only mobile
  molecule, and removing the system's COM velocity would stop the drug's own translation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import yaml

from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ModelError
from nanomed.data import data_path

__all__ = ["BindingSystem", "contact_distance", "drug_carrier_system"]

KCAL_TO_KJ = 4.184
#: 2^(1/6): R_min = 2^(1/6) σ for a 12-6 potential
_RMIN_PER_SIGMA = 2 ** (1 / 6)


@dataclass
class BindingSystem:
    """An OpenMM system of one drug beside a frozen carrier (no umbrella bias yet).

    Attributes
    ----------
    system : openmm.System
        Drug and carrier, carrier particles with zero mass.
    topology : openmm.app.Topology
        Its topology (drug residue first).
    positions : array (n_atoms, 3)
        Starting positions [nm], carrier centred at the origin.
    drug_atoms, carrier_atoms : list of int
        Atom indices of the drug and of the carrier.
    direction : array (3,)
        Unit vector along which the drug is pulled away from the carrier's centroid.
    description : str
        Force fields and solvent, for provenance.
    """

    system: Any
    topology: Any
    positions: np.ndarray = field(repr=False)
    drug_atoms: list[int] = field(repr=False)
    carrier_atoms: list[int] = field(repr=False)
    direction: np.ndarray
    description: str

    @property
    def carrier_centre(self) -> np.ndarray:
        """Geometric centre of the (frozen) carrier atoms [nm]."""
        return self.positions[self.carrier_atoms].mean(axis=0)

    def drug_masses(self) -> np.ndarray:
        """Masses of the drug atoms [Da]."""
        return np.array([self.system.getParticleMass(i)._value for i in self.drug_atoms])

    def placed(self, distance_nm: float) -> np.ndarray:
        """Positions with the drug's centre of mass ``distance_nm`` from the carrier centre [nm]."""
        pos = self.positions.copy()
        m = self.drug_masses()
        com = m @ pos[self.drug_atoms] / m.sum()
        target = self.carrier_centre + distance_nm * self.direction
        pos[self.drug_atoms] += target - com
        return pos


@cache
def _inorganic_table() -> dict[str, Any]:
    with open(data_path("molecular", "carrier_nonbonded.yaml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _lj(entry: dict[str, float]) -> tuple[float, float, float]:
    """(charge [e], σ [nm], ε [kJ/mol]) from a CHARMM-form entry (ε kcal/mol, R_min/2 Å)."""
    sigma_nm = 2 * float(entry["rmin_half"]) / _RMIN_PER_SIGMA / 10.0
    return float(entry["charge"]), sigma_nm, float(entry["epsilon"]) * KCAL_TO_KJ


def _silica_types(symbols: list[str], xyz: np.ndarray) -> list[str]:
    """INTERFACE atom types of a silanol cluster from its geometry (O bonded to H is a silanol O)."""
    out = []
    for i, s in enumerate(symbols):
        if s == "Si":
            out.append("Si")
        elif s == "H":
            out.append("H_silanol")
        elif s == "O":
            d = np.linalg.norm(xyz - xyz[i], axis=1)
            has_h = any(symbols[j] == "H" and d[j] < 1.2 for j in range(len(symbols)))
            out.append("O_silanol" if has_h else "O_bridge")
        else:
            raise ModelError(f"silica fragment: no INTERFACE type for element {s}")
    return out


def _carrier_atoms(
    carrier: str, charge_method: str
) -> tuple[Any, np.ndarray, list[tuple[float, float, float]], str]:
    """Topology, positions [nm], (charge, σ, ε) per atom and a description of the carrier model."""
    import openmm.app as app
    import openmm.unit as u

    from nanomed.molecular.fragments import build_fragment, fragment_info

    info = fragment_info(carrier)  # unknown carrier -> one-line InputError
    table = _inorganic_table()
    if info["kind"] == "smiles" and "Si" not in info["smiles"]:
        from nanomed.molecular.md.parametrise import parametrise

        frag = parametrise(info["smiles"], residue_name="CAR", charge_method=charge_method)
        top, pos = frag.topology_and_positions()
        sys_c = app.ForceField(str(frag.ffxml)).createSystem(top, nonbondedMethod=app.NoCutoff)
        nb = next(f for f in sys_c.getForces() if f.__class__.__name__ == "NonbondedForce")
        params = []
        for i in range(nb.getNumParticles()):
            q, s, e = nb.getParticleParameters(i)
            params.append((q._value, s._value, e._value))
        xyz = np.array(pos.value_in_unit(u.nanometer))
        return top, xyz, params, f"{carrier} fragment GAFF2/{charge_method.upper()}"
    atoms = build_fragment(carrier)
    symbols = atoms.get_chemical_symbols()
    xyz_a = atoms.get_positions()
    if info["kind"] in ("fcc_cluster", "fcc111_patch"):
        key, types = "gold", symbols
        if set(symbols) != {"Au"}:
            raise ModelError(f"carrier {carrier!r}: only gold has metal LJ parameters here")
    else:
        key, types = "silica", _silica_types(symbols, xyz_a)
    entry = table[key]
    cite(f"carrier_lj:{key}", entry["source"])
    params = [_lj(entry["types"][t]) for t in types]
    if abs(sum(p[0] for p in params)) > 1e-6:
        raise ModelError(f"carrier {carrier!r}: INTERFACE charges do not sum to zero")
    top = app.Topology()
    res = top.addResidue("CAR", top.addChain())
    for k, s in enumerate(symbols):
        top.addAtom(f"{s}{k + 1}", app.Element.getBySymbol(s), res)
    return top, xyz_a / 10.0, params, f"{carrier} fragment, {entry['source'].split(',')[0]} LJ"


def drug_carrier_system(
    smiles: str,
    carrier: str,
    *,
    charge_method: str = "bcc",
    solvent_dielectric: float = 78.5,
) -> BindingSystem:
    """A drug (GAFF2) beside a frozen carrier fragment in OBC2 implicit water.

    Parameters
    ----------
    smiles : str
        The drug.
    carrier : str
        A fragment of :func:`nanomed.molecular.fragments.available_fragments` (``"gold"``,
        ``"gold_slab"``, ``"mesoporous_silica"``, ``"PLGA"``, ``"liposome"`` ...).
    charge_method : str
        ``"bcc"`` (AM1-BCC) or ``"gas"`` (Gasteiger, for quick tests), for the drug and organic carriers.
    solvent_dielectric : float
        Dielectric constant of the implicit solvent [-].

    Raises
    ------
    InputError
        Invalid SMILES, unsupported elements or a carrier without a fragment.
    """
    import openmm as mm
    import openmm.app as app
    import openmm.unit as u

    from nanomed.molecular.md.parametrise import parametrise
    from nanomed.molecular.md.system import add_obc2

    drug = parametrise(smiles, residue_name="DRG", charge_method=charge_method)
    top_d, pos_d = drug.topology_and_positions()
    c_top, c_xyz, c_params, c_desc = _carrier_atoms(carrier, charge_method)
    system = app.ForceField(str(drug.ffxml)).createSystem(
        top_d, nonbondedMethod=app.NoCutoff, constraints=app.HBonds, removeCMMotion=False
    )
    n_drug = system.getNumParticles()
    nb = next(f for f in system.getForces() if isinstance(f, mm.NonbondedForce))
    for q, s, e in c_params:
        system.addParticle(0.0)  # zero mass: frozen
        nb.addParticle(q, s, e)
    carrier_atoms = list(range(n_drug, n_drug + len(c_params)))
    for a, i in enumerate(carrier_atoms):  # the frozen carrier's own energy is a constant
        for j in carrier_atoms[a + 1 :]:
            nb.addException(i, j, 0.0, 1.0, 0.0)
    modeller = app.Modeller(top_d, pos_d)
    c_xyz = c_xyz - c_xyz.mean(axis=0)
    modeller.add(c_top, [mm.Vec3(*p) for p in c_xyz] * u.nanometer)
    add_obc2(system, modeller.topology, solvent_dielectric)
    # pull along the carrier's thinnest principal axis: the normal of a slab patch or a flat fragment
    _, vecs = np.linalg.eigh(np.cov(c_xyz.T))
    direction = vecs[:, 0] / np.linalg.norm(vecs[:, 0])
    positions = np.array(modeller.getPositions().value_in_unit(u.nanometer))
    bs = BindingSystem(
        system, modeller.topology, positions, list(range(n_drug)), carrier_atoms, direction,
        f"drug GAFF2/{charge_method.upper()}; {c_desc}; OBC2 implicit water (eps {solvent_dielectric:g})",
    )  # fmt: skip
    bs.positions = bs.placed(contact_distance(bs) + 0.2)
    return bs


def contact_distance(bs: BindingSystem, gap_nm: float = 0.3) -> float:
    """Smallest centre distance [nm] at which the rigid drug, moved along ``bs.direction``, keeps
    every atom ``gap_nm`` from every carrier atom."""
    carrier = bs.positions[bs.carrier_atoms]

    def clear(r: float) -> bool:
        d = bs.placed(r)[bs.drug_atoms]
        return bool(np.min(np.linalg.norm(d[:, None] - carrier[None], axis=-1)) >= gap_nm)

    lo, hi = 0.0, 1.0
    while not clear(hi):
        hi *= 2
        if hi > 100:  # pragma: no cover - geometry guard
            raise ModelError("contact_distance: the drug never clears the carrier")
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if clear(mid) else (mid, hi)
    return hi


SystemFactory = Callable[[], BindingSystem]


def check_carrier(carrier: str) -> None:
    """Raise a one-line InputError when ``carrier`` has no fragment (before any expensive work)."""
    from nanomed.molecular.fragments import fragment_info

    if not isinstance(carrier, str):
        raise InputError(f"carrier: expected a fragment name, got {carrier!r}")
    fragment_info(carrier)
