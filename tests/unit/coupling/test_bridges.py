import pytest

from nanomed.coupling import MultiscaleSimulation, release_bridge, simulate
from nanomed.schema import Formulation, Scenario

LIPOSOME = {
    "material": "liposome",
    "hydrodynamic_diameter": "85 nm",
    "lipids": [
        {"name": "HSPC", "mole_fraction": 0.6},
        {"name": "cholesterol", "mole_fraction": 0.4},
    ],
}
DOX = {
    "name": "doxorubicin",
    "logp": 1.27,
    "pka_base": [8.2],
    "fraction_unbound": 0.26,
    "blood_plasma_ratio": 1.15,
}


def _formulation(carrier, **kw):
    return Formulation.from_dict({"drug": DOX, "carrier": carrier, "drug_loading": 0.1, **kw})


@pytest.mark.parametrize(
    ("carrier", "expected"),
    [
        (LIPOSOME, "liposome_permeation"),
        ({"material": "PLGA", "hydrodynamic_diameter": 120, "la_ga_ratio": 1.0}, "plga_erosion"),
        ({"material": "mesoporous_silica", "hydrodynamic_diameter": 80}, "langmuir_desorption"),
        ({"material": "polymeric_micelle", "hydrodynamic_diameter": 30}, "fickian_sphere"),
    ],
)
def test_release_bridge_picks_model_by_material(carrier, expected):
    formulation = _formulation(carrier)
    model, record = release_bridge(formulation)
    assert model.name == expected
    assert record.source.startswith("mechanistic default")
    if "radius" in model.values:  # the carrier's size reaches size-dependent models
        d = formulation.carrier.hydrodynamic_diameter
        assert model.values["radius"] == pytest.approx(d / 2)


def test_measured_release_wins_over_default():
    f = _formulation(LIPOSOME, release={"model": "first_order", "parameters": {"k": 0.05}})
    model, record = release_bridge(f)
    assert model.name == "first_order"
    assert record.source == "measured: first_order"


def test_no_release_for_free_drug_and_empty_carrier():
    free = Formulation.from_dict({"drug": DOX})
    assert release_bridge(free)[0] is None
    empty = Formulation.from_dict({"carrier": {"material": "gold", "hydrodynamic_diameter": 20}})
    assert release_bridge(empty)[0] is None


def test_liposome_bridge_reads_lipid_phase():
    model, _ = release_bridge(_formulation(LIPOSOME))
    assert model.values["transition_temperature"] == pytest.approx(52.5)  # HSPC, library value
    assert model.values["cholesterol_fraction"] == pytest.approx(0.4)


def _scenario(**levels):
    return Scenario.from_dict(
        {
            "formulation": {
                "drug": {**DOX, "clearance_hepatic": "3 L/h/kg"},
                "carrier": LIPOSOME,
                "drug_loading": 0.1,
            },
            "dosing": {"dose": "5 mg/kg"},
            "duration": "48 h",
            "levels": levels,
        }
    )


def test_release_switched_off_means_no_free_drug_beyond_unencapsulated():
    # with encapsulation_efficiency 1 and no release step, no drug is ever free
    res = MultiscaleSimulation(_scenario(release=False)).run()
    free = res.to_dataframe().query("entity == 'free_drug'")
    assert free["amount"].abs().max() < 1e-9
    assert res.provenance()["source"].str.contains("switched off").all()


def test_release_on_frees_drug_and_conserves_mass():
    res = simulate(_scenario(release=True))
    free = res.to_dataframe().query("entity == 'free_drug'")
    assert free["amount"].max() > 0
    mb = res.organ.mass_balance()
    assert mb["relative_error"].abs().max() <= 1e-6
