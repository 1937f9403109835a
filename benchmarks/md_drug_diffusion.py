"""MD diffusivity of a drug in water against its measured value (a validation, not a timing).

Run: ``.venv/bin/python benchmarks/md_drug_diffusion.py [--ps 1000] [--replicas 2] [--jobs 2]
[--smiles S --name N --measured D]``

Benzoic acid (GAFF2/AM1-BCC, neutral) in 216 TIP3P waters at 298.15 K, Nosé–Hoover production,
MSD to 25 ps lags (many time origins for one molecule), Yeh–Hummer corrected, then rescaled to real
water by the same run's water D (:attr:`DiffusionResult.d_real_water`). Measured: the undissociated
molecule 0.900 (± 0.006) × 1e-9 m²/s at 25 °C (Noulty & Leaist, J. Chem. Eng. Data 32:418, 1987;
see tests/validation/test_drug_diffusivity.py). Replicas differ by seed and run in parallel
processes; the figure is their mean ± standard error.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

BENZOIC_ACID = "OC(=O)c1ccccc1"
MEASURED = 0.900e-9  # m²/s, Noulty & Leaist (1987)


def replica(smiles: str, seed: int, production_ps: float, max_lag_ps: float) -> dict[str, float]:
    from nanomed.molecular.md.diffusion import water_box_diffusion

    t0 = time.perf_counter()
    r = water_box_diffusion(
        smiles, temperature=298.15, equilibration_ps=10.0, production_ps=production_ps,
        max_lag_ps=max_lag_ps, seed=seed, threads=1,
    )  # fmt: skip
    return {
        "seed": seed,
        "tip3p": r.d_corrected,
        "water": r.solvent_d_corrected,
        "real": r.d_real_water,
        "kinetic_t": r.kinetic_temperature,
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ps", type=float, default=1000.0, help="production per replica [ps]")
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-lag", type=float, default=25.0, help="longest MSD lag [ps]")
    ap.add_argument("--smiles", default=BENZOIC_ACID)
    ap.add_argument("--name", default="benzoic acid")
    ap.add_argument("--measured", type=float, default=MEASURED, help="m2/s at 298.15 K")
    ap.add_argument("--source", default="Noulty & Leaist 1987")
    args = ap.parse_args()
    from nanomed.molecular.descriptors import compute_descriptors
    from nanomed.molecular.diffusivity import wilke_chang
    from nanomed.molecular.md.parametrise import parametrise

    parametrise(args.smiles)  # once, before the processes share the cache
    seeds = list(range(args.first_seed, args.first_seed + args.replicas))
    n = len(seeds)
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(replica, [args.smiles] * n, seeds, [args.ps] * n, [args.max_lag] * n))
    for r in rows:
        print(
            f"seed {r['seed']}: D(TIP3P, Yeh-Hummer) {r['tip3p']:.3g}, water in the same run "
            f"{r['water']:.3g}, rescaled to real water {r['real']:.3g} m2/s; mean T "
            f"{r['kinetic_t']:.1f} K; {r['seconds']:.0f} s"
        )
    real = [r["real"] for r in rows]
    mean = statistics.fmean(real)
    se = statistics.stdev(real) / len(real) ** 0.5 if len(real) > 1 else float("nan")
    wc = wilke_chang(compute_descriptors(args.smiles).molar_volume, 298.15) * 1e-4
    ref = args.measured
    print(
        f"{args.name}, {len(real)} x {args.ps:g} ps: MD rescaled {mean:.3g} +- {se:.2g} m2/s "
        f"({(mean / ref - 1) * 100:+.0f} %), Wilke-Chang {wc:.3g} ({(wc / ref - 1) * 100:+.0f} %), "
        f"measured {ref:.3g} ({args.source}); "
        f"unscaled TIP3P {statistics.fmean(r['tip3p'] for r in rows):.3g}"
    )


if __name__ == "__main__":
    main()
