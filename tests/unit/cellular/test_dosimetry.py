"""In-vitro dosimetry: analytic limits, conservation, Hinderliter 2010 trends, bad input."""

import math

import numpy as np
import pytest

from nanomed.cellular.dosimetry import (
    Medium,
    ParticleType,
    PerfectSink,
    ReversibleBinding,
    _solve,
    fit_deposition_rate,
    settling_velocity,
    simulate_dosimetry,
    stokes_einstein_diffusivity,
)
from nanomed.core.errors import InputError

H_CM = 0.3  # 3 mm of medium
T = np.linspace(0.0, 24.0, 97)


def crank_plane_sheet_sink(dif, height, t, terms=400):
    """Fraction lost through one face (C=0) of a layer closed on the other face (Crank 1975, eq. 4.18)."""
    k = np.arange(terms)
    lam = (2 * k + 1) ** 2 * np.pi**2 / (4 * height**2)
    w = 8.0 / ((2 * k + 1) ** 2 * np.pi**2)
    return 1.0 - np.sum(w[:, None] * np.exp(-dif * lam[:, None] * t[None, :]), axis=0)


def test_pure_sedimentation_matches_vt_over_h():
    v = H_CM / 20.0  # settles through the column in 20 h
    frac, _ = _solve(np.array([v]), np.array([0.0]), H_CM, 200, PerfectSink(), T, 1e-8, 1e-11)
    exact = np.minimum(v * T / H_CM, 1.0)
    early = T <= 0.8 * H_CM / v
    np.testing.assert_allclose(frac[0, early], exact[early], atol=1e-4)
    # afterwards everything has arrived (the upwind front smears over a few cells near H/v)
    assert frac[0, -1] > 0.99


def test_pure_diffusion_matches_crank_series():
    dif = 2e-3  # cm²/h, about a 10 nm particle
    frac, _ = _solve(np.array([0.0]), np.array([dif]), H_CM, 200, PerfectSink(), T, 1e-8, 1e-11)
    np.testing.assert_allclose(frac[0, 1:], crank_plane_sheet_sink(dif, H_CM, T[1:]), atol=5e-5)


def test_diffusion_error_converges_at_second_order():
    dif = 2e-3
    errs = []
    for n in (50, 100):
        frac, _ = _solve(np.array([0.0]), np.array([dif]), H_CM, n, PerfectSink(), T, 1e-9, 1e-12)
        errs.append(np.abs(frac[0, 1:] - crank_plane_sheet_sink(dif, H_CM, T[1:])).max())
    assert errs[0] / errs[1] > 3.0  # ~4 for a second-order scheme


def test_mass_is_conserved_for_a_mixed_batch():
    ps = [ParticleType(f"d{d}", d, 1.8) for d in (10, 50, 200, 1000, 3000)]
    res = simulate_dosimetry(ps)
    assert res.mass_balance_error < 1e-7
    assert np.all(np.diff(res.fraction, axis=1) >= -1e-9)  # delivered dose never decreases
    assert np.all((res.fraction >= -1e-12) & (res.fraction <= 1 + 1e-9))


def test_delivered_fraction_is_non_monotonic_in_size():
    # Hinderliter et al. 2010 (Part Fibre Toxicol 7:36, Fig. 3): diffusion delivers small particles,
    # sedimentation large ones, with a minimum in between
    sizes = np.geomspace(5, 3000, 25)
    res = simulate_dosimetry([ParticleType(f"{d:.0f}", d, 1.5) for d in sizes], n_cells=60)
    f24 = res.fraction[:, -1]
    i_min = int(np.argmin(f24))
    assert 0 < i_min < sizes.size - 1
    assert f24[0] > 2 * f24[i_min] and f24[-1] > 2 * f24[i_min]


