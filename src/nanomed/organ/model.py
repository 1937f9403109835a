"""The combined organ model: particles, carrier-bound (encapsulated) drug and free drug.

* Particles follow :class:`~nanomed.organ.nanopbpk.NanoPBPK`.
* Encapsulated drug moves exactly as its carrier: its states copy every particle flux (same rate
  constants, Hill factors and the *particles'* phagocyte saturation). In each compartment it is
  released into the free drug of that organ at the hazard rate ``h_env(age)`` of the release model
  (``release_rate = f'/(1-f)``) in the compartment's environment — plasma in blood, tissue (tumour
  interstitium) in tissue, lysosome in phagocytes — so that a carrier population of age ``a`` that
  stayed in one environment has released exactly ``f_env(a)``.
* Repeated doses: each dose is its own cohort of encapsulated-drug states, with its own age; the
  particles themselves need no cohorts (their transport does not depend on age). An infusion's
  cohort ages from the infusion start (approximation).
* Free drug follows :class:`~nanomed.organ.drugpbpk.DrugPBPK`.

The model is declared as a :class:`~nanomed.organ.fluxes.FluxTable` and compiled into an ODE
problem for :mod:`nanomed.solvers`; sinks (urine, faeces, metabolised) close the mass balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nanomed.core.errors import InputError, ModelError
from nanomed.core.units import convert
from nanomed.organ.design import DesignEffects
from nanomed.organ.dosing import DoseEvent
from nanomed.organ.drugpbpk import DrugPBPK
from nanomed.organ.fluxes import FluxSystem, FluxTable, HazardTable
from nanomed.organ.immune import ABC_PARAMETERS, abc_active
from nanomed.organ.nanopbpk import ARTERIAL_FRACTION, NanoParameters, NanoPBPK
from nanomed.organ.physiology import Physiology
from nanomed.release.base import ReleaseModel
from nanomed.schema import Formulation

__all__ = ["OrganModel", "StateInfo", "hazard_table"]

#: largest release hazard used [1/h]: keeps near-instant release finite (mass balance unaffected)
MAX_HAZARD = 1e3


@dataclass(frozen=True)
class StateInfo:
    """What a state holds: entity, compartment (``liver.pc``), organ, sub-compartment, cohort."""

    entity: str
    compartment: str
    organ: str
    sub: str
    cohort: int = 0


def _split(compartment: str) -> tuple[str, str]:
    if "." in compartment:
        organ, sub = compartment.split(".", 1)
        return organ, sub
    if compartment in ("arterial", "venous"):
        return "blood", compartment
    return "excreted", compartment


def hazard_table(
    model: ReleaseModel, environment: str, t_dose: float, horizon: float, n: int = 400
) -> HazardTable:
    """Tabulate a release model's hazard [1/h] on ages 0 .. ``horizon`` [h] (log-spaced)."""
    ages_h = np.concatenate([[0.0], np.geomspace(1e-4, max(horizon, 1e-3), n)])
    to_model = convert(1.0, "h", model.time_unit)
    try:
        rates = np.asarray(model.release_rate(ages_h * to_model, environment), dtype=float)
    except Exception as exc:
        raise ModelError(
            f"release model {getattr(model, 'name', type(model).__name__)!r} failed in "
            f"{environment!r}: {exc}"
        ) from None
    rates = rates * to_model  # 1/model_unit -> 1/h
    rates = np.where(np.isfinite(rates), np.clip(rates, 0.0, MAX_HAZARD), MAX_HAZARD)
    if rates.size > 1 and rates[0] == 0 and rates[1] > 0:
        rates[0] = rates[1]  # singular hazards at age 0 (e.g. Higuchi) start at their first value
    return HazardTable(t_dose, ages_h, rates)


