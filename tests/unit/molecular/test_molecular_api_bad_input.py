"""Bad input to the fast public Python API of nanomed.molecular: one clear error naming the parameter.

Each case failed before its fix with a NaN or inf result, a wrong number, or an error from deep
inside the math module, scipy or RDKit that named no parameter (see the comment of each case).
The binding free energy is only called with settings that must be refused before any set-up.
"""

import math

import pytest

from nanomed.core.errors import InputError
from nanomed.molecular import (
    binding_free_energy,
    charge_state,
    compatibility,
    free_volume_diffusivity,
    hayduk_laudie,
    molecular_profile,
    release_parameters,
    stokes_einstein,
    wilke_chang,
)
from nanomed.molecular.fragments import conformers
from nanomed.molecular.solubility import aqueous_solubility_gse, critical_chi, loading_capacity

pytest.importorskip("rdkit")

NAN, INF = math.nan, math.inf


def _no_simulation():
    raise AssertionError("the binding system was built before the settings were checked")


def _bfe(**kwargs):
    return binding_free_energy("CCO", "gold", system_factory=_no_simulation, **kwargs)


NAN_CASES = [
    # NaN diffusivities
    (wilke_chang, (NAN,), {}, "molar_volume"),
    (wilke_chang, (100.0,), {"viscosity": NAN}, "viscosity"),
    (wilke_chang, (100.0,), {"association": NAN}, "association"),
    (hayduk_laudie, (NAN,), {}, "molar_volume"),
    (stokes_einstein, (NAN,), {}, "radius_nm"),
    (free_volume_diffusivity, (NAN, 318.0), {}, "d_water"),
    (free_volume_diffusivity, (1e-6, NAN), {}, "glass_transition"),
    (free_volume_diffusivity, (1e-6, 318.0), {"fujita_b": NAN}, "fujita_b"),
    # NaN charge and fraction neutral
    (charge_state, ([NAN],), {}, "pka_acid"),
    (charge_state, ([], [NAN]), {}, "pka_base"),
    # NaN log D
    (charge_state, ([3.5], [], 7.4, NAN), {}, "logp"),
    # NaN critical chi
    (critical_chi, (NAN,), {}, "n_segments"),
    # scipy brentq: "The function value at x=1e-300 is NaN"
    (loading_capacity, (NAN, 100.0), {}, "chi"),
    (compatibility, ("CCO", "PLGA"), {"polymer_mw": NAN}, "polymer_mw"),
    (compatibility, ("CCO", "PLGA"), {"temperature": NAN}, "temperature"),
    # NaN log partition in the result
    (compatibility, ("CCO", "PLGA"), {"logp": NAN}, "logp"),
    # the binding system was built (minutes of AM1-BCC and MD set-up) with these
    (_bfe, (), {"equilibration_ps": NAN}, "equilibration_ps"),
    (_bfe, (), {"friction_per_ps": NAN}, "friction_per_ps"),
    (_bfe, (), {"distances_nm": [0.3, NAN, 0.5]}, "distances_nm"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), NAN_CASES)
