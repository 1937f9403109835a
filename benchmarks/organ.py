"""Organ-scale timing: one mouse simulation and a batch of random formulations, CVODE vs scipy BDF.

Run: ``.venv/bin/python benchmarks/organ.py [--n 1000] [--n-scipy 100] [--chunk 32]``

1. One mouse simulation (doxorubicin-loaded PEGylated carrier with first-order release, tumour,
   7 days, hourly outputs): full ``simulate_organ`` (declare + solve + outputs) and solve only,
   CVODE against scipy ``solve_ivp`` (BDF) with the same analytic sparse Jacobian and tolerances.
2. ``--n`` random formulations (size, zeta, PEG, loading, EE, dose, release rate): simulations per
   second for CVODE one by one, CVODE through the batched (stacked) path, and scipy BDF one by one
   on the first ``--n-scipy`` of the same formulations (rates compared per simulation).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nanomed.organ import build_organ_model, output_times, simulate_many, simulate_organ
from nanomed.release.base import get_release_model
from nanomed.schema import Carrier, Dosing, Drug, Formulation, Scenario, Tumour
from nanomed.solvers import CVODESolver, ScipySolver

DRUG = Drug(
    name="doxorubicin",
    molecular_weight=543.5,
    clearance_hepatic=2.0,
    clearance_renal=0.3,
    blood_plasma_ratio=1.2,
    tissue_partition={"heart": 10.0, "liver": 20.0, "rest": 5.0},
)


def scenario(d=100.0, zeta=-10.0, peg=0.5, loading=0.1, ee=0.9, dose=5.0, name="bench") -> Scenario:
    car = Carrier(
        material="liposome",
        hydrodynamic_diameter=d,
        zeta_potential=zeta,
        peg_mw=2000.0 if peg > 0 else 0.0,
        peg_density=peg,
    )
    form = Formulation(
        name=name, drug=DRUG, carrier=car, drug_loading=loading, encapsulation_efficiency=ee
    )
    return Scenario(
        name=name,
        formulation=form,
        tumour=Tumour(mass=0.3),
        dosing=Dosing(dose=dose),
        duration=168.0,
        output_interval=1.0,
    )


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--n-scipy", type=int, default=100)
    ap.add_argument("--chunk", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    rel = get_release_model("first_order", k=0.05)
    sc = scenario()
    model = build_organ_model(sc, rel)
    prob = model.compile().problem()
    t = output_times(sc)
    print(f"model: {prob.n_states} states, {len(model.table.src)} fluxes, {len(t)} outputs")
    cv, bdf = CVODESolver(rtol=1e-6), ScipySolver("BDF", rtol=1e-6)
    s_cv = best_of(lambda: cv.solve(prob, t))
    s_bdf = best_of(lambda: bdf.solve(prob, t), 3)
    f_cv = best_of(lambda: simulate_organ(sc, rel))
    f_bdf = best_of(lambda: simulate_organ(sc, rel, solver="scipy"), 3)
    print("one mouse simulation, 7 days, hourly outputs")
    print(
        f"  solve only   CVODE {1e3 * s_cv:7.1f} ms   scipy BDF {1e3 * s_bdf:7.1f} ms   ratio {s_bdf / s_cv:5.1f}x"
    )
    print(
        f"  simulate_organ CVODE {1e3 * f_cv:5.1f} ms   scipy BDF {1e3 * f_bdf:7.1f} ms   ratio {f_bdf / f_cv:5.1f}x"
    )

    rng = np.random.default_rng(args.seed)
    scs, rels = [], []
    for i in range(args.n):
        scs.append(
            scenario(
                d=float(rng.uniform(20, 300)),
                zeta=float(rng.uniform(-40, 40)),
                peg=float(rng.choice([0.0, rng.uniform(0.05, 1.5)])),
                loading=float(rng.uniform(0.02, 0.3)),
                ee=float(rng.uniform(0.5, 1.0)),
                dose=float(10 ** rng.uniform(-0.5, 1.5)),
                name=f"f{i}",
            )
        )
        rels.append(get_release_model("first_order", k=float(10 ** rng.uniform(-2.5, 0))))

    t0 = time.perf_counter()
    one = [simulate_organ(s, r) for s, r in zip(scs, rels, strict=True)]
    loop_cv = time.perf_counter() - t0
    t0 = time.perf_counter()
    many = simulate_many(scs, rels, chunk_size=args.chunk)
    batch_cv = time.perf_counter() - t0
    k = min(args.n_scipy, args.n)
    t0 = time.perf_counter()
    ref = [simulate_organ(s, r, solver="scipy") for s, r in zip(scs[:k], rels[:k], strict=True)]
    loop_bdf = time.perf_counter() - t0
    diff = max(
        float(np.max(np.abs(a.data["percent_id"].to_numpy() - b.data["percent_id"].to_numpy())))
        for a, b in zip(one[:k], ref, strict=True)
    )
    diff_b = max(
        float(np.max(np.abs(a.data["percent_id"].to_numpy() - b.data["percent_id"].to_numpy())))
        for a, b in zip(one, many, strict=True)
    )
    worst_mb = max(r.metadata["mass_balance_error"] for r in one)
    rate = {"cvode": args.n / loop_cv, "batched": args.n / batch_cv, "bdf": k / loop_bdf}
    print(f"{args.n} random formulations (simulate_organ, 7 days hourly)")
    print(f"  CVODE one by one       {rate['cvode']:7.1f} sims/s")
    print(f"  CVODE batched (x{args.chunk})    {rate['batched']:7.1f} sims/s")
    print(f"  scipy BDF ({k} of them) {rate['bdf']:7.1f} sims/s")
    print(
        f"  ratio CVODE / BDF {rate['cvode'] / rate['bdf']:5.1f}x, batched / BDF {rate['batched'] / rate['bdf']:5.1f}x"
    )
    print(
        f"  max |%ID| difference CVODE vs BDF {diff:.2e}, batched vs single {diff_b:.2e}; "
        f"worst mass balance {worst_mb:.1e}"
    )


if __name__ == "__main__":
    main()
