"""Bad input to the public Python API of nanomed.cellular: one clear error naming the parameter.

Each case failed before its fix with a NaN or inf result, a wrong number, or an error from deep
inside numpy/scipy that named no parameter (see the comment of each case).
"""

import math

import numpy as np
import pytest

from nanomed.cellular import (
    CarrierSurface,
    ParticleType,
    UptakeModel,
    effective_density_fractal,
    effective_density_vcm,
    fit_deposition_rate,
    hindered_diffusivity,
    kill_survival,
    simulate_cell,
    simulate_dosimetry,
    simulate_spheroid,
    wrapping_time_s,
)
from nanomed.cellular.cytotoxicity import EmaxHill
from nanomed.core.errors import InputError

NAN, INF = math.nan, math.inf
PARTICLE = ParticleType("PS 100 nm", 100.0, 1.05)
SURFACE = CarrierSurface(100.0)
T3 = [0.0, 1.0, 2.0]


@pytest.fixture(scope="module")
def spheroid():
    return simulate_spheroid(50.0, T3, n_shells=10)


def _call(target, args, kwargs, spheroid):
    if target == "penetration":
        return spheroid.penetration_depth_um(*args, **kwargs)
    return target(*args, **kwargs)


NAN_CASES = [
    # reshape error from the solver output
    (simulate_dosimetry, (PARTICLE,), {"times_h": [0.0, NAN, 2.0]}, "times_h"),
    # scipy least_squares: "Residuals are not finite in the initial point"
    (fit_deposition_rate, ([0.0, 1.0, 2.0], [0.0, NAN, 0.5]), {}, "fraction"),
    # NaN wrapping time
    (wrapping_time_s, (30.0, 5000.0), {"receptor_diffusivity_nm2_s": NAN}, "receptor_diffusivity"),
    # scipy brentq: "The function value at x=1e-09 is NaN"
    (wrapping_time_s, (30.0, NAN), {}, "ligand_density"),
    # NaN diffusivity
    (hindered_diffusivity, (50.0,), {"fibre_volume_fraction": NAN}, "fibre_volume_fraction"),
    (hindered_diffusivity, (50.0,), {"temperature_C": NAN}, "temperature_C"),
    # pandas: "Length of values (3) does not match length of index (1)"
    (UptakeModel().simulate, (SURFACE, [0.0, NAN, 2.0]), {}, "times_h"),
    (simulate_cell, (SURFACE, [0.0, NAN, 2.0]), {}, "times_h"),
    # reshape error from the solver output
    (simulate_spheroid, (50.0, [0.0, NAN, 2.0]), {}, "times_h"),
    # NaN survival
    (kill_survival, ([0.0, 1.0, NAN], [1.0, 1.0, 1.0], 1.0, 1.0), {}, "times_h"),
    # the rim depth returned as if nothing had penetrated
    ("penetration", (None, NAN), {}, "level"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), NAN_CASES)
def test_nan_is_rejected_naming_the_parameter(target, args, kwargs, name, spheroid):
    with pytest.raises(InputError, match=name):
        _call(target, args, kwargs, spheroid)


INF_CASES = [
    # inf x 0 = NaN survival where the concentration is 0
    (kill_survival, (T3, [0.0, 1.0, 0.0], INF, 1.0), {}, "kmax_per_h"),
    # NaN in the returned table
    (UptakeModel().simulate, (SURFACE, [0.0, 1.0, INF]), {}, "times_h"),
    (simulate_cell, (SURFACE, [0.0, 1.0, INF]), {}, "times_h"),
    # NaN wrapping time
    (wrapping_time_s, (30.0, 5000.0), {"aspect_ratio": INF}, "aspect ratio"),
    # inf diffusivity
    (hindered_diffusivity, (50.0,), {"temperature_C": INF}, "temperature_C"),
    # a wrapping time of 0 s
    (wrapping_time_s, (30.0, 5000.0), {"receptor_diffusivity_nm2_s": INF}, "receptor_diffusivity"),
    # scipy: "Residuals are not finite in the initial point"
    (fit_deposition_rate, ([0.0, 1.0, 2.0], [0.0, INF, 0.5]), {}, "fraction"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), INF_CASES)
def test_infinity_is_rejected_naming_the_parameter(target, args, kwargs, name, spheroid):
    with pytest.raises(InputError, match=name):
        _call(target, args, kwargs, spheroid)


