"""Goodness-of-fit metrics against values worked out by hand."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from nanomed.calibration.gof import (
    gof_metrics,
    gof_table,
    plot_observed_vs_predicted,
    plot_residuals_vs_time,
)
from nanomed.core.errors import DataError

OBS = [1.0, 2.0, 4.0, 10.0]
PRED = [2.0, 2.0, 1.0, 30.0]  # fold errors 2, 1, 1/4, 3


def test_metrics_on_a_tiny_example():
    m = gof_metrics(OBS, PRED)
    assert m["n"] == 4
    assert m["within_2fold"] == 0.5  # 2 (bound included) and 1
    assert m["within_3fold"] == 0.75  # 2, 1, 3; 1/4 is out
    assert m["afe"] == pytest.approx((2 * 1 * 0.25 * 3) ** 0.25)  # geometric mean fold error
    assert m["aafe"] == pytest.approx((2 * 1 * 4 * 3) ** 0.25)  # of absolute fold errors
    lo = np.log10(OBS)
    l2, l3 = math.log10(2), math.log10(3)
    ss_res = l2**2 + 0 + (2 * l2) ** 2 + l3**2
    ss_tot = float(np.sum((lo - lo.mean()) ** 2))
    assert m["r2_log"] == pytest.approx(1 - ss_res / ss_tot)


def test_perfect_prediction():
    m = gof_metrics(OBS, OBS)
    assert (m["within_2fold"], m["afe"], m["aafe"], m["r2_log"]) == (1.0, 1.0, 1.0, 1.0)


def test_table_per_scenario_and_overall():
    df = pd.DataFrame(
        {"scenario": ["a", "a", "b", "b"], "time": [1, 2, 1, 2], "observed": OBS, "predicted": PRED}
    )
    tab = gof_table(df)
    assert tab["scenario"].tolist() == ["a", "b", "all"]
    assert tab.loc[0, "aafe"] == pytest.approx(math.sqrt(2))  # fold errors 2 and 1
    assert tab.loc[2, "aafe"] == pytest.approx(gof_metrics(OBS, PRED)["aafe"])
    ax = plot_observed_vs_predicted(df)
    assert ax.get_xscale() == "log" and len(ax.lines) == 3  # unity and two 2-fold lines
    ax2 = plot_residuals_vs_time(df)
    assert ax2.get_ylabel().startswith("ln(observed)")
    plt.close("all")


def test_bad_input():
    with pytest.raises(DataError, match="> 0"):
        gof_metrics([1.0, 0.0], [1.0, 1.0])
    with pytest.raises(DataError, match="2 observed but 1 predicted"):
        gof_metrics([1.0, 2.0], [1.0])
    with pytest.raises(DataError, match="lacks column"):
        gof_table(pd.DataFrame({"observed": [1.0]}))
