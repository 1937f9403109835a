"""Tumour-cell survival from intracellular drug exposure (Emax / Hill).

Survival after exposure ``E`` (the area under the free intracellular drug curve, or a
concentration) follows the sigmoid Emax model (Hill, J Physiol 40:iv, 1910; Holford & Sheiner,
Clin Pharmacokinet 6:429, 1981)::

    S(E) = 1 - Emax E^n / (EC50^n + E^n).

That intracellular exposure, rather than the medium concentration, sets the kill of
anthracyclines is the basis of El-Kareh & Secomb, Neoplasia 2:325 (2000). The time-resolved form
is a first-order kill whose rate follows the same Hill function of the current concentration
``C(t)``: ``dS/dt = -kmax C^n / (EC50^n + C^n) S`` (Jusko, J Pharm Sci 60:892, 1971).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from nanomed.core.checks import as_numbers, number_fields
from nanomed.core.citations import cite
from nanomed.core.errors import InputError

__all__ = ["EmaxHill", "kill_survival"]


@dataclass(frozen=True)
class EmaxHill:
    """Sigmoid Emax survival model.

    Equations: ``S(E) = 1 - Emax E^n / (EC50^n + E^n)``, the Hill equation (Hill, J Physiol
    40:iv, 1910) in the sigmoid Emax form of Holford & Sheiner (Clin Pharmacokinet 6:429, 1981).

    Parameters
    ----------
    emax : float
        Maximum killed fraction [-], 0-1. Default 1: a placeholder, to be fitted.
    ec50 : float
        Exposure giving half of ``emax`` [exposure unit, e.g. µM·h], > 0. Default 1: a
        placeholder in arbitrary exposure units, to be fitted to the drug and cell line.
    hill : float
        Hill coefficient [-], > 0. Default 1: a placeholder, to be fitted.

    Examples
    --------
    >>> m = EmaxHill(emax=0.9, ec50=2.0, hill=1.5)
    >>> round(float(m.survival(2.0)), 3)
    0.55
    """

    emax: float = 1.0
    ec50: float = 1.0
    hill: float = 1.0

    def __post_init__(self) -> None:
        number_fields(self)
        if not (math.isfinite(self.emax) and 0 <= self.emax <= 1):
            raise InputError(f"emax must lie in 0-1, got {self.emax!r}")
        if not (math.isfinite(self.ec50) and self.ec50 > 0):
            raise InputError(f"ec50 must be > 0, got {self.ec50!r}")
        if not (math.isfinite(self.hill) and 0 < self.hill <= 20):
            raise InputError(f"hill coefficient must lie in (0, 20], got {self.hill!r}")

    def effect(self, exposure: object) -> np.ndarray:
        """Killed fraction ``Emax E^n / (EC50^n + E^n)`` [-]."""
        cite("Holford1981", "Holford N.H.G. & Sheiner L.B., Clin Pharmacokinet 6:429 (1981)")
        try:
            e = np.asarray(exposure, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"exposure must be numbers, got {exposure!r}") from None
        if np.any(e < 0) or not np.all(np.isfinite(e)):
            raise InputError("exposure must be finite and >= 0")
        # written as 1 / (1 + (EC50/E)^n): (E/EC50)^n overflows to inf for a tiny EC50 and
        # inf / inf gave NaN; here E >> EC50 gives emax and E = 0 gives 0
        with np.errstate(divide="ignore", over="ignore"):
            inverse = (self.ec50 / e) ** self.hill
        return self.emax / (1.0 + inverse)

    def survival(self, exposure: object) -> np.ndarray:
        """Surviving fraction ``1 - effect`` [-]."""
        return 1.0 - self.effect(exposure)


def kill_survival(
    times_h: object, concentration: object, kmax_per_h: float, ec50: float, hill: float = 1.0
) -> np.ndarray:
    """Surviving fraction under a time-varying concentration with a Hill kill rate (Jusko 1971).

    ``S(t) = exp(-integral_0^t kmax C^n / (EC50^n + C^n) dt)`` with ``C`` linear between samples
    (trapezoid rule on the kill rate).

    Parameters
    ----------
    times_h : array_like
        Times [h], increasing.
    concentration : array_like
        Concentration at those times [any unit of ``ec50``].
    kmax_per_h : float
        Maximum kill rate [1/h].
    ec50 : float
        Concentration of half-maximal kill rate.
    hill : float
        Hill coefficient [-].

    Returns
    -------
    ndarray
        Surviving fraction at each time [-].
    """
    t = as_numbers(times_h, "times_h")
    c = as_numbers(concentration, "concentration")
    # a NaN time passed the ordering test (NaN <= 0 is False) and gave NaN survival
    if t.shape != c.shape or t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
        raise InputError(
            "times_h and concentration must be 1-D of equal length, times finite and increasing"
        )
    if np.any(np.diff(t) <= 0):
        raise InputError(
            "times_h and concentration must be 1-D of equal length, times finite and increasing"
        )
    # kmax = inf gave inf x 0 = NaN where the concentration is 0
    if not (isinstance(kmax_per_h, Real) and math.isfinite(kmax_per_h) and kmax_per_h >= 0):
        raise InputError(f"kmax_per_h must be a finite number >= 0, got {kmax_per_h!r}")
    for name, val in (("ec50", ec50), ("hill", hill)):
        if not isinstance(val, Real):
            raise InputError(f"{name} must be a number, got {val!r}")
    rate = kmax_per_h * EmaxHill(1.0, ec50, hill).effect(c)
    from scipy.integrate import cumulative_trapezoid

    return np.exp(-cumulative_trapezoid(rate, t, initial=0.0))
