"""Bad input to the Python API of organ, coupling, calibration and solvers: one-line errors.

Each case comes from fuzzing the public API (NaN, ±inf, negative values, wrong units, text or
None in numbers, empty or misshapen arrays, bad time grids, absurd magnitudes, unknown names).
Before the fix each gave a silent NaN/inf or wrong result, a hang, or a raw numpy/scipy/pandas
error; now each is an InputError (or DataError/ModelError) naming the parameter.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from nanomed.calibration import Calibration, FitParameter, gof_metrics, load_observations
from nanomed.core.errors import DataError, InputError, ModelError
from nanomed.core.units import ureg
from nanomed.coupling import simulate
from nanomed.coupling.multiscale import load_scenarios
from nanomed.organ import (
    DoseEvent,
    SimeoniTGI,
    abc_active,
    design_effects,
    dose_events,
    get_nano_parameters,
    get_physiology,
    opsonisation_factor,
    simulate_organ,
    tgi_percent,
    tissue_partition,
)
from nanomed.organ.outputs import terminal_half_life
from nanomed.organ.pbpk_fit import scenario_with_parameters
from nanomed.organ.pd import hill_effect
from nanomed.schema import Carrier, Dosing, Drug, Formulation, Scenario, Tumour
from nanomed.solvers import (
    CVODESolver,
    ODEProblem,
    ScipySolver,
    get_solver,
    solve_batch,
)

nan, inf = float("nan"), float("inf")

GOLD = Scenario(
    formulation=Formulation(carrier=Carrier(material="gold", hydrodynamic_diameter="50 nm")),
    tumour=Tumour(mass="0.3 g"),
    dosing=Dosing(dose="5 mg/kg"),
    duration="24 h",
)
DRUG = Drug(name="x", logp=1.0, fraction_unbound=0.5)
FREE_DRUG = GOLD.model_copy(update={"formulation": Formulation(drug=DRUG)})
LOADED = Scenario.from_dict(
    {
        "name": "loaded",
        "formulation": {
            "carrier": {"material": "liposome", "hydrodynamic_diameter": "100 nm"},
            "drug": {
                "name": "dox",
                "logp": 1.3,
                "fraction_unbound": 0.3,
                "pka_base": [8.3],
                "blood_plasma_ratio": 1.2,
            },
            "drug_loading": 0.1,
        },
        "dosing": {"dose": "1 mg/kg"},
        "duration": "24 h",
    }
)


def decay(**kw):
    return ODEProblem(lambda t, y, s: -y, kw.pop("y0", np.array([1.0])), **kw)


def with_drug(**fields):
    return FREE_DRUG.model_copy(
        update={"formulation": Formulation(drug=DRUG.model_copy(update=fields))}
    )


def tiny_fit():
    obs = pd.DataFrame({"scenario": "iv", "time": [1.0, 2.0, 4.0], "compartment": "plasma",
                        "value": [0.8187, 0.6703, 0.4493], "unit": "mg/L"})  # fmt: skip

    def sim(p, scenario):
        t = np.array([1.0, 2.0, 4.0])
        return pd.DataFrame({"time": t, "compartment": "plasma", "value": np.exp(-p["k"] * t)})

    return Calibration(sim, [FitParameter("k", 1.0, 1e-3, 10.0)], obs), obs


# -- NaN ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: get_physiology("mouse").with_tumour(0.3, flow=nan), InputError, "tumour flow"),
        (lambda: get_physiology("mouse").with_tumour(0.3, flow_fraction=nan), InputError,
         "tumour flow_fraction"),
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, nan), InputError, "concentration"),
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, lambda d: nan), InputError,
         "concentration at 0 day"),
        (lambda: tgi_percent([nan], [1.0]), InputError, "w_treated"),
        (lambda: hill_effect(1.0, 1.0, nan), InputError, "ec50"),
        (lambda: hill_effect(nan, 1.0, 1.0), InputError, "hill_effect: c"),
        (lambda: replace(get_nano_parameters(), bile=nan), InputError, "parameter bile"),
        (lambda: get_nano_parameters().with_organ("liver", partition=nan), InputError,
         "partition.*organ 'liver'"),
        (lambda: CVODESolver().solve(decay(), [0, nan, 1]), InputError, "output times"),
        (lambda: CVODESolver().solve(decay(t0=nan), [0, 1]), InputError, "t0"),
        (lambda: CVODESolver().solve(decay(breakpoints=[nan]), [0, 1]), InputError,
         "breakpoints"),
        (lambda: CVODESolver().solve(decay(atol=nan), [0, 1]), InputError, "atol"),
        (lambda: CVODESolver().solve(decay(y0=np.array([nan])), [0, 1]), InputError, "y0"),
        (lambda: simulate_organ(GOLD, t_eval=[0.0, nan, 4.0]), InputError, "output times"),
        (lambda: dose_events(GOLD.formulation, GOLD.dosing, nan), InputError, "body_weight"),
        (lambda: DoseEvent(nan, 0.0, 1.0, 0.0, 0.0), InputError, "dose event time"),
        (lambda: tissue_partition(DRUG.model_copy(update={"pka_base": [nan]})), InputError,
         "pka_base"),
        (lambda: tiny_fit()[0].fit().predict("iv", values={"k": nan}), InputError,
         r"values\['k'\]"),
        (lambda: abc_active([0.0, 168.0], True, (nan, 10.0)), InputError, "abc_window_start"),
    ],
)  # fmt: skip
def test_nan_is_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- ±inf ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: get_physiology("mouse", inf), InputError, "body weight"),
        (lambda: SimeoniTGI().simulate([0, inf], 0.1), InputError, "times"),
        (lambda: hill_effect(1.0, inf, 1.0), InputError, "emax"),
        (lambda: hill_effect(inf, 1.0, 1.0), InputError, "hill_effect: c"),
        (lambda: simulate_organ(with_drug(tissue_partition={"liver": inf})), InputError,
         r"tissue_partition\['liver'\]"),
        (lambda: CVODESolver().solve(decay(), [0, inf]), InputError, "output times"),
        (lambda: ScipySolver().solve(decay(t0=-inf), [0, 1]), InputError, "t0"),
        (lambda: FitParameter("k", inf, 1e-3, inf), InputError, "initial"),
        (lambda: replace(get_nano_parameters(), urine=inf), InputError, "parameter urine"),
        (lambda: dose_events(GOLD.formulation, GOLD.dosing, inf), InputError, "body_weight"),
    ],
)  # fmt: skip
def test_infinity_is_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- negative or zero where impossible ----------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: get_physiology("mouse").with_tumour(0.3, flow=-1e-4), InputError, "tumour flow"),
        (lambda: get_physiology("mouse").with_tumour(0.3, flow_fraction=-0.1), InputError,
         "tumour flow_fraction"),
        (lambda: dose_events(GOLD.formulation, GOLD.dosing, -1.0), InputError, "body_weight"),
        (lambda: dose_events(GOLD.formulation, GOLD.dosing, 0.0), InputError, "body_weight"),
        (lambda: DoseEvent(0.0, -1.0, 1.0, 0.0, 0.0), InputError, "dose event duration"),
        (lambda: DoseEvent(0.0, 0.0, -1.0, 0.0, 0.0), InputError, "dose event particles"),
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, -100.0), InputError, "concentration"),
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, lambda d: -1e4), InputError,
         "concentration at"),
        (lambda: tgi_percent([1.0], [0.0]), InputError, "w_control"),
        (lambda: tgi_percent([-1.0], [1.0]), InputError, "w_treated"),
        (lambda: replace(get_nano_parameters(), bile=-1.0), InputError, "parameter bile"),
        (lambda: scenario_with_parameters(GOLD, {"nano.bile": -1.0}), InputError, "bile"),
        (lambda: scenario_with_parameters(LOADED, {"drug.fraction_unbound": -1.0}), InputError,
         "fraction_unbound"),
        (lambda: CVODESolver().solve(decay(atol=-1.0), [0, 1]), InputError, "atol"),
        (lambda: solve_batch([decay(), decay()], [0, 1], CVODESolver(), chunk_size=0),
         InputError, "chunk_size"),
        (lambda: solve_batch([decay(), decay()], [0, 1], CVODESolver(), chunk_size=-1),
         InputError, "chunk_size"),
        (lambda: ScipySolver(max_steps=0), InputError, "max_steps"),
        (lambda: abc_active([0.0, 168.0], True, (-5.0, 10.0)), InputError, "abc_window_start"),
        (lambda: abc_active([0.0, 168.0], True, (500.0, 100.0)), InputError, "ABC window"),
    ],
)  # fmt: skip
def test_negative_or_zero_is_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- wrong units --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: get_physiology("mouse", "5 mL"), "body_weight.*wrong dimension"),
        (lambda: get_physiology("rat", ureg.Quantity(2.0, "h")), "body_weight.*wrong dimension"),
    ],
)
def test_wrong_unit_is_refused(call, match):
    with pytest.raises(InputError, match=match):
        call()


# -- text or None where a number is wanted ------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: get_physiology("mouse", "abc"), InputError, "body_weight"),
        (lambda: get_physiology("mouse", None, "abc"), InputError, "tumour mass"),
        (lambda: get_physiology("mouse").with_tumour(0.3, flow="abc"), InputError, "tumour flow"),
        (lambda: SimeoniTGI().initial_state("abc"), InputError, "w0"),
        (lambda: SimeoniTGI().initial_state(None), InputError, "w0"),
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, "abc"), InputError, "concentration"),
        (lambda: SimeoniTGI().simulate(["a"], 0.1), InputError, "times"),
        (lambda: tgi_percent("a", [1.0]), InputError, "w_treated"),
        (lambda: design_effects(None, overrides={"mps_uptake": "abc"}), InputError, "mps_uptake"),
        (lambda: design_effects(None, overrides={"mps_uptake": None}), InputError, "mps_uptake"),
        (lambda: opsonisation_factor("abc"), InputError, "opsonin_fraction"),
        (lambda: get_nano_parameters().with_organ("liver", partition="abc"), InputError,
         "partition"),
        (lambda: get_nano_parameters().with_organ("liver", partition=None), InputError,
         "partition"),
        (lambda: tissue_partition(DRUG, hematocrit="abc"), InputError, "hematocrit"),
        (lambda: dose_events(GOLD.formulation, GOLD.dosing, "abc"), InputError, "body_weight"),
        (lambda: dose_events(GOLD.formulation, GOLD.dosing, None), InputError, "body_weight"),
        (lambda: FitParameter("k", "a", 1e-3, 10.0), InputError, "initial"),
        (lambda: FitParameter("k", None, 1e-3, 10.0), InputError, "initial"),
        (lambda: FitParameter("k", 1.0, 1e-3, "10"), InputError, "upper"),
        (lambda: tiny_fit()[0].fit(level="a"), InputError, "level"),
        (lambda: tiny_fit()[0].fit(level=None), InputError, "level"),
        (lambda: tiny_fit()[0].fit().predict("iv", values={"k": "abc"}), InputError,
         r"values\['k'\]"),
        (lambda: Calibration(lambda p, s: pd.DataFrame({"time": [1.0, 2.0, 4.0],
                 "compartment": "plasma", "value": "x"}),
                 [FitParameter("k", 1.0, 1e-3, 10.0)], tiny_fit()[1]).fit(),
         ModelError, "simulate"),
        (lambda: gof_metrics(["a"], [1.0]), DataError, "gof"),
        (lambda: load_observations(None), DataError, "observations"),
        (lambda: CVODESolver(rtol="a"), InputError, "rtol"),
        (lambda: CVODESolver(rtol=None), InputError, "rtol"),
        (lambda: ScipySolver(max_steps="a"), InputError, "max_steps"),
        (lambda: get_solver(None), InputError, "solver"),
        (lambda: get_solver(5), InputError, "solver"),
        (lambda: simulate_organ(GOLD, solver=None), InputError, "solver"),
        (lambda: simulate_organ(GOLD, rtol="abc"), InputError, "rtol"),
        (lambda: simulate_organ(GOLD, t_eval=["a", "b"]), InputError, "output times"),
        (lambda: CVODESolver().solve(decay(y0=np.array([1.0, "a"])), [0, 1]), InputError, "y0"),
        (lambda: solve_batch([decay()], [0, 1], CVODESolver(), chunk_size=1.5), InputError,
         "chunk_size"),
        (lambda: simulate(None), InputError, "scenario"),
        (lambda: simulate(5), InputError, "scenario"),
        (lambda: simulate_organ(GOLD).plot_percent_id(time="a"), InputError, "time"),
    ],
)  # fmt: skip
def test_text_or_none_is_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- empty or misshapen arrays ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: CVODESolver().solve(decay(y0=np.array([])), [0, 1]), InputError, "y0"),
        (lambda: CVODESolver().solve(decay(y0=np.ones((2, 2))), [0, 1]), InputError, "y0"),
        (lambda: ScipySolver().solve(decay(y0=np.array([])), [0, 1]), InputError, "y0"),
        (lambda: CVODESolver().solve(decay(atol=np.array([1e-10, 1e-10])), [0, 1]), InputError,
         "atol"),
        (lambda: tiny_fit()[0].fit().predict([]), InputError, "scenario"),
        (lambda: load_scenarios([]), InputError, "no scenario files"),
        (lambda: terminal_half_life([0.0, 1.0], [1.0, 2.0, 3.0]), InputError, "t and c"),
        (lambda: tgi_percent([1.0, 2.0, 3.0], [1.0, 2.0]), InputError, "w_treated"),
        (lambda: tgi_percent([1.0, 2.0], [2.0, 3.0], [1.0, 1.0, 1.0]), InputError, "w0"),
        (lambda: Calibration(lambda p, s: None, [("k", 1.0, 1e-3, 10.0)], tiny_fit()[1]),
         InputError, "FitParameter"),
    ],
)  # fmt: skip
def test_empty_or_misshapen_is_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- time grids, dose orders, zero-growth TGI ---------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: abc_active([168.0, 0.0], True), "dose_times"),  # read as no ABC before
        (lambda: tgi_percent([1.0], [1.0], 1.0), "w_control: equals w0"),  # was NaN
        (lambda: tgi_percent([1.0, 2.0], [1.5, 1.0], [1.0, 1.0]), "w_control: equals w0"),
    ],
)
def test_bad_grids_and_undefined_ratios_are_refused(call, match):
    with pytest.raises(InputError, match=match):
        call()


# -- absurd magnitudes --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, 1e40), "concentration"),
        (lambda: SimeoniTGI().simulate([0, 1], 0.1, lambda d: 1e40), "concentration at"),
    ],
)
def test_absurd_magnitudes_are_refused(call, match):
    with pytest.raises(InputError, match=match):
        call()


# -- names and values that were silently misread ------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        # model_copy skipped the drug's checks: a misspelt field was fitted without any effect,
        # fu = 5 gave wrong Kp values, NaN clearance meant no clearance
        (lambda: scenario_with_parameters(LOADED, {"drug.fraction_unbund": 0.4}),
         "fraction_unbund"),
        (lambda: scenario_with_parameters(LOADED, {"drug.fraction_unbound": 5.0}),
         "fraction_unbound"),
        (lambda: scenario_with_parameters(LOADED, {"drug.clearance_hepatic": nan}),
         "clearance_hepatic"),
        (lambda: scenario_with_parameters(LOADED, {"drug.blood_plasma_ratio": 0.0}),
         "blood_plasma_ratio"),
        # design effects were only checked inside the run, i.e. mid-fit
        (lambda: scenario_with_parameters(GOLD, {"design.mps_uptak": 1.0}), "mps_uptak"),
        (lambda: scenario_with_parameters(GOLD, {"design.renal_sieving": 2.0}), "renal_sieving"),
        (lambda: simulate_organ(GOLD).series("liver", "particles", "amounts"), "column"),
        (lambda: DoseEvent(0.0, 0.0, 1.0, 0.0, 0.0).amount("particle"), "entity"),
    ],
)  # fmt: skip
def test_misread_names_and_values_are_refused(call, match):
    with pytest.raises(InputError, match=match):
        call()


# -- legitimate edge values still work ----------------------------------------------------------
def test_legitimate_edge_values_still_work():
    mouse = get_physiology("mouse")
    # a tumour without blood flow, or with zero flow fraction, is a valid (if useless) tumour
    assert mouse.with_tumour(0.3, flow=0.0).organs["tumour"].flow == 0.0
    assert mouse.with_tumour(0.3, flow_fraction=0.0).organs["tumour"].flow == 0.0
    # body weight as a quantity, as text with a unit and as a numpy number
    assert get_physiology("mouse", "25 g").body_weight == pytest.approx(0.025)
    assert get_physiology("mouse", ureg.Quantity(25, "g")).body_weight == pytest.approx(0.025)
    assert get_physiology("mouse", np.float64(0.025)).body_weight == 0.025
    # repeated output times give repeated rows (as the ODE solvers do)
    tgi = SimeoniTGI().simulate([0.0, 0.0, 1.0, 1.0], 0.1, 0.0)
    assert len(tgi) == 4 and tgi["weight"].iloc[0] == tgi["weight"].iloc[1]
    assert tgi["weight"].iloc[0] == pytest.approx(0.1)
    assert tgi["weight"].iloc[2] == tgi["weight"].iloc[3]
    assert SimeoniTGI().simulate([0.0, 1.0], 0.1, lambda d: 0.0)["weight"].iloc[-1] > 0.1
    # an eradicated tumour is 100 % inhibition; zero exposure has no effect
    np.testing.assert_allclose(tgi_percent([0.0], [2.0]), [100.0])
    assert float(hill_effect(0.0, 1.0, 1.0)) == 0.0
    # zero amounts in a dose event (a carrier without drug)
    assert DoseEvent(0.0, 0.0, 1.0, 0.0, 0.0).amount("free_drug") == 0.0
    assert DoseEvent(-1.0, 0.0, 1.0, 0.0, 0.0).time == -1.0  # times before 0 are allowed
    # solver tolerances at their edges, numpy whole numbers, repeated output times
    sol = CVODESolver(max_steps=np.int64(1000)).solve(decay(atol=0.0), [0.0, 0.0, 1.0])
    assert sol.y.shape == (3, 1) and sol.y[0, 0] == sol.y[1, 0] == 1.0
    out = solve_batch([decay(), decay()], [0.0, 1.0], ScipySolver(), chunk_size=np.int64(1))
    assert len(out) == 2 and all(s is not None for s in out)
    # open fit intervals; an empty curve has no half-life
    assert FitParameter("k", 1.0, 1e-3, inf).upper == inf
    assert FitParameter("k", 1.0, -inf, inf, log=False).lower == -inf
    assert terminal_half_life([], []) is None
    # a valid drug update is applied and validated
    sc, _ = scenario_with_parameters(LOADED, {"drug.fraction_unbound": 0.4})
    assert sc.formulation.drug.fraction_unbound == 0.4
    assert sc.formulation.drug.pka_base == [8.3]
    # valid design and window values
    assert abc_active([0.0, 168.0], True, (72.0, 72.0)) == [False, False]
    assert abc_active([0.0, 168.0], True) == [False, True]
    assert design_effects(None, overrides={"mps_uptake": np.float64(2.0)}).mps_uptake == 2.0
