"""Crank's sphere solutions against an independent finite-volume solution of the diffusion PDE."""

import math

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp
from scipy.sparse import diags

from nanomed.core.errors import InputError, ParameterError
from nanomed.release import get_release_model
from nanomed.release.diffusion import (
    FickianSphere,
    finite_bath_roots,
    sphere_fraction,
    sphere_rate,
)
from nanomed.release.distribution import LogNormalSize
from nanomed.release.environment import Environment


def fv_sphere(tau, alpha=math.inf):
    """Method-of-lines finite-volume solution of c_t = r⁻² (r² c_r)_r in the unit sphere (D = 1).

    Radial grid refined geometrically towards the surface (first cell 1e-5); the surface touches a
    perfect sink (c = 0) or a well-stirred bath of capacity α·V_sphere. Returns the fraction of the
    initial load that has left the sphere, from the drug remaining inside.
    """
    widths = [1e-5]
    while widths[-1] < 4e-3:
        widths.append(widths[-1] * 1.05)
    rest = 1.0 - sum(widths)
    n_uniform = math.ceil(rest / 4e-3)
    widths += [rest / n_uniform] * n_uniform
    faces = np.concatenate([[0.0], np.cumsum(widths[::-1])])
    faces[-1] = 1.0
    n = faces.size - 1
    vol = (faces[1:] ** 3 - faces[:-1] ** 3) / 3.0
    centres = 0.5 * (faces[1:] + faces[:-1])
    g = faces[1:] ** 2 / np.diff(np.append(centres, 1.0))  # conductance of the outer face
    bath = not math.isinf(alpha)
    size = n + 1 if bath else n
    main = np.zeros(size)
    main[:n] = -(g + np.concatenate([[0.0], g[:-1]])) / vol
    upper = np.zeros(size - 1)
    lower = np.zeros(size - 1)
    upper[: n - 1] = g[:-1] / vol[:-1]
    lower[: n - 1] = g[:-1] / vol[1:]
    if bath:
        cap = alpha * vol.sum()
        upper[n - 1] = g[-1] / vol[-1]  # cell n-1 sees the bath concentration
        lower[n - 1] = g[-1] / cap
        main[n] = -g[-1] / cap
    a = diags([main, upper, lower], [0, 1, -1], format="csc")
    y0 = np.concatenate([np.ones(n), [0.0] * (size - n)])
    sol = solve_ivp(lambda _t, y: a @ y, (0.0, tau.max()), y0, method="BDF", t_eval=tau,
                    jac=a, rtol=1e-10, atol=1e-13)  # fmt: skip
    assert sol.success
    return 1.0 - vol @ sol.y[:n] / vol.sum()


TAU = np.concatenate([np.geomspace(1e-6, 1e-2, 25), np.linspace(0.02, 0.6, 30)])


def test_crank_sink_matches_finite_volume_pde_over_whole_curve():
    f_num = fv_sphere(TAU)
    assert f_num[-1] > 0.99
    np.testing.assert_allclose(sphere_fraction(TAU), f_num, rtol=0, atol=1e-4)


@pytest.mark.parametrize("alpha", [0.5, 4.0])
def test_crank_finite_bath_matches_finite_volume_pde(alpha):
    tau = TAU[TAU > 1e-5]
    np.testing.assert_allclose(sphere_fraction(tau, alpha), fv_sphere(tau, alpha), atol=1e-4)


def test_series_short_time_sqrt_limit():
    # Crank's long-time series (eq. 6.20) summed with many terms, independent of the short form
    n = np.arange(1, 400_001)
    for tau in (1e-6, 1e-5, 1e-4):
        series = 1 - 6 / np.pi**2 * np.sum(np.exp(-(n**2) * np.pi**2 * tau) / n**2)
        assert abs(series - float(sphere_fraction(np.array(tau)))) < 1e-9
    tau = np.array([1e-10, 1e-8])
    np.testing.assert_allclose(sphere_fraction(tau) / np.sqrt(tau), 6 / np.sqrt(np.pi), rtol=1e-3)


@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
def test_finite_bath_tends_to_equilibrium_and_roots_solve_eq_6_31(alpha):
    q = finite_bath_roots(alpha, 50)
    np.testing.assert_allclose(np.tan(q), 3 * q / (3 + alpha * q**2), rtol=1e-9, atol=1e-9)
    assert float(sphere_fraction(np.array(20.0), alpha)) == pytest.approx(alpha / (1 + alpha))
    # sink limit: large α approaches the perfect sink curve
    tau = np.array([0.01, 0.1, 0.3])
    np.testing.assert_allclose(sphere_fraction(tau, 1e7), sphere_fraction(tau), atol=1e-6)


def test_rate_is_derivative_of_fraction():
    tau = np.array([1e-4, 0.01, 0.049, 0.051, 0.2, 0.5])
    h = 1e-6 * tau
    for alpha in (math.inf, 2.0):
        num = (sphere_fraction(tau + h, alpha) - sphere_fraction(tau - h, alpha)) / (2 * h)
        np.testing.assert_allclose(sphere_rate(tau, alpha), num, rtol=1e-5)


