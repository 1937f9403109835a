"""Higuchi's dispersed-drug matrix against Crank's exact sheet and its own limits."""

import math

import numpy as np
import pytest

from nanomed.core.errors import InputError
from nanomed.release.matrix import higuchi_clock, higuchi_fraction


def _crank_sheet(t: np.ndarray, half_thickness: float, d: float) -> np.ndarray:
    """Fraction released by a plane sheet of thickness 2l, both faces to a sink (Crank 1975
    eq. 4.18), summed to convergence: an engine independent of nanomed.release.matrix."""
    n = np.arange(200)[:, None]
    k = (2 * n + 1) ** 2 * math.pi**2 * d * t[None, :] / (4 * half_thickness**2)
    return 1 - (8 / ((2 * n + 1) ** 2 * math.pi**2) * np.exp(-k)).sum(axis=0)


def test_all_drug_dissolved_is_sqrt_pi_over_2_of_the_exact_sheet():
    # Paul & McSpadden (J Membr Sci 1:33, 1976): as A -> C_s, Higuchi's pseudo-steady state
    # under-predicts the exact early release by the factor sqrt(pi)/2 (11.3 %)
    half, d = 1.0, 1e-3
    t = np.array([0.5, 2.0, 8.0])  # early: F < 0.2
    exact = _crank_sheet(t, half, d)
    higuchi = higuchi_fraction(t, 1 / half, 1.0, 1.0, d)  # S/V = 1/l for the sheet
    np.testing.assert_allclose(higuchi / exact, math.sqrt(math.pi) / 2, rtol=1e-6)
    assert exact.max() < 0.2


def test_dilute_solubility_limit_and_scaling():
    # C_s << A: F -> (S/V) sqrt(2 D C_s t / A), relative error C_s / (4 A) to first order
    t, sv, cs, a, d = 10.0, 2.0, 1e-4, 1.0, 1e-6
    limit = sv * math.sqrt(2 * d * cs * t / a)
    assert float(higuchi_fraction(t, sv, cs, a, d)) == pytest.approx(limit, rel=1e-4)
    # one clock: devices release alike at equal (S/V)·√t
    c1 = higuchi_clock(4.0, 1.0, cs, a)
    assert float(higuchi_clock(1.0, 2.0, cs, a)) == pytest.approx(float(c1), rel=1e-12)
    # solubility above the load: the drug is dissolved, the A = C_s expression holds
    assert float(higuchi_clock(4.0, 3.0, 5.0, 1.0)) == pytest.approx(3.0 * 2.0)
    assert float(higuchi_fraction(1e9, 1.0, 1.0, 1.0, 1.0)) == 1.0  # capped


def test_bad_inputs_name_the_quantity():
    with pytest.raises(InputError, match="surface_to_volume must be finite and > 0"):
        higuchi_clock(1.0, 0.0, 1.0, 1.0)
    with pytest.raises(InputError, match="t must be finite and >= 0, got -1"):
        higuchi_clock([1.0, -1.0], 1.0, 1.0, 1.0)
    with pytest.raises(InputError, match="diffusivity"):
        higuchi_fraction(1.0, 1.0, 1.0, 1.0, float("nan"))
