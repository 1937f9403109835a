"""Umbrella sampling analysis against analytic free energies (1-D potential and two LJ particles)."""

import numpy as np
import pytest

from nanomed.core.errors import InputError
from nanomed.molecular.md.pmf import R_KJ, UmbrellaSamples, wham

T = 300.0
KT = R_KJ * T


def double_well(x):
    return 5.0 * (x**2 - 1.0) ** 2  # kJ/mol, barrier 5 kJ/mol = 2 kT


def exact_umbrella_samples(potential, centers, k, n, seed=0):
    """Independent samples of each biased density exp(-(U + w_i)/kT) by inverse transform."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-2.5, 2.5, 20001)
    out = []
    for c in centers:
        p = np.exp(-(potential(grid) + 0.5 * k * (grid - c) ** 2) / KT)
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        out.append(np.interp(rng.random(n), cdf, grid))
    return out


@pytest.mark.parametrize("method", ["wham", "mbar"])
def test_pmf_of_a_double_well(method):
    if method == "mbar":
        pytest.importorskip("pymbar")
    centers = np.linspace(-1.6, 1.6, 17)
    us = UmbrellaSamples(
        centers, 100.0, T, exact_umbrella_samples(double_well, centers, 100.0, 4000)
    )
    pmf = us.pmf(method, bins=40)
    ok = np.isfinite(pmf.free_energy) & (np.abs(pmf.x) < 1.5)
    exact = double_well(pmf.x[ok])
    err = pmf.free_energy[ok] - exact
    err -= err.mean()
    assert np.sqrt(np.mean(err**2)) < 0.3 * KT
    barrier = pmf.free_energy[ok][np.argmin(np.abs(pmf.x[ok]))] - pmf.free_energy[ok].min()
    assert barrier == pytest.approx(5.0, abs=0.5 * KT)


def test_wham_and_mbar_agree():
    pytest.importorskip("pymbar")
    centers = np.linspace(-1.2, 1.2, 9)
    us = UmbrellaSamples(
        centers, 80.0, T, exact_umbrella_samples(double_well, centers, 80.0, 2000, seed=1)
    )
    a, b = us.pmf("wham", bins=30), us.pmf("mbar", bins=30)
    ok = np.isfinite(a.free_energy) & np.isfinite(b.free_energy)
    assert np.max(np.abs(a.free_energy[ok] - b.free_energy[ok])) < 0.2 * KT


def test_bad_samples():
    with pytest.raises(InputError, match="one array of samples per window"):
        wham([np.ones(3)], [0.0, 1.0], 10.0, T)
    with pytest.raises(InputError, match="method"):
        UmbrellaSamples(np.zeros(1), 1.0, T, [np.ones(2)]).pmf("guess")


def test_two_lj_particles_openmm_umbrella():
    """PMF of two Lennard-Jones particles vs the analytic -kT ln(4 pi r^2 exp(-U/kT))."""
    mm = pytest.importorskip("openmm")
    import openmm.app as app
    import openmm.unit as u

    from nanomed.molecular.md.pmf import umbrella_sampling

    sigma, eps = 0.34, 1.0  # nm, kJ/mol

    def factory(bias):
        system = mm.System()
        nb = mm.NonbondedForce()
        nb.setNonbondedMethod(mm.NonbondedForce.NoCutoff)
        for _ in range(2):
            system.addParticle(40.0)
            nb.addParticle(0.0, sigma, eps)
        system.addForce(nb)
        system.addForce(bias)
        top = app.Topology()
        ch = top.addChain()
        for _ in range(2):
            top.addAtom("Ar", app.Element.getBySymbol("Ar"), top.addResidue("AR", ch))
        integ = mm.LangevinMiddleIntegrator(T, 10.0, 0.004)
        integ.setRandomNumberSeed(7)
        sim = app.Simulation(top, system, integ, mm.Platform.getPlatformByName("Reference"))
        sim.context.setPositions([mm.Vec3(0, 0, 0), mm.Vec3(0.4, 0, 0)] * u.nanometer)
        sim.context.setVelocitiesToTemperature(T, 7)
        return sim

    centers = np.arange(0.32, 0.96, 0.04)
    us = umbrella_sampling(factory, [0], [1], centers, force_constant=1500.0, temperature=T,
                           equilibration_steps=200, steps_per_window=6000, sample_every=10)  # fmt: skip
    pmf = us.pmf("wham", bins=40)
    r = pmf.x
    ok = np.isfinite(pmf.free_energy) & (r > 0.34) & (r < 0.9)
    lj = 4 * eps * ((sigma / r) ** 12 - (sigma / r) ** 6)
    exact = -KT * np.log(4 * np.pi * r**2 * np.exp(-lj / KT))
    err = pmf.free_energy[ok] - exact[ok]
    err -= err.mean()
    assert np.sqrt(np.mean(err**2)) < 0.35 * KT
