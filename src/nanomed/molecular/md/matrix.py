"""A drug in a short polymer-oligomer matrix: an indicative diffusivity in the carrier (OpenMM).

Workflow: the drug and ``n_oligomers`` copies of the carrier's oligomer fragment (GAFF2/AM1-BCC,
:mod:`.parametrise`) are placed on a coarse cubic grid with random orientations, compressed at 500 K and
5 kbar (Monte Carlo barostat, Åqvist et al., Chem. Phys. Lett. 384:288, 2004), cooled
to ``temperature`` at 1 bar, then the drug's centre-of-mass MSD gives D (Einstein relation). Oligomers
are far shorter than real chains and the runs far shorter than the drug's hopping times in a glass:
the number is an upper, indicative value, reported as such. No finite-size correction is applied (the
matrix viscosity is unknown).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nanomed.core.errors import InputError

__all__ = ["MatrixResult", "matrix_diffusion"]


@dataclass
class MatrixResult:
    """Indicative drug diffusivity in an oligomer matrix.

    Attributes
    ----------
    d_matrix : float
        Drug diffusivity [m²/s] (indicative upper value).
    density : float
        Final matrix density [g/cm³].
    box_edge_nm : float
        Final box edge [nm].
    simulated_ps : float
        Production length [ps].
    """

    d_matrix: float
    density: float
    box_edge_nm: float
    simulated_ps: float


def _random_rotation(rng: np.random.Generator) -> np.ndarray:
    q = rng.normal(size=4)
    a, b, c, d = q / np.linalg.norm(q)
    return np.array([
        [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
        [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d],
    ])  # fmt: skip


def matrix_diffusion(
    smiles: str,
    carrier: str,
    *,
    n_oligomers: int = 24,
    temperature: float = 310.15,
    compress_ps: float = 20.0,
    production_ps: float = 100.0,
    sample_every_ps: float = 1.0,
    timestep_fs: float = 2.0,
    seed: int = 1,
    threads: int | None = None,
    charge_method: str = "bcc",
    progress: Callable[[int, int], None] | None = None,
) -> MatrixResult:
    """Indicative diffusivity of a drug in an oligomer matrix of ``carrier``.

    Parameters
    ----------
    smiles : str
        The drug.
    carrier : str
        A polymer carrier with an oligomer fragment (``PLGA``, ``PLA``, ``PCL``, ``polymeric_micelle``).
    n_oligomers : int
        Oligomer molecules in the box.
    temperature : float
        Temperature of the production run [K].
    compress_ps, production_ps : float
        Lengths of the compression/cooling and production runs [ps].
    sample_every_ps : float
        Time between MSD frames [ps].
    timestep_fs : float
        Time step [fs].
    seed : int
        Seed of the placement, velocities and thermostat.
    threads : int, optional
        CPU threads.
    charge_method : str
        ``"bcc"`` (AM1-BCC) or ``"gas"`` (Gasteiger, quick tests).
    progress : callable, optional
        ``progress(done, total)`` during production.
    """
    import openmm as mm
    import openmm.app as app
    import openmm.unit as u

    from nanomed.molecular.fragments import fragment_info
    from nanomed.molecular.md.diffusion import diffusion_coefficient, mean_squared_displacement
    from nanomed.molecular.md.parametrise import parametrise
    from nanomed.molecular.md.system import make_simulation, run_steps

    info = fragment_info(carrier)
    if info["kind"] != "smiles" or "P" in info["smiles"]:
        raise InputError(f"carrier {carrier!r}: no polymer oligomer fragment for a matrix")
    if n_oligomers < 1:
        raise InputError(f"n_oligomers: must be >= 1, got {n_oligomers}")
    drug = parametrise(smiles, residue_name="DRG", charge_method=charge_method)
    olig = parametrise(info["smiles"], residue_name="OLI", charge_method=charge_method)
    rng = np.random.default_rng(seed)
    parts = [drug.topology_and_positions()] + [olig.topology_and_positions()] * n_oligomers
    coords = [np.array(p.value_in_unit(u.nanometer)) for _, p in parts]
    spacing = max(np.ptp(c, axis=0).max() for c in coords) + 0.4
    n_side = math.ceil(len(parts) ** (1 / 3))
    modeller = app.Modeller(app.Topology(), [])
    for k, ((top, _), xyz) in enumerate(zip(parts, coords, strict=True)):
        cell = np.array([k % n_side, (k // n_side) % n_side, k // n_side**2]) + 0.5
        placed = (xyz - xyz.mean(axis=0)) @ _random_rotation(rng).T + cell * spacing
        modeller.add(top, [mm.Vec3(*p) for p in placed] * u.nanometer)
    edge = n_side * spacing
    modeller.topology.setPeriodicBoxVectors(np.eye(3) * edge * u.nanometer)
    total_da = sum(a.element.mass.value_in_unit(u.dalton) for a in modeller.topology.atoms())
    dense_edge = (total_da / 6.02214076e23 / 1.2) ** (1 / 3) * 1e7  # nm at 1.2 g/cm³
    if dense_edge < 2 * 0.9 + 0.2:
        raise InputError(
            f"n_oligomers: {n_oligomers} oligomers pack into a {dense_edge:.1f} nm box, below twice "
            "the 0.9 nm cutoff; use more"
        )
    ff = app.ForceField(str(drug.ffxml), str(olig.ffxml))
    system = ff.createSystem(
        modeller.topology, nonbondedMethod=app.PME, nonbondedCutoff=0.9 * u.nanometer,
        constraints=app.HBonds,
    )  # fmt: skip
    barostat = mm.MonteCarloBarostat(5000 * u.bar, 500 * u.kelvin, 5)  # squeeze often
    system.addForce(barostat)
    sim = make_simulation(
        system, modeller.topology, modeller.positions, temperature=500.0, friction_per_ps=5.0,
        timestep_fs=timestep_fs, seed=seed, threads=threads,
    )  # fmt: skip
    half = max(1, round(compress_ps * 500 / timestep_fs))
    sim.step(half)  # hot and squeezed: the sparse grid packs into a melt
    sim.context.setParameter(mm.MonteCarloBarostat.Pressure(), 1.0)
    sim.context.setParameter(mm.MonteCarloBarostat.Temperature(), temperature)
    sim.integrator.setTemperature(temperature * u.kelvin)
    sim.step(half)
    drug_atoms = [a.index for a in next(iter(modeller.topology.residues())).atoms()]
    masses = np.array([system.getParticleMass(i).value_in_unit(u.dalton) for i in drug_atoms])
    frames: list[np.ndarray] = []
    boxes: list[float] = []

    def on_sample(state: Any, _step: int) -> None:
        x = state.getPositions(asNumpy=True).value_in_unit(u.nanometer)[drug_atoms]
        frames.append((masses @ x / masses.sum())[None, :])
        boxes.append(state.getPeriodicBoxVectors()[0][0].value_in_unit(u.nanometer))

    every = max(1, round(sample_every_ps * 1000 / timestep_fs))
    run_steps(sim, round(production_ps * 1000 / timestep_fs), every=every, on_sample=on_sample,
              progress=progress)  # fmt: skip
    msd = mean_squared_displacement(np.array(frames))
    d = diffusion_coefficient(msd, every * timestep_fs / 1000) * 1e-6  # nm²/ps -> m²/s
    edge_nm = float(np.mean(boxes))
    mass_g = sum(
        system.getParticleMass(i).value_in_unit(u.dalton) for i in range(system.getNumParticles())
    )
    density = mass_g / 6.02214076e23 / (edge_nm * 1e-7) ** 3
    return MatrixResult(d, density, edge_nm, production_ps)
