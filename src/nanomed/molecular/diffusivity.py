"""Drug diffusivity in water (Wilke–Chang, Hayduk–Laudie, Stokes–Einstein) and in polymers.

Equations and sources
---------------------
- Water viscosity: Vogel equation η(T) = A·10^(B/(T − C)), A = 2.414e-5 Pa s, B = 247.8 K,
  C = 140 K (constants as tabulated by Al-Shemmeri, *Engineering Fluid Mechanics*, 2012); it gives
  0.890 and 0.690 mPa s at 25 and 37 °C against 0.890 and 0.691 of the IAPWS 2008 formulation
  (Huber et al., J. Phys. Chem. Ref. Data 38:101, 2009).
- Wilke & Chang, AIChE J. 1:264 (1955): D = 7.4e-8 (φM)^½ T / (η V^0.6) [cm²/s], with η in cP,
  V the solute molar volume at its normal boiling point [cm³/mol] (Le Bas) and φ = 2.6 for water.
- Hayduk & Laudie, AIChE J. 20:611 (1974), the revised Othmer–Thakar correlation fitted to
  87 nonelectrolytes in dilute aqueous solution: D = 13.26e-5 / (η^1.14 V^0.589) [cm²/s], η in cP,
  V the Le Bas molar volume [cm³/mol]; temperature enters only through η. The form is as quoted
  by Tucker & Nelken (Lyman, Reehl & Rosenblatt, *Handbook of Chemical Property Estimation
  Methods*, ACS 1982, ch. 17).
- Stokes–Einstein: D = kT / (6πηr), r the radius of a sphere of the solute's molecular volume.
- Free volume in a polymer (Fujita, Fortschr. Hochpolym.-Forsch. 3:1, 1961; Cohen & Turnbull,
  J. Chem. Phys. 31:1164, 1959): D_p = D_w exp(−B_d / f), with the fractional free volume
  f = f_g + α_f (T − T_g) and the WLF "universal" constants f_g = 0.025, α_f = 4.8e-4 1/K (Williams,
  Landel & Ferry, J. Am. Chem. Soc. 77:3701, 1955; Ferry, *Viscoelastic Properties of Polymers*,
  1980). B_d, of order one and growing with solute size, is a guess (0.5 by default) unless fitted.
"""

from __future__ import annotations

import math
from numbers import Real

from scipy import constants

from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ParameterError
from nanomed.core.parameter import Parameter

__all__ = [
    "BOLTZMANN",
    "FREE_VOLUME_PARAMETERS",
    "free_volume_diffusivity",
    "hayduk_laudie",
    "stokes_einstein",
    "water_viscosity",
    "wilke_chang",
]

#: Boltzmann constant [J/K] (exact, SI 2019; scipy.constants)
BOLTZMANN = constants.Boltzmann
#: Avogadro constant [1/mol] (exact, SI 2019; scipy.constants)
AVOGADRO = constants.Avogadro

#: parameters of the free-volume model, each with unit, bounds and source
FREE_VOLUME_PARAMETERS = (
    Parameter(
        "fractional_free_volume_glass",
        0.025,
        "dimensionless",
        (0.0, 0.2),
        ref="Williams, Landel & Ferry, J. Am. Chem. Soc. 77:3701 (1955)",
        description="fractional free volume at the glass transition (WLF universal value)",
    ),
    Parameter(
        "free_volume_expansion",
        4.8e-4,
        "1/K",
        (0.0, 0.01),
        ref="Ferry, Viscoelastic Properties of Polymers, 3rd ed. (1980)",
        description="thermal expansion coefficient of the free volume above Tg (WLF universal value)",
    ),
    Parameter(
        "fujita_b",
        0.5,
        "dimensionless",
        (0.01, 5.0),
        ref="Fujita, Fortschr. Hochpolym.-Forsch. 3:1 (1961): B_d of order one",
        guess=True,
        description="Fujita B_d: free volume needed for one solute jump, relative to the segment's",
    ),
)


