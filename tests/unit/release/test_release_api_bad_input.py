"""Bad input to the public Python API of nanomed.release gets one clear error naming the field.

Each case was, before its fix, a traceback from numpy/scipy/Python that did not name the
parameter, a silent NaN or -inf, or a wrong result returned without complaint.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nanomed.core import Parameter
from nanomed.core.errors import InputError, ParameterError
from nanomed.release import (
    Environment,
    FickianSphere,
    LangmuirDesorption,
    LiposomePermeation,
    PLGAErosion,
    bootstrap_f2,
    compare_profiles,
    f1,
    f2,
    fit_library,
    fit_model,
    get_release_model,
)
from nanomed.release.custom import custom_model, expression_model
from nanomed.release.diffusion import medium_alpha, sphere_fraction
from nanomed.release.distribution import LogNormalSize

NAN, INF = math.nan, math.inf
T = [0.5, 1, 2, 4, 8, 24]
F = [0.10, 0.18, 0.30, 0.45, 0.62, 0.85]
TM = [1, 2, 3, 4, 5]
REF = [20.0, 40.0, 60.0, 80.0, 90.0]
TEST = [18.0, 38.0, 58.0, 78.0, 88.0]
UNITS_R = np.tile(REF, (12, 1)) + np.linspace(-1, 1, 12)[:, None]
UNITS_T = np.tile(TEST, (12, 1)) + np.linspace(-1, 1, 12)[:, None]
K = [Parameter("k", 0.1, "1/{t}", (0, None), ref="test")]


def _weibull_fit(**kw):
    return fit_model("weibull", T, F, **kw)


def _library(**kw):
    import pandas as pd

    df = pd.DataFrame({"profile_id": ["a"] * 6, "time": T, "fraction_released": F})
    return fit_library(df, **{"models": ["weibull"], **kw})


# -- text (or None) where numbers are wanted -----------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: get_release_model("weibull").fraction_released("abc"), "times: expected numbers"),
        (lambda: get_release_model("weibull").release_rate(["1", "x"]), "times: expected numbers"),
        (lambda: get_release_model("weibull").release_rate([1.0], dt="x"), "dt: expected numbers"),
        (lambda: fit_model("weibull", ["a"] * 6, F), "t: expected numbers"),
        (lambda: fit_model("weibull", T, ["a"] * 6), "f: expected numbers"),
        (lambda: _weibull_fit(weights="abc"), "weights: expected numbers"),
        (lambda: _weibull_fit(fixed={"beta": "x"}), "beta: expected a number"),
        (lambda: _weibull_fit().predict("abc"), "times: expected numbers"),
        (lambda: f1(["a"] * 5, TEST), "reference: expected numbers"),
        (lambda: f2(REF, ["a"] * 5), "test: expected numbers"),
        (lambda: compare_profiles(["a"] * 5, REF, TEST), "times: expected numbers"),
        (lambda: compare_profiles(TM, ["x"] * 5, TEST), "reference: expected numbers"),
        (
            lambda: compare_profiles(TM, REF, TEST, test_times=["a"] * 5),
            "test_times: expected numbers",
        ),
        (lambda: compare_profiles(TM, UNITS_R, UNITS_T, early_until="x"), "early_until"),
        (lambda: Environment(ph="7"), "ph must be a number"),
        (lambda: Environment(temperature_C=None), "temperature_C must be a number"),
        (lambda: LangmuirDesorption(surface_sites=[("a", 1.0)]), "surface_sites"),
        (lambda: expression_model("1 - exp(-k*t)", {"k": ("a", None)}), "parameter k"),
    ],
)
def test_text_where_numbers_are_wanted(call, match) -> None:
    with pytest.raises(InputError, match=match):
        call()


# -- NaN, inf and absurdly large values ----------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Environment(protein_g_L=NAN), "protein_g_L must be finite"),
        (lambda: Environment(protein_g_L=INF), "protein_g_L must be finite"),
        (lambda: get_release_model("weibull").release_rate([1.0], dt=NAN), "dt must be finite"),
        (lambda: get_release_model("weibull").release_rate([1.0], dt=INF), "dt must be finite"),
        (lambda: _weibull_fit().predict([NAN]), "times must be finite"),
        (lambda: compare_profiles([1, NAN, 3, 4, 5], REF, TEST), "times must be finite"),
        (lambda: compare_profiles(TM, UNITS_R, UNITS_T, early_until=NAN), "early_until"),
        (lambda: f2([1e300] * 5, TEST), "reference: 1e\\+300 % released"),
        (lambda: compare_profiles(TM, REF, [1e300] * 5), "test: 1e\\+300 % released"),
        (lambda: fit_model("weibull", T, [1e300] * 6), "fraction_released 1e\\+300"),
        (lambda: LangmuirDesorption(surface_sites=[(INF, 1.0)]), "surface_sites"),
        (lambda: LangmuirDesorption(surface_sites=[(NAN, 1.0)]), "surface_sites"),
        (lambda: FickianSphere(n_nodes=NAN), "n_nodes"),
        (lambda: FickianSphere(n_nodes=INF), "n_nodes"),
        (lambda: FickianSphere(n_nodes=1e300), "n_nodes"),
        (lambda: PLGAErosion(n_shells=NAN), "n_shells"),
        (lambda: _weibull_fit(n_starts=NAN), "n_starts"),
        (lambda: bootstrap_f2(TM, UNITS_R, UNITS_T, n_boot=1e300), "n_boot"),
    ],
)
def test_nan_inf_and_huge_values(call, match) -> None:
    with pytest.raises(InputError, match=match):
        call()


# -- zero where it is impossible: time scales and shape exponents --------------------------------
@pytest.mark.parametrize(
    ("model", "param"),
    [
        ("weibull", "beta"),
        ("gompertz", "beta"),
        ("logistic", "beta"),
        ("korsmeyer_peppas", "n"),
        ("peppas_sahlin", "m"),
        ("double_weibull", "beta1"),
        ("double_weibull", "beta2"),
    ],
)
def test_zero_shape_exponent(model: str, param: str) -> None:
    """t**0 = 1 released a fraction at t = 0 (Weibull beta = 0: F(0) = 0.63)."""
    with pytest.raises(ParameterError, match=f"{param}: must be > 0"):
        get_release_model(model, **{param: 0.0})
    with pytest.raises(ParameterError, match=f"{param}: must be > 0"):
        get_release_model(model).with_values(**{param: 0.0})


@pytest.mark.parametrize(
    ("param", "match"), [("beta", "beta: must be > 0"), ("td", "td: must be > 0")]
)
def test_zero_held_fixed_in_a_fit(param: str, match: str) -> None:
    """fit_model(..., fixed={"beta": 0}) used to fit a curve with F(0) > 0 without complaint."""
    with pytest.raises(ParameterError, match=match):
        _weibull_fit(fixed={param: 0.0})


# -- negative or out-of-range values -------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: get_release_model("weibull").release_rate([1.0], dt=0.0),
            "dt must be finite and > 0",
        ),
        (
            lambda: get_release_model("weibull").release_rate([1.0], dt=-1.0),
            "dt must be finite and > 0",
        ),
        (lambda: compare_profiles([-2, -1, 0, 1, 2], REF, TEST), "times must be finite and >= 0"),
        (lambda: fit_model("weibull", T, [-5.0] * 6), "point 0: fraction_released -5"),
        (lambda: fit_model("weibull", T, [10, 18, 30, 45, 62, 85]), "percent\\? divide by 100"),
        (lambda: f2([-50.0] * 5, TEST), "reference: -50 % released"),
        (lambda: f2([200.0] * 5, TEST), "reference: 200 % released"),
        (lambda: compare_profiles(TM, REF, TEST, percent=False), "reference: 2000 % released"),
        (lambda: _weibull_fit(seed=-1), "seed must be an integer >= 0"),
        (lambda: _library(seed=-1), "seed must be an integer >= 0"),
        (lambda: bootstrap_f2(TM, UNITS_R, UNITS_T, seed=-1), "seed must be an integer >= 0"),
        (lambda: FickianSphere(n_nodes=-1), "n_nodes must be an integer"),
        (lambda: FickianSphere(n_nodes=1.5), "n_nodes must be an integer"),
        (lambda: bootstrap_f2(TM, UNITS_R, UNITS_T, n_boot=150.5), "n_boot must be an integer"),
    ],
)
def test_negative_or_out_of_range(call, match) -> None:
    with pytest.raises(InputError, match=match):
        call()


# -- wrong types: a dict, a list, an integer, a callable -----------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: _weibull_fit(fixed=["td"]), "fixed must be a dict"),
        (lambda: _weibull_fit(n_starts="x"), "n_starts must be an integer"),
        (lambda: _library(n_starts="x"), "n_starts must be an integer"),
        (lambda: _library(max_iter="x"), "max_iter must be an integer"),
        (lambda: _weibull_fit(seed="x"), "seed must be an integer"),
        (lambda: bootstrap_f2(TM, UNITS_R, UNITS_T, level="x"), "level must be in"),
        (lambda: bootstrap_f2(TM, UNITS_R, UNITS_T, seed="x"), "seed must be an integer"),
        (lambda: compare_profiles(TM, REF, TEST, min_points="x"), "min_points must be"),
        (lambda: compare_profiles(TM, UNITS_R, UNITS_T, min_units="x"), "min_units must be"),
        (lambda: FickianSphere(n_nodes=None), "n_nodes must be an integer"),
        (lambda: PLGAErosion(n_shells="x"), "n_shells must be an integer"),
        (lambda: get_release_model([]), "unknown release model"),
        (lambda: LangmuirDesorption(surface_sites=5), "surface_sites"),
        (lambda: LangmuirDesorption(surface_sites=[(4.5,)]), "surface_sites"),
        (lambda: LiposomePermeation(pka_acid=5), "pka_acid"),
        (lambda: LiposomePermeation(pka_base=None), "pka_base"),
        (lambda: expression_model("1 - exp(-k*t)", {"k": 5}), "parameter k"),
        (lambda: expression_model("1 - exp(-k*t)", {"k": (0,)}), "parameter k"),
        (lambda: custom_model(5, lambda t, k: 1 - np.exp(-k * t), K), "name"),
        (lambda: custom_model("m", 5, K), "function must be callable"),
        (lambda: custom_model("m", lambda t, k: 1 - np.exp(-k * t), [("k", 0.1)]), "params"),
        (lambda: custom_model("m", lambda t, k: 1 - np.exp(-k * t), None), "params"),
    ],
)
def test_wrong_types(call, match) -> None:
    with pytest.raises(InputError, match=match):
        call()


# -- empty inputs and nothing to fit -------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compare_profiles(TM, UNITS_R[:0], UNITS_T), "reference: no units"),
        (lambda: bootstrap_f2(TM, UNITS_R, UNITS_T[:0]), "test: no units"),
        (lambda: _weibull_fit(fixed={"td": 2.0, "beta": 1.0}), "no free parameter"),
        (lambda: fit_model(expression_model("1/t")(), T, F), "no free parameter"),
    ],
)
def test_empty_or_nothing_to_fit(call, match) -> None:
    with pytest.raises(InputError, match=match):
        call()


def test_method_of_lines_with_no_times_gives_an_empty_curve() -> None:
    """Was an IndexError; every other model returns an empty array."""
    assert PLGAErosion(autocatalysis=1.0).fraction_released([]).shape == (0,)


# -- wrong results returned without complaint ----------------------------------------------------
def test_fixed_values_are_held_in_addition_to_the_default_fixed_ones() -> None:
    """fixed={"beta": 1} used to free t_lag and f_max as well (4 parameters fitted, not 1)."""
    res = _weibull_fit(fixed={"beta": 1.0})
    assert res.params["beta"] == 1.0
    assert res.params["t_lag"] == 0.0 and res.params["f_max"] == 1.0
    assert res.metrics["n_params"] == 1


def test_one_model_name_is_one_model() -> None:
    """models="weibull" used to be read letter by letter ("unknown release model 'w'")."""
    lib = _library(models="weibull")
    assert list(lib.to_dataframe()["model"]) == ["weibull"]


# -- legitimate edge values still work -----------------------------------------------------------
def test_legitimate_edge_values_still_work() -> None:
    # small positive exponents and time scales are fine
    assert get_release_model("weibull", beta=1e-3, td=1e-9).fraction_released([0.0])[0] == 0.0
    # numpy numbers and integers in an environment
    env = Environment("e", np.float64(7.0), 37, np.int64(0))
    assert get_release_model("weibull").fraction_released([1.0], env).shape == (1,)
    # assay overshoot up to 120 % and dips to -5 % are data, as in read_release_curves
    res = fit_model("weibull+fmax", T, [-0.05, 0.18, 0.30, 0.45, 0.62, 1.2], n_starts=2.0)
    assert np.isfinite(res.metrics["sse"])
    assert fit_model("weibull", T, F, seed=None).params["beta"] > 0
    # f1/f2 at the ends of the percent scale, the FDA rules unchanged
    assert f2([0.0, 50.0, 100.0], [0.0, 50.0, 100.0]) == pytest.approx(100.0)
    s = compare_profiles([0, *TM], [0.0, *REF], [0.0, *TEST], min_points=0)
    assert s.similar and "time zero excluded" in s.notes
    b = bootstrap_f2(TM, UNITS_R, UNITS_T, n_boot=100.0, seed=np.int64(1))
    assert b.ci_low <= b.f2 <= b.ci_high
    # integers given as floats, one quadrature node
    assert FickianSphere(pdi=0.2, n_nodes=1.0).fraction_released([1.0]).shape == (1,)
    assert PLGAErosion(n_shells=40.0).n_shells == 40
    # empty time grids stay empty, rates with an explicit step work
    assert get_release_model("weibull").fraction_released([]).shape == (0,)
    rate = get_release_model("first_order", k=0.5).release_rate([1.0], dt=1e-6)
    assert rate[0] == pytest.approx(0.5, rel=1e-6)


def test_fractions_compared_as_percents_are_never_called_similar():
    from nanomed.release.similarity import compare_profiles

    times = [1, 2, 4, 8]
    slow, fast = [0.10, 0.20, 0.40, 0.60], [0.30, 0.60, 0.90, 1.0]  # f2 = 20 in percent
    wrong = compare_profiles(times, slow, fast)  # percent=True by default
    assert wrong.f2 > 90 and not wrong.similar
    assert any("look like fractions" in v for v in wrong.violations)
    right = compare_profiles(times, slow, fast, percent=False)
    assert right.f2 < 50 and not any("fractions" in v for v in right.violations)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sphere_fraction(np.array([0.1]), -1.0), "alpha: volume ratio must be > 0"),
        (lambda: sphere_fraction(np.array([0.1]), float("nan")), "alpha: volume ratio"),
        (lambda: sphere_fraction([-1.0]), "tau: dimensionless times must be >= 0"),
        (lambda: medium_alpha(float("nan")), "equilibrium_fraction: must be finite"),
        (lambda: medium_alpha(1.5), "equilibrium_fraction must lie in"),
        (lambda: medium_alpha(0.5, -2.0), "capacity_factor must be > 0"),
        (lambda: LogNormalSize(100.0, [0.1, 0.2]), "sigma: expected one number"),
        (lambda: LogNormalSize("abc", 0.2), "median diameter: expected numbers"),
        (lambda: compare_profiles(TM, REF, TEST, percent="no"), "percent must be True or False"),
    ],
)
def test_helpers_refuse_impossible_arguments_by_name(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_helpers_keep_their_limits():
    # a perfect sink (alpha = inf) is the default; f_eq = 1 is a perfect sink too
    assert float(sphere_fraction(np.array(0.1))) == pytest.approx(0.7705, abs=1e-4)
    assert medium_alpha(1.0) == math.inf and medium_alpha(0.5) == pytest.approx(1.0)
    assert LogNormalSize(np.float64(100.0), 0).sigma == 0.0
