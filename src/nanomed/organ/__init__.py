"""Organ scale: where the particles and their drug go in the body.

A membrane-limited nano-PBPK with phagocytic cells (MPS) per organ, tumour EPR and tumour
phagocytes (Lin 2016; Cheng 2020; Chou 2023) carries the particles; the encapsulated drug moves
with them and is released by the release scale's model in each compartment's environment; the
free drug follows a perfusion-limited small-molecule PBPK. Design parameters act through the
replaceable effect functions of :mod:`nanomed.organ.design`; immune effects (MPS saturation,
accelerated blood clearance, opsonisation) live in :mod:`nanomed.organ.immune`.

>>> from nanomed.organ import get_physiology
>>> get_physiology("rat").species
'rat'
"""

from nanomed.organ.design import (
    DESIGN_EFFECTS,
    DesignEffects,
    design_effects,
    register_design_effect,
)
from nanomed.organ.dosing import DoseEvent, dose_events
from nanomed.organ.drugpbpk import DrugPBPK, resolve_partition
from nanomed.organ.fluxes import FluxSystem, FluxTable
from nanomed.organ.immune import abc_active, opsonisation_factor
from nanomed.organ.model import OrganModel
from nanomed.organ.nanopbpk import (
    NanoOrganParameters,
    NanoParameters,
    NanoPBPK,
    get_nano_parameters,
)
from nanomed.organ.outputs import OrganResult
from nanomed.organ.partition import tissue_partition
from nanomed.organ.pbpk_fit import calibrate_pbpk, predict_pbpk
from nanomed.organ.pd import SimeoniTGI, tgi_percent
from nanomed.organ.physiology import Organ, Physiology, available_physiologies, get_physiology
from nanomed.organ.simulate import (
    build_organ_model,
    organ_result,
    output_times,
    simulate_many,
    simulate_organ,
    solve_organ_model,
)

__all__ = [
    "DESIGN_EFFECTS",
    "DesignEffects",
    "DoseEvent",
    "DrugPBPK",
    "FluxSystem",
    "FluxTable",
    "NanoOrganParameters",
    "NanoPBPK",
    "NanoParameters",
    "Organ",
    "OrganModel",
    "OrganResult",
    "Physiology",
    "SimeoniTGI",
    "abc_active",
    "available_physiologies",
    "build_organ_model",
    "calibrate_pbpk",
    "design_effects",
    "dose_events",
    "get_nano_parameters",
    "get_physiology",
    "opsonisation_factor",
    "organ_result",
    "output_times",
    "predict_pbpk",
    "register_design_effect",
    "resolve_partition",
    "simulate_many",
    "simulate_organ",
    "solve_organ_model",
    "tgi_percent",
    "tissue_partition",
]
