"""Release-curve analogues: predict a profile from measured training profiles that resemble it.

:class:`AnalogueReleaseModel` is a kernel-weighted nearest-neighbour regressor on whole release
profiles (Nadaraya, Theory Probab Appl 9:141, 1964; Watson, Sankhya A 26:359, 1964): every
training profile is a measured curve f_j(t); a query row (a formulation and a time t) is predicted
by the weighted mean of its nearest profiles' curves read at t. Neighbours are found

- ``match="early"`` (few-shot): by the row's own early release points (distance between
  √f at the early times, √ to even out the binomial-like spread of fractions), and each analogue's
  clock is rescaled so that it passes through the row's last early point: with τ_j the time at
  which analogue j reached the row's f(t_last), the row is predicted by f_j(t·τ_j/t_last). A
  curve family f(t) = g(k·t) (first order, Weibull or Higuchi release at fixed shape, Costa & Sousa
  Lobo, Eur J Pharm Sci 13:123, 2001) is then reproduced exactly from any member of the family;
- ``match="design"`` (zero-shot): by the formulation's design inputs, standardised by their
  training spread.

Training profiles that do not reach the query time are down-weighted by (t_max,j / t)² and read at
their last value beyond it. Only the profiles given to :meth:`AnalogueReleaseModel.fit` are ever
used, and each query row is predicted from its own inputs alone, so the model is valid inside
grouped cross-validation and on held-out groups (it is a blend member of the ``analogue_blend``
models of :mod:`nanomed.ai.protocols`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from nanomed.core.errors import DataError, InputError

__all__ = ["AnalogueReleaseModel", "ProfileLibrary"]

FloatArray = NDArray[np.float64]

#: clock-scale bounds of a warped analogue (a factor 20 either way covers the Bannigan set's range)
_SCALE_BOUNDS = (0.05, 20.0)


@dataclass
class ProfileLibrary:
    """The training profiles: one measured curve per formulation.

    Attributes
    ----------
    times : list of ndarray
        Sorted measurement times of each profile [unit of the time column].
    release : list of ndarray
        Fraction released at those times, made non-decreasing (running maximum) and within [0, 1].
    keys : ndarray, shape (n_profiles, n_keys)
        What neighbours are matched on (√ early points, or standardised design inputs).
    last_early : ndarray
        Each profile's last early point (``match="early"``), else empty.
    """

    times: list[FloatArray]
    release: list[FloatArray]
    keys: FloatArray
    last_early: FloatArray

    @property
    def t_max(self) -> FloatArray:
        return np.array([t[-1] for t in self.times])

    def __len__(self) -> int:
        return len(self.times)


class AnalogueReleaseModel(RegressorMixin, BaseEstimator):
    """Kernel-weighted analogue profiles (see the module docstring for the method).

    Method: Nadaraya–Watson kernel regression (Nadaraya, Theory Probab Appl 9:141, 1964; Watson,
    Sankhya A 26:359, 1964) on whole profiles; the early-point clock rescaling is nanomed's own.

    Parameters
    ----------
    match : {"early", "design"}
        Find neighbours by the early release points (few-shot) or by the design inputs (zero-shot).
    n_neighbors : int
        Number of analogue profiles per row; their Gaussian kernel weights have the bandwidth of
        the k-th distance (adaptive bandwidth).
    warp : bool
        With ``match="early"``: rescale each analogue's clock to pass through the row's last
        early point.
    early_columns : list of str
        Columns of the fraction released at ``early_times`` (needed for ``match="early"``).
    early_times : list of float
        Times of those points, in the unit of ``time_column``.
    time_column : str
        Column of the time at which release is predicted.

    Examples
    --------
    >>> t = np.array([0.0, 1.0, 2.0, 4.0, 8.0])
    >>> X = pd.DataFrame({"x": np.repeat([1.0, 2.0], 5), "Time": np.tile(t, 2)})
    >>> y = np.r_[1 - np.exp(-0.5 * t), 1 - np.exp(-0.1 * t)]
    >>> m = AnalogueReleaseModel(match="design", n_neighbors=1).fit(X, y)
    >>> m.predict(pd.DataFrame({"x": [1.1], "Time": [4.0]})).round(3).tolist()
    [0.865]
    """

    def __init__(
        self,
        match: str = "early",
        n_neighbors: int = 20,
        warp: bool = True,
        early_columns: Sequence[str] = ("T=0.25", "T=0.5", "T=1.0"),
        early_times: Sequence[float] = (0.25, 0.5, 1.0),
        time_column: str = "Time",
    ) -> None:
        self.match = match
        self.n_neighbors = n_neighbors
        self.warp = warp
        self.early_columns = early_columns
        self.early_times = early_times
        self.time_column = time_column

    # -- inputs -----------------------------------------------------------------------------
    def _check_params(self) -> None:
        if self.match not in ("early", "design"):
            raise InputError(f"match must be 'early' or 'design', got {self.match!r}")
        if int(self.n_neighbors) < 1:
            raise InputError(f"n_neighbors must be >= 1, got {self.n_neighbors}")
        if self.match == "early" and (
            len(self.early_columns) != len(self.early_times) or len(self.early_times) < 1
        ):
            raise InputError("early_columns and early_times must have the same length (>= 1)")

    def _frame(self, X: Any) -> tuple[pd.DataFrame, FloatArray]:
        if not isinstance(X, pd.DataFrame):
            raise InputError("AnalogueReleaseModel needs a table with named columns (DataFrame)")
        need = [self.time_column, *(self.early_columns if self.match == "early" else [])]
        absent = [c for c in need if c not in X]
        if absent:
            raise DataError(f"AnalogueReleaseModel needs columns {absent}")
        t = pd.to_numeric(X[self.time_column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(t) | (t < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"row {i}: {self.time_column} must be finite and >= 0, got {t[i]:g}")
        return X, t

    def _early(self, X: pd.DataFrame) -> FloatArray:
        early = X[list(self.early_columns)].to_numpy(dtype=float)
        bad = ~np.isfinite(early).all(axis=1) | (early < 0).any(axis=1) | (early > 1.2).any(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"row {i}: early release points must be in [0, 1.2], got {early[i]}")
        return early

    def _keys(self, X: pd.DataFrame) -> FloatArray:
        if self.match == "early":
            return np.sqrt(self._early(X))
        d = X[self.design_columns_].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return (np.where(np.isfinite(d), d, self.design_center_) - self.design_center_) / (
            self.design_scale_
        )

    # -- fit / predict ----------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> Self:
        """Store the training profiles (rows with identical inputs but the time are one profile)."""
        from nanomed.ai.hybrid import _profile_ids

        self._check_params()
        X, t = self._frame(X)
        yv = np.asarray(y, dtype=float)
        if yv.shape != (len(X),) or not np.isfinite(yv).all():
            raise DataError("AnalogueReleaseModel needs one finite release value per row")
        design = X.drop(columns=[self.time_column])
        profile = _profile_ids(design)
        if self.match == "design":
            cols = [c for c in design.columns if c not in set(self.early_columns)]
            num = design[cols].apply(pd.to_numeric, errors="coerce")
            self.design_columns_ = [c for c in cols if num[c].notna().any()]
            if not self.design_columns_:
                raise DataError("match='design' needs at least one numeric design column")
            first = num[self.design_columns_].groupby(profile).first()
            self.design_center_ = first.median().to_numpy(dtype=float)
            spread = first.std(ddof=0).to_numpy(dtype=float)
            self.design_scale_ = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
        keys = self._keys(X)
        early = self._early(X) if self.match == "early" else None
        ids = np.unique(profile)
        times, release, first_rows = [], [], []
        for p in ids:
            rows = np.flatnonzero(profile == p)
            order = np.argsort(t[rows], kind="stable")
            times.append(t[rows][order])
            release.append(np.maximum.accumulate(np.clip(yv[rows][order], 0.0, 1.0)))
            first_rows.append(rows[0])
        self.library_ = ProfileLibrary(
            times,
            release,
            keys[first_rows],
            early[first_rows, -1] if early is not None else np.empty(0),
        )
        self.n_features_in_ = X.shape[1]
        return self

    def _curves(self, t: FloatArray, last: FloatArray | None) -> FloatArray:
        """Every analogue's curve read at each row's time (warped if asked): (n_rows, n_lib)."""
        lib = self.library_
        out = np.empty((len(t), len(lib)))
        t_last = float(self.early_times[-1]) if self.early_times else 1.0
        for j, (tt, ff) in enumerate(zip(lib.times, lib.release, strict=True)):
            scale = np.ones(len(t))
            if last is not None:
                # tiny ramp: a plateau would make the inverse interpolation ambiguous
                strictly = ff + 1e-9 * np.arange(len(ff))
                scale = np.clip(np.interp(last, strictly, tt) / t_last, *_SCALE_BOUNDS)
            out[:, j] = np.interp(t * scale, tt, ff)
        return out

    def predict(self, X: Any) -> FloatArray:
        """Fraction released at each row's time, from the row's own inputs and the library."""
        check_is_fitted(self)
        X, t = self._frame(X)
        if len(X) == 0:
            return np.empty(0)
        keys = self._keys(X)
        lib = self.library_
        last = self._early(X)[:, -1] if self.match == "early" and self.warp else None
        curves = self._curves(t, last)
        dist = np.sqrt(np.mean((keys[:, None, :] - lib.keys[None, :, :]) ** 2, axis=2))
        k = min(int(self.n_neighbors), len(lib))
        # a stable sort breaks distance ties by library order on every CPU (argpartition's SIMD
        # paths order ties differently across instruction sets)
        nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
        dk = np.take_along_axis(dist, nearest, axis=1)
        bandwidth = np.maximum(dk.max(axis=1, keepdims=True), 1e-3)
        reach = np.minimum(1.0, lib.t_max[nearest] / np.maximum(t[:, None], 1e-12))
        w = np.exp(-((dk / bandwidth) ** 2)) * reach**2 + 1e-12
        pred = np.sum(w * np.take_along_axis(curves, nearest, axis=1), axis=1) / w.sum(axis=1)
        return np.clip(pred, 0.0, 1.0)
