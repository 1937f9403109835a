"""Spheroid penetration: Crank's sphere solution, binding-site barrier, size effect."""

import numpy as np
import pytest

from nanomed.cellular.spheroid import hindered_diffusivity, simulate_spheroid
from nanomed.core.errors import InputError, ParameterError


def crank_sphere_uptake(dif, radius, t, terms=300):
    """Mean concentration in a sphere with fixed surface concentration 1 (Crank 1975, eq. 6.20)."""
    n = np.arange(1, terms + 1)
    return 1.0 - 6.0 / np.pi**2 * np.sum(
        (1.0 / n**2)[:, None] * np.exp(-dif * (n**2)[:, None] * np.pi**2 * t[None, :] / radius**2),
        axis=0,
    )


def test_pure_diffusion_matches_crank_sphere_series():
    t = np.linspace(0.0, 2.0, 9)
    res = simulate_spheroid(
        50.0, t, diffusivity_um2_h=5000.0, k_on=0.0, k_off=0.0, k_int=0.0, n_shells=120
    )
    vol = np.array(res.metadata["shell_volumes_rel"])
    mean = res.data.groupby("time_h")["free"].apply(
        lambda c: float(np.sum(c.to_numpy() * vol) / vol.sum())
    )
    np.testing.assert_allclose(
        mean.to_numpy()[1:], crank_sphere_uptake(5000.0, 250.0, t[1:]), atol=3e-3
    )


def test_binding_site_barrier_high_affinity_penetrates_less():
    # Juweid et al., Cancer Res 52:5144 (1992); Weinstein & van Osdol 1992: high-affinity binders
    # are held near the rim (the binding-site barrier)
    t = np.linspace(0.0, 6.0, 4)
    low = simulate_spheroid(30.0, t, k_on=0.1, k_off=1.0).penetration_depth_um()
    high = simulate_spheroid(30.0, t, k_on=10.0, k_off=0.01).penetration_depth_um()
    assert high < 0.5 * low


def test_larger_particles_penetrate_less():
    # Goodman, Olive & Pun, Int J Nanomedicine 2:265 (2007): 20 nm but not 40 nm particles entered
    t = np.linspace(0.0, 1.0, 5)
    depth = [
        simulate_spheroid(d, t, k_on=0.0, k_off=0.0).penetration_depth_um()
        for d in (20.0, 60.0, 150.0)
    ]
    assert depth[0] > depth[1] > depth[2]
    assert hindered_diffusivity(20.0) > 5 * hindered_diffusivity(150.0)


def test_particles_are_conserved_with_the_bath_flux():
    # no binding: content only grows towards the bath value 1 and never overshoots
    res = simulate_spheroid(40.0, np.linspace(0, 12, 7), k_on=0.0, k_off=0.0)
    assert res.data["total"].max() <= 1.0 + 1e-6
    assert res.data["total"].min() >= -1e-9
    # with binding and uptake: the particles held in the spheroid, sum_i V_i total_i(t), equal the
    # time integral of the inflow from the bath, g_out (1 - c_rim), where the rim shell is half a
    # shell from the bath: g_out = D R^2 / (dr / 2) (shell volumes and areas both divided by 4 pi)
    n, radius = 20, 250.0
    t = np.linspace(0.0, 4.0, 801)
    res = simulate_spheroid(
        40.0, t, n_shells=n, diffusivity_um2_h=2000.0, k_on=1.0, k_off=0.1, k_int=0.05
    )
    faces = np.linspace(0.0, radius, n + 1)
    vol = (faces[1:] ** 3 - faces[:-1] ** 3) / 3.0
    g_out = 2000.0 * radius**2 / (radius / n / 2.0)
    df = res.data.sort_values(["time_h", "r_um"], kind="stable")
    total = df["total"].to_numpy().reshape(t.size, n)
    free_rim = df["free"].to_numpy().reshape(t.size, n)[:, -1]
    held = total @ vol
    inflow = g_out * (1.0 - free_rim)
    absorbed = np.concatenate([[0.0], np.cumsum(0.5 * (inflow[1:] + inflow[:-1]) * np.diff(t))])
    np.testing.assert_allclose(held, absorbed, rtol=0, atol=2e-4 * held[-1])


def test_long_time_binding_reaches_langmuir_equilibrium():
    # without internalisation the steady state is c = 1 (the bath) everywhere and
    # k_on c (B_max - b) = k_off b, i.e. b = B_max k_on / (k_on + k_off)
    kon, koff, bmax = 2.0, 0.5, 20.0
    t = np.array([0.0, 50.0, 200.0])
    res = simulate_spheroid(
        40.0, t, n_shells=10, diffusivity_um2_h=5e4, k_on=kon, k_off=koff, k_int=0.0,
        binding_sites=bmax,
    )  # fmt: skip
    last = res.data[res.data["time_h"] == t[-1]]
    np.testing.assert_allclose(last["free"], 1.0, atol=1e-4)
    np.testing.assert_allclose(last["bound"], bmax * kon / (kon + koff), rtol=1e-4)
    np.testing.assert_allclose(last["internalised"], 0.0, atol=1e-9)


def test_bad_input():
    with pytest.raises(InputError, match="diameter"):
        simulate_spheroid(0.0, [0.0, 1.0])
    with pytest.raises(ParameterError, match="radius"):
        simulate_spheroid(50.0, [0.0, 1.0], radius=0.0)