def test_delivered_fraction_falls_with_medium_height():
    # Hinderliter et al. 2010: deeper media deliver a smaller fraction in the same time
    ps = [ParticleType(f"{d}", d, 1.5) for d in (20, 100, 500)]
    f = [simulate_dosimetry(ps, height_mm=h, n_cells=60).fraction[:, -1] for h in (1.0, 3.0, 6.0)]
    assert np.all(f[0] > f[1]) and np.all(f[1] > f[2])


def test_batched_solve_matches_individual_solves():
    ps = [
        ParticleType(f"{d}", d, rho) for d, rho in ((15, 1.2), (120, 2.5), (800, 1.1), (2500, 3.0))
    ]
    batch = simulate_dosimetry(ps, n_cells=60, rtol=1e-8, atol=1e-11).fraction
    single = np.vstack(
        [simulate_dosimetry(p, n_cells=60, rtol=1e-8, atol=1e-11).fraction for p in ps]
    )
    np.testing.assert_allclose(batch, single, atol=2e-6)


def test_stokes_and_stokes_einstein_values():
    med = Medium(density_g_cm3=1.0, viscosity_mPa_s=1.0, temperature_C=25.0)
    p = ParticleType("ps", 1000.0, 2.0)
    # v = drho g d² / 18 mu = 1000 * 9.80665 * 1e-12 / 18e-3 m/s
    assert settling_velocity(p, med) == pytest.approx(1000 * 9.80665e-12 / 18e-3 * 3.6e5, rel=1e-12)
    # D = kT / (3 pi mu d) at 298.15 K with the exact SI k_B (CODATA, via scipy.constants):
    # 4.3676e-13 m²/s for a 1 µm sphere in a water-like medium; 1 m²/s = 3.6e7 cm²/h
    from scipy.constants import Boltzmann

    expected = Boltzmann * 298.15 / (3 * math.pi * 1e-3 * 1e-6)
    # abs=0: pytest.approx's default abs=1e-12 would accept any D below 1.4e-12 m²/s
    assert stokes_einstein_diffusivity(p, med) / 3.6e7 == pytest.approx(expected, rel=1e-12, abs=0)


def test_reflecting_bottom_reaches_mason_weaver_equilibrium():
    # no binding (k_a = 0): the column relaxes to C ~ exp(v z / D) (Mason & Weaver 1924)
    v, dif, n = 0.01, 1e-3, 200  # v H / D = 3
    frac, prof = _solve(
        np.array([v]), np.array([dif]), H_CM, n, ReversibleBinding(0.0), np.array([0.0, 2000.0]),
        1e-9, 1e-12,
    )  # fmt: skip
    assert frac[0, -1] == 0.0
    z = (np.arange(n) + 0.5) * H_CM / n
    c = prof[0, :, -1]
    expected = np.exp(v * z / dif)
    expected *= 1.0 / expected.mean()
    np.testing.assert_allclose(c, expected, rtol=0.02)


def test_fast_reversible_binding_approaches_perfect_sink():
    # the binding wall sits at the last cell centre, the sink half a cell lower: O(dz) apart
    p = ParticleType("p", 80.0, 2.0)
    gaps = []
    for n in (100, 400):
        sink = simulate_dosimetry(p, n_cells=n).fraction[0]
        fast = simulate_dosimetry(p, n_cells=n, bottom=ReversibleBinding(1e4)).fraction[0]
        gaps.append(np.abs(fast - sink).max())
    assert gaps[1] < 2e-3 and gaps[0] / gaps[1] > 2.5


def test_langmuir_capacity_and_desorption_lower_the_dose_and_conserve_mass():
    p = ParticleType("p", 500.0, 2.0)
    free = simulate_dosimetry(p, bottom=ReversibleBinding(10.0))
    capped = simulate_dosimetry(p, bottom=ReversibleBinding(10.0, 0.1, capacity_fraction=0.3))
    assert capped.fraction[0, -1] < 0.3 < free.fraction[0, -1]
    assert capped.mass_balance_error < 1e-7


