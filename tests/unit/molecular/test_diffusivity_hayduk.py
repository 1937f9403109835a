"""Hayduk–Laudie water diffusivity against hand-computed values of its closed form.

Form: D = 13.26e-5 / (η^1.14 V^0.589) cm²/s, η in cP, V the Le Bas volume in cm³/mol (Hayduk &
Laudie, AIChE J. 20:611, 1974, as quoted by Tucker & Nelken in Lyman et al., Handbook of Chemical
Property Estimation Methods, 1982, ch. 17).
"""

import pytest

from nanomed.core.errors import InputError
from nanomed.molecular.diffusivity import hayduk_laudie, water_viscosity


def test_hand_computed_value():
    # eta = 1 cP, V = 100 cm3/mol: 100**0.589 = 10**1.178 = 15.066, 13.26e-5 / 15.066 = 8.801e-6
    assert hayduk_laudie(100.0, viscosity=1.0e-3) == pytest.approx(8.801e-6, rel=1e-3)


def test_viscosity_and_volume_exponents():
    base = hayduk_laudie(150.0, viscosity=0.9e-3)
    # doubling eta divides D by 2**1.14 = 2.2038; doubling V divides it by 2**0.589 = 1.5042
    assert base / hayduk_laudie(150.0, viscosity=1.8e-3) == pytest.approx(2.2038, rel=1e-4)
    assert base / hayduk_laudie(300.0, viscosity=0.9e-3) == pytest.approx(1.5042, rel=1e-4)


def test_temperature_enters_through_water_viscosity_only():
    eta = water_viscosity(298.15)
    assert hayduk_laudie(120.0, 298.15) == pytest.approx(hayduk_laudie(120.0, viscosity=eta))
    assert hayduk_laudie(120.0, 310.15) > hayduk_laudie(120.0, 298.15)  # water thins on warming


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"molar_volume": 0.0}, "molar_volume"),
        ({"molar_volume": -5.0}, "molar_volume"),
        ({"molar_volume": 100.0, "viscosity": 0.0}, "viscosity"),
        ({"molar_volume": 100.0, "temperature": 100.0}, "temperature"),
    ],
)
def test_bad_inputs(kwargs, field):
    with pytest.raises(InputError, match=field):
        hayduk_laudie(**kwargs)
