"""Agglomerate effective density: both relations against a mass balance counted independently.

A fractal agglomerate of diameter d_agg holds N = (d_agg / d_p)^D_F primaries of diameter d_p
(Sterling et al., Water Res 39:1818, 2005, prefactor 1); the pores are filled with medium. Its
mass, counted primary by primary, over its volume is the effective density. The volumetric
centrifugation method (DeLoid et al., Nat Commun 5:3514, 2014) packs agglomerates into a pellet
at the stacking factor SF: the pellet's agglomerate volume SF·V_pellet holds the solid volume
M / rho_p and medium in the rest. The two relations describe the same object, so a pellet of
fractal agglomerates must give back the fractal density.
"""

import math

import numpy as np
import pytest

from nanomed.cellular.agglomerate import (
    STACKING_FACTOR,
    effective_density_fractal,
    effective_density_vcm,
    porosity_fractal,
)
from nanomed.cellular.dosimetry import Medium, ParticleType
from nanomed.core.errors import InputError

# TiO2-like primaries in culture medium (rho of anatase 3.9-4.2 g/cm³; medium ~1.0 g/cm³)
RHO_P, RHO_M = 4.23, 1.007


def _counted_density(d_agg: float, d_p: float, d_f: float) -> float:
    """Mass of N primaries plus the medium in the pores, over the agglomerate volume [g/cm³]."""
    n_primaries = (d_agg / d_p) ** d_f
    v_agg = math.pi / 6 * (d_agg * 1e-7) ** 3
    v_solid = n_primaries * math.pi / 6 * (d_p * 1e-7) ** 3
    return (v_solid * RHO_P + (v_agg - v_solid) * RHO_M) / v_agg


@pytest.mark.parametrize(("d_agg", "d_p", "d_f"), [(200, 20, 2.3), (1000, 25, 2.1), (90, 30, 2.8)])
def test_fractal_density_is_the_mass_of_its_primaries_and_pores(d_agg, d_p, d_f):
    rho = effective_density_fractal(d_agg, d_p, RHO_P, RHO_M, d_f)
    assert rho == pytest.approx(_counted_density(d_agg, d_p, d_f), rel=1e-12)
    n_primaries = (d_agg / d_p) ** d_f
    assert 1 - porosity_fractal(d_agg, d_p, d_f) == pytest.approx(
        n_primaries * (d_p / d_agg) ** 3, rel=1e-12
    )
    assert RHO_M < rho < RHO_P


def test_fractal_limits():
    # a compact agglomerate (D_F = 3) or a single primary has the material's density; a huge
    # open agglomerate (D_F < 3) is almost all medium
    assert effective_density_fractal(500, 20, RHO_P, RHO_M, 3.0) == pytest.approx(RHO_P)
    assert effective_density_fractal(20, 20, RHO_P, RHO_M, 2.3) == pytest.approx(RHO_P)
    assert effective_density_fractal(1e7, 20, RHO_P, RHO_M, 2.0) == pytest.approx(RHO_M, rel=1e-5)
    sizes = [50, 100, 200, 400, 800]
    rhos = [effective_density_fractal(d, 20, RHO_P, RHO_M, 2.3) for d in sizes]
    assert all(np.diff(rhos) < 0)  # looser as it grows


@pytest.mark.parametrize(("d_agg", "d_p", "d_f"), [(200, 20, 2.3), (600, 15, 2.5)])
def test_vcm_pellet_of_fractal_agglomerates_returns_their_density(d_agg, d_p, d_f):
    phi = 1 - porosity_fractal(d_agg, d_p, d_f)  # solid volume fraction of one agglomerate
    mass_ug = 50.0
    sf = STACKING_FACTOR.value
    # the packed agglomerates fill SF of the pellet; their solid is M / rho_p
    pellet_ul = mass_ug * 1e-6 / (RHO_P * phi * sf) * 1e3
    vcm = effective_density_vcm(mass_ug, pellet_ul, RHO_P, RHO_M)
    assert vcm == pytest.approx(effective_density_fractal(d_agg, d_p, RHO_P, RHO_M, d_f), rel=1e-12)


def test_vcm_density_is_the_pellet_mass_balance():
    mass_ug, pellet_ul, sf = 1000.0, 1.0, 0.634
    v_agg = pellet_ul * 1e-3 * sf  # cm³ of agglomerates in the pellet
    v_solid = mass_ug * 1e-6 / RHO_P
    expected = (mass_ug * 1e-6 + (v_agg - v_solid) * RHO_M) / v_agg
    assert effective_density_vcm(mass_ug, pellet_ul, RHO_P, RHO_M, sf) == pytest.approx(expected)
    # a pellet too small to hold the solid is refused, not a density above the material's
    with pytest.raises(InputError, match="too small"):
        effective_density_vcm(1000.0, 0.1, RHO_P, RHO_M)


def test_dosimetry_counts_the_solid_of_a_fractal_agglomerate():
    # the delivered mass per agglomerate in dosimetry is its solid: N primaries of rho_p
    d_agg, d_p, d_f = 300.0, 20.0, 2.3
    rho = effective_density_fractal(d_agg, d_p, RHO_P, RHO_M, d_f)
    p = ParticleType("agg", d_agg, rho, material_density_g_cm3=RHO_P)
    n_primaries = (d_agg / d_p) ** d_f
    solid = n_primaries * math.pi / 6 * (d_p * 1e-7) ** 3 * RHO_P
    # abs=0: ~1e-14 g lies far below pytest.approx's default abs=1e-12
    assert p.solid_mass_g(Medium(density_g_cm3=RHO_M)) == pytest.approx(solid, rel=1e-9, abs=0)


def test_bad_inputs():
    with pytest.raises(InputError, match="exceeds the agglomerate"):
        porosity_fractal(10.0, 20.0, 2.3)
    with pytest.raises(InputError, match="fractal dimension"):
        porosity_fractal(100.0, 20.0, 3.5)
    with pytest.raises(InputError, match="mass"):
        effective_density_vcm(-1.0, 1.0, RHO_P)