def test_model_units_burst_and_hazard():
    d, a_nm = 2e-15, 40.0
    m = FickianSphere(diffusivity=d, radius=a_nm, burst=0.1)
    t_h = np.array([0.0, 0.5, 2.0, 10.0])
    tau = d * t_h * 3600 / (a_nm * 1e-7) ** 2
    f = m.fraction_released(t_h)
    np.testing.assert_allclose(f, 0.1 + 0.9 * sphere_fraction(tau), atol=1e-12)
    # same model with times in days
    m_day = FickianSphere(diffusivity=d, radius=a_nm, burst=0.1, time_unit="day")
    np.testing.assert_allclose(m_day.fraction_released(t_h / 24), f, atol=1e-12)
    # closed-form hazard equals the numerical derivative
    t = np.array([0.05, 0.3, 1.0])
    eps = 1e-6
    num = (m.fraction_released(t + eps) - m.fraction_released(t - eps)) / (2 * eps)
    np.testing.assert_allclose(m.release_rate(t), num / (1 - m.fraction_released(t)), rtol=1e-5)


def test_polydisperse_pdi_to_zero_recovers_monodisperse():
    t = np.linspace(0, 100, 51)
    mono = FickianSphere(radius=50.0).fraction_released(t)
    near = FickianSphere(radius=50.0, pdi=1e-8).fraction_released(t)
    np.testing.assert_allclose(near, mono, atol=1e-6)


@pytest.mark.parametrize("mean_type", ["z_average", "volume"])
def test_polydisperse_matches_direct_integration_and_spreads_release(mean_type):
    d, a, pdi = 1e-15, 50.0, 0.3
    m = FickianSphere(diffusivity=d, radius=a, pdi=pdi, size_mean=mean_type)
    mono = FickianSphere(diffusivity=d, radius=a)
    dist = LogNormalSize.from_mean_pdi(2 * a, pdi, mean_type=mean_type)
    times = np.array([0.05, 0.5, 2.0, 10.0, 40.0, 150.0, 400.0])

    def direct(t):
        # mass-weighted average over the number distribution, by adaptive quadrature in d
        def integrand(dn, k):
            return dist.pdf(dn) * dn**k

        def f_of(dn):
            return float(sphere_fraction(np.array(d * t * 3600 / (dn / 2 * 1e-7) ** 2)))

        lo, hi = dist.median() * np.exp(-9 * dist.sigma), dist.median() * np.exp(9 * dist.sigma)
        num = quad(lambda x: integrand(x, 3) * f_of(x), lo, hi, limit=400, epsrel=1e-10)[0]
        den = quad(lambda x: integrand(x, 3), lo, hi, limit=400, epsrel=1e-10)[0]
        return num / den

    f_poly = m.fraction_released(times)
    np.testing.assert_allclose(f_poly, [direct(t) for t in times], atol=1e-4)
    f_mono = mono.fraction_released(times)
    assert f_poly[0] > f_mono[0] and f_poly[1] > f_mono[1]  # small particles empty first
    assert f_poly[-2] < f_mono[-2]  # large ones hold drug longer


def test_environment_temperature_and_protein_sink():
    m = FickianSphere(equilibrium_fraction=0.5, protein_binding=0.05)
    t = np.array([5.0, 50.0, 500.0])
    buf = m.fraction_released(t, "buffer")
    plasma = m.fraction_released(t, "plasma")
    assert np.all(plasma > buf)
    alpha = 1.0 * (1 + 0.05 * 70)
    assert plasma[-1] == pytest.approx(alpha / (1 + alpha), rel=1e-6)
    early = np.array([0.05, 0.5])
    warm = m.fraction_released(early, Environment("warm", 7.4, 42.0, 0.0))
    assert np.all(warm > m.fraction_released(early, "buffer"))
    # perfect sink: proteins do not change an internally limited release
    sink = FickianSphere(protein_binding=0.05)
    np.testing.assert_allclose(sink.fraction_released(t, "plasma"), sink.fraction_released(t))


@pytest.mark.parametrize(
    ("values", "name"),
    [({"diffusivity": -1e-15}, "diffusivity"), ({"radius": 0.0}, "radius"),
     ({"pdi": 1.0}, "pdi"), ({"burst": 1.5}, "burst")],
)  # fmt: skip
def test_bad_parameters_raise_one_line_errors(values, name):
    with pytest.raises(ParameterError, match=name) as err:
        FickianSphere(**values)
    assert "\n" not in str(err.value)


def test_bad_inputs():
    with pytest.raises(InputError, match="mean_type"):
        FickianSphere(size_mean="mode")
    with pytest.raises(InputError, match="times"):
        FickianSphere().fraction_released([-1.0])
    with pytest.raises(InputError, match="times"):
        FickianSphere().release_rate([np.nan])


def test_registered():
    m = get_release_model("fickian_sphere", diffusivity=3e-15)
    assert isinstance(m, FickianSphere) and m.values["diffusivity"] == 3e-15


def test_fitting_engine_recovers_diffusivity_within_its_confidence_interval():
    from nanomed.release.fitting import fit_model

    true = FickianSphere(diffusivity=2e-15, radius=50.0)
    t = np.linspace(0.1, 10, 25)
    f = true.fraction_released(t) + np.random.default_rng(0).normal(0, 0.01, t.size)
    fixed = {k: v for k, v in true.values.items() if k != "diffusivity"}
    res = fit_model(FickianSphere(), t, f, fixed=fixed)
    row = res.parameter_table().set_index("name").loc["diffusivity"]
    assert res.converged
    assert row["ci_low"] <= 2e-15 <= row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.3e-15  # informative interval
