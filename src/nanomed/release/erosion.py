"""PLGA: hydrolytic chain scission, erosion and drug diffusion coupled in a bulk-eroding sphere.

Equations (r in the sphere of fixed radius a, bulk erosion: the particle keeps its size):

* chain scission, pseudo-first order (Siepmann & Göpferich, Adv Drug Deliv Rev 48:229 (2001)):
  d ln Mw / dt = -k_loc,  k_loc = k_h·φ_pH·φ_T·(1 + γ ã); without autocatalysis Mw = Mw0 exp(-k t).
* autocatalysis (optional, γ > 0): acidic degradation products catalyse scission (rate ∝ [COOH],
  Antheunis et al., Macromolecules 42:2462 (2009)); they are produced where chains break and
  diffuse out, so they accumulate only in large particles (Siepmann, Elkharraz, Siepmann & Klose,
  Biomacromolecules 6:2312 (2005); reaction–diffusion form of Ford Versypt et al., PLoS One
  10:e0135506 (2015)): ∂ã/∂t = D_A ∇²ã + k_loc Mw/Mw0, ã(a) = 0, with ã the acid concentration
  normalised so that a closed particle holds ã = 1 - Mw/Mw0 (the acceleration is bounded by 1 + γ).
* drug diffusivity rising as chains shorten (Faisant, Siepmann & Benoit, Eur J Pharm Sci 15:355
  (2002)): D_poly = D0 exp(κ (Mw0 - Mw)/Mw0); below the erosion threshold Mw_e water-soluble
  oligomers leave and pores open: D = (1 - e) D_poly + e D_pore with the eroded fraction
  e = max(0, 1 - Mw/Mw_e) (this module's interpolation; Mw_e and D_pore are guesses).
* drug: ∂c/∂t = (1/r²) ∂/∂r (r² D ∂c/∂r), c(a) = 0 (perfect sink), dc/dr(0) = 0.

Without autocatalysis D depends on t only, and the substitution T(t) = ∫₀ᵗ D ds turns the problem
into Crank's constant-D sphere: f = F(T/a²) (:func:`nanomed.release.diffusion.sphere_fraction`),
with T in closed form through the exponential integral E1. With autocatalysis the equations are
solved by the method of lines (finite volumes in r, scipy ``solve_ivp`` BDF with a sparse Jacobian);
drug mass is conserved to solver round-off because the fluxes telescope.

Environment: k_h rises at low pH (acid catalysis, :func:`~nanomed.release.triggers.polyester_hydrolysis_ph_factor`)
and with temperature (Arrhenius); diffusivities follow Arrhenius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

import numpy as np
from scipy.integrate import solve_ivp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.special import exp1

from nanomed.core.checks import as_integer
from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ModelError, SolverError
from nanomed.core.parameter import Parameter
from nanomed.core.units import convert
from nanomed.materials import get_material
from nanomed.release.base import ReleaseModel, register_release_model
from nanomed.release.diffusion import sphere_fraction, sphere_rate
from nanomed.release.environment import Environment, get_environment
from nanomed.release.triggers import arrhenius_factor, polyester_hydrolysis_ph_factor

__all__ = ["ErosionProfiles", "PLGAErosion", "hydrolysis_rate_from_la_ga"]

FAISANT = "Faisant, Siepmann & Benoit, Eur J Pharm Sci 15:355 (2002)"
SIEPMANN2005 = "Siepmann, Elkharraz, Siepmann & Klose, Biomacromolecules 6:2312 (2005)"
_PLGA = get_material("PLGA").properties["hydrolysis_rate_1_per_day"]

# Degradation times of PLGA by lactide fraction (Middleton & Tipton, Biomaterials 21:2335 (2000),
# Table 1; Makadia & Siegel, Polymers 3:1377 (2011)): 50:50 1-2 months, 65:35 3-4, 75:25 4-5,
# 85:15 5-6, PDLLA 12-16 months. Rates scale as 1/time, anchored at 50:50 on the materials library.
_LA_FRACTION = np.array([0.50, 0.65, 0.75, 0.85, 1.00])
_DEGRADATION_MONTHS = np.array([1.5, 3.5, 4.5, 5.5, 14.0])


def hydrolysis_rate_from_la_ga(la_ga_ratio: float) -> float:
    """First-order chain-scission rate k_h [1/h] of PLGA at pH 7.4, 37 °C, from its LA:GA ratio.

    k_h(50:50) is the materials library value; other ratios scale it by the inverse of the
    degradation times tabulated by Middleton & Tipton (2000), log-linearly interpolated in the
    lactide fraction. Glycolide-richer than 50:50 is not covered (its degradation is not monotone).
    An order-of-magnitude estimate (guess).

    Parameters
    ----------
    la_ga_ratio : float
        Lactide:glycolide molar ratio [-] (1.0 for 50:50, 3.0 for 75:25), >= 1.

    Returns
    -------
    float
        k_h [1/h].

    Examples
    --------
    >>> hydrolysis_rate_from_la_ga(1.0) > hydrolysis_rate_from_la_ga(3.0)
    True
    """
    if not (isinstance(la_ga_ratio, int | float) and la_ga_ratio >= 1.0 - 1e-9):
        raise InputError(f"la_ga_ratio: {la_ga_ratio!r} must be >= 1 (50:50 or richer in lactide)")
    la = 1.0 if math.isinf(la_ga_ratio) else la_ga_ratio / (1.0 + la_ga_ratio)
    months = math.exp(float(np.interp(la, _LA_FRACTION, np.log(_DEGRADATION_MONTHS))))
    return float(_PLGA.value / 24.0 * _DEGRADATION_MONTHS[0] / months)


@cache
def _seconds(unit: str) -> float:
    return convert(1.0, unit, "s")


@dataclass(frozen=True)
class ErosionProfiles:
    """Method-of-lines solution: times [time_unit], radial cell centres [-, r/a] and fields."""

    t: np.ndarray
    r: np.ndarray
    released: np.ndarray  # fraction of the diffusible load that left through the surface [-]
    remaining: np.ndarray  # fraction still in the particle [-]
    mw_ratio: np.ndarray  # Mw/Mw0 per cell and time [-], shape (n_cells, n_t)
    acid: np.ndarray  # normalised acid concentration per cell and time [-]


@register_release_model
class PLGAErosion(ReleaseModel):
    """Drug release from a bulk-eroding PLGA sphere: hydrolysis, optional autocatalysis, erosion.

    Equations: Siepmann & Göpferich, Adv Drug Deliv Rev 48:229 (2001) (scission); Faisant,
    Siepmann & Benoit, Eur J Pharm Sci 15:355 (2002) (D(Mw)); Siepmann et al., Biomacromolecules
    6:2312 (2005) and Ford Versypt et al., PLoS One 10:e0135506 (2015) (autocatalysis); Crank
    (1975) (sphere); the eroded-fraction interpolation of D is nanomed's. Details in the module
    docstring. ``method="auto"`` uses the exact time
    transformation of Crank's series when γ = 0 and the method of lines otherwise.

    Parameters
    ----------
    method : {"auto", "analytic", "mol"}
        Solution method ("analytic" requires ``autocatalysis = 0``).
    n_shells : int
        Radial finite volumes of the method of lines (cosine-spaced, finer at the surface).
    time_unit : str
        Unit of ``t`` (default ``"h"``).
    **values : float
        Parameter values (see ``param_specs``).

    Examples
    --------
    >>> m = PLGAErosion()
    >>> f = m.fraction_released([24.0, 240.0])
    >>> bool(f[1] > f[0] > 0)
    True
    """

    name: ClassVar[str] = "plga_erosion"
    reference: ClassVar[str] = f"{FAISANT}; {SIEPMANN2005}"
    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter("diffusivity", 1e-18, "cm**2/s", (0.0, None), ref="drug diffusivity in intact "
                  "PLGA nanoparticles releasing over weeks (a²/(π² D0) ~ 2 months at a = 75 nm)",
                  guess=True,
                  description="drug diffusivity D0 in the intact polymer at 37 °C"),
        Parameter("radius", 75.0, "nm", (0.1, 1e6), ref="typical PLGA nanoparticle", guess=True,
                  description="particle radius"),
        Parameter("hydrolysis_rate", _PLGA.value / 24.0, "1/h", (0.0, None),
                  ref=f"PLGA 50:50, {_PLGA.source}", guess=_PLGA.guess,
                  description="chain-scission rate k_h at pH 7.4, 37 °C (hydrolysis_rate_from_la_ga)"),
        Parameter("diffusivity_gain", 4.0, "dimensionless", (0.0, 30.0), ref=FAISANT, guess=True,
                  description="κ in D = D0 exp(κ (Mw0 - Mw)/Mw0)"),
        Parameter("mw_initial", 30000.0, "g/mol", (500.0, 1e7), ref="RESOMER RG 503H range "
                  "(24-38 kDa, Evonik data sheet)", guess=True,
                  description="initial weight-average molar mass Mw0"),
        Parameter("mw_erosion", 5000.0, "g/mol", (100.0, 1e7), ref="mass loss of PLGA starts "
                  "when Mw falls to a few kDa (Siepmann & Göpferich 2001)", guess=True,
                  description="Mw below which oligomers dissolve and pores open"),
        Parameter("pore_diffusivity", 1e-9, "cm**2/s", (0.0, None), ref="water-filled pores, "
                  "order of magnitude", guess=True,
                  description="drug diffusivity in fully eroded (porous) polymer at 37 °C"),
        Parameter("burst", 0.0, "dimensionless", (0.0, 1.0), ref="off by default (0 = no "
                  "burst); set from the measured early release of the formulation",
                  description="fraction released at once (surface-bound drug)"),
        Parameter("autocatalysis", 0.0, "dimensionless", (0.0, 100.0), ref=SIEPMANN2005,
                  guess=True, description="γ: scission rate factor 1 + γ ã from trapped acids"),
        Parameter("acid_diffusivity", 1e-12, "cm**2/s", (1e-20, None), ref="oligomeric acids "
                  "in hydrated PLGA, order of magnitude", guess=True,
                  description="diffusivity D_A of acidic degradation products at 37 °C"),
        Parameter("activation_energy", 40.0, "kJ/mol", (0.0, 300.0), ref="order of magnitude for "
                  "diffusion in polymers", guess=True, description="activation energy of D"),
        Parameter("hydrolysis_activation_energy", 80.0, "kJ/mol", (0.0, 300.0), ref="order of "
                  "magnitude of ester hydrolysis (50-100 kJ/mol)", guess=True,
                  description="activation energy of k_h"),
    )  # fmt: skip

    def __init__(
        self,
        *,
        method: str = "auto",
        n_shells: int = 40,
        time_unit: str | None = None,
        **values: float,
    ) -> None:
        super().__init__(time_unit=time_unit, **values)
        if method not in ("auto", "analytic", "mol"):
            raise InputError(f"method: {method!r} is not one of 'auto', 'analytic', 'mol'")
        self.method = method
        self.n_shells = as_integer(n_shells, "n_shells", 4, 2000)
        cite("Faisant2002", FAISANT)

    # -- rates in the environment ---------------------------------------------------------------
    def _rates(self, p: dict[str, float], env: Environment) -> dict[str, float]:
        """Rates in ``env`` in SI-like units: k [1/s], diffusivities over a² [1/s]."""
        a2 = (p["radius"] * 1e-7) ** 2
        f_d = float(arrhenius_factor(env.temperature_C, p["activation_energy"]))
        k = p["hydrolysis_rate"] / 3600.0
        k *= float(polyester_hydrolysis_ph_factor(env.ph))
        k *= float(arrhenius_factor(env.temperature_C, p["hydrolysis_activation_energy"]))
        return {
            "k": k,
            "d0": p["diffusivity"] * f_d / a2,
            "dp": p["pore_diffusivity"] * f_d / a2,
            "da": p["acid_diffusivity"] * f_d / a2,
            "kappa": p["diffusivity_gain"],
            "rho": p["mw_initial"] / p["mw_erosion"],
        }

    def _use_mol(self, p: dict[str, float]) -> bool:
        if self.method == "analytic" and p["autocatalysis"] > 0:
            raise ModelError("plga_erosion: the analytic method needs autocatalysis = 0")
        return self.method == "mol" or (self.method == "auto" and p["autocatalysis"] > 0)

    # -- exact solution without autocatalysis -----------------------------------------------------
    @staticmethod
    def _diffusivity(ts: np.ndarray, r: dict[str, float]) -> np.ndarray:
        """D(t)/a² [1/s] of the uniformly degrading sphere (no autocatalysis)."""
        mw = np.exp(-r["k"] * ts)  # Mw/Mw0
        d_poly = r["d0"] * np.exp(r["kappa"] * (1.0 - mw))
        eroded = np.clip(1.0 - r["rho"] * mw, 0.0, 1.0)
        return (1.0 - eroded) * d_poly + eroded * r["dp"]

    @staticmethod
    def _tau(ts: np.ndarray, r: dict[str, float]) -> np.ndarray:
        """τ(t) = ∫₀ᵗ D(s) ds / a² [-] in closed form (exponential integral E1)."""
        k, kap, d0, dp, rho = r["k"], r["kappa"], r["d0"], r["dp"], r["rho"]
        if k == 0.0:
            return d0 * ts
        t_c = math.log(rho) / k if rho > 1.0 else 0.0  # erosion onset

        def poly(t: np.ndarray) -> np.ndarray:  # ∫₀ᵗ D0 exp(κ(1 - e^{-ks})) ds
            if kap == 0.0:
                return d0 * t
            return d0 * math.exp(kap) / k * (exp1(kap * np.exp(-k * t)) - exp1(kap))

        tc = np.minimum(ts, t_c)
        tau = poly(tc)
        late = ts > t_c
        if np.any(late):
            tl = ts[late]
            u_t, u_c = np.exp(-k * tl), math.exp(-k * t_c)
            if kap == 0.0:
                intact = rho * d0 * (u_c - u_t) / k
            else:
                intact = (
                    rho
                    * d0
                    * math.exp(kap)
                    / (k * kap)
                    * (np.exp(-kap * u_t) - math.exp(-kap * u_c))
                )
            pores = dp * ((tl - t_c) - rho * (u_c - u_t) / k)
            tau[late] += intact + pores
        return tau

    # -- method of lines ------------------------------------------------------------------------
    def _grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n = self.n_shells
        faces = np.sin(0.5 * np.pi * np.linspace(0.0, 1.0, n + 1))  # r/a, finer near the surface
        vol = (faces[1:] ** 3 - faces[:-1] ** 3) / 3.0
        centres = 0.5 * (faces[1:] + faces[:-1])
        dist = np.diff(np.concatenate([centres, [1.0]]))  # centre-to-centre, last: to the surface
        return faces, vol, centres, dist

    def profiles(self, t: object, environment: str | Environment | None = None) -> ErosionProfiles:
        """Solve the coupled equations by the method of lines and return the radial profiles.

        Parameters
        ----------
        t : array
            Output times [``time_unit``], >= 0.
        environment : str or Environment
            Release medium.

        Returns
        -------
        ErosionProfiles
        """
        t_arr = self._times(t).ravel()
        p = self.values
        r = self._rates(p, get_environment(environment))
        gamma = p["autocatalysis"]
        n = self.n_shells
        faces, vol, _, dist = self._grid()
        area = faces[1:] ** 2
        cond = area / dist  # face area over distance, faces 1..n (the last one is the surface)
        load = vol.sum()

        def diffusivity(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """D(m)/a² per cell and its derivative with respect to m = ln(Mw0/Mw)."""
            mw = np.exp(-m)
            eroded = np.clip(1.0 - r["rho"] * mw, 0.0, 1.0)
            d_poly = r["d0"] * np.exp(r["kappa"] * (1.0 - mw))
            d_eroded = np.where((eroded > 0) & (eroded < 1), r["rho"] * mw, 0.0)
            d = (1.0 - eroded) * d_poly + eroded * r["dp"]
            return d, (1.0 - eroded) * d_poly * r["kappa"] * mw + (r["dp"] - d_poly) * d_eroded

        def face(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """Harmonic-mean face diffusivities (the last face is the surface) and derivatives."""
            s = np.maximum(d[:-1] + d[1:], 1e-300)
            d_face = np.append(2.0 * d[:-1] * d[1:] / s, d[-1])
            inner = np.append(2.0 * d[1:] ** 2 / s**2, 1.0)  # ∂d_face/∂d of the inner cell
            outer = 2.0 * d[:-1] ** 2 / s**2  # ∂d_face/∂d of the outer cell
            return d_face, inner, outer

        def divergence(u: np.ndarray, d_face: np.ndarray) -> np.ndarray:
            flux = cond * d_face * (np.append(u[1:], 0.0) - u)  # into cell i from its outer face
            return (flux - np.concatenate([[0.0], flux[:-1]])) / vol

        def rhs(_t: float, y: np.ndarray) -> np.ndarray:
            c, m, acid = y[:n], y[n : 2 * n], y[2 * n : 3 * n]
            d_face = face(diffusivity(m)[0])[0]
            k_loc = r["k"] * (1.0 + gamma * acid)
            out = np.empty_like(y)
            out[:n] = divergence(c, d_face)
            out[n : 2 * n] = k_loc
            out[2 * n : 3 * n] = divergence(acid, np.full(n, r["da"])) + k_loc * np.exp(-m)
            out[-1] = cond[-1] * d_face[-1] * c[-1] / load
            return out

        size = 3 * n + 1
        i_all, i_in, i_out = np.arange(n), np.arange(1, n), np.arange(n - 1)

        def laplacian(d_face: np.ndarray, shift: int) -> coo_matrix:
            """Matrix of ``divergence(., d_face)`` placed at block (shift, shift)."""
            g = cond * d_face
            diag = -(g + np.concatenate([[0.0], g[:-1]])) / vol
            rows = np.concatenate([i_all, i_out, i_in]) + shift
            cols = np.concatenate([i_all, i_out + 1, i_in - 1]) + shift
            vals = np.concatenate([diag, g[:-1] / vol[:-1], g[:-1] / vol[1:]])
            return coo_matrix((vals, (rows, cols)), shape=(size, size))

        lap_acid = laplacian(np.full(n, r["da"]), 2 * n)

        def jac(_t: float, y: np.ndarray) -> csr_matrix:
            c, m, acid = y[:n], y[n : 2 * n], y[2 * n : 3 * n]
            d, dd = diffusivity(m)
            d_face, inner, outer = face(d)
            grad = cond * (np.append(c[1:], 0.0) - c)  # flux per unit face diffusivity
            f_in = grad * inner * dd  # ∂flux_i/∂m_i
            f_out = grad[:-1] * outer * dd[1:]  # ∂flux_i/∂m_{i+1}
            diag = f_in.copy()
            diag[1:] -= f_out
            k_loc = r["k"] * (1.0 + gamma * acid)
            mu = np.exp(-m)
            rows = np.concatenate(
                [i_all, i_out, i_in, n + i_all, 2 * n + i_all, 2 * n + i_all, [size - 1, size - 1]]
            )
            cols = np.concatenate(
                [
                    n + i_all,
                    n + i_out + 1,
                    n + i_in - 1,
                    2 * n + i_all,
                    2 * n + i_all,
                    n + i_all,
                    [n - 1, 2 * n - 1],
                ]
            )
            vals = np.concatenate(
                [
                    diag / vol,
                    f_out / vol[:-1],
                    -f_in[:-1] / vol[1:],
                    np.full(n, r["k"] * gamma),
                    r["k"] * gamma * mu,
                    -k_loc * mu,
                    [cond[-1] * d_face[-1] / load, -grad[-1] * dd[-1] / load],
                ]
            )
            coupling = coo_matrix((vals, (rows, cols)), shape=(size, size))
            return (laplacian(d_face, 0) + lap_acid + coupling).tocsr()

        scale = _seconds(self.time_unit)
        y0 = np.concatenate([np.ones(n), np.zeros(2 * n + 1)])
        t_s = np.unique(t_arr) * scale
        if t_s.size == 0 or t_s[-1] == 0.0:  # no times, or only t = 0: nothing to solve
            sol_y = np.repeat(y0[:, None], t_s.size, axis=1)
        else:
            sol = solve_ivp(rhs, (0.0, t_s[-1]), y0, method="BDF", t_eval=t_s, rtol=1e-6,
                            atol=1e-9, jac=jac)  # fmt: skip
            if not sol.success:
                raise SolverError(f"{self.name}: method of lines failed: {sol.message}")
            sol_y = sol.y
        idx = np.searchsorted(t_s, t_arr * scale)
        y = sol_y[:, idx]
        return ErosionProfiles(
            t=t_arr,
            r=self._grid()[2],
            released=y[-1],
            remaining=vol @ y[:n] / load,
            mw_ratio=np.exp(-y[n : 2 * n]),
            acid=y[2 * n : 3 * n],
        )

    # -- ReleaseModel ---------------------------------------------------------------------------
    def _fraction(self, t: np.ndarray, p: dict[str, float], env: Environment) -> np.ndarray:
        if self._use_mol(p):
            f = self.profiles(t, env).released.reshape(np.shape(t))
        else:
            ts = np.atleast_1d(t).ravel() * _seconds(self.time_unit)
            f = sphere_fraction(self._tau(ts, self._rates(p, env))).reshape(np.shape(t))
        return p["burst"] + (1.0 - p["burst"]) * f

    def release_rate(
        self, t: object, environment: str | Environment | None = None, *, dt: float | None = None
    ) -> np.ndarray:
        """Hazard rate f'/(1 - f) [1/``time_unit``]: closed form without autocatalysis
        (F'(τ)·D(t)/a² / (1 - F)), numerical differentiation of the method of lines otherwise."""
        p = self.values
        if self._use_mol(p):
            return super().release_rate(t, environment, dt=dt)
        t_arr = self._times(t)
        r = self._rates(p, get_environment(environment))
        scale = _seconds(self.time_unit)
        ts = np.atleast_1d(t_arr).ravel() * scale
        tau = self._tau(ts, r)
        remaining = 1.0 - sphere_fraction(tau)
        num = sphere_rate(tau) * self._diffusivity(ts, r) * scale
        h = np.where(remaining > 1e-12, num / np.maximum(remaining, 1e-12), 0.0)
        return h.reshape(t_arr.shape)
