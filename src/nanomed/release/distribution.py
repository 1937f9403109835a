"""Log-normal particle-size distributions from a mean diameter and a DLS polydispersity index.

Any scale whose physics depends on size (release time ~ r²/D, sedimentation ~ r², uptake) averages
over the population with :meth:`LogNormalSize.quadrature`, which returns Gauss–Hermite nodes of the
distribution weighted by d**k (k = 0 number, 3 volume or mass, 6 Rayleigh scattering intensity).

Relations used (σ = standard deviation of ln d, d_g = number-weighted median):

* Every d**k-weighted version of a log-normal is log-normal with the same σ and median
  d_g·exp(k σ²); its arithmetic mean is d_g·exp((k + 1/2) σ²) (Hatch & Choate, J Franklin Inst
  207:369 (1929)).
* DLS cumulants: PDI = μ2/Γ̄², the relative variance of the intensity-weighted decay-rate
  distribution, and the Z-average is the intensity-weighted harmonic mean diameter (Koppel, J Chem
  Phys 57:4814 (1972); ISO 22412:2017). For a log-normal the relative variance of Γ ∝ 1/d is
  exp(σ²) - 1 under any d**k weighting, hence **σ² = ln(1 + PDI)**, and with Rayleigh scattering
  (intensity ∝ d⁶) Z = d_g·exp(5.5 σ²) (Thomas, J Colloid Interface Sci 117:187 (1987)).
  The d⁶ law holds for d ≪ λ/10 (≲ 60 nm); for larger particles pass a smaller
  ``intensity_power`` (Mie scattering grows more slowly with d).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from nanomed.core.checks import as_number
from nanomed.core.errors import InputError, ParameterError

__all__ = ["LogNormalSize", "sigma_from_pdi"]

MeanType = Literal["number", "volume", "z_average"]


def sigma_from_pdi(pdi: float) -> float:
    """σ of ln d of a log-normal distribution with DLS polydispersity index ``pdi``: √ln(1 + PDI).

    Parameters
    ----------
    pdi : float
        Polydispersity index [-], in [0, 1).

    Returns
    -------
    float
        σ [-].

    Examples
    --------
    >>> round(sigma_from_pdi(0.2), 4)
    0.427
    """
    try:
        p = float(pdi)
    except (TypeError, ValueError):
        raise ParameterError(f"pdi: expected a number, got {pdi!r}") from None
    if not (0.0 <= p < 1.0):
        raise ParameterError(f"pdi: {p:g} outside [0, 1)")
    return math.sqrt(math.log1p(p))


@lru_cache(maxsize=64)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(n)  # weight exp(-x²/2)
    return x, w / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class LogNormalSize:
    """A log-normal number distribution of particle diameters.

    Parameters
    ----------
    median_nm : float
        Number-weighted median (count median) diameter d_g [nm], > 0.
    sigma : float
        Standard deviation of ln d [-], >= 0 (0: monodisperse).

    Examples
    --------
    >>> s = LogNormalSize.from_mean_pdi(100.0, 0.0)
    >>> s.median_nm, s.sigma
    (100.0, 0.0)
    >>> s = LogNormalSize.from_mean_pdi(100.0, 0.1, mean_type="number")
    >>> round(s.mean_nm(), 6)
    100.0
    """

    median_nm: float
    sigma: float

    def __post_init__(self) -> None:
        # frozen: set through object; text or None is refused by name, not by math.isfinite
        object.__setattr__(self, "median_nm", as_number(self.median_nm, "median diameter"))
        object.__setattr__(self, "sigma", as_number(self.sigma, "sigma"))
        if not (math.isfinite(self.median_nm) and self.median_nm > 0):
            raise ParameterError(f"median diameter: {self.median_nm!r} nm must be > 0")
        if not (math.isfinite(self.sigma) and self.sigma >= 0):
            raise ParameterError(f"sigma: {self.sigma!r} must be >= 0")

    @classmethod
    def from_mean_pdi(
        cls,
        mean_nm: float,
        pdi: float,
        *,
        mean_type: MeanType = "z_average",
        intensity_power: float = 6.0,
    ) -> LogNormalSize:
        """Distribution with a given mean diameter and polydispersity index.

        Parameters
        ----------
        mean_nm : float
            Mean diameter [nm]: the DLS Z-average (``mean_type="z_average"``), the number-weighted
            arithmetic mean (``"number"``) or the volume-weighted arithmetic mean (``"volume"``).
        pdi : float
            DLS polydispersity index [-], in [0, 1); σ² = ln(1 + PDI).
        mean_type : {"z_average", "number", "volume"}
            Which mean ``mean_nm`` is.
        intensity_power : float
            Exponent k of the scattering intensity ∝ d**k used for the Z-average (6: Rayleigh).

        Returns
        -------
        LogNormalSize
        """
        if not (isinstance(mean_nm, int | float) and math.isfinite(mean_nm) and mean_nm > 0):
            raise ParameterError(f"mean diameter: {mean_nm!r} nm must be > 0")
        sigma = sigma_from_pdi(pdi)
        s2 = sigma * sigma
        if mean_type == "z_average":
            median = mean_nm * math.exp(-(intensity_power - 0.5) * s2)
        elif mean_type == "number":
            median = mean_nm * math.exp(-0.5 * s2)
        elif mean_type == "volume":
            median = mean_nm * math.exp(-3.5 * s2)
        else:
            raise InputError(
                f"mean_type: {mean_type!r} is not one of 'z_average', 'number', 'volume'"
            )
        return cls(median, sigma)

    @property
    def pdi(self) -> float:
        """DLS polydispersity index exp(σ²) - 1 [-]."""
        return math.expm1(self.sigma**2)

    def median(self, weight_power: float = 0.0) -> float:
        """Median diameter [nm] of the distribution weighted by d**``weight_power``."""
        return self.median_nm * math.exp(weight_power * self.sigma**2)

    def mean_nm(self, weight_power: float = 0.0) -> float:
        """Arithmetic mean diameter [nm] of the distribution weighted by d**``weight_power``."""
        return self.median_nm * math.exp((weight_power + 0.5) * self.sigma**2)

    def z_average(self, intensity_power: float = 6.0) -> float:
        """Intensity-weighted harmonic mean diameter [nm] (the DLS Z-average)."""
        return self.median_nm * math.exp((intensity_power - 0.5) * self.sigma**2)

    def pdf(self, diameter_nm: np.ndarray, weight_power: float = 0.0) -> np.ndarray:
        """Probability density [1/nm] of the d**``weight_power``-weighted distribution."""
        if self.sigma == 0:
            raise InputError("pdf: a monodisperse distribution has no density")
        d = np.asarray(diameter_nm, dtype=float)
        z = (np.log(d) - math.log(self.median(weight_power))) / self.sigma
        return np.exp(-0.5 * z * z) / (d * self.sigma * math.sqrt(2.0 * math.pi))

    def quadrature(self, n: int = 32, weight_power: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
        """Gauss–Hermite nodes for averages over the d**``weight_power``-weighted distribution.

        ∫ g(d) p_k(d) dd ≈ Σ w_i g(d_i), exact for g polynomial in ln d of degree < 2n.

        Parameters
        ----------
        n : int
            Number of nodes (1 when the distribution is monodisperse).
        weight_power : float
            k in d**k (3: mass or volume weighting, the weighting of a drug load).

        Returns
        -------
        diameters : ndarray
            Node diameters [nm].
        weights : ndarray
            Weights [-], summing to 1.
        """
        if self.sigma == 0.0 or n <= 1:
            return np.array([self.median(weight_power)]), np.ones(1)
        x, w = _hermite(int(n))
        return self.median(weight_power) * np.exp(self.sigma * x), w
