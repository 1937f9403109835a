"""Release from a matrix holding drug dispersed above its solubility (Higuchi).

A planar matrix loaded with A (drug per matrix volume) of a drug whose solubility in the matrix
is C_s ≤ A releases, while the dissolution front is near the surface (pseudo-steady state),

    Q = √(D C_s (2A − C_s) t)     (amount per exposed area; Higuchi, J Pharm Sci 50:874, 1961)

so that the fraction of the load released by a device of surface S and volume V is

    F = (S/V) √(D C_s (2A − C_s) t) / A.

Valid while F ≲ 0.6 and for geometries whose length scale V/S is large against the depleted
layer (Siepmann & Siepmann, J Control Release 161:351, 2012). At A = C_s (all drug dissolved)
the expression is (S/V)√(D t), √π/2 ≈ 0.886 of the exact early-time Fickian release of a sheet,
(2/√π)(S/V)√(D t) (Crank, *The Mathematics of Diffusion*, 2nd ed. 1975, eq. 4.20): Higuchi's
pseudo-steady state under-predicts by at most 11.3 %, reached as A → C_s (Paul & McSpadden,
J Membr Sci 1:33, 1976). For C_s > A the drug is dissolved from the start and C_s is replaced
by A, which keeps that limit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nanomed.core.errors import InputError

__all__ = ["higuchi_clock", "higuchi_fraction"]

HIGUCHI = "Higuchi, J Pharm Sci 50:874 (1961)"


def _checked(name: str, value: ArrayLike, positive: bool) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    ok = np.isfinite(v) & ((v > 0) if positive else (v >= 0))
    if not ok.all():
        rule = "> 0" if positive else ">= 0"
        raise InputError(f"{name} must be finite and {rule}, got {v[~ok].flat[0]:g}")
    return v


def higuchi_clock(
    t: ArrayLike, surface_to_volume: ArrayLike, solubility: ArrayLike, loading: ArrayLike
) -> np.ndarray:
    """Higuchi's released fraction per √D: (S/V) √(C_s (2A − C_s) t) / A, with C_s ≤ A.

    The diffusivity of a drug in a matrix is rarely known; this is the clock on which devices of
    one matrix release alike, in [1/length × √time] of the inputs (F = √D × clock).

    Parameters
    ----------
    t : array_like
        Time [any unit; the clock carries √ of it], >= 0.
    surface_to_volume : array_like
        Device surface-to-volume ratio S/V [1/length], > 0.
    solubility : array_like
        Drug solubility C_s in the matrix (or in the release medium filling its pores)
        [mass/volume], > 0.
    loading : array_like
        Drug load A per device volume [same unit as ``solubility``], > 0.

    Examples
    --------
    >>> float(higuchi_clock(4.0, 3.0, 1.0, 1.0))  # A = C_s: (S/V)·√t
    6.0
    """
    t = _checked("t", t, positive=False)
    sv = _checked("surface_to_volume", surface_to_volume, positive=True)
    cs = _checked("solubility", solubility, positive=True)
    a = _checked("loading", loading, positive=True)
    cs = np.minimum(cs, a)
    return sv * np.sqrt(cs * (2 * a - cs) * t) / a


def higuchi_fraction(
    t: ArrayLike,
    surface_to_volume: ArrayLike,
    solubility: ArrayLike,
    loading: ArrayLike,
    diffusivity: ArrayLike,
) -> np.ndarray:
    """Fraction released by Higuchi's law, √D × :func:`higuchi_clock`, capped at 1.

    ``diffusivity`` D [length²/time of the other inputs], > 0. Valid while F ≲ 0.6.
    """
    d = _checked("diffusivity", diffusivity, positive=True)
    return np.minimum(np.sqrt(d) * higuchi_clock(t, surface_to_volume, solubility, loading), 1.0)
