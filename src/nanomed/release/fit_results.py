"""Results of release-curve fits: one model on one profile, many models on many profiles.

:class:`FitResult` (from :func:`~nanomed.release.fitting.fit_model`, or
:meth:`LibraryFit.result`) holds one profile's points with fitted values and residuals, and the
parameters with standard errors and 95 % confidence intervals. :class:`LibraryFit` (from
:func:`~nanomed.release.fitting.fit_library`) holds one row per (profile, model) with metrics,
rank and parameters in wide form, and the curves themselves, so that plots and
:meth:`LibraryFit.result` work after :meth:`LibraryFit.load`. Both are :class:`Result` objects
(``to_dataframe``, ``save``, ``load``, ``plot``).
"""

from __future__ import annotations

import os
from typing import Any, Self

import numpy as np
import pandas as pd

from nanomed.core.errors import InputError
from nanomed.core.results import Result
from nanomed.release.base import ReleaseModel
from nanomed.release.empirical import EmpiricalModel, parse_model_spec

__all__ = ["METRICS", "FitResult", "LibraryFit"]

#: goodness-of-fit metrics stored with every fit (see :func:`nanomed.release.fitting.fit_metrics`)
METRICS = ("sse", "r2", "adj_r2", "rmse", "aic", "aicc", "bic", "msc")


