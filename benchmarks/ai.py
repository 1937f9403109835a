"""AI layer benchmark: each published protocol, our figure beside the published one.

Run: ``.venv/bin/python benchmarks/ai.py [--quick]`` (full: ~15-25 min on 2 cores; --quick: 3 outer
splits, for a smoke run). The inner hyper-parameter search is smaller than the paper's (10 random
draws scored by GroupKFold(5) instead of 100 draws by GroupKFold(10)) to keep the run time
reasonable on 2 cores; the search space is the published one. Model choice for "select" is made by
GroupKFold(5) on each training part only; the test groups are scored once.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from nanomed.ai.protocols import LIGHTGBM_PUBLISHED_GRID, evaluate


def _row(result, seconds: float, label: str | None = None) -> list[dict]:
    out = []
    for _, r in result.summary().iterrows():
        out.append(
            {
                "protocol": result.protocol.name,
                "model": label or r["model"],
                "target": r["target"],
                "metric": r["metric"],
                "ours": f"{r['mean']:.3f} ± {r['sd']:.3f}",
                "splits": int(r["n_splits"]),
                "published": r["published"],
                "time_s": round(seconds, 1),
            }
        )
    return out


def _run(rows: list[dict], *args, label=None, **kw):
    t0 = time.perf_counter()
    res = evaluate(*args, **kw)
    dt = time.perf_counter() - t0
    rows += _row(res, dt, label)
    print(pd.DataFrame(_row(res, dt, label)).to_string(index=False), flush=True)
    if "chosen" in res.scores and res.scores["chosen"].astype(bool).any():
        print("  chosen per split:", "; ".join(res.scores["chosen"]), flush=True)
    return res, dt


def calibration(quick: bool) -> pd.DataFrame:
    """Coverage of group-conformal intervals of the few-shot random forest on the outer test groups."""
    from nanomed.ai.datasets import load_dataset
    from nanomed.ai.estimators import RandomForestModel
    from nanomed.ai.protocols import protocol_splits
    from nanomed.ai.uncertainty import ConformalRegressor, calibration_report

    ds = load_dataset("bannigan_few_shot")
    frames = []
    for tr, te in protocol_splits("bannigan_few_shot", ds, 3 if quick else 10):
        X, y, g = ds.X.to_numpy(), ds.y.to_numpy(), ds.groups.to_numpy()
        rf = RandomForestModel(n_estimators=100, random_state=0)
        cr = ConformalRegressor(rf, calibration_size=0.25, normalized=True, random_state=0)
        cr.fit(X[tr], y[tr], groups=g[tr])
        ivals = {lv: cr.predict_interval(X[te], lv) for lv in (0.5, 0.8, 0.9, 0.95)}
        conformal = calibration_report(y[te], intervals=ivals).assign(method="group conformal")
        mean, std = cr.estimator_.predict(X[te], return_std=True)
        raw = calibration_report(y[te], mean=mean, std=std).assign(method="forest spread (raw)")
        frames += [conformal, raw]
    rep = pd.concat(frames).groupby(["method", "nominal"])[["coverage", "mean_width"]].mean()
    return rep.reset_index()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated protocol names")
    args = ap.parse_args()
    n = 3 if args.quick else None
    only = set(filter(None, args.only.split(",")))
    rows: list[dict] = []

    def want(name: str) -> bool:
        return not only or name in only

    if want("bannigan_few_shot"):
        _, t_base = _run(
            rows, "bannigan_few_shot", "lightgbm", n_splits=n, label="lightgbm (defaults)"
        )
        _, t_search = _run(
            rows,
            "bannigan_few_shot",
            "lightgbm",
            n_splits=n,
            search=LIGHTGBM_PUBLISHED_GRID,
            search_iter=10,
            inner_splits=5,
            label="lightgbm (published grid, 10 draws, GroupKFold 5)",
        )
        print(f"  search / defaults time ratio: {t_search / t_base:.1f}x", flush=True)
        _run(rows, "bannigan_few_shot", "random_forest", n_splits=n)
        _run(rows, "bannigan_few_shot", "kinetic_forest_boost", n_splits=n)
        _run(rows, "bannigan_few_shot", "select", n_splits=n, label="select (inner GroupKFold 5)")
    if want("bannigan_zero_shot"):
        _run(rows, "bannigan_zero_shot", "random_forest", n_splits=n)
        _run(rows, "bannigan_zero_shot", "lightgbm", n_splits=n)
    if want("nano_tumor"):
        _run(rows, "nano_tumor", "random_forest", n_splits=n)
        _run(rows, "nano_tumor", "lightgbm", n_splits=n)
        _run(rows, "nano_tumor", "gaussian_process", n_splits=n)
    if want("protein_corona"):
        _run(rows, "protein_corona", "random_forest", n_splits=5 if args.quick else None)
    if want("calibration"):
        print("\nCalibration (few-shot random forest, outer test groups):")
        print(calibration(args.quick).to_string(index=False, float_format="%.3f"), flush=True)
    print("\nSummary")
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print(pd.DataFrame(rows).drop(columns=["published"]).to_string(index=False))
    np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
