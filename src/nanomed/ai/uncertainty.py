"""Predictive intervals and their calibration.

- :class:`ConformalRegressor`: split conformal prediction (Vovk et al. 2005; Lei et al., JASA
  113:1094, 2018). The model is fitted on one part of the data and the absolute residuals on the
  held-out part (divided by the model's own std when ``normalized`` and the model gives one:
  Papadopoulos et al. 2008) give the interval half-width; the coverage guarantee holds when
  calibration and test rows are exchangeable, so with ``groups`` the calibration part holds out
  whole groups.
- :func:`gaussian_interval`: mean ± z·std from any model with ``return_std``.
- :func:`calibration_report`: empirical coverage against the nominal level, and mean width.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from nanomed.core.errors import InputError

__all__ = [
    "ConformalRegressor",
    "calibration_report",
    "conformal_quantile",
    "gaussian_interval",
    "predict_with_uncertainty",
]

FloatArray: TypeAlias = NDArray[np.float64]


def conformal_quantile(scores: ArrayLike, level: float) -> float:
    """The finite-sample conformal quantile: the ⌈(n + 1)·level⌉-th smallest of n scores.

    With exchangeable calibration and test points, a test score exceeds it with probability at
    most 1 − ``level`` (Vovk, Gammerman & Shafer, *Algorithmic Learning in a Random World*,
    2005; Lei et al., JASA 113:1094, 2018, Lemma 1). Infinite when n is too small for the level.

    >>> conformal_quantile([0.3, 0.1, 0.2, 0.4], 0.6)
    0.3
    """
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}")
    ordered = np.sort(np.asarray(scores, dtype=float))
    k = int(np.ceil((len(ordered) + 1) * level))
    return float(ordered[k - 1]) if 0 < k <= len(ordered) else float("inf")


def _min_calibration(level: float) -> int:
    """Fewest calibration scores with a finite conformal quantile at ``level``: the least n
    with ⌈(n + 1)·level⌉ <= n, i.e. (1 − level)·(n + 1) >= 1 (Lei et al. 2018)."""
    n = max(int(level / (1 - level)) - 1, 1)
    while int(np.ceil((n + 1) * level)) > n:  # the same arithmetic as conformal_quantile
        n += 1
    return n


def gaussian_interval(
    mean: ArrayLike, std: ArrayLike, level: float = 0.9
) -> tuple[FloatArray, FloatArray]:
    """Central interval of a normal predictive distribution at ``level`` (e.g. 0.9)."""
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}")
    z = norm.ppf(0.5 + level / 2)
    m, s = np.asarray(mean, float), np.asarray(std, float)
    if np.any(s < 0) or not np.all(np.isfinite(s)):  # an interval with lower > upper otherwise
        i = int(np.flatnonzero(~(s >= 0) | ~np.isfinite(s))[0])
        raise InputError(f"std[{i}] must be finite and >= 0, got {s.flat[i]:g}")
    return m - z * s, m + z * s


class ConformalRegressor(RegressorMixin, BaseEstimator):
    """Split-conformal intervals around any regressor.

    Method: split conformal prediction (Vovk, Gammerman & Shafer, Algorithmic Learning in a Random
    World, Springer, 2005; Lei et al., JASA 113:1094, 2018); normalised scores after Papadopoulos
    et al. (2008).

    Parameters
    ----------
    estimator : regressor
        Base model (cloned; any scikit-learn regressor, or a nanomed one with ``return_std``).
    calibration_size : float
        Fraction of rows (or of groups, when ``groups`` is passed to ``fit``) held out to calibrate.
    normalized : bool
        Scale residuals by the model's std (needs ``predict(X, return_std=True)``).
    refit : bool
        Refit the base model on all rows after calibration (more data for the mean; the interval
        width stays the calibrated one, a common, slightly optimistic, practice).
    random_state : int or None
        Seed of the calibration split.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0); X = rng.random((400, 1))
    >>> y = X[:, 0] + rng.normal(0, 0.1, 400)
    >>> cr = ConformalRegressor(LinearRegression(), random_state=0).fit(X[:300], y[:300])
    >>> lo, hi = cr.predict_interval(X[300:], level=0.9)
    >>> bool(0.8 < np.mean((y[300:] >= lo) & (y[300:] <= hi)) < 1.0)
    True
    """

    def __init__(
        self,
        estimator: BaseEstimator,
        calibration_size: float = 0.25,
        normalized: bool = False,
        refit: bool = False,
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.calibration_size = calibration_size
        self.normalized = normalized
        self.refit = refit
        self.random_state = random_state

    def _mean_std(self, model: Any, X: ArrayLike) -> tuple[FloatArray, FloatArray | None]:
        if self.normalized:
            mean, std = model.predict(X, return_std=True)
            return np.asarray(mean, float), np.maximum(np.asarray(std, float), 1e-12)
        return np.asarray(model.predict(X), float), None

    def fit(self, X: ArrayLike, y: ArrayLike, groups: ArrayLike | None = None) -> Self:
        from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit

        if not 0 < self.calibration_size < 1:
            raise InputError(f"calibration_size must be in (0, 1), got {self.calibration_size}")
        y_arr = np.asarray(y, float)
        if len(y_arr) < 2:  # one row to fit and one to calibrate, at the very least
            raise InputError(f"ConformalRegressor needs at least 2 rows, got {len(y_arr)}")
        splitter = (GroupShuffleSplit if groups is not None else ShuffleSplit)(
            n_splits=1, test_size=self.calibration_size, random_state=self.random_state
        )
        fit_idx, cal_idx = next(splitter.split(X, y_arr, groups))

        def take(A: Any, i: NDArray[np.intp]) -> Any:
            return A.iloc[i] if hasattr(A, "iloc") else np.asarray(A)[i]

        model = clone(self.estimator).fit(take(X, fit_idx), y_arr[fit_idx])
        mean, std = self._mean_std(model, take(X, cal_idx))
        scores = np.abs(y_arr[cal_idx] - mean)
        self.scores_ = np.sort(scores / std if std is not None else scores)
        self.estimator_ = clone(self.estimator).fit(X, y_arr) if self.refit else model
        self.n_features_in_ = getattr(self.estimator_, "n_features_in_", None)
        return self

    def predict(self, X: ArrayLike) -> FloatArray:
        check_is_fitted(self)
        return np.asarray(self.estimator_.predict(X), float)

    def quantile(self, level: float) -> float:
        """The conformal quantile: the ⌈(n+1)·level⌉-th smallest calibration score."""
        check_is_fitted(self)
        q = conformal_quantile(self.scores_, level)
        if not np.isfinite(q):  # too few calibration rows: the interval would be ±inf
            raise InputError(
                f"level {level:g} needs at least {_min_calibration(level)} calibration rows, "
                f"the model has {len(self.scores_)} (give more rows or a larger calibration_size)"
            )
        return q

    def predict_interval(self, X: ArrayLike, level: float = 0.9) -> tuple[FloatArray, FloatArray]:
        """Lower and upper bounds with marginal coverage >= ``level`` (exchangeable data)."""
        check_is_fitted(self)
        mean, std = self._mean_std(self.estimator_, X)
        half = self.quantile(level) * (std if std is not None else 1.0)
        return mean - half, mean + half


def calibration_report(
    y: ArrayLike,
    *,
    mean: ArrayLike | None = None,
    std: ArrayLike | None = None,
    intervals: dict[float, tuple[ArrayLike, ArrayLike]] | None = None,
    levels: Sequence[float] = (0.5, 0.8, 0.9, 0.95),
) -> pd.DataFrame:
    """Coverage of predictive intervals against their nominal level.

    Give either ``mean`` and ``std`` (Gaussian intervals) or ``intervals`` {level: (lo, hi)}.

    Returns
    -------
    pandas.DataFrame
        Columns ``nominal, coverage, mean_width, n``; a calibrated model has coverage ≈ nominal.
    """
    y_arr = np.asarray(y, float).ravel()
    if y_arr.size == 0:
        raise InputError("calibration_report needs at least one observation, y is empty")
    if not np.all(np.isfinite(y_arr)):
        i = int(np.flatnonzero(~np.isfinite(y_arr))[0])
        raise InputError(f"y[{i}] must be finite, got {y_arr[i]:g}")
    if intervals is None:
        if mean is None or std is None:
            raise InputError("calibration_report needs mean and std, or intervals")
        intervals = {lv: gaussian_interval(mean, std, lv) for lv in levels}
    rows = []
    for lv, (lower, upper) in sorted(intervals.items()):
        if not 0 < lv < 1:
            raise InputError(f"level must be in (0, 1), got {lv}")
        lo, hi = np.asarray(lower, float), np.asarray(upper, float)
        if lo.shape != y_arr.shape or hi.shape != y_arr.shape:
            raise InputError(
                f"y has {y_arr.size} values but the bounds of the {lv:g} interval have "
                f"{lo.size} and {hi.size}"
            )
        inside = (y_arr >= lo) & (y_arr <= hi)
        rows.append(
            {
                "nominal": float(lv),
                "coverage": float(inside.mean()),
                "mean_width": float(np.mean(hi - lo)),
                "n": len(y_arr),
            }
        )
    return pd.DataFrame(rows)


def _finite_bound(b: Any) -> float:
    try:
        v = float(b)
    except (TypeError, ValueError):
        v = float("nan")
    if not np.isfinite(v):
        raise InputError(f"bounds must be finite numbers or None, got {b!r}")
    return v


def predict_with_uncertainty(
    model: BaseEstimator,
    X: pd.DataFrame | ArrayLike,
    level: float = 0.68,
    bounds: tuple[float | None, float | None] = (None, None),
) -> pd.DataFrame:
    """Prediction plus a central ``level`` interval from a model's own ``return_std``.

    Works for a nanomed regressor, a pipeline ending in one, and a log1p target transform (the
    interval is built on the transformed scale and mapped back, so it is asymmetric). The interval
    is the model's raw spread; calibrate it with :class:`ConformalRegressor` before trusting it.
    ``bounds`` is the target's physical range (e.g. (0, 1) for a fraction released): the
    interval is cut to it, since a Gaussian band about a prediction near a bound crosses it,
    and so is the prediction, so that it stays inside its band.

    Returns
    -------
    pandas.DataFrame
        Columns ``prediction, std, lower, upper`` (``std`` on the model's own scale).
    """
    from sklearn.compose import TransformedTargetRegressor

    if len(bounds) != 2:
        raise InputError(f"bounds must be (lower, upper), got {bounds!r}")
    b_lo, b_hi = (None if b is None else _finite_bound(b) for b in bounds)
    if b_lo is not None and b_hi is not None and not b_lo < b_hi:
        raise InputError(f"bounds: lower must be < upper, got {bounds!r}")
    final, Z = model, X
    if hasattr(model, "steps"):
        final = model.steps[-1][1]
        Z = model[:-1].transform(X) if len(model.steps) > 1 else X
    inverse = None
    if isinstance(final, TransformedTargetRegressor):
        inverse, final = final.inverse_func, final.regressor_
    try:
        mean, std = final.predict(Z, return_std=True)
    except TypeError:
        raise InputError(f"{type(final).__name__} gives no standard deviation") from None
    lo, hi = gaussian_interval(mean, std, level)
    if inverse is not None:
        mean, lo, hi = inverse(mean), inverse(lo), inverse(hi)
    if (b_lo, b_hi) != (None, None):
        mean, lo, hi = (np.clip(v, b_lo, b_hi) for v in (mean, lo, hi))
    return pd.DataFrame({"prediction": mean, "std": std, "lower": lo, "upper": hi})
