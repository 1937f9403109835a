"""The fitting engine: recovery with honest CIs, agreement with scipy, metrics, failures."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit
from scipy.stats import binom

from nanomed.core.errors import DataError
from nanomed.core.parameter import Parameter
from nanomed.release.base import ReleaseModel
from nanomed.release.custom import custom_model, expression_model
from nanomed.release.empirical import EMPIRICAL_MODELS
from nanomed.release.fitting import LibraryFit, fit_library, fit_metrics, fit_model
from nanomed.release.lm import BoundsTransform

T = np.array([0.25, 0.5, 1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 30, 36, 48], dtype=float)

TRUTH = {
    "first_order": {"k": 0.12},
    "weibull": {"td": 8.0, "beta": 0.75},
    "korsmeyer_peppas": {"k": 0.12, "n": 0.55},
    "biexponential": {"a": 0.35, "k_fast": 1.5, "k_slow": 0.04},
}


def _noisy_library(model: str, n_rep: int, sigma: float, seed: int) -> pd.DataFrame:
    cls = EMPIRICAL_MODELS[model]
    theta = np.array(
        [[{**TRUTH[model], "f_max": 1.0, "t_lag": 0.0}.get(n, 0.0) for n in cls.param_names()]]
    )
    clean = cls.function(T, theta)[0]
    rng = np.random.default_rng(seed)
    f = clean + rng.normal(0.0, sigma, size=(n_rep, T.size))
    return pd.DataFrame(
        {
            "profile_id": np.repeat([f"r{i}" for i in range(n_rep)], T.size),
            "time": np.tile(T, n_rep),
            "fraction_released": f.ravel(),
        }
    )


@pytest.mark.parametrize("model", sorted(TRUTH))
def test_confidence_intervals_cover_the_truth(model: str) -> None:
    """95 % CIs from 200 noisy replicates must contain the true value ~95 % of the time.

    With 200 replicates the coverage of an exact 95 % interval falls outside [0.91, 0.985] with
    probability < 1 % (binomial), so the test fails for a wrong covariance, not by bad luck.
    """
    n_rep = 200
    lib = fit_library(_noisy_library(model, n_rep, sigma=0.01, seed=7), [model], time_unit="h")
    df = lib.to_dataframe()
    assert len(df) == n_rep and df["converged"].all()
    lo_ok, hi_ok = binom.ppf(0.003, n_rep, 0.95) / n_rep, binom.ppf(0.997, n_rep, 0.95) / n_rep
    for name, true in TRUTH[model].items():
        inside = (df[f"{name}_ci_low"] <= true) & (true <= df[f"{name}_ci_high"])
        cover = inside.mean()
        assert lo_ok - 0.03 <= cover <= hi_ok, f"{model}.{name}: coverage {cover:.3f}"
        # and the estimates are centred on the truth (mean within 3 standard errors of the mean)
        est = df[name]
        assert abs(est.mean() - true) < 3 * est.std() / np.sqrt(n_rep) + 1e-3 * abs(true)


CLEAN = {
    "zero_order": ({"k0": 0.02}, [0.01]),
    "first_order": ({"k": 0.12}, [0.05]),
    "higuchi": ({"kH": 0.15}, [0.1]),
    "korsmeyer_peppas": ({"k": 0.12, "n": 0.55}, [0.1, 0.5]),
    "weibull": ({"td": 8.0, "beta": 0.75}, [5.0, 1.0]),
    "hixson_crowell": ({"kHC": 0.02}, [0.01]),
    "baker_lonsdale": ({"kBL": 0.01}, [0.005]),
    "logistic": ({"td": 6.0, "beta": 1.4}, [4.0, 1.0]),
    "gompertz": ({"td": 3.0, "beta": 1.2}, [2.0, 1.0]),
    "peppas_sahlin": ({"k1": 0.12, "k2": 0.004, "m": 0.45}, [0.1, 0.0, 0.4]),
    "biexponential": ({"a": 0.35, "k_fast": 1.5, "k_slow": 0.04}, [0.3, 1.0, 0.05]),
}


@pytest.mark.parametrize("model", sorted(CLEAN))
def test_fast_path_agrees_with_scipy_curve_fit(model: str) -> None:
    """Same optimum as scipy's curve_fit (started near the truth) on nearly clean data."""
    truth, p0 = CLEAN[model]
    cls = EMPIRICAL_MODELS[model]
    names = list(truth)
    full = {"f_max": 1.0, "t_lag": 0.0}
    df = _noisy_library_from(cls, truth, sigma=2e-4, seed=3)
    t, f = df["time"].to_numpy(), df["fraction_released"].to_numpy()
    keep = f <= (cls.fit_max_fraction or np.inf)

    def func(x: np.ndarray, *p: float) -> np.ndarray:
        vals = {**full, **dict(zip(names, p, strict=True))}
        return cls.function(x, [[vals[n] for n in cls.param_names()]])[0]

    popt, _ = curve_fit(func, t[keep], f[keep], p0=p0, maxfev=20000)
    res = fit_model(model, t, f, time_unit="h")
    got = np.array([res.params[n] for n in names])
    sse_cf = float(np.sum((f[keep] - func(t[keep], *popt)) ** 2))
    assert res.metrics["sse"] <= sse_cf * (1 + 1e-6) + 1e-15
    np.testing.assert_allclose(got, popt, rtol=2e-3, atol=1e-6)


