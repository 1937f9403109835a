"""Uptake: Gao 2005 size optimum and each literature trend, in a test naming its source."""

import math

import numpy as np
import pytest

from nanomed.cellular.uptake import (
    CarrierSurface,
    UptakeModel,
    macrophage_uptake_rate,
    surface_area_ratio,
    wrapping_time_s,
)
from nanomed.core.errors import InputError, ParameterError
from nanomed.schema import Carrier

MODEL = UptakeModel()


def test_wrapping_rate_has_an_optimum_radius_of_25_to_30_nm():
    # Gao, Shi & Freund, PNAS 102:9469 (2005): fastest wrapping at a radius of ~25-30 nm
    radii = np.linspace(15.0, 120.0, 421)
    rate = np.array([1.0 / wrapping_time_s(r, 5000.0) for r in radii])
    r_opt = radii[int(np.argmax(rate))]
    assert 25.0 <= r_opt <= 30.0
    assert rate[0] == 0.0  # too small: bending costs more than binding pays
    assert rate[-1] < 0.5 * rate.max()  # too large: receptors must come from far away


def test_wrapping_time_scales_as_r_squared_for_large_particles():
    # the front speed factor alpha tends to a constant: t_w = 4 R² / (alpha² D)
    t1, t2 = wrapping_time_s(400.0, 5000.0), wrapping_time_s(800.0, 5000.0)
    assert t2 / t1 == pytest.approx(4.0, rel=0.02)


def test_receptor_conservation_speed_factor_against_direct_formula():
    # with negligible front density (large R, strong bonds): x e^x E1(x) = xi_0 / xi_L
    from scipy.special import exp1

    r, xi_l, xi_0, dr = 500.0, 5000.0, 500.0, 1e4
    t_w = wrapping_time_s(
        r, xi_l, receptor_density_um2=xi_0, receptor_diffusivity_nm2_s=dr, bond_energy_kT=40
    )
    alpha2 = 4 * r * r / (t_w * dr)
    x = alpha2 / 4
    assert x * math.exp(x) * exp1(x) == pytest.approx(xi_0 / xi_l, rel=1e-6)


def test_cationic_particles_are_taken_up_more_than_anionic():
    # Fröhlich, Int J Nanomedicine 7:5577 (2012): cationic > anionic non-specific uptake
    pos = MODEL.internalisation_rate(CarrierSurface(60.0, zeta_mV=30.0))
    neu = MODEL.internalisation_rate(CarrierSurface(60.0, zeta_mV=0.0))
    neg = MODEL.internalisation_rate(CarrierSurface(60.0, zeta_mV=-30.0))
    assert pos > neu > neg


def test_peg_shielding_lowers_uptake():
    # Walkey et al., J Am Chem Soc 134:2139 (2012): uptake falls with PEG grafting density
    rates = [
        MODEL.internalisation_rate(CarrierSurface(100.0, peg_density_nm2=s))
        for s in (0, 0.05, 0.1, 0.2, 1.0)
    ]
    assert all(np.diff(rates[:4]) < 0)
    assert rates[4] <= rates[3]  # a dense brush can block wrapping altogether
    macro = [
        macrophage_uptake_rate(CarrierSurface(100.0, peg_density_nm2=s)) for s in (0, 0.1, 0.5)
    ]
    assert macro[0] > macro[1] > macro[2]


def test_ligand_density_raises_uptake():
    # multivalent avidity (Decuzzi & Ferrari, Biomaterials 27:5307, 2006) and faster wrapping with
    # more ligands (Gao et al. 2005); e.g. Elias et al., Nanomedicine 9:194 (2013) for the trend
    rates = [
        MODEL.internalisation_rate(CarrierSurface(80.0, ligand_density_nm2=m))
        for m in (0, 1e-3, 3e-3, 1e-2)
    ]
    assert all(np.diff(rates) > 0)


def test_ligands_let_smaller_particles_be_wrapped():
    # Gao et al. 2005: the minimal wrappable radius falls as the ligand density rises
    assert math.isinf(wrapping_time_s(24.0, 5000.0))
    assert math.isfinite(wrapping_time_s(24.0, 10000.0))


def test_elongated_particles_are_taken_up_more_slowly():
    # Chithrani, Ghazani & Chan, Nano Lett 6:662 (2006): gold rods (aspect ratio 3, 5) are taken
    # up less than spheres
    rates = [MODEL.internalisation_rate(CarrierSurface(60.0, aspect_ratio=a)) for a in (1, 3, 5)]
    assert rates[0] > rates[1] > rates[2]


def test_spheroid_area_ratio_formula():
    # prolate spheroid vs equal-volume sphere: known value 1.182 at aspect ratio 3, and > 1 always
    assert surface_area_ratio(3.0) == pytest.approx(1.1820, abs=2e-4)
    assert all(surface_area_ratio(a) > 1 for a in (1.01, 2, 10))


def test_particles_and_receptors_are_conserved():
    res = MODEL.simulate(CarrierSurface(80.0, ligand_density_nm2=5e-3), np.linspace(0, 24, 49), 2e4)
    df = res.data
    np.testing.assert_allclose(df["free"] + df["bound"] + df["internalised"], 2e4, rtol=1e-7)
    r0 = MODEL.parameters["receptors_per_cell"].value
    np.testing.assert_allclose(df["receptors_free"] + df["receptors_internal"], r0, rtol=1e-7)
    assert df["receptors_free"].min() < r0  # receptor depletion happened
    assert np.all(np.diff(df["internalised"]) >= -1e-9)


def test_uptake_without_depletion_matches_first_order_solution():
    # no ligands: linear attach/detach/wrap chain; internalised(t) vs the matrix exponential
    from scipy.linalg import expm

    s = CarrierSurface(60.0)
    r = MODEL.rates(s)
    a = np.array(
        [
            [-r["k_attach"], r["k_detach"], 0],
            [r["k_attach"], -r["k_detach"] - r["k_wrap"], 0],
            [0, r["k_wrap"], 0],
        ]
    )
    t = np.linspace(0, 10, 11)
    res = MODEL.simulate(s, t, 1.0)
    exact = np.array([(expm(a * tt) @ [1.0, 0, 0])[2] for tt in t])
    np.testing.assert_allclose(res.data["internalised"], exact, atol=1e-7)


def test_from_carrier_reads_the_schema():
    c = Carrier(
        material="PLGA",
        hydrodynamic_diameter="120 nm",
        zeta_potential="-20 mV",
        peg_mw=2000,
        peg_density=0.3,
    )
    s = CarrierSurface.from_carrier(c)
    assert (s.diameter_nm, s.zeta_mV, s.peg_density_nm2) == (120.0, -20.0, 0.3)


def test_bad_inputs():
    with pytest.raises(InputError, match="diameter"):
        CarrierSurface(0.0)
    with pytest.raises(InputError, match="zeta"):
        CarrierSurface(50.0, zeta_mV=500.0)
    with pytest.raises(ParameterError, match="k_detach"):
        UptakeModel(k_detach=-1.0)
    with pytest.raises(InputError, match="times_h"):
        MODEL.simulate(CarrierSurface(50.0), [1.0, 2.0])
