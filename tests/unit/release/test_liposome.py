"""Liposome permeation: closed form, membrane phase, ionisation, remote loading, Doxil stability."""

import numpy as np
import pytest

from nanomed.core.errors import InputError, ParameterError
from nanomed.release import get_release_model
from nanomed.release.environment import Environment
from nanomed.release.liposome import LiposomePermeation, overton_permeability
from nanomed.schema.carrier import Carrier
from nanomed.schema.drug import Drug

#: a neutral drug, fluid DOPC membrane (Tm -17 °C), no cholesterol, passive loading
PLAIN = dict(
    transition_temperature=-17.0, cholesterol_fraction=0.0, dissolved_fraction=1.0, radius=50.0
)


def test_constant_permeability_gives_first_order_closed_form():
    p, r_nm = 2e-11, 50.0
    m = LiposomePermeation(pka_acid=(), pka_base=(), permeability=p, **PLAIN)
    t = np.linspace(0, 72, 13)
    k = 3 * p / (r_nm * 1e-7) * 3600  # 1/h
    np.testing.assert_allclose(m.fraction_released(t), 1 - np.exp(-k * t), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m.release_rate(t), k, rtol=1e-12)


def test_gel_phase_slower_than_fluid_and_peak_near_tm():
    t = np.array([1.0, 6.0, 24.0])
    kw = dict(PLAIN, permeability=1e-11)
    gel = LiposomePermeation(**dict(kw, transition_temperature=55.0)).fraction_released(t)
    fluid = LiposomePermeation(**kw).fraction_released(t)
    assert np.all(gel < 0.1 * fluid)
    m = LiposomePermeation(**dict(kw, transition_temperature=41.3))  # DPPC
    near_tm = m.fraction_released(t, Environment("hyperthermia", 7.4, 41.3, 0.0))
    above = m.fraction_released(t, Environment("hot", 7.4, 48.0, 0.0))
    assert np.all(near_tm > above)


def test_ionised_drug_is_retained():
    # weak base pKa 8.2: neutral fraction ~0.14 at pH 7.4, ~6e-4 at pH 5
    m = LiposomePermeation(pka_acid=(), pka_base=(8.2,), permeability=1e-9, **PLAIN)
    t = np.array([1.0, 10.0])
    assert np.all(m.fraction_released(t, "lysosome") < 0.05 * m.fraction_released(t, "buffer"))
    acid = LiposomePermeation(pka_acid=(4.0,), pka_base=(), permeability=1e-9, **PLAIN)
    assert np.all(acid.fraction_released(t, "lysosome") > acid.fraction_released(t, "buffer"))


def test_remote_loaded_is_zero_order_until_precipitate_dissolves():
    s = 0.05
    m = LiposomePermeation(dissolved_fraction=s)
    k = 3 * m.effective_permeability("buffer") / (m.values["radius"] * 1e-7) * 3600
    t_star = (1 - s) / (k * s)
    t = np.linspace(0, 0.9 * t_star, 10)
    f = m.fraction_released(t)
    np.testing.assert_allclose(f, k * s * t, rtol=1e-10, atol=1e-14)  # straight line
    late = m.fraction_released(np.array([t_star + 1 / k]))
    assert late == pytest.approx(1 - s * np.exp(-1))
    passive = LiposomePermeation(dissolved_fraction=1.0).fraction_released(t[1:])
    assert np.all(passive > f[1:])


def test_doxil_default_is_stable_in_plasma():
    # Doxil: < 5-10 % release in 24 h in plasma at 37 °C (Barenholz, J Control Release 160:117,
    # 2012); the default formulation is calibrated to that statement (a guess, not a fit)
    m = LiposomePermeation()
    f24 = float(m.fraction_released(24.0, "plasma"))
    assert 0.0 < f24 < 0.10
    # heating to the HSPC transition (52.5 °C) releases far faster
    hot = float(m.fraction_released(24.0, Environment("hot", 7.4, 52.5, 70.0)))
    assert hot > 5 * f24


def test_ph_sensitive_formulation():
    m = LiposomePermeation(trigger_ph=5.5, trigger_gain=100.0, pka_acid=(), pka_base=())
    ratio = m.effective_permeability("lysosome") / m.effective_permeability("buffer")

    def hill(ph):
        return 1 + 99 / (1 + 10 ** (2 * (ph - 5.5)))

    assert ratio == pytest.approx(hill(4.8) / hill(7.4))
    t = np.array([1.0])
    assert m.fraction_released(t, "lysosome") > 10 * m.fraction_released(t, "buffer")


def test_from_formulation_reads_lipids_and_drug():
    carrier = Carrier(
        material="liposome",
        hydrodynamic_diameter="100 nm",
        lipids=[
            {"name": "DPPC", "mole_fraction": 0.6},
            {"name": "cholesterol", "mole_fraction": 0.4},
        ],
    )
    drug = Drug(name="x", logp=2.27, pka_base=[9.0])
    m = LiposomePermeation.from_formulation(carrier, drug)
    assert m.values["radius"] == 50.0
    assert m.values["transition_temperature"] == pytest.approx(41.3)
    assert m.values["cholesterol_fraction"] == pytest.approx(0.4)
    assert m.pka_base == (9.0,)
    base = LiposomePermeation.param_specs[0].value
    assert m.values["permeability"] == pytest.approx(base * 10**1.1)
    assert overton_permeability(0.0) == pytest.approx(1e-2)


def test_release_rate_matches_numerical_hazard():
    m = LiposomePermeation(dissolved_fraction=0.3, permeability=1e-5)
    t = np.array([0.1, 0.5, 1.2])  # both sides of the precipitate's exhaustion
    eps = 1e-5
    num = (m.fraction_released(t + eps) - m.fraction_released(t - eps)) / (2 * eps)
    np.testing.assert_allclose(m.release_rate(t), num / (1 - m.fraction_released(t)), rtol=1e-5)


def test_bad_input():
    with pytest.raises(ParameterError, match="radius"):
        LiposomePermeation(radius=0.0)
    with pytest.raises(ParameterError, match="permeability"):
        LiposomePermeation(permeability=-1e-9)
    with pytest.raises(InputError, match="pka_base"):
        LiposomePermeation(pka_base=("eight",))
    with pytest.raises(InputError, match="times"):
        LiposomePermeation().release_rate([-1.0])
    assert isinstance(get_release_model("liposome_permeation"), LiposomePermeation)


def test_fitting_engine_recovers_permeability_within_its_confidence_interval():
    from nanomed.release.fitting import fit_model

    true = LiposomePermeation(permeability=5e-7, dissolved_fraction=1.0)
    t = np.linspace(0.5, 72, 25)
    f = true.fraction_released(t, "plasma") + np.random.default_rng(1).normal(0, 0.01, t.size)
    fixed = {k: v for k, v in true.values.items() if k != "permeability"}
    res = fit_model(LiposomePermeation(), t, f, fixed=fixed, environment="plasma")
    row = res.parameter_table().set_index("name").loc["permeability"]
    assert res.converged
    assert row["ci_low"] <= 5e-7 <= row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.1e-6
