"""Permeability-limited release from liposomes, passively or remotely (precipitate) loaded.

Well-mixed vesicle of radius r releasing into a sink: V dC/dt = -P A C, A/V = 3/r, so
C = C0 exp(-k t) with k = 3 P / r, the vesicle mass balance by which permeabilities are measured
from efflux (e.g. Xiang & Anderson, Biophys J 75:2658 (1998)). Remote-loaded drug (doxorubicin sulfate gel in Doxil,
Barenholz, J Control Release 160:117 (2012)) leaks only from its dissolved part: with the dissolved
capacity s (fraction of the load that stays in solution) and fast dissolution, dA/dt = -k min(A, s),
giving zero order f = k s t until the precipitate is gone at t* = (1 - s)/(k s), then first order
A = s exp(-k (t - t*)). s = 1 is the passive (first-order) case.

Effective permeability in an environment:

    P_eff = P · [f_n + ρ (1 - f_n)] · φ_phase(T, Tm, x_chol) · φ_trigger(pH) · φ_T(T)

* P: permeability of the neutral drug through a fluid, cholesterol-free bilayer at 37 °C; the
  solubility–diffusion (Overton) estimate from logP is :func:`overton_permeability`;
* f_n: neutral fraction at the medium pH (Henderson–Hasselbalch; the vesicle interior is taken to
  equilibrate with the medium), ρ the relative permeability of the ionised form (guess);
* φ_phase: gel/fluid phase, leakage maximum at Tm, cholesterol (:func:`~nanomed.release.triggers.membrane_phase_factor`);
* φ_trigger: pH-sensitive formulations (:func:`~nanomed.release.triggers.ph_trigger_factor`);
* φ_T: Arrhenius from 37 °C.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar

import numpy as np

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.core.units import convert
from nanomed.materials import get_lipid
from nanomed.release.base import ReleaseModel, register_release_model
from nanomed.release.environment import Environment, get_environment
from nanomed.release.triggers import (
    arrhenius_factor,
    fraction_neutral,
    membrane_phase_factor,
    ph_trigger_factor,
)

__all__ = ["LiposomePermeation", "overton_permeability"]

BARENHOLZ = "Barenholz, Doxil - the first FDA-approved nano-drug, J Control Release 160:117 (2012)"
DOX_PKA = (
    "Sturgeon & Schulman, J Pharm Sci 66:958 (1977): doxorubicin pKa 8.22 (amine), 10.16 (phenol)"
)
_HSPC = get_lipid("HSPC")
DOX_LOGP = 1.27  # doxorubicin octanol/water logP (DrugBank DB00997, experimental)

#: Overton line for octanol: log10 P[cm/s] = slope·logP + intercept; a guess fitted by eye to
#: small neutral solutes through fluid PC bilayers (acetic acid, benzoic acid; Walter & Gutknecht,
#: J Membr Biol 90:207 (1986); Xiang & Anderson 1998). Large drugs fall below it (size selectivity).
OVERTON_SLOPE = Parameter(
    "overton_slope",
    1.1,
    "dimensionless",
    (0.0, 3.0),
    ref="Walter & Gutknecht, J Membr Biol 90:207 (1986)",
    guess=True,
)
OVERTON_INTERCEPT = Parameter(
    "overton_intercept",
    -2.0,
    "dimensionless",
    (-15.0, 5.0),
    ref="Walter & Gutknecht, J Membr Biol 90:207 (1986)",
    guess=True,
)


def overton_permeability(
    logp: float, reference_logp: float | None = None, reference_permeability: float | None = None
) -> float:
    """Solubility–diffusion (Overton) estimate of a neutral solute's permeability [cm/s].

    P = D_m K_m / δ with K_m ∝ K_octanol**slope. With a reference drug of known permeability,
    P = P_ref·10**(slope (logP - logP_ref)) (recommended: it cancels the size-dependent intercept);
    otherwise the absolute line log10 P = slope·logP + intercept for small solutes
    (:data:`OVERTON_SLOPE`, :data:`OVERTON_INTERCEPT`, guesses), which overestimates large drugs by
    orders of magnitude because bilayer diffusion is size-selective (Xiang & Anderson 1998).

    Parameters
    ----------
    logp : float
        Octanol/water partition coefficient log10 K_ow of the neutral form [-].
    reference_logp : float, optional
        logP of a reference drug [-].
    reference_permeability : float, optional
        Permeability of the reference drug's neutral form [cm/s].

    Returns
    -------
    float
        Permeability [cm/s].

    Examples
    --------
    >>> round(overton_permeability(2.27, 1.27, 1e-7) / 1e-7, 2)
    12.59
    """
    for label, v in (("logp", logp), ("reference_logp", reference_logp)):
        if v is not None and not -10.0 <= v <= 15.0:
            raise InputError(f"{label}: {v!r} outside -10-15")
    if (reference_logp is None) != (reference_permeability is None):
        raise InputError(
            "overton_permeability: give reference_logp and reference_permeability together"
        )
    if reference_logp is not None and reference_permeability is not None:
        return reference_permeability * 10.0 ** (OVERTON_SLOPE.value * (logp - reference_logp))
    return 10.0 ** (OVERTON_SLOPE.value * logp + OVERTON_INTERCEPT.value)


@cache
def _seconds(unit: str) -> float:
    return convert(1.0, unit, "s")


@register_release_model
class LiposomePermeation(ReleaseModel):
    """Permeability-limited drug release from liposomes (equations in the module docstring).

    The defaults describe a Doxil-like formulation (HSPC:cholesterol:mPEG-DSPE 56:38:5 mol%,
    ~85 nm, doxorubicin remote-loaded as a sulfate precipitate; Barenholz 2012). P is calibrated
    (a guess) so that it releases ~3 % in 24 h in plasma at 37 °C, inside the < 5-10 % per day of
    Doxil's reported in-vitro plasma stability; in vivo > 90 % of the plasma drug stays
    encapsulated (Gabizon et al., Cancer Res 54:987 (1994)).

    Parameters
    ----------
    pka_acid, pka_base : sequence of float
        The drug's acidic and basic pKa values [-] (default: doxorubicin, Sturgeon & Schulman 1977).
    time_unit : str
        Unit of ``t`` (default ``"h"``).
    **values : float
        Parameter values (see ``param_specs``).

    Examples
    --------
    >>> m = LiposomePermeation()
    >>> bool(m.fraction_released(24.0, "plasma") < 0.05)
    True
    """

    name: ClassVar[str] = "liposome_permeation"
    reference: ClassVar[str] = BARENHOLZ
    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter("permeability", 1.9e-7, "cm/s", (0.0, None), ref="calibrated to Doxil's "
                  "< 5-10 %/24 h release in plasma (Barenholz 2012)", guess=True,
                  description="neutral-drug permeability of a fluid, cholesterol-free bilayer, 37 °C"),
        Parameter("radius", 42.5, "nm", (5.0, 1e5), ref=f"{BARENHOLZ} (80-90 nm)",
                  description="vesicle (inner aqueous core) radius"),
        Parameter("transition_temperature", float(_HSPC.transition_C or 0.0), "degC",
                  (-60.0, 100.0), ref=f"HSPC, {_HSPC.source}",
                  description="main phase-transition temperature Tm of the bilayer"),
        Parameter("cholesterol_fraction", 0.383, "dimensionless", (0.0, 0.7),
                  ref=f"{BARENHOLZ} (38.3 mol%)", description="cholesterol mole fraction"),
        Parameter("dissolved_fraction", 0.02, "dimensionless", (1e-6, 1.0), ref="remote-loaded "
                  "doxorubicin is almost entirely precipitated (Barenholz 2012); value a guess",
                  guess=True, description="fraction of the load the core keeps dissolved (1: passive)"),
        Parameter("ionised_permeability_ratio", 1e-4, "dimensionless", (0.0, 1.0),
                  ref="ions permeate bilayers orders of magnitude slower than neutral species",
                  guess=True, description="permeability of the ionised form relative to neutral"),
        Parameter("trigger_ph", 5.5, "dimensionless", (0.0, 14.0), ref="Simões et al., Adv "
                  "Drug Deliv Rev 56:947 (2004)", guess=True,
                  description="pH of half-maximal acceleration of a pH-sensitive liposome"),
        Parameter("trigger_gain", 1.0, "dimensionless", (1.0, 1e6), ref="Simões et al. (2004)",
                  description="rate factor far below trigger_ph (1: not pH-sensitive)"),
        Parameter("activation_energy", 50.0, "kJ/mol", (0.0, 300.0), ref="order of magnitude of "
                  "bilayer permeation activation energies", guess=True,
                  description="activation energy of P (phase effects are separate)"),
    )  # fmt: skip

    def __init__(
        self,
        *,
        pka_acid: Sequence[float] = (10.16,),
        pka_base: Sequence[float] = (8.22,),
        time_unit: str | None = None,
        **values: float,
    ) -> None:
        super().__init__(time_unit=time_unit, **values)
        for label, seq in (("pka_acid", pka_acid), ("pka_base", pka_base)):
            if isinstance(seq, str) or not isinstance(seq, Sequence):
                raise InputError(f"{label}: expected a list of pKa values, got {seq!r}")
            if any(not (isinstance(v, int | float) and -5.0 <= v <= 20.0) for v in seq):
                raise InputError(f"{label}: values must be numbers in -5-20, got {list(seq)!r}")
        self.pka_acid = tuple(float(v) for v in pka_acid)
        self.pka_base = tuple(float(v) for v in pka_base)
        cite("Barenholz2012", BARENHOLZ)

    @classmethod
    def from_formulation(cls, carrier: Any, drug: Any = None, **values: Any) -> LiposomePermeation:
        """Model for a :class:`~nanomed.schema.Carrier` (and :class:`~nanomed.schema.Drug`).

        Radius from the hydrodynamic diameter; Tm the mole-fraction-weighted mean of the
        non-sterol lipids' transition temperatures (ideal mixing: an approximation, real mixtures
        melt over a range); cholesterol fraction from the lipid list; pKa values from the drug;
        without a measured permeability, P scaled from the default (doxorubicin, logP 1.27) by the
        drug's logP (:func:`overton_permeability`, relative form; a guess).
        """
        vals: dict[str, Any] = {"radius": carrier.hydrodynamic_diameter / 2.0}
        chol, weighted, weight = 0.0, 0.0, 0.0
        for comp in carrier.lipids:
            tm = get_lipid(comp.name).transition_C
            if tm is None:
                chol += comp.mole_fraction
            else:
                weighted += tm * comp.mole_fraction
                weight += comp.mole_fraction
        if weight > 0:
            vals["transition_temperature"] = weighted / weight
        if carrier.lipids:
            vals["cholesterol_fraction"] = chol
        kw: dict[str, Any] = {}
        if drug is not None:
            kw = {"pka_acid": drug.pka_acid, "pka_base": drug.pka_base}
            if drug.logp is not None and "permeability" not in values:
                p_ref = next(q.value for q in cls.param_specs if q.name == "permeability")
                p = overton_permeability(drug.logp, DOX_LOGP, p_ref)
                vals["permeability"] = min(p, 1.0)
        vals.update(values)
        return cls(**kw, **vals)

    def effective_permeability(self, environment: str | Environment | None = None) -> float:
        """P_eff [cm/s] in ``environment`` (see the module docstring)."""
        return self._permeability(self.values, get_environment(environment))

    def _permeability(self, p: dict[str, float], env: Environment) -> float:
        f_n = float(fraction_neutral(env.ph, self.pka_acid, self.pka_base))
        ion = f_n + p["ionised_permeability_ratio"] * (1.0 - f_n)
        phase = membrane_phase_factor(
            env.temperature_C, p["transition_temperature"], p["cholesterol_fraction"]
        )
        trig = ph_trigger_factor(env.ph, p["trigger_ph"], p["trigger_gain"])
        arr = arrhenius_factor(env.temperature_C, p["activation_energy"])
        return float(p["permeability"] * ion * phase * trig * arr)

    def _k(self, p: dict[str, float], env: Environment) -> float:
        """Release rate constant 3 P_eff / r [1/time_unit]."""
        return 3.0 * self._permeability(p, env) / (p["radius"] * 1e-7) * _seconds(self.time_unit)

    def _fraction(self, t: np.ndarray, p: dict[str, float], env: Environment) -> np.ndarray:
        return 1.0 - self._remaining(t, self._k(p, env), p["dissolved_fraction"])

    @staticmethod
    def _remaining(t: np.ndarray, k: float, s: float) -> np.ndarray:
        if k == 0.0:
            return np.ones_like(t)
        t_star = (1.0 - s) / (k * s)  # precipitate exhausted
        zero_order = 1.0 - k * s * t
        first_order = s * np.exp(-k * np.maximum(t - t_star, 0.0))
        return np.where(t <= t_star, zero_order, first_order)

    def release_rate(
        self, t: object, environment: str | Environment | None = None, *, dt: float | None = None
    ) -> np.ndarray:
        """Hazard rate k·min(A, s)/A [1/``time_unit``] (closed form; A: remaining fraction)."""
        t_arr = self._times(t)
        p = self.values
        k, s = self._k(p, get_environment(environment)), p["dissolved_fraction"]
        remaining = self._remaining(t_arr, k, s)
        return k * np.minimum(remaining, s) / np.maximum(remaining, 1e-300)
