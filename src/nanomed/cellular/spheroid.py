"""Penetration of nanoparticles into a tumour spheroid: diffusion with binding and uptake.

In a sphere of radius ``R_s`` bathed in medium at concentration ``c_b`` (normalised to 1), the free
particle concentration ``c``, bound particles ``b`` and internalised particles ``i`` obey::

    dc/dt = D (1/r²) d/dr (r² dc/dr) - k_on c (B_max - b) + k_off b
    db/dt = k_on c (B_max - b) - k_off b - k_int b
    di/dt = k_int b,            c(R_s) = c_b,  dc/dr(0) = 0.

High-affinity binding traps particles near the rim until the sites there are full: the
binding-site barrier (Weinstein & van Osdol, Cancer Res 52:2747s, 1992; Juweid et al., Cancer Res
52:5144, 1992). The diffusivity is Stokes–Einstein in the interstitial fluid times the Ogston
fibre-matrix hindrance ``exp(-sqrt(phi) (1 + r_p/r_f))`` (Ogston, Preston & Wells, Proc R Soc
Lond A 333:297, 1973), so larger particles penetrate less (Goodman, Olive & Pun, Int J
Nanomedicine 2:265, 2007: 20 nm but not 40 nm polystyrene particles entered spheroids). Finite volumes in spherical shells; scipy BDF with a banded Jacobian sparsity.
"""

from __future__ import annotations

import math
from dataclasses import replace
from numbers import Real

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.integrate import solve_ivp

from nanomed.cellular.dosimetry import K_B, MEDIUM_PARAMETERS
from nanomed.cellular.uptake import time_grid
from nanomed.core.citations import cite
from nanomed.core.errors import InputError, SolverError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.core.results import Result

__all__ = ["SPHEROID_PARAMETERS", "SpheroidResult", "hindered_diffusivity", "simulate_spheroid"]

SPHEROID_PARAMETERS = (
    Parameter(
        "radius",
        250.0,
        "um",
        (10, 5000),
        ref="spheroids for penetration studies are a few hundred µm across (Hirschhaeuser et al., "
        "J Biotechnol 148:3, 2010; Mehta et al., J Control Release 164:192, 2012); "
        "250 µm a nanomed choice",
        guess=True,
        description="spheroid radius R_s",
    ),
    Parameter(
        "fibre_volume_fraction",
        0.05,
        "dimensionless",
        (0, 0.9),
        ref="Ogston et al. 1973 model; tumour collagen fraction of a few % (guess)",
        guess=True,
        description="volume fraction of matrix fibres phi",
    ),
    Parameter(
        "fibre_radius",
        1.5,
        "nm",
        (0.1, 100),
        ref="collagen/GAG fibre radius ~1-2 nm (guess)",
        guess=True,
        description="matrix fibre radius r_f",
    ),
    Parameter(
        "binding_sites",
        20.0,
        "dimensionless",
        (0, 1e6),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(in units of the bath concentration)",
        guess=True,
        description="binding-site concentration B_max / c_b",
    ),
    Parameter(
        "k_on",
        1.0,
        "1/h",
        (0, 1e8),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(per unit bath concentration)",
        guess=True,
        description="association rate constant times c_b",
    ),
    Parameter(
        "k_off",
        0.1,
        "1/h",
        (0, 1e6),
        ref="nanomed choice (order of magnitude), no source; fit to data",
        guess=True,
        description="dissociation rate",
    ),
    Parameter(
        "k_int",
        0.05,
        "1/h",
        (0, 1e6),
        ref="nanomed choice (order of magnitude), no source; fit to data",
        guess=True,
        description="internalisation rate of bound particles",
    ),
)