def _noisy_library_from(
    cls: type, truth: dict[str, float], sigma: float, seed: int
) -> pd.DataFrame:
    vals = {**truth, "f_max": 1.0, "t_lag": 0.0}
    clean = cls.function(T, [[vals[n] for n in cls.param_names()]])[0]
    f = clean + np.random.default_rng(seed).normal(0, sigma, T.size)
    return pd.DataFrame({"time": T, "fraction_released": f})


class _PlainFirstOrder(ReleaseModel):
    """First order written as a plain (non-empirical) ReleaseModel, to test the generic path."""

    name = "plain_first_order_for_test"
    reference = "test"
    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter("k", 0.5, "1/h", (0.0, None), ref="test", guess=True),
    )

    def _fraction(self, t: np.ndarray, p: dict[str, float], env: object) -> np.ndarray:
        return 1.0 - np.exp(-p["k"] * t)


def test_generic_path_matches_the_batched_engine() -> None:
    df = _noisy_library_from(EMPIRICAL_MODELS["first_order"], {"k": 0.2}, sigma=0.01, seed=5)
    t, f = df["time"].to_numpy(), df["fraction_released"].to_numpy()
    fast = fit_model("first_order", t, f)
    generic = fit_model(_PlainFirstOrder(), t, f)
    assert generic.params["k"] == pytest.approx(fast.params["k"], rel=1e-5)
    assert generic.parameter_table()["se"].iloc[0] == pytest.approx(
        fast.parameter_table().set_index("name").loc["k", "se"], rel=1e-3
    )
    assert generic.metrics["r2"] == pytest.approx(fast.metrics["r2"], rel=1e-8)