def _positive(name: str, value: float, unit: str, upper: float | None = None) -> float:
    """``value`` as a float if it is a finite number > 0 (and <= ``upper``), else a ParameterError.

    NaN passed the old ``value <= 0`` tests and came out as a NaN diffusivity.
    """
    v = Parameter(name, 0.0, unit, (0.0, upper)).check(value)
    if v == 0:
        raise ParameterError(f"{name}: must be > 0 {unit}, got {value!r}")
    return v


def _viscosity(viscosity: float | None, temperature: float) -> float:
    """The given viscosity [Pa s] (checked), else water's at ``temperature``."""
    if viscosity is None:
        return water_viscosity(temperature)
    return _positive("viscosity", viscosity, "Pa s", 1e6)


def water_viscosity(temperature: float) -> float:
    """Dynamic viscosity of liquid water [Pa s] at ``temperature`` [K] (Vogel-type correlation).

    Examples
    --------
    >>> round(water_viscosity(298.15) * 1e3, 3)  # IAPWS: 0.890 mPa s
    0.89
    """
    if not (isinstance(temperature, Real) and 250.0 <= temperature <= 650.0):
        raise InputError(
            f"temperature: {temperature} K is outside the liquid-water range 250-650 K"
        )
    return 2.414e-5 * 10.0 ** (247.8 / (temperature - 140.0))


def wilke_chang(
    molar_volume: float,
    temperature: float = 310.15,
    *,
    solvent_molar_mass: float = 18.015,
    association: float = 2.6,
    viscosity: float | None = None,
) -> float:
    """Diffusion coefficient of a dilute solute by Wilke–Chang [cm²/s].

    Parameters
    ----------
    molar_volume : float
        Solute molar volume at its normal boiling point (Le Bas) [cm³/mol].
    temperature : float
        Temperature [K].
    solvent_molar_mass : float
        Solvent molar mass [g/mol] (water by default).
    association : float
        Wilke–Chang association factor φ [-] (2.6 for water).
    viscosity : float, optional
        Solvent viscosity [Pa s]; water's at ``temperature`` by default.

    Examples
    --------
    >>> round(wilke_chang(324.7, 298.15) * 1e6, 1)  # sucrose; measured 5.23e-6 cm2/s
    5.3
    """
    molar_volume = _positive("molar_volume", molar_volume, "cm3/mol")
    temperature = _positive("temperature", temperature, "K", 1e4)
    solvent_molar_mass = _positive("solvent_molar_mass", solvent_molar_mass, "g/mol")
    association = _positive("association", association, "dimensionless")
    cite("Wilke1955", "Wilke & Chang, AIChE J. 1:264 (1955)")
    eta_cp = _viscosity(viscosity, temperature) * 1e3
    return (
        7.4e-8
        * math.sqrt(association * solvent_molar_mass)
        * temperature
        / (eta_cp * molar_volume**0.6)
    )


def hayduk_laudie(
    molar_volume: float, temperature: float = 310.15, *, viscosity: float | None = None
) -> float:
    """Diffusion coefficient of a dilute nonelectrolyte in water by Hayduk–Laudie [cm²/s].

    D = 13.26e-5 / (η^1.14 V^0.589), η the water viscosity in cP and V the solute's Le Bas molar
    volume (Hayduk & Laudie, AIChE J. 20:611, 1974). Fitted to water only: do not use it for
    other solvents.

    Parameters
    ----------
    molar_volume : float
        Solute molar volume at its normal boiling point (Le Bas) [cm³/mol].
    temperature : float
        Temperature [K]; used only to get water's viscosity when ``viscosity`` is not given.
    viscosity : float, optional
        Water viscosity [Pa s]; water's at ``temperature`` by default.

    Examples
    --------
    >>> round(hayduk_laudie(100.0, viscosity=1.0e-3) * 1e6, 2)  # 13.26e-5 / 100**0.589
    8.8
    """
    molar_volume = _positive("molar_volume", molar_volume, "cm3/mol")
    cite("Hayduk1974", "Hayduk & Laudie, AIChE J. 20:611 (1974)")
    eta_cp = _viscosity(viscosity, temperature) * 1e3
    return 13.26e-5 / (eta_cp**1.14 * molar_volume**0.589)


