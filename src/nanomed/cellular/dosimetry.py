"""In-vitro dosimetry: how many particles reach cells at the bottom of a culture well, and when.

Model (ISDD type, Hinderliter et al., Part Fibre Toxicol 7:36, 2010; Distorted-Grid type bottom,
DeLoid et al., Part Fibre Toxicol 14:40, 2017). The particle concentration ``C(z, t)`` in a medium
column of height ``H`` (``z`` downwards from the free surface) obeys the Mason–Weaver equation
(Mason & Weaver, Phys Rev 23:412, 1924)::

    dC/dt = D d²C/dz² - v dC/dz,        no flux at z = 0,

with the Stokes settling velocity and the Stokes–Einstein diffusivity of a sphere of hydrodynamic
diameter ``d`` and effective (agglomerate) density ``rho_eff`` in a medium of density ``rho_m`` and
viscosity ``mu`` at temperature ``T``::

    v = (rho_eff - rho_m) g d² / (18 mu)          D = k_B T / (3 pi mu d).

The bottom (the cell layer) is either a perfect sink, ``C(H, t) = 0`` (ISDD), or a reversible
Langmuir-type binding surface (DG)::

    dB/dt = k_a C(H) (1 - B / B_max) - k_d B,     no free-particle flux through the wall.

Numerics: a finite-volume method of lines (upwind settling flux, central diffusive flux, the wall
value of the sink reached over half a cell) stacked over all particle types, so that the whole
batch is one ODE system with a tridiagonal Jacobian, solved by scipy's BDF with a sparse Jacobian.
The delivered amount is integrated as an extra state from the bottom flux, so that mass balance is
a check and not an identity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.integrate import BDF, solve_ivp
from scipy.linalg.lapack import dgttrf, dgttrs

from nanomed.core.checks import as_numbers, number_fields
from nanomed.core.citations import cite
from nanomed.core.errors import InputError, SolverError
from nanomed.core.parameter import Parameter
from nanomed.core.results import Result

__all__ = [
    "MEDIUM_PARAMETERS",
    "DosimetryResult",
    "Medium",
    "ParticleType",
    "PerfectSink",
    "ReversibleBinding",
    "TridiagonalBDF",
    "fit_deposition_rate",
    "settling_velocity",
    "simulate_dosimetry",
    "stokes_einstein_diffusivity",
]

G = 9.80665  # standard gravity [m/s²]
K_B = 1.380649e-23  # Boltzmann constant [J/K] (exact, SI 2019)

#: defaults of the culture medium, with their sources
MEDIUM_PARAMETERS = (
    Parameter(
        "density",
        1.0,
        "g/cm**3",
        (0.5, 2.0),
        ref="water 0.993 g/cm³ at 37 °C (CRC Handbook); serum-containing media are within 1 %",
        guess=True,
        description="density of the culture medium",
    ),
    Parameter(
        "viscosity",
        0.74,
        "mPa*s",
        (0.1, 100.0),
        ref="water 0.69 mPa s at 37 °C (CRC Handbook); media with 10 % serum are a few % higher",
        guess=True,
        description="dynamic viscosity of the culture medium",
    ),
    Parameter(
        "temperature",
        37.0,
        "degC",
        (0.0, 60.0),
        ref="standard incubator temperature",
        description="temperature of the culture",
    ),
)


@dataclass(frozen=True)
class Medium:
    """The culture medium.

    Parameters
    ----------
    density_g_cm3 : float
        Medium density [g/cm³].
    viscosity_mPa_s : float
        Dynamic viscosity [mPa·s].
    temperature_C : float
        Temperature [°C].
    name : str
        Label.
    """

    density_g_cm3: float = 1.0
    viscosity_mPa_s: float = 0.74
    temperature_C: float = 37.0
    name: str = "culture medium"

    def __post_init__(self) -> None:
        number_fields(self)
        for p, val in zip(
            MEDIUM_PARAMETERS,
            (self.density_g_cm3, self.viscosity_mPa_s, self.temperature_C),
            strict=True,
        ):
            lo, hi = p.bounds
            if not (math.isfinite(val) and lo <= val <= hi):
                raise InputError(f"medium {p.name} {val!r} {p.unit} outside {lo:g}-{hi:g}")


@dataclass(frozen=True)
class ParticleType:
    """One particle (or agglomerate) population in the well.

    Parameters
    ----------
    name : str
        Label of the population.
    diameter_nm : float
        Hydrodynamic diameter [nm] (of the agglomerate for agglomerated materials).
    effective_density_g_cm3 : float
        Effective density of the particle or agglomerate in the medium [g/cm³] (e.g. measured by
        volumetric centrifugation, see :mod:`nanomed.cellular.agglomerate`).
    material_density_g_cm3 : float, optional
        Density of the solid material [g/cm³]; used to count the solid mass of one agglomerate.
        Defaults to the effective density (a compact particle).
    primary_diameter_nm : float, optional
        Primary-particle diameter [nm]; when given, the delivered surface area is that of the
        primary particles (specific surface 6 / (rho d)), else the outer area of the particles.

    Examples
    --------
    >>> p = ParticleType("PS 100 nm", 100.0, 1.05)
    >>> round(settling_velocity(p, Medium()) * 1e4, 3)  # µm/h
    1.325
    """

    name: str
    diameter_nm: float
    effective_density_g_cm3: float
    material_density_g_cm3: float | None = None
    primary_diameter_nm: float | None = None

    def __post_init__(self) -> None:
        number_fields(self)
        if not (math.isfinite(self.diameter_nm) and 0.5 <= self.diameter_nm <= 1e5):
            raise InputError(
                f"particle {self.name!r}: diameter {self.diameter_nm!r} nm outside 0.5-100000 nm"
            )
        if not (math.isfinite(self.effective_density_g_cm3) and 0 < self.effective_density_g_cm3):
            raise InputError(
                f"particle {self.name!r}: effective density must be > 0 g/cm³, "
                f"got {self.effective_density_g_cm3!r}"
            )
        if self.material_density_g_cm3 is not None and not (
            self.material_density_g_cm3 >= self.effective_density_g_cm3
        ):
            raise InputError(
                f"particle {self.name!r}: material density {self.material_density_g_cm3!r} g/cm³ "
                "must be >= the effective density"
            )
        if self.primary_diameter_nm is not None and not (
            0.5 <= self.primary_diameter_nm <= self.diameter_nm
        ):
            raise InputError(
                f"particle {self.name!r}: primary diameter must lie in 0.5 nm - the hydrodynamic "
                f"diameter, got {self.primary_diameter_nm!r}"
            )

    @classmethod
    def from_carrier(cls, carrier: object, name: str = "carrier") -> ParticleType:
        """A compact (non-agglomerated) particle from a :class:`nanomed.schema.Carrier`."""
        d = float(carrier.hydrodynamic_diameter)  # type: ignore[attr-defined]
        rho = float(carrier.density)  # type: ignore[attr-defined]
        core = getattr(carrier, "core_diameter", None)
        return cls(name, d, rho, rho, None if core is None else float(core))

    def solid_mass_g(self, medium: Medium) -> float:
        """Mass of solid material in one particle or agglomerate [g]."""
        vol_cm3 = math.pi / 6 * (self.diameter_nm * 1e-7) ** 3
        rho_s = self.material_density_g_cm3 or self.effective_density_g_cm3
        if rho_s == self.effective_density_g_cm3 or rho_s <= medium.density_g_cm3:
            return self.effective_density_g_cm3 * vol_cm3
        # solid volume fraction of an agglomerate: rho_eff = phi rho_s + (1 - phi) rho_m
        phi = (self.effective_density_g_cm3 - medium.density_g_cm3) / (rho_s - medium.density_g_cm3)
        return max(phi, 0.0) * rho_s * vol_cm3

    def surface_cm2_per_g(self, medium: Medium) -> float:
        """Surface area carried per gram of solid [cm²/g]."""
        if self.primary_diameter_nm is not None:
            rho_s = self.material_density_g_cm3 or self.effective_density_g_cm3
            return 6.0 / (rho_s * self.primary_diameter_nm * 1e-7)
        return math.pi * (self.diameter_nm * 1e-7) ** 2 / self.solid_mass_g(medium)


def settling_velocity(particle: ParticleType, medium: Medium) -> float:
    """Stokes settling velocity [cm/h], positive downwards.

    ``v = (rho_eff - rho_m) g d² / (18 mu)`` (Stokes' law; as used by ISDD, Hinderliter 2010).
    """
    d = particle.diameter_nm * 1e-9
    drho = (particle.effective_density_g_cm3 - medium.density_g_cm3) * 1e3  # kg/m³
    v = drho * G * d * d / (18.0 * medium.viscosity_mPa_s * 1e-3)  # m/s
    return v * 100.0 * 3600.0


def stokes_einstein_diffusivity(particle: ParticleType, medium: Medium) -> float:
    """Stokes–Einstein diffusivity ``D = k_B T / (3 pi mu d)`` [cm²/h]."""
    d = particle.diameter_nm * 1e-9
    temp = medium.temperature_C + 273.15
    dif = K_B * temp / (3.0 * math.pi * medium.viscosity_mPa_s * 1e-3 * d)  # m²/s
    return dif * 1e4 * 3600.0


@dataclass(frozen=True)
class PerfectSink:
    """Bottom boundary of ISDD: every particle reaching the cells stays there (C = 0 at the wall).

    Method: the perfect-sink boundary of the ISDD model (Hinderliter et al., Part Fibre Toxicol
    7:36, 2010).
    """


@dataclass(frozen=True)
class ReversibleBinding:
    """Langmuir-type reversible binding at the bottom (Distorted-Grid model, DeLoid et al. 2017).

    ``dB/dt = k_a C_bottom (1 - B/B_max) - k_d B``.

    Parameters
    ----------
    adsorption_cm_h : float
        Adsorption velocity ``k_a`` [cm/h] (large values approach the perfect sink).
    desorption_per_h : float
        Desorption rate constant ``k_d`` [1/h].
    capacity_fraction : float, optional
        Binding capacity ``B_max`` as a fraction of the administered dose [-]; None = unlimited.
    """

    adsorption_cm_h: float
    desorption_per_h: float = 0.0
    capacity_fraction: float | None = None

    def __post_init__(self) -> None:
        number_fields(self)
        if not (math.isfinite(self.adsorption_cm_h) and self.adsorption_cm_h >= 0):
            raise InputError(
                f"bottom adsorption rate must be >= 0 cm/h, got {self.adsorption_cm_h!r}"
            )
        if not (math.isfinite(self.desorption_per_h) and self.desorption_per_h >= 0):
            raise InputError(
                f"bottom desorption rate must be >= 0 1/h, got {self.desorption_per_h!r}"
            )
        if self.capacity_fraction is not None and not self.capacity_fraction > 0:
            raise InputError(f"bottom capacity must be > 0, got {self.capacity_fraction!r}")


@dataclass
class DosimetryResult(Result):
    """Delivered dose over time for each particle type.

    Attributes
    ----------
    times_h : ndarray, shape (T,)
        Output times [h].
    fraction : ndarray, shape (K, T)
        Fraction of the administered particles delivered to (bound at) the bottom [-].
    particles : list of ParticleType
    velocity_cm_h, diffusivity_cm2_h : ndarray, shape (K,)
        Settling velocity [cm/h] and diffusivity [cm²/h].
    alpha_per_h, t90_h : ndarray, shape (K,)
        Fitted ``1 - exp(-alpha t)`` constant [1/h] and ``t90 = ln(10)/alpha`` [h].
    mass_balance_error : float
        Largest ``|suspended + delivered - 1|`` over particles and times [-].
    """

    data: pd.DataFrame = field(repr=False)
    metadata: dict = field(default_factory=dict, repr=False)
    times_h: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fraction: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    particles: list[ParticleType] = field(default_factory=list)
    velocity_cm_h: np.ndarray = field(default_factory=lambda: np.zeros(0))
    diffusivity_cm2_h: np.ndarray = field(default_factory=lambda: np.zeros(0))
    alpha_per_h: np.ndarray = field(default_factory=lambda: np.zeros(0))
    t90_h: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mass_balance_error: float = 0.0
    profiles: np.ndarray | None = field(default=None, repr=False)

    x_column = "time_h"

    def summary(self) -> pd.DataFrame:
        """One row per particle type: inputs, transport coefficients, final dose, alpha, t90."""
        return pd.DataFrame(
            {
                "particle": [p.name for p in self.particles],
                "diameter_nm": [p.diameter_nm for p in self.particles],
                "effective_density_g_cm3": [p.effective_density_g_cm3 for p in self.particles],
                "velocity_cm_h": self.velocity_cm_h,
                "diffusivity_cm2_h": self.diffusivity_cm2_h,
                "fraction_delivered_end": self.fraction[:, -1],
                "alpha_per_h": self.alpha_per_h,
                "t90_h": self.t90_h,
            }
        )

    def plot(self, ax: object = None, **kwargs: object) -> object:
        """Delivered fraction against time, one line per particle type (first 20)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        for p, f in list(zip(self.particles, self.fraction, strict=True))[:20]:
            ax.plot(self.times_h, f, label=p.name, **kwargs)  # type: ignore[union-attr]
        ax.set_xlabel("time [h]")  # type: ignore[union-attr]
        ax.set_ylabel("fraction delivered [-]")  # type: ignore[union-attr]
        ax.legend(fontsize="small")  # type: ignore[union-attr]
        return ax


def _tridiagonal(
    v: np.ndarray, dif: np.ndarray, height: float, n: int, bottom: PerfectSink | ReversibleBinding
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower, main and upper diagonals (shape (K, n+1)) of the linear part of the stacked system.

    Per type the states are ``c_0 .. c_{n-1}`` (C/C0 in each cell, top to bottom) and ``delta``
    (fraction delivered). ``lower[k, i]`` multiplies state ``i-1`` in row ``i``, ``upper[k, i]``
    state ``i+1``.
    """
    k = v.size
    dz = height / n
    a = (v + dif / dz)[:, None]  # downward flux coefficient of the upper cell (upwind + diffusion)
    b = (dif / dz)[:, None]  # upward diffusive coefficient of the lower cell
    lower = np.zeros((k, n + 1))
    main = np.zeros((k, n + 1))
    upper = np.zeros((k, n + 1))
    # interior faces i+1/2, i = 0 .. n-2: F = a c_i - b c_{i+1}
    main[:, : n - 1] -= a / dz
    upper[:, : n - 1] += b / dz
    main[:, 1:n] -= b / dz
    lower[:, 1:n] += a / dz
    if isinstance(bottom, PerfectSink):
        # wall at C = 0 half a cell below the last centre: F = (v + 2D/dz) c_{n-1}
        s = v + 2.0 * dif / dz
        main[:, n - 1] -= s / dz
        lower[:, n] = s / height
    else:
        ka, kd = bottom.adsorption_cm_h, bottom.desorption_per_h
        main[:, n - 1] -= ka / dz
        upper[:, n - 1] += kd * height / dz
        lower[:, n] = ka / height
        main[:, n] = -kd
    return lower, main, upper


def _stack(lower: np.ndarray, main: np.ndarray, upper: np.ndarray) -> sparse.csc_matrix:
    """One block-diagonal tridiagonal matrix for all types (no coupling between blocks)."""
    lo = lower.ravel()[1:]
    up = upper.ravel()[:-1]
    return sparse.diags([lo, main.ravel(), up], [-1, 0, 1], format="csc")


def _times(duration_h: float, times_h: Sequence[float] | None) -> np.ndarray:
    if times_h is None:
        return np.linspace(0.0, duration_h, 97)
    t = as_numbers(times_h, "times_h")
    if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)):
        raise InputError("times_h must be at least two increasing, finite times >= 0 h")
    if np.any(np.diff(t) <= 0) or t[0] < 0:
        raise InputError("times_h must be at least two increasing, finite times >= 0 h")
    return t


def simulate_dosimetry(
    particles: Sequence[ParticleType] | ParticleType,
    *,
    height_mm: float = 3.0,
    concentration_ug_mL: float = 50.0,
    duration_h: float = 24.0,
    medium: Medium | None = None,
    bottom: PerfectSink | ReversibleBinding | None = None,
    n_cells: int = 100,
    times_h: Sequence[float] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    keep_profiles: bool = False,
    batch_size: int = 32,
) -> DosimetryResult:
    """Solve the sedimentation–diffusion (Mason–Weaver) problem for many particle types at once.

    Parameters
    ----------
    particles : ParticleType or sequence of ParticleType
        The populations (each solved independently, all in one stacked ODE system).
    height_mm : float
        Height of the medium column [mm] (volume / well area; 3 mm ≈ 100 µL in a 96-well).
    concentration_ug_mL : float
        Administered mass concentration of each population [µg/mL].
    duration_h : float
        Exposure time [h] (ignored when ``times_h`` is given).
    medium : Medium, optional
        Culture medium (default :class:`Medium`, 37 °C).
    bottom : PerfectSink or ReversibleBinding, optional
        Bottom boundary (default perfect sink, as ISDD).
    n_cells : int
        Finite-volume cells over the height (>= 10).
    times_h : sequence of float, optional
        Output times [h] (default 97 points over ``duration_h``).
    rtol, atol : float
        BDF tolerances on the normalised concentrations.
    keep_profiles : bool
        Keep the concentration profiles (``profiles``, shape (K, n_cells, T)).
    batch_size : int
        Particle types per stacked BDF system. Types are sorted by their transport rate
        (v/H + D/H²) first, so that each batch shares time steps it needs anyway.

    Returns
    -------
    DosimetryResult
        Long table ``particle, time_h, fraction_delivered, mass_ug_cm2, number_per_cm2,
        surface_cm2_per_cm2`` plus arrays and the fitted alpha and t90.

    Raises
    ------
    InputError
        Zero or negative height, concentration or duration; particles lighter than the medium
        (they would float away from the cells).
    """
    medium = medium or Medium()
    bottom = bottom or PerfectSink()
    plist = [particles] if isinstance(particles, ParticleType) else list(particles)
    if not plist:
        raise InputError("no particle types given")
    # beyond 1 m of medium the squared height overflows the transport rates; no well is that tall
    if not (math.isfinite(height_mm) and 0 < height_mm <= 1e3):
        raise InputError(f"medium height must be > 0 and <= 1000 mm, got {height_mm!r}")
    # 1e6 µg/mL is 1 g/mL, as dense as the medium itself; beyond it outputs overflow to inf
    if not (math.isfinite(concentration_ug_mL) and 0 < concentration_ug_mL <= 1e6):
        raise InputError(
            f"concentration must be > 0 and <= 1e6 µg/mL (1 g/mL), got {concentration_ug_mL!r}"
        )
    if times_h is None and not (math.isfinite(duration_h) and duration_h > 0):
        raise InputError(f"duration must be > 0 h, got {duration_h!r}")
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise InputError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if not (isinstance(n_cells, int) and n_cells >= 10):
        raise InputError(f"n_cells must be an integer >= 10, got {n_cells!r}")
    # NaN, 0 or inf tolerances made the BDF solve loop for ever; negative ones failed in scipy
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not (isinstance(tol, Real) and 0 < tol < 1):
            raise InputError(f"{name} must be a number in (0, 1), got {tol!r}")
    for p in plist:
        if p.effective_density_g_cm3 < medium.density_g_cm3:
            raise InputError(
                f"particle {p.name!r}: effective density {p.effective_density_g_cm3:g} g/cm³ is "
                f"below the medium's {medium.density_g_cm3:g} g/cm³; it would float away from "
                "the cells (this model needs a density >= the medium's)"
            )
        rho_s = p.material_density_g_cm3 or p.effective_density_g_cm3
        if rho_s > p.effective_density_g_cm3 <= medium.density_g_cm3:
            # solid fraction (rho_eff - rho_m) / (rho_s - rho_m) = 0: no solid, so the number of
            # particles per delivered mass would be infinite
            raise InputError(
                f"particle {p.name!r}: an agglomerate of material density {rho_s:g} g/cm³ needs "
                f"an effective density above the medium's {medium.density_g_cm3:g} g/cm³, got "
                f"{p.effective_density_g_cm3:g} (it would hold no solid)"
            )
    cite(
        "Hinderliter2010",
        "Hinderliter P.M. et al., ISDD: a computational model of particle sedimentation, diffusion "
        "and target cell dosimetry for in vitro toxicity studies, Part Fibre Toxicol 7:36 (2010)",
    )
    if isinstance(bottom, ReversibleBinding):
        cite(
            "DeLoid2017",
            "DeLoid G.M. et al., Advanced computational modeling for in vitro nanomaterial "
            "dosimetry, Part Fibre Toxicol 14:40 (2017)",
        )

    t = _times(duration_h, times_h)
    height = height_mm / 10.0  # cm
    v = np.array([settling_velocity(p, medium) for p in plist])
    dif = np.array([stokes_einstein_diffusivity(p, medium) for p in plist])
    # types with similar settling rates need similar time steps: solve them together in batches
    frac = np.empty((v.size, t.size))
    profiles = np.empty((v.size, n_cells, t.size))
    order = np.argsort(v / height + dif / height**2, kind="stable")
    for start in range(0, v.size, batch_size):
        idx = order[start : start + batch_size]
        frac[idx], profiles[idx] = _solve(v[idx], dif[idx], height, n_cells, bottom, t, rtol, atol)

    # mass balance: what is still suspended plus what was delivered must be the dose
    suspended = profiles.mean(axis=1)
    balance = float(np.max(np.abs(suspended + frac - 1.0)))
    alpha = fit_deposition_rate(t, frac)
    mass_per_cm2 = concentration_ug_mL * height  # administered µg per cm² of well bottom
    mass = frac * mass_per_cm2
    per_particle_ug = np.array([p.solid_mass_g(medium) * 1e6 for p in plist])
    number = mass / per_particle_ug[:, None]
    area = mass * 1e-6 * np.array([p.surface_cm2_per_g(medium) for p in plist])[:, None]
    k, nt = frac.shape
    data = pd.DataFrame(
        {
            "particle": np.repeat([p.name for p in plist], nt),
            "time_h": np.tile(t, k),
            "fraction_delivered": frac.ravel(),
            "mass_ug_cm2": mass.ravel(),
            "number_per_cm2": number.ravel(),
            "surface_cm2_per_cm2": area.ravel(),
        }
    )
    meta = {
        "model": "sedimentation-diffusion (Mason-Weaver), ISDD-type"
        + (" with Langmuir bottom (DG-type)" if isinstance(bottom, ReversibleBinding) else ""),
        "height_mm": height_mm,
        "concentration_ug_mL": concentration_ug_mL,
        "medium": medium.__dict__,
        "n_cells": n_cells,
        "references": ["Hinderliter2010"]
        + (["DeLoid2017"] if isinstance(bottom, ReversibleBinding) else []),
    }
    return DosimetryResult(
        data=data,
        metadata=meta,
        times_h=t,
        fraction=frac,
        particles=plist,
        velocity_cm_h=v,
        diffusivity_cm2_h=dif,
        alpha_per_h=alpha,
        t90_h=np.where(alpha > 0, math.log(10.0) / np.maximum(alpha, 1e-300), np.inf),
        mass_balance_error=balance,
        profiles=profiles if keep_profiles else None,
    )


class TridiagonalBDF(BDF):
    """scipy's BDF whose Newton matrices are factored by LAPACK's tridiagonal LU (gttrf/gttrs).

    The stacked dosimetry system is block tridiagonal with no coupling between blocks, i.e. one
    tridiagonal matrix: O(N) factorisation instead of a general sparse LU. Use as
    ``solve_ivp(..., method=TridiagonalBDF, jac=<sparse tridiagonal matrix or callable>)``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)

        def lu(mat: sparse.spmatrix) -> tuple[np.ndarray, ...]:
            self.nlu += 1
            *factors, info = dgttrf(mat.diagonal(-1), mat.diagonal(0), mat.diagonal(1))
            if info != 0:
                raise SolverError(f"singular Newton matrix in the dosimetry solve (gttrf {info})")
            return tuple(factors)

        def solve_lu(factors: tuple[np.ndarray, ...], b: np.ndarray) -> np.ndarray:
            x, _ = dgttrs(*factors, b)
            return x

        self.lu = lu
        self.solve_lu = solve_lu


def _solve(
    v: np.ndarray,
    dif: np.ndarray,
    height: float,
    n: int,
    bottom: PerfectSink | ReversibleBinding,
    t: np.ndarray,
    rtol: float,
    atol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Integrate the stacked system; return delivered fractions (K, T) and profiles (K, n, T)."""
    k = v.size
    lower, main, upper = _tridiagonal(v, dif, height, n, bottom)
    lin = _stack(lower, main, upper)
    y0 = np.tile(np.r_[np.ones(n), 0.0], k)
    cap = getattr(bottom, "capacity_fraction", None)
    if cap is None:
        fun = lambda _t, y: lin @ y  # noqa: E731 - linear problem, constant Jacobian
        jac: sparse.csc_matrix | object = lin
    else:
        ka, dz = bottom.adsorption_cm_h, height / n  # type: ignore[union-attr]
        i_c = np.arange(k) * (n + 1) + n - 1  # index of the bottom cell of each type
        i_b = i_c + 1  # index of the bound state

        def fun(_t: float, y: np.ndarray) -> np.ndarray:
            out = lin @ y
            sat = ka * y[i_c] * y[i_b] / cap  # Langmuir site occupancy correction
            out[i_c] += sat / dz
            out[i_b] -= sat / height
            return out

        def jac(_t: float, y: np.ndarray) -> sparse.csc_matrix:
            lo, ma, up = lower.copy(), main.copy(), upper.copy()
            c, b = y[i_c], y[i_b]
            ma[:, n - 1] += ka * b / cap / dz
            up[:, n - 1] += ka * c / cap / dz
            lo[:, n] -= ka * b / cap / height
            ma[:, n] -= ka * c / cap / height
            return _stack(lo, ma, up)

    sol = solve_ivp(
        fun, (t[0], t[-1]), y0, method=TridiagonalBDF, t_eval=t, jac=jac, rtol=rtol, atol=atol
    )
    if not sol.success:
        raise SolverError(f"dosimetry solve failed: {sol.message}")
    y = sol.y.reshape(k, n + 1, t.size)
    return y[:, n, :], y[:, :n, :]


def fit_deposition_rate(t: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """Least-squares ``alpha`` [1/h] of ``fraction ≈ 1 - exp(-alpha t)`` for each row.

    This is the "relevant in-vitro dose" function of Cohen, Teeguarden & Demokritou, Part Fibre
    Toxicol 11:20 (2014); ``t90 = ln(10) / alpha``. All rows are fitted in one sparse
    :func:`scipy.optimize.least_squares` call.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Times [h].
    fraction : ndarray, shape (K, T) or (T,)
        Delivered fractions [-].

    Returns
    -------
    ndarray, shape (K,)
        Fitted alpha [1/h] (0 where nothing is delivered).
    """
    from scipy.optimize import least_squares

    f = np.atleast_2d(as_numbers(fraction, "fraction"))
    t = as_numbers(t, "t")
    if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise InputError("t must be at least two increasing, finite times [h]")
    if t[0] < 0 or t[-1] <= 0:
        raise InputError(f"t must be >= 0 h and end after 0 h, got {t[0]:g} to {t[-1]:g}")
    if f.ndim != 2 or f.shape[1] != t.size:
        raise InputError(
            f"fraction must have shape (K, {t.size}) or ({t.size},) to match t, got {f.shape}"
        )
    if not np.all(np.isfinite(f)):
        raise InputError("fraction must be finite (no NaN or inf)")
    k, nt = f.shape
    # start from the last point: alpha0 = -ln(1 - f_end) / t_end
    f_end = np.clip(f[:, -1], 1e-12, 1 - 1e-9)
    x0 = np.log(-np.log1p(-f_end) / t[-1])
    rows = np.arange(k * nt)
    cols = np.repeat(np.arange(k), nt)

    def resid(x: np.ndarray) -> np.ndarray:
        a = np.exp(x)[:, None]
        return (1.0 - np.exp(-a * t) - f).ravel()

    def jac(x: np.ndarray) -> sparse.csr_matrix | np.ndarray:
        a = np.exp(x)[:, None]
        d = (a * t * np.exp(-a * t)).ravel()  # d model / d log(alpha)
        if k == 1:  # the sparse trust-region solver needs at least two unknowns
            return d[:, None]
        return sparse.csr_matrix((d, (rows, cols)), shape=(k * nt, k))

    solver = "exact" if k == 1 else "lsmr"
    sol = least_squares(resid, x0, jac=jac, method="trf", tr_solver=solver, x_scale="jac")
    alpha = np.exp(sol.x)
    return np.where(f[:, -1] > 1e-12, alpha, 0.0)
