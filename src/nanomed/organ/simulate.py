"""Run the organ-scale model for a :class:`~nanomed.schema.Scenario`: ``simulate_organ``.

The steps are public so that callers (CLI, coupling, sweeps, calibration) can stop anywhere:
:func:`build_organ_model` declares the model, :func:`solve_organ_model` integrates it and
:func:`organ_result` turns the states into an :class:`OrganResult`. :func:`simulate_many` runs
many scenarios through the batched solver path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nanomed.core.citations import citations
from nanomed.core.errors import InputError, NanomedError, SolverError
from nanomed.organ.design import DesignEffects, design_effects
from nanomed.organ.dosing import administered, dose_events
from nanomed.organ.drugpbpk import resolve_partition
from nanomed.organ.model import OrganModel
from nanomed.organ.nanopbpk import NanoParameters, get_nano_parameters
from nanomed.organ.outputs import OrganResult
from nanomed.organ.physiology import Physiology, get_physiology
from nanomed.release.base import ReleaseModel
from nanomed.schema import Scenario
from nanomed.solvers import ODESolution, ODESolver, get_solver, solve_batch

__all__ = [
    "build_organ_model",
    "organ_result",
    "output_times",
    "simulate_many",
    "simulate_organ",
    "solve_organ_model",
]

#: largest relative mass-balance error accepted before a result is refused
MASS_BALANCE_TOL = 1e-6


def _release_model(scenario: Scenario, release_model: ReleaseModel | None) -> ReleaseModel | None:
    if release_model is not None:
        return release_model
    spec = scenario.formulation.release
    if spec is None or scenario.formulation.carrier is None or scenario.formulation.drug is None:
        return None
    from nanomed.release.base import get_release_model

    return get_release_model(spec.model, **spec.parameters)


def build_organ_model(
    scenario: Scenario,
    release_model: ReleaseModel | None = None,
    *,
    physiology: Physiology | None = None,
    nano: NanoParameters | None = None,
    effects: DesignEffects | None = None,
    design_overrides: dict[str, float] | None = None,
    opsonin_fraction: float | None = None,
    mps_saturation: bool = True,
    abc: bool = True,
    partition_method: str = "rodgers_rowland",
) -> OrganModel:
    """Declare the organ model of a scenario (no solving).

    Parameters
    ----------
    scenario : Scenario
        Formulation, subject, tumour, dosing and duration.
    release_model : ReleaseModel, optional
        Release of the drug from the carrier; default: ``formulation.release`` if given, else none.
    physiology : Physiology, optional
        Default: the species table at the subject's body weight, with the scenario's tumour.
    nano : NanoParameters, optional
        Particle parameters; default: the generic set of Chou 2023.
    effects : DesignEffects, optional
        Design multipliers; default: :func:`~nanomed.organ.design.design_effects` of the carrier.
    design_overrides : dict, optional
        Fix some design effects (``{"mps_uptake": 1.0}``).
    opsonin_fraction : float, optional
        Opsonin share of a measured protein corona [-].
    mps_saturation : bool
        Apply the phagocytic capacity (saturation at high doses).
    abc : bool
        Apply accelerated blood clearance to PEGylated repeated doses.
    partition_method : str
        Kp method when the drug has no ``tissue_partition``.
    """
    subj = scenario.subject
    if physiology is None:
        physiology = get_physiology(
            subj.species.value,
            subj.body_weight,
            scenario.tumour.mass if scenario.tumour is not None else None,
        )
    nano = nano or get_nano_parameters()
    if not mps_saturation:
        nano = nano.without_capacity()
    carrier = scenario.formulation.carrier
    if effects is None:
        if opsonin_fraction is None and carrier is not None:
            opsonin_fraction = carrier.opsonin_fraction  # measured corona, if given
        effects = design_effects(
            carrier, overrides=design_overrides, opsonin_fraction=opsonin_fraction
        )
    release = _release_model(scenario, release_model)
    burst = 0.0
    if release is not None:
        # drug released at t = 0 (burst) leaves the carrier on injection, in plasma
        burst = float(release.fraction_released(0.0, "plasma"))
    doses = dose_events(scenario.formulation, scenario.dosing, physiology.body_weight, burst)
    drug = scenario.formulation.drug
    kp, assumed = resolve_partition(drug, physiology, partition_method) if drug else ({}, [])
    model = OrganModel(
        physiology,
        scenario.formulation,
        doses,
        nano,
        effects,
        release,
        kp,
        float(scenario.duration),
        abc,
        scenario.name,
    )
    model.kp_assumed = assumed
    return model


def output_times(scenario: Scenario, first_dose: float = 0.0) -> np.ndarray:
    """Output grid [h]: every ``output_interval`` to ``duration``, plus 24 h and 168 h (for DE)."""
    t = np.arange(0.0, scenario.duration + 1e-9, scenario.output_interval)
    extra = [first_dose + 24.0, first_dose + 168.0, float(scenario.duration)]
    t = np.concatenate([t, [x for x in extra if x <= scenario.duration]])
    return np.unique(np.round(t, 9))


def solve_organ_model(
    model: OrganModel,
    t_eval: Sequence[float],
    solver: str | ODESolver = "cvode",
    rtol: float = 1e-6,
) -> ODESolution:
    """Integrate a declared model; failures raise :class:`SolverError` naming the parameter set."""
    return get_solver(solver, rtol).solve(model.compile().problem(), t_eval)


def organ_result(
    model: OrganModel,
    sol: ODESolution,
    *,
    keep_states: bool = False,
    pd_model: Callable[[np.ndarray, np.ndarray], pd.DataFrame] | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> OrganResult:
    """Aggregate the states into an :class:`OrganResult` and check the mass balance."""
    t, y = sol.t, sol.y
    info = model.info
    vols = model.volumes()
    doses = model.doses
    # total injected per entity (drug entities against the total drug dose)
    drug_total = sum(d.encapsulated_drug + d.free_drug for d in doses)
    total = {
        "particles": sum(d.particles for d in doses),
        "encapsulated_drug": drug_total,
        "free_drug": drug_total,
    }
    groups: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(info):
        comp = s.organ if s.organ not in ("excreted",) else s.sub
        groups.setdefault((comp, s.entity), []).append(i)
    # one matrix product aggregates the states into (compartment, entity) curves
    keys = list(groups)
    agg = np.zeros((len(info), len(keys)))
    for j, key in enumerate(keys):
        agg[groups[key], j] = 1.0
    amount = y @ agg  # (time, group)
    vol = np.array([vols.get(c, 0.0) for c, _ in keys])
    tot = np.array([total[e] for _, e in keys])
    safe_v = np.where(vol > 0, vol, 1.0)
    conc = np.where(vol > 0, amount / safe_v, 0.0)
    pid = np.where(tot > 0, 100.0 * amount / np.where(tot > 0, tot, 1.0), 0.0)
    pidg = np.where(vol > 0, pid / (safe_v * 1000.0), 0.0)
    nt, ng = amount.shape
    data = pd.DataFrame(
        {
            "time": np.tile(t, ng),
            "compartment": np.repeat(np.array([c for c, _ in keys], dtype=object), nt),
            "entity": np.repeat(np.array([e for _, e in keys], dtype=object), nt),
            "amount": amount.T.ravel(),
            "concentration": conc.T.ravel(),
            "percent_id": pid.T.ravel(),
            "percent_id_per_g": pidg.T.ravel(),
        }
    )
    num = data.select_dtypes("number").to_numpy()
    if not np.all(np.isfinite(num)):
        raise SolverError(f"{model.name}: non-finite values in the organ outputs")
    # mass balance: particles; drug = encapsulated + free
    balance = []
    worst = 0.0
    for label, ents in (
        ("particles", ("particles",)),
        ("drug", ("encapsulated_drug", "free_drug")),
    ):
        mask = np.array([s.entity in ents for s in info])
        if not mask.any():
            continue
        in_body = y[:, mask].sum(axis=1)
        given = sum(administered(doses, e, t) for e in ents)
        scale = max(given.max(), 1e-300)
        err = np.abs(in_body - given) / scale
        worst = max(worst, float(err.max()))
        balance += [
            {
                "time": float(a),
                "entity": label,
                "total": float(b),
                "administered": float(c),
                "relative_error": float(e),
            }
            for a, b, c, e in zip(t, in_body, given, err, strict=True)
        ]
    if worst > MASS_BALANCE_TOL:
        raise SolverError(
            f"{model.name}: mass balance violated (relative error {worst:.2e} > {MASS_BALANCE_TOL:g})"
        )
    form = model.formulation
    meta: dict[str, Any] = {
        "model": "nanomed.organ (nano-PBPK + free-drug PBPK)",
        "scenario": model.name,
        "physiology": model.physiology.name,
        "body_weight_kg": model.physiology.body_weight,
        "first_dose": min(d.time for d in doses),
        "doses": [d.__dict__ for d in doses],
        "design_effects": model.effects.__dict__,
        "release_model": model.release.describe() if model.release is not None else None,
        "kp": model.kp,
        "kp_assumed": getattr(model, "kp_assumed", []),
        "blood_plasma_ratio": (form.drug.blood_plasma_ratio or 1.0) if form.drug else 1.0,
        "solver": sol.backend,
        "rhs_calls": sol.n_rhs,
        "mass_balance_error": worst,
        "mass_balance": balance,
        "units": {"time": "h", "amount": "mg", "concentration": "mg/L"},
        "citations": citations(),
    }
    meta.update(extra_metadata or {})
    states = pd.DataFrame(y, columns=model.table.names).assign(time=t) if keep_states else None
    pd_data = None
    if pd_model is not None and ("tumour", "free_drug") in groups:
        c_tumour = y[:, groups[("tumour", "free_drug")]].sum(axis=1) / vols["tumour"]
        if hasattr(pd_model, "simulate"):  # e.g. organ.pd.SimeoniTGI: time in day, c in ng/mL
            w0 = model.physiology.organs["tumour"].volume * 1000.0

            def conc(day: float) -> float:  # solver noise can leave amounts at -1e-12
                return 1000.0 * max(float(np.interp(day * 24.0, t, c_tumour)), 0.0)

            pd_data = pd_model.simulate(t / 24.0, w0, conc)
            pd_data["time"] = pd_data["time"] * 24.0
        else:
            pd_data = pd_model(t, c_tumour)
    return OrganResult(data, meta, states, pd_data)


def _named(scenario: Scenario, exc: NanomedError) -> NanomedError:
    msg = str(exc)
    prefix = f"scenario {scenario.name!r}"
    if scenario.name in msg:
        return exc
    return type(exc)(f"{prefix}: {msg}")


def simulate_organ(
    scenario: Scenario,
    release_model: ReleaseModel | None = None,
    *,
    solver: str | ODESolver = "cvode",
    rtol: float = 1e-6,
    t_eval: Sequence[float] | None = None,
    keep_states: bool = False,
    pd_model: Callable[[np.ndarray, np.ndarray], pd.DataFrame] | None = None,
    **model_options: Any,
) -> OrganResult:
    """Simulate particles, encapsulated drug and free drug for a scenario.

    Parameters
    ----------
    scenario : Scenario
        The scenario (``formulation.carrier`` None runs the free-drug control).
    release_model : ReleaseModel, optional
        Release of the drug from the carrier (see :func:`build_organ_model`).
    solver : str or ODESolver
        ``"cvode"`` (default) or ``"scipy"`` (BDF) or a solver object.
    rtol : float
        Relative tolerance.
    t_eval : sequence of float, optional
        Output times [h]; default :func:`output_times`.
    keep_states : bool
        Keep every model state in ``result.states``.
    pd_model : object, optional
        Tumour PD driven by the tumour free-drug concentration, stored in ``result.pd`` (time in
        h): an object with ``simulate(times [day], w0 [g], c(day) [ng/mL])`` such as
        :class:`nanomed.organ.pd.SimeoniTGI`, or a callable
        ``pd_model(time [h], concentration [mg/L]) -> DataFrame``.
    **model_options
        Passed to :func:`build_organ_model` (physiology, nano, effects, design_overrides,
        opsonin_fraction, mps_saturation, abc, partition_method).

    Returns
    -------
    OrganResult

    Examples
    --------
    >>> from nanomed.schema import Carrier, Dosing, Formulation, Scenario, Tumour
    >>> sc = Scenario(
    ...     formulation=Formulation(carrier=Carrier(material="gold", hydrodynamic_diameter="50 nm")),
    ...     tumour=Tumour(mass="0.3 g"), dosing=Dosing(dose="5 mg/kg"), duration="168 h",
    ... )
    >>> res = simulate_organ(sc)
    >>> 0 < res.delivery_efficiency()["DE24"] < 100
    True
    """
    try:
        model = build_organ_model(scenario, release_model, **model_options)
        times = output_times(scenario, model.first_dose) if t_eval is None else t_eval
        sol = solve_organ_model(model, times, solver, rtol)  # the solver checks the times
        return organ_result(model, sol, keep_states=keep_states, pd_model=pd_model)
    except NanomedError as exc:
        raise _named(scenario, exc) from None


def simulate_many(
    scenarios: Sequence[Scenario],
    release_models: Sequence[ReleaseModel | None] | None = None,
    *,
    solver: str | ODESolver = "cvode",
    rtol: float = 1e-6,
    chunk_size: int = 32,
    t_eval: Sequence[float] | None = None,
    on_error: Callable[[str, Exception], None] | None = None,
    **model_options: Any,
) -> list[OrganResult | None]:
    """Simulate many scenarios through the batched (stacked) solver path.

    Scenarios must share their dose times and output times (e.g. a formulation sweep). A scenario
    whose solve fails gives None and calls ``on_error(name, error)`` (default: re-raise).
    """
    if not scenarios:
        return []
    releases = list(release_models) if release_models is not None else [None] * len(scenarios)
    if len(releases) != len(scenarios):
        raise InputError("release_models must have one entry per scenario")
    models = []
    for sc, rm in zip(scenarios, releases, strict=True):
        try:
            models.append(build_organ_model(sc, rm, **model_options))
        except NanomedError as exc:
            raise _named(sc, exc) from None
    times = output_times(scenarios[0], models[0].first_dose) if t_eval is None else t_eval
    problems = [m.compile().problem() for m in models]
    errors: dict[int, Exception] = {}

    def record(problem: Any, exc: Exception) -> None:
        errors[next(i for i, p in enumerate(problems) if p is problem)] = exc

    sols = solve_batch(
        problems, times, get_solver(solver, rtol), chunk_size=chunk_size, on_error=record
    )
    out: list[OrganResult | None] = []
    for i, (m, sol) in enumerate(zip(models, sols, strict=True)):
        if sol is None:
            exc = errors.get(i, SolverError(f"{m.name}: solve failed"))
            if on_error is None:
                raise _named(
                    scenarios[i], exc if isinstance(exc, NanomedError) else SolverError(str(exc))
                )
            on_error(m.name, exc)
            out.append(None)
            continue
        out.append(organ_result(m, sol))
    return out
