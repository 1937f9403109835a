"""Fickian diffusion out of a sphere (Crank), monodisperse or over a log-normal size population.

Dimensionless time τ = D t / a² (a: sphere radius). Fraction of the initial load released, F(τ):

* perfect sink, Crank (1975) eq. 6.20:  F = 1 - (6/π²) Σ_n exp(-n² π² τ) / n²;
  short-time form, eq. 6.21 without its erfc terms (< 1e-10 for τ < 0.05): F = 6 √(τ/π) - 3 τ.
* well-stirred finite volume, eq. 6.30: F = f_eq [1 - Σ_n 6 α (α+1) exp(-q_n² τ) / (9 + 9α + q_n² α²)],
  q_n the positive roots of tan q = 3 q / (3 + α q²) (eq. 6.31), α = V_medium / (K V_spheres) and
  f_eq = α / (1 + α) the fraction released at equilibrium.

J. Crank, *The Mathematics of Diffusion*, 2nd ed., Oxford 1975, §6.3.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from typing import ClassVar

import numpy as np

from nanomed.core.checks import as_integer, as_number, as_numbers
from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.core.units import convert
from nanomed.release.base import ReleaseModel, register_release_model
from nanomed.release.distribution import LogNormalSize
from nanomed.release.environment import Environment, get_environment
from nanomed.release.triggers import arrhenius_factor, protein_sink_factor

__all__ = [
    "FickianSphere",
    "finite_bath_roots",
    "sphere_fraction",
    "sphere_rate",
]

CRANK = (
    "Crank, The Mathematics of Diffusion, 2nd ed., Oxford University Press (1975), eqs. 6.20-6.31"
)
_TAU_SHORT = 0.05  # below it the two-term short-time form is exact to < 1e-10
_N_SINK = 10  # series terms for τ >= _TAU_SHORT: truncation error < exp(-11² π² 0.05) ~ 1e-26
_N_MAX = 4000  # most finite-volume terms; below τ = (2/_N_MAX)² the sink short-time form is used
_TAU_MIN_RATE = 1e-12  # the √τ law makes the rate infinite at τ = 0; it is evaluated here instead


@cache
def _seconds(unit: str) -> float:
    return convert(1.0, unit, "s")


@lru_cache(maxsize=256)
def finite_bath_roots(alpha: float, n: int) -> np.ndarray:
    """First ``n`` positive roots of tan q = 3q / (3 + α q²) (Crank 1975, eq. 6.31).

    The root q_k lies in (kπ, kπ + π/2); it is found by bisection on the pole-free form
    g(q) = (3 + α q²) sin q - 3 q cos q, all roots at once, to machine precision.

    Parameters
    ----------
    alpha : float
        Volume ratio α = V_medium / (K V_spheres) [-], > 0.
    n : int
        Number of roots.

    Returns
    -------
    ndarray
        Roots q_1 … q_n [-] (read-only, cached).
    """
    k = np.arange(1, n + 1, dtype=float)
    lo, hi = k * np.pi, k * np.pi + 0.5 * np.pi

    def g(q: np.ndarray) -> np.ndarray:
        return (3.0 + alpha * q * q) * np.sin(q) - 3.0 * q * np.cos(q)

    g_lo = g(lo)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        g_mid = g(mid)
        same = np.sign(g_mid) == np.sign(g_lo)
        lo = np.where(same, mid, lo)
        g_lo = np.where(same, g_mid, g_lo)
        hi = np.where(same, hi, mid)
    q = 0.5 * (lo + hi)
    q.setflags(write=False)
    return q


def _sink(tau: np.ndarray, rate: bool) -> np.ndarray:
    out = np.empty_like(tau)
    short = tau < _TAU_SHORT
    ts = tau[short]
    if rate:
        ts = np.maximum(ts, _TAU_MIN_RATE)
        out[short] = 3.0 / np.sqrt(np.pi * ts) - 3.0
    else:
        out[short] = 6.0 * np.sqrt(ts / np.pi) - 3.0 * ts
    tl = tau[~short]
    if tl.size:
        n2pi2 = (np.arange(1, _N_SINK + 1) * np.pi) ** 2
        e = np.exp(-np.minimum(np.outer(tl, n2pi2), 700.0))  # no subnormals (slow)
        out[~short] = (
            6.0 * e.sum(axis=1) if rate else 1.0 - (6.0 / np.pi**2) * (e @ (np.pi**2 / n2pi2))
        )
    return out


def _finite(tau: np.ndarray, alpha: float, rate: bool) -> np.ndarray:
    f_eq = alpha / (1.0 + alpha)
    tiny = tau < (2.0 / _N_MAX) ** 2
    out = np.empty_like(tau)
    # before the medium holds a noticeable amount it is a perfect sink: error O(F²/α)
    out[tiny] = _sink(tau[tiny], rate)
    big = tau[~tiny]
    if big.size:
        n = int(min(_N_MAX, max(50, math.ceil(2.0 / math.sqrt(big.min())) + 10)))
        q2 = finite_bath_roots(alpha, n) ** 2
        coef = 6.0 * alpha * (alpha + 1.0) / (9.0 + 9.0 * alpha + q2 * alpha * alpha)
        e = np.exp(-np.minimum(np.outer(big, q2), 700.0))
        out[~tiny] = f_eq * (e @ (coef * q2)) if rate else f_eq * (1.0 - e @ coef)
    return out


def sphere_fraction(tau: np.ndarray, alpha: float = math.inf) -> np.ndarray:
    """Fraction of the initial load released from a sphere at dimensionless time τ = D t / a².

    Parameters
    ----------
    tau : array
        Dimensionless time(s) τ [-], >= 0 (any shape).
    alpha : float
        Volume ratio α = V_medium / (K V_spheres) [-]; ``inf`` for a perfect sink.

    Returns
    -------
    ndarray
        Fraction released F(τ) [-], same shape as ``tau``.

    Examples
    --------
    >>> round(float(sphere_fraction(np.array(0.1))), 4)
    0.7705
    """
    tau = as_numbers(tau, "tau")
    if np.any(tau < 0) or np.any(np.isnan(tau)):
        raise InputError("tau: dimensionless times must be >= 0")
    alpha = float(as_numbers(alpha, "alpha"))  # inf allowed: a perfect sink
    if not alpha > 0:  # also NaN
        raise InputError(f"alpha: volume ratio must be > 0 (inf for a perfect sink), got {alpha!r}")
    flat = tau.ravel()
    out = _sink(flat, False) if math.isinf(alpha) else _finite(flat, alpha, False)
    return out.reshape(tau.shape)


def sphere_rate(tau: np.ndarray, alpha: float = math.inf) -> np.ndarray:
    """dF/dτ of :func:`sphere_fraction` [-] (evaluated at τ = 1e-12 where τ = 0)."""
    tau = np.asarray(tau, dtype=float)
    flat = tau.ravel()
    out = _sink(flat, True) if math.isinf(alpha) else _finite(flat, alpha, True)
    return out.reshape(tau.shape)


def medium_alpha(equilibrium_fraction: float, capacity_factor: float = 1.0) -> float:
    """Crank's α from the fraction released at equilibrium in buffer, scaled by the medium capacity.

    α = f_eq / (1 - f_eq) in buffer; proteins binding the drug multiply the capacity of the medium
    (:func:`~nanomed.release.triggers.protein_sink_factor`). ``inf`` for a perfect sink (f_eq = 1).
    """
    equilibrium_fraction = as_number(equilibrium_fraction, "equilibrium_fraction")
    capacity_factor = as_number(capacity_factor, "capacity_factor")
    if not 0.0 < equilibrium_fraction <= 1.0:
        raise InputError(f"equilibrium_fraction must lie in (0, 1], got {equilibrium_fraction!r}")
    if not capacity_factor > 0.0:
        raise InputError(f"capacity_factor must be > 0, got {capacity_factor!r}")
    if equilibrium_fraction >= 1.0:
        return math.inf
    return capacity_factor * equilibrium_fraction / (1.0 - equilibrium_fraction)


@lru_cache(maxsize=128)
def _size_nodes(
    radius_nm: float, pdi: float, mean_type: str, n: int
) -> tuple[np.ndarray, np.ndarray]:
    if pdi == 0.0:
        return np.array([radius_nm]), np.ones(1)
    dist = LogNormalSize.from_mean_pdi(2.0 * radius_nm, pdi, mean_type=mean_type)  # type: ignore[arg-type]
    d, w = dist.quadrature(n, weight_power=3.0)  # the load is carried in proportion to r³
    return 0.5 * d, w


@register_release_model
class FickianSphere(ReleaseModel):
    """Fickian diffusion out of spheres into a perfect sink or a well-stirred finite volume.

    Equations from Crank (1975), eqs. 6.20, 6.21, 6.30 and 6.31 (see the module docstring). An initial
    burst fraction b is released at once: f = b + (1 - b) F. A polydisperse population (log-normal,
    σ² = ln(1 + PDI); :mod:`nanomed.release.distribution`) releases the mass-weighted (r³) average of F
    over radii, by Gauss–Hermite quadrature. In a finite volume every size class is given the same
    α, exact at equilibrium and an approximation of the shared medium during the transient.

    Environment: D follows Arrhenius from 37 °C (``activation_energy``); proteins that bind the drug
    multiply the medium capacity, α → α (1 + K_b [protein]) (no effect in a perfect sink).

    Parameters
    ----------
    size_mean : {"z_average", "number", "volume"}
        Which mean diameter 2·``radius`` is when ``pdi`` > 0 (default: the DLS Z-average).
    n_nodes : int
        Quadrature nodes over the size distribution.
    time_unit : str
        Unit of ``t`` (default ``"h"``).
    **values : float
        Parameter values (see ``param_specs``).

    Examples
    --------
    >>> m = FickianSphere(diffusivity=1e-15, radius=50.0)
    >>> t = 0.1 * (50e-7) ** 2 / 1e-15 / 3600  # τ = 0.1, in hours
    >>> round(float(m.fraction_released(t)), 4)
    0.7705
    """

    name: ClassVar[str] = "fickian_sphere"
    reference: ClassVar[str] = CRANK
    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter("diffusivity", 1e-15, "cm**2/s", (0.0, None), ref="typical drug diffusivity "
                  "in a glassy polymer nanoparticle (1e-17-1e-13 cm²/s)", guess=True,
                  description="drug diffusion coefficient in the particle at 37 °C"),
        Parameter("radius", 50.0, "nm", (0.1, 1e6), ref="typical nanoparticle", guess=True,
                  description="particle radius (half the mean diameter when pdi > 0)"),
        Parameter("pdi", 0.0, "dimensionless", (0.0, 0.999), ref="ISO 22412:2017 (DLS cumulants)",
                  description="polydispersity index of the size distribution (0: monodisperse)"),
        Parameter("burst", 0.0, "dimensionless", (0.0, 1.0), ref="off by default (0 = no "
                  "burst); set from the measured early release of the formulation",
                  description="fraction released at once (surface-bound drug)"),
        Parameter("equilibrium_fraction", 1.0, "dimensionless", (1e-6, 1.0), ref=CRANK,
                  description="fraction released at equilibrium in buffer, α/(1+α) (1: perfect sink)"),
        Parameter("protein_binding", 0.0, "L/g", (0.0, None),
                  ref="off by default (0 = no binding); set from the drug's measured plasma "
                  "fraction unbound fu, K_b = (1/fu - 1)/[protein] "
                  "(triggers.binding_constant_from_fu)",
                  description="drug binding constant to medium proteins"),
        Parameter("activation_energy", 40.0, "kJ/mol", (0.0, 300.0),
                  ref="order of magnitude for small-molecule diffusion in polymers", guess=True,
                  description="activation energy of the diffusivity"),
    )  # fmt: skip

    def __init__(
        self,
        *,
        size_mean: str = "z_average",
        n_nodes: int = 32,
        time_unit: str | None = None,
        **values: float,
    ) -> None:
        super().__init__(time_unit=time_unit, **values)
        LogNormalSize.from_mean_pdi(1.0, 0.0, mean_type=size_mean)  # type: ignore[arg-type]
        self.size_mean = size_mean
        self.n_nodes = as_integer(n_nodes, "n_nodes", 1, 1000)
        cite("Crank1975", CRANK)

    def _setup(self, p: dict[str, float], env: Environment) -> tuple[np.ndarray, np.ndarray, float]:
        """Return per-node D/a² [1/time_unit], node weights and α in ``env``."""
        d_env = p["diffusivity"] * arrhenius_factor(env.temperature_C, p["activation_energy"])
        radii, weights = _size_nodes(p["radius"], p["pdi"], self.size_mean, self.n_nodes)
        rate = d_env * _seconds(self.time_unit) / (radii * 1e-7) ** 2
        cap = protein_sink_factor(env.protein_g_L, p["protein_binding"])
        return rate, weights, medium_alpha(p["equilibrium_fraction"], cap)

    def _fraction(self, t: np.ndarray, p: dict[str, float], env: Environment) -> np.ndarray:
        rate, w, alpha = self._setup(p, env)
        t1 = np.atleast_1d(t)
        f = w @ sphere_fraction(np.outer(rate, t1.ravel()), alpha)
        out = p["burst"] + (1.0 - p["burst"]) * f
        return out.reshape(np.shape(t))

    def release_rate(
        self, t: object, environment: str | Environment | None = None, *, dt: float | None = None
    ) -> np.ndarray:
        """Hazard rate f'/(1 - f) [1/``time_unit``] from the differentiated series (closed form).

        The burst leaves at t = 0 and does not enter the rate; at t = 0 the √t law is infinite and
        the rate is taken at τ = 1e-12.
        """
        t_arr = self._times(t)
        rate, w, alpha = self._setup(self.values, get_environment(environment))
        tau = np.outer(rate, np.atleast_1d(t_arr).ravel())
        num = (w * rate) @ sphere_rate(tau, alpha)
        remaining = 1.0 - w @ sphere_fraction(tau, alpha)
        h = np.where(remaining > 1e-12, num / np.maximum(remaining, 1e-12), 0.0)
        return h.reshape(t_arr.shape)
