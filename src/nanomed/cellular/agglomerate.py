"""Effective density of agglomerates in culture medium: the inputs that set the settling velocity.

Two relations, both used with ISDD-type dosimetry:

* **Fractal agglomerate** (Sterling et al., Water Res 39:1818, 2005; used in ISDD, Hinderliter et
  al., Part Fibre Toxicol 7:36, 2010): porosity ``eps = 1 - (d_agg / d_prim)^(D_F - 3)`` and
  ``rho_eff = (1 - eps) rho_prim + eps rho_medium``.
* **Volumetric centrifugation method, VCM** (DeLoid et al., Nat Commun 5:3514, 2014): from the
  packed pellet volume ``V_pellet`` of a mass ``M`` of material,
  ``rho_eff = rho_medium + (M / (V_pellet SF)) (1 - rho_medium / rho_material)``, with the
  stacking factor ``SF`` of randomly packed spheres, 0.634.
"""

from __future__ import annotations

import math
from numbers import Real

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter

__all__ = [
    "STACKING_FACTOR",
    "effective_density_fractal",
    "effective_density_vcm",
    "porosity_fractal",
]

#: volume fraction of randomly close-packed spheres, as used by the VCM (DeLoid et al. 2014)
STACKING_FACTOR = Parameter(
    "stacking_factor",
    0.634,
    "dimensionless",
    (0.1, 1.0),
    ref="DeLoid et al., Nat Commun 5:3514 (2014) (random close packing of spheres)",
    description="packing fraction of agglomerates in the centrifuged pellet",
)


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(f"{name} must be a finite number > 0, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def porosity_fractal(
    d_agglomerate_nm: float, d_primary_nm: float, fractal_dimension: float
) -> float:
    """Porosity ``1 - (d_agg/d_prim)^(D_F - 3)`` [-] of a fractal agglomerate.

    Parameters
    ----------
    d_agglomerate_nm : float
        Agglomerate (hydrodynamic) diameter [nm].
    d_primary_nm : float
        Primary particle diameter [nm], <= the agglomerate diameter.
    fractal_dimension : float
        Mass fractal dimension ``D_F`` [-], between 1 and 3.
    """
    d_agg = _positive("agglomerate diameter", d_agglomerate_nm)
    d_p = _positive("primary diameter", d_primary_nm)
    if d_p > d_agg:
        raise InputError(
            f"primary diameter {d_p:g} nm exceeds the agglomerate diameter {d_agg:g} nm"
        )
    if not (isinstance(fractal_dimension, Real) and 1.0 <= fractal_dimension <= 3.0):
        raise InputError(f"fractal dimension must lie in 1-3, got {fractal_dimension!r}")
    return 1.0 - (d_agg / d_p) ** (fractal_dimension - 3.0)


def effective_density_fractal(
    d_agglomerate_nm: float,
    d_primary_nm: float,
    material_density_g_cm3: float,
    medium_density_g_cm3: float = 1.0,
    fractal_dimension: float = 2.3,
) -> float:
    """Effective density [g/cm³] of a fractal agglomerate (Sterling 2005 relation, as in ISDD).

    Parameters
    ----------
    d_agglomerate_nm, d_primary_nm : float
        Agglomerate and primary diameters [nm].
    material_density_g_cm3 : float
        Density of the primary particles [g/cm³].
    medium_density_g_cm3 : float
        Density of the medium filling the pores [g/cm³].
    fractal_dimension : float
        ``D_F`` [-]. The default 2.3 is a typical value for agglomerates of engineered
        nanomaterials in medium (a guess: measure it, or use :func:`effective_density_vcm`).

    Examples
    --------
    >>> round(effective_density_fractal(200, 20, 4.23, 1.0, 2.3), 3)  # TiO2 agglomerate
    1.644
    """
    cite("Sterling2005", "Sterling M.C. et al., Water Research 39:1818 (2005)")
    eps = porosity_fractal(d_agglomerate_nm, d_primary_nm, fractal_dimension)
    rho_p = _positive("material density", material_density_g_cm3)
    rho_m = _positive("medium density", medium_density_g_cm3)
    return (1.0 - eps) * rho_p + eps * rho_m


def effective_density_vcm(
    mass_ug: float,
    pellet_volume_uL: float,
    material_density_g_cm3: float,
    medium_density_g_cm3: float = 1.0,
    stacking_factor: float = STACKING_FACTOR.value,
) -> float:
    """Effective density [g/cm³] from the volumetric centrifugation method (DeLoid et al. 2014).

    Parameters
    ----------
    mass_ug : float
        Mass of material in the centrifuged suspension [µg].
    pellet_volume_uL : float
        Measured pellet volume [µL].
    material_density_g_cm3 : float
        Density of the raw material [g/cm³].
    medium_density_g_cm3 : float
        Medium density [g/cm³].
    stacking_factor : float
        Packing fraction of agglomerates in the pellet [-] (0.634, random close packing).

    Examples
    --------
    >>> round(effective_density_vcm(1000.0, 1.0, 4.23), 3)
    2.204
    """
    cite("DeLoid2014", "DeLoid G. et al., Nat Commun 5:3514 (2014)")
    mass_g = _positive("mass", mass_ug) * 1e-6
    vol_cm3 = _positive("pellet volume", pellet_volume_uL) * 1e-3
    rho_p = _positive("material density", material_density_g_cm3)
    rho_m = _positive("medium density", medium_density_g_cm3)
    sf = STACKING_FACTOR.check(stacking_factor)
    rho = rho_m + mass_g / (vol_cm3 * sf) * (1.0 - rho_m / rho_p)
    # solid volume fraction of the agglomerates, mass / (V_pellet SF rho_p), cannot exceed 1; the
    # check on rho > rho_p alone missed materials lighter than the medium (rho then falls below)
    if mass_g / (vol_cm3 * sf * rho_p) > 1.0:
        raise InputError(
            f"pellet volume {pellet_volume_uL:g} µL is too small for {mass_ug:g} µg: the solid "
            f"would fill more than the packed pellet (effective density {rho:.3g} g/cm³ beyond "
            f"the material's {rho_p:g} g/cm³)"
        )
    return rho