@dataclass
class OrganModel:
    """Declare the whole organ-scale model for one scenario.

    Equations: the composition is nanomed's own, not taken from one paper. Its parts: particles
    after Lin et al., Nanotoxicology 10:162 (2016) and Chou et al., J Control Release 361:53 (2023)
    (:class:`NanoPBPK`); free drug after Jones & Rowland-Yeo, CPT Pharmacometrics Syst Pharmacol
    2:e63 (2013) (:class:`DrugPBPK`); release from the chosen release model (its own source),
    entering as its hazard h = f'/(1 - f) (module docstring).

    Parameters
    ----------
    physiology : Physiology
        Subject physiology (with tumour if any).
    formulation : Formulation
        The formulation (free drug when ``carrier`` is None).
    doses : list of DoseEvent
        Administrations.
    nano : NanoParameters
        Particle parameters.
    effects : DesignEffects
        Design multipliers.
    release : ReleaseModel or None
        Release model; None: the drug stays in the carrier.
    kp : dict
        Free-drug tissue:plasma partition by organ.
    horizon : float
        Simulated time [h] (for the release hazard tables).
    abc : bool
        Apply accelerated blood clearance to PEGylated repeated doses.
    name : str
        Name of the parameter set (errors and metadata).
    """

    physiology: Physiology
    formulation: Formulation
    doses: list[DoseEvent]
    nano: NanoParameters
    effects: DesignEffects = field(default_factory=DesignEffects)
    release: ReleaseModel | None = None
    kp: dict[str, float] = field(default_factory=dict)
    horizon: float = 168.0
    abc: bool = True
    name: str = "scenario"
    kp_assumed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.doses:
            raise InputError(f"{self.name}: no doses")
        self.table = FluxTable()
        self.info: list[StateInfo] = []
        self.dose_scale = {
            e: max(d.amount(e) for d in self.doses)
            for e in ("particles", "encapsulated_drug", "free_drug")
        }
        self._declare()

    # -- declaration ----------------------------------------------------------------------
    def _declare(self) -> None:
        tab, phys, form = self.table, self.physiology, self.formulation
        has_carrier = form.carrier is not None
        has_drug = form.drug is not None
        t_first = min(d.time for d in self.doses)
        p_idx: dict[str, int] = {}
        if has_carrier:
            abc_steps: list[tuple[float, float]] = []
            flags = abc_active([d.time for d in self.doses], form.carrier.pegylated)
            if self.abc and any(flags):
                abc_steps = [(d.time, float(f)) for d, f in zip(self.doses, flags, strict=True)]
            nano = NanoPBPK(
                phys,
                self.nano,
                self.effects,
                abc_steps=abc_steps,
                abc_rate=ABC_PARAMETERS["rate"].value,
                t_first_dose=t_first,
            )
            p_idx = nano.declare(tab)
            self._record(p_idx, "particles", 0)
        f_idx: dict[str, int] = {}
        if has_drug:
            drug = DrugPBPK(phys, form.drug, self.kp)
            f_idx = drug.declare(tab)
            self._record(f_idx, "free_drug", 0)
        # encapsulated drug: one cohort per dose with a release model, else a single one
        enc_doses = [d for d in self.doses if d.encapsulated_drug > 0]
        cohorts = (
            [(i, [d]) for i, d in enumerate(enc_doses)]
            if self.release is not None
            else ([(0, enc_doses)] if enc_doses else [])
        )
        movable = {c: i for c, i in p_idx.items() if c not in ("urine", "faeces")}
        for c, dlist in cohorts:
            e_idx = {comp: tab.state(f"encapsulated_drug[{c}]:{comp}") for comp in p_idx}
            self._record(e_idx, "encapsulated_drug", c)
            tab.copy_fluxes({p_idx[k]: e_idx[k] for k in p_idx})
            if self.release is not None:
                hz = {
                    env: tab.add_hazard(
                        hazard_table(self.release, env, dlist[0].time, self.horizon)
                    )
                    for env in {NanoPBPK.environment(k) for k in movable}
                }
                for comp in movable:
                    dest = f_idx[DrugPBPK.organ_of(comp)]
                    tab.flux(e_idx[comp], dest, 1.0, hazard=hz[NanoPBPK.environment(comp)])
            for d in dlist:
                self._dose(d.time, d.duration, e_idx["venous"], d.encapsulated_drug)
        for d in self.doses:
            if d.particles > 0:
                self._dose(d.time, d.duration, p_idx["venous"], d.particles)
            if d.free_drug > 0:
                self._dose(d.time, d.duration, f_idx["venous"], d.free_drug)
        for i, s in enumerate(self.info):
            scale = self.dose_scale["particles" if s.entity == "particles" else "free_drug"]
            if s.entity != "particles":
                scale = max(self.dose_scale["encapsulated_drug"], self.dose_scale["free_drug"])
            # an entity never dosed (e.g. no drug encapsulated) still needs atol > 0 (CVODE)
            tab.atol[i] = 1e-10 * (scale if scale > 0 else 1.0)

    def _record(self, idx: dict[str, int], entity: str, cohort: int) -> None:
        for comp, i in idx.items():
            if i != len(self.info):
                raise ModelError("states must be recorded in declaration order")
            organ, sub = _split(comp)
            self.info.append(StateInfo(entity, comp, organ, sub, cohort))

    def _dose(self, t: float, duration: float, state: int, amount: float) -> None:
        if duration > 0:
            self.table.infusion(t, t + duration, state, amount / duration)
        else:
            self.table.bolus(t, state, amount)

    # -- compiled ---------------------------------------------------------------------------
    @property
    def first_dose(self) -> float:
        """Time of the first dose [h]."""
        return min(d.time for d in self.doses)

    def compile(self) -> FluxSystem:
        """The compiled :class:`FluxSystem` (rhs, Jacobian, ODE problem)."""
        return self.table.compile(self.name)

    def entity_mask(self, entity: str) -> np.ndarray:
        """Boolean mask of the states of an entity."""
        return np.array([s.entity == entity for s in self.info])

    def volumes(self) -> dict[str, float]:
        """Volume [L] of every compartment name used in outputs."""
        phys = self.physiology
        v = {
            "arterial": ARTERIAL_FRACTION * phys.central_blood_volume,
            "venous": (1 - ARTERIAL_FRACTION) * phys.central_blood_volume,
            "blood": phys.central_blood_volume,
        }
        for name, org in phys.organs.items():
            v[name] = org.volume
            v[f"{name}.blood"] = org.blood_volume
            v[f"{name}.tissue"] = org.tissue_volume
            v[f"{name}.pc"] = org.volume
        return v
