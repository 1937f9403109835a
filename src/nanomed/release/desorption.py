"""Desorption of drug from inorganic carrier surfaces (mesoporous silica, gold, iron oxide).

Langmuir adsorption kinetics (Langmuir, J Am Chem Soc 40:1361 (1918)) for the fractional coverage θ
of the adsorption sites, with the drug concentration c of a finite, well-mixed medium coupled to θ
by mass balance (c = c_tot (θ0 - θ)/θ0, c_tot the concentration if everything were released):

    dθ/dt = -k_d θ + k_a c (1 - θ) = -k_d θ + β (1 - θ/θ0)(1 - θ),   β = k_a c_tot = k_d K_L c_tot

a Riccati equation with constant coefficients, solved in closed form: with θ1 ≤ θ0 the stable root
(Langmuir equilibrium) and q the square root of the discriminant, z = θ - θ1 obeys
z' = a z² - q z (a = β/θ0), so z = z0 e^{-qt} / (1 - (a z0/q)(1 - e^{-qt})). In sink conditions
(c_tot = 0) θ = θ0 e^{-k_d t}, i.e. first-order release f = 1 - e^{-k_d t}.

Environment: k_d rises as the surface loses charge at low pH (electrostatic binding of a cationic
drug such as doxorubicin to silanolate groups weakens): k_d ∝ (σ⁻(7.4)/σ⁻(pH))**m with σ⁻ the
charged fraction of the surface sites (:func:`~nanomed.release.triggers.ionised_surface_fraction`,
silica by default) and m a guess; Arrhenius in temperature; proteins binding the drug lower the
free concentration, β → β / (1 + K_b [protein]).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import ClassVar

import numpy as np

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.core.units import convert
from nanomed.release.base import ReleaseModel, register_release_model
from nanomed.release.environment import Environment, get_environment
from nanomed.release.triggers import (
    PH_REF,
    SILICA_SILANOL_SITES,
    arrhenius_factor,
    ionised_surface_fraction,
    protein_sink_factor,
)

__all__ = ["LangmuirDesorption"]

LANGMUIR = "Langmuir, J Am Chem Soc 40:1361 (1918)"


@cache
def _hours(unit: str) -> float:
    return convert(1.0, unit, "h")


@register_release_model
class LangmuirDesorption(ReleaseModel):
    """Release by Langmuir desorption into a sink or a finite medium (closed form).

    Parameters
    ----------
    surface_sites : sequence of (pKa, fraction)
        Acidic surface sites whose charge holds the drug (default: silica silanols,
        Ong, Zhao & Eisenthal, Chem Phys Lett 191:327 (1992)).
    time_unit : str
        Unit of ``t`` (default ``"h"``).
    **values : float
        Parameter values (see ``param_specs``).

    Examples
    --------
    >>> m = LangmuirDesorption(desorption_rate=0.1)
    >>> round(float(m.fraction_released(10.0)), 4)  # sink: 1 - exp(-1)
    0.6321
    """

    name: ClassVar[str] = "langmuir_desorption"
    reference: ClassVar[str] = LANGMUIR
    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter("desorption_rate", 0.05, "1/h", (0.0, None), ref="order of magnitude of "
                  "doxorubicin release from mesoporous silica at pH 7.4 (days)", guess=True,
                  description="desorption rate constant k_d at pH 7.4, 37 °C"),
        Parameter("langmuir_constant", 1e5, "L/mol", (0.0, None), ref="order of magnitude for "
                  "doxorubicin on silica", guess=True,
                  description="Langmuir affinity K_L = k_a / k_d"),
        Parameter("coverage", 0.5, "dimensionless", (1e-9, 1.0), ref="loading relative to the "
                  "monolayer capacity", guess=True, description="initial coverage θ0"),
        Parameter("medium_concentration", 0.0, "umol/L", (0.0, 1e6), ref=LANGMUIR,
                  description="drug concentration in the medium if all were released (0: sink)"),
        Parameter("charge_exponent", 1.0, "dimensionless", (0.0, 10.0), ref="electrostatic "
                  "binding weakens with the surface charge", guess=True,
                  description="m in k_d ∝ σ⁻(pH)**-m"),
        Parameter("protein_binding", 0.0, "L/g", (0.0, None),
                  ref="off by default (0 = no binding); set from the drug's measured plasma "
                  "fraction unbound fu, K_b = (1/fu - 1)/[protein] "
                  "(triggers.binding_constant_from_fu)",
                  description="drug binding constant to medium proteins"),
        Parameter("activation_energy", 40.0, "kJ/mol", (0.0, 300.0), ref="order of magnitude "
                  "of desorption activation energies", guess=True,
                  description="activation energy of k_d"),
    )  # fmt: skip

    def __init__(
        self,
        *,
        surface_sites: Sequence[tuple[float, float]] = SILICA_SILANOL_SITES,
        time_unit: str | None = None,
        **values: float,
    ) -> None:
        super().__init__(time_unit=time_unit, **values)
        try:
            sites = tuple((float(pka), float(w)) for pka, w in surface_sites)
        except (TypeError, ValueError):
            raise InputError(
                f"surface_sites: expected (pKa, fraction) pairs of numbers, got {surface_sites!r}"
            ) from None
        if not np.all(np.isfinite(np.array(sites, dtype=float))):
            raise InputError(f"surface_sites: pKa values and fractions must be finite, got {sites}")
        if not sites or any(w <= 0 for _, w in sites) or abs(sum(w for _, w in sites) - 1) > 1e-6:
            raise InputError("surface_sites: fractions must be > 0 and sum to 1")
        self.surface_sites = sites
        cite("Langmuir1918", LANGMUIR)

    def rates(self, environment: str | Environment | None = None) -> tuple[float, float]:
        """(k_d, β) in ``environment`` [1/``time_unit``]."""
        return self._rates(self.values, get_environment(environment))

    def _rates(self, p: dict[str, float], env: Environment) -> tuple[float, float]:
        scale = _hours(self.time_unit)
        charge = float(ionised_surface_fraction(env.ph, self.surface_sites))
        charge_ref = float(ionised_surface_fraction(PH_REF, self.surface_sites))
        k_d = p["desorption_rate"] * scale * (charge_ref / charge) ** p["charge_exponent"]
        k_d *= float(arrhenius_factor(env.temperature_C, p["activation_energy"]))
        free = protein_sink_factor(env.protein_g_L, p["protein_binding"])
        beta = k_d * p["langmuir_constant"] * p["medium_concentration"] * 1e-6 / free
        return k_d, beta

    def equilibrium_fraction(self, environment: str | Environment | None = None) -> float:
        """Fraction released at the Langmuir equilibrium in ``environment`` [-]."""
        p = self.values
        k_d, beta = self._rates(p, get_environment(environment))
        return 1.0 - self._roots(k_d, beta, p["coverage"])[0] / p["coverage"]

    @staticmethod
    def _roots(k_d: float, beta: float, theta0: float) -> tuple[float, float, float]:
        """Stable root θ1, decay rate q and quadratic coefficient a of dθ/dt = a(θ-θ1)(θ-θ2)."""
        a = beta / theta0
        b = k_d + beta * (1.0 + 1.0 / theta0)  # dθ/dt = a θ² - b θ + β
        q = np.sqrt(max(b * b - 4.0 * a * beta, 0.0))
        theta1 = 2.0 * beta / (b + q) if b + q > 0 else theta0  # stable form of the small root
        return theta1, q, a

    def _theta(
        self, t: np.ndarray, p: dict[str, float], env: Environment
    ) -> tuple[np.ndarray, ...]:
        k_d, beta = self._rates(p, env)
        theta0 = p["coverage"]
        theta1, q, a = self._roots(k_d, beta, theta0)
        z0 = theta0 - theta1
        decay = np.exp(-q * t)
        z = z0 * decay / (1.0 - (a * z0 / q if q > 0 else 0.0) * (1.0 - decay))
        theta = theta1 + z
        dtheta = a * z * z - q * z
        return theta, dtheta, theta0

    def _fraction(self, t: np.ndarray, p: dict[str, float], env: Environment) -> np.ndarray:
        theta, _, theta0 = self._theta(t, p, env)
        return (theta0 - theta) / theta0

    def release_rate(
        self, t: object, environment: str | Environment | None = None, *, dt: float | None = None
    ) -> np.ndarray:
        """Hazard rate -θ'/θ [1/``time_unit``] (closed form)."""
        t_arr = self._times(t)
        theta, dtheta, _ = self._theta(t_arr, self.values, get_environment(environment))
        return np.where(theta > 0, -dtheta / np.maximum(theta, 1e-300), 0.0)
