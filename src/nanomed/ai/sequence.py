"""Forecasting the rest of a release curve from the formulation and its first measured points.

Two forecasters, compared by :func:`evaluate_forecast` on held-out drug–polymer groups:

- :class:`ReleaseForecaster`: a GRU (Cho et al., EMNLP 2014) that reads the measured points one by
  one (its initial state is a function of the formulation) and then runs on by itself over the
  future times. Each step predicts the hazard of release over the next interval,
  F(t_{i+1}) = F(t_i) + (1 - F(t_i))·(1 - exp(-λ_i·Δt_i)), λ_i >= 0, so every forecast is
  non-decreasing and stays in [0, 1]; feeding it one more measured point updates the forecast.
- :class:`BayesianWeibull`: the hybrid model refitted on the same early points. The prior of the
  plateau-Weibull parameters z = (ln td, ln beta, logit f_max) is Gaussian, centred on the
  prediction of a :class:`~nanomed.ai.hybrid.HybridReleaseModel` for the formulation, with the
  covariance of (per-profile least-squares fit − prediction) on the training profiles; the first
  k points update it by a maximum a posteriori fit with Gaussian measurement noise (the pooled
  residual variance of those fits). With k = 0 it is the hybrid's prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nanomed.core.errors import InputError

__all__ = [
    "BayesianWeibull",
    "ReleaseCurveSet",
    "ReleaseForecaster",
    "evaluate_forecast",
]


@dataclass
class ReleaseCurveSet:
    """Release profiles as arrays: formulation features, times and fractions (t=0, F=0 first)."""

    ids: list[Any]
    features: np.ndarray  # (profiles, d)
    times: list[np.ndarray]
    fractions: list[np.ndarray]

    def __post_init__(self) -> None:
        # a NaN point would train a forecaster that predicts NaN everywhere (features may be
        # NaN: they are read as missing)
        if not len(self.ids) == len(self.features) == len(self.times) == len(self.fractions):
            raise InputError(
                f"ids, features, times and fractions need one entry per profile, got "
                f"{len(self.ids)}, {len(self.features)}, {len(self.times)}, {len(self.fractions)}"
            )
        for pid, t, f in zip(self.ids, self.times, self.fractions, strict=True):
            t, f = np.asarray(t, float), np.asarray(f, float)
            if t.shape != f.shape:
                raise InputError(f"profile {pid!r}: {t.size} times but {f.size} fractions")
            for name, v in (("times", t), ("fractions", f)):
                if not np.all(np.isfinite(v)):
                    i = int(np.flatnonzero(~np.isfinite(v))[0])
                    raise InputError(f"profile {pid!r}: {name}[{i}] must be finite, got {v[i]:g}")

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        feature_columns: Sequence[str],
        profile_column: str = "profile_id",
        time_column: str = "time",
        target_column: str = "fraction_released",
    ) -> ReleaseCurveSet:
        """Group a long table by profile; rows sorted by time, (0, 0) prepended where missing."""
        need = [profile_column, time_column, target_column, *feature_columns]
        missing = [c for c in need if c not in frame]
        if missing:
            raise InputError(f"release table lacks columns {missing}")
        if frame.empty:
            raise InputError("release table has no rows")
        for col in [time_column, target_column, *feature_columns]:
            text = pd.to_numeric(frame[col], errors="coerce").isna() & frame[col].notna()
            if text.any():  # "could not convert string to float" named neither row nor column
                i = int(np.flatnonzero(text.to_numpy())[0])
                raise InputError(f"row {i}, column {col!r}: {frame[col].iat[i]!r} is not a number")
        ids, feats, times, fracs = [], [], [], []
        for pid, g in frame.groupby(profile_column, sort=False):
            g = g.sort_values(time_column, kind="stable")
            t = g[time_column].to_numpy(dtype=float)
            f = g[target_column].to_numpy(dtype=float)
            if not (np.all(np.isfinite(t)) and np.all(np.isfinite(f))) or np.any(t < 0):
                raise InputError(f"profile {pid!r}: times and fractions must be finite, t >= 0")
            if np.any(np.diff(t) <= 0):
                raise InputError(f"profile {pid!r}: times must be strictly increasing")
            if t[0] > 0:
                t, f = np.r_[0.0, t], np.r_[0.0, f]
            ids.append(pid)
            feats.append(g[list(feature_columns)].iloc[0].to_numpy(dtype=float))
            times.append(t)
            fracs.append(f)
        return cls(ids, np.asarray(feats, dtype=float).reshape(len(ids), -1), times, fracs)

    def subset(self, idx: Sequence[int]) -> ReleaseCurveSet:
        return ReleaseCurveSet(
            [self.ids[i] for i in idx],
            self.features[list(idx)],
            [self.times[i] for i in idx],
            [self.fractions[i] for i in idx],
        )

    def __len__(self) -> int:
        return len(self.ids)


def _forecast_inputs(
    features: Any, t_observed: Any, f_observed: Any, t_future: Any, n_features: int
) -> tuple[np.ndarray, ...]:
    """The arguments of a ``forecast`` as float arrays, checked (one-line InputError)."""
    x = np.asarray(features, float).ravel()
    if x.size != n_features:  # a shorter vector would broadcast silently
        raise InputError(f"features: expected {n_features} values (as in training), got {x.size}")
    arrays = {
        "t_observed": np.asarray(t_observed, float).ravel(),
        "f_observed": np.asarray(f_observed, float).ravel(),
        "t_future": np.asarray(t_future, float).ravel(),
    }
    for name, v in arrays.items():
        if not np.all(np.isfinite(v)):
            i = int(np.flatnonzero(~np.isfinite(v))[0])
            raise InputError(f"{name}[{i}] must be finite, got {v[i]:g}")
    t_obs, f_obs, t_fut = arrays.values()
    if t_obs.size != f_obs.size:
        raise InputError(f"t_observed has {t_obs.size} values but f_observed has {f_obs.size}")
    return x, t_obs, f_obs, t_fut


def _standardise(F: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.nan_to_num((F - mean) / scale, nan=0.0)


class ReleaseForecaster:
    """GRU forecaster of release curves (hazard output: monotone, bounded by construction).

    Method: gated recurrent unit of Cho et al. (EMNLP 2014); the hazard output and the
    formulation-dependent initial state are nanomed's own design (module docstring).

    Parameters
    ----------
    hidden : int
        GRU state size.
    epochs : int
        Full-batch Adam steps; each step draws a new number of observed points per profile.
    k_max : int
        Largest number of observed points (after t = 0) seen in training.
    learning_rate, weight_decay : float
        Adam settings.
    random_state : int or None
        Seed.

    Examples
    --------
    >>> t = np.linspace(0, 10, 11); x = np.linspace(0.2, 1.0, 12)
    >>> curves = ReleaseCurveSet(list(range(12)), x[:, None], [t] * 12,
    ...                          [1 - np.exp(-k * t) for k in x])
    >>> fc = ReleaseForecaster(hidden=8, epochs=60, random_state=0).fit(curves)
    >>> f = fc.forecast(x[3:4], t[:3], 1 - np.exp(-x[3] * t[:3]), t[3:])
    >>> bool(np.all(np.diff(f) >= 0) and 0 <= f.min() and f.max() <= 1)
    True
    """

    def __init__(
        self,
        hidden: int = 32,
        epochs: int = 300,
        k_max: int = 8,
        learning_rate: float = 5e-3,
        weight_decay: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.hidden = hidden
        self.epochs = epochs
        self.k_max = k_max
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.random_state = random_state

    def _modules(self, d: int) -> Any:
        import torch

        class Net(torch.nn.Module):
            def __init__(self, d: int, h: int) -> None:
                super().__init__()
                self.init = torch.nn.Linear(d, h)
                self.cell = torch.nn.GRUCell(4, h)
                self.head = torch.nn.Linear(h + 1, 1)

        return Net(d, int(self.hidden))

    @staticmethod
    def _step_input(t: Any, dt: Any, f: Any, observed: Any) -> Any:
        import torch

        return torch.stack([torch.log1p(t), torch.log1p(dt), f, observed], dim=1)

    def _roll(self, net: Any, x: Any, T: Any, Fobs: Any, k: Any) -> Any:
        """Run over padded times T (B, L); the first k+1 points are observed. Returns F (B, L)."""
        import torch

        h = torch.tanh(net.init(x))
        f = Fobs[:, 0]
        out = [f]
        for j in range(T.shape[1] - 1):
            obs = (j <= k).float()
            f_in = obs * Fobs[:, j] + (1 - obs) * f
            prev_dt = T[:, j] - T[:, j - 1] if j > 0 else torch.zeros_like(T[:, 0])
            h = net.cell(self._step_input(T[:, j], prev_dt.clamp(min=0), f_in, obs), h)
            dt = (T[:, j + 1] - T[:, j]).clamp(min=0)
            rate = torch.nn.functional.softplus(
                net.head(torch.cat([h, torch.log1p(dt)[:, None]], 1))
            )
            f = f_in + (1 - f_in) * (1 - torch.exp(-rate[:, 0] * dt))
            out.append(f)
        return torch.stack(out, dim=1)

    def fit(self, curves: ReleaseCurveSet) -> ReleaseForecaster:
        """Train on whole profiles, drawing the number of observed points at random."""
        import torch

        if len(curves) == 0:
            raise InputError("no release profiles to train on")
        F = curves.features
        self.x_mean_ = np.nan_to_num(np.nanmean(F, axis=0))
        sd = np.nanstd(F, axis=0)
        self.x_scale_ = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
        L = max(len(t) for t in curves.times)
        B = len(curves)
        T = np.zeros((B, L))
        Y = np.zeros((B, L))
        M = np.zeros((B, L))
        for i, (t, f) in enumerate(zip(curves.times, curves.fractions, strict=True)):
            n = len(t)
            T[i, :n], Y[i, :n], M[i, :n] = t, f, 1.0
            T[i, n:], Y[i, n:] = t[-1], f[-1]  # padding repeats the last point (dt = 0)
        n_pts = M.sum(axis=1).astype(int)
        gen = torch.Generator().manual_seed(int(self.random_state or 0))
        torch.manual_seed(int(self.random_state or 0))
        net = self._modules(F.shape[1])
        x = torch.as_tensor(_standardise(F, self.x_mean_, self.x_scale_), dtype=torch.float32)
        Tt, Yt, Mt = (torch.as_tensor(a, dtype=torch.float32) for a in (T, Y, M))
        kmax = torch.as_tensor(np.clip(n_pts - 2, 1, self.k_max), dtype=torch.float32)
        opt = torch.optim.Adam(
            net.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        steps = torch.arange(L, dtype=torch.float32)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for _ in range(int(self.epochs)):
                k = torch.floor(torch.rand(B, generator=gen) * kmax) + 1  # 1..kmax observed
                pred = self._roll(net, x, Tt, Yt, k)
                future = Mt * (steps[None, :] > k[:, None]).float()
                loss = (torch.abs(pred - Yt) * future).sum() / future.sum().clamp(min=1)
                opt.zero_grad()
                loss.backward()
                opt.step()
        finally:
            torch.set_num_threads(threads)
        self.state_ = {k: v.detach().clone() for k, v in net.state_dict().items()}
        self.n_features_in_ = F.shape[1]
        return self

    def forecast(
        self, features: Any, t_observed: Any, f_observed: Any, t_future: Any
    ) -> np.ndarray:
        """Forecast the fraction released at ``t_future`` from the points measured so far.

        Parameters
        ----------
        features : array (d,)
            Formulation features (as in training).
        t_observed, f_observed : arrays
            Measured times (same unit as training) and fractions; (0, 0) is prepended if absent.
        t_future : array
            Later times to forecast (> the last measured time).
        """
        import torch

        if not hasattr(self, "state_"):
            raise InputError("ReleaseForecaster is not fitted")
        x, t_obs, f_obs, t_fut = _forecast_inputs(
            features, t_observed, f_observed, t_future, self.n_features_in_
        )
        if t_obs.size == 0 or t_obs[0] > 0:
            t_obs, f_obs = np.r_[0.0, t_obs], np.r_[0.0, f_obs]
        if t_fut.size and t_fut.min() <= t_obs[-1]:
            raise InputError("forecast times must be later than the last measured time")
        net = self._modules(self.n_features_in_)
        net.load_state_dict(self.state_)
        x = _standardise(x.reshape(1, -1), self.x_mean_, self.x_scale_)
        T = torch.as_tensor(np.r_[t_obs, t_fut][None, :], dtype=torch.float32)
        Y = torch.as_tensor(np.r_[f_obs, np.zeros(t_fut.size)][None, :], dtype=torch.float32)
        with torch.no_grad():
            pred = self._roll(
                net,
                torch.as_tensor(x, dtype=torch.float32),
                T,
                Y,
                torch.tensor([float(t_obs.size - 1)]),
            )
        return np.clip(pred.numpy()[0, t_obs.size :].astype(float), 0.0, 1.0)


def _z_from_theta(theta: np.ndarray) -> np.ndarray:
    """(td, beta, f_max) -> (ln td, ln beta, logit f_max)."""
    fm = np.clip(theta[..., 2], 1e-3, 1 - 1e-3)
    return np.stack([np.log(theta[..., 0]), np.log(theta[..., 1]), np.log(fm / (1 - fm))], -1)


def _weibull(t: np.ndarray, z: np.ndarray) -> np.ndarray:
    from nanomed.release.empirical import EMPIRICAL_MODELS

    theta = np.array([[np.exp(z[0]), np.exp(np.clip(z[1], -3, 2.5)), 1 / (1 + np.exp(-z[2])), 0.0]])
    return EMPIRICAL_MODELS["weibull"].function(t, theta)[0]


class BayesianWeibull:
    """Plateau Weibull with a Gaussian prior from the hybrid model, updated by MAP on early points.

    Method: nanomed's own composition, no published source for the whole. Its parts: the Weibull
    release curve (Langenbucher, J Pharm Pharmacol 24:979, 1972), with a plateau f_max; maximum a
    posteriori estimation under a Gaussian prior whose covariance and noise variance are estimated
    from the training profiles, i.e. parametric empirical Bayes (Carlin & Louis, Bayesian Methods
    for Data Analysis, 3rd ed., CRC Press, 2008).

    Parameters
    ----------
    hybrid : HybridReleaseModel, optional
        Prior-mean model (default: a plain plateau-Weibull hybrid, no warp, no anchor).
    ridge : float
        Added to the prior covariance diagonal (numerical safety).
    n_iter : int
        Empirical-Bayes iterations: the training profiles are MAP-fitted under the current prior
        and the prior covariance and noise variance re-estimated from those fits.
    """

    def __init__(self, hybrid: Any = None, ridge: float = 1e-3, n_iter: int = 3) -> None:
        self.hybrid = hybrid
        self.ridge = ridge
        self.n_iter = n_iter

    def fit(self, curves: ReleaseCurveSet) -> BayesianWeibull:

        from nanomed.ai.hybrid import HybridReleaseModel

        hyb = self.hybrid or HybridReleaseModel(
            form="weibull", warp_knots=0, time_column=-1, random_state=0
        )
        X = np.vstack(
            [
                np.column_stack([np.repeat(curves.features[i : i + 1], len(t), 0), t])
                for i, t in enumerate(curves.times)
            ]
        )
        self.hybrid_ = hyb.fit(X, np.concatenate(curves.fractions))
        mu = self._prior_mean(curves.features)
        # empirical Bayes: whole-profile fits are themselves MAP fits under the current prior,
        # so that poorly identified profiles (no plateau yet) cannot inflate the covariance
        self.prior_cov_, self.noise_var_ = np.diag([4.0, 1.0, 4.0]), 0.01
        for _ in range(self.n_iter):
            self.prior_prec_ = np.linalg.inv(self.prior_cov_)
            fits, sse, n = [], 0.0, 0
            for t, f, m in zip(curves.times, curves.fractions, mu, strict=True):
                z = self._map(m, t, f)
                fits.append(z)
                sse += float(np.sum((_weibull(t, z) - f) ** 2))
                n += max(len(t) - 1, 1)  # the (0, 0) point is exact for every curve
            self.noise_var_ = max(sse / n, 1e-6)
            dev = np.asarray(fits) - mu
            self.prior_cov_ = dev.T @ dev / len(dev) + self.ridge * np.eye(3)
        self.prior_prec_ = np.linalg.inv(self.prior_cov_)
        return self

    def _map(self, mu: np.ndarray, t: np.ndarray, f: np.ndarray) -> np.ndarray:
        from scipy.optimize import least_squares

        if t.size == 0:
            return mu
        chol = np.linalg.cholesky(self.prior_prec_)
        s = np.sqrt(self.noise_var_)

        def resid(z: np.ndarray) -> np.ndarray:
            return np.r_[(_weibull(t, z) - f) / s, chol.T @ (z - mu)]

        return least_squares(resid, mu, method="lm").x

    def _prior_mean(self, features: np.ndarray) -> np.ndarray:
        F = np.asarray(features, float).reshape(-1, self.hybrid_.n_features_in_ - 1)
        X = np.column_stack([F, np.zeros(len(F))])
        theta = self.hybrid_.predict_parameters(X)  # (members, rows, 4)
        return _z_from_theta(theta).mean(axis=0)

    def posterior(self, features: Any, t_observed: Any, f_observed: Any) -> np.ndarray:
        """MAP parameters z = (ln td, ln beta, logit f_max) given the measured points."""
        if not hasattr(self, "hybrid_"):
            raise InputError("BayesianWeibull is not fitted")
        x, t_obs, f_obs, _ = _forecast_inputs(
            features, t_observed, f_observed, [], self.hybrid_.n_features_in_ - 1
        )
        return self._map(self._prior_mean(x)[0], t_obs, f_obs)

    def forecast(
        self, features: Any, t_observed: Any, f_observed: Any, t_future: Any
    ) -> np.ndarray:
        """Fraction released at ``t_future`` from the MAP parameters."""
        z = self.posterior(features, t_observed, f_observed)
        t_fut = _forecast_inputs([], [], [], t_future, 0)[3]
        return np.clip(_weibull(t_fut, z), 0.0, 1.0)


def evaluate_forecast(
    n_splits: int = 10,
    ks: Sequence[int] = (1, 2, 3, 5, 8),
    *,
    forecaster_params: dict[str, Any] | None = None,
    hybrid_params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """MAE of the forecast of the remaining points after k measured points, on held-out groups.

    Splits are those of the Bannigan protocol (20 % of drug–polymer groups held out, seeds 0, 1, …);
    features are the 13 design features of the zero-shot table (the early points are the
    sequence). A test profile counts at k when it has at least one point after its k-th.
    Returns one row per (split, k, method) with ``mae`` (pooled over the forecast points),
    ``n_profiles`` and ``n_points``.
    """
    from sklearn.model_selection import GroupShuffleSplit

    from nanomed.ai.datasets import load_dataset
    from nanomed.ai.hybrid import HybridReleaseModel

    ds = load_dataset("bannigan_zero_shot")
    design = [c for c in ds.spec.feature_names if c != "Time"]
    curves = ReleaseCurveSet.from_frame(ds.frame, design, ds.spec.id_column, "Time", "Release")
    group_of = ds.frame.groupby(ds.spec.id_column, sort=False)[ds.spec.group].first()
    groups = np.array([group_of[i] for i in curves.ids])
    rows = []
    for split in range(n_splits):  # the protocol's GroupShuffleSplit, on whole profiles
        tr, te = next(
            GroupShuffleSplit(1, test_size=0.2, random_state=split).split(groups, groups=groups)
        )
        train, test = curves.subset(tr), curves.subset(te)
        gru = ReleaseForecaster(random_state=split, **(forecaster_params or {})).fit(train)
        hyb = HybridReleaseModel(
            form="weibull",
            warp_knots=0,
            time_column=-1,
            random_state=split,
            **(hybrid_params or {}),
        )
        bayes = BayesianWeibull(hyb).fit(train)
        for k in ks:
            err: dict[str, list[float]] = {
                "GRU": [],
                "hybrid + Bayesian update": [],
                "hybrid prior (no update)": [],
                "last value": [],
            }
            n_prof = 0
            for x, t, f in zip(test.features, test.times, test.fractions, strict=True):
                if len(t) < k + 2:
                    continue
                n_prof += 1
                to, fo, tf, ff = t[1 : k + 1], f[1 : k + 1], t[k + 1 :], f[k + 1 :]
                err["GRU"] += list(np.abs(gru.forecast(x, to, fo, tf) - ff))
                err["hybrid + Bayesian update"] += list(np.abs(bayes.forecast(x, to, fo, tf) - ff))
                err["hybrid prior (no update)"] += list(np.abs(bayes.forecast(x, [], [], tf) - ff))
                err["last value"] += list(np.abs(fo[-1] - ff))
            for method, e in err.items():
                rows.append(
                    {
                        "split": split,
                        "k": k,
                        "method": method,
                        "mae": float(np.mean(e)),
                        "n_profiles": n_prof,
                        "n_points": len(e),
                    }
                )
    return pd.DataFrame(rows)
