"""Bridge to the organ scale: units and directions of the rates it hands over."""

import pytest

from nanomed.cellular.bridge import cellular_rates
from nanomed.cellular.uptake import CarrierSurface, UptakeModel, macrophage_uptake_rate
from nanomed.schema import Carrier


def test_rates_are_the_cellular_models_values_per_hour():
    c = Carrier(material="PLGA", hydrodynamic_diameter="100 nm", zeta_potential="-10 mV")
    r = cellular_rates(c)
    s = CarrierSurface.from_carrier(c)
    assert r["tumour_internalisation_rate_per_h"] == pytest.approx(
        UptakeModel().internalisation_rate(s)
    )
    assert r["macrophage_uptake_rate_per_h"] == pytest.approx(macrophage_uptake_rate(s))
    assert all(v > 0 for v in r.values())


def test_pegylation_lowers_both_rates_and_ligands_raise_tumour_uptake():
    bare = cellular_rates(CarrierSurface(100.0))
    peg = cellular_rates(CarrierSurface(100.0, peg_density_nm2=0.5))
    targeted = cellular_rates(CarrierSurface(100.0, peg_density_nm2=0.5, ligand_density_nm2=0.005))
    assert peg["macrophage_uptake_rate_per_h"] < bare["macrophage_uptake_rate_per_h"]
    assert peg["tumour_internalisation_rate_per_h"] < bare["tumour_internalisation_rate_per_h"]
    assert targeted["tumour_internalisation_rate_per_h"] > peg["tumour_internalisation_rate_per_h"]
