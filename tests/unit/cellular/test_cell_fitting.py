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