def test_alpha_fit_recovers_an_exponential_and_t90():
    t = np.linspace(0, 48, 49)
    alphas = np.array([0.01, 0.08, 0.5])
    fitted = fit_deposition_rate(t, 1 - np.exp(-alphas[:, None] * t))
    np.testing.assert_allclose(fitted, alphas, rtol=1e-6)
    res = simulate_dosimetry(ParticleType("p", 300.0, 2.0))
    assert res.t90_h[0] == pytest.approx(math.log(10) / res.alpha_per_h[0])


def test_mass_number_and_surface_per_area():
    p = ParticleType("gold", 50.0, 19.3)
    res = simulate_dosimetry(p, concentration_ug_mL=20.0, height_mm=3.0)
    row = res.data.iloc[-1]
    assert row["mass_ug_cm2"] == pytest.approx(row["fraction_delivered"] * 20.0 * 0.3)
    particle_ug = 19.3 * math.pi / 6 * (50e-7) ** 3 * 1e6
    assert row["number_per_cm2"] == pytest.approx(row["mass_ug_cm2"] / particle_ug)
    assert row["surface_cm2_per_cm2"] == pytest.approx(
        row["number_per_cm2"] * math.pi * (50e-7) ** 2
    )


def test_agglomerate_solid_mass_uses_solid_fraction():
    med = Medium()
    p = ParticleType("agg", 200.0, 1.5, material_density_g_cm3=4.0)
    vol = math.pi / 6 * (200e-7) ** 3
    # rho_eff = phi rho_s + (1 - phi) rho_m  ->  phi = 0.5 / 3
    # abs=0: the mass is ~3e-15 g, far below pytest.approx's default abs=1e-12
    assert p.solid_mass_g(med) == pytest.approx(0.5 / 3.0 * 4.0 * vol, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"height_mm": 0.0}, "height"),
        ({"concentration_ug_mL": -1.0}, "concentration"),
        ({"concentration_ug_mL": 1e300}, r"<= 1e6 µg/mL \(1 g/mL\), got 1e\+300"),  # gave inf
        ({"duration_h": 0.0}, "duration"),
        ({"n_cells": 3}, "n_cells"),
        ({"times_h": [5.0, 1.0]}, "times_h"),
    ],
)
def test_bad_run_settings_are_one_line_errors(kwargs, match):
    with pytest.raises(InputError, match=match) as exc:
        simulate_dosimetry(ParticleType("p", 100.0, 2.0), **kwargs)
    assert "\n" not in str(exc.value)


def test_particle_lighter_than_medium_is_rejected():
    with pytest.raises(InputError, match="below the medium"):
        simulate_dosimetry(ParticleType("lipid", 100.0, 0.95))


def test_density_equal_to_the_medium():
    # a compact particle as dense as the medium does not settle: diffusion only, all finite
    res = simulate_dosimetry(ParticleType("neutral", 100.0, 1.0), duration_h=4.0)
    assert res.velocity_cm_h[0] == 0.0 and 0 < res.fraction[0, -1] < 1
    assert np.isfinite(res.to_dataframe().select_dtypes("number").to_numpy()).all()
    # an agglomerate of a denser solid with rho_eff = rho_m would hold no solid (infinite number)
    agg = ParticleType("TiO2 agg", 430.0, 1.0, material_density_g_cm3=4.23)
    with pytest.raises(InputError, match=r"'TiO2 agg': .* needs an effective density above"):
        simulate_dosimetry(agg, duration_h=4.0)


@pytest.mark.parametrize("d", [0.0, -5.0, math.nan, 1e7])
def test_unphysical_sizes_are_rejected(d):
    with pytest.raises(InputError, match="diameter"):
        ParticleType("p", d, 1.5)


def test_bad_medium_and_bottom_are_rejected():
    with pytest.raises(InputError, match="viscosity"):
        Medium(viscosity_mPa_s=0.0)
    with pytest.raises(InputError, match="adsorption"):
        ReversibleBinding(-1.0)