def stokes_einstein(
    radius_nm: float, temperature: float = 310.15, viscosity: float | None = None
) -> float:
    """Stokes–Einstein diffusion coefficient of a sphere [cm²/s].

    Parameters
    ----------
    radius_nm : float
        Hydrodynamic radius [nm].
    temperature : float
        Temperature [K].
    viscosity : float, optional
        Medium viscosity [Pa s]; water's at ``temperature`` by default.

    Examples
    --------
    >>> round(stokes_einstein(50.0, 298.15) * 1e8, 2)  # a 100 nm particle: ~4.9e-8 cm2/s
    4.91
    """
    radius_nm = _positive("radius_nm", radius_nm, "nm")
    temperature = _positive("temperature", temperature, "K", 1e4)
    eta = _viscosity(viscosity, temperature)
    d_m2 = BOLTZMANN * temperature / (6 * math.pi * eta * radius_nm * 1e-9)
    return d_m2 * 1e4


def molecular_radius_nm(molar_volume: float) -> float:
    """Radius of a sphere holding one molecule of molar volume ``molar_volume`` [cm³/mol] [nm]."""
    v_m3 = molar_volume * 1e-6 / AVOGADRO
    return (3 * v_m3 / (4 * math.pi)) ** (1 / 3) * 1e9


def free_volume_diffusivity(
    d_water: float,
    glass_transition: float,
    temperature: float = 310.15,
    *,
    fujita_b: float = 0.5,
    fractional_free_volume_glass: float = 0.025,
    free_volume_expansion: float = 4.8e-4,
) -> float:
    """Indicative drug diffusivity in a polymer matrix by the Fujita free-volume model [cm²/s].

    D_p = D_w exp(−B_d / f), f = f_g + α_f (T − T_g) (clipped at f_g below T_g: the glass keeps its
    free volume frozen in).

    Parameters
    ----------
    d_water : float
        Drug diffusivity in water at ``temperature`` [cm²/s] (the pre-factor).
    glass_transition : float
        Polymer glass transition temperature [K] (lower it for water plasticisation).
    temperature : float
        Temperature [K].
    fujita_b : float
        Fujita B_d [-] (guess, see :data:`FREE_VOLUME_PARAMETERS`).
    fractional_free_volume_glass : float
        f_g [-].
    free_volume_expansion : float
        α_f [1/K].

    Examples
    --------
    >>> d = free_volume_diffusivity(6e-6, 318.15, 310.15)  # drug in glassy PLGA
    >>> 1e-16 < d < 1e-12
    True
    """
    d_water = _positive("d_water", d_water, "cm2/s")
    glass_transition = _positive("glass_transition", glass_transition, "K", 1e4)
    temperature = _positive("temperature", temperature, "K", 1e4)
    fv = {p.name: p for p in FREE_VOLUME_PARAMETERS}
    fujita_b = fv["fujita_b"].check(fujita_b)
    fractional_free_volume_glass = fv["fractional_free_volume_glass"].check(
        fractional_free_volume_glass
    )
    free_volume_expansion = fv["free_volume_expansion"].check(free_volume_expansion)
    if fractional_free_volume_glass == 0 and temperature <= glass_transition:
        raise ParameterError(
            "fractional_free_volume_glass: must be > 0 at or below the glass transition "
            "(no free volume, no diffusion)"
        )
    cite("Fujita1961", "Fujita, Fortschr. Hochpolym.-Forsch. 3:1 (1961)")
    cite("Williams1955", "Williams, Landel & Ferry, J. Am. Chem. Soc. 77:3701 (1955)")
    f = fractional_free_volume_glass + free_volume_expansion * max(
        temperature - glass_transition, 0.0
    )
    return d_water * math.exp(-fujita_b / f)
