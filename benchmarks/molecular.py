"""Molecular-scale benchmark: nanomed's MD workflows against raw OpenMM, and seconds per drug for xTB.

Run: ``.venv/bin/python benchmarks/molecular.py [--quick] [--pairs N]``

1. MD overhead, measured robustly on a shared machine: one Simulation, advanced in turn by a bare
   ``Simulation.step(n)`` (A, raw OpenMM) and by nanomed's workflow loop (B) over the same n steps
   (one context, so A and B differ only by the loop; two contexts of the same system were seen to
   differ by ~10 % on their own). A and B alternate in pairs whose order flips every pair
   (A B, B A, A B ...), so a load change hits both; the figure is the median over pairs of the
   per-pair ratio t_B / t_A − 1, with the spread (min–max and interquartile range of the ratios),
   in wall time and in process CPU time (all threads; less sensitive to being descheduled).
   Two workflows:
   a. diffusion: aspirin (GAFF2/AM1-BCC, cached) + 216 TIP3P, PME; ``run_steps`` with a position
      sample every 0.1 ps (as :func:`water_box_diffusion` runs it);
   b. binding PMF: aspirin beside the frozen Au(111) patch (Heinz LJ) in OBC2 implicit water, one
      umbrella window (:func:`window_simulation`); ``sample_distance`` records the centre distance
      every 0.1 ps (as :func:`binding_free_energy` runs it).
2. xTB profile: seconds per drug of ``molecular_profile(..., xtb=True)`` on the PLGA fragment (GFN2)
   and on the gold fragment (GFN2 fails, GFN1 used), default poses.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


def paired_overhead(
    raw: Callable[[], None], ours: Callable[[], None], pairs: int
) -> dict[str, float]:
    """Time raw() and ours() in alternating pairs; median per-pair overhead and its spread."""
    wall: dict[str, list[float]] = {"raw": [], "ours": []}
    cpu: dict[str, list[float]] = {"raw": [], "ours": []}
    for k in range(pairs):
        order = (("raw", raw), ("ours", ours)) if k % 2 == 0 else (("ours", ours), ("raw", raw))
        for name, fn in order:
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)  # all threads of this process

    def spread(times: dict[str, list[float]]) -> list[float]:
        return sorted(100 * (b / a - 1) for a, b in zip(times["raw"], times["ours"], strict=True))

    over, over_cpu = spread(wall), spread(cpu)
    q = statistics.quantiles(over, n=4) if len(over) >= 2 else [over[0]] * 3
    return {
        "raw_s": statistics.median(wall["raw"]),
        "ours_s": statistics.median(wall["ours"]),
        "overhead_pct": statistics.median(over),
        "min_pct": over[0],
        "max_pct": over[-1],
        "q1_pct": q[0],
        "q3_pct": q[2],
        "cpu_overhead_pct": statistics.median(over_cpu),
        "cpu_min_pct": over_cpu[0],
        "cpu_max_pct": over_cpu[-1],
        "pairs": pairs,
    }


def diffusion_overhead(steps: int, threads: int, pairs: int) -> dict[str, float]:
    """Raw OpenMM vs nanomed's diffusion sampling loop on aspirin in TIP3P."""
    import openmm.unit as u

    from nanomed.molecular.md.diffusion import solvated
    from nanomed.molecular.md.parametrise import parametrise
    from nanomed.molecular.md.system import make_simulation, run_steps

    p = parametrise(ASPIRIN)
    system, top, pos = solvated([p.ffxml], [p.topology_and_positions()], 216, 0.8)
    kw = dict(temperature=298.15, friction_per_ps=1.0, timestep_fs=2.0, seed=1, threads=threads)
    sim = make_simulation(system, top, pos, **kw)
    sim.step(500)  # warm up
    frames: list = []

    def on_sample(state, _step):
        frames.append(state.getPositions(asNumpy=True).value_in_unit(u.nanometer)[:24])

    res = paired_overhead(
        lambda: sim.step(steps),
        lambda: run_steps(sim, steps, every=50, on_sample=on_sample),
        pairs,
    )
    return {**res, "atoms": system.getNumParticles(), "steps": steps}


def pmf_overhead(steps: int, threads: int, pairs: int) -> dict[str, float]:
    """Raw OpenMM vs nanomed's umbrella-window sampling on aspirin beside Au(111), OBC2 water."""
    from nanomed.molecular.md.binding import sample_distance, window_simulation
    from nanomed.molecular.md.carrier import contact_distance, drug_carrier_system

    bs = drug_carrier_system(ASPIRIN, "gold_slab")
    r0 = contact_distance(bs) + 0.1
    kw = dict(force_constant=1000.0, temperature=310.15, timestep_fs=2.0, friction_per_ps=1.0,
              seed=1, threads=threads)  # fmt: skip
    sim = window_simulation(bs, r0, **kw)
    sim.step(1000)
    res = paired_overhead(
        lambda: sim.step(steps), lambda: sample_distance(sim, bs, steps, every=50), pairs
    )
    return {**res, "atoms": bs.system.getNumParticles(), "steps": steps}


def ns_per_day(steps: int, seconds: float, timestep_fs: float = 2.0) -> float:
    """Simulated ns per day of wall time."""
    return steps * timestep_fs * 1e-6 / seconds * 86400


def xtb_seconds() -> dict[str, tuple[float, str]]:
    """Seconds per drug of the xTB profile on two carriers (fresh carrier each time)."""
    from nanomed.molecular import xtb
    from nanomed.molecular.profile import molecular_profile

    out = {}
    for carrier in ("PLGA", "gold"):
        xtb._library_carrier.cache_clear()
        t = time.perf_counter()
        prof = molecular_profile("CC(=O)Oc1ccccc1C(=O)O", carrier, xtb=True)
        out[carrier] = (time.perf_counter() - t, prof["binding_energy"].method)
    return out


def _report(label: str, r: dict[str, float], threads: int) -> None:
    print(
        f"{label} ({r['atoms']} atoms), CPU {threads} threads, {r['steps']} steps x {r['pairs']} "
        f"A/B pairs: raw OpenMM {ns_per_day(r['steps'], r['raw_s']):.1f} ns/day, nanomed "
        f"{ns_per_day(r['steps'], r['ours_s']):.1f} ns/day (medians); overhead median "
        f"{r['overhead_pct']:+.1f} % (IQR {r['q1_pct']:+.1f} .. {r['q3_pct']:+.1f} %, range "
        f"{r['min_pct']:+.1f} .. {r['max_pct']:+.1f} %); CPU-time overhead median "
        f"{r['cpu_overhead_pct']:+.1f} % (range {r['cpu_min_pct']:+.1f} .. "
        f"{r['cpu_max_pct']:+.1f} %); target <= 5 %"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer steps and pairs, skip xTB")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=None, help="A/B pairs per workflow")
    args = ap.parse_args()
    pairs = args.pairs or (4 if args.quick else 9)
    d = diffusion_overhead(1000 if args.quick else 2500, args.threads, pairs)
    _report("MD diffusion, aspirin + 216 TIP3P", d, args.threads)
    p = pmf_overhead(2000 if args.quick else 10000, args.threads, pairs)
    _report("MD PMF window, aspirin + Au(111) patch, OBC2", p, args.threads)
    if not args.quick:
        for carrier, (sec, method) in xtb_seconds().items():
            print(f"xTB profile, aspirin on {carrier}: {sec:.1f} s per drug ({method})")


if __name__ == "__main__":
    main()