def test_nan_is_rejected_naming_the_parameter(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


INF_CASES = [
    # inf diffusivity
    (wilke_chang, (100.0,), {"solvent_molar_mass": INF}, "solvent_molar_mass"),
    (free_volume_diffusivity, (INF, 318.0), {}, "d_water"),
    # NaN diffusivity
    (
        free_volume_diffusivity,
        (1e-6, 318.0),
        {"free_volume_expansion": INF},
        "free_volume_expansion",
    ),
    # scipy brentq: "f(a) and f(b) must have different signs"
    (loading_capacity, (INF, 100.0), {}, "chi"),
    # inf log partition in the result
    (compatibility, ("CCO", "PLGA"), {"logp": INF}, "logp"),
    # the binding system was built with these
    (_bfe, (), {"force_constant": INF}, "force_constant"),
    (_bfe, (), {"temperature": INF}, "temperature"),
    (_bfe, (), {"production_ps": INF}, "production_ps"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), INF_CASES)
def test_infinity_is_rejected_naming_the_parameter(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


NEGATIVE_OR_ZERO_CASES = [
    # a negative diffusivity
    (wilke_chang, (100.0,), {"viscosity": -1e-3}, "viscosity"),
    (stokes_einstein, (1.0,), {"viscosity": -1e-3}, "viscosity"),
    (wilke_chang, (100.0, -310.0), {"viscosity": 1e-3}, "temperature"),
    # ZeroDivisionError
    (wilke_chang, (100.0,), {"viscosity": 0.0}, "viscosity"),
    (stokes_einstein, (1.0,), {"viscosity": 0.0}, "viscosity"),
    (free_volume_diffusivity, (1e-6, 318.0), {"fractional_free_volume_glass": 0.0}, "free_volume"),
    (compatibility, ("CCO", "PLGA"), {"temperature": 0.0}, "temperature"),
    (loading_capacity, (1.0, 0.0), {}, "n_segments"),
    # math domain error (square root of a negative number)
    (wilke_chang, (100.0,), {"association": -2.6}, "association"),
    # a diffusivity ~1e11 times faster than in water
    (free_volume_diffusivity, (1e-6, 318.0), {"fujita_b": -1.0}, "fujita_b"),
    # a loading capacity for a chain of negative length
    (loading_capacity, (1.0, -1.0), {}, "n_segments"),
    # 0 silently replaced by the 30 kg/mol default
    (compatibility, ("CCO", "PLGA"), {"polymer_mw": 0.0}, "polymer_mw"),
    # the error named n_segments, which the caller never gave
    (compatibility, ("CCO", "PLGA"), {"polymer_mw": -1.0}, "polymer_mw"),
    # RDKit ArgumentError (C++ signature mismatch)
    (conformers, ("CCO", 0), {}, r"\bn\b"),
    (conformers, ("CCO", 1, -1), {}, "seed"),
    # the binding system was built with these
    (_bfe, (), {"friction_per_ps": -1.0}, "friction_per_ps"),
    (_bfe, (), {"bins": 0}, "bins"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), NEGATIVE_OR_ZERO_CASES)
def test_impossible_negative_or_zero_is_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


HUGE_CASES = [
    # OverflowError: (34, 'Numerical result out of range') in 10**(pKa - pH)
    (charge_state, ([1e300],), {}, "pka_acid"),
    # OverflowError in eta**1.14
    (hayduk_laudie, (100.0,), {"viscosity": 1e300}, "viscosity"),
    # a diffusivity of 1e291 cm²/s
    (stokes_einstein, (1.0, 1e300), {"viscosity": 1e-3}, "temperature"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), HUGE_CASES)
def test_absurdly_large_value_is_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


STRING_CASES = [
    # TypeError from an arithmetic operator, naming no parameter
    (wilke_chang, ("big",), {}, "molar_volume"),
    (hayduk_laudie, (100.0,), {"viscosity": "thick"}, "viscosity"),
    (stokes_einstein, (1.0, "warm"), {}, "temperature"),
    (free_volume_diffusivity, (1e-6, "Tg"), {}, "glass_transition"),
    (charge_state, (["3.5"],), {}, "pka_acid"),
    (charge_state, ([3.5], [], "neutral"), {}, "pH"),
    (critical_chi, ("many",), {}, "n_segments"),
    (loading_capacity, ("high", 100.0), {}, "chi"),
    (compatibility, ("CCO", "PLGA"), {"polymer_mw": "30 kDa"}, "polymer_mw"),
    (molecular_profile, ("CCO", "PLGA"), {"logp": "1.2"}, "logp"),
    # RDKit ArgumentError
    (conformers, ("CCO", "3"), {}, r"\bn\b"),
    # numpy: "could not convert string to float"
    (aqueous_solubility_gse, ("high", 1.0), {}, "melting_point_C"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), STRING_CASES)
def test_text_for_a_number_is_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


def test_text_for_the_loading_fraction_is_rejected():
    profile = molecular_profile("CCO", "PLGA")
    # TypeError: '<' not supported between instances of 'int' and 'str'
    with pytest.raises(InputError, match="loading_mass_fraction"):
        release_parameters(profile, loading_mass_fraction="10 %")


NONE_CASES = [
    # TypeError: '<=' not supported between instances of 'NoneType' and 'int'
    (wilke_chang, (None,), {}, "molar_volume"),
    (stokes_einstein, (None,), {}, "radius_nm"),
    (free_volume_diffusivity, (1e-6, 318.0), {"fujita_b": None}, "fujita_b"),
    (charge_state, ([3.5], [], None), {}, "pH"),
    (critical_chi, (None,), {}, "n_segments"),
    (conformers, ("CCO", None), {}, r"\bn\b"),
    (_bfe, (), {"bins": None}, "bins"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), NONE_CASES)
def test_none_for_a_number_is_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


# -- legitimate edge values still work --------------------------------------------------------


def test_edge_values_still_work():
    assert critical_chi(math.inf) == 0.5  # an endless chain
    assert loading_capacity(1.0, math.inf) > 0
    assert loading_capacity(1e4, 100.0) == 0.0  # far above the critical chi: no capacity
    assert charge_state([], [], ph=0.0).fraction_neutral == 1.0
    assert charge_state([-5.0], [45.0], ph=14.0).mean_charge == pytest.approx(0.0, abs=1e-9)
    # no free volume above Tg is fine while the rubber keeps some: only f = 0 is refused
    assert free_volume_diffusivity(1e-6, 300.0, 310.0, fractional_free_volume_glass=0.0) > 0
    assert free_volume_diffusivity(1e-6, 318.0, fujita_b=0.01) > 0
    assert wilke_chang(100.0, 500.0, viscosity=1e-3) > 0  # temperature beyond liquid water
    assert stokes_einstein(1.0, viscosity=1e3) > 0
    assert compatibility("CCO", "PLGA", polymer_mw=None, logp=-3.0).log_partition < 0
    assert len(conformers("CCO", 1, seed=0)) == 1
