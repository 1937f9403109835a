"""Benchmark: fit the empirical release library to the 181 Bannigan profiles.

Compares, in the same run, nanomed's batched engine (``fit_library``) with a plain loop of
``scipy.optimize.curve_fit`` over the same models and profiles. The baseline is made fair:

- the same fit windows (Korsmeyer-Peppas on F <= 0.6) and the same free parameters;
- the model's bounds, passed to curve_fit (which then uses its 'trf' method);
- the same starting point as nanomed's first start (the model's linearisation of the data),
  nudged inside the bounds, so the baseline does not suffer from a poor p0.

Prints profiles per second for both, the speed ratio, and the fit quality side by side: median R2
of all fits and of the best model per profile (by AICc), and the fraction of fits where each
method reaches a lower SSE (ties within 1e-6 relative are counted apart).

Usage: ``python benchmarks/release_fit.py [--repeats 3] [--models a,b,c]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit

from nanomed.datasets import load_release_curves
from nanomed.release.curves import read_release_curves
from nanomed.release.empirical import empirical_model_names, parse_model_spec
from nanomed.release.fitting import fit_library, fit_metrics


def curve_fit_loop(curves, specs: list[str]) -> pd.DataFrame:
    """The baseline: one curve_fit call per (profile, model)."""
    rows = []
    profiles = [
        (pid, g["time"].to_numpy(float), g["fraction_released"].to_numpy(float))
        for pid, g in curves.data.groupby("profile_id", sort=False)
    ]
    for spec in specs:
        model = parse_model_spec(spec, time_unit=curves.time_unit)
        names = model.param_names()
        fixed = model.fixed
        free = [i for i, n in enumerate(names) if n not in fixed]
        base = np.array([fixed.get(n, model.values[n]) for n in names])
        lo = np.array([model.parameters[names[i]].bounds[0] for i in free], dtype=object)
        hi = np.array([model.parameters[names[i]].bounds[1] for i in free], dtype=object)
        lo = np.array([-np.inf if v is None else v for v in lo], dtype=float)
        hi = np.array([np.inf if v is None else v for v in hi], dtype=float)
        n_core = len(model.core_specs)
        for pid, t, f in profiles:
            keep = (
                np.ones_like(t, bool)
                if model.fit_max_fraction is None
                else f <= model.fit_max_fraction
            )
            tt, ff = t[keep], f[keep]
            if keep.sum() < len(free):
                continue
            guess = base.copy()
            guess[:n_core] = model.guess(tt[None], ff[None], np.ones((1, tt.size), bool))[0]
            p0 = guess[free]
            span = np.where(np.isfinite(hi - lo), hi - lo, np.maximum(np.abs(p0), 1.0))
            p0 = np.clip(p0, lo + 1e-6 * span, hi - 1e-6 * span)

            def func(x: np.ndarray, *p: float, model=model, base=base, free=free) -> np.ndarray:
                theta = base.copy()
                theta[free] = p
                with np.errstate(all="ignore"):
                    y = model.function(x, theta[None])[0]
                return np.where(np.isfinite(y), y, 1e3)

            ok = True
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", OptimizeWarning)
                    popt, _ = curve_fit(func, tt, ff, p0=p0, bounds=(lo, hi), maxfev=2000)
            except (RuntimeError, ValueError):
                popt, ok = p0, False
            sse = float(np.sum((ff - func(tt, *popt)) ** 2))
            rows.append(
                {
                    "profile_id": pid,
                    "model": spec,
                    "sse": sse,
                    "sst": float(np.sum((ff - ff.mean()) ** 2)),
                    "n_points": int(keep.sum()),
                    "n_params": len(free),
                    "ok": ok,
                    "ranked": model.fit_max_fraction is None,
                }
            )
    df = pd.DataFrame(rows)
    met = fit_metrics(df["sse"], df["sst"], df["n_points"], df["n_params"])
    for k, v in met.items():
        df[k] = v
    return df


def best_r2(df: pd.DataFrame) -> pd.Series:
    d = df[df["ranked"] & np.isfinite(df["aicc"])]
    return d.loc[d.groupby("profile_id")["aicc"].idxmin(), "r2"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats (best is kept)")
    ap.add_argument("--models", default=",".join(empirical_model_names()))
    args = ap.parse_args()
    specs = [s.strip() for s in args.models.split(",") if s.strip()]
    curves = read_release_curves(load_release_curves(), time_unit="day")
    n_prof = len(curves.profile_ids)

    t_fast, t_base = [], []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        lib = fit_library(curves, specs)
        t_fast.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        base = curve_fit_loop(curves, specs)
        t_base.append(time.perf_counter() - t0)
    fast = lib.to_dataframe()

    merged = fast.merge(base, on=["profile_id", "model"], suffixes=("_fast", "_cf"))
    rel = (merged["sse_cf"] - merged["sse_fast"]) / np.maximum(merged["sse_cf"], 1e-12)
    fast_better = float((rel > 1e-6).mean())
    cf_better = float((rel < -1e-6).mean())
    tie = 1.0 - fast_better - cf_better
    better_aicc = float((merged["aicc_fast"] < merged["aicc_cf"] - 1e-6).mean())
    worse_aicc = float((merged["aicc_fast"] > merged["aicc_cf"] + 1e-6).mean())

    tf, tb = min(t_fast), min(t_base)
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_version()}")
    print(f"{n_prof} profiles x {len(specs)} models = {len(merged)} fits compared")
    print(f"{'':24s}{'fit_library':>14s}{'curve_fit loop':>16s}")
    print(f"{'wall time [s]':24s}{tf:14.2f}{tb:16.2f}")
    print(f"{'profiles / s':24s}{n_prof / tf:14.1f}{n_prof / tb:16.1f}")
    print(f"{'median R2 (all fits)':24s}{fast['r2'].median():14.4f}{base['r2'].median():16.4f}")
    print(
        f"{'median best R2 (AICc)':24s}{best_r2(fast).median():14.4f}{best_r2(base).median():16.4f}"
    )
    print(
        f"{'10th pct best R2':24s}{best_r2(fast).quantile(0.1):14.4f}{best_r2(base).quantile(0.1):16.4f}"
    )
    print(f"{'failed fits':24s}{len(lib.failed):14d}{int((~base['ok']).sum()):16d}")
    print(f"speed ratio (curve_fit / fit_library): {tb / tf:.1f}x")
    print(
        f"lower SSE: fit_library {fast_better:.1%}, curve_fit {cf_better:.1%}, tie {tie:.1%}; "
        f"lower AICc: fit_library {better_aicc:.1%}, curve_fit {worse_aicc:.1%}"
    )
    worst = merged.assign(rel=rel).sort_values("rel").head(5)
    print("largest curve_fit wins (relative SSE):")
    print(worst[["profile_id", "model", "sse_fast", "sse_cf", "rel"]].to_string(index=False))


if __name__ == "__main__":
    main()
