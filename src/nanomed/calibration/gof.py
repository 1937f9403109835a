"""Goodness of fit as PBPK users report it: fold errors, AAFE, AFE, R² in log space, and plots.

Definitions (e.g. Obach RS et al., J Pharmacol Exp Ther 283:46 (1997) for fold errors; Poulin P,
Theil F-P, J Pharm Sci 91:1358 (2002) for AFE/AAFE):

- fold error ``pred/obs``; "within 2-fold" means ``1/2 <= pred/obs <= 2`` (bounds included);
- AFE = 10^(mean log10(pred/obs)) (bias), AAFE = 10^(mean |log10(pred/obs)|) (precision);
- R² in log space = 1 - Σ(log10 obs - log10 pred)² / Σ(log10 obs - mean log10 obs)².

The functions take a long table with columns ``observed`` and ``predicted`` (and ``time``,
``scenario``, ``compartment`` for the per-group table and the plots), as returned by
:meth:`nanomed.calibration.CalibrationResult.to_dataframe`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nanomed.core.errors import DataError

__all__ = ["gof_metrics", "gof_table", "plot_observed_vs_predicted", "plot_residuals_vs_time"]


def gof_metrics(observed: ArrayLike, predicted: ArrayLike) -> dict[str, float]:
    """Return n, fraction within 2- and 3-fold, AFE, AAFE and R² (log10 space).

    Parameters
    ----------
    observed, predicted : array
        Positive values in the same unit.

    Returns
    -------
    dict
        ``n``, ``within_2fold``, ``within_3fold`` (fractions in [0, 1]), ``afe``, ``aafe``,
        ``r2_log`` (NaN when fewer than two points or all observations equal).
    """
    try:
        obs, pred = np.asarray(observed, float).ravel(), np.asarray(predicted, float).ravel()
    except (TypeError, ValueError):
        raise DataError("gof: observed and predicted values must be numbers") from None
    if obs.shape != pred.shape:
        raise DataError(f"gof: {obs.size} observed but {pred.size} predicted values")
    if obs.size == 0:
        raise DataError("gof: no observations to score")
    if np.any(~np.isfinite(obs) | (obs <= 0)) or np.any(~np.isfinite(pred) | (pred <= 0)):
        raise DataError("gof: observed and predicted values must be finite and > 0")
    lr = np.log10(pred / obs)
    ratio = pred / obs
    lo, lp = np.log10(obs), np.log10(pred)
    ss_tot = float(np.sum((lo - lo.mean()) ** 2))
    r2 = 1.0 - float(np.sum((lo - lp) ** 2)) / ss_tot if obs.size > 1 and ss_tot > 0 else np.nan
    return {
        "n": int(obs.size),
        "within_2fold": float(np.mean((ratio >= 0.5) & (ratio <= 2.0))),
        "within_3fold": float(np.mean((ratio >= 1 / 3) & (ratio <= 3.0))),
        "afe": float(10.0 ** lr.mean()),
        "aafe": float(10.0 ** np.abs(lr).mean()),
        "r2_log": r2,
    }


def gof_table(df: pd.DataFrame, by: str | list[str] = "scenario") -> pd.DataFrame:
    """Goodness-of-fit metrics per group (default per scenario) plus an ``all`` row."""
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in ["observed", "predicted", *keys] if c not in df]
    if missing:
        raise DataError(f"gof: table lacks column(s) {', '.join(missing)}")
    rows = []
    for name, grp in df.groupby(keys, sort=True):
        label = dict(zip(keys, name if isinstance(name, tuple) else (name,), strict=True))
        rows.append({**label, **gof_metrics(grp["observed"], grp["predicted"])})
    rows.append({**dict.fromkeys(keys, "all"), **gof_metrics(df["observed"], df["predicted"])})
    return pd.DataFrame(rows)


def plot_observed_vs_predicted(df: pd.DataFrame, ax: Any = None, hue: str = "scenario") -> Any:
    """Log-log observed vs predicted, with the unity line and the 2-fold band; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    groups = df.groupby(hue, sort=True) if hue in df else [("", df)]
    for name, grp in groups:
        ax.scatter(grp["observed"], grp["predicted"], s=18, alpha=0.8, label=str(name))
    lo = float(min(df["observed"].min(), df["predicted"].min())) / 3
    hi = float(max(df["observed"].max(), df["predicted"].max())) * 3
    line = np.array([lo, hi])
    ax.plot(line, line, "k-", lw=1, label="unity")
    ax.plot(line, 2 * line, "k--", lw=0.8, label="2-fold")
    ax.plot(line, line / 2, "k--", lw=0.8)
    ax.set(xscale="log", yscale="log", xlim=(lo, hi), ylim=(lo, hi))
    ax.set_xlabel("observed")
    ax.set_ylabel("predicted")
    ax.legend(fontsize="small")
    return ax


def plot_residuals_vs_time(df: pd.DataFrame, ax: Any = None, hue: str = "scenario") -> Any:
    """Log residuals ln(obs) - ln(pred) against time, with the zero line; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    res = np.log(df["observed"].to_numpy(float)) - np.log(df["predicted"].to_numpy(float))
    data = df.assign(_res=res)
    groups = data.groupby(hue, sort=True) if hue in data else [("", data)]
    for name, grp in groups:
        ax.scatter(grp["time"], grp["_res"], s=18, alpha=0.8, label=str(name))
    ax.axhline(0.0, color="k", lw=1)
    ax.set_xlabel("time")
    ax.set_ylabel("ln(observed) - ln(predicted)")
    ax.legend(fontsize="small")
    return ax
