"""Outputs: definitions of %ID, %ID/g, DE24/DE168/DEmax, AUC, half-life; summary and plots."""

import numpy as np
import pandas as pd
import pytest
from organ_testing import make_scenario

from nanomed.core.errors import InputError
from nanomed.organ import OrganResult, simulate_organ
from nanomed.organ.outputs import terminal_half_life


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return simulate_organ(make_scenario(), keep_states=True)


def test_percent_id_definitions(result):
    d = result.data
    tum = d[(d.compartment == "tumour") & (d.entity == "particles")].set_index("time")
    parts = result.metadata["doses"][0]["particles"]
    np.testing.assert_allclose(tum["percent_id"], 100 * tum["amount"] / parts)
    np.testing.assert_allclose(tum["percent_id_per_g"], tum["percent_id"] / 0.3)  # 0.3 g tumour
    de = result.delivery_efficiency()
    assert de["DE24"] == pytest.approx(tum.loc[24.0, "percent_id"])
    assert de["DE168"] == pytest.approx(tum.loc[168.0, "percent_id"])
    assert de["DEmax"] == pytest.approx(tum["percent_id"].max())
    # organ amounts are the sum of their states (blood + tissue + phagocytes)
    st = result.states.set_index("time")
    liver = st[[c for c in st if c.startswith("particles:liver.")]].sum(axis=1)
    np.testing.assert_allclose(
        d[(d.compartment == "liver") & (d.entity == "particles")]["amount"], liver.to_numpy()
    )


def test_exposure_metrics(result):
    ex = result.exposure().set_index(["compartment", "entity"])
    s = result.series("blood", "particles", "concentration")
    assert ex.loc[("blood", "particles"), "AUC"] == pytest.approx(np.trapezoid(s, s.index))
    assert ex.loc[("blood", "particles"), "Cmax"] == pytest.approx(s.max())
    ratio = result.tumour_plasma_ratio()
    assert ratio == pytest.approx(
        ex.loc[("tumour", "particles"), "AUC"] / ex.loc[("blood", "particles"), "AUC"]
    )
    summ = result.summary()
    assert {"DE24", "DEmax", "AUC_blood_particles"} <= set(summ.metric)
    assert summ["value"].notna().all()


def test_terminal_half_life_of_an_exponential():
    t = np.linspace(0, 48, 49)
    assert terminal_half_life(t, 3 * np.exp(-np.log(2) / 6.0 * t)) == pytest.approx(6.0)
    assert terminal_half_life(t, np.ones_like(t)) is None


def test_plots_save_and_errors(result, tmp_path):
    assert result.plot().get_yscale() == "log"
    result.plot_percent_id()
    paths = result.save(tmp_path / "run")
    assert all(p.exists() for p in paths)
    back = OrganResult.load(tmp_path / "run")
    pd.testing.assert_frame_equal(back.data, result.data)
    assert back.metadata == result.metadata
    with pytest.raises(InputError, match="no particles in compartment 'pancreas'"):
        result.series("pancreas")
