"""Fitting uptake and viability models to time-course data (long CSV).

Input: one row per measurement, columns ``series_id, time, value`` (time in hours), plus
``concentration`` for viability data. Models:

* ``uptake`` — saturating first-order uptake per series, ``U(t) = U_max (1 - exp(-k t))``
  (the pseudo-first-order uptake of :class:`~nanomed.cellular.uptake.UptakeModel` with no
  receptor depletion); ``U_max`` in the unit of ``value``, ``k`` in 1/h.
* ``viability`` — surviving fraction under constant exposure with a Hill kill rate shared by all
  series (Jusko, J Pharm Sci 60:892, 1971), ``S(t, C) = exp(-kmax C^n / (EC50^n + C^n) t)``.

The release scale's :func:`nanomed.release.fitting.fit_model` fits fraction-released curves
(values in 0-1, one curve per call); uptake amounts are not fractions and the viability model
shares parameters across series, so this module calls :func:`scipy.optimize.least_squares`
directly (log-parameters keep them positive) and reports standard errors from the Jacobian.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from nanomed.core.errors import DataError, InputError, SolverError
from nanomed.core.results import Result

__all__ = ["FIT_MODELS", "TimecourseFit", "fit_timecourse", "read_timecourse"]

FIT_MODELS = ("uptake", "viability")


def read_timecourse(path: str | Path, model: str = "uptake") -> pd.DataFrame:
    """Read and check a long-format time-course CSV; errors name the row and column."""
    path = Path(path)
    try:
        df = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({str(exc).splitlines()[0]})") from None
    return check_timecourse(df, model, where=str(path))


def check_timecourse(df: pd.DataFrame, model: str, where: str = "data") -> pd.DataFrame:
    """Validate columns and values of a time-course table (see module docstring)."""
    if model not in FIT_MODELS:
        raise InputError(f"unknown model {model!r} (known: {', '.join(FIT_MODELS)})")
    need = ["series_id", "time", "value"] + (["concentration"] if model == "viability" else [])
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(f"{where}: missing column(s) {', '.join(missing)} (need {', '.join(need)})")
    out = df[need].copy()
    out["series_id"] = out["series_id"].astype(str)
    for col in need[1:]:
        num = pd.to_numeric(out[col], errors="coerce")
        bad = num.isna() | ~np.isfinite(num) | (num < 0)
        if bad.any():
            i = int(np.nonzero(bad.to_numpy())[0][0])
            raise DataError(
                f"{where}: row {i + 2}, column {col!r}: expected a finite number >= 0, "
                f"got {df[col].iloc[i]!r}"
            )
        out[col] = num.astype(float)
    if model == "viability" and (out["value"] > 1.5).any():
        i = int(np.nonzero((out["value"] > 1.5).to_numpy())[0][0])
        raise DataError(
            f"{where}: row {i + 2}: viability must be a fraction (0-1), got {out['value'].iloc[i]}"
        )
    if len(out) < 3:
        raise DataError(f"{where}: need at least 3 rows, got {len(out)}")
    return out


class TimecourseFit(Result):
    """Fitted parameters (``data``: series_id, parameter, value, std_error, unit) and predictions."""

    def __init__(
        self,
        data: pd.DataFrame,
        metadata: dict | None = None,
        predictions: pd.DataFrame | None = None,
        rmse: float = math.nan,
    ) -> None:
        super().__init__(data, metadata)
        self.predictions = predictions
        self.rmse = rmse

    x_column = "time"

    def value(self, parameter: str, series_id: str | None = None) -> float:
        """One fitted value."""
        df = self.data[self.data["parameter"] == parameter]
        if series_id is not None:
            df = df[df["series_id"] == str(series_id)]
        if df.empty:
            raise InputError(f"no fitted parameter {parameter!r} for series {series_id!r}")
        return float(df["value"].iloc[0])


def _uptake_predict(x: np.ndarray, t: np.ndarray, sid: np.ndarray) -> np.ndarray:
    umax, k = np.exp(x[0::2])[sid], np.exp(x[1::2])[sid]
    return umax * (1.0 - np.exp(-k * t))


def _viability_predict(x: np.ndarray, t: np.ndarray, c: np.ndarray) -> np.ndarray:
    kmax, ec50, hill = np.exp(x)
    ratio = (c / ec50) ** hill
    return np.exp(-kmax * ratio / (1.0 + ratio) * t)


def fit_timecourse(df: pd.DataFrame, model: str = "uptake") -> TimecourseFit:
    """Fit ``uptake`` (per series) or ``viability`` (shared Hill kill) to a long table.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``series_id, time, value`` (+ ``concentration`` for viability); time in h.
    model : {"uptake", "viability"}
        Which model (module docstring).

    Returns
    -------
    TimecourseFit
        One row per fitted parameter with its standard error and unit; ``predictions`` holds
        the data with a ``fitted`` column.
    """
    d = check_timecourse(df, model)
    t = d["time"].to_numpy()
    y = d["value"].to_numpy()
    if model == "uptake":
        series, sid = np.unique(d["series_id"].to_numpy(), return_inverse=True)
        x0 = []
        for j in range(series.size):
            ys, ts = y[sid == j], t[sid == j]
            umax0 = max(float(ys.max()), 1e-12)
            t63 = float(ts[ys >= 0.63 * umax0].min(initial=ts.max()))  # ~1/k for 1 - exp(-kt)
            k0 = 1.0 / max(t63, 1e-6)
            x0 += [math.log(umax0), math.log(max(k0, 1e-6))]
        fun = lambda x: _uptake_predict(x, t, sid) - y  # noqa: E731
        names = [("U_max", "value unit"), ("k_uptake", "1/h")]
    else:
        c = d["concentration"].to_numpy()
        pos = c[c > 0]
        ec0 = float(np.median(pos)) if pos.size else 1.0
        x0 = [math.log(0.1), math.log(ec0), 0.0]
        fun = lambda x: _viability_predict(x, t, c) - y  # noqa: E731
        series = np.array(["all"])
        names = [("kmax", "1/h"), ("EC50", "concentration unit"), ("hill", "-")]
    sol = least_squares(fun, np.array(x0, dtype=float), method="lm" if len(y) > len(x0) else "trf")
    if not np.all(np.isfinite(sol.x)):
        raise SolverError(f"{model} fit did not converge: {sol.message}")
    n, p = len(y), len(sol.x)
    dof = max(n - p, 1)
    s2 = float(sol.fun @ sol.fun) / dof
    try:
        cov_log = np.linalg.inv(sol.jac.T @ sol.jac) * s2
        se_log = np.sqrt(np.clip(np.diag(cov_log), 0, None))
    except np.linalg.LinAlgError:
        se_log = np.full(p, np.nan)
    vals = np.exp(sol.x)
    rows = []
    per = len(names)
    for j, s in enumerate(series):
        for i, (name, unit) in enumerate(names):
            q = j * per + i
            # delta method: se(theta) = theta se(log theta)
            rows.append(
                {
                    "series_id": str(s),
                    "parameter": name,
                    "value": vals[q],
                    "std_error": vals[q] * se_log[q],
                    "unit": unit,
                }
            )
    pred = d.copy()
    pred["fitted"] = fun(sol.x) + y
    rmse = float(np.sqrt(np.mean(sol.fun**2)))
    meta = {"model": model, "n_points": n, "rmse": rmse, "engine": "scipy.optimize.least_squares"}
    return TimecourseFit(pd.DataFrame(rows), meta, predictions=pred, rmse=rmse)
