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


def test_bad_input():
    with pytest.raises(InputError, match="diameter"):
        simulate_spheroid(0.0, [0.0, 1.0])
    with pytest.raises(ParameterError, match="radius"):
        simulate_spheroid(50.0, [0.0, 1.0], radius=0.0)
