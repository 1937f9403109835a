"""Analogue release profiles: exact on a scale family, only fitted profiles used, protocol member."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from nanomed.ai.analogues import AnalogueReleaseModel
from nanomed.ai.datasets import load_dataset
from nanomed.ai.hybrid import _profile_ids
from nanomed.ai.protocols import build_model
from nanomed.core.errors import DataError, InputError

EARLY_T = np.array([0.25, 0.5, 1.0])
EARLY = ["T=0.25", "T=0.5", "T=1.0"]
GRID = np.linspace(0.0, 120.0, 2401)  # dense sampling: linear interpolation error < 1e-4


def _first_order(k: float, times: np.ndarray, x: float) -> pd.DataFrame:
    """Rows of one first-order profile F = 1 - exp(-k t) (Gibaldi & Feldman 1967)."""
    early = 1 - np.exp(-k * EARLY_T)
    rows = pd.DataFrame({"x": x, "Time": times})
    for c, f in zip(EARLY, early, strict=True):
        rows[c] = f
    return rows.assign(Release=1 - np.exp(-k * times))


def _table(ks: list[float], times: np.ndarray = GRID) -> pd.DataFrame:
    return pd.concat(
        [_first_order(k, times, float(i)) for i, k in enumerate(ks)], ignore_index=True
    )


def test_warped_analogues_reproduce_a_first_order_profile_exactly():
    # f_k(t) = g(k t): an analogue of rate k' read at t * tau, tau = time it reached f_k(1 d) =
    # k / k', is f_k itself, whichever analogue is used -> the blend is exact
    lib = _table([0.05, 0.1, 0.2, 0.6, 1.2])
    query = _first_order(0.3, np.array([0.5, 2.0, 5.0, 10.0]), 99.0)
    X = query.drop(columns="Release")
    for k in (1, 5):
        m = AnalogueReleaseModel(n_neighbors=k).fit(lib.drop(columns="Release"), lib["Release"])
        np.testing.assert_allclose(m.predict(X), query["Release"], atol=2e-4)
    # without the warp the analogues' own clocks are wrong by a factor up to 6
    plain = AnalogueReleaseModel(n_neighbors=5, warp=False).fit(
        lib.drop(columns="Release"), lib["Release"]
    )
    assert np.abs(plain.predict(X) - query["Release"]).max() > 0.05


def test_only_fitted_profiles_are_used_and_rows_do_not_share_information():
    ds = load_dataset("bannigan_few_shot")
    X, y = ds.X, ds.y.to_numpy()
    # a formulation = identical inputs but the time (a few replicate experiments share one)
    pid = _profile_ids(X.drop(columns="Time"))
    single = pd.Series(ds.frame["Experimental_index"].to_numpy()).groupby(pid).nunique() == 1
    held = np.isin(pid, single.index[single][::9])  # a few whole formulations held out
    m = AnalogueReleaseModel(n_neighbors=1).fit(X[~held], y[~held])
    # the library is exactly the training profiles, and their measured curves
    assert len(m.library_) == len(np.unique(pid[~held]))
    assert sum(len(t) for t in m.library_.times) == int((~held).sum())
    pred = m.predict(X[held])
    # a row's prediction depends on its own inputs only: same alone, in a subset, shuffled
    rows = np.flatnonzero(held)
    order = np.random.default_rng(0).permutation(len(rows))
    np.testing.assert_array_equal(m.predict(X.iloc[rows[order]]), pred[order])
    np.testing.assert_array_equal(m.predict(X.iloc[rows[:7]]), pred[:7])
    # the held-out truth is not retrieved (it was not fitted) ...
    assert np.abs(pred - y[held]).mean() > 0.02
    # ... whereas a 1-NN model fitted on those profiles returns their measured curves (matched on
    # the design: early points alone are often tied between formulations; profiles whose design
    # has a twin are left out, their tie has no right answer)
    design = _profile_ids(X.drop(columns=["Time", *EARLY]))
    alone = pd.Series(pid).groupby(design).nunique() == 1
    check = held & np.isin(design, alone.index[alone])
    assert len(np.unique(pid[check])) >= 10
    seen = AnalogueReleaseModel(match="design", n_neighbors=1).fit(X, y)
    monotone = pd.Series(y[check]).groupby(pid[check]).cummax().clip(0, 1).to_numpy()
    np.testing.assert_allclose(seen.predict(X[check]), monotone, atol=1e-9)


def test_design_match_standardises_inputs_and_interpolates_the_neighbour():
    t = np.array([0.0, 2.0, 4.0, 8.0])
    # "big" spans 1e5 but is identical in two formulations; "x" separates them
    X = pd.DataFrame(
        {
            "x": np.repeat([0.0, 1.0, 5.0], 4),
            "big": np.repeat([0.0, 0.0, 1e5], 4),
            "Time": np.tile(t, 3),
        }
    )
    y = np.r_[[0, 0.2, 0.4, 0.8], [0, 0.1, 0.3, 0.5], [0, 0.5, 0.9, 1.0]]
    m = AnalogueReleaseModel(match="design", n_neighbors=1).fit(X, y)
    q = pd.DataFrame({"x": [0.9], "big": [300.0], "Time": [3.0]})  # nearest: x = 1 profile
    assert m.predict(q)[0] == pytest.approx(np.interp(3.0, t, y[4:8]))
    assert clone(m).get_params() == m.get_params()


def test_bad_inputs_are_one_line_errors():
    lib = _table([0.1, 0.3], np.linspace(0, 10, 11))
    X, y = lib.drop(columns="Release"), lib["Release"]
    with pytest.raises(InputError, match="DataFrame"):
        AnalogueReleaseModel().fit(X.to_numpy(), y)
    with pytest.raises(DataError, match=r"columns \['T=1.0'\]"):
        AnalogueReleaseModel().fit(X.drop(columns="T=1.0"), y)
    with pytest.raises(InputError, match="match"):
        AnalogueReleaseModel(match="shape").fit(X, y)
    with pytest.raises(DataError, match="row 3: Time"):
        AnalogueReleaseModel().fit(X.assign(Time=np.where(X.index == 3, -1.0, X["Time"])), y)
    m = AnalogueReleaseModel().fit(X, y)
    with pytest.raises(DataError, match="row 0: early release"):
        m.predict(X.iloc[:1].assign(**{"T=0.5": np.nan}))


def test_analogue_blend_is_registered_and_gives_monotone_bounded_curves():
    ds = load_dataset("bannigan_zero_shot")
    keep = ds.frame["DP_Group"].isin(ds.frame["DP_Group"].unique()[:12]).to_numpy()
    X, y, g = ds.X[keep], ds.y.to_numpy()[keep], ds.groups.to_numpy()[keep]
    model = build_model("bannigan_zero_shot", "analogue_blend").fit(X, y, groups=g)
    blend = model.estimator_
    assert [n for n, _ in blend.estimators] == ["random_forest", "lightgbm_l1", "analogue"]
    assert blend.weights_.sum() == pytest.approx(1.0)
    pred = model.predict(X)
    assert ((pred >= 0) & (pred <= 1)).all()
    # non-decreasing in time within every formulation
    frame = X.assign(pred=pred, pid=ds.frame["Experimental_index"].to_numpy()[keep])
    for _, prof in frame.sort_values("Time").groupby("pid"):
        assert (np.diff(prof["pred"].to_numpy()) >= -1e-12).all()
    # the existing blends keep their two members
    assert len(build_model("bannigan_few_shot", "curve_blend").estimator.estimators) == 2
