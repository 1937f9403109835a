"""Diffusion coefficients from MD: mean squared displacement and the Yeh–Hummer correction.

- Einstein relation: D = lim MSD(τ) / (6τ), the slope fitted over a window of lag times, MSD averaged
  over molecules and time origins (Allen & Tildesley, *Computer Simulation of Liquids*, 2nd ed., 2017).
- Finite-size correction (Yeh & Hummer, J. Phys. Chem. B 108:15873, 2004):
  D∞ = D_PBC + ξ k_B T / (6π η L), ξ = 2.837297, L the cubic box edge, η the shear viscosity of the
  model water: TIP3P η = 0.321 mPa s at 298 K (González & Abascal, J. Chem. Phys. 132:096101, 2010).
- Workflows: water self-diffusion (oxygen atoms of a TIP3P box) and a drug in a water box (the centre
  of mass of one molecule: a single trajectory is noisy, the result is indicative).
- From TIP3P to real water: TIP3P diffuses ~2.3x faster than water, and a solute in it with it. In
  the Stokes–Einstein picture both solute and solvent see the same viscosity, so the ratio
  D_solute / D_water is independent of η and carries over from the model to real water:
  D_solute ≈ D∞_solute,TIP3P × D_water,exp(T) / D∞_water,TIP3P, the water's D measured in the same
  run (so thermostat, temperature and box errors cancel to first order). D_water,exp: 2.30e-9 m²/s
  at 298.15 K (Mills, J. Phys. Chem. 77:685, 1973), carried to T by D ∝ T/η(T) with η from
  :func:`nanomed.molecular.diffusivity.water_viscosity` (an approximation of the measured
  temperature dependence).
- Thermostat of the production run: Nosé–Hoover chains by default (Martyna, Klein & Tuckerman,
  J. Chem. Phys. 97:2635, 1992), deterministic, so D is that of the unperturbed dynamics while the
  temperature stays controlled; Langevin friction slows diffusion (Basconi & Shirts, J. Chem.
  Theory Comput. 9:2887, 2013): measured here on 216 TIP3P waters, 20 ps runs, D_PBC
  3.6-4.9e-9 m²/s at 1/ps (8 seeds) against 4.5-6.2e-9 with Nosé–Hoover at the same collision
  frequency (18 runs; published TIP3P 5.19e-9, Mark & Nilsson 2001).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import constants

from nanomed.core.citations import cite
from nanomed.core.errors import InputError

__all__ = [
    "TIP3P_VISCOSITY",
    "WATER_SELF_DIFFUSION_298",
    "DiffusionResult",
    "diffusion_coefficient",
    "mean_squared_displacement",
    "water_box_diffusion",
    "water_self_diffusion",
    "yeh_hummer_correction",
]

#: Boltzmann constant [J/K] (exact, SI 2019; scipy.constants)
BOLTZMANN = constants.Boltzmann
#: Yeh–Hummer constant for a cubic lattice [-]
XI_CUBIC = 2.837297
#: shear viscosity of TIP3P water at 298 K [Pa s] (González & Abascal 2010)
TIP3P_VISCOSITY = 0.321e-3
#: self-diffusion coefficient of real water at 298.15 K [m²/s] (Mills 1973, tracer/NMR)
WATER_SELF_DIFFUSION_298 = 2.30e-9
#: water oxygens tracked beside a drug for the same-run solvent reference
_REFERENCE_WATERS = 64
#: production time between checkpoints [ps] (each rewrites all frames taken so far)
CHECKPOINT_EVERY_PS = 10.0
#: default longest MSD lag for one drug molecule [ps]: D fitted over 5-25 ps lags
DRUG_MAX_LAG_PS = 25.0


def water_self_diffusion(temperature: float) -> float:
    """Self-diffusion coefficient of real water [m²/s] at ``temperature`` [K].

    Mills' 2.30e-9 m²/s at 298.15 K (J. Phys. Chem. 77:685, 1973) carried to T by Stokes–Einstein
    scaling, D ∝ T/η(T), with the water viscosity of
    :func:`~nanomed.molecular.diffusivity.water_viscosity` (an approximation: water's Dη/T drifts
    slowly with temperature).

    Examples
    --------
    >>> round(water_self_diffusion(298.15) * 1e9, 2)
    2.3
    """
    from nanomed.molecular.diffusivity import water_viscosity

    ratio = (temperature / 298.15) * water_viscosity(298.15) / water_viscosity(temperature)
    return WATER_SELF_DIFFUSION_298 * ratio


def mean_squared_displacement(positions: np.ndarray, max_lag: int | None = None) -> np.ndarray:
    """MSD averaged over particles and time origins.

    Parameters
    ----------
    positions : array (n_frames, n_particles, 3)
        Unwrapped positions [any length unit].
    max_lag : int, optional
        Largest lag in frames (default: half the frames).

    Returns
    -------
    array (max_lag + 1,)
        MSD at lags 0 … max_lag [length unit²].
    """
    x = np.asarray(positions, dtype=float)
    if x.ndim != 3 or x.shape[2] != 3:
        raise InputError("positions: expected an array of shape (frames, particles, 3)")
    n = x.shape[0]
    max_lag = n // 2 if max_lag is None else min(max_lag, n - 1)
    msd = np.zeros(max_lag + 1)
    for lag in range(1, max_lag + 1):
        d = x[lag:] - x[:-lag]
        msd[lag] = np.mean(np.sum(d * d, axis=-1))
    return msd


def diffusion_coefficient(
    msd: np.ndarray, dt: float, window: tuple[float, float] = (0.2, 1.0)
) -> float:
    """Slope of MSD(τ)/6 fitted over a window of lags, in [length² / time] of the inputs.

    Parameters
    ----------
    msd : array
        MSD at lags 0, 1, … (:func:`mean_squared_displacement`).
    dt : float
        Time between frames.
    window : (float, float)
        Fit window as fractions of the largest lag (skips the ballistic start).
    """
    lags = np.arange(len(msd)) * dt
    lo = max(1, int(window[0] * (len(msd) - 1)))
    hi = max(lo + 2, int(window[1] * (len(msd) - 1)) + 1)
    slope = np.polyfit(lags[lo:hi], msd[lo:hi], 1)[0]
    return float(slope / 6.0)


def yeh_hummer_correction(box_edge_nm: float, temperature: float, viscosity: float) -> float:
    """Finite-size correction ξ k_B T / (6π η L) added to D_PBC [m²/s].

    Parameters
    ----------
    box_edge_nm : float
        Cubic box edge L [nm].
    temperature : float
        Temperature [K].
    viscosity : float
        Shear viscosity of the simulated solvent [Pa s].
    """
    cite("Yeh2004", "Yeh & Hummer, J. Phys. Chem. B 108:15873 (2004)")
    return XI_CUBIC * BOLTZMANN * temperature / (6 * math.pi * viscosity * box_edge_nm * 1e-9)


@dataclass
class DiffusionResult:
    """Diffusion coefficient from an MD run.

    Attributes
    ----------
    species : str
        What diffused (``"water"`` or the drug's SMILES).
    d_pbc : float
        D in the periodic box [m²/s].
    d_corrected : float
        D with the Yeh–Hummer correction [m²/s].
    box_edge_nm : float
        Mean box edge [nm].
    temperature : float
        Temperature [K].
    simulated_ps : float
        Production length [ps].
    kinetic_temperature : float
        Mean kinetic temperature of the production frames [K] (a check on the thermostat).
    lag_ps, msd_nm2 : arrays
        The MSD curve [ps], [nm²].
    solvent_d_corrected : float
        D∞ of the model water in the same run [m²/s] (Yeh–Hummer corrected; for a drug, from
        up to 64 water oxygens tracked beside it).
    """

    species: str
    d_pbc: float
    d_corrected: float
    box_edge_nm: float
    temperature: float
    simulated_ps: float
    lag_ps: np.ndarray = field(repr=False)
    msd_nm2: np.ndarray = field(repr=False)
    kinetic_temperature: float = float("nan")
    solvent_d_corrected: float = float("nan")

    @property
    def d_real_water(self) -> float:
        """D rescaled from TIP3P to real water [m²/s]: ``d_corrected`` × D_water,exp(T) /
        ``solvent_d_corrected`` (module docstring); for a water run, D_water,exp(T) itself."""
        return self.d_corrected * water_self_diffusion(self.temperature) / self.solvent_d_corrected

    @property
    def d_corrected_cm2_s(self) -> float:
        """Corrected D [cm²/s], the unit of the release scale."""
        return self.d_corrected * 1e4


def _claim_checkpoint(manifest: Path, settings: dict[str, Any]) -> None:
    """Record ``settings`` beside a new checkpoint; refuse one written with other settings."""
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text()).get("settings")
        except (json.JSONDecodeError, AttributeError):
            old = None
        if old != settings:
            diff = sorted(
                k for k in settings if not isinstance(old, dict) or old.get(k) != settings[k]
            )
            raise InputError(
                f"checkpoint {manifest.with_suffix('').with_suffix('')}: holds a run with other "
                f"settings ({', '.join(diff)}); use a new checkpoint directory"
            )
        return
    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_name(manifest.name + ".part")
    tmp.write_text(json.dumps({"settings": settings}, indent=1))
    os.replace(tmp, manifest)


def water_box_diffusion(
    smiles: str | None = None,
    *,
    n_waters: int = 216,
    temperature: float = 298.15,
    equilibration_ps: float = 5.0,
    production_ps: float = 20.0,
    sample_every_ps: float = 0.1,
    max_lag_ps: float | None = None,
    timestep_fs: float = 2.0,
    friction_per_ps: float = 1.0,
    thermostat: str = "nose-hoover",
    cutoff_nm: float = 0.8,
    seed: int = 1,
    threads: int | None = None,
    platform: str = "CPU",
    checkpoint: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    charge_method: str = "bcc",
) -> DiffusionResult:
    """Self-diffusion of TIP3P water, or diffusion of a drug in TIP3P, with the Yeh–Hummer correction.

    Parameters
    ----------
    smiles : str, optional
        A drug to put in the box (GAFF2 via :func:`~nanomed.molecular.md.parametrise.parametrise`);
        None for pure water (the oxygens' MSD).
    n_waters : int
        Water molecules in the cubic box.
    temperature : float
        Temperature [K].
    equilibration_ps, production_ps : float
        Lengths of the runs [ps].
    sample_every_ps : float
        Time between MSD frames [ps].
    max_lag_ps : float, optional
        Longest MSD lag [ps]; D is fitted over 20-100 % of it. Default: half the production for
        water; for a drug the shorter of 25 ps and half the production, since for one molecule
        lags of tens of ps average over many more time origins than lags of half a nanosecond
        (benchmarks/md_drug_diffusion.py).
    timestep_fs : float
        Time step [fs].
    friction_per_ps : float
        Collision frequency of the production thermostat [1/ps]: the Nosé–Hoover chain's, or the
        Langevin friction. 1/ps relaxes the temperature in ~1 ps; in a 216-water box a weaker
        coupling lets the mean temperature of a 20 ps run wander by several K (see
        ``kinetic_temperature`` of the result), and D of water moves ~2-3 %/K.
    thermostat : str
        ``"nose-hoover"`` (deterministic; does not perturb the dynamics) or ``"langevin"`` (slows
        diffusion: −20 % for TIP3P at 1/ps, measured here). Equilibration always uses Langevin
        dynamics at 10/ps, which heats the minimised box quickly.
    cutoff_nm : float
        Real-space cutoff [nm].
    seed : int
        Seed of velocities and thermostat.
    threads : int, optional
        CPU threads.
    platform : str
        OpenMM platform (``"CPU"``, ``"Reference"``: slower, deterministic for a seed; ``"CUDA"``).
    checkpoint : path, optional
        Checkpoint file: the production resumes from it when rerun (frames kept in
        ``<checkpoint>.npz``, both saved every ``CHECKPOINT_EVERY_PS`` of production).
    progress : callable, optional
        ``progress(done, total)`` after each frame.
    charge_method : str
        Charges of the drug (``"bcc"``; ``"gas"`` for quick tests).
    """
    if thermostat not in ("nose-hoover", "langevin"):
        raise InputError(f"thermostat: expected 'nose-hoover' or 'langevin', got {thermostat!r}")
    if not friction_per_ps > 0:
        raise InputError(f"friction_per_ps: must be > 0, got {friction_per_ps}")
    if max_lag_ps is not None and not 5 * sample_every_ps <= max_lag_ps <= production_ps / 2:
        raise InputError(
            f"max_lag_ps: {max_lag_ps} ps must lie between 5 frames ({5 * sample_every_ps:g} ps) "
            f"and half the production ({production_ps / 2:g} ps)"
        )
    if checkpoint:
        # a checkpoint of another system (drug, box, settings) cannot be resumed: OpenMM fails on
        # the particle count, or worse, the MSD would mix two runs. Refused, never overwritten.
        _claim_checkpoint(
            Path(f"{checkpoint}.run.json"),
            {
                "smiles": smiles.strip() if smiles else None, "n_waters": n_waters,
                "temperature": temperature, "timestep_fs": timestep_fs,
                "sample_every_ps": sample_every_ps, "cutoff_nm": cutoff_nm,
                "thermostat": thermostat, "friction_per_ps": friction_per_ps,
                "charge_method": charge_method,
            },
        )  # fmt: skip
    import openmm.unit as u

    ffs: list[Any] = []
    molecules: list[tuple[Any, Any]] = []
    species = "water"
    if smiles is not None:
        from nanomed.molecular.md.parametrise import parametrise

        p = parametrise(smiles, charge_method=charge_method)
        ffs.append(p.ffxml)
        molecules.append(p.topology_and_positions())
        species = p.smiles
    system, top, pos = solvated(ffs, molecules, n_waters, cutoff_nm)
    # equilibrate with strong Langevin coupling (a weak thermostat takes ~1/friction to heat the
    # minimised box), then sample with the thermostat that perturbs the dynamics least
    sim = _simulation(
        system, top, pos, temperature, max(friction_per_ps, 10.0), timestep_fs, seed, threads,
        platform,
    )  # fmt: skip
    sim.step(max(0, round(equilibration_ps * 1000 / timestep_fs)))
    if thermostat == "langevin":
        sim.integrator.setFriction(friction_per_ps / u.picosecond)
    else:
        sim = _nose_hoover(sim, system, top, temperature, friction_per_ps, timestep_fs, threads)
    every = max(1, round(sample_every_ps * 1000 / timestep_fs))

    oxygens = [a.index for a in top.atoms() if a.residue.name == "HOH" and a.element.symbol == "O"]
    if smiles is None:
        index, masses, reference = oxygens, None, []
    else:
        index = [a.index for a in next(iter(top.residues())).atoms()]
        masses = np.array([a.element.mass.value_in_unit(u.dalton) for a in top.atoms()])[index]
        step = max(1, len(oxygens) // _REFERENCE_WATERS)
        reference = oxygens[::step][:_REFERENCE_WATERS]  # the same-run solvent reference

    frames: list[np.ndarray] = []
    waters: list[np.ndarray] = []
    boxes: list[float] = []
    kinetic: list[float] = []
    store = Path(f"{checkpoint}.npz") if checkpoint else None
    if store is not None and store.exists() and Path(checkpoint).exists():
        saved = np.load(store)
        frames, boxes = list(saved["frames"]), list(saved["boxes"])
        kinetic = list(saved["kinetic"]) if "kinetic" in saved else []
        waters = list(saved["waters"]) if "waters" in saved else []
        meta = Path(f"{checkpoint}.json")
        if meta.exists():  # samples of a save cut short before the context was written
            done = int(json.loads(meta.read_text())["chunks_done"])
            frames, boxes, kinetic, waters = (
                frames[:done],
                boxes[:done],
                kinetic[:done],
                waters[:done],
            )
        if reference and len(waters) != len(frames):
            raise InputError(
                f"checkpoint {store}: written by an older version without the water reference; "
                "delete it (and the checkpoint file) to restart the run"
            )
    # degrees of freedom: 3 per particle, less the constraints and the removed centre-of-mass motion
    dof = 3 * system.getNumParticles() - system.getNumConstraints() - 3
    gas_constant = 8.314462618e-3  # kJ/(mol K)

    def on_sample(state: Any, _step: int) -> None:
        every_atom = state.getPositions(asNumpy=True).value_in_unit(u.nanometer)
        x = every_atom[index]
        frames.append(x if masses is None else (masses @ x / masses.sum())[None, :])
        if reference:
            waters.append(every_atom[reference])
        boxes.append(state.getPeriodicBoxVectors()[0][0].value_in_unit(u.nanometer))
        ke = state.getKineticEnergy().value_in_unit(u.kilojoule_per_mole)
        kinetic.append(2 * ke / (dof * gas_constant))

    def on_checkpoint(_done: int) -> None:
        assert store is not None
        tmp = store.with_suffix(".part.npz")
        np.savez(
            tmp, frames=np.array(frames), boxes=np.array(boxes), kinetic=np.array(kinetic),
            waters=np.array(waters),
        )  # fmt: skip
        os.replace(tmp, store)

    from nanomed.molecular.md.system import run_steps

    n_steps = round(production_ps * 1000 / timestep_fs)
    run_steps(
        sim, n_steps, every=every, on_sample=on_sample, checkpoint=checkpoint,
        checkpoint_every=max(1, round(CHECKPOINT_EVERY_PS / (every * timestep_fs / 1000))),
        on_checkpoint=on_checkpoint, progress=progress, energy=True,
    )  # fmt: skip
    dt_ps = every * timestep_fs / 1000
    if max_lag_ps is None and smiles is not None:
        max_lag_ps = min(DRUG_MAX_LAG_PS, production_ps / 2)
    max_lag = None if max_lag_ps is None else round(max_lag_ps / dt_ps)
    msd = mean_squared_displacement(np.array(frames), max_lag)
    d_pbc = diffusion_coefficient(msd, dt_ps) * 1e-18 / 1e-12  # nm²/ps -> m²/s
    edge = float(np.mean(boxes))
    eta = TIP3P_VISCOSITY  # the solvent is TIP3P in both workflows
    finite_size = yeh_hummer_correction(edge, temperature, eta)
    d_solvent = d_pbc
    if reference:
        water_msd = mean_squared_displacement(np.array(waters), max_lag)
        d_solvent = diffusion_coefficient(water_msd, dt_ps) * 1e-6  # nm²/ps -> m²/s
    return DiffusionResult(
        species=species,
        d_pbc=d_pbc,
        d_corrected=d_pbc + finite_size,
        solvent_d_corrected=d_solvent + finite_size,
        box_edge_nm=edge,
        temperature=temperature,
        simulated_ps=production_ps,
        kinetic_temperature=float(np.mean(kinetic)) if kinetic else float("nan"),
        lag_ps=np.arange(len(msd)) * dt_ps,
        msd_nm2=msd,
    )


def _nose_hoover(
    equilibrated: Any, system: Any, top: Any, temperature: float, collision_per_ps: float,
    timestep_fs: float, threads: int | None,
) -> Any:  # fmt: skip
    """A Nosé–Hoover-chain simulation that starts from the equilibrated state (same platform)."""
    import openmm as mm
    import openmm.app as app
    import openmm.unit as u

    from nanomed.molecular.md.system import platform_with

    integ = mm.NoseHooverIntegrator(
        temperature * u.kelvin, collision_per_ps / u.picosecond, timestep_fs * u.femtosecond
    )
    platform = platform_with(equilibrated.context.getPlatform().getName(), threads)
    sim = app.Simulation(top, system, integ, *platform)
    sim.context.setState(
        equilibrated.context.getState(getPositions=True, getVelocities=True, getParameters=True)
    )
    return sim


def solvated(
    ffs: list[Any], molecules: list[tuple[Any, Any]], n_waters: int, cutoff_nm: float
) -> Any:
    """The solvated system of :func:`water_box_diffusion` (shared with the benchmark)."""
    from nanomed.molecular.md.system import solvated_system

    # the edge that holds n_waters at 0.997 g/cm³ (OpenMM's numAdded pads the box: too dilute)
    edge = (n_waters * 18.015 / (602.214076 * 0.997)) ** (1 / 3)
    return solvated_system(ffs, molecules, box_nm=edge, cutoff_nm=cutoff_nm)


def _simulation(
    system: Any, top: Any, pos: Any, temperature: float, friction: float, timestep_fs: float,
    seed: int, threads: int | None, platform: str = "CPU",
) -> Any:  # fmt: skip
    from nanomed.molecular.md.system import make_simulation

    return make_simulation(
        system, top, pos, temperature=temperature, friction_per_ps=friction,
        timestep_fs=timestep_fs, seed=seed, threads=threads, platform=platform,
    )  # fmt: skip
