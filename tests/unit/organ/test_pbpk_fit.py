"""Calibration of the organ model: recover known parameters from synthetic data, then predict."""

import numpy as np
import pandas as pd
import pytest

from nanomed import InputError
from nanomed.calibration import FitParameter
from nanomed.organ.pbpk_fit import PBPKSimulator, calibrate_pbpk, predict_pbpk
from nanomed.schema import Scenario

TRUE = {"nano.liver.kmax": 0.6, "nano.spleen.kmax": 2.0}
TIMES = [1.0, 4.0, 24.0, 72.0, 168.0]


def _scenario(name, dose):
    return Scenario.from_dict(
        {
            "name": name,
            "formulation": {
                "carrier": {"material": "gold", "hydrodynamic_diameter": "60 nm"},
            },
            "tumour": {"mass": "0.3 g"},
            "dosing": {"dose": f"{dose} mg/kg"},
            "duration": "7 day",
        }
    )


def _observations(scenarios, params, noise, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for name, sc in scenarios.items():
        req = pd.DataFrame(
            [(t, c, "%ID") for c in ("blood", "liver", "spleen") for t in TIMES],
            columns=["time", "compartment", "unit"],
        )
        sim = PBPKSimulator({name: sc}, {name: req})
        pred = sim(params, name)
        value = pred["value"].to_numpy() * np.exp(noise * rng.standard_normal(len(pred)))
        rows.append(pred.assign(scenario=name, value=value, unit="%ID"))
    return pd.concat(rows, ignore_index=True)[["scenario", "time", "compartment", "value", "unit"]]


def test_recovers_mps_uptake_rates_and_predicts_new_dose():
    scenarios = {"low": _scenario("low", 1), "high": _scenario("high", 5)}
    obs = _observations(scenarios, TRUE, noise=0.05)
    params = [
        FitParameter("nano.liver.kmax", 0.2, 1e-3, 20.0, unit="1/h"),
        FitParameter("nano.spleen.kmax", 1.0, 1e-3, 50.0, unit="1/h"),
    ]
    result, _ = calibrate_pbpk(obs, scenarios, params)
    est = result.estimates().set_index("parameter")
    for name, true in TRUE.items():
        lo, hi = est.loc[name, "fisher_lower"], est.loc[name, "fisher_upper"]
        assert lo <= true <= hi, (name, lo, hi)
        assert est.loc[name, "estimate"] == pytest.approx(true, rel=0.2)
    gof = result.gof().set_index("scenario")
    assert gof.loc["all", "within_2fold"] == 1.0

    # predict a dose that was not fitted; compare with the truth
    new = _scenario("mid", 3)
    predicted = predict_pbpk(result, new).series("liver", "particles", "percent_id")
    truth = (
        PBPKSimulator({"mid": new}).organ(TRUE, "mid").series("liver", "particles", "percent_id")
    )
    np.testing.assert_allclose(predicted.to_numpy(), truth.to_numpy(), rtol=0.1, atol=0.05)


def test_unknown_parameter_path_is_one_line_error():
    scenarios = {"low": _scenario("low", 1)}
    obs = _observations(scenarios, {}, noise=0.0)
    with pytest.raises(InputError, match=r"nano\.<organ>\.<field>"):
        calibrate_pbpk(obs, scenarios, [FitParameter("liver_kmax", 0.2, 1e-3, 20.0)])


def test_observed_scenario_without_file_is_rejected():
    scenarios = {"low": _scenario("low", 1)}
    obs = _observations(scenarios, {}, noise=0.0).assign(scenario="other")
    with pytest.raises(InputError, match="without a file"):
        calibrate_pbpk(obs, scenarios, [FitParameter("nano.liver.kmax", 0.2, 1e-3, 20.0)])


def test_unknown_field_is_named_not_blamed_on_a_bound():
    scenarios = {"low": _scenario("low", 1)}
    obs = _observations(scenarios, {}, noise=0.0)
    with pytest.raises(InputError, match=r"'nano\.liver\.kmx': .*unknown field\(s\) kmx") as exc:
        calibrate_pbpk(obs, scenarios, [FitParameter("nano.liver.kmx", 0.2, 1e-3, 20.0)])
    assert "bound" not in str(exc.value)


def test_observation_after_the_end_of_the_run_is_rejected():
    scenarios = {"low": _scenario("low", 1)}
    obs = _observations(scenarios, {}, noise=0.0)
    obs.loc[3, "time"] = 200.0  # the scenario runs 168 h
    with pytest.raises(InputError, match=r"row 4: time 200 h is after the end of scenario 'low'"):
        calibrate_pbpk(obs, scenarios, [FitParameter("nano.liver.kmax", 0.2, 1e-3, 20.0)])


def test_per_scenario_fit_warns_when_predicting_a_new_scenario():
    scenarios = {"low": _scenario("low", 1)}
    obs = _observations(scenarios, TRUE, noise=0.0)
    prm = FitParameter("nano.liver.kmax", 0.2, 1e-3, 20.0, scope="per_scenario")
    result, _ = calibrate_pbpk(obs, scenarios, [prm])
    with pytest.warns(UserWarning, match=r"nano\.liver\.kmax were fitted for low only"):
        predict_pbpk(result, _scenario("mid", 3))
