"""Calibrate the organ model to concentration–time data, and predict scenarios not fitted.

This joins the generic engine of :mod:`nanomed.calibration` to :func:`simulate_organ`.

Fittable parameters are named by paths:

=====================================  ==========================================================
``nano.<organ>.<field>``               particle parameter of an organ: ``partition``, ``pa``,
                                       ``kmax``, ``k50``, ``hill``, ``krelease``, ``capacity``
                                       (:class:`~nanomed.organ.nanopbpk.NanoOrganParameters`)
``nano.bile``, ``nano.urine``          particle excretion coefficients [L/h/kg^0.75]
``drug.<field>``                       a :class:`~nanomed.schema.Drug` field (``clearance_hepatic``
                                       [L/h/kg], ``fraction_unbound`` ...)
``release.<parameter>``                a parameter of the scenario's release model
``design.<effect>``                    a design multiplier (:mod:`nanomed.organ.design`)
=====================================  ==========================================================

Observations (``scenario,time,compartment,value,unit``; time in h) name a compartment of the
result (``blood``, ``liver``, ``tumour`` ...), optionally with the entity after a colon
(``liver:free_drug``; default: particles for a carrier, free drug for the free-drug control), or
``plasma`` for free drug (blood / blood:plasma ratio). The unit says what is compared: ``%ID``
and ``%ID/g``, a concentration (mg/L, ng/mL ...), a tissue content (µg/g; tissue density taken as
1 g/mL) or an amount (mg).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nanomed.calibration import Calibration, CalibrationResult, FitParameter
from nanomed.core.errors import InputError
from nanomed.core.units import convert, normalise_unit, ureg
from nanomed.organ.design import design_effects
from nanomed.organ.nanopbpk import NanoParameters, get_nano_parameters
from nanomed.organ.outputs import OrganResult
from nanomed.organ.simulate import simulate_organ
from nanomed.schema import Scenario

__all__ = ["PBPKSimulator", "calibrate_pbpk", "predict_pbpk", "scenario_with_parameters"]

ENTITIES = ("particles", "encapsulated_drug", "free_drug")


def _target(unit: str) -> tuple[str, float]:
    """Result column and factor that turn nanomed's value into ``unit``."""
    u = normalise_unit(unit)
    if "percent_ID" in u:
        if "/" in u:
            return "percent_id_per_g", convert(1.0, "percent_ID/g", u)
        return "percent_id", convert(1.0, "percent_ID", u)
    dim = ureg.Quantity(1.0, u).dimensionality
    if dim == ureg.Quantity(1.0, "mg/L").dimensionality:
        return "concentration", convert(1.0, "mg/L", u)
    if dim == ureg.Quantity(1.0, "mg").dimensionality:
        return "amount", convert(1.0, "mg", u)
    if not dim:  # mass ratio such as µg/g: tissue density 1 g/mL, so mg/L == mg/kg
        return "concentration", convert(1.0, "mg/kg", u)
    raise InputError(f"unit {unit!r}: not a %ID, concentration, tissue content or amount")


def scenario_with_parameters(
    scenario: Scenario, params: Mapping[str, float], nano: NanoParameters | None = None
) -> tuple[Scenario, dict[str, Any]]:
    """Apply parameter paths to a scenario; return it and the options for simulate_organ."""
    nano = nano or get_nano_parameters()
    drug_updates: dict[str, float] = {}
    release: dict[str, float] = {}
    design: dict[str, float] = {}
    for name, value in params.items():
        parts = name.split(".")
        head = parts[0]
        if head == "nano" and len(parts) == 3:
            nano = nano.with_organ(parts[1], **{parts[2]: float(value)})
        elif head == "nano" and len(parts) == 2 and parts[1] in ("bile", "urine"):
            from dataclasses import replace

            nano = replace(nano, **{parts[1]: float(value)})
        elif head == "drug" and len(parts) == 2:
            drug_updates[parts[1]] = float(value)
        elif head == "release" and len(parts) == 2:
            release[parts[1]] = float(value)
        elif head == "design" and len(parts) == 2:
            design[parts[1]] = float(value)
        else:
            raise InputError(
                f"fit parameter {name!r}: expected nano.<organ>.<field>, nano.bile, nano.urine, "
                "drug.<field>, release.<parameter> or design.<effect>"
            )
    if drug_updates:
        drug = scenario.formulation.drug
        if drug is None:
            raise InputError(f"scenario {scenario.name!r}: drug.* parameters need a drug")
        # validated like a drug read from a file (model_copy would skip the checks and accept
        # unknown fields: a misspelt drug.* parameter would be fitted without any effect)
        new_drug = type(drug).from_dict(
            {**drug.model_dump(), **drug_updates}, where=f"scenario {scenario.name!r}: drug"
        )
        form = scenario.formulation.model_copy(update={"drug": new_drug})
        scenario = scenario.model_copy(update={"formulation": form})
    options: dict[str, Any] = {"nano": nano}
    if design:
        design_effects(None, overrides=design)  # unknown names and bad values are found now
        options["design_overrides"] = design
    # the same release step as `nanomed run`: the release bridge, then any fitted overrides
    from nanomed.coupling.bridges import release_bridge

    model = release_bridge(scenario.formulation)[0] if scenario.levels.release else None
    if release:
        if model is None:
            raise InputError(f"scenario {scenario.name!r}: release.* parameters need a release")
        model = model.with_values(**release)
    options["release_model"] = model
    return scenario, options


