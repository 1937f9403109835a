"""Molecular scale: from a drug's structure and a carrier material to the numbers the release scale needs.

Fast estimates (RDKit descriptors, group-contribution solubility parameters, Flory–Huggins χ,
Wilke–Chang and free-volume diffusivities) run by default; GFN-xTB binding energies
(:mod:`nanomed.molecular.xtb`) and OpenMM molecular dynamics (:mod:`nanomed.molecular.md`) are the
heavier levels. Every value of a :class:`MolecularProfile` records its provenance. RDKit, tblite and
OpenMM are imported lazily, inside the functions that use them.
"""

from nanomed.molecular.bridge import release_model_for, release_parameters
from nanomed.molecular.descriptors import (
    ChargeState,
    Descriptors,
    charge_state,
    compute_descriptors,
    fill_drug,
    molecule_from_smiles,
)
from nanomed.molecular.diffusivity import (
    free_volume_diffusivity,
    hayduk_laudie,
    stokes_einstein,
    water_viscosity,
    wilke_chang,
)
from nanomed.molecular.md.binding import BindingFreeEnergy, binding_free_energy
from nanomed.molecular.profile import MolecularProfile, ProfileValue, molecular_profile
from nanomed.molecular.solubility import (
    Compatibility,
    HansenParameters,
    compatibility,
    group_contribution_hansen,
)

__all__ = [
    "BindingFreeEnergy",
    "ChargeState",
    "Compatibility",
    "Descriptors",
    "HansenParameters",
    "MolecularProfile",
    "ProfileValue",
    "binding_free_energy",
    "charge_state",
    "compatibility",
    "compute_descriptors",
    "fill_drug",
    "free_volume_diffusivity",
    "group_contribution_hansen",
    "hayduk_laudie",
    "molecular_profile",
    "molecule_from_smiles",
    "release_model_for",
    "release_parameters",
    "stokes_einstein",
    "water_viscosity",
    "wilke_chang",
]
