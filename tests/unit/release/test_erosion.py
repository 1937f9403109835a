"""PLGA hydrolysis/erosion: conservation, reduction to Crank, closed form vs method of lines."""

import numpy as np
import pytest
from scipy.integrate import quad

from nanomed.core.errors import InputError, ModelError, ParameterError
from nanomed.release import get_release_model
from nanomed.release.diffusion import sphere_fraction
from nanomed.release.environment import Environment, get_environment
from nanomed.release.erosion import PLGAErosion, hydrolysis_rate_from_la_ga

T = np.linspace(0.0, 24 * 60, 25)  # 60 days [h]


def test_mass_conservation_with_autocatalysis_in_a_microparticle():
    m = PLGAErosion(radius=20000.0, diffusivity=7e-14, autocatalysis=5.0)
    prof = m.profiles(T)
    np.testing.assert_allclose(prof.released + prof.remaining, 1.0, rtol=0, atol=1e-6)
    assert prof.released[-1] > 0.9
    # trapped acids make the centre degrade faster than the surface (Siepmann et al. 2005)
    assert np.all(prof.mw_ratio[0, 1:] < prof.mw_ratio[-1, 1:])


@pytest.mark.parametrize("method", ["analytic", "mol"])
def test_no_hydrolysis_reduces_to_crank(method):
    d, a = 1e-18, 75.0
    m = PLGAErosion(diffusivity=d, radius=a, hydrolysis_rate=0.0, method=method, n_shells=80)
    tau = d * T * 3600 / (a * 1e-7) ** 2
    tol = 1e-12 if method == "analytic" else 2e-4
    np.testing.assert_allclose(m.fraction_released(T), sphere_fraction(tau), atol=tol)


def test_closed_form_time_transform_matches_method_of_lines():
    analytic = PLGAErosion().fraction_released(T)
    mol = PLGAErosion(method="mol", n_shells=80).fraction_released(T)
    np.testing.assert_allclose(mol, analytic, atol=2e-4)
    assert analytic[-1] > 0.99  # erosion completes the release


def test_tau_closed_form_matches_quadrature_of_diffusivity():
    m = PLGAErosion()
    r = m._rates(m.values, get_environment("buffer"))
    t_c = np.log(r["rho"]) / r["k"]
    ts = np.array([3e4, 3e5, 0.9 * t_c, 1.1 * t_c, 3 * t_c])
    num = [
        quad(lambda s: float(m._diffusivity(np.array([s]), r)[0]), 0, x,
             points=[t_c] if x > t_c else None, limit=200, epsrel=1e-12)[0]
        for x in ts
    ]  # fmt: skip
    np.testing.assert_allclose(m._tau(ts, r), num, rtol=1e-9)


def test_faster_hydrolysis_and_lower_ph_release_faster():
    slow = PLGAErosion(hydrolysis_rate=hydrolysis_rate_from_la_ga(3.0)).fraction_released(T)
    fast = PLGAErosion(hydrolysis_rate=hydrolysis_rate_from_la_ga(1.0)).fraction_released(T)
    assert np.all(fast[1:] >= slow[1:]) and np.any(fast > slow + 0.05)
    m = PLGAErosion()
    acidic = m.fraction_released(T, Environment("acidic", 3.0, 37.0, 0.0))
    lyso = m.fraction_released(T, "lysosome")
    neutral = m.fraction_released(T, "buffer")
    early = slice(1, 6)  # before the fastest curve saturates
    assert np.all(acidic[early] > lyso[early]) and np.all(lyso[early] > neutral[early])
    assert np.all(acidic >= lyso) and np.all(lyso >= neutral)


def test_autocatalysis_matters_in_large_not_small_particles():
    def gain(radius):
        d = 1e-18 * (radius / 75.0) ** 2  # same diffusion time scale
        base = PLGAErosion(radius=radius, diffusivity=d).fraction_released(T)
        auto = PLGAErosion(radius=radius, diffusivity=d, autocatalysis=5.0).fraction_released(T)
        return np.max(auto - base)

    assert gain(75.0) < 2e-3
    assert gain(20000.0) > 0.05


def test_release_rate_closed_form():
    m = PLGAErosion()
    t = np.array([10.0, 200.0, 500.0])
    eps = 1e-4
    num = (m.fraction_released(t + eps) - m.fraction_released(t - eps)) / (2 * eps)
    np.testing.assert_allclose(m.release_rate(t), num / (1 - m.fraction_released(t)), rtol=1e-5)


def test_la_ga_ratio_orders_rates():
    rates = [hydrolysis_rate_from_la_ga(x) for x in (1.0, 65 / 35, 3.0, 85 / 15, 1e6)]
    assert np.all(np.diff(rates) < 0)
    with pytest.raises(InputError, match="la_ga_ratio"):
        hydrolysis_rate_from_la_ga(0.5)


def test_bad_input():
    with pytest.raises(ParameterError, match="diffusivity"):
        PLGAErosion(diffusivity=-1.0)
    with pytest.raises(ParameterError, match="radius"):
        PLGAErosion(radius=0.0)
    with pytest.raises(InputError, match="method"):
        PLGAErosion(method="euler")
    with pytest.raises(ModelError, match="autocatalysis"):
        PLGAErosion(method="analytic", autocatalysis=1.0).fraction_released([1.0])
    assert isinstance(get_release_model("plga_erosion"), PLGAErosion)
