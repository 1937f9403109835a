"""How the carrier's design acts on its disposition: small, replaceable effect functions (the seams).

Each effect maps a :class:`~nanomed.schema.Carrier` (plus optional context such as a measured
protein corona) to one dimensionless number that the nano-PBPK uses: a multiplier on a rate, or a
sieving coefficient. They are registered by name in :data:`DESIGN_EFFECTS`, so that the AI layer
can put a learned model in place of any of them (:func:`register_design_effect`), and a user can
fix one to a measured value (``design_effects(carrier, overrides={"mps_uptake": 2.0})``).

Every multiplier is 1 for the *reference particle* of the generic nano-PBPK parameters
(Chou 2023), taken by nanomed to be a 100 nm, neutral, non-PEGylated, non-targeted sphere (Chou
2023's generic parameters state no particle; this choice is a guess). The functional forms follow
the cited trends; where the magnitude is not measured the docstring says "guess".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from numbers import Real
from typing import Any

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.organ.immune import opsonisation_factor
from nanomed.schema import Carrier

__all__ = [
    "DESIGN_EFFECTS",
    "REFERENCE_DIAMETER_NM",
    "DesignEffects",
    "design_effects",
    "register_design_effect",
    "renkin_hindrance",
]

#: hydrodynamic diameter of the reference particle of the generic parameters [nm]: a nanomed
#: choice (guess), not a value of Chou 2023, whose generic parameters (Main_Code.R) give no size
REFERENCE_DIAMETER_NM = 100.0


@dataclass(frozen=True)
class DesignEffects:
    """The numbers the nano-PBPK takes from the design (all dimensionless).

    Attributes
    ----------
    extravasation : float
        Multiplier on the permeability-area products of normal organs.
    tumour_extravasation : float
        Multiplier on the tumour permeability-area product (EPR).
    renal_sieving : float
        Glomerular sieving coefficient: fraction of the GFR that filters particles, in [0, 1].
    splenic_filtration : float
        Multiplier on the spleen's phagocytic uptake.
    mps_uptake : float
        Multiplier on every organ's phagocytic uptake rate (opsonisation, charge, PEG, size).
    tumour_retention : float
        Multiplier on the tumour's phagocytic/cellular uptake rate (active targeting).
    """

    extravasation: float = 1.0
    tumour_extravasation: float = 1.0
    renal_sieving: float = 0.0
    splenic_filtration: float = 1.0
    mps_uptake: float = 1.0
    tumour_retention: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise InputError(f"design effect {f.name}: must be a finite number >= 0, got {v!r}")
        if self.renal_sieving > 1:
            raise InputError(f"design effect renal_sieving: must be <= 1, got {self.renal_sieving}")


def renkin_hindrance(diameter: float, pore_diameter: float) -> float:
    """Renkin's hindrance factor for a sphere crossing a cylindrical pore [-].

    ``H(λ) = (1-λ)² (1 - 2.104 λ + 2.09 λ³ - 0.95 λ⁵)``, ``λ = d / d_pore`` (0 for λ >= 1);
    Renkin E.M., J Gen Physiol 38:225 (1954).
    """
    lam = diameter / pore_diameter
    if lam >= 1:
        return 0.0
    return (1 - lam) ** 2 * (1 - 2.104 * lam + 2.09 * lam**3 - 0.95 * lam**5)


def _diameter(c: Carrier) -> float:
    return float(c.hydrodynamic_diameter)


def renal_sieving(c: Carrier, **_: Any) -> float:
    """Glomerular sieving of particles: ~1 below ~5.5 nm, ~0 above ~8 nm.

    Choi H.S. et al., Nat Biotechnol 25:1165 (2007): quantum dots with a final hydrodynamic
    diameter < 5.5 nm are cleared efficiently by the kidneys, larger ones are not. Logistic
    ``1 / (1 + exp((d - 6 nm) / 0.5 nm))``; the width is a guess.
    """
    cite(
        "Choi2007",
        "Choi H.S. et al., Renal clearance of quantum dots, Nat Biotechnol 25:1165 (2007)",
    )
    return 1.0 / (1.0 + math.exp(min((_diameter(c) - 6.0) / 0.5, 700.0)))


def extravasation(c: Carrier, **_: Any) -> float:
    """Size effect on transcapillary transfer in normal organs (Renkin hindrance, 300 nm pores).

    Relative to the 100 nm reference particle; the effective pore diameter of 300 nm (a lumped
    value for the fenestrated/discontinuous capillaries where particles cross) is a guess.
    Smaller particles cross faster (Renkin 1954).
    """
    ref = renkin_hindrance(REFERENCE_DIAMETER_NM, 300.0)
    return renkin_hindrance(_diameter(c), 300.0) / ref


def tumour_extravasation(c: Carrier, **_: Any) -> float:
    """Size effect on tumour extravasation (EPR), Renkin hindrance through 400 nm pores.

    Tumour vessel pore cut-off 380-780 nm (Hobbs S.K. et al., PNAS 95:4607, 1998); 400 nm used.
    Relative to the 100 nm reference particle.
    """
    cite(
        "Hobbs1998",
        "Hobbs S.K. et al., Regulation of transport pathways in tumor vessels, PNAS 95:4607 (1998)",
    )
    ref = renkin_hindrance(REFERENCE_DIAMETER_NM, 400.0)
    return renkin_hindrance(_diameter(c), 400.0) / ref


def splenic_filtration(c: Carrier, **_: Any) -> float:
    """Mechanical retention of large particles by the splenic interendothelial slits.

    Particles above ~200 nm are filtered by the spleen (Moghimi S.M., Hunter A.C. & Murray J.C.,
    Pharmacol Rev 53:283, 2001). ``g(d) = 1 + 2 / (1 + exp(-(d - 200 nm) / 30 nm))`` (up to 3x;
    magnitude and width are guesses), returned relative to the reference particle, g(d)/g(100 nm).
    """
    cite("Moghimi2001", "Moghimi S.M., Hunter A.C., Murray J.C., Pharmacol Rev 53:283 (2001)")

    def g(d: float) -> float:
        return 1.0 + 2.0 / (1.0 + math.exp(-max(min((d - 200.0) / 30.0, 700.0), -700.0)))

    return g(_diameter(c)) / g(REFERENCE_DIAMETER_NM)


def mps_uptake(c: Carrier, *, opsonin_fraction: float | None = None, **_: Any) -> float:
    """Phagocytic (MPS) uptake from size, surface charge, PEG density and the protein corona.

    * size: larger particles are taken up faster by the MPS (Moghimi 2001): ``(d/100 nm)**0.5``
      (exponent is a guess);
    * charge: charged surfaces adsorb more opsonins, cationic most (Xiao K. et al., Biomaterials
      32:3435, 2011): ``1 + ζ/20 mV`` for ζ > 0, ``1 + |ζ|/40 mV`` for ζ < 0 (slopes are guesses);
    * PEG: a dense PEG brush shields the surface (Gref R. et al., Colloids Surf B 18:301, 2000;
      Perry J.L. et al., Nano Lett 12:5304, 2012): ``0.2 + 0.8 exp(-σ/0.3 nm⁻²)`` with σ the PEG
      density (form and constants are guesses);
    * corona: :func:`nanomed.organ.immune.opsonisation_factor` when an opsonin fraction is given.
    """
    cite("Gref2000", "Gref R. et al., Colloids Surf B 18:301 (2000)")
    size = (_diameter(c) / REFERENCE_DIAMETER_NM) ** 0.5
    z = float(c.zeta_potential)
    charge = 1.0 + (z / 20.0 if z > 0 else -z / 40.0)
    peg = 0.2 + 0.8 * math.exp(-float(c.peg_density) / 0.3) if c.pegylated else 1.0
    return size * charge * peg * opsonisation_factor(opsonin_fraction)


def tumour_retention(c: Carrier, **_: Any) -> float:
    """Active targeting raises tumour retention.

    Median tumour delivery 0.9 %ID for actively targeted vs 0.6 %ID for passively targeted
    particles (Wilhelm S. et al., Nat Rev Mater 1:16014, 2016): up to 1.5x, saturating in the
    ligand density as ``σ / (σ + 0.05 nm⁻²)`` (the half-saturation density is a guess; a ligand
    without a density counts as saturated).
    """
    cite(
        "Wilhelm2016",
        "Wilhelm S. et al., Analysis of nanoparticle delivery to tumours, Nat Rev Mater 1:16014 (2016)",
    )
    if not c.ligand:
        return 1.0
    s = float(c.ligand_density)
    occupancy = 1.0 if s == 0 else s / (s + 0.05)
    return 1.0 + 0.5 * occupancy


#: name -> effect function ``f(carrier, **context) -> float``; names are DesignEffects fields
DESIGN_EFFECTS: dict[str, Callable[..., float]] = {
    "extravasation": extravasation,
    "tumour_extravasation": tumour_extravasation,
    "renal_sieving": renal_sieving,
    "splenic_filtration": splenic_filtration,
    "mps_uptake": mps_uptake,
    "tumour_retention": tumour_retention,
}


def register_design_effect(name: str, func: Callable[..., float]) -> Callable[..., float]:
    """Replace the effect ``name`` by ``func(carrier, **context) -> float``; return the old one."""
    if name not in DESIGN_EFFECTS:
        raise InputError(f"unknown design effect {name!r} (known: {', '.join(DESIGN_EFFECTS)})")
    old = DESIGN_EFFECTS[name]
    DESIGN_EFFECTS[name] = func
    return old


def design_effects(
    carrier: Carrier | None,
    *,
    overrides: dict[str, float] | None = None,
    **context: Any,
) -> DesignEffects:
    """Evaluate every registered effect for ``carrier``.

    Parameters
    ----------
    carrier : Carrier or None
        The nanocarrier; None gives the reference (all multipliers 1, no renal sieving).
    overrides : dict, optional
        Values fixing some effects (measured, or switched off: ``{"mps_uptake": 1.0}``).
    **context
        Passed to every effect function (e.g. ``opsonin_fraction`` of a measured corona).

    Examples
    --------
    >>> from nanomed.schema import Carrier
    >>> small = design_effects(Carrier(material="gold", hydrodynamic_diameter="4 nm"))
    >>> small.renal_sieving > 0.9
    True
    """
    values: dict[str, float] = {}
    if carrier is not None:
        for name, func in DESIGN_EFFECTS.items():
            values[name] = float(func(carrier, **context))
    for name, v in (overrides or {}).items():
        if name not in DESIGN_EFFECTS:
            raise InputError(f"unknown design effect {name!r} (known: {', '.join(DESIGN_EFFECTS)})")
        if isinstance(v, bool) or not isinstance(v, Real):
            raise InputError(f"design effect {name}: expected a number, got {v!r}")
        values[name] = float(v)
    return replace(DesignEffects(), **values)
