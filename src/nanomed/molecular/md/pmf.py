"""Potentials of mean force by umbrella sampling, analysed with WHAM or MBAR.

- Umbrella sampling (Torrie & Valleau, J. Comput. Phys. 23:187, 1977): window i adds the bias
  w_i(ξ) = ½ k (ξ − ξ_i)² on a collective variable ξ (here a centroid distance).
- WHAM (Kumar et al., J. Comput. Chem. 13:1011, 1992): the unbiased density on a histogram,
  P(ξ) = Σ_i h_i(ξ) / Σ_i N_i exp(β f_i − β w_i(ξ)), with exp(−β f_i) = Σ_ξ P(ξ) exp(−β w_i(ξ)),
  iterated to self-consistency; PMF W(ξ) = −kT ln P(ξ).
- MBAR (Shirts & Chodera, J. Chem. Phys. 129:124105, 2008) through pymbar, an independent estimator
  used when pymbar is installed.
- A PMF along a distance r carries the Jacobian: for two free particles W(r) = U(r) − 2kT ln r + c.
  The binding free energy reported is the well depth ΔG = W(r_min) − W(r_far), with W referred to
  its value at the largest sampled distance.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nanomed.core.citations import cite
from nanomed.core.errors import InputError, SolverError

__all__ = ["PMF", "UmbrellaSamples", "mbar_pmf", "umbrella_sampling", "wham"]

#: molar gas constant [kJ/(mol K)]
R_KJ = 0.00831446261815324


@dataclass
class PMF:
    """A potential of mean force on a grid.

    Attributes
    ----------
    x : array
        Bin centres of the collective variable [its unit, nm for distances].
    free_energy : array
        W(x) [kJ/mol], zero at its minimum (NaN in empty bins).
    method : str
        ``"wham"`` or ``"mbar"``.
    """

    x: np.ndarray
    free_energy: np.ndarray
    method: str

    def well_depth(self) -> float:
        """W(minimum) − W(last non-empty bin) [kJ/mol] (negative when bound)."""
        ok = np.isfinite(self.free_energy)
        return float(np.nanmin(self.free_energy) - self.free_energy[ok][-1])


@dataclass
class UmbrellaSamples:
    """Samples of the collective variable from each umbrella window.

    Attributes
    ----------
    centers : array
        Window centres ξ_i [nm].
    force_constant : float
        k [kJ/(mol nm²)].
    temperature : float
        Temperature [K].
    samples : list of arrays
        ξ samples per window [nm].
    """

    centers: np.ndarray
    force_constant: float
    temperature: float
    samples: list[np.ndarray] = field(repr=False)

    def pmf(self, method: str = "wham", bins: int = 60) -> PMF:
        """The PMF by ``"wham"`` or ``"mbar"``."""
        if method == "wham":
            return wham(
                self.samples, self.centers, self.force_constant, self.temperature, bins=bins
            )
        if method == "mbar":
            return mbar_pmf(
                self.samples, self.centers, self.force_constant, self.temperature, bins=bins
            )
        raise InputError(f"method: expected 'wham' or 'mbar', got {method!r}")


def _check(samples: Sequence[np.ndarray], centers: Sequence[float]) -> list[np.ndarray]:
    if len(samples) != len(centers) or not samples:
        raise InputError("umbrella samples: one array of samples per window centre is needed")
    out = [np.asarray(s, dtype=float).ravel() for s in samples]
    if any(len(s) == 0 or not np.all(np.isfinite(s)) for s in out):
        raise InputError("umbrella samples: every window needs finite samples")
    return out


def wham(
    samples: Sequence[np.ndarray],
    centers: Sequence[float],
    force_constant: float,
    temperature: float,
    *,
    bins: int = 60,
    tol: float = 1e-7,
    max_iter: int = 100000,
) -> PMF:
    """Weighted histogram analysis of umbrella windows with harmonic biases.

    Parameters
    ----------
    samples : sequence of arrays
        Collective-variable samples of each window.
    centers : sequence of float
        Window centres (same unit as the samples).
    force_constant : float
        k of the bias ½k(ξ − ξ_i)² [kJ/(mol unit²)].
    temperature : float
        Temperature [K].
    bins : int
        Histogram bins over the sampled range.
    tol : float
        Convergence on the window free energies [kT].
    max_iter : int
        Iteration cap.
    """
    cite(
        "Kumar1992",
        "Kumar, Rosenberg, Bouzida, Swendsen & Kollman, J. Comput. Chem. 13:1011 (1992)",
    )
    xs = _check(samples, centers)
    c = np.asarray(centers, dtype=float)
    beta = 1.0 / (R_KJ * temperature)
    lo, hi = min(s.min() for s in xs), max(s.max() for s in xs)
    edges = np.linspace(lo, hi, bins + 1)
    mids = 0.5 * (edges[1:] + edges[:-1])
    hist = np.array([np.histogram(s, edges)[0] for s in xs], dtype=float)  # (windows, bins)
    n = hist.sum(axis=1)
    total = hist.sum(axis=0)
    bias = 0.5 * force_constant * (mids[None, :] - c[:, None]) ** 2 * beta  # in kT
    f = np.zeros(len(xs))
    for _ in range(max_iter):
        denom = np.sum(n[:, None] * np.exp(f[:, None] - bias), axis=0)
        p = np.where(total > 0, total / denom, 0.0)
        f_new = -np.log(np.sum(p[None, :] * np.exp(-bias), axis=1))
        f_new -= f_new[0]
        if np.max(np.abs(f_new - f)) < tol:
            f = f_new
            break
        f = f_new
    else:
        raise SolverError(f"WHAM did not converge in {max_iter} iterations")
    with np.errstate(divide="ignore"):
        w = -np.log(p) / beta
    w[~np.isfinite(w)] = np.nan
    return PMF(mids, w - np.nanmin(w), "wham")


def mbar_pmf(
    samples: Sequence[np.ndarray],
    centers: Sequence[float],
    force_constant: float,
    temperature: float,
    *,
    bins: int = 60,
) -> PMF:
    """PMF by MBAR (pymbar) from umbrella windows with harmonic biases (same arguments as :func:`wham`)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import pymbar  # prints a JAX notice on import
    except ImportError:  # pragma: no cover - depends on the environment
        raise SolverError("MBAR needs pymbar (pip install pymbar); use method='wham'") from None
    cite("Shirts2008", "Shirts & Chodera, J. Chem. Phys. 129:124105 (2008)")
    xs = _check(samples, centers)
    c = np.asarray(centers, dtype=float)
    beta = 1.0 / (R_KJ * temperature)
    x_all = np.concatenate(xs)
    n_k = np.array([len(s) for s in xs])
    u_kn = 0.5 * force_constant * beta * (x_all[None, :] - c[:, None]) ** 2
    u_n = np.zeros_like(x_all)  # the unbiased state
    edges = np.linspace(x_all.min(), x_all.max(), bins + 1)
    mids = 0.5 * (edges[1:] + edges[:-1])
    idx = np.clip(np.digitize(x_all, edges) - 1, 0, bins - 1)
    try:
        fes = pymbar.FES(u_kn, n_k, verbose=False)
        fes.generate_fes(
            u_n, x_all, fes_type="histogram", histogram_parameters={"bin_edges": edges}
        )
        res = fes.get_fes(mids, reference_point="from-lowest", uncertainty_method=None)
    except Exception as exc:  # pymbar raises plain exceptions on bad input
        raise SolverError(f"MBAR failed: {exc}") from None
    w = np.asarray(res["f_i"], dtype=float) / beta
    w[np.bincount(idx, minlength=bins) == 0] = np.nan
    return PMF(mids, w - np.nanmin(w), "mbar")


