"""Release environments: the medium around a carrier (pH, temperature, proteins).

The organ and cellular scales ask a release model for its release in a named compartment
(``ENVIRONMENTS["lysosome"]``) or in any :class:`Environment`.

Compartment pH values: plasma 7.4; tumour interstitium ~6.8 (extracellular acidosis, Tannock & Rotin,
Cancer Res 49:4373, 1989; Gerweck & Seetharaman, Cancer Res 56:1194, 1996); early endosome ~6.0-6.5,
late endosome ~5.0-6.0, lysosome ~4.5-5.0 (Maxfield & Yamashiro, Adv Exp Med Biol 225:189, 1987;
Casey, Grinstein & Orlowski, Nat Rev Mol Cell Biol 11:50, 2010); cytosol ~7.2 (Casey et al. 2010).
Plasma protein ~70 g/L (albumin ~40 g/L; Geigy Scientific Tables, 8th ed.).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from nanomed.core.errors import InputError

__all__ = ["ENVIRONMENTS", "Environment", "get_environment"]


@dataclass(frozen=True)
class Environment:
    """The medium a carrier sits in.

    Parameters
    ----------
    name : str
        Label of the compartment or medium.
    ph : float
        pH [-], bounds 0-14.
    temperature_C : float
        Temperature [°C], bounds -20 to 100.
    protein_g_L : float
        Protein concentration [g/L] (0 for buffer, ~70 for plasma).
    """

    name: str = "buffer"
    ph: float = 7.4
    temperature_C: float = 37.0
    protein_g_L: float = 0.0

    def __post_init__(self) -> None:
        for label in ("ph", "temperature_C", "protein_g_L"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, Real):
                raise InputError(
                    f"environment {self.name!r}: {label} must be a number, got {value!r}"
                )
        if not math.isfinite(self.protein_g_L):
            raise InputError(f"environment {self.name!r}: protein_g_L must be finite")
        if not 0 <= self.ph <= 14:
            raise InputError(f"environment {self.name!r}: pH {self.ph} outside 0-14")
        if not -20 <= self.temperature_C <= 100:
            raise InputError(
                f"environment {self.name!r}: temperature {self.temperature_C} °C outside -20-100"
            )
        if self.protein_g_L < 0:
            raise InputError(f"environment {self.name!r}: protein_g_L must be >= 0")


#: Named physiological environments (sources in the module docstring).
ENVIRONMENTS: dict[str, Environment] = {
    "buffer": Environment("buffer", 7.4, 37.0, 0.0),
    "plasma": Environment("plasma", 7.4, 37.0, 70.0),
    "tissue": Environment("tissue", 7.4, 37.0, 20.0),
    "tumour_interstitium": Environment("tumour_interstitium", 6.8, 37.0, 20.0),
    "early_endosome": Environment("early_endosome", 6.2, 37.0, 0.0),
    "late_endosome": Environment("late_endosome", 5.5, 37.0, 0.0),
    "lysosome": Environment("lysosome", 4.8, 37.0, 0.0),
    "cytosol": Environment("cytosol", 7.2, 37.0, 0.0),
}


def get_environment(env: str | Environment | None) -> Environment:
    """Return an :class:`Environment` from a name, an instance or None (buffer)."""
    if env is None:
        return ENVIRONMENTS["buffer"]
    if isinstance(env, Environment):
        return env
    try:
        return ENVIRONMENTS[env]
    except KeyError:
        raise InputError(
            f"unknown environment {env!r} (known: {', '.join(ENVIRONMENTS)})"
        ) from None