class FitResult(Result):
    """One model fitted to one profile.

    ``data`` has one row per point: ``time``, ``observed``, ``fitted``, ``residual``
    (observed - fitted), ``weight`` and ``used`` (False for points outside the model's fit
    window). ``metadata`` holds the model spec, parameters (value, unit, SE, 95 % CI, fixed),
    metrics and convergence.

    ``model`` (optional) is the fitted model instance, kept in memory so that models absent from
    the registry (unregistered custom models) still predict; a loaded result re-creates the model
    from its spec.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        metadata: dict[str, Any] | None = None,
        *,
        model: ReleaseModel | None = None,
    ) -> None:
        super().__init__(data, metadata)
        self._model = model

    @classmethod
    def build(
        cls,
        model: ReleaseModel,
        spec: str,
        profile_id: str,
        time_unit: str,
        *,
        points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any],
        params: list[dict[str, Any]],
        metrics: dict[str, float],
        converged: bool,
    ) -> FitResult:
        """Assemble a result from its pieces.

        ``points`` is ``(time, observed, fitted, weight, used)``; ``params`` one dict per
        parameter (name, value, unit, se, ci_low, ci_high, fixed); ``metrics`` as
        :func:`~nanomed.release.fitting.fit_metrics` plus ``n_points`` and ``n_params``.
        """
        t, f, fitted, w, used = points
        data = pd.DataFrame(
            {"time": t, "observed": f, "fitted": fitted, "residual": f - fitted, "weight": w}
        )
        data["used"] = used
        meta = {
            "profile_id": profile_id,
            "model": spec,
            "time_unit": time_unit,
            "parameters": params,
            "metrics": metrics,
            "converged": converged,
            "reference": getattr(model, "reference", ""),
        }
        return cls(data, meta, model=model)

    @property
    def model_spec(self) -> str:
        return str(self.metadata["model"])

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameter values (free and fixed)."""
        return {p["name"]: p["value"] for p in self.metadata["parameters"]}

    @property
    def metrics(self) -> dict[str, float]:
        """R2, adjusted R2, RMSE, AIC, AICc, BIC, MSC, SSE, n_points, n_params."""
        return dict(self.metadata["metrics"])

    @property
    def converged(self) -> bool:
        return bool(self.metadata["converged"])

    def parameter_table(self) -> pd.DataFrame:
        """One row per parameter: value, unit, se, ci_low, ci_high, fixed."""
        return pd.DataFrame(self.metadata["parameters"])

    def model(self) -> ReleaseModel:
        """The model with the fitted values."""
        m = self._model
        if m is None:
            m = parse_model_spec(self.model_spec, time_unit=self.metadata.get("time_unit"))
        return m.with_values(**self.params)

    def predict(self, t: Any) -> np.ndarray:
        """Fitted fraction released at ``t`` [time unit of the data] (unclipped for empirical)."""
        m = self.model()
        t = m._times(t)  # finite and >= 0, or a one-line error
        if isinstance(m, EmpiricalModel):
            return m.function(t.ravel(), [[self.params[n] for n in m.param_names()]])[0].reshape(
                t.shape
            )
        return m.fraction_released(t)

    def summary(self) -> pd.DataFrame:
        return self.parameter_table()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Data points and the fitted curve."""
        from nanomed.release.plots import plot_fit

        return plot_fit(self, ax=ax, **kwargs)


class LibraryFit(Result):
    """Many models fitted to many profiles.

    ``data`` (``to_dataframe()``) has one row per (profile, model): metrics, rank (1 = best by
    ``rank_by`` among the models fitted on the whole profile), convergence and the parameters in
    wide form (``<name>``, ``<name>_se``, ``<name>_ci_low``, ``<name>_ci_high``). ``metadata``
    holds the failed (profile, model) pairs with reasons, the ranking criterion, the time unit,
    notes and the curves themselves (so that plots and :meth:`result` work after :meth:`load`).
    ``models`` (optional) maps model specs to the fitted instances, kept in memory as for
    :class:`FitResult`.
    """

    x_column = "time"

    def __init__(
        self,
        data: pd.DataFrame,
        metadata: dict[str, Any] | None = None,
        *,
        models: dict[str, ReleaseModel] | None = None,
    ) -> None:
        super().__init__(data, metadata)
        self._models = dict(models or {})

    @property
    def rank_by(self) -> str:
        return str(self.metadata.get("rank_by", "aicc"))

    @property
    def failed(self) -> pd.DataFrame:
        """Profiles (model empty) or (profile, model) pairs that were not fitted, with reasons."""
        return pd.DataFrame(
            self.metadata.get("failed", []), columns=["profile_id", "model", "reason"]
        )

    @property
    def curves(self) -> pd.DataFrame:
        return pd.DataFrame(
            self.metadata.get("curves", {"profile_id": [], "time": [], "fraction_released": []})
        )

    def best(self) -> pd.DataFrame:
        """Best model per profile (rank 1), with parameters, CIs and metrics."""
        df = self.data[self.data["rank"] == 1].copy()
        params = sorted({p for ps in df["param_names"] for p in ps.split(",") if p})
        pcols = {
            c for p in self._all_params() for c in (p, f"{p}_se", f"{p}_ci_low", f"{p}_ci_high")
        }
        cols = [c for c in df.columns if c not in pcols]
        keep = [*cols, *[c for p in params for c in (p, f"{p}_se", f"{p}_ci_low", f"{p}_ci_high")]]
        extra = self.metadata.get("profile_columns")
        out = df[keep].rename(columns={"model": "best_model"}).reset_index(drop=True)
        if extra:
            out = out.merge(pd.DataFrame(extra), on="profile_id", how="left")
        return out

    def _all_params(self) -> list[str]:
        return sorted({p for ps in self.data["param_names"] for p in ps.split(",") if p})

    def parameters(self) -> pd.DataFrame:
        """Long table: profile_id, model, parameter, value, unit, se, ci_low, ci_high, fixed."""
        rows = []
        for rec in self.data.to_dict("records"):
            units = dict(
                zip(rec["param_names"].split(","), rec["param_units"].split(";"), strict=True)
            )
            free = set(rec["free_params"].split(","))
            for p in rec["param_names"].split(","):
                rows.append(
                    {
                        "profile_id": rec["profile_id"],
                        "model": rec["model"],
                        "parameter": p,
                        "value": rec[p],
                        "unit": units[p],
                        "se": rec[f"{p}_se"],
                        "ci_low": rec[f"{p}_ci_low"],
                        "ci_high": rec[f"{p}_ci_high"],
                        "fixed": p not in free,
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """Per model: profiles fitted, times ranked best, median R2."""
        d = self.data
        g = d.groupby("model", sort=False)
        out = pd.DataFrame(
            {
                "fitted": g.size(),
                "best": g["rank"].apply(lambda r: int((r == 1).sum())),
                "median_r2": g["r2"].median(),
                "converged": g["converged"].mean(),
            }
        )
        return out.sort_values("best", ascending=False, kind="stable").reset_index()

    def result(self, profile_id: str, model: str | None = None) -> FitResult:
        """The :class:`FitResult` of one profile (its best model when ``model`` is None)."""
        d = self.data[self.data["profile_id"] == str(profile_id)]
        if d.empty:
            raise InputError(f"profile {profile_id!r} was not fitted")
        row = d[d["rank"] == 1] if model is None else d[d["model"] == model]
        if row.empty:
            raise InputError(f"profile {profile_id!r}: no fit of model {model!r}")
        rec = row.iloc[0].to_dict()
        c = self.curves
        c = c[c["profile_id"] == str(profile_id)]
        w = c["weight"].to_numpy() if "weight" in c else np.ones(len(c))
        return result_from_record(
            rec,
            c["time"].to_numpy(),
            c["fraction_released"].to_numpy(),
            w,
            self.metadata.get("time_unit", "h"),
            model=self._models.get(rec["model"]),
        )

    def plot(self, profile_id: str | None = None, ax: Any = None, **kwargs: Any) -> Any:
        """Data vs best fit of one profile (the first one when not given)."""
        pid = profile_id if profile_id is not None else str(self.data["profile_id"].iloc[0])
        return self.result(pid).plot(ax=ax, **kwargs)

    @classmethod
    def load(cls, stem: str | os.PathLike[str]) -> Self:
        return super().load(stem)


def result_from_record(
    rec: dict[str, Any],
    t: np.ndarray,
    f: np.ndarray,
    w: np.ndarray,
    time_unit: str,
    *,
    model: ReleaseModel | None = None,
) -> FitResult:
    """Rebuild one :class:`FitResult` from a :class:`LibraryFit` row and its profile's points.

    ``model`` is the fitted model instance when known, otherwise it is re-created from its spec.
    """
    if model is None:
        model = parse_model_spec(rec["model"], time_unit=time_unit)
    names = rec["param_names"].split(",")
    units = rec["param_units"].split(";")
    free = set(rec["free_params"].split(","))
    params = [
        {
            "name": p,
            "value": float(rec[p]),
            "unit": u,
            "se": float(rec[f"{p}_se"]),
            "ci_low": float(rec[f"{p}_ci_low"]),
            "ci_high": float(rec[f"{p}_ci_high"]),
            "fixed": p not in free,
        }
        for p, u in zip(names, units, strict=True)
    ]
    values = {p["name"]: p["value"] for p in params}
    if isinstance(model, EmpiricalModel):
        fitted = model.function(t, [[values[n] for n in model.param_names()]])[0]
        used = (
            np.ones(len(t), bool) if model.fit_max_fraction is None else f <= model.fit_max_fraction
        )
    else:
        fitted = model.with_values(**values).fraction_released(t)
        used = np.ones(len(t), bool)
    metrics = {k: float(rec[k]) for k in METRICS}
    metrics.update(n_points=int(rec["n_points"]), n_params=int(rec["n_params"]))
    return FitResult.build(
        model,
        rec["model"],
        str(rec["profile_id"]),
        time_unit,
        points=(t, f, fitted, w, used),
        params=params,
        metrics=metrics,
        converged=bool(rec["converged"]),
    )


def record_from_result(res: FitResult) -> dict[str, Any]:
    """One :class:`LibraryFit` row (metrics, parameters in wide form) from a :class:`FitResult`."""
    table = res.parameter_table()
    rec: dict[str, Any] = {
        "profile_id": res.metadata["profile_id"],
        "model": res.model_spec,
        "converged": res.converged,
        **{k: v for k, v in res.metrics.items()},
        "ranked": True,
        "param_names": ",".join(table["name"]),
        "param_units": ";".join(table["unit"]),
        "free_params": ",".join(table.loc[~table["fixed"], "name"]),
    }
    for p in table.to_dict("records"):
        rec[p["name"]] = p["value"]
        rec[f"{p['name']}_se"] = p["se"]
        rec[f"{p['name']}_ci_low"] = p["ci_low"]
        rec[f"{p['name']}_ci_high"] = p["ci_high"]
    return rec
