"""Benchmark: in-vitro dosimetry solves per second for 1,000 particle types (24 h, 3 mm medium).

nanomed: stacked method-of-lines systems (types sorted by transport rate, 32 per batch), scipy BDF
with a tridiagonal LU
(``nanomed.cellular.dosimetry.simulate_dosimetry``). Baseline, in the same run: the plain scipy
method of lines — the same finite-volume discretisation, one ``solve_ivp(method="BDF")`` per
particle type with scipy's own (finite-difference, dense) Jacobian — timed on a random sample of
the types and reported as solves per second. Both use the same grid and tolerances; the script
also reports the largest difference of the delivered fractions between the two.

Usage: ``python benchmarks/cellular.py [--n-types 1000] [--n-baseline 50] [--n-cells 100]``.
BLAS threads are pinned to 1 (small dense and banded algebra only; avoids oversubscribing the
shared 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from scipy.integrate import solve_ivp

from nanomed.cellular.dosimetry import (
    Medium,
    ParticleType,
    PerfectSink,
    _stack,
    _tridiagonal,
    settling_velocity,
    simulate_dosimetry,
    stokes_einstein_diffusivity,
)


def particle_types(n: int, seed: int = 0) -> list[ParticleType]:
    """Log-uniform diameters 10-2000 nm, effective densities 1.05-3 g/cm³."""
    rng = np.random.default_rng(seed)
    d = 10 ** rng.uniform(1.0, np.log10(2000.0), n)
    rho = rng.uniform(1.05, 3.0, n)
    return [
        ParticleType(f"p{i}", float(a), float(b))
        for i, (a, b) in enumerate(zip(d, rho, strict=True))
    ]


def baseline(
    ps: list[ParticleType], n_cells: int, t: np.ndarray, rtol: float, atol: float
) -> np.ndarray:
    """One plain solve_ivp (BDF, no Jacobian given) per type on the same discretisation."""
    med = Medium()
    out = []
    for p in ps:
        v = np.array([settling_velocity(p, med)])
        dif = np.array([stokes_einstein_diffusivity(p, med)])
        mat = _stack(*_tridiagonal(v, dif, 0.3, n_cells, PerfectSink())).toarray()
        y0 = np.r_[np.ones(n_cells), 0.0]
        sol = solve_ivp(
            lambda _t, y, m=mat: m @ y,
            (t[0], t[-1]),
            y0,
            method="BDF",
            t_eval=t,
            rtol=rtol,
            atol=atol,
        )
        out.append(sol.y[n_cells])
    return np.array(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-types", type=int, default=1000)
    ap.add_argument("--n-baseline", type=int, default=50)
    ap.add_argument("--n-cells", type=int, default=100)
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-9)
    args = ap.parse_args()
    ps = particle_types(args.n_types)
    t = np.linspace(0.0, 24.0, 97)

    t0 = time.perf_counter()
    res = simulate_dosimetry(
        ps, height_mm=3.0, times_h=t, n_cells=args.n_cells, rtol=args.rtol, atol=args.atol
    )
    t_batch = time.perf_counter() - t0

    rng = np.random.default_rng(1)
    idx = rng.choice(len(ps), size=min(args.n_baseline, len(ps)), replace=False)
    t0 = time.perf_counter()
    base = baseline([ps[i] for i in idx], args.n_cells, t, args.rtol, args.atol)
    t_base = time.perf_counter() - t0

    rate_batch = len(ps) / t_batch
    rate_base = len(idx) / t_base
    diff = float(np.abs(res.fraction[idx] - base).max())
    print(f"particle types: {len(ps)}, cells: {args.n_cells}, 24 h, 3 mm, rtol {args.rtol:g}")
    print(f"nanomed batched BDF (tridiagonal LU): {t_batch:.2f} s -> {rate_batch:.1f} solves/s")
    print(
        f"baseline solve_ivp per type ({len(idx)} sampled): {t_base:.2f} s -> {rate_base:.2f} solves/s"
    )
    print(f"speed ratio: {rate_batch / rate_base:.1f}x")
    print(f"max |delivered fraction difference| on the sample: {diff:.2e}")
    print(f"mass balance error: {res.mass_balance_error:.1e}")


if __name__ == "__main__":
    main()