def test_fit_metrics_match_their_definitions() -> None:
    y = np.array([0.1, 0.3, 0.45, 0.7, 0.8, 0.9])
    yhat = np.array([0.12, 0.28, 0.47, 0.66, 0.83, 0.9])
    sse = float(np.sum((y - yhat) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    m = fit_metrics(sse, sst, 6, 2)
    assert float(m["r2"]) == pytest.approx(1 - sse / sst)
    assert float(m["adj_r2"]) == pytest.approx(1 - (sse / sst) * 5 / 4)
    assert float(m["aic"]) == pytest.approx(6 * np.log(sse / 6) + 2 * 3)
    assert float(m["aicc"]) == pytest.approx(6 * np.log(sse / 6) + 6 + 2 * 3 * 4 / 2)
    assert float(m["bic"]) == pytest.approx(6 * np.log(sse / 6) + 3 * np.log(6))
    assert float(m["msc"]) == pytest.approx(np.log(sst / sse) - 4 / 6)
    assert float(m["rmse"]) == pytest.approx(np.sqrt(sse / 6))
    assert np.isnan(fit_metrics(sse, sst, 4, 2)["aicc"])  # n - K - 1 = 0: undefined


def test_constant_weights_change_nothing_and_weights_matter() -> None:
    df = _noisy_library_from(EMPIRICAL_MODELS["weibull"], {"td": 8.0, "beta": 0.75}, 0.02, 11)
    t, f = df["time"].to_numpy(), df["fraction_released"].to_numpy()
    a = fit_model("weibull", t, f)
    b = fit_model("weibull", t, f, weights=np.full(t.size, 3.0))
    assert b.params["td"] == pytest.approx(a.params["td"], rel=1e-6)
    w = np.where(t < 5, 100.0, 1.0)
    c = fit_model("weibull", t, f, weights=w)
    assert abs(c.params["td"] - a.params["td"]) > 1e-4


def test_short_profile_is_skipped_per_model_and_batch_goes_on() -> None:
    good = _noisy_library("weibull", 3, 0.01, 1)
    short = pd.DataFrame(
        {"profile_id": "short", "time": [1.0, 2.0], "fraction_released": [0.1, 0.2]}
    )
    broken = pd.DataFrame(
        {"profile_id": "neg", "time": [-1.0, 2.0, 3.0], "fraction_released": [0.1, 0.2, 0.3]}
    )
    lib = fit_library(pd.concat([good, short, broken]), ["first_order", "weibull", "peppas_sahlin"])
    df = lib.to_dataframe()
    assert set(df["profile_id"]) == {"r0", "r1", "r2", "short"}
    assert set(df.loc[df["profile_id"] == "short", "model"]) == {"first_order", "weibull"}
    failed = lib.failed
    row = failed[(failed["profile_id"] == "short") & (failed["model"] == "peppas_sahlin")]
    assert "2 point(s) at t > 0 for 3 parameter(s)" in row["reason"].iloc[0]
    assert "negative time" in failed.loc[failed["profile_id"] == "neg", "reason"].iloc[0]
    with pytest.raises(DataError, match="for 3 parameter"):
        fit_model("peppas_sahlin", [1.0, 2.0], [0.1, 0.2])


def test_ranking_and_korsmeyer_window() -> None:
    lib = fit_library(
        _noisy_library("weibull", 4, 0.005, 2), ["first_order", "weibull", "korsmeyer_peppas"]
    )
    df = lib.to_dataframe()
    assert (df.loc[df["model"] == "weibull", "rank"] == 1).all()  # the true model wins by AICc
    kp = df[df["model"] == "korsmeyer_peppas"]
    assert kp["rank"].isna().all() and (kp["n_points"] < T.size).all()
    by_r2 = fit_library(
        _noisy_library("weibull", 4, 0.005, 2), ["first_order", "weibull"], rank_by="r2"
    )
    assert (by_r2.best()["best_model"] == "weibull").all()


def test_fmax_option_recovers_an_incomplete_plateau() -> None:
    cls = EMPIRICAL_MODELS["first_order"]
    f = cls.function(T, [[0.3, 0.7, 0.0]])[0] + np.random.default_rng(0).normal(0, 0.005, T.size)
    res = fit_model("first_order+fmax", T, f)
    se = res.parameter_table().set_index("name").loc["f_max", "se"]
    assert abs(res.params["f_max"] - 0.7) < 4 * se and se < 0.01
    assert res.params["k"] == pytest.approx(0.3, rel=0.1)


def test_library_fit_roundtrip_and_results(tmp_path) -> None:
    lib = fit_library(_noisy_library("first_order", 2, 0.01, 4), ["first_order", "weibull"])
    lib.save(tmp_path / "fit")
    back = LibraryFit.load(tmp_path / "fit")
    pd.testing.assert_frame_equal(back.to_dataframe(), lib.to_dataframe(), check_dtype=False)
    res = back.result("r0", "weibull")
    np.testing.assert_allclose(res.data["residual"], res.data["observed"] - res.data["fitted"])
    assert set(back.parameters()["parameter"]) >= {"k", "td", "beta"}
    assert res.plot() is not None


# -- positive parameters whose bounds span decades (log-space transforms) ----------------------

DECADE_BOUNDS = [(0.0, 1e-3), (1e-6, 1.0), (0.0, None), (None, 5.0), (-1.0, 1.0), (None, None)]


def test_bounds_transform_round_trips_across_decades() -> None:
    tr = BoundsTransform(DECADE_BOUNDS)
    theta = np.array(
        [
            [1e-14, 3e-6, 2e-20, -1e8, -0.999, -3.0],
            [5e-4, 0.9, 7.0, 4.999, 0.5, 1e6],
            [1e-22, 1e-3, 1e3, 0.0, 0.0, 0.0],
        ]
    )
    back = tr.theta(tr.z(theta))
    atol = np.array([0, 0, 0, 5, 1, 0]) * 1e-15  # theta = hi - exp(z) near 0: absolute precision
    assert np.all(np.abs(back - theta) <= 1e-8 * np.abs(theta) + atol)
    # the old logistic floored (0, 1e-3) at 1e-12: the value must come back, not the floor
    # (abs=0: with pytest.approx's default abs=1e-12 the floor 1e-12 itself would pass)
    back_small = tr.theta(tr.z(np.array([[1e-14, *theta[0, 1:]]])))[0, 0]
    assert back_small == pytest.approx(1e-14, rel=1e-8, abs=0)
    # log space: the geometric midpoint of (1e-6, 1) sits at z = 0
    assert tr.theta(np.zeros((1, 6)))[0, 1] == pytest.approx(1e-3)
    z = np.array([[-1e3] * 6, [1e3] * 6, [-60.0] * 6, [60.0] * 6])
    th = tr.theta(z)
    lo = np.array([-np.inf if b[0] is None else b[0] for b in DECADE_BOUNDS])
    hi = np.array([np.inf if b[1] is None else b[1] for b in DECADE_BOUNDS])
    assert np.all(np.isfinite(th[:, :5])) and np.all((th >= lo) & (th <= hi))


class _PlainDecay(ReleaseModel):
    """F = 1 - exp(-D t 1e12) as a plain ReleaseModel, D bounded (0, 1e-3) like a diffusivity."""

    name = "plain_decay_for_test"
    reference = "test"
    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter("D", 1e-13, "cm**2/s", (0.0, 1e-3), ref="test", guess=True),
    )

    def _fraction(self, t: np.ndarray, p: dict[str, float], env: object) -> np.ndarray:
        return -np.expm1(-p["D"] * t * 1e12)


DECADES = (1e-14, 1e-13, 1e-12)


def _decay_profile(true_d: float) -> tuple[np.ndarray, np.ndarray]:
    """Sampled where the curve is informative for ``true_d`` (k t from 0.5 to 5), 0.5 % noise.

    The times scale with 1/D, so the three profiles are the same problem in different units and
    must give the same relative estimate and relative SE: a check of the engine's scale freedom.
    """
    t = np.geomspace(0.5, 5.0, 12) / (true_d * 1e12)
    f = -np.expm1(-true_d * t * 1e12) + np.random.default_rng(1).normal(0, 0.005, t.size)
    return t, f


def _check_decade_fits(est: np.ndarray, se: np.ndarray) -> None:
    truth = np.array(DECADES)
    assert np.all(np.abs(est - truth) < 4 * se) and np.all(se < 0.02 * truth)
    np.testing.assert_allclose(est / truth, est[0] / truth[0], rtol=1e-5)
    np.testing.assert_allclose(se / truth, se[0] / truth[0], rtol=1e-3)


def test_decade_spanning_parameter_is_recovered_by_the_batched_engine() -> None:
    """D in (0, 1e-3), true 1e-14..1e-12: the old logistic clamped the start at 1e-12 and stuck."""
    spec = Parameter("D", 1e-13, "cm**2/s", (0.0, 1e-3), ref="test", guess=True)
    decay = custom_model("decay_for_test", lambda t, D: -np.expm1(-D * t * 1e12), [spec])
    rows = []
    for i, d in enumerate(DECADES):
        t, f = _decay_profile(d)
        rows.append(pd.DataFrame({"profile_id": f"d{i}", "time": t, "fraction_released": f}))
    lib = fit_library(pd.concat(rows), [decay()], time_unit="s")
    df = lib.to_dataframe()
    assert df["converged"].all()
    _check_decade_fits(df["D"].to_numpy(), df["D_se"].to_numpy())
    # an unregistered custom model still predicts (the instance is kept with the results)
    res = lib.result("d0")
    np.testing.assert_allclose(res.predict(res.data["time"]), res.data["fitted"], rtol=1e-12)
    one = fit_model(decay(), *_decay_profile(1e-14), n_starts=1)
    assert one.params["D"] == pytest.approx(df["D"].iloc[0], rel=1e-6, abs=0)  # D ~ 1e-14


def test_decade_spanning_parameter_is_recovered_by_the_generic_path() -> None:
    fits = [fit_model(_PlainDecay(), *_decay_profile(d), time_unit="s") for d in DECADES]
    assert all(r.converged for r in fits)
    table = [r.parameter_table().set_index("name").loc["D"] for r in fits]
    _check_decade_fits(np.array([p["value"] for p in table]), np.array([p["se"] for p in table]))


def test_free_parameter_is_not_limited_to_the_transform_range() -> None:
    """An unbounded parameter is fitted as it is: K = 150 is not clipped at |z| = 60."""
    half_time = expression_model("t / (t + K)", name="half_time_for_test")  # K: (None, None)
    t = np.array([10.0, 30, 60, 120, 240, 480, 960])
    res = fit_model(half_time(), t, t / (t + 150.0))
    assert res.params["K"] == pytest.approx(150.0, rel=1e-6)


def test_release_package_exports_the_fitting_api() -> None:
    import nanomed.release as release
    from nanomed.release.fit_results import FitResult

    assert release.fit_model is fit_model and release.fit_library is fit_library
    assert release.LibraryFit is LibraryFit and release.FitResult is FitResult
    assert all(hasattr(release, name) for name in release.__all__)
    assert "fickian_sphere" in release.available_release_models()
