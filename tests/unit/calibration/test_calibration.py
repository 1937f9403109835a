"""Calibration engine on a closed-form one-compartment model, C = D/V exp(-CL/V t).

Three scenarios: IV bolus of 10 and 50 mg and a 50 mg nanoformulation releasing the drug at a
first-order rate k_rel (a per-scenario parameter), C = D/V k_rel/(k_rel - k) (e^-kt - e^-k_rel t).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nanomed.calibration import (
    Calibration,
    CalibrationResult,
    FitParameter,
    load_observations,
)
from nanomed.core.errors import DataError, InputError, ModelError

DATA = Path(__file__).parents[2] / "data" / "organ"
TIMES = np.array([0.25, 0.5, 1, 2, 4, 6, 8, 12, 16, 24.0])
DOSE = {"iv_10": 10.0, "iv_50": 50.0, "np_50": 50.0, "np_100": 100.0}
TRUE = {"CL": 2.0, "V": 10.0, "k_rel": 0.3}  # L/h, L, 1/h


def one_compartment(p, scenario, times=TIMES):
    k = p["CL"] / p["V"]
    dose = DOSE[scenario]
    if scenario.startswith("np"):
        kr = p["k_rel"]
        c = dose / p["V"] * kr / (kr - k) * (np.exp(-k * times) - np.exp(-kr * times))
    else:
        c = dose / p["V"] * np.exp(-k * times)
    return pd.DataFrame({"time": times, "compartment": "plasma", "value": c})


def synthetic(rng, truth=TRUE, times=TIMES, sigma=0.15, scenarios=("iv_10", "iv_50", "np_50")):
    rows = []
    for s in scenarios:
        c = one_compartment(truth, s, times)["value"].to_numpy()
        noisy = c * np.exp(rng.normal(0.0, sigma, c.size))
        rows += [(s, t, "plasma", v, "mg/L") for t, v in zip(times, noisy, strict=True)]
    return pd.DataFrame(rows, columns=["scenario", "time", "compartment", "value", "unit"])


PARAMS = [
    FitParameter("CL", 1.0, 0.01, 100.0, unit="L/h"),
    FitParameter("V", 5.0, 0.1, 1000.0, unit="L"),
    FitParameter("k_rel", 1.0, 1e-3, 1e3, scope="per_scenario", scenarios=("np_50",), unit="1/h"),
]


def test_fisher_intervals_cover_the_truth_at_their_level():
    # 40 synthetic studies: each 95 % interval should contain the true value ~95 % of the time
    rng = np.random.default_rng(2024)
    hits = {"CL": 0, "V": 0, "k_rel[np_50]": 0}
    reps = 40
    for _ in range(reps):
        est = Calibration(one_compartment, PARAMS, synthetic(rng)).fit().estimates()
        for row in est.itertuples():
            truth = TRUE[row.parameter]
            hits[row.name] += row.fisher_lower <= truth <= row.fisher_upper
    for name, h in hits.items():
        # binomial(40, 0.95): P(hits < 34) ≈ 0.2 %
        assert h >= 34, (name, h)


def test_single_fit_recovers_parameters_and_statistics():
    rng = np.random.default_rng(11)
    obs = synthetic(rng)
    res = Calibration(one_compartment, PARAMS, obs).fit()
    est = res.estimates().set_index("name")
    for name, truth in (("CL", 2.0), ("V", 10.0), ("k_rel[np_50]", 0.3)):
        assert est.loc[name, "estimate"] == pytest.approx(truth, rel=0.15)
    st = res.statistics()
    assert st["n"] == 30 and st["p"] == 3
    assert st["sigma"] == pytest.approx(0.15, rel=0.35)  # σ estimate near the simulated 0.15
    # AIC/BIC from the log-normal likelihood with σ² = SSR/n, by hand
    n, ssr = 30, st["ssr"]
    ll = -n / 2 * (np.log(2 * np.pi * ssr / n) + 1) - np.log(obs["value"]).sum()
    assert st["aic"] == pytest.approx(2 * 4 - 2 * ll)
    assert st["bic"] == pytest.approx(4 * np.log(n) - 2 * ll)
    corr = res.correlation()
    np.testing.assert_allclose(np.diag(corr), 1.0)
    assert corr.loc["CL", "V"] > 0.5  # CL and V both set the IV curves: positively correlated
    assert res.values["np_50"]["k_rel"] == est.loc["k_rel[np_50]", "estimate"]
    assert "k_rel" not in res.values["iv_10"]  # only the formulation scenario receives it


def test_profile_matches_fisher_when_well_identified_and_not_otherwise():
    rng = np.random.default_rng(3)
    res = Calibration(one_compartment, PARAMS, synthetic(rng)).fit(profile=["CL"])
    cl = res.estimates().set_index("name").loc["CL"]
    assert cl.profile_lower == pytest.approx(cl.fisher_lower, rel=0.02)
    assert cl.profile_upper == pytest.approx(cl.fisher_upper, rel=0.02)
    assert res.summary().set_index("name").loc["CL", "profile_open"] == ""  # bounded both ways

    # fast release (k_rel = 3/h) sampled from 2 h on: the data bound k_rel from below only
    late = np.array([2, 4, 6, 8, 12, 16, 24.0])
    truth = {**TRUE, "k_rel": 3.0}
    obs = synthetic(rng, truth, late)
    res = Calibration(lambda p, s: one_compartment(p, s, late), PARAMS, obs).fit(
        profile=["k_rel[np_50]"]
    )
    kr = res.estimates().set_index("name").loc["k_rel[np_50]"]
    est = np.log(kr.estimate)
    fisher = (np.log(kr.fisher_upper) - est) / (est - np.log(kr.fisher_lower))
    profile = (np.log(kr.profile_upper) - est) / (est - np.log(kr.profile_lower))
    assert fisher == pytest.approx(1.0, rel=1e-6)  # symmetric in ln k_rel by construction
    assert profile > 1.5  # the likelihood is flat towards fast release
    assert kr.profile_upper > kr.fisher_upper
    curve = res.metadata["profiles"]["k_rel[np_50]"]
    assert curve["threshold"] == pytest.approx(stats.chi2.ppf(0.95, 1))


def test_profile_open_names_the_side_the_data_do_not_bound():
    # release complete before the first sample (k_rel = 50/h, samples from 2 h): any faster
    # release fits as well, so the profile runs to the upper fit bound and says so
    rng = np.random.default_rng(3)
    late = np.array([2, 4, 6, 8, 12, 16, 24.0])
    k_rel = FitParameter("k_rel", 1.0, 1e-3, 1e2, scope="per_scenario", scenarios=("np_50",))
    obs = synthetic(rng, {**TRUE, "k_rel": 50.0}, late)
    res = Calibration(lambda p, s: one_compartment(p, s, late), [*PARAMS[:2], k_rel], obs).fit(
        profile=["k_rel[np_50]"]
    )
    kr = res.summary().set_index("name").loc["k_rel[np_50]"]
    assert kr.profile_open == "upper"
    assert kr.profile_upper == pytest.approx(1e2)
    assert kr.profile_lower > 1e-3  # bounded below by the data


def test_predict_new_scenario_and_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    res = Calibration(one_compartment, PARAMS, synthetic(rng)).fit()
    # a new dose of the formulation, its release rate taken from the fitted formulation
    k_rel = res.values["np_50"]["k_rel"]
    pred = res.predict("np_100", values={"k_rel": k_rel})
    fitted = res.predict("np_50")
    np.testing.assert_allclose(pred["value"], 2 * fitted["value"], rtol=1e-12)  # linear PK
    assert set(pred["scenario"]) == {"np_100"}

    res.save(tmp_path / "fit")
    back = CalibrationResult.load(tmp_path / "fit")
    pd.testing.assert_frame_equal(back.summary(), res.summary())
    with pytest.raises(ModelError, match="no simulator"):
        back.predict("iv_10")
    again = back.predict("iv_10", simulate=one_compartment)
    np.testing.assert_allclose(again["value"], res.predict("iv_10")["value"])
    assert back.plot() is not None and back.plot(kind="residuals") is not None


def test_saved_nan_and_inf_are_json_null_and_read_back(tmp_path):
    import json

    rng = np.random.default_rng(5)
    res = Calibration(one_compartment, PARAMS, synthetic(rng)).fit()  # no profile: NaN intervals
    res.metadata["estimates"][0]["fisher_upper"] = np.inf
    res.save(tmp_path / "fit")
    text = (tmp_path / "fit.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    back = CalibrationResult.load(tmp_path / "fit").summary()
    assert back["profile_lower"].isna().all() and back["profile_lower"].dtype == float
    assert np.isnan(back.loc[0, "fisher_upper"])


@pytest.mark.parametrize(
    "damage, match",
    [
        (
            lambda p: p.with_suffix(".json").write_text('{"a":'),
            r"fit\.json: damaged, not valid JSON",
        ),
        (lambda p: p.with_suffix(".json").write_text("{}"), r"fit\.json: not a saved calibration"),
        (lambda p: p.with_suffix(".json").write_text("[1]"), r"fit\.json: not a saved nanomed"),
        (
            lambda p: p.with_suffix(".parquet").write_bytes(b"PAR1xx"),
            r"fit\.parquet: not a readable",
        ),
    ],
)
def test_damaged_saved_calibration_is_one_line_data_error(tmp_path, damage, match):
    rng = np.random.default_rng(5)
    Calibration(one_compartment, PARAMS, synthetic(rng)).fit().save(tmp_path / "fit")
    damage(tmp_path / "fit")
    with pytest.raises(DataError, match=match) as exc:
        CalibrationResult.load(tmp_path / "fit")
    assert "\n" not in str(exc.value)


def test_per_scenario_parameter_for_every_scenario():
    # one volume per scenario (e.g. different animals), shared clearance
    rng = np.random.default_rng(8)
    obs = synthetic(rng, scenarios=("iv_10", "iv_50"))
    params = [
        FitParameter("CL", 1.0, 0.01, 100.0),
        FitParameter("V", 5.0, 0.1, 1e3, scope="per_scenario"),
    ]
    res = Calibration(one_compartment, params, obs).fit()
    assert res.metadata["names"] == ["CL", "V[iv_10]", "V[iv_50]"]
    with pytest.raises(InputError, match="no value for scenario 'iv_99'"):
        res.predict("iv_99")


def test_load_converts_units_once_and_lists_excluded_rows():
    with pytest.warns(UserWarning, match="1 row"):
        data, excluded = load_observations(DATA / "observations_example.csv")
    assert data.loc[data["row"] == 2, "value"].item() == pytest.approx(0.670)  # 670 ug/L
    assert set(data["unit"]) == {"mg/L"}
    assert excluded["row"].tolist() == [4]
    assert "value <= 0" in excluded["reason"].item()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenario,time,value,unit\na,1,1,mg/L\n", "missing column(s) compartment"),
        (
            "scenario,time,compartment,value,unit\na,1,p,1,mg/L\na,x,p,1,mg/L\n",
            "row 2: time 'x' is not a number",
        ),
        ("scenario,time,compartment,value,unit\na,-1,p,1,mg/L\n", "row 1: time -1 must be"),
        (
            "scenario,time,compartment,value,unit\na,1,p,abc,mg/L\n",
            "row 1: value 'abc' is not a number",
        ),
        ("scenario,time,compartment,value,unit\na,1,p,,mg/L\n", "row 1: value is missing"),
        (  # 1e-320 gave inf in estimates.csv and gof.csv
            "scenario,time,compartment,value,unit\na,1,p,1,mg/L\na,2,p,1e-320,mg/L\n",
            "row 2: value 1e-320 lies outside 1e-30 to 1e30",
        ),
        ("scenario,time,compartment,value,unit\na,1,p,1,mg/LL\n", "row 1: unknown unit 'mg/LL'"),
        (
            "scenario,time,compartment,value,unit\na,1,p,1,mg/L\na,2,p,1,h\n",
            "row 2: unit 'h' cannot be converted",
        ),
    ],
)
def test_bad_csv_rows_give_one_line_errors(tmp_path, text, message):
    path = tmp_path / "obs.csv"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        load_observations(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_observations_not_in_utf8_are_named(tmp_path):
    # a spreadsheet's UTF-16 export used to end in "failed: unexpected UnicodeDecodeError"
    path = tmp_path / "obs.csv"
    path.write_text("scenario,time,compartment,value,unit\na,1,p,1,µg/L\n", encoding="utf-16")
    with pytest.raises(InputError, match=r"obs\.csv: not UTF-8 text \(byte 0xff at position 0\)"):
        load_observations(path)


def test_simulator_contract_is_checked():
    obs = synthetic(np.random.default_rng(1), scenarios=("iv_10",))
    wrong_times = Calibration(lambda p, s: one_compartment(p, s, TIMES + 0.1), PARAMS[:2], obs)
    with pytest.raises(ModelError, match="at every observed time"):
        wrong_times.fit()
    with pytest.raises(InputError, match="lower 5 must be < upper 1"):
        FitParameter("x", 1.0, 5.0, 1.0)
    with pytest.raises(InputError, match="log=True needs lower > 0"):
        FitParameter("x", 1.0, 0.0, 2.0)
    with pytest.raises(InputError, match="profile: unknown"):
        Calibration(one_compartment, PARAMS[:2], obs).fit(profile=["Q"])
    req = Calibration(one_compartment, PARAMS[:2], obs).requested("iv_10")
    np.testing.assert_allclose(req["time"], TIMES)


def test_data_reproduced_exactly_is_one_line_error_not_log_of_zero():
    # three identical points at one time: a one-series uptake fit reproduces them with SSR = 0,
    # where the log-likelihood (and every interval) is undefined; it was a math domain error
    from nanomed.cellular.fitting import fit_timecourse

    df = pd.DataFrame({"series_id": ["a"] * 3, "time": [2.0] * 3, "value": [5.0] * 3})
    with pytest.raises(DataError, match="reproduces all 3 observations exactly"):
        fit_timecourse(df)
