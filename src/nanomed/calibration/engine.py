"""Fit parameters of any simulator to time-course data; predict scenarios not fitted.

The engine is scale-neutral: it knows nothing of the organ, cellular or any other model. It calls
``simulate(params, scenario)``, which must return a table with columns ``time``, ``compartment``
and ``value`` holding the predictions at the observed times of that scenario, in the unit of the
observations (see :meth:`Calibration.requested`). The organ scale joins it to the PBPK model
(:mod:`nanomed.organ.pbpk_fit`), the cellular scale to uptake and viability time courses
(:mod:`nanomed.cellular.fitting`).

Statistics (Bates DM, Watts DG. *Nonlinear regression analysis and its applications*, Wiley 1988;
Raue A et al. Bioinformatics 25:1923 (2009) for the profile likelihood):

- residuals r = ln(obs) - ln(pred), i.e. log-normal measurement error with one variance σ²,
  estimated as SSR / (n - p);
- least squares (scipy ``least_squares``, trust region reflective) in the space of
  ln(parameter) for ``log=True`` parameters, within the declared bounds;
- Fisher confidence intervals θ ± t(n-p) SE with Cov = σ² (JᵀJ)⁻¹ (J the Jacobian of the
  residuals at the optimum, central differences), back-transformed (asymmetric for log
  parameters), and the correlation matrix;
- profile-likelihood intervals: {θ_j : n ln(SSR_j(θ_j) / SSR_min) <= χ²₁(level)} with the other
  parameters re-optimised (σ profiled out), open at a bound when the profile stays below the
  threshold there;
- log-likelihood of the observed concentrations (log-normal density with σ² = SSR/n),
  AIC = 2k - 2 ln L and BIC = k ln n - 2 ln L with k = p + 1.

Observations come in the long format ``scenario,time,compartment,value,unit``; values are
converted once at load time to one unit per compartment; rows with value <= 0 cannot enter log
residuals and are excluded with a reason (kept in :attr:`Calibration.excluded`, counted in the
summary and announced by a warning).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from numbers import Real
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
import pint

from nanomed.calibration import gof
from nanomed.core.errors import (
    DataError,
    InputError,
    ModelError,
    NanomedError,
    SolverError,
    not_utf8,
)
from nanomed.core.results import Result
from nanomed.core.units import convert, normalise_unit, ureg

__all__ = [
    "COLUMNS",
    "Calibration",
    "CalibrationResult",
    "FitParameter",
    "load_observations",
]

COLUMNS = ("scenario", "time", "compartment", "value", "unit")
Simulator = Callable[[dict[str, float], str], pd.DataFrame]


@dataclass(frozen=True)
class FitParameter:
    """A parameter to estimate.

    Parameters
    ----------
    name : str
        Key under which ``simulate`` receives the value.
    initial, lower, upper : float
        Starting value and bounds, in the unit the simulator expects.
    log : bool
        Estimate ln(value) (requires ``lower > 0``); the natural choice for rate constants,
        volumes and clearances.
    scope : {"shared", "per_scenario"}
        One value for all scenarios, or one value per scenario.
    scenarios : tuple of str, optional
        For ``per_scenario``: the scenarios that use the parameter (default all); other
        scenarios do not receive it.
    unit : str
        Unit of the value, for tables only.
    """

    name: str
    initial: float
    lower: float
    upper: float
    log: bool = True
    scope: Literal["shared", "per_scenario"] = "shared"
    scenarios: tuple[str, ...] | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        n = self.name
        if not n:
            raise InputError("fit parameter: name must not be empty")
        for field_ in ("initial", "lower", "upper"):
            v = getattr(self, field_)
            if isinstance(v, bool) or not isinstance(v, Real):
                raise InputError(f"fit parameter {n!r}: {field_} must be a number, got {v!r}")
        if not math.isfinite(self.initial):
            raise InputError(f"fit parameter {n!r}: initial must be finite, got {self.initial}")
        if self.scope not in ("shared", "per_scenario"):
            raise InputError(f"fit parameter {n!r}: scope must be 'shared' or 'per_scenario'")
        if not (self.lower < self.upper):
            raise InputError(
                f"fit parameter {n!r}: lower {self.lower:g} must be < upper {self.upper:g}"
            )
        if not (self.lower <= self.initial <= self.upper):
            raise InputError(
                f"fit parameter {n!r}: initial {self.initial:g} outside its bounds [{self.lower:g}, {self.upper:g}]"
            )
        if self.log and self.lower <= 0:
            raise InputError(f"fit parameter {n!r}: log=True needs lower > 0, got {self.lower:g}")
        if self.scenarios is not None and self.scope != "per_scenario":
            raise InputError(f"fit parameter {n!r}: scenarios= only applies to per_scenario")

    def to_internal(self, value: float) -> float:
        """Value -> optimisation coordinate (ln value for log parameters)."""
        return math.log(value) if self.log else float(value)

    def from_internal(self, theta: float | np.ndarray) -> Any:
        """Optimisation coordinate -> value (an unbounded interval end becomes inf)."""
        if not self.log:
            return theta
        with np.errstate(over="ignore"):
            return np.exp(theta)


# -- observations -----------------------------------------------------------------------------
def _number(raw: Any, row: int, field: str) -> float:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        raise DataError(f"observations row {row}: {field} is missing")
    try:
        return float(str(raw).strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise DataError(f"observations row {row}: {field} {raw!r} is not a number") from None


def _text(raw: Any, row: int, field: str) -> str:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        raise DataError(f"observations row {row}: {field} is missing")
    return str(raw).strip()


def load_observations(
    source: str | Path | pd.DataFrame, *, units: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and check concentration-time data in the long format ``scenario,time,compartment,
    value,unit``.

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV file or table. Rows are numbered from 1 (the first data row) in error messages.
    units : dict of str to str, optional
        Target unit per compartment (default: the unit of the compartment's first row).

    Returns
    -------
    data : pandas.DataFrame
        Usable rows with ``value`` converted to the compartment's unit, plus a ``row`` column.
    excluded : pandas.DataFrame
        Rows left out, with a ``reason`` column (values <= 0).

    Raises
    ------
    DataError
        One line naming the row and field: missing columns, non-numeric or missing times and
        values, negative times, unknown units or units of the wrong dimension.
    """
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
        where = "observations"
    elif not isinstance(source, str | os.PathLike):
        raise DataError(f"observations: expected a CSV path or a DataFrame, got {source!r}")
    else:
        try:
            raw = pd.read_csv(source, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{source}: cannot read observations ({exc})") from None
        except UnicodeDecodeError:
            raise not_utf8(source) from None
        where = str(source)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(missing)} (need {', '.join(COLUMNS)})"
        )
    if raw.empty:
        raise DataError(f"{where}: no observation rows")
    targets = dict(units or {})
    good, bad = [], []
    for i, rec in enumerate(raw[list(COLUMNS)].itertuples(index=False), start=1):
        scenario = _text(rec.scenario, i, "scenario")
        compartment = _text(rec.compartment, i, "compartment")
        time = _number(rec.time, i, "time")
        if not math.isfinite(time) or time < 0:
            raise DataError(f"observations row {i}: time {time:g} must be finite and >= 0")
        value = _number(rec.value, i, "value")
        if not math.isfinite(value):
            raise DataError(f"observations row {i}: value {value!r} is not finite")
        # 1e-30 pg/mL is less than one molecule per litre and 1e30 pg/mL exceeds any density; past
        # these, ratios and intervals overflow to inf in estimates.csv and gof.csv
        if value > 0 and not 1e-30 <= value <= 1e30:
            raise DataError(
                f"observations row {i}: value {value:.3g} lies outside 1e-30 to 1e30, beyond any "
                "concentration in any unit (a typo or unit slip?)"
            )
        unit = normalise_unit(_text(rec.unit, i, "unit"))
        try:
            ureg.Unit(unit)
        except (pint.UndefinedUnitError, ValueError, TypeError, AttributeError, AssertionError):
            raise DataError(f"observations row {i}: unknown unit {unit!r}") from None
        target = targets.setdefault(compartment, unit)
        try:
            value = convert(value, unit, target)
        except InputError:
            raise DataError(
                f"observations row {i}: unit {unit!r} cannot be converted to {target!r} "
                f"used for compartment {compartment!r}"
            ) from None
        entry = {"row": i, "scenario": scenario, "time": time, "compartment": compartment,
                 "value": value, "unit": target}  # fmt: skip
        if value <= 0:
            bad.append({**entry, "reason": "value <= 0 cannot enter log residuals"})
        else:
            good.append(entry)
    cols = ["row", "scenario", "time", "compartment", "value", "unit"]
    data = pd.DataFrame(good, columns=cols)
    excluded = pd.DataFrame(bad, columns=[*cols, "reason"])
    if data.empty:
        raise DataError(f"{where}: no usable observation (all {len(excluded)} values <= 0)")
    if not excluded.empty:
        rows = ", ".join(str(r) for r in excluded["row"].head(10))
        warnings.warn(
            f"{where}: {len(excluded)} row(s) with value <= 0 excluded from the fit (rows {rows})",
            UserWarning,
            stacklevel=2,
        )
    return data, excluded