@dataclass
class PBPKSimulator:
    """``simulate(params, scenario_name)`` for :class:`~nanomed.calibration.Calibration`.

    Parameters
    ----------
    scenarios : dict
        Scenario name (as in the observations) → :class:`~nanomed.schema.Scenario`.
    requested : dict
        Scenario name → table of (time, compartment, unit) to predict.
    options : dict
        Fixed options for :func:`simulate_organ` (solver, rtol ...).
    """

    scenarios: Mapping[str, Scenario]
    requested: dict[str, pd.DataFrame] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def organ(self, params: Mapping[str, float], name: str) -> OrganResult:
        """The organ result of a scenario under ``params``."""
        if name not in self.scenarios:
            raise InputError(f"no scenario file for {name!r} (known: {', '.join(self.scenarios)})")
        scenario, opts = scenario_with_parameters(self.scenarios[name], params)
        release = opts.pop("release_model", None)
        return simulate_organ(scenario, release, **{**self.options, **opts})

    def __call__(self, params: dict[str, float], name: str) -> pd.DataFrame:
        req = self.requested[name]
        res = self.organ(params, name)
        scenario = self.scenarios[name]
        default_entity = "free_drug" if scenario.formulation.carrier is None else "particles"
        rows = []
        for (comp, unit), g in req.groupby(["compartment", "unit"], sort=False):
            organ, _, entity = str(comp).partition(":")
            entity = entity or default_entity
            if entity not in ENTITIES:
                raise InputError(f"compartment {comp!r}: entity must be one of {ENTITIES}")
            column, factor = _target(unit)
            scale = 1.0
            if organ == "plasma":
                if entity != "free_drug":
                    raise InputError(f"compartment {comp!r}: plasma is for free drug; use blood")
                organ = "blood"
                drug = scenario.formulation.drug
                scale = 1.0 / (drug.blood_plasma_ratio or 1.0) if drug else 1.0
            s = res.series(organ, entity, column)
            t = g["time"].to_numpy(float)
            value = np.interp(t, s.index.to_numpy(), s.to_numpy()) * factor * scale
            rows.append(pd.DataFrame({"time": t, "compartment": comp, "value": value}))
        return pd.concat(rows, ignore_index=True)


def calibrate_pbpk(
    observations: str | pd.DataFrame,
    scenarios: Mapping[str, Scenario],
    parameters: Sequence[FitParameter],
    *,
    profile: Sequence[str] | bool = (),
    **options: Any,
) -> tuple[CalibrationResult, PBPKSimulator]:
    """Fit organ-model parameters to observations of several scenarios at once.

    Returns the calibration result and the simulator (for :func:`predict_pbpk`).
    """
    sim = PBPKSimulator(scenarios, {}, dict(options))
    cal = Calibration(sim, parameters, observations, time_unit="h")
    missing = [s for s in cal.scenarios if s not in scenarios]
    if missing:
        raise InputError(f"observations name scenario(s) without a file: {', '.join(missing)}")
    sim.requested = {s: cal.requested(s) for s in cal.scenarios}
    # a time after the run's end would be compared with the last simulated time
    where = "observations" if isinstance(observations, pd.DataFrame) else str(observations)
    for r in cal.data.itertuples():
        duration = scenarios[r.scenario].duration
        if r.time > duration:
            raise InputError(
                f"{where} row {r.row}: time {r.time:g} h is after the end of scenario "
                f"{r.scenario!r} (duration {duration:g} h)"
            )
    _check_bounds(parameters, scenarios[cal.scenarios[0]])
    return cal.fit(profile=profile), sim


def _check_bounds(parameters: Sequence[FitParameter], scenario: Scenario) -> None:
    """Every bound must be a valid value of its parameter: found now, not mid-fit."""
    for p in parameters:
        try:  # the name first: an unknown field is not the fault of a bound
            scenario_with_parameters(scenario, {p.name: p.initial})
        except InputError as exc:
            msg = str(exc)
            raise InputError(
                msg if msg.startswith("fit parameter") else f"fit parameter {p.name!r}: {msg}"
            ) from None
        for label, value in (("lower", p.lower), ("upper", p.upper)):
            if not np.isfinite(value):
                continue  # an open interval end
            try:
                scenario_with_parameters(scenario, {p.name: value})
            except InputError as exc:
                raise InputError(
                    f"fit parameter {p.name!r}: {label} bound {value:g} is not a valid value "
                    f"({exc})"
                ) from None


def predict_pbpk(result: CalibrationResult, scenario: Scenario, **options: Any) -> OrganResult:
    """Simulate a scenario (fitted or new) with the shared fitted parameters of ``result``."""
    shared = {
        e["parameter"]: e["estimate"] for e in result.metadata["estimates"] if not e["scenario"]
    }
    fitted = result.metadata["values"].get(scenario.name, {})
    per = [p["name"] for p in result.metadata["parameters"] if p.get("scope") == "per_scenario"]
    unused = [name for name in per if name not in fitted]
    if unused:  # fitted for other scenarios only: the new one keeps its own (default) value
        warnings.warn(
            f"scenario {scenario.name!r}: per-scenario parameter(s) {', '.join(unused)} were "
            f"fitted for {', '.join(result.metadata['values']) or 'other scenarios'} only; "
            "the scenario's own (default) value is used",
            UserWarning,
            stacklevel=2,
        )
    sim = PBPKSimulator({scenario.name: scenario}, {}, dict(options))
    return sim.organ({**shared, **fitted}, scenario.name)