def umbrella_sampling(
    simulation_factory: Callable[[], Any],
    group1: Sequence[int],
    group2: Sequence[int],
    centers_nm: Sequence[float],
    *,
    force_constant: float = 1000.0,
    temperature: float = 298.15,
    equilibration_steps: int = 1000,
    steps_per_window: int = 20000,
    sample_every: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> UmbrellaSamples:
    """Umbrella sampling of the distance between the centroids of two atom groups (OpenMM).

    Parameters
    ----------
    simulation_factory : callable
        ``simulation_factory(bias_force)`` returns an OpenMM ``Simulation`` whose system holds
        ``bias_force`` (a ``CustomCentroidBondForce`` on the two groups, added before the context is made).
    group1, group2 : sequence of int
        Atom indices of the two groups.
    centers_nm : sequence of float
        Window centres [nm].
    force_constant : float
        Bias force constant [kJ/(mol nm²)].
    temperature : float
        Temperature [K].
    equilibration_steps, steps_per_window, sample_every : int
        Steps discarded and sampled per window, and the sampling interval.
    progress : callable, optional
        ``progress(window_done, windows)``.
    """
    import openmm as mm

    cite("Torrie1977", "Torrie & Valleau, J. Comput. Phys. 23:187 (1977)")
    bias = mm.CustomCentroidBondForce(2, "0.5*k_umb*(distance(g1,g2)-r0_umb)^2")
    bias.addGlobalParameter("k_umb", force_constant)
    bias.addGlobalParameter("r0_umb", float(centers_nm[0]))
    bias.addGroup(list(group1))
    bias.addGroup(list(group2))
    bias.addBond([0, 1], [])
    sim = simulation_factory(bias)
    ctx = sim.context
    g1, g2 = np.array(group1), np.array(group2)
    masses = np.array(
        [sim.system.getParticleMass(i)._value for i in range(sim.system.getNumParticles())]
    )
    w1 = masses[g1] if masses[g1].sum() > 0 else np.ones(len(g1))
    w2 = masses[g2] if masses[g2].sum() > 0 else np.ones(len(g2))
    out: list[np.ndarray] = []
    for i, r0 in enumerate(centers_nm):
        ctx.setParameter("r0_umb", float(r0))
        sim.step(equilibration_steps)
        vals = []
        for _ in range(steps_per_window // sample_every):
            sim.step(sample_every)
            x = ctx.getState(getPositions=True).getPositions(asNumpy=True)._value
            a = w1 @ x[g1] / w1.sum()
            b = w2 @ x[g2] / w2.sum()
            vals.append(np.linalg.norm(a - b))
        out.append(np.array(vals))
        if progress is not None:
            progress(i + 1, len(centers_nm))
    return UmbrellaSamples(np.asarray(centers_nm, float), force_constant, temperature, out)
