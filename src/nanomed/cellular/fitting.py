"""Fitting uptake and viability models to time-course data (long CSV) with the shared engine.

Input: one row per measurement, columns ``series_id, time, value`` (time in hours), plus
``concentration`` for viability data. Models:

* ``uptake`` — saturating first-order uptake per series, ``U(t) = U_max (1 - exp(-k t))``
  (the pseudo-first-order uptake of :class:`~nanomed.cellular.uptake.UptakeModel` with no
  receptor depletion); ``U_max`` in the unit of ``value``, ``k`` in 1/h.
* ``viability`` — surviving fraction under constant exposure with a Hill kill rate shared by all
  series (Jusko, J Pharm Sci 60:892, 1971), ``S(t, C) = exp(-kmax C^n / (EC50^n + C^n) t)``.

Both are fitted by :class:`nanomed.calibration.Calibration`, the engine every scale uses: each
series (each series and concentration, for viability) is a scenario; ``U_max`` and ``k_uptake``
are ``per_scenario`` parameters, ``kmax``, ``EC50`` and ``hill`` are ``shared``. The engine fits
ln(parameters) within wide search bounds, with log-normal residuals ln(obs) - ln(pred) (a
constant coefficient of variation, as for most plate-reader and cytometry read-outs; Bates &
Watts 1988), and reports Fisher (and, on request, profile-likelihood) confidence intervals.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nanomed.calibration import Calibration, CalibrationResult, FitParameter
from nanomed.core.errors import DataError, InputError, not_utf8, plain
from nanomed.core.results import Result

__all__ = [
    "FIT_MODELS",
    "TimecourseFit",
    "check_timecourse",
    "fit_timecourse",
    "read_timecourse",
    "uptake_curve",
    "viability_curve",
]

FIT_MODELS = ("uptake", "viability")
_UNITS = {"U_max": "value unit", "k_uptake": "1/h", "kmax": "1/h", "EC50": "concentration unit",
          "hill": "-"}  # fmt: skip


def read_timecourse(path: str | Path, model: str = "uptake") -> pd.DataFrame:
    """Read and check a long-format time-course CSV; errors name the row and column."""
    path = Path(path)
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: empty file (expected a header series_id,time,value)") from None
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    except (OSError, pd.errors.ParserError) as exc:
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
    # a blank id would become the series "nan" (or be blamed on another column downstream)
    blank = out["series_id"].isna() | out["series_id"].astype(str).str.strip().eq("")
    if blank.any():
        i = int(np.nonzero(blank.to_numpy())[0][0])
        raise DataError(f"{where}: line {i + 2}, column 'series_id': empty")
    out["series_id"] = out["series_id"].astype(str)
    for col in need[1:]:
        num = pd.to_numeric(out[col], errors="coerce")
        bad = num.isna() | ~np.isfinite(num) | (num < 0)
        if bad.any():
            i = int(np.nonzero(bad.to_numpy())[0][0])
            raise DataError(
                f"{where}: row {i + 2}, column {col!r}: expected a finite number >= 0, "
                f"got {plain(df[col].iloc[i])!r}"
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


def uptake_curve(time_h: np.ndarray, u_max: float, k_per_h: float) -> np.ndarray:
    """Saturating first-order uptake ``U_max (1 - exp(-k t))``, in the unit of ``u_max``.

    >>> float(uptake_curve(np.array([np.log(2) / 0.5]), 100.0, 0.5)[0])
    50.0
    """
    return u_max * (1.0 - np.exp(-k_per_h * np.asarray(time_h, float)))


def viability_curve(
    time_h: np.ndarray, concentration: float, kmax_per_h: float, ec50: float, hill: float
) -> np.ndarray:
    """Surviving fraction ``exp(-kmax C^n / (EC50^n + C^n) t)`` (Jusko 1971).

    ``concentration`` and ``ec50`` in the same unit.

    >>> round(float(viability_curve(np.array([10.0]), 2.0, 0.1, 2.0, 1.0)[0]), 4)  # exp(-0.5)
    0.6065
    """
    ratio = (concentration / ec50) ** hill
    return np.exp(-kmax_per_h * ratio / (1.0 + ratio) * np.asarray(time_h, float))


class TimecourseFit(Result):
    """Fitted parameters and predictions of :func:`fit_timecourse`.

    ``data`` has one row per fitted value: ``series_id`` (``"all"`` for shared parameters),
    ``parameter``, ``value``, ``unit``, ``std_error`` (delta method from the SE of ln value),
    ``rse_percent``, ``fisher_lower``/``fisher_upper`` (confidence interval at
    ``metadata["level"]``), ``at_bound``, ``identifiable``, and ``profile_lower``/
    ``profile_upper`` when profiles were computed. ``predictions`` holds every input row with a
    ``fitted`` column and ``excluded`` (the reason a row was left out of the fit, else empty);
    ``calibration`` is the engine's :class:`~nanomed.calibration.CalibrationResult` (statistics,
    correlation, goodness of fit, plots).
    """

    x_column = "time"

    def __init__(
        self,
        data: pd.DataFrame,
        metadata: dict | None = None,
        predictions: pd.DataFrame | None = None,
        rmse: float = math.nan,
        calibration: CalibrationResult | None = None,
    ) -> None:
        super().__init__(data, metadata)
        self.predictions = predictions
        self.rmse = rmse
        self.calibration = calibration

    def value(self, parameter: str, series_id: str | None = None) -> float:
        """One fitted value."""
        df = self.data[self.data["parameter"] == parameter]
        if series_id is not None:
            df = df[df["series_id"] == str(series_id)]
        if df.empty:
            raise InputError(f"no fitted parameter {parameter!r} for series {series_id!r}")
        return float(df["value"].iloc[0])

    def excluded(self) -> pd.DataFrame:
        """Input rows left out of the fit, with the reason (``row`` = line in the CSV)."""
        return pd.DataFrame(self.metadata.get("excluded", []))


def _scenarios(d: pd.DataFrame, model: str) -> pd.Series:
    """Scenario name per row: the series, split by concentration if a series has several."""
    if model == "uptake":
        return d["series_id"]
    many = d.groupby("series_id")["concentration"].transform("nunique") > 1
    label = d["series_id"] + " (C=" + d["concentration"].map("{:g}".format) + ")"
    return label.where(many, d["series_id"])


def _parameters(d: pd.DataFrame, model: str) -> list[FitParameter]:
    """Starting values from the data; search bounds wide (orders of magnitude), not physical."""
    if model == "uptake":
        peaks = d.groupby("scenario")["value"].max().clip(lower=1e-300)
        t_pos = d.loc[d["time"] > 0, "time"]
        # k0 ~ 1/t63, the first time a series reaches 63 % of its maximum
        t63 = [
            float(g.loc[g["value"] >= 0.63 * g["value"].max(), "time"].min())
            for _, g in d.groupby("scenario")
        ]
        k0 = math.exp(np.mean(np.log(np.clip(t63, t_pos.min(), None)))) ** -1
        u0 = math.exp(np.mean(np.log(peaks)))
        k_lo, k_hi = 1e-4 / t_pos.max(), 1e4 / t_pos.min()
        return [
            FitParameter("U_max", u0, peaks.min() * 1e-3, peaks.max() * 1e3,
                         scope="per_scenario", unit=_UNITS["U_max"]),
            FitParameter("k_uptake", min(max(k0, k_lo), k_hi), k_lo, k_hi,
                         scope="per_scenario", unit=_UNITS["k_uptake"]),
        ]  # fmt: skip
    c = d["concentration"]
    pos = c[c > 0]
    lo, hi = (float(pos.min()), float(pos.max())) if len(pos) else (1.0, 1.0)
    t_max = max(float(d["time"].max()), 1e-12)
    return [
        FitParameter("kmax", min(0.1, 1e3 / t_max), 1e-6 / t_max, 1e4 / t_max, unit="1/h"),
        FitParameter("EC50", float(np.median(pos)) if len(pos) else 1.0, lo * 1e-4, hi * 1e4,
                     unit=_UNITS["EC50"]),
        FitParameter("hill", 1.0, 0.05, 20.0, unit="-"),
    ]  # fmt: skip


def fit_timecourse(
    df: pd.DataFrame, model: str = "uptake", *, profile: bool = False, level: float = 0.95
) -> TimecourseFit:
    """Fit ``uptake`` (per series) or ``viability`` (shared Hill kill) to a long table.

    The shared engine :class:`nanomed.calibration.Calibration` fits log-normal residuals
    ln(obs) - ln(pred), so rows that cannot enter them are excluded from the fit, listed in
    :meth:`TimecourseFit.excluded` and the ``excluded`` column of ``predictions`` with the
    reason, and announced by one ``UserWarning``: values of 0 (e.g. uptake at t = 0, or no
    surviving cells), and for ``uptake`` every row at t = 0 (the model gives U(0) = 0 there).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``series_id, time, value`` (+ ``concentration`` for viability); time in h.
    model : {"uptake", "viability"}
        Which model (module docstring).
    profile : bool
        Also compute profile-likelihood intervals (slower; Fisher intervals are always given).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    TimecourseFit
        One row per fitted parameter with its standard error, interval and unit;
        ``predictions`` holds the data with a ``fitted`` column; ``rmse`` is the root mean
        square of ``value - fitted`` over the rows with a prediction, in the unit of ``value``.

    Examples
    --------
    >>> t = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    >>> df = pd.DataFrame({"series_id": "a", "time": t, "value": uptake_curve(t, 50.0, 0.25)})
    >>> fit = fit_timecourse(df, "uptake")
    >>> round(fit.value("U_max", "a"), 3), round(fit.value("k_uptake", "a"), 4)
    (50.0, 0.25)
    """
    d = check_timecourse(df, model).reset_index(drop=True)
    d["scenario"] = _scenarios(d, model)
    d["excluded"] = ""
    if model == "uptake":
        d.loc[d["time"] == 0, "excluded"] = "uptake model gives U(0) = 0: no log residual at t = 0"
    d.loc[(d["excluded"] == "") & (d["value"] <= 0), "excluded"] = (
        "value <= 0 cannot enter log residuals"
    )
    used = d[d["excluded"] == ""]
    if used.empty:
        why = "value > 0 and time > 0" if model == "uptake" else "value > 0"
        raise DataError(f"{model} fit: no row to fit (need {why} for log residuals)")
    if (d["excluded"] != "").any():
        lines = ", ".join(str(i + 2) for i in d.index[d["excluded"] != ""][:10])
        warnings.warn(
            f"{model} fit: {int((d['excluded'] != '').sum())} row(s) excluded from the fit "
            f"(lines {lines}; see TimecourseFit.excluded())",
            UserWarning,
            stacklevel=2,
        )
    compartment = "uptake" if model == "uptake" else "viability"
    obs = pd.DataFrame({"scenario": used["scenario"], "time": used["time"],
                        "compartment": compartment, "value": used["value"],
                        "unit": "dimensionless"})  # fmt: skip
    conc = d.groupby("scenario")["concentration"].first() if model == "viability" else None
    times = {s: np.unique(g["time"].to_numpy()) for s, g in used.groupby("scenario")}

    def simulate(p: dict[str, float], scenario: str) -> pd.DataFrame:
        t = times[scenario]
        if model == "uptake":
            value = uptake_curve(t, p["U_max"], p["k_uptake"])
        else:
            value = viability_curve(t, conc[scenario], p["kmax"], p["EC50"], p["hill"])
        return pd.DataFrame({"time": t, "compartment": compartment, "value": value})

    cal = Calibration(simulate, _parameters(used, model), obs, time_unit="h")
    result = cal.fit(profile=profile, level=level)
    table = _parameter_table(result, d, profile)
    fitted = np.full(len(d), math.nan)  # stays NaN only for a series with no usable row
    for s, g in d.groupby("scenario"):
        if s in result.values:
            fitted[g.index] = _curve(model, g, result.values[s])
    pred = d.drop(columns="scenario").assign(fitted=fitted)
    pred = pred[[c for c in pred.columns if c != "excluded"] + ["excluded"]]
    ok = np.isfinite(fitted)
    rmse = float(np.sqrt(np.mean((d["value"].to_numpy()[ok] - fitted[ok]) ** 2)))
    stats = result.statistics()
    excluded = d.loc[d["excluded"] != ""].assign(row=lambda x: x.index + 2)
    meta: dict[str, Any] = {
        "model": model,
        "n_points": len(d),
        "n_fitted": int(stats["n"]),
        "rmse": rmse,
        "level": level,
        "engine": "nanomed.calibration.Calibration (log-normal residuals)",
        "success": result.metadata["success"],
        "sigma_log": stats["sigma"],
        "aic": stats["aic"],
        "bic": stats["bic"],
        "excluded": excluded[["row", "series_id", "time", "value", "excluded"]]
        .rename(columns={"excluded": "reason"})
        .to_dict(orient="records"),
    }
    return TimecourseFit(table, meta, predictions=pred, rmse=rmse, calibration=result)


def _curve(model: str, g: pd.DataFrame, p: dict[str, float]) -> np.ndarray:
    """The fitted curve at every row of one scenario (also at excluded times)."""
    if model == "uptake":
        return uptake_curve(g["time"].to_numpy(), p["U_max"], p["k_uptake"])
    c = float(g["concentration"].iloc[0])
    return viability_curve(g["time"].to_numpy(), c, p["kmax"], p["EC50"], p["hill"])


def _parameter_table(result: CalibrationResult, d: pd.DataFrame, profile: bool) -> pd.DataFrame:
    """The engine's estimates as one row per (series, parameter)."""
    est = result.estimates()
    series = d.drop_duplicates("scenario").set_index("scenario")["series_id"]
    rows = []
    for e in est.itertuples(index=False):
        row = {
            "series_id": str(series[e.scenario]) if e.scenario else "all",
            "parameter": e.parameter,
            "value": e.estimate,
            "unit": _UNITS[e.parameter],
            "std_error": e.estimate * e.se_internal,  # delta method: se(θ) = θ se(ln θ)
            "rse_percent": e.rse_percent,
            "fisher_lower": e.fisher_lower,
            "fisher_upper": e.fisher_upper,
            "at_bound": e.at_bound,
            "identifiable": e.identifiable,
        }
        if profile:
            row |= {"profile_lower": e.profile_lower, "profile_upper": e.profile_upper}
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {sid: i for i, sid in enumerate(["all", *dict.fromkeys(d["series_id"])])}
    return table.sort_values("series_id", key=lambda c: c.map(order), kind="stable").reset_index(
        drop=True
    )