_SPH = {p.name: p for p in SPHEROID_PARAMETERS}
_MED = {p.name: p for p in MEDIUM_PARAMETERS}
#: bounds of the arguments of :func:`hindered_diffusivity`, from the spheroid and medium parameters
_CHECKS = {
    "fibre_volume_fraction": _SPH["fibre_volume_fraction"],
    "fibre_radius_nm": replace(_SPH["fibre_radius"], name="fibre_radius_nm"),
    "viscosity_mPa_s": replace(_MED["viscosity"], name="viscosity_mPa_s"),
    "temperature_C": replace(_MED["temperature"], name="temperature_C"),
}


def hindered_diffusivity(
    diameter_nm: float,
    fibre_volume_fraction: float = 0.05,
    fibre_radius_nm: float = 1.5,
    viscosity_mPa_s: float = 0.69,
    temperature_C: float = 37.0,
) -> float:
    """Diffusivity of a sphere in a fibre matrix [µm²/h]: Stokes–Einstein x Ogston hindrance.

    Parameters
    ----------
    diameter_nm : float
        Particle diameter [nm].
    fibre_volume_fraction : float
        Fibre volume fraction phi [-].
    fibre_radius_nm : float
        Fibre radius [nm].
    viscosity_mPa_s : float
        Interstitial fluid viscosity [mPa·s] (water at 37 °C: 0.69).
    temperature_C : float
        Temperature [°C].

    Examples
    --------
    >>> hindered_diffusivity(20.0) > hindered_diffusivity(100.0)
    True
    """
    if not (isinstance(diameter_nm, Real) and 0.5 <= diameter_nm <= 1e5):
        raise InputError(f"diameter {diameter_nm!r} nm outside 0.5-100000 nm")
    # NaN gave NaN, a negative viscosity a negative diffusivity, zeros a ZeroDivisionError
    fibre_volume_fraction = _CHECKS["fibre_volume_fraction"].check(fibre_volume_fraction)
    fibre_radius_nm = _CHECKS["fibre_radius_nm"].check(fibre_radius_nm)
    viscosity_mPa_s = _CHECKS["viscosity_mPa_s"].check(viscosity_mPa_s)
    temperature_C = _CHECKS["temperature_C"].check(temperature_C)
    d0 = (
        K_B * (temperature_C + 273.15) / (3 * math.pi * viscosity_mPa_s * 1e-3 * diameter_nm * 1e-9)
    )
    rp = diameter_nm / 2.0
    hindrance = math.exp(-math.sqrt(fibre_volume_fraction) * (1.0 + rp / fibre_radius_nm))
    return d0 * 1e12 * 3600.0 * hindrance


class SpheroidResult(Result):
    """Radial profiles over time: ``time_h, r_um, free, bound, internalised, total``."""

    x_column = "r_um"

    def penetration_depth_um(self, time_h: float | None = None, level: float = 0.5) -> float:
        """Depth from the rim [µm] where the total particle content falls to ``level`` x rim value."""
        df = self.data
        tt = df["time_h"].max() if time_h is None else time_h
        if not (isinstance(level, Real) and 0 < level <= 1):
            raise InputError(f"level must be a fraction of the rim value in (0, 1], got {level!r}")
        if not isinstance(tt, Real):
            raise InputError(f"time_h must be a number [h], got {time_h!r}")
        sub = df[np.isclose(df["time_h"], tt)].sort_values("r_um", ascending=False, kind="stable")
        if sub.empty:
            raise InputError(f"no profile at t = {time_h} h")
        r = sub["r_um"].to_numpy()
        tot = sub["total"].to_numpy()
        target = level * tot[0]
        below = np.nonzero(tot < target)[0]
        radius = float(self.metadata["radius_um"])
        if below.size == 0:
            return radius
        j = below[0]
        # linear interpolation between the last shell above and the first below the level
        r_cross = np.interp(target, [tot[j], tot[j - 1]], [r[j], r[j - 1]])
        return radius - float(r_cross)


