"""Cellular scale: in-vitro dosimetry, uptake, trafficking and intracellular release, cytotoxicity,
spheroid penetration, fitting of time courses, and the bridge to the organ scale.

Each module holds one model; see ``docs/cellular/`` for the equations and their sources.
"""

from nanomed.cellular.agglomerate import effective_density_fractal, effective_density_vcm
from nanomed.cellular.bridge import cellular_rates
from nanomed.cellular.cytotoxicity import EmaxHill, kill_survival
from nanomed.cellular.dosimetry import (
    DosimetryResult,
    Medium,
    ParticleType,
    PerfectSink,
    ReversibleBinding,
    fit_deposition_rate,
    settling_velocity,
    simulate_dosimetry,
    stokes_einstein_diffusivity,
)
from nanomed.cellular.fitting import fit_timecourse, read_timecourse
from nanomed.cellular.spheroid import SpheroidResult, hindered_diffusivity, simulate_spheroid
from nanomed.cellular.trafficking import CellSimulation, simulate_cell
from nanomed.cellular.uptake import (
    CarrierSurface,
    UptakeModel,
    macrophage_uptake_rate,
    wrapping_time_s,
)

__all__ = [
    "CarrierSurface",
    "CellSimulation",
    "DosimetryResult",
    "EmaxHill",
    "Medium",
    "ParticleType",
    "PerfectSink",
    "ReversibleBinding",
    "SpheroidResult",
    "UptakeModel",
    "cellular_rates",
    "effective_density_fractal",
    "effective_density_vcm",
    "fit_deposition_rate",
    "fit_timecourse",
    "hindered_diffusivity",
    "kill_survival",
    "macrophage_uptake_rate",
    "read_timecourse",
    "settling_velocity",
    "simulate_cell",
    "simulate_dosimetry",
    "simulate_spheroid",
    "stokes_einstein_diffusivity",
    "wrapping_time_s",
]
