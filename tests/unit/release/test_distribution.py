"""Log-normal sizes from mean and PDI, checked by sampling and by direct integration."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from nanomed.core.errors import InputError, ParameterError
from nanomed.release.distribution import LogNormalSize, sigma_from_pdi


def test_pdi_of_a_sampled_population_is_recovered():
    # DLS PDI = relative variance of the intensity-weighted decay rate Γ ∝ 1/d (Koppel 1972)
    dist = LogNormalSize.from_mean_pdi(80.0, 0.2)
    rng = np.random.default_rng(1)
    d = dist.median_nm * np.exp(dist.sigma * rng.standard_normal(2_000_000))
    w = d**6
    gamma = 1.0 / d
    mean = np.average(gamma, weights=w)
    pdi = np.average((gamma - mean) ** 2, weights=w) / mean**2
    assert pdi == pytest.approx(0.2, rel=0.03)
    assert 1.0 / mean == pytest.approx(80.0, rel=0.01)  # Z-average: intensity harmonic mean


@pytest.mark.parametrize("mean_type", ["number", "volume", "z_average"])
def test_requested_mean_is_kept(mean_type):
    dist = LogNormalSize.from_mean_pdi(120.0, 0.25, mean_type=mean_type)
    d, w = dist.quadrature(40, weight_power=0)
    moments = {k: float(w @ d**k) for k in (1, 3, 4, 5, 6)}
    got = {
        "number": moments[1],
        "volume": moments[4] / moments[3],
        "z_average": moments[6] / moments[5],
    }[mean_type]
    assert got == pytest.approx(120.0, rel=1e-9)
    assert dist.pdi == pytest.approx(0.25)


def test_quadrature_matches_adaptive_integration():
    dist = LogNormalSize(60.0, 0.5)

    def g(x):
        return np.exp(-((x / 90.0) ** 2))

    for k in (0, 3):
        d, w = dist.quadrature(32, weight_power=k)
        exact = quad(lambda x, k=k: dist.pdf(x, k) * g(x), 0, np.inf, limit=200)[0]
        assert float(w @ g(d)) == pytest.approx(exact, abs=1e-7)
        assert w.sum() == pytest.approx(1.0)
    assert quad(lambda x: dist.pdf(x, 3), 0, np.inf)[0] == pytest.approx(1.0)


def test_monodisperse_and_formulas():
    assert sigma_from_pdi(0.0) == 0.0
    assert sigma_from_pdi(0.3) == pytest.approx(math.sqrt(math.log(1.3)))
    d, w = LogNormalSize(100.0, 0.0).quadrature(16)
    assert d.tolist() == [100.0] and w.tolist() == [1.0]


@pytest.mark.parametrize("pdi", [-0.1, 1.0, 2.0, float("nan"), "x"])
def test_bad_pdi(pdi):
    with pytest.raises(ParameterError, match="pdi"):
        LogNormalSize.from_mean_pdi(100.0, pdi)


def test_bad_mean():
    with pytest.raises(ParameterError, match="mean diameter"):
        LogNormalSize.from_mean_pdi(0.0, 0.1)
    with pytest.raises(InputError, match="mean_type"):
        LogNormalSize.from_mean_pdi(100.0, 0.1, mean_type="mode")
    with pytest.raises(ParameterError, match="sigma"):
        LogNormalSize(100.0, -1.0)
