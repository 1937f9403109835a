import numpy as np
import pytest
from scipy.integrate import solve_ivp

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


def _pd_scenario(dose_mg_kg):
    return Scenario.from_dict(
        {
            "formulation": {
                "drug": {**DOX, "clearance_hepatic": "3 L/h/kg"},
                "carrier": LIPOSOME,
                "drug_loading": 0.1,
            },
            "tumour": {"mass": "0.3 g", "growth": {"model": "simeoni"}},
            "dosing": {"dose": f"{dose_mg_kg} mg/kg"},
            "duration": "7 day",
        }
    )


def test_tumour_growth_inhibition_rises_with_dose():
    low = simulate(_pd_scenario(5)).tumour_growth()
    high = simulate(_pd_scenario(50)).tumour_growth()
    # the untreated arm is Simeoni growth from the same w0 (0.3 g): with no drug only x1 is
    # non-zero, so dw/dt = l0 w / (1 + (l0 w / l1)^psi)^(1/psi), psi = 20, with the paclitaxel
    # fit l0 = 0.273 1/day, l1 = 0.814 g/day (Simeoni et al., Cancer Res 64:1094, 2004, Table 2),
    # solved here independently (Radau, tight tolerances)
    assert low["weight_untreated"].iloc[0] == pytest.approx(0.3, rel=1e-6)
    l0, l1, psi = 0.273, 0.814, 20.0
    t_day = low["time"].to_numpy() / 24.0
    ref = solve_ivp(
        lambda _t, w: l0 * w / (1.0 + (l0 * w / l1) ** psi) ** (1.0 / psi),
        (0.0, t_day[-1]), [0.3], method="Radau", t_eval=t_day, rtol=1e-10, atol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(low["weight_untreated"], ref.y[0], rtol=1e-6)
    np.testing.assert_allclose(high["weight_untreated"], ref.y[0], rtol=1e-6)
    # below w = l1 / l0 (2.98 g; 0.3 g e^{7 l0} = 2.03 g) the growth is exponential, w0 e^{l0 t}
    # to within (l0 w / l1)^psi / psi ~ 1e-5 of the rate
    assert t_day[-1] == pytest.approx(7.0)
    np.testing.assert_allclose(low["weight_untreated"], 0.3 * np.exp(l0 * t_day), rtol=1e-3)
    assert high["tgi_percent"].iloc[-1] > low["tgi_percent"].iloc[-1] > 0
    assert (high["weight"] <= high["weight_untreated"] + 1e-12).all()


def _cellular_scenario(ligand_density, cellular=True):
    carrier = {"material": "PLGA", "hydrodynamic_diameter": "100 nm", "zeta_potential": "-5 mV"}
    if ligand_density:
        carrier |= {"ligand": "folate", "ligand_density": f"{ligand_density} 1/nm**2"}
    return Scenario.from_dict(
        {
            "formulation": {"carrier": carrier},
            "tumour": {"mass": "0.3 g"},
            "dosing": {"dose": "5 mg/kg"},
            "duration": "7 day",
            "levels": {"cellular": cellular},
        }
    )


def test_cellular_level_targeting_raises_tumour_retention():
    """With the cellular level on, a ligand raises tumour-cell internalisation (cellular scale,
    Decuzzi & Ferrari 2006), hence the tumour multiplier and the particles still in the tumour
    at 168 h."""
    plain = simulate(_cellular_scenario(0.0))
    targeted = simulate(_cellular_scenario(0.2))
    rec = {r.bridge: r.values for r in targeted.bridges}["cellular"]
    rec_plain = {r.bridge: r.values for r in plain.bridges}["cellular"]
    assert rec["tumour_retention"] > rec_plain["tumour_retention"]
    assert (
        targeted.organ.delivery_efficiency()["DE168"] > plain.organ.delivery_efficiency()["DE168"]
    )


def test_cellular_level_switch_changes_organ_inputs_only_when_on():
    off = simulate(_cellular_scenario(0.2, cellular=False))
    on = simulate(_cellular_scenario(0.2, cellular=True))
    assert "cellular" not in {r.bridge for r in off.bridges}
    mps = {r.bridge: r.values for r in on.bridges}["cellular"]["mps_uptake"]
    liver_off = off.organ.series("liver", "particles", "percent_id").iloc[-1]
    liver_on = on.organ.series("liver", "particles", "percent_id").iloc[-1]
    # the liver's phagocytic uptake follows the cellular macrophage-rate ratio
    from nanomed.organ.design import design_effects

    mps_off = design_effects(_cellular_scenario(0.2).formulation.carrier).mps_uptake
    assert (liver_on - liver_off) * (mps - mps_off) > 0


PACLITAXEL = (
    "CC1=C2[C@@]([C@]([C@H]([C@@H]3[C@]4([C@H](OC4)C[C@@H]([C@]3(C(=O)[C@@H]2OC(=O)C)C)O)OC(=O)C)"
    "OC(=O)c5ccccc5)(C[C@@H]1OC(=O)[C@H](O)[C@@H](NC(=O)c6ccccc6)c7ccccc7)O)(C)C"
)


def test_molecular_level_fills_drug_and_release_parameters():
    sc = Scenario.from_dict(
        {
            "formulation": {
                "drug": {"name": "paclitaxel", "smiles": PACLITAXEL, "fraction_unbound": 0.05,
                         "blood_plasma_ratio": 1.0},
                "carrier": {"material": "PLGA", "hydrodynamic_diameter": "110 nm",
                            "la_ga_ratio": 1.0, "polymer_mw": "30 kg/mol"},
                "drug_loading": 0.05,
                "encapsulation_efficiency": 0.8,
            },
            "dosing": {"dose": "10 mg/kg"},
            "duration": "24 h",
            "levels": {"molecular": True},
        }
    )  # fmt: skip
    sim = MultiscaleSimulation(sc)
    res = sim.run()
    drug = sim.scenario.formulation.drug
    assert drug.molecular_weight == pytest.approx(853.9, abs=0.1)  # PubChem 853.9 g/mol
    mol = {r.bridge: r for r in res.bridges}["molecular"].values
    # abs=0: D ~ 1e-14 cm²/s, below pytest.approx's default abs=1e-12 (anything would pass)
    assert res.release_model.values["diffusivity"] == pytest.approx(
        mol["diffusivity"], rel=1e-12, abs=0
    )
    # the burst (drug beyond the Flory–Huggins capacity) is free drug at injection
    dose = 10.0 * 0.025  # mg (mouse 25 g)
    burst = mol["burst"]
    free0 = res.organ.series("blood", "free_drug", "amount").iloc[0]
    assert free0 == pytest.approx(dose * (0.2 + 0.8 * burst), rel=1e-6)
    assert res.organ.mass_balance()["relative_error"].abs().max() <= 1e-6


def test_bridge_errors_name_the_users_field():
    from nanomed.core.errors import InputError
    from nanomed.coupling.bridges import molecular_bridge

    carrier = {"material": "PLGA", "hydrodynamic_diameter": "110 nm", "polymer_mw": "0.001 g/mol"}
    form = Formulation.from_dict(
        {"drug": {"name": "d", "smiles": "CCO"}, "carrier": carrier, "drug_loading": 0.05}
    )
    with pytest.raises(InputError, match=r"^formulation\.carrier\.polymer_mw: 0\.001 g/mol"):
        release_bridge(form)
    carrier["polymer_mw"] = "30 kg/mol"
    empty = Formulation.from_dict(
        {"drug": {"name": "d", "smiles": "CCO"}, "carrier": carrier, "drug_loading": 0}
    )
    with pytest.raises(InputError, match=r"^formulation\.drug_loading: must be > 0"):
        molecular_bridge(empty)
