"""Fitting release models to measured curves, one profile or a whole library at once.

Two entry points:

- :func:`fit_model` fits one model to one profile. Empirical models go through the batched engine
  (:mod:`nanomed.release.lm`: one profile, several starts); any other :class:`ReleaseModel` (the
  mechanistic ones) goes through :func:`scipy.optimize.least_squares` on its bounded parameters,
  calling ``model.with_values(...).fraction_released(t)``.
- :func:`fit_library` fits many models to many profiles: the fast path.

The fast path (documented in docs/release/fitting.md; the engine is :mod:`nanomed.release.lm`):

1. Profiles are padded into (profiles x points) arrays with a mask, grouped by length so that
   padding stays small; Korsmeyer-Peppas masks out points above F = 0.6 (DDSolver convention).
2. Bounds become smooth transforms (log for one-sided bounds, logistic for two-sided bounds,
   log-space for positive bounds spanning decades), so the optimiser works unconstrained.
3. Starting values come from linearisations of each model (log-log for Korsmeyer-Peppas,
   -ln(1-F) for first order, ln(-ln(1-F)) for Weibull, ...), plus ``n_starts - 1`` random
   perturbations of them.
4. A batched Levenberg-Marquardt (numpy; forward-difference Jacobians evaluated for every
   profile and start in one call of the vectorised model function) runs on all profiles and
   starts at once; converged rows leave the active set. The best start per profile is kept.
5. Profiles whose LM did not converge are polished with scipy ``least_squares``.
6. Standard errors come from the Jacobian in the original parameters at the optimum:
   cov = s**2 (J' W J)**-1 with s**2 = SSE / (n - p); 95 % CIs use Student-t quantiles.

Metrics (:func:`fit_metrics`) and ranking live here; the result classes :class:`FitResult` and
:class:`LibraryFit` live in :mod:`nanomed.release.fit_results` and are re-exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from nanomed.core.checks import as_integer, as_numbers
from nanomed.core.errors import DataError, InputError, NanomedError, SolverError
from nanomed.release.base import ReleaseModel
from nanomed.release.curves import (
    MAX_FRACTION,
    MIN_FRACTION,
    PERCENT_THRESHOLD,
    ReleaseCurves,
    read_release_curves,
)
from nanomed.release.empirical import (
    EmpiricalModel,
    empirical_model_names,
    parse_model_spec,
)
from nanomed.release.environment import get_environment
from nanomed.release.fit_results import (
    METRICS,
    FitResult,
    LibraryFit,
    record_from_result,
    result_from_record,
)
from nanomed.release.lm import (
    BoundsTransform,
    ModelFit,
    Profiles,
    difference_steps,
    fit_group,
    length_groups,
    resolved,
)

__all__ = [
    "METRICS",
    "RANK_CRITERIA",
    "FitResult",
    "LibraryFit",
    "fit_library",
    "fit_metrics",
    "fit_model",
]

#: ranking criteria -> True when larger is better
RANK_CRITERIA = {
    "aicc": False,
    "aic": False,
    "bic": False,
    "sse": False,
    "rmse": False,
    "r2": True,
    "adj_r2": True,
    "msc": True,
}


# -------------------------------------------------------------------------------------------
# statistics of a fit
# -------------------------------------------------------------------------------------------


def fit_metrics(sse: Any, sst: Any, n: Any, p: Any) -> dict[str, np.ndarray]:
    """Goodness-of-fit metrics from (weighted) SSE, total SS about the mean, n points, p params.

    R2 = 1 - SSE/SST; adjusted R2 = 1 - (1 - R2)(n - 1)/(n - p); RMSE = sqrt(SSE/n);
    AIC = n ln(SSE/n) + 2K, AICc = AIC + 2K(K + 1)/(n - K - 1), BIC = n ln(SSE/n) + K ln n with
    K = p + 1 (the residual variance counts as a parameter; Burnham & Anderson, Model Selection
    and Multimodel Inference, 2nd ed., 2002, sec. 2.2); MSC = ln(SST/SSE) - 2p/n (DDSolver's
    model selection criterion, Zhang et al. 2010). Undefined values are NaN.
    """
    sse = np.asarray(sse, dtype=float)
    sst = np.asarray(sst, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.asarray(p, dtype=float)
    k = p + 1.0
    with np.errstate(all="ignore"):
        s = np.maximum(sse, 1e-300)
        r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.nan)
        adj = np.where(n > p, 1.0 - (1.0 - r2) * (n - 1.0) / np.where(n > p, n - p, 1.0), np.nan)
        ll = n * np.log(s / np.maximum(n, 1.0))
        aic = ll + 2.0 * k
        aicc = np.where(
            n - k - 1.0 > 0,
            aic + 2.0 * k * (k + 1.0) / np.where(n - k - 1 > 0, n - k - 1.0, 1.0),
            np.nan,
        )
        bic = ll + k * np.log(np.maximum(n, 1.0))
        msc = np.where(sst > 0, np.log(np.where(sst > 0, sst, 1.0) / s) - 2.0 * p / n, np.nan)
        rmse = np.sqrt(sse / n)
    return {
        "sse": sse,
        "r2": r2,
        "adj_r2": adj,
        "rmse": rmse,
        "aic": aic,
        "aicc": aicc,
        "bic": bic,
        "msc": msc,
    }


# -------------------------------------------------------------------------------------------
# public entry points
# -------------------------------------------------------------------------------------------


def _tq(dof: np.ndarray) -> np.ndarray:
    from scipy.stats import t as student_t

    dof = np.asarray(dof, dtype=float)
    return np.where(dof > 0, student_t.ppf(0.975, np.maximum(dof, 1)), np.nan)


def _records(
    model: EmpiricalModel, spec: str, names: list[str], free: list[str], mf: ModelFit
) -> list[dict[str, Any]]:
    """Turn raw fits into table rows (metrics, parameters with CIs)."""
    if not mf.ids:
        return []
    met = fit_metrics(mf.sse, mf.sst, mf.n, np.full(len(mf.ids), mf.q))
    tq = _tq(mf.n - mf.q)
    rows = []
    for i, pid in enumerate(mf.ids):
        units = model.units_for(dict(zip(names, mf.theta[i].tolist(), strict=True)))
        rec: dict[str, Any] = {
            "profile_id": pid,
            "model": spec,
            "converged": bool(mf.converged[i]),
            "n_points": int(mf.n[i]),
            "n_params": int(mf.q),
            **{k: float(v[i]) for k, v in met.items()},
            "ranked": getattr(model, "fit_max_fraction", None) is None,
            "param_names": ",".join(names),
            "param_units": ";".join(units),
            "free_params": ",".join(free),
        }
        for j, nm in enumerate(names):
            v, se = float(mf.theta[i, j]), float(mf.se[i, j])
            rec[nm] = v
            rec[f"{nm}_se"] = se
            rec[f"{nm}_ci_low"] = v - tq[i] * se
            rec[f"{nm}_ci_high"] = v + tq[i] * se
        rows.append(rec)
    return rows


def _rank(df: pd.DataFrame, rank_by: str) -> pd.DataFrame:
    if rank_by not in RANK_CRITERIA:
        raise InputError(f"rank_by must be one of {', '.join(RANK_CRITERIA)}, got {rank_by!r}")
    higher = RANK_CRITERIA[rank_by]
    df = df.copy()
    # numeric even when every fit failed (an empty table has object columns)
    value = pd.to_numeric(df[rank_by], errors="coerce").astype(float)
    key = value.where(df["ranked"].astype(bool) & np.isfinite(value))
    df["rank"] = (
        key.groupby(df["profile_id"]).rank(method="first", ascending=not higher).astype("Int64")
    )
    return df


def _spec(model: ReleaseModel) -> str:
    """The label of a model in tables: its spec (``"weibull+fmax"``) or its name."""
    return model.spec if isinstance(model, EmpiricalModel) else model.name


def _profiles_from(curves: ReleaseCurves) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    d = curves.data
    out = []
    for pid, g in d.groupby("profile_id", sort=False):
        w = g["weight"].to_numpy(float) if "weight" in g else np.ones(len(g))
        out.append((str(pid), g["time"].to_numpy(float), g["fraction_released"].to_numpy(float), w))
    return out


def fit_library(
    curves: pd.DataFrame | ReleaseCurves,
    models: Iterable[str | ReleaseModel] | None = None,
    *,
    rank_by: str = "aicc",
    time_unit: str | None = None,
    n_starts: int = 4,
    seed: int = 0,
    max_iter: int = 200,
    progress: Callable[[int, int, str], None] | None = None,
) -> LibraryFit:
    """Fit every model to every profile of a release-curve library (the fast path).

    Parameters
    ----------
    curves : DataFrame or ReleaseCurves
        Long format ``profile_id, time, fraction_released`` (+ optional ``weight`` and
        formulation columns). A DataFrame is checked with :func:`read_release_curves`
        (percent/fraction auto-detected); profiles with bad rows are listed as failed.
    models : iterable of str or ReleaseModel, optional
        Model specs (``"weibull+fmax"``) or instances; default all built-in empirical models.
    rank_by : str
        Ranking criterion, one of :data:`RANK_CRITERIA` (default AICc, smaller is better).
    time_unit : str, optional
        Unit of ``time`` (default: the ReleaseCurves' unit, or ``"h"`` for a DataFrame).
    n_starts : int
        Starting points per profile and model (1 linearised + random perturbations).
    seed : int
        Seed of the random starts.
    max_iter : int
        Levenberg-Marquardt iterations before polishing with scipy.
    progress : callable, optional
        ``progress(done, total, model_spec)`` after each model.

    Returns
    -------
    LibraryFit
    """
    if isinstance(curves, pd.DataFrame):
        curves = read_release_curves(curves, time_unit=time_unit or "h")
    elif not isinstance(curves, ReleaseCurves):
        raise InputError(
            f"curves must be a DataFrame or ReleaseCurves, got {type(curves).__name__}"
        )
    tu = time_unit or curves.time_unit
    if isinstance(models, str | ReleaseModel):  # one model, not its letters
        models = [models]
    specs = list(models) if models is not None else empirical_model_names()
    if not specs:
        raise InputError("no models to fit")
    if rank_by not in RANK_CRITERIA:
        raise InputError(f"rank_by must be one of {', '.join(RANK_CRITERIA)}, got {rank_by!r}")
    n_starts = as_integer(n_starts, "n_starts", 1)
    max_iter = as_integer(max_iter, "max_iter", 1)
    seed = _check_seed(seed)
    instances = [parse_model_spec(s, time_unit=tu) for s in specs]
    failed: list[dict[str, str]] = [
        {"profile_id": r.profile_id, "model": "", "reason": r.reason}
        for r in curves.failed.itertuples()
    ]
    items = _profiles_from(curves)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for k, model in enumerate(instances):
        spec = _spec(model)
        if isinstance(model, EmpiricalModel):
            fixed = model.fixed
            names = model.param_names()
            free = [n for n in names if n not in fixed]
            for group in length_groups(items):
                mf = fit_group(
                    model,
                    fixed,
                    Profiles.build(group),
                    n_starts=n_starts,
                    rng=rng,
                    max_iter=max_iter,
                )
                rows.extend(_records(model, spec, names, free, mf))
                failed.extend(
                    {"profile_id": p, "model": spec, "reason": r} for p, r in mf.skipped.items()
                )
        else:
            for pid, t, f, w in items:
                try:
                    res = fit_model(
                        model, t, f, weights=w, n_starts=n_starts, seed=seed, profile_id=pid
                    )
                except NanomedError as exc:
                    failed.append({"profile_id": pid, "model": spec, "reason": str(exc)})
                    continue
                rows.append(record_from_result(res))
        if progress is not None:
            progress(k + 1, len(instances), spec)
    columns = ["profile_id", "model", "converged", "n_points", "n_params", *METRICS, "ranked"]
    df = (
        pd.DataFrame(rows)
        if rows
        else pd.DataFrame(columns=[*columns, "param_names", "param_units", "free_params"])
    )
    df = _rank(df, rank_by)
    if len(df):  # profiles in input order, models in the order asked
        p_order = {pid: i for i, (pid, *_) in enumerate(items)}
        m_order = {spec: i for i, spec in enumerate(dict.fromkeys(df["model"]))}
        key = df["profile_id"].map(p_order) * (len(m_order) + 1) + df["model"].map(m_order)
        df = df.iloc[np.argsort(key.to_numpy(), kind="stable")]
    order = ["profile_id", "model", "rank", *columns[2:]]
    df = df[[*order, *[c for c in df.columns if c not in order]]]
    curve_cols = [
        "profile_id",
        "time",
        "fraction_released",
        *(["weight"] if "weight" in curves.data else []),
    ]
    meta = {
        "rank_by": rank_by,
        "time_unit": tu,
        "models": [_spec(m) for m in instances],
        "n_profiles": len(items) + len(curves.failed),
        "failed": failed,
        "notes": list(curves.notes),
        "n_starts": n_starts,
        "seed": seed,
        "curves": curves.data[curve_cols].to_dict("list"),
        "profile_columns": curves.profile_columns().to_dict("list") if len(curves.data) else {},
    }
    return LibraryFit(df.reset_index(drop=True), meta, models={_spec(m): m for m in instances})


def fit_model(
    model: str | ReleaseModel,
    t: Any,
    f: Any,
    *,
    weights: Any = None,
    fixed: dict[str, float] | None = None,
    n_starts: int = 8,
    seed: int = 0,
    time_unit: str | None = None,
    environment: Any = None,
    profile_id: str = "profile",
) -> FitResult:
    """Fit one release model to one profile by (weighted) least squares.

    Parameters
    ----------
    model : str or ReleaseModel
        Model spec (``"weibull+fmax"``) or instance (empirical or mechanistic).
    t : array_like
        Times [``time_unit``], finite, >= 0, strictly increasing.
    f : array_like
        Fraction released at ``t`` (0-1).
    weights : array_like, optional
        Positive weights of the squared residuals (default 1).
    fixed : dict, optional
        Parameters held at given values, in addition to the model's default-fixed ones
        (``t_lag = 0`` and ``f_max = 1`` for empirical models unless freed in the spec, e.g.
        ``"weibull+lag+fmax"``).
    n_starts : int
        Starting points (the first from linearisation or the model defaults, the others random).
    seed : int
        Seed of the random starts.
    time_unit : str, optional
        Unit of ``t`` (sets the units of rate parameters; default the model's).
    environment : str or Environment, optional
        Release medium passed to mechanistic models.
    profile_id : str
        Label stored in the result.

    Returns
    -------
    FitResult
    """
    m = parse_model_spec(model, time_unit=time_unit)
    t = as_numbers(t, f"profile {profile_id!r}: t").ravel()
    f = as_numbers(f, f"profile {profile_id!r}: f").ravel()
    w = np.ones_like(t) if weights is None else as_numbers(weights, "weights").ravel()
    _check_profile(profile_id, t, f, w)
    _check_fraction(profile_id, f)
    if fixed is not None and not isinstance(fixed, Mapping):
        raise InputError(f"fixed must be a dict of parameter values, got {fixed!r}")
    n_starts = as_integer(n_starts, "n_starts", 1)
    seed = _check_seed(seed)
    get_environment(environment)
    tu = time_unit or m.time_unit
    if isinstance(m, EmpiricalModel):
        # the caller's values are held in addition to the default-fixed ones (t_lag, f_max)
        fx = {**m.fixed, **(fixed or {})}
        names = m.param_names()
        free = [n for n in names if n not in fx]
        prof = Profiles.build([(profile_id, t, f, w)])
        mf = fit_group(
            m, fx, prof, n_starts=n_starts, rng=np.random.default_rng(seed), max_iter=500
        )
        if mf.skipped:
            raise DataError(f"profile {profile_id!r}, model {m.spec}: {mf.skipped[profile_id]}")
        rec = _records(m, m.spec, names, free, mf)[0]
        rec["rank"] = 1
        return result_from_record(rec, t, f, w, tu, model=m)
    return _fit_generic(m, t, f, w, fixed or {}, n_starts, seed, environment, profile_id, tu)


def _check_profile(pid: str, t: np.ndarray, f: np.ndarray, w: np.ndarray) -> None:
    if not (t.shape == f.shape == w.shape):
        raise InputError(f"profile {pid!r}: t, f and weights must have the same length")
    if t.size == 0:
        raise DataError(f"profile {pid!r}: no points")
    for name, x in (("time", t), ("fraction_released", f), ("weight", w)):
        if not np.all(np.isfinite(x)):
            i = int(np.flatnonzero(~np.isfinite(x))[0])
            raise DataError(f"profile {pid!r}, point {i}: non-finite {name}")
    if np.any(t < 0):
        raise DataError(f"profile {pid!r}, point {int(np.argmax(t < 0))}: negative time")
    if np.any(np.diff(t) <= 0):
        raise DataError(
            f"profile {pid!r}, point {int(np.argmax(np.diff(t) <= 0)) + 1}: times not strictly increasing"
        )
    if np.any(w <= 0):
        raise DataError(
            f"profile {pid!r}, point {int(np.argmax(w <= 0))}: weights must be positive"
        )


def _check_fraction(pid: str, f: np.ndarray) -> None:
    """Fractions in [-0.05, 1.2] as :func:`read_release_curves` accepts; percents are refused."""
    bad = (f < MIN_FRACTION) | (f > MAX_FRACTION)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        hint = " (percent? divide by 100)" if f.max() > PERCENT_THRESHOLD else ""
        raise DataError(
            f"profile {pid!r}, point {i}: fraction_released {f[i]:g} outside "
            f"{MIN_FRACTION:g}-{MAX_FRACTION:g}{hint}"
        )


def _check_seed(seed: Any) -> int | None:
    """A seed for :func:`numpy.random.default_rng`: None or an integer >= 0."""
    return None if seed is None else as_integer(seed, "seed", 0)


def _fit_generic(
    model: ReleaseModel,
    t: np.ndarray,
    f: np.ndarray,
    w: np.ndarray,
    fixed: dict[str, float],
    n_starts: int,
    seed: int,
    environment: Any,
    pid: str,
    time_unit: str,
) -> FitResult:
    """Multi-start scipy least_squares in transformed parameters, for any ReleaseModel."""
    from scipy.optimize import least_squares

    names = list(model.parameters)
    unknown = set(fixed) - set(names)
    if unknown:
        raise InputError(
            f"{model.name}: cannot fix unknown parameter(s) {', '.join(sorted(unknown))}"
        )
    free = [n for n in names if n not in fixed]
    q = len(free)
    if len(t) < max(q, 1):
        raise DataError(
            f"profile {pid!r}, model {model.name}: {len(t)} point(s) for {q} parameter(s)"
        )
    base = model.with_values(**fixed) if fixed else model
    tr = BoundsTransform([model.parameters[n].bounds for n in free])
    sw = np.sqrt(w)

    def theta_of(z: np.ndarray) -> dict[str, float]:
        return dict(zip(free, tr.theta(z[None])[0].tolist(), strict=True))

    def predict(z: np.ndarray) -> np.ndarray:
        return base.with_values(**theta_of(z)).fraction_released(t, environment)

    def fun(z: np.ndarray) -> np.ndarray:
        try:
            r = (f - predict(z)) * sw
        except NanomedError:
            return np.full_like(t, 1e3)
        return np.where(np.isfinite(r), r, 1e3)

    rng = np.random.default_rng(seed)
    z0 = tr.z(np.array([[model.values[n] for n in free]]))[0]
    best = None
    for k in range(max(n_starts, 1)):
        zs = z0 if k == 0 else z0 + rng.normal(0.0, 1.5, size=q)
        try:
            res = least_squares(fun, zs, method="trf", x_scale="jac", max_nfev=200 * (q + 1))
        except (ValueError, np.linalg.LinAlgError):
            continue
        if best is None or res.cost < best.cost:
            best = res
    if best is None:
        raise SolverError(
            f"profile {pid!r}, model {model.name}: least_squares failed from every start"
        )
    theta = np.array([[theta_of(best.x)[n] for n in free]])
    fitted = predict(best.x)
    sse = float(np.sum(w * (f - fitted) ** 2))
    fbar = np.sum(w * f) / np.sum(w)
    sst = float(np.sum(w * (f - fbar) ** 2))
    # Jacobian in the original parameters for the covariance
    jac = np.zeros((len(t), q))
    steps, steps_rel = difference_steps(theta[0], tr.lo, tr.hi, floor=1e-12)
    for j, n in enumerate(free):
        for h in dict.fromkeys([steps_rel[j], steps[j]]):  # relative first where it differs
            vals = {**theta_of(best.x), n: theta[0, j] + h}
            delta = base.with_values(**vals).fraction_released(t, environment) - fitted
            if h == steps[j] or resolved(delta * sw, fitted * sw):
                break
        jac[:, j] = delta / h * sw
    a = jac.T @ jac
    se = np.full(q, np.nan)
    eig = np.linalg.eigvalsh(a) if q else np.zeros(0)
    if q and eig[0] > 1e-12 * max(eig[-1], 1e-300) and len(t) > q:
        se = np.sqrt(np.maximum(np.diag(np.linalg.inv(a)) * sse / (len(t) - q), 0.0))
    tq = float(_tq(np.array(len(t) - q)))
    met = fit_metrics(sse, sst, len(t), q)
    final = base.with_values(**theta_of(best.x))
    params = []
    for n in names:
        is_free = n in free
        j = free.index(n) if is_free else -1
        v = float(final.values[n])
        s = float(se[j]) if is_free else float("nan")
        params.append(
            {
                "name": n,
                "value": v,
                "unit": final.parameters[n].unit,
                "se": s,
                "ci_low": v - tq * s,
                "ci_high": v + tq * s,
                "fixed": not is_free,
            }
        )
    metrics = {k: float(v) for k, v in met.items()}
    metrics.update(n_points=len(t), n_params=q)
    return FitResult.build(
        model,
        model.name,
        pid,
        time_unit,
        points=(t, f, fitted, w, True),
        params=params,
        metrics=metrics,
        converged=bool(best.success),
    )
