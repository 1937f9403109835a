"""Empirical release models: each checked against its equation written independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nanomed.core.errors import InputError
from nanomed.release import available_release_models, get_release_model
from nanomed.release.custom import custom_model, expression_model
from nanomed.release.empirical import EMPIRICAL_MODELS, EmpiricalModel, parse_model_spec

T = np.array([0.0, 0.3, 1.0, 2.5, 7.0, 20.0])

# each model's equation written with plain math, independent of the vectorised code
SCALAR = {
    "zero_order": ({"k0": 0.04}, lambda t, p: p["k0"] * t),
    "first_order": ({"k": 0.3}, lambda t, p: 1 - math.exp(-p["k"] * t)),
    "higuchi": ({"kH": 0.2}, lambda t, p: p["kH"] * math.sqrt(t)),
    "korsmeyer_peppas": ({"k": 0.2, "n": 0.6}, lambda t, p: p["k"] * t ** p["n"]),
    "hixson_crowell": ({"kHC": 0.1}, lambda t, p: 1 - max(1 - p["kHC"] * t, 0) ** 3),
    "weibull": ({"td": 3.0, "beta": 0.8}, lambda t, p: 1 - math.exp(-((t / p["td"]) ** p["beta"]))),
    "peppas_sahlin": (
        {"k1": 0.2, "k2": 0.01, "m": 0.45},
        lambda t, p: p["k1"] * t ** p["m"] + p["k2"] * t ** (2 * p["m"]),
    ),
    "hopfenberg": ({"kHB": 0.06, "n": 2.0}, lambda t, p: 1 - max(1 - p["kHB"] * t, 0) ** p["n"]),
    "gompertz": (
        {"td": 2.0, "beta": 1.3},
        lambda t, p: 0.0 if t == 0 else math.exp(-((t / p["td"]) ** -p["beta"])),
    ),
    "logistic": (
        {"td": 2.0, "beta": 1.3},
        lambda t, p: (t / p["td"]) ** p["beta"] / (1 + (t / p["td"]) ** p["beta"]),
    ),
    "biexponential": (
        {"a": 0.3, "k_fast": 2.0, "k_slow": 0.05},
        lambda t, p: (
            p["a"] * (1 - math.exp(-p["k_fast"] * t))
            + (1 - p["a"]) * (1 - math.exp(-p["k_slow"] * t))
        ),
    ),
    "double_weibull": (
        {"a": 0.4, "td1": 0.5, "beta1": 1.2, "td2": 8.0, "beta2": 0.9},
        lambda t, p: (
            p["a"] * (1 - math.exp(-((t / p["td1"]) ** p["beta1"])))
            + (1 - p["a"]) * (1 - math.exp(-((t / p["td2"]) ** p["beta2"])))
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(SCALAR))
def test_vectorised_function_matches_scalar_equation(name: str) -> None:
    values, eq = SCALAR[name]
    model = get_release_model(name, **values)
    expected = np.clip([eq(t, values) for t in T], 0, 1)
    np.testing.assert_allclose(model.fraction_released(T), expected, rtol=1e-12, atol=1e-14)


def test_baker_lonsdale_closed_form_solves_the_implicit_equation() -> None:
    # 3/2 [1 - (1 - F)^(2/3)] - F = k t, checked on the returned F (independent of the cubic root)
    k = 0.04
    t = np.linspace(0, 15, 97)
    f = get_release_model("baker_lonsdale", kBL=k).fraction_released(t)
    lhs = 1.5 * (1 - (1 - f) ** (2 / 3)) - f
    np.testing.assert_allclose(lhs, np.minimum(k * t, 0.5), atol=1e-12)
    assert np.all(np.diff(f) >= 0) and f[-1] == pytest.approx(1.0)


def test_characteristic_times() -> None:
    # Weibull at td: 1 - 1/e; logistic at td: 1/2; Gompertz at td: 1/e
    assert get_release_model("weibull", td=5, beta=2).fraction_released([5.0])[0] == pytest.approx(
        1 - math.exp(-1)
    )
    assert get_release_model("logistic", td=5, beta=2).fraction_released([5.0])[0] == pytest.approx(
        0.5
    )
    assert get_release_model("gompertz", td=5, beta=2).fraction_released([5.0])[0] == pytest.approx(
        math.exp(-1)
    )


def test_hopfenberg_sphere_is_hixson_crowell() -> None:
    hc = get_release_model("hixson_crowell", kHC=0.07).fraction_released(T)
    hb = get_release_model("hopfenberg", kHB=0.07, n=3).fraction_released(T)
    np.testing.assert_allclose(hb, hc, rtol=1e-14)


def test_lag_and_plateau_are_generic() -> None:
    base = get_release_model("first_order", k=0.4)
    shifted = get_release_model("first_order", k=0.4, t_lag=1.5, f_max=0.8)
    t = np.array([0.0, 1.0, 1.5, 3.0, 10.0])
    expected = 0.8 * base.fraction_released(np.maximum(t - 1.5, 0))
    np.testing.assert_allclose(shifted.fraction_released(t), expected, rtol=1e-14)


@pytest.mark.parametrize("name", sorted(EMPIRICAL_MODELS))
def test_every_model_is_registered_starts_at_zero_and_never_decreases(name: str) -> None:
    assert name in available_release_models()
    values = SCALAR.get(name, ({}, None))[0]
    model = get_release_model(name, **values)
    assert isinstance(model, EmpiricalModel)
    f = model.fraction_released(np.linspace(0, 50, 200))
    assert f[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(f) >= -1e-12)
    assert model.reference and model.equation
    for p in model.parameters.values_list():
        assert p.unit and "{" not in p.unit and p.ref


def test_starting_values_are_flagged_and_references_written_out() -> None:
    for name in ("biexponential", "double_weibull"):
        a = get_release_model(name).parameters["a"]
        assert a.guess and "starting value" in a.ref
    for p in (
        get_release_model(n).parameters[k]
        for n, k in (("korsmeyer_peppas", "k"), ("peppas_sahlin", "k2"), ("hopfenberg", "n"))
    ):
        assert "(19" in p.ref  # a written-out citation, not a short key such as "Peppas1989"


def test_function_is_batched() -> None:
    cls = EMPIRICAL_MODELS["weibull"]
    theta = np.array([[2.0, 1.0, 1.0, 0.0], [4.0, 0.5, 0.9, 0.0]])
    out = cls.function(T, theta)
    assert out.shape == (2, T.size)
    np.testing.assert_allclose(out[1], 0.9 * (1 - np.exp(-((T / 4.0) ** 0.5))))


def test_units_follow_time_unit_and_exponent() -> None:
    m = parse_model_spec("korsmeyer_peppas", time_unit="day").with_values(n=0.43)
    assert m.parameters["k"].unit == "day**-0.43"
    assert parse_model_spec("first_order", time_unit="min").parameters["k"].unit == "1/min"


def test_model_spec_options() -> None:
    m = parse_model_spec("weibull+lag+fmax")
    assert m.fixed == {} and m.spec == "weibull+fmax+lag"
    assert parse_model_spec("weibull").fixed == {"f_max": 1.0, "t_lag": 0.0}
    with pytest.raises(InputError, match=r"does not apply \(free-able: lag, t_lag\)"):
        parse_model_spec("higuchi+fmax")
    with pytest.raises(InputError, match="unknown release model"):
        parse_model_spec("no_such_model")


def test_custom_and_expression_models_agree_with_first_order() -> None:
    from nanomed.core.parameter import Parameter

    p = [Parameter("k", 0.5, "1/{t}", (0, None), ref="test", guess=True)]
    Custom = custom_model("my_first", lambda t, k: 1 - np.exp(-k * t), p)
    Expr = expression_model("1 - exp(-k*t)", {"k": (0, None, 0.5)}, name="expr_first")
    ref = get_release_model("first_order", k=0.7).fraction_released(T)
    np.testing.assert_allclose(Custom(k=0.7).fraction_released(T), ref, rtol=1e-14)
    np.testing.assert_allclose(Expr(k=0.7).fraction_released(T), ref, rtol=1e-14)
    assert Custom(time_unit="day").parameters["k"].unit == "1/day"


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('true')",
        "t.__class__",
        "[x for x in t]",
        "lambda: 1",
        "exp(t, out=t)",
        "t[0]",
        "open('f')",
        "k if t else 1",
        "1 - exp(-k*t",
    ],
)
def test_expression_rejects_anything_but_arithmetic(expr: str) -> None:
    with pytest.raises(InputError) as err:
        expression_model(expr)
    assert "\n" not in str(err.value)


def test_expression_must_use_t_and_declared_parameters() -> None:
    with pytest.raises(InputError, match="does not use t"):
        expression_model("1 - exp(-k)")
    with pytest.raises(InputError, match="does not use parameter"):
        expression_model("1 - exp(-k*t)", {"q": (0, 1)})


def test_zero_time_scale_and_non_time_unit_are_refused():
    # td = 0 made t/td = 0/0 at t = 0: the CLI printed nan
    for name, values in (("weibull", {"td": 0.0}), ("double_weibull", {"td2": 0.0})):
        key = next(iter(values))
        with pytest.raises(InputError, match=rf"{key}: must be > 0 h, got 0"):
            get_release_model(name, **values)
    with pytest.raises(InputError, match="time unit 'kg' is not a unit of time"):
        get_release_model("weibull", time_unit="kg")
    f = get_release_model("weibull", td=5.0, beta=0.7, time_unit="day").fraction_released([0, 1])
    assert np.isfinite(f).all()
