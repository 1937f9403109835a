"""Design seams and immune effects: reference values, monotone trends, replaceability."""

import math

import pytest

from nanomed.core.errors import InputError
from nanomed.organ import (
    DESIGN_EFFECTS,
    abc_active,
    design_effects,
    opsonisation_factor,
    register_design_effect,
)
from nanomed.organ.design import REFERENCE_DIAMETER_NM, renkin_hindrance
from nanomed.organ.immune import saturation
from nanomed.schema import Carrier


def carrier(**kw):
    base = dict(material="PLGA", hydrodynamic_diameter=REFERENCE_DIAMETER_NM)
    base.update(kw)
    return Carrier(**base)


def test_reference_particle_has_unit_multipliers():
    e = design_effects(carrier())
    for name in ("extravasation", "tumour_extravasation", "mps_uptake", "tumour_retention"):
        assert getattr(e, name) == pytest.approx(1.0)
    assert e.splenic_filtration == pytest.approx(1.0)
    assert e.renal_sieving < 1e-6
    assert design_effects(None) == design_effects(None, overrides={})


def test_renkin_limits():
    # Renkin 1954: no hindrance for a point particle, full exclusion at the pore size
    assert renkin_hindrance(0.0, 10.0) == 1.0
    assert renkin_hindrance(10.0, 10.0) == 0.0
    assert 0 < renkin_hindrance(5.0, 10.0) < renkin_hindrance(2.0, 10.0) < 1


def test_trends_of_the_effect_functions():
    sizes = [5.0, 50.0, 100.0, 200.0, 300.0]
    ext = [design_effects(carrier(hydrodynamic_diameter=d)).tumour_extravasation for d in sizes]
    assert ext == sorted(ext, reverse=True)  # smaller particles extravasate faster
    mps = [design_effects(carrier(hydrodynamic_diameter=d)).mps_uptake for d in sizes]
    assert mps == sorted(mps)  # larger particles: more MPS uptake (Moghimi 2001)
    peg = [design_effects(carrier(peg_mw=2000, peg_density=s)).mps_uptake for s in (0.05, 0.3, 1.0)]
    assert peg == sorted(peg, reverse=True)  # denser PEG: less uptake (Gref 2000)
    assert (
        design_effects(carrier(zeta_potential=30)).mps_uptake
        > design_effects(carrier(zeta_potential=-30)).mps_uptake
        > 1.0
    )  # cationic > anionic > neutral (Xiao 2011)
    # Choi 2007: renal filtration below ~5.5 nm
    assert design_effects(carrier(material="gold", hydrodynamic_diameter=4.0)).renal_sieving > 0.9
    assert design_effects(carrier(material="gold", hydrodynamic_diameter=10.0)).renal_sieving < 1e-3
    # Wilhelm 2016: active targeting up to 1.5x
    assert design_effects(
        carrier(ligand="folate", ligand_density=1.0)
    ).tumour_retention == pytest.approx(1.5, rel=0.05)


def test_effects_are_replaceable_seams():
    old = register_design_effect("mps_uptake", lambda c, **_: 7.0)
    try:
        assert design_effects(carrier()).mps_uptake == 7.0
    finally:
        register_design_effect("mps_uptake", old)
    assert DESIGN_EFFECTS["mps_uptake"] is old
    assert design_effects(carrier(), overrides={"mps_uptake": 2.0}).mps_uptake == 2.0
    with pytest.raises(InputError, match="unknown design effect"):
        design_effects(carrier(), overrides={"charm": 1.0})
    with pytest.raises(InputError, match="renal_sieving"):
        design_effects(carrier(), overrides={"renal_sieving": 2.0})


def test_immune_pieces():
    assert abc_active([0.0, 24.0, 192.0, 1500.0], pegylated=True) == [False, False, True, False]
    assert abc_active([0.0, 168.0], pegylated=False) == [False, False]
    assert opsonisation_factor(None) == 1.0
    assert opsonisation_factor(0.4) > opsonisation_factor(0.1) == 1.0 > opsonisation_factor(0.0)
    assert list(saturation([0.0, 5.0, 20.0], [10.0, 10.0, 10.0])) == [1.0, 0.5, 0.0]
    assert math.isclose(design_effects(carrier(), opsonin_fraction=0.3).mps_uptake, 2.0)


def test_measured_corona_on_the_carrier_raises_liver_uptake():
    """An opsonin-rich corona (Owens & Peppas 2006) raises MPS uptake: the carrier field reaches
    the organ model without passing opsonin_fraction by hand."""
    from nanomed.organ import simulate_organ
    from nanomed.schema import Scenario

    def run(fraction):
        carrier = {"material": "PLGA", "hydrodynamic_diameter": "100 nm"}
        if fraction is not None:
            carrier["opsonin_fraction"] = fraction
        sc = Scenario.from_dict(
            {"formulation": {"carrier": carrier}, "dosing": {"dose": "1 mg/kg"}, "duration": "24 h"}
        )
        return simulate_organ(sc).series("liver", "particles", "percent_id").iloc[-1]

    assert run(0.4) > run(None) > run(0.0)