def simulate_spheroid(
    diameter_nm: float,
    times_h: object,
    *,
    n_shells: int = 60,
    diffusivity_um2_h: float | None = None,
    **values: float,
) -> SpheroidResult:
    """Solve the spheroid reaction–diffusion problem (module docstring).

    Parameters
    ----------
    diameter_nm : float
        Particle diameter [nm] (sets the hindered diffusivity unless given).
    times_h : array_like
        Output times [h], increasing, from 0.
    n_shells : int
        Number of spherical shells.
    diffusivity_um2_h : float, optional
        Override the diffusivity [µm²/h].
    **values : float
        Overrides of :data:`SPHEROID_PARAMETERS` (radius in µm, rates in 1/h).

    Returns
    -------
    SpheroidResult
    """
    cite("Juweid1992", "Juweid M. et al., Cancer Res 52:5144 (1992)")
    p = ParameterSet(SPHEROID_PARAMETERS).update(**values).values()
    t = time_grid(times_h)
    if not (isinstance(n_shells, int) and n_shells >= 5):
        raise InputError(f"n_shells must be an integer >= 5, got {n_shells!r}")
    dif = (
        hindered_diffusivity(diameter_nm, p["fibre_volume_fraction"], p["fibre_radius"])
        if diffusivity_um2_h is None
        # 1e12 µm²/h is ~3e4 cm²/s, far beyond any liquid; 1e300 made the Newton matrix singular
        else Parameter("diffusivity_um2_h", 0.0, "um**2/h", (0.0, 1e12)).check(diffusivity_um2_h)
    )
    if not (math.isfinite(dif) and dif >= 0):
        raise InputError(f"diffusivity must be >= 0 µm²/h, got {diffusivity_um2_h!r}")
    n, rs = n_shells, p["radius"]
    dr = rs / n
    faces = np.arange(n + 1) * dr
    vol = (faces[1:] ** 3 - faces[:-1] ** 3) / 3.0  # 4 pi / 3 cancels with the face areas
    area = faces**2  # /4 pi
    g = dif * area[1:n] / dr  # conductance between shells i and i+1
    g_out = dif * area[n] / (dr / 2.0)  # last shell to the bath (half a shell away)
    kon, koff, kint, bmax = p["k_on"], p["k_off"], p["k_int"], p["binding_sites"]

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        c, b = y[0::3], y[1::3]
        flux = np.zeros(n)
        f = g * (c[1:] - c[:-1])
        flux[:-1] += f
        flux[1:] -= f
        flux[-1] += g_out * (1.0 - c[-1])
        bind = kon * c * (bmax - b) - koff * b
        out = np.empty_like(y)
        out[0::3] = flux / vol - bind
        out[1::3] = bind - kint * b
        out[2::3] = kint * b
        return out

    # neighbouring shells couple c_i with c_{i±1}: bandwidth 3 in the interleaved ordering
    pattern = sparse.diags([1.0] * 7, range(-3, 4), shape=(3 * n, 3 * n), format="csc")
    sol = solve_ivp(
        rhs, (0.0, t[-1]), np.zeros(3 * n), method="BDF", t_eval=t, jac_sparsity=pattern,
        rtol=1e-6, atol=1e-9,
    )  # fmt: skip
    if not sol.success:
        raise SolverError(f"spheroid solve failed: {sol.message}")
    y = sol.y.reshape(n, 3, t.size)
    centres = 0.5 * (faces[1:] + faces[:-1])
    rows = []
    for j, tt in enumerate(t):
        rows.append(
            pd.DataFrame(
                {
                    "time_h": tt,
                    "r_um": centres,
                    "free": y[:, 0, j],
                    "bound": y[:, 1, j],
                    "internalised": y[:, 2, j],
                }
            )
        )
    df = pd.concat(rows, ignore_index=True)
    df["total"] = df["free"] + df["bound"] + df["internalised"]
    meta = {
        "model": "spheroid reaction-diffusion (binding-site barrier)",
        "diameter_nm": diameter_nm,
        "diffusivity_um2_h": dif,
        "radius_um": rs,
        "shell_volumes_rel": vol.tolist(),
        "parameters": p,
    }
    return SpheroidResult(df, meta)
