"""Simeoni (2004) tumour growth inhibition: closed-form growth phases, mass balance, exposure."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from nanomed.core.errors import InputError
from nanomed.organ.pd import SimeoniTGI, hill_effect, tgi_percent


def test_untreated_growth_is_exponential_then_linear():
    model = SimeoniTGI()
    lam0, lam1 = model.values["lambda0"], model.values["lambda1"]
    w0 = 0.01
    early = np.linspace(0, 10, 11)  # w stays below 0.2 λ1/λ0, far from the switch
    df = model.simulate(early, w0)
    np.testing.assert_allclose(df["weight"], w0 * np.exp(lam0 * early), rtol=1e-6)
    late = model.simulate(np.array([0.0, 40.0, 45.0, 50.0]), w0)["weight"].to_numpy()
    np.testing.assert_allclose(np.diff(late[1:]) / 5.0, lam1, rtol=1e-6)  # slope λ1 [g/day]


def test_transit_chain_conserves_cell_mass():
    # w + (cells died through x4) = w0 + (cells grown), integrated alongside as two extra states
    model = SimeoniTGI()
    k1 = model.values["k1"]

    def rhs(t, y, c=800.0):
        x = y[:4]
        grown = model.growth_rate(x[0], x.sum())
        return np.concatenate([model.rhs(t, x, c), [k1 * x[3], grown]])

    y0 = np.concatenate([model.initial_state(0.2), [0.0, 0.0]])
    sol = solve_ivp(rhs, (0, 20), y0, rtol=1e-10, atol=1e-13, t_eval=np.linspace(0, 20, 21))
    w, dead, grown = sol.y[:4].sum(axis=0), sol.y[4], sol.y[5]
    np.testing.assert_allclose(w + dead, 0.2 + grown, rtol=1e-8)
    assert dead[-1] > 0.1  # the drug did kill cells


def test_sum_of_derivatives_is_growth_minus_death_for_batches():
    model = SimeoniTGI()
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 2, size=(4, 50))
    c = rng.uniform(0, 2000, size=50)
    dx = model.rhs(0.0, x, c)
    assert dx.shape == (4, 50)
    expected = model.growth_rate(x[0], x.sum(axis=0)) - model.values["k1"] * x[3]
    np.testing.assert_allclose(dx.sum(axis=0), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx[:, 7], model.rhs(0.0, x[:, 7], c[7]))


def test_more_exposure_means_more_inhibition():
    model = SimeoniTGI()
    times = np.array([0.0, 20.0])
    control = model.simulate(times, 0.05)["weight"].iloc[-1]
    tgi = [
        tgi_percent(model.simulate(times, 0.05, c)["weight"].iloc[-1], control)
        for c in (50.0, 200.0, 400.0)
    ]
    assert 0 < tgi[0] < tgi[1] < tgi[2] < 100


def test_threshold_concentration_separates_growth_from_regression():
    # Simeoni 2004: constant exposure above c_T = λ0/k2 eradicates the tumour, below it grows
    model = SimeoniTGI()
    ct = model.threshold_concentration()
    times = np.array([0.0, 60.0])
    assert model.simulate(times, 0.05, 0.7 * ct)["weight"].iloc[-1] > 0.05
    assert model.simulate(times, 0.05, 1.3 * ct)["weight"].iloc[-1] < 0.05


def test_time_varying_exposure_callable():
    model = SimeoniTGI()
    pulse = model.simulate(np.array([0.0, 30.0]), 0.05, lambda t: 1500.0 if t < 3 else 0.0)
    control = model.simulate(np.array([0.0, 30.0]), 0.05)
    assert pulse["weight"].iloc[-1] < control["weight"].iloc[-1]


def test_helpers_match_hand_values():
    assert tgi_percent(2.0, 4.0) == pytest.approx(50.0)
    assert tgi_percent(2.0, 4.0, w0=1.0) == pytest.approx(100 * (1 - 1 / 3))
    assert hill_effect(3.0, emax=80.0, ec50=3.0, hill=2.0) == pytest.approx(40.0)
    assert hill_effect(9.0, emax=1.0, ec50=3.0, hill=2.0) == pytest.approx(81 / 90)


def test_bad_input():
    with pytest.raises(InputError, match="w0"):
        SimeoniTGI().initial_state(0.0)
    with pytest.raises(InputError, match="lambda0"):
        SimeoniTGI(lambda0=-1.0)
    with pytest.raises(InputError, match="ec50"):
        hill_effect(1.0, 1.0, 0.0)
    with pytest.raises(InputError, match="times"):
        SimeoniTGI().simulate([3.0, 1.0], 0.1)