NEGATIVE_OR_ZERO_CASES = [
    # scipy BDF: "'<' not supported between instances of 'complex' and 'float'"
    (simulate_dosimetry, (PARTICLE,), {"rtol": -1.0, "duration_h": 1.0}, "rtol"),
    # scipy: "`atol` must be positive." (a plain ValueError)
    (simulate_dosimetry, (PARTICLE,), {"atol": -1.0, "duration_h": 1.0}, "atol"),
    # a negative wrapping time
    (wrapping_time_s, (30.0, 5000.0), {"receptor_diffusivity_nm2_s": -1e4}, "receptor_diffusivity"),
    # ZeroDivisionError
    (wrapping_time_s, (30.0, 5000.0), {"receptor_diffusivity_nm2_s": 0.0}, "receptor_diffusivity"),
    (wrapping_time_s, (30.0, 5000.0), {"aspect_ratio": 0.0}, "aspect ratio"),
    # inf wrapping time returned for a negative density
    (wrapping_time_s, (30.0, -5000.0), {}, "ligand_density"),
    # a negative diffusivity
    (hindered_diffusivity, (50.0,), {"viscosity_mPa_s": -0.7}, "viscosity_mPa_s"),
    # ZeroDivisionError
    (hindered_diffusivity, (50.0,), {"fibre_radius_nm": 0.0}, "fibre_radius_nm"),
    # math domain error (sqrt of a negative fraction)
    (hindered_diffusivity, (50.0,), {"fibre_volume_fraction": -0.1}, "fibre_volume_fraction"),
    # scipy least_squares on a log of a negative time
    (fit_deposition_rate, ([-2.0, -1.0, 0.0], [0.0, 0.1, 0.2]), {}, r"\bt\b"),
    # the rim depth returned
    ("penetration", (None, -1.0), {}, "level"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), NEGATIVE_OR_ZERO_CASES)
def test_impossible_negative_or_zero_is_rejected(target, args, kwargs, name, spheroid):
    with pytest.raises(InputError, match=name):
        _call(target, args, kwargs, spheroid)


HUGE_CASES = [
    # OverflowError: (34, 'Numerical result out of range')
    (simulate_dosimetry, (PARTICLE,), {"height_mm": 1e300}, "height"),
    (wrapping_time_s, (1e300, 5000.0), {}, "radius_nm"),
    (wrapping_time_s, (30.0, 5000.0), {"bending_kT": 1e300}, "bending_kT"),
    # scipy: RuntimeError "Factor is exactly singular"
    (simulate_spheroid, (50.0, T3), {"diffusivity_um2_h": 1e300}, "diffusivity_um2_h"),
    # a depth for a level above the rim value
    ("penetration", (None, 2.0), {}, "level"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), HUGE_CASES)
def test_absurdly_large_value_is_rejected(target, args, kwargs, name, spheroid):
    with pytest.raises(InputError, match=name):
        _call(target, args, kwargs, spheroid)


SHAPE_CASES = [
    # IndexError: index -1 is out of bounds
    (fit_deposition_rate, ([], []), {}, r"\bt\b"),
    # numpy broadcast error
    (fit_deposition_rate, ([0.0, 1.0, 2.0], [0.0, 0.5]), {}, "fraction"),
    # scipy cumulative_trapezoid: "At least one point is required"
    (kill_survival, ([], [], 1.0, 1.0), {}, "times_h"),
    # a fit over a time grid out of order or with a repeated time
    (fit_deposition_rate, ([0.0, 2.0, 1.0], [0.0, 0.5, 0.4]), {}, r"\bt\b"),
    (fit_deposition_rate, ([0.0, 1.0, 1.0], [0.0, 0.5, 0.4]), {}, r"\bt\b"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), SHAPE_CASES)
def test_empty_mismatched_or_unordered_arrays_are_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


STRING_CASES = [
    # numpy: "could not convert string to float"
    (simulate_dosimetry, (PARTICLE,), {"times_h": ["a", "b"]}, "times_h"),
    (UptakeModel().simulate, (SURFACE, ["a", "b"]), {}, "times_h"),
    (EmaxHill().effect, ("abc",), {}, "exposure"),
    # numpy UFuncTypeError inside scipy
    (simulate_dosimetry, (PARTICLE,), {"rtol": "abc"}, "rtol"),
    # TypeError: must be real number, not str
    (effective_density_fractal, ("200 nm", 20.0, 4.23), {}, "agglomerate diameter"),
    (effective_density_vcm, (1000.0, "1 uL", 4.23), {}, "pellet volume"),
    (simulate_cell, (SURFACE, T3), {"particles_per_cell": "lots"}, "particles_per_cell"),
    (UptakeModel().simulate, (SURFACE, T3, "lots"), {}, "particles_per_cell"),
    (hindered_diffusivity, (50.0,), {"temperature_C": "warm"}, "temperature_C"),
    (kill_survival, (T3, [1.0, 1.0, 1.0], "fast", 1.0), {}, "kmax_per_h"),
    # TypeError: '<=' not supported between instances of 'float' and 'str'
    (effective_density_fractal, (200.0, 20.0, 4.23, 1.0, "2.3"), {}, "fractal dimension"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), STRING_CASES)
