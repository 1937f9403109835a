"""Fitting uptake and viability time courses (recover known parameters from noisy synthetic data)."""

import numpy as np
import pandas as pd
import pytest

from nanomed.cellular.fitting import fit_timecourse, read_timecourse
from nanomed.core.errors import DataError, InputError


def test_uptake_fit_recovers_parameters_per_series():
    rng = np.random.default_rng(1)
    t = np.linspace(0.5, 24, 12)
    truth = {"a": (100.0, 0.3), "b": (40.0, 1.2)}
    rows = [
        {
            "series_id": s,
            "time": tt,
            "value": um * (1 - np.exp(-k * tt)) * (1 + 0.01 * rng.standard_normal()),
        }
        for s, (um, k) in truth.items()
        for tt in t
    ]
    fit = fit_timecourse(pd.DataFrame(rows), "uptake")
    for s, (um, k) in truth.items():
        assert fit.value("U_max", s) == pytest.approx(um, rel=0.03)
        assert fit.value("k_uptake", s) == pytest.approx(k, rel=0.08)
    assert fit.rmse < 1.5


def test_viability_fit_recovers_hill_kill_parameters():
    t = np.array([0, 6, 12, 24, 48, 72.0])
    conc = [0.1, 0.5, 1.0, 2.0, 5.0, 20.0]
    kmax, ec50, hill = 0.08, 1.5, 1.3
    rows = []
    for c in conc:
        r = (c / ec50) ** hill
        for tt in t:
            rows.append(
                {
                    "series_id": f"c{c}",
                    "time": tt,
                    "concentration": c,
                    "value": np.exp(-kmax * r / (1 + r) * tt),
                }
            )
    fit = fit_timecourse(pd.DataFrame(rows), "viability")
    assert fit.value("kmax") == pytest.approx(kmax, rel=1e-4)
    assert fit.value("EC50") == pytest.approx(ec50, rel=1e-4)
    assert fit.value("hill") == pytest.approx(hill, rel=1e-4)


def test_bad_tables_name_the_row(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("series_id,time,value\na,0,0\na,1,x\na,2,3\n")
    with pytest.raises(DataError, match="row 3, column 'value'"):
        read_timecourse(p, "uptake")
    p.write_text("series_id,time\na,0\n")
    with pytest.raises(DataError, match="missing column"):
        read_timecourse(p, "uptake")
    with pytest.raises(InputError, match="unknown model"):
        read_timecourse(p, "growth")


def test_empty_file_and_blank_series_id_are_named(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("")
    with pytest.raises(DataError, match=r"c\.csv: empty file"):
        read_timecourse(p, "uptake")
    p.write_text("series_id,time,value\na,0.5,20\n,1.0,32\na,2.0,61\n")
    with pytest.raises(DataError, match=r"c\.csv: line 3, column 'series_id': empty"):
        read_timecourse(p, "uptake")


def test_utf16_file_is_named_as_not_utf8(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("series_id,time,value\na,0.5,20\n", encoding="utf-16")
    with pytest.raises(InputError, match=r"c\.csv: not UTF-8 text .*; save it as UTF-8"):
        read_timecourse(p, "uptake")


def test_rows_without_log_residual_are_excluded_and_listed():
    t = np.array([0.0, 1, 2, 4, 8, 16, 2])
    value = 50 * (1 - np.exp(-0.25 * t))
    value[-1] = 0.0  # an undetected replicate
    df = pd.DataFrame({"series_id": "a", "time": t, "value": value})
    with pytest.warns(UserWarning, match=r"2 row\(s\) excluded .*lines 2, 8"):
        fit = fit_timecourse(df, "uptake")
    ex = fit.excluded()
    assert list(ex["row"]) == [2, 8]
    assert "t = 0" in ex["reason"].iloc[0] and "value <= 0" in ex["reason"].iloc[1]
    # the five usable rows are exact: the curve is recovered and predicted at every row
    assert fit.value("U_max", "a") == pytest.approx(50, rel=1e-6)
    assert fit.value("k_uptake", "a") == pytest.approx(0.25, rel=1e-6)
    assert fit.predictions["fitted"].iloc[0] == 0.0
    assert len(fit.predictions) == len(df) and (fit.predictions["excluded"] != "").sum() == 2
    with pytest.raises(DataError, match="no row to fit"):
        fit_timecourse(df.assign(value=0.0), "uptake")


def test_fisher_and_profile_intervals_agree_for_a_well_determined_fit():
    rng = np.random.default_rng(3)
    t = np.tile([0.5, 1, 2, 4, 8, 12, 24.0], 3)
    truth_umax, truth_k = 80.0, 0.4
    value = truth_umax * (1 - np.exp(-truth_k * t)) * np.exp(0.03 * rng.standard_normal(t.size))
    fit = fit_timecourse(pd.DataFrame({"series_id": "s", "time": t, "value": value}), profile=True)
    row = fit.to_dataframe().set_index("parameter").loc["k_uptake"]
    assert row["fisher_lower"] < row["value"] < row["fisher_upper"]
    assert row["fisher_lower"] < truth_k < row["fisher_upper"]
    # two independent interval constructions (curvature vs re-optimised likelihood ratio)
    assert row["profile_lower"] == pytest.approx(row["fisher_lower"], rel=0.05)
    assert row["profile_upper"] == pytest.approx(row["fisher_upper"], rel=0.05)
    assert row["std_error"] == pytest.approx(row["value"] * row["rse_percent"] / 100)


def test_viability_series_with_several_concentrations_is_split():
    t = np.array([0, 12, 24, 48.0])
    kmax, ec50, hill = 0.05, 2.0, 1.0
    rows = [
        {"series_id": "plate1", "time": tt, "concentration": c,
         "value": float(np.exp(-kmax * c**hill / (ec50**hill + c**hill) * tt))}
        for c in (0.5, 2.0, 8.0)
        for tt in t
    ]  # fmt: skip
    fit = fit_timecourse(pd.DataFrame(rows), "viability")
    assert set(fit.calibration.values) == {"plate1 (C=0.5)", "plate1 (C=2)", "plate1 (C=8)"}
    assert fit.value("EC50") == pytest.approx(ec50, rel=1e-4)
    np.testing.assert_allclose(fit.predictions["fitted"], fit.predictions["value"], rtol=1e-6)
