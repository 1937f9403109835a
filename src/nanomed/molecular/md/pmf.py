"""Potentials of mean force by umbrella sampling, analysed with WHAM or MBAR.

- Umbrella sampling (Torrie & Valleau, J. Comput. Phys. 23:187, 1977): window i adds the bias
  w_i(ξ) = ½ k (ξ − ξ_i)² on a collective variable ξ (here a centroid distance).
- WHAM (Kumar et al., J. Comput. Chem. 13:1011, 1992): the unbiased density on a histogram,
  P(ξ) = Σ_i h_i(ξ) / Σ_i N_i exp(β f_i − β w_i(ξ)), with exp(−β f_i) = Σ_ξ P(ξ) exp(−β w_i(ξ)),
  iterated to self-consistency; PMF W(ξ) = −kT ln P(ξ).
- MBAR (Shirts & Chodera, J. Chem. Phys. 129:124105, 2008) through pymbar, an independent estimator
  used when pymbar is installed.
- A PMF along a distance r carries the Jacobian: for two free particles W(r) = U(r) − 2kT ln r + c.
  :meth:`PMF.well_depth` is the raw depth W(r_min) − W(r_far), with W referred to its value at the
  largest sampled distance.
- Standard binding free energy from a centre-of-mass distance PMF (Doudou, Burton & Henchman,
  J. Chem. Theory Comput. 5:909, 2009): with the Jacobian removed, w(r) = W(r) + 2kT ln r, referred to
  w(r_far) = 0, K = ∫_bound 4π r² exp(−w(r)/kT) dr and ΔG° = −kT ln(K / V°), V° = 1/(N_A · 1 mol/L)
  = 1.6605 nm³. It is written ΔG° = w_min + ΔG_V with the volume (standard-state) correction
  ΔG_V = −kT ln(∫_bound 4π r² exp(−(w − w_min)/kT) dr / V°).
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

__all__ = [
    "PMF",
    "STANDARD_VOLUME_NM3",
    "StandardBinding",
    "UmbrellaSamples",
    "mbar_pmf",
    "standard_binding_free_energy",
    "umbrella_sampling",
    "wham",
]

#: molar gas constant [kJ/(mol K)]
R_KJ = 0.00831446261815324
#: volume per molecule at the 1 mol/L standard state, 1e24 / N_A [nm³]
STANDARD_VOLUME_NM3 = 1e24 / 6.02214076e23


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


@dataclass
class StandardBinding:
    """Standard binding free energy from a distance PMF.

    Attributes
    ----------
    delta_g : float
        ΔG° at 1 mol/L [kJ/mol] (negative when bound).
    well_depth : float
        w_min, the minimum of the Jacobian-free PMF w(r) referred to w(r_far) = 0 [kJ/mol].
    volume_correction : float
        ΔG_V = ΔG° − w_min [kJ/mol].
    r_min, r_cut : float
        Position of the minimum and edge of the bound region [nm].
    r, w : arrays
        The Jacobian-free PMF w(r) [nm], [kJ/mol].
    """

    delta_g: float
    well_depth: float
    volume_correction: float
    r_min: float
    r_cut: float
    r: np.ndarray = field(repr=False)
    w: np.ndarray = field(repr=False)


def standard_binding_free_energy(
    pmf: PMF,
    temperature: float,
    *,
    bound_cutoff: float | None = None,
    reference: tuple[float, float] | None = None,
    standard_volume: float = STANDARD_VOLUME_NM3,
) -> StandardBinding:
    """ΔG° of binding from a centre-of-mass distance PMF (Doudou, Burton & Henchman 2009).

    Parameters
    ----------
    pmf : PMF
        W(r) from umbrella sampling on a distance [nm, kJ/mol] (it holds the −2kT ln r Jacobian).
    temperature : float
        Temperature [K].
    bound_cutoff : float, optional
        Edge of the bound region [nm]. Default: the first distance beyond the minimum where w(r)
        rises to −kT (the bound state is where the attraction exceeds the thermal energy); the
        result depends little on it when the well is deep (≫ kT).
    reference : (float, float), optional
        Distance range [nm] over which w is averaged and set to zero (the unbound plateau). Default:
        80–95 % of the sampled range (the last bins of a histogram hold few samples).
    standard_volume : float
        V° [nm³] (1.6605 nm³ for 1 mol/L).

    Notes
    -----
    Bins below the first sampled distance count as excluded (the repulsive wall), and w(r_far) = 0
    assumes the interaction has vanished at the far end of the sampled range.
    """
    cite("Doudou2009", "Doudou, Burton & Henchman, J. Chem. Theory Comput. 5:909 (2009)")
    if temperature <= 0 or standard_volume <= 0:
        raise InputError("temperature and standard_volume must be > 0")
    kt = R_KJ * temperature
    ok = np.isfinite(pmf.free_energy) & (pmf.x > 0)
    if ok.sum() < 3:
        raise InputError("PMF: fewer than 3 sampled bins, no binding free energy")
    r = pmf.x[ok]
    w = pmf.free_energy[ok] + 2 * kt * np.log(r)
    if reference is None:
        span = r[-1] - r[0]
        reference = (r[0] + 0.8 * span, r[0] + 0.95 * span)
    plateau = (r >= reference[0]) & (r <= reference[1])
    if not plateau.any():
        raise InputError(f"reference: no sampled bin between {reference[0]} and {reference[1]} nm")
    w = w - float(np.mean(w[plateau]))
    i_min = int(np.argmin(w))
    if bound_cutoff is None:
        beyond = np.nonzero((np.arange(len(r)) > i_min) & (w >= -kt))[0]
        r_cut = float(r[beyond[0]]) if len(beyond) else float(r[-1])
    else:
        r_cut = float(bound_cutoff)
        if r_cut <= r[0]:
            raise InputError(f"bound_cutoff: {r_cut} nm is below the sampled range ({r[0]:.3f} nm)")
    dr = float(np.median(np.diff(pmf.x)))
    inside = r <= r_cut + 1e-12
    shell = 4 * np.pi * r[inside] ** 2 * dr
    w_min = float(w[i_min])
    volume = float(np.sum(shell * np.exp(-(w[inside] - w_min) / kt)))
    correction = -kt * np.log(volume / standard_volume)
    return StandardBinding(w_min + correction, w_min, correction, float(r[i_min]), r_cut, r, w)


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