# -- the engine -------------------------------------------------------------------------------
class Calibration:
    """Fit chosen parameters of a simulator to observations of several scenarios at once.

    Parameters
    ----------
    simulate : callable
        ``simulate(params, scenario) -> DataFrame[time, compartment, value]``; ``params`` holds
        the shared values and the scenario's own per-scenario values.
    parameters : list of FitParameter
        What to estimate.
    data : path or pandas.DataFrame
        Observations in the long format ``scenario,time,compartment,value,unit``.
    time_unit : str
        Unit of the ``time`` column (recorded in the result).
    units : dict, optional
        Target unit per compartment for the observed values (see :func:`load_observations`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> obs = pd.DataFrame({"scenario": "iv", "time": [1.0, 2.0, 4.0], "compartment": "plasma",
    ...                     "value": [0.8187, 0.6703, 0.4493], "unit": "mg/L"})
    >>> def sim(p, scenario):
    ...     t = np.array([1.0, 2.0, 4.0])
    ...     return pd.DataFrame({"time": t, "compartment": "plasma", "value": np.exp(-p["k"] * t)})
    >>> fit = Calibration(sim, [FitParameter("k", 1.0, 1e-3, 10.0)], obs).fit()
    >>> round(fit.values["iv"]["k"], 3)
    0.2
    """

    def __init__(
        self,
        simulate: Simulator,
        parameters: Sequence[FitParameter],
        data: str | Path | pd.DataFrame,
        *,
        time_unit: str = "h",
        units: Mapping[str, str] | None = None,
    ) -> None:
        if not callable(simulate):
            raise InputError("calibration: simulate must be callable(params, scenario)")
        self.simulate = simulate
        self.parameters = list(parameters)
        if not self.parameters:
            raise InputError("calibration: give at least one FitParameter")
        wrong = [p for p in self.parameters if not isinstance(p, FitParameter)]
        if wrong:
            raise InputError(
                f"calibration: parameters must be FitParameter objects, got {wrong[0]!r}"
            )
        names = [p.name for p in self.parameters]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise InputError(f"calibration: parameter(s) declared twice: {', '.join(sorted(dup))}")
        self.time_unit = time_unit
        self.data, self.excluded = load_observations(data, units=units)
        self.scenarios: list[str] = list(dict.fromkeys(self.data["scenario"]))
        # one optimisation coordinate per (parameter, scenario or None)
        self._slots: list[tuple[FitParameter, str | None]] = []
        for p in self.parameters:
            if p.scope == "shared":
                self._slots.append((p, None))
                continue
            for s in p.scenarios or self.scenarios:
                if s not in self.scenarios:
                    raise InputError(
                        f"fit parameter {p.name!r}: scenario {s!r} has no observations"
                    )
                self._slots.append((p, s))
        self._obs = self.data["value"].to_numpy(float)
        self._index = {
            s: np.flatnonzero(self.data["scenario"].to_numpy() == s) for s in self.scenarios
        }
        # per scenario: (compartment, row positions, observed times), computed once
        comp = self.data["compartment"].to_numpy()
        times = self.data["time"].to_numpy(float)
        self._groups = {
            s: [
                (c, idx[comp[idx] == c], times[idx[comp[idx] == c]])
                for c in dict.fromkeys(comp[idx])
            ]
            for s, idx in self._index.items()
        }

    # -- coordinates ----------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Names of the estimated quantities (``name`` or ``name[scenario]``)."""
        return [p.name if s is None else f"{p.name}[{s}]" for p, s in self._slots]

    def requested(self, scenario: str) -> pd.DataFrame:
        """Times and compartments at which ``simulate`` must predict ``scenario``."""
        return self.data.loc[self._index[scenario], ["time", "compartment", "unit"]].reset_index(
            drop=True
        )

    def _values(self, theta: np.ndarray, scenarios: Sequence[str]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {s: {} for s in scenarios}
        for (p, slot), th in zip(self._slots, theta, strict=True):
            value = float(p.from_internal(th))
            for s in scenarios if slot is None else [slot]:
                if s in out:
                    out[s][p.name] = value
        return out

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.array([p.to_internal(p.lower) for p, _ in self._slots])
        hi = np.array([p.to_internal(p.upper) for p, _ in self._slots])
        return lo, hi

    # -- predictions ----------------------------------------------------------------------------
    def _run(self, params: dict[str, float], scenario: str) -> pd.DataFrame:
        try:
            pred = self.simulate(dict(params), scenario)
        except NanomedError:
            raise
        except Exception as exc:
            raise SolverError(
                f"simulate failed for scenario {scenario!r} with {params}: {exc}"
            ) from exc
        if not isinstance(pred, pd.DataFrame) or not {"time", "compartment", "value"} <= set(
            pred.columns
        ):
            raise ModelError(
                f"simulate({scenario!r}) must return a DataFrame with time, compartment, value"
            )
        return pred

    def predictions(self, theta: np.ndarray) -> np.ndarray:
        """Predictions aligned with :attr:`data` rows for optimisation coordinates ``theta``."""
        out = np.empty(len(self.data))
        values = self._values(theta, self.scenarios)
        for s in self.scenarios:
            pred = self._run(values[s], s)
            pc = pred["compartment"].to_numpy()
            try:
                pt_all, pv_all = pred["time"].to_numpy(float), pred["value"].to_numpy(float)
            except (TypeError, ValueError):
                raise ModelError(f"simulate({s!r}) must return numbers in time and value") from None
            for comp, rows, want in self._groups[s]:
                sel = pc == comp
                order = np.argsort(pt_all[sel], kind="stable")
                pt, pv = pt_all[sel][order], pv_all[sel][order]
                if pt.size == 0:
                    pos = np.zeros(want.size, int)
                else:
                    pos = np.clip(np.searchsorted(pt, want), 0, pt.size - 1)
                    left = np.clip(pos - 1, 0, None)  # take the nearer neighbour
                    pos = np.where(np.abs(pt[left] - want) < np.abs(pt[pos] - want), left, pos)
                if pt.size == 0 or not np.allclose(pt[pos], want, rtol=1e-9, atol=1e-12):
                    raise ModelError(
                        f"simulate({s!r}) gave no prediction for compartment {comp!r} at every "
                        f"observed time (see Calibration.requested)"
                    )
                out[rows] = pv[pos]
        if not np.all(np.isfinite(out)):
            raise SolverError(f"simulate returned non-finite predictions for {self.names}={theta}")
        return out

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """ln(obs) - ln(pred); a prediction <= 0 counts as 1e-300 (a huge residual)."""
        return np.log(self._obs) - np.log(np.maximum(self.predictions(theta), 1e-300))

    # -- fitting --------------------------------------------------------------------------------
    def _least_squares(self, theta0: np.ndarray, free: np.ndarray, fixed: np.ndarray) -> Any:
        from scipy.optimize import least_squares

        lo, hi = self._bounds()

        def fun(x: np.ndarray) -> np.ndarray:
            th = fixed.copy()
            th[free] = x
            return self.residuals(th)

        x0 = np.clip(theta0[free], lo[free], hi[free])
        return least_squares(fun, x0, bounds=(lo[free], hi[free]), method="trf", x_scale=1.0)

    def fit(self, *, profile: Sequence[str] | bool = (), level: float = 0.95) -> CalibrationResult:
        """Estimate the parameters; return estimates, intervals, fit statistics and GOF table.

        Parameters
        ----------
        profile : sequence of str or bool
            Names (as in :attr:`names`) to profile, or True for all.
        level : float
            Confidence level of the intervals.
        """
        from scipy import stats

        if not isinstance(level, Real) or not 0 < level < 1:
            raise InputError(f"level: must lie in (0, 1), got {level!r}")
        profile = self.names if profile is True else list(profile or [])
        unknown = [n for n in profile if n not in self.names]
        if unknown:
            raise InputError(f"profile: unknown parameter(s) {unknown} (known: {self.names})")
        n, p = len(self.data), len(self._slots)
        if n <= p:
            raise DataError(f"calibration: {n} observations cannot identify {p} parameters")
        theta0 = np.array([prm.to_internal(prm.initial) for prm, _ in self._slots])
        all_free = np.ones(p, bool)
        sol = self._least_squares(theta0, all_free, theta0)
        theta = sol.x
        res = self.residuals(theta)
        ssr = float(res @ res)
        if not ssr > 0.0:  # the error model has nothing to estimate its variance from
            raise DataError(
                f"calibration: the model reproduces all {n} observations exactly (residual sum "
                "of squares 0), so no uncertainty can be estimated; are the observations "
                "duplicates of one value?"
            )
        dof = n - p
        sigma2 = ssr / dof
        jac = _jacobian(self.residuals, theta, *self._bounds())
        cov, identifiable = _covariance(jac, sigma2)
        se = np.sqrt(np.diag(cov))
        q = float(stats.t.ppf(0.5 + level / 2, dof))
        threshold = float(stats.chi2.ppf(level, 1))
        profiles = {name: self._profile(theta, ssr, self.names.index(name), se, threshold)
                    for name in profile}  # fmt: skip
        loglik = -0.5 * n * (math.log(2 * math.pi * ssr / n) + 1) - float(np.log(self._obs).sum())
        k = p + 1
        rows = []
        lo, hi = self._bounds()
        for j, ((prm, scen), name) in enumerate(zip(self._slots, self.names, strict=True)):
            f = prm.from_internal
            prof = profiles.get(name, {})
            rows.append({
                "name": name, "parameter": prm.name, "scenario": scen or "", "unit": prm.unit,
                "estimate": float(f(theta[j])), "log": prm.log, "se_internal": float(se[j]),
                "rse_percent": _rse_percent(prm.log, theta[j], se[j]),
                "fisher_lower": float(f(theta[j] - q * se[j])),
                "fisher_upper": float(f(theta[j] + q * se[j])),
                "profile_lower": prof.get("lower", math.nan),
                "profile_upper": prof.get("upper", math.nan),
                "profile_open": prof.get("open", ""),
                "at_bound": bool(np.isclose(theta[j], lo[j], atol=1e-6)
                                 or np.isclose(theta[j], hi[j], atol=1e-6)),
                "identifiable": bool(identifiable[j]),
            })  # fmt: skip
        sd = np.sqrt(np.diag(cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(sd, sd)
        pred = self.predictions(theta)
        table = self.data.drop(columns="value").assign(
            observed=self._obs, predicted=pred, residual=np.log(self._obs) - np.log(pred)
        )
        if np.any(pred <= 0):
            warnings.warn("calibration: some predictions at the optimum are <= 0", UserWarning,
                          stacklevel=2)  # fmt: skip
        meta = {
            "model": "calibration",
            "success": bool(sol.success),
            "message": str(sol.message),
            "nfev": int(sol.nfev),
            "n": n,
            "p": p,
            "ssr": ssr,
            "sigma": math.sqrt(sigma2),
            "loglik": loglik,
            "aic": 2 * k - 2 * loglik,
            "bic": k * math.log(n) - 2 * loglik,
            "level": level,
            "time_unit": self.time_unit,
            "names": self.names,
            "theta": theta.tolist(),
            "covariance": cov.tolist(),
            "correlation": corr.tolist(),
            "estimates": rows,
            "profiles": {k_: v["curve"] for k_, v in profiles.items()},
            "parameters": [asdict(prm) for prm in self.parameters],
            "values": self._values(theta, self.scenarios),
            "excluded": self.excluded.to_dict(orient="records"),
        }
        return CalibrationResult(table, meta, simulate=self.simulate)

    def _profile(
        self, theta: np.ndarray, ssr_min: float, j: int, se: np.ndarray, threshold: float
    ) -> dict[str, Any]:
        """Walk each side of parameter j until n ln(SSR/SSR_min) crosses the χ² threshold."""
        n = len(self.data)
        lo, hi = self._bounds()
        free = np.ones(len(theta), bool)
        free[j] = False
        start = {"theta": theta.copy()}
        curve: list[tuple[float, float]] = [(float(theta[j]), 0.0)]

        def stat(x: float) -> float:
            th = start["theta"].copy()
            th[j] = x
            if free.any():
                th[free] = self._least_squares(th, free, th).x
            start["theta"] = th  # warm start for the next point
            r = self.residuals(th)
            value = n * math.log(max(float(r @ r), 1e-300) / ssr_min)
            curve.append((float(x), value))
            return value - threshold

        out: dict[str, Any] = {"open": ""}
        step0 = float(se[j]) if np.isfinite(se[j]) and se[j] > 0 else 0.1
        step0 = min(max(step0, 1e-3), 1.0)
        for side, bound in ((-1, lo[j]), (1, hi[j])):
            start["theta"] = theta.copy()
            inside, step, edge = float(theta[j]), step0, None
            for _ in range(40):
                x = float(theta[j] + side * step)
                if (x - bound) * side >= 0:  # reached the bound
                    x = float(bound)
                    if stat(x) <= 0:
                        edge = x
                        out["open"] += "lower " if side < 0 else "upper "
                        break
                    edge = _bisect(stat, inside, x)
                    break
                if stat(x) > 0:
                    edge = _bisect(stat, inside, x)
                    break
                inside, step = x, step * 2
            if edge is None:
                raise SolverError(f"profile of {self.names[j]!r} did not cross the threshold")
            prm = self._slots[j][0]
            out["lower" if side < 0 else "upper"] = float(prm.from_internal(edge))
        out["open"] = out["open"].strip()
        curve = sorted(set(curve))
        prm = self._slots[j][0]
        out["curve"] = {
            "value": [float(prm.from_internal(x)) for x, _ in curve],
            "statistic": [s for _, s in curve],
            "threshold": threshold,
        }
        return out


def _bisect(stat: Callable[[float], float], inside: float, outside: float) -> float:
    """Crossing of ``stat`` between a point below the threshold and one above it.

    Plain bisection, which needs only the sign at the midpoints: with warm-started
    re-optimisation the profile can be slightly path-dependent, so ``stat(inside)`` re-evaluated
    later is not guaranteed negative and a bracketing root finder would refuse the interval.
    """
    for _ in range(40):
        if abs(outside - inside) <= 1e-4:
            break
        mid = 0.5 * (inside + outside)
        if stat(mid) > 0:
            outside = mid
        else:
            inside = mid
    return 0.5 * (inside + outside)


def _rse_percent(log: bool, theta: float, se: float) -> float:
    """Relative standard error [%]: SE of ln(value) for log parameters, SE/|value| otherwise."""
    if log:
        return float(100 * se)
    return float(100 * se / abs(theta)) if theta != 0 else math.inf


def _jacobian(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray, lo: np.ndarray,
              hi: np.ndarray) -> np.ndarray:  # fmt: skip
    """Central-difference Jacobian (one-sided next to a bound)."""
    f0 = fun(x)
    jac = np.empty((f0.size, x.size))
    for i in range(x.size):
        h = 1e-5 * max(1.0, abs(x[i]))
        up, dn = x.copy(), x.copy()
        up[i] = min(x[i] + h, hi[i])
        dn[i] = max(x[i] - h, lo[i])
        jac[:, i] = (fun(up) - fun(dn)) / (up[i] - dn[i])
    return jac


def _covariance(jac: np.ndarray, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
    """σ² (JᵀJ)⁻¹ with an identifiability flag per parameter (SVD of J)."""
    _, s, vt = np.linalg.svd(jac, full_matrices=False)
    tol = s.max() * max(jac.shape) * np.finfo(float).eps * 1e3 if s.size else 0.0
    good = s > tol
    identifiable = np.ones(jac.shape[1], bool)
    if not good.all():
        # parameters with weight on a null direction cannot be estimated from these data
        null = vt[~good]
        identifiable = np.max(np.abs(null), axis=0) < 1e-3
        warnings.warn(
            "calibration: Fisher information is singular; some parameters are not identifiable "
            "(their intervals are infinite; use the profile likelihood)",
            UserWarning,
            stacklevel=3,
        )
    inv_s2 = np.where(good, 1.0 / np.where(good, s, 1.0) ** 2, 0.0)
    cov = sigma2 * (vt.T * inv_s2) @ vt
    cov[~identifiable, :] = np.inf
    cov[:, ~identifiable] = np.inf
    return cov, identifiable


class CalibrationResult(Result):
    """Estimates, intervals, fit statistics and observed-vs-predicted table of a calibration.

    ``data`` holds one row per observation (``scenario, time, compartment, unit, observed,
    predicted, residual``); ``metadata`` holds the estimates, covariance, correlation,
    information criteria, profiles and the excluded rows, and survives :meth:`save`/:meth:`load`.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        metadata: dict[str, Any] | None = None,
        simulate: Simulator | None = None,
    ) -> None:
        super().__init__(data, metadata)
        self.simulate = simulate

    @classmethod
    def load(cls, stem: str | os.PathLike[str]) -> Self:
        """Read a calibration written by :meth:`save`; a damaged one is a one-line DataError."""
        result = super().load(stem)
        m = result.metadata
        missing = [k for k in ("estimates", "parameters", "values") if k not in m]
        if missing:
            raise DataError(
                f"{Path(stem).with_suffix('.json')}: not a saved calibration "
                f"(missing {', '.join(map(repr, missing))})"
            )
        return result

    @property
    def values(self) -> dict[str, dict[str, float]]:
        """Fitted parameter values passed to ``simulate`` for each fitted scenario."""
        return self.metadata["values"]

    def estimates(self) -> pd.DataFrame:
        """One row per estimated quantity with Fisher and profile intervals."""
        df = pd.DataFrame(self.metadata["estimates"])
        # a saved result writes NaN/inf as null: read them back as NaN
        num = [c for c in ("estimate", "se_internal", "rse_percent", "fisher_lower",
                           "fisher_upper", "profile_lower", "profile_upper") if c in df]  # fmt: skip
        df[num] = df[num].astype(float)
        return df

    def summary(self) -> pd.DataFrame:
        """The estimates table (statistics are in :meth:`statistics`).

        ``profile_open`` names the side(s) ("lower", "upper") where the profile likelihood stays
        below its threshold up to the fit bound: the data do not bound the parameter there.
        """
        cols = ["name", "estimate", "unit", "rse_percent", "fisher_lower", "fisher_upper",
                "profile_lower", "profile_upper", "profile_open", "at_bound",
                "identifiable"]  # fmt: skip
        return self.estimates()[cols]

    def statistics(self) -> dict[str, float]:
        """n, p, SSR, σ, log-likelihood, AIC, BIC and the number of excluded rows."""
        m = self.metadata
        keys = ("n", "p", "ssr", "sigma", "loglik", "aic", "bic")
        return {**{k: m[k] for k in keys}, "excluded": len(m.get("excluded", []))}

    def correlation(self) -> pd.DataFrame:
        """Correlation matrix of the estimates (in the optimisation coordinates)."""
        names = self.metadata["names"]
        return pd.DataFrame(self.metadata["correlation"], index=names, columns=names)

    def excluded(self) -> pd.DataFrame:
        """Observation rows left out of the fit, with the reason."""
        return pd.DataFrame(self.metadata.get("excluded", []))

    def gof(self, by: str | list[str] = "scenario") -> pd.DataFrame:
        """Fraction within 2/3-fold, AFE, AAFE, R² (log) per group and overall."""
        return gof.gof_table(self.data, by=by)

    def plot(self, ax: Any = None, kind: str = "observed_vs_predicted", **kwargs: Any) -> Any:
        """``kind="observed_vs_predicted"`` (log-log) or ``"residuals"`` (vs time)."""
        if kind == "observed_vs_predicted":
            return gof.plot_observed_vs_predicted(self.data, ax=ax, **kwargs)
        if kind == "residuals":
            return gof.plot_residuals_vs_time(self.data, ax=ax, **kwargs)
        raise InputError(f"plot kind: unknown {kind!r} (observed_vs_predicted, residuals)")

    def predict(
        self,
        scenarios: str | Sequence[str],
        values: Mapping[str, float] | None = None,
        simulate: Simulator | None = None,
    ) -> pd.DataFrame:
        """Simulate scenarios (fitted or new) with the fitted parameters.

        Parameters
        ----------
        scenarios : str or list of str
            Scenario names understood by ``simulate``.
        values : dict, optional
            Values for per-scenario parameters of new scenarios (and overrides).
        simulate : callable, optional
            Needed after :meth:`load` (the simulator is not saved).

        Returns
        -------
        pandas.DataFrame
            ``scenario`` plus the columns returned by ``simulate``.
        """
        sim = simulate or self.simulate
        if sim is None:
            raise ModelError("predict: this result has no simulator (loaded?); pass simulate=")
        scenarios = [scenarios] if isinstance(scenarios, str) else list(scenarios)
        if not scenarios:
            raise InputError("predict: give at least one scenario")
        for name, v in (values or {}).items():
            if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
                raise InputError(f"predict: values[{name!r}] must be a finite number, got {v!r}")
        m = self.metadata
        shared = {e["parameter"]: e["estimate"] for e in m["estimates"] if not e["scenario"]}
        per = [FitParameter(**{**p, "scenarios": tuple(p["scenarios"]) if p["scenarios"] else None})
               for p in m["parameters"] if p["scope"] == "per_scenario"]  # fmt: skip
        frames = []
        for s in scenarios:
            params = dict(shared)
            for prm in per:
                fitted = m["values"].get(s, {})
                if prm.name in fitted:
                    params[prm.name] = fitted[prm.name]
                elif values and prm.name in values:
                    params[prm.name] = float(values[prm.name])
                elif prm.scenarios is None:
                    raise InputError(
                        f"predict: per-scenario parameter {prm.name!r} has no value for "
                        f"scenario {s!r}; pass values={{{prm.name!r}: ...}}"
                    )
            params.update({k: float(v) for k, v in (values or {}).items()})
            pred = sim(params, s)
            frames.append(pred.assign(scenario=s))
        out = pd.concat(frames, ignore_index=True)
        return out[["scenario", *[c for c in out.columns if c != "scenario"]]]
