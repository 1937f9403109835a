"""Langmuir desorption: sink limit, equilibrium, mass balance against an independent ODE solve."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from nanomed.core.errors import InputError, ParameterError
from nanomed.release import get_release_model
from nanomed.release.desorption import LangmuirDesorption

T = np.linspace(0.0, 150.0, 31)


def test_sink_is_first_order():
    m = LangmuirDesorption(desorption_rate=0.07, medium_concentration=0.0)
    np.testing.assert_allclose(m.fraction_released(T), 1 - np.exp(-0.07 * T), atol=1e-14)
    np.testing.assert_allclose(m.release_rate(T), 0.07, rtol=1e-12)


@pytest.mark.parametrize(("coverage", "c_tot"), [(0.3, 20.0), (0.9, 5.0), (0.05, 200.0)])
def test_closed_form_against_independent_ode_with_mass_balance(coverage, c_tot):
    kd, kl = 0.05, 1e5
    m = LangmuirDesorption(desorption_rate=kd, langmuir_constant=kl, coverage=coverage,
                           medium_concentration=c_tot)  # fmt: skip
    # states: coverage θ and medium concentration c [mol/L], coupled only by the sorption flux
    c_total, q_per_theta = c_tot * 1e-6, c_tot * 1e-6 / coverage

    def rhs(_t, y):
        theta, c = y
        net = -kd * theta + kd * kl * c * (1 - theta)
        return [net, -net * q_per_theta]

    sol = solve_ivp(rhs, (0, T[-1]), [coverage, 0.0], t_eval=T, method="Radau", rtol=1e-11,
                    atol=1e-15)  # fmt: skip
    f = m.fraction_released(T)
    np.testing.assert_allclose(f, 1 - sol.y[0] / coverage, atol=1e-8)
    np.testing.assert_allclose(f, sol.y[1] / c_total, atol=1e-8)  # what left is in the medium
    # long times: Langmuir equilibrium k_d θ = k_a c (1 - θ)
    f_eq = m.equilibrium_fraction()
    theta, c = coverage * (1 - f_eq), c_total * f_eq
    assert kd * theta == pytest.approx(kd * kl * c * (1 - theta), rel=1e-9)
    assert float(m.fraction_released(1e5)) == pytest.approx(f_eq, rel=1e-9)
    assert 0 < f_eq < 1


def test_low_ph_desorbs_faster_and_proteins_pull_drug_out():
    m = LangmuirDesorption(medium_concentration=20.0, protein_binding=0.05)
    t = np.array([5.0, 24.0, 96.0])
    assert np.all(m.fraction_released(t, "lysosome") > m.fraction_released(t, "buffer"))
    assert np.all(m.fraction_released(t, "plasma") > m.fraction_released(t, "buffer"))
    assert m.equilibrium_fraction("plasma") > m.equilibrium_fraction("buffer")


def test_release_rate_matches_numerical_hazard():
    m = LangmuirDesorption(medium_concentration=20.0)
    t = np.array([1.0, 10.0, 50.0])
    eps = 1e-5
    num = (m.fraction_released(t + eps) - m.fraction_released(t - eps)) / (2 * eps)
    np.testing.assert_allclose(m.release_rate(t), num / (1 - m.fraction_released(t)), rtol=1e-5)


def test_bad_input():
    with pytest.raises(ParameterError, match="desorption_rate"):
        LangmuirDesorption(desorption_rate=-1.0)
    with pytest.raises(ParameterError, match="coverage"):
        LangmuirDesorption(coverage=1.5)
    with pytest.raises(InputError, match="surface_sites"):
        LangmuirDesorption(surface_sites=[(4.5, 0.5)])
    assert isinstance(get_release_model("langmuir_desorption"), LangmuirDesorption)
