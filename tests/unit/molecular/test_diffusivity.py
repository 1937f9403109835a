"""Diffusivities against measured values and closed forms."""

import math

import pytest

from nanomed.core.errors import InputError
from nanomed.molecular.descriptors import compute_descriptors
from nanomed.molecular.diffusivity import (
    BOLTZMANN,
    free_volume_diffusivity,
    stokes_einstein,
    water_viscosity,
    wilke_chang,
)

pytest.importorskip("rdkit")


def test_water_viscosity_against_iapws():
    # IAPWS 2008 (Huber et al., J. Phys. Chem. Ref. Data 38:101, 2009): 0.8900 and 0.6913 mPa s
    assert water_viscosity(298.15) == pytest.approx(0.8900e-3, rel=0.01)
    assert water_viscosity(310.15) == pytest.approx(0.6913e-3, rel=0.01)


@pytest.mark.parametrize(
    ("smiles", "measured"),
    [
        # tracer diffusion in water at 25 C [cm2/s]: glucose 6.73e-6 and sucrose 5.23e-6 (Ribeiro et
        # al., J. Chem. Eng. Data 51:1836, 2006, Taylor dispersion; Longsworth 1953 agrees), urea
        # 1.38e-5 (Longsworth, J. Am. Chem. Soc. 75:5705, 1953; CRC Handbook, diffusion in liquids)
        ("OCC1OC(O)C(O)C(O)C1O", 6.73e-6),
        ("OCC1OC(OC2(CO)OC(CO)C(O)C2O)C(O)C(O)C1O", 5.23e-6),
        ("NC(N)=O", 1.38e-5),
    ],
)
def test_wilke_chang_small_solutes_in_water(smiles, measured):
    v = compute_descriptors(smiles).molar_volume
    # Wilke-Chang's typical error is 10-20 % (Reid, Prausnitz & Poling 1987)
    assert wilke_chang(v, 298.15) == pytest.approx(measured, rel=0.2)


def test_stokes_einstein_closed_form():
    eta, t, r = 1e-3, 300.0, 2.0
    assert stokes_einstein(r, t, eta) == pytest.approx(
        1e4 * BOLTZMANN * t / (6 * math.pi * eta * r * 1e-9)
    )


def test_free_volume_model():
    d_w = 6e-6
    at_tg = free_volume_diffusivity(d_w, 318.15, 318.15, fujita_b=0.5)
    # abs=0 throughout: D_m ~ 1e-14 cm²/s lies below pytest.approx's default abs=1e-12
    assert at_tg == pytest.approx(d_w * math.exp(-0.5 / 0.025), rel=1e-12, abs=0)  # f = f_g
    rubbery = free_volume_diffusivity(d_w, 213.15, 310.15)  # PCL-like, Tg -60 C
    assert at_tg < rubbery < d_w
    frozen = free_volume_diffusivity(d_w, 318.15, 300.0)
    assert frozen == pytest.approx(at_tg, rel=1e-12, abs=0)  # frozen below Tg


def test_bad_inputs():
    with pytest.raises(InputError, match="molar_volume"):
        wilke_chang(-1.0)
    with pytest.raises(InputError, match="temperature"):
        water_viscosity(100.0)
