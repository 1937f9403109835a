"""Environment factors: Henderson–Hasselbalch, Arrhenius, membrane phase, acid catalysis, proteins."""

import math

import numpy as np
import pytest

from nanomed.core.errors import ParameterError
from nanomed.release.triggers import (
    arrhenius_factor,
    binding_constant_from_fu,
    fraction_neutral,
    ionised_surface_fraction,
    membrane_phase_factor,
    ph_trigger_factor,
    polyester_hydrolysis_ph_factor,
    protein_sink_factor,
)


def test_henderson_hasselbalch():
    assert fraction_neutral(8.2, pka_base=[8.2]) == pytest.approx(0.5)
    assert fraction_neutral(4.2, pka_acid=[4.2]) == pytest.approx(0.5)
    # one unit away from the pKa in the ionising direction: 1/(1 + 10)
    assert fraction_neutral(7.2, pka_base=[8.2]) == pytest.approx(1 / 11)
    assert fraction_neutral(5.2, pka_acid=[4.2]) == pytest.approx(1 / 11)
    assert fraction_neutral(7.0) == 1.0
    ph = np.array([5.0, 7.4])
    assert np.all(np.diff(fraction_neutral(ph, pka_base=[9.0])) > 0)


def test_arrhenius_against_rate_ratio():
    r = 8.314462618e-3
    ea = 60.0
    expected = math.exp(-ea / (r * 320.15)) / math.exp(-ea / (r * 310.15))
    assert float(arrhenius_factor(47.0, ea)) == pytest.approx(expected)
    assert float(arrhenius_factor(37.0, ea)) == 1.0
    with pytest.raises(ParameterError, match="activation_energy"):
        arrhenius_factor(37.0, -1.0)


def test_membrane_phase_gel_fluid_peak_cholesterol():
    tm = 41.3
    gel, at_tm, fluid = membrane_phase_factor(np.array([25.0, tm, 55.0]), tm)
    assert gel < 0.02 and fluid == pytest.approx(1.0, rel=1e-3)
    assert at_tm > fluid > gel  # leakage maximum at the transition
    with_chol = membrane_phase_factor(np.array([25.0, tm, 55.0]), tm, cholesterol_fraction=0.4)
    assert np.all(with_chol < [gel, at_tm, fluid])
    assert with_chol[1] < with_chol[2]  # no maximum at saturating cholesterol
    with pytest.raises(ParameterError, match="cholesterol_fraction"):
        membrane_phase_factor(37.0, tm, cholesterol_fraction=1.5)


def test_acid_catalysis_and_ph_trigger():
    f = polyester_hydrolysis_ph_factor(np.array([2.0, 4.5, 7.4]))
    assert f[2] == pytest.approx(1.0) and f[0] > f[1] > f[2]
    trig = ph_trigger_factor(np.array([4.0, 5.5, 7.4]), trigger_ph=5.5, gain=20.0)
    assert trig[1] == pytest.approx(10.5) and trig[2] == pytest.approx(1 + 19 / (1 + 10**3.8))
    assert trig[0] == pytest.approx(20.0, rel=1e-2)
    with pytest.raises(ParameterError, match="trigger_gain"):
        ph_trigger_factor(5.0, 5.5, 0.5)


def test_silica_loses_charge_at_low_ph():
    # Ong et al. (1992): 19 % of silanols with pKa 4.5, 81 % with pKa 8.5
    assert float(ionised_surface_fraction(4.5)) == pytest.approx(0.19 / 2 + 0.81 / (1 + 1e4))
    s = ionised_surface_fraction(np.array([4.8, 6.0, 7.4]))
    assert np.all(np.diff(s) > 0)


def test_protein_sink_roundtrip_with_fraction_unbound():
    kb = binding_constant_from_fu(0.2, protein_g_L=70.0)
    assert 1.0 / protein_sink_factor(70.0, kb) == pytest.approx(0.2)
    assert protein_sink_factor(0.0, kb) == 1.0
    with pytest.raises(ParameterError, match="fraction_unbound"):
        binding_constant_from_fu(0.0)
    with pytest.raises(ParameterError, match="protein_binding"):
        protein_sink_factor(70.0, -1.0)