def test_text_for_a_number_is_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


NONE_CASES = [
    # TypeError: must be real number, not NoneType
    (wrapping_time_s, (None, 5000.0), {}, "radius_nm"),
    (hindered_diffusivity, (None,), {}, "diameter"),
    (effective_density_vcm, (None, 1.0, 4.23), {}, "mass"),
    (simulate_cell, (SURFACE, T3), {"drug_per_carrier": None}, "drug_per_carrier"),
    # TypeError inside scipy
    (simulate_dosimetry, (PARTICLE,), {"atol": None}, "atol"),
]


@pytest.mark.parametrize(("target", "args", "kwargs", "name"), NONE_CASES)
def test_none_for_a_number_is_rejected(target, args, kwargs, name):
    with pytest.raises(InputError, match=name):
        target(*args, **kwargs)


def test_pellet_too_small_for_a_material_lighter_than_the_medium():
    # returned 0.42 g/cm³, below both the material (1.0) and the medium (2.0)
    with pytest.raises(InputError, match="pellet volume"):
        effective_density_vcm(1000.0, 1.0, 1.0, 2.0)


# -- legitimate edge values still work --------------------------------------------------------


def test_edge_values_of_the_wrapping_time_still_work():
    assert wrapping_time_s(30.0, 0.0) == math.inf  # no ligands: no wrapping (documented)
    assert wrapping_time_s(30.0, 5000.0, receptor_density_um2=0.0) == math.inf
    assert wrapping_time_s(30.0, 5000.0, bond_energy_kT=0.0) == math.inf
    assert math.isfinite(wrapping_time_s(30.0, 5000.0, bending_kT=0.0))
    assert math.isfinite(wrapping_time_s(30.0, 5000.0, aspect_ratio=100.0))
    assert math.isfinite(wrapping_time_s(30.0, 5000.0, bond_energy_kT="15"))  # numeric text


def test_edge_values_of_the_hindered_diffusivity_still_work():
    free = hindered_diffusivity(50.0, fibre_volume_fraction=0.0)
    assert free > hindered_diffusivity(50.0) > 0
    assert hindered_diffusivity(50.0, temperature_C=0.0, viscosity_mPa_s=100.0) > 0


def test_light_material_with_a_large_pellet_still_works():
    # was refused: the old test rho > rho_material holds for every material lighter than the medium
    rho = effective_density_vcm(100.0, 1.0, 0.9, 1.0)  # lipid-like, lighter than the medium
    assert 0.9 < rho < 1.0


def test_edge_values_of_the_cell_models_still_work():
    res = simulate_cell(SURFACE, T3, particles_per_cell=0.0, drug_per_carrier=0.0)
    assert np.all(np.isfinite(res.data.to_numpy(dtype=float)))
    up = UptakeModel().simulate(SURFACE, T3, particles_per_cell=1e12)  # the cap itself
    assert np.all(np.isfinite(up.data.to_numpy(dtype=float)))
    assert kill_survival([0.0], [1.0], 0.5, 1.0).tolist() == [1.0]  # a single time
    assert kill_survival(T3, [0.0, 0.0, 0.0], 0.0, 1.0).tolist() == [1.0, 1.0, 1.0]


def test_edge_values_of_dosimetry_still_work(spheroid):
    res = simulate_dosimetry(
        PARTICLE, height_mm=1000.0, times_h=[0.0, 1.0], n_cells=10, rtol=1e-3, atol=1e-6
    )
    assert np.all((res.fraction >= 0) & (res.fraction <= 1))
    t = np.array([0.0, 1.0, 2.0, 4.0])
    alpha = fit_deposition_rate(t, 1.0 - np.exp(-0.3 * t))  # 1-D fraction, from t = 0
    assert alpha == pytest.approx([0.3], rel=1e-4)
    assert spheroid.penetration_depth_um(level=1.0) >= 0
    assert simulate_spheroid(50.0, T3, n_shells=5, diffusivity_um2_h=0.0).data["total"].max() == (
        pytest.approx(0.0, abs=1e-9)
    )
