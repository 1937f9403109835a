"""Hybrid release model: machine learning predicts the parameters of an empirical release curve.

A neural network maps the formulation features ``x`` (everything but the time column) to the
parameters ``theta(x)`` of a plateau Weibull curve, and the curve gives the fraction released,

    F(t | x) = f_max(x) * W(w(t | x); theta(x)),

where ``W`` is the single Weibull 1 - exp(-(t/td)**beta) (Langenbucher, J Pharm Pharmacol 24:979,
1972) or the double Weibull a*W1 + (1-a)*W2 (burst plus slower phase; Phoenix IVIVC model 603),
both from :mod:`nanomed.release.empirical`, and ``w`` is an optional learned monotone warp of
log time (the "learned residual" of the mechanism; off unless ``warp_knots`` > 0).

Which part is learned: the map ``x -> theta`` (and the warp amplitudes). The curve's form is the
mechanism. Since f_max is a logistic in (0, 1), a, beta > 0 and ``w`` is increasing, every
predicted curve is non-decreasing in t and lies in [0, 1] by construction, for any input.

Training is end-to-end on the measured points: the loss is the point-wise absolute error of the
curve, back-propagated through the curve into the network (the "previous attempt" regressed
per-profile fitted parameters instead, which weights all parameters alike whatever their effect
on the curve). An ensemble of ``n_members`` networks from different seeds gives ``return_std``;
the ensemble mean of non-decreasing curves in [0, 1] is again one.

With ``anchor=(column, t_a)`` (few-shot data: the measured release at t_a is a feature) the
curve is forced through that point: td is solved from it (:func:`anchored_weibull`) and only
beta, f_max (> the anchor) and the warp are learned.

:class:`ProjectedReleaseModel` is the other hybrid: any point-wise regressor predicts the release
on a time grid and a bounded least-squares plateau Weibull is fitted to those predictions, so
the regressor learns the map formulation -> parameters implicitly. :class:`IsotonicReleaseModel`
is its model-free cousin: the point-wise predictions of each formulation are projected onto the
non-decreasing curves in [0, 1] (isotonic regression in time), no curve form assumed.

Prediction uses the vectorised ``function(t, theta)`` of the empirical model classes (the physics
written once); training uses :func:`torch_curve`, which the tests check against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from nanomed.core.errors import InputError

__all__ = [
    "CURVE_FORMS",
    "HybridReleaseModel",
    "IsotonicReleaseModel",
    "ProjectedReleaseModel",
    "anchored_weibull",
    "curve_parameters",
    "few_shot_hybrid",
    "torch_curve",
]

#: curve forms: number of raw network outputs (without warp) and the empirical model used
CURVE_FORMS: dict[str, int] = {"weibull": 3, "double_weibull": 6}

_BETA_RANGE = (0.1, 5.0)  # shape exponents searched; covers DDSolver fits of the Bannigan set
_RAW_LIMIT = 25.0  # network outputs are clipped to +-25: time scales within e**+-25 of the origin
_WARP_LOG_TIMES = (-1.5, 0.0, 1.5, 3.0, 4.5)  # ln(days): knots spread over 0.2 d .. 90 d


def _beta(u: Any) -> Any:
    lo, hi = _BETA_RANGE
    return lo + (hi - lo) * _sigmoid(u)


def _sigmoid(u: Any) -> Any:
    import torch

    return torch.sigmoid(u) if isinstance(u, torch.Tensor) else expit(u)


def curve_parameters(raw: Any, form: str, log_td0: float = 0.0) -> Any:
    """Map raw network outputs (batch, k) to the empirical model's parameters.

    Returns a torch tensor (or numpy array) of shape (batch, n_params) in the order of
    ``get_release_model(form).param_names()`` (core parameters, ``f_max``, ``t_lag`` = 0); the
    time scales are ``exp(raw + log_td0)`` in the unit of the time column.
    """
    import torch

    lib = torch if isinstance(raw, torch.Tensor) else np
    exp = lib.exp
    zero = raw[:, :1] * 0.0
    if form == "weibull":
        cols = [exp(raw[:, 0:1] + log_td0), _beta(raw[:, 1:2]), _sigmoid(raw[:, 2:3]), zero]
    elif form == "double_weibull":
        cols = [
            _sigmoid(raw[:, 0:1]),
            exp(raw[:, 1:2] + log_td0 - 2.0),  # the first phase starts faster
            _beta(raw[:, 2:3]),
            exp(raw[:, 3:4] + log_td0),
            _beta(raw[:, 4:5]),
            _sigmoid(raw[:, 5:6]),
            zero,
        ]
    else:
        raise InputError(f"curve form must be one of {list(CURVE_FORMS)}, got {form!r}")
    return lib.cat(cols, dim=1) if lib is torch else np.concatenate(cols, axis=1)


def _weibull_t(t: Any, td: Any, beta: Any) -> Any:
    import torch

    pos = t > 0
    safe = torch.where(pos, t, torch.ones_like(t))
    power = torch.where(pos, torch.exp(beta * torch.log(safe / td)), torch.zeros_like(t))
    return -torch.expm1(-power)


def torch_curve(t: Any, theta: Any, form: str) -> Any:
    """Differentiable copy of ``function(t, theta)`` of the empirical models (no lag).

    ``t`` (batch, n) or (batch, 1), ``theta`` (batch, n_params) as from :func:`curve_parameters`.
    """
    if form == "weibull":
        return theta[:, 2:3] * _weibull_t(t, theta[:, 0:1], theta[:, 1:2])
    a = theta[:, 0:1]
    w1 = _weibull_t(t, theta[:, 1:2], theta[:, 2:3])
    w2 = _weibull_t(t, theta[:, 3:4], theta[:, 4:5])
    return theta[:, 5:6] * (a * w1 + (1 - a) * w2)


def _warp(t: Any, amp: Any, lib: Any) -> Any:
    """Monotone warp of time: ln w = ln t + sum_j amp_j * sigmoid(ln t - k_j), amp_j >= 0."""
    pos = t > 0
    safe = lib.where(pos, t, lib.ones_like(t))
    logt = lib.log(safe)
    shift = 0.0
    for j, k in enumerate(_WARP_LOG_TIMES[: amp.shape[1]]):
        shift = shift + amp[:, j : j + 1] * _sigmoid(logt - k)
    return lib.where(pos, lib.exp(logt + shift), lib.zeros_like(t))


def _column_index(col: Any, names: Any, n: int, what: str) -> int:
    if isinstance(col, str):
        if names is None or col not in names:
            raise InputError(f"{what} {col!r} not among the columns of X")
        return names.index(col)
    j = int(col)
    if not -n <= j < n:
        raise InputError(f"{what} {j} out of range for {n} columns")
    return j % n


def anchored_weibull(raw: Any, t_anchor: float, y_anchor: Any) -> Any:
    """Plateau Weibull through a measured point (t_anchor, y_anchor): raw (batch, 3) -> theta.

    f_max = y_a + (1 - y_a)·sigmoid(raw_2) > y_a, beta from raw_1, and td solves
    f_max·(1 - exp(-(t_a/td)**beta)) = y_a, i.e. td = t_a·(-ln(1 - y_a/f_max))**(-1/beta).
    """
    import torch

    lib = torch if isinstance(raw, torch.Tensor) else np
    ya = lib.clip(y_anchor, 0.005, 0.98)
    fmax = ya + (1 - ya) * _sigmoid(raw[:, 2:3])
    beta = _beta(raw[:, 1:2])
    td = t_anchor * (-lib.log1p(-ya / fmax)) ** (-1.0 / beta)
    cols = [td, beta, fmax, raw[:, :1] * 0.0]
    return lib.cat(cols, dim=1) if lib is torch else np.concatenate(cols, axis=1)


class HybridReleaseModel(RegressorMixin, BaseEstimator):
    """ML-predicted parameters of a plateau Weibull (or double Weibull) release curve.

    Method: nanomed's own composition, no published source for the whole: a neural-network
    ensemble (deep ensemble, Lakshminarayanan et al., NeurIPS 2017) trained end-to-end through the
    Weibull release curve (Langenbucher, J Pharm Pharmacol 24:979, 1972; module docstring).

    Rows are (formulation, time) pairs as in the Bannigan tables; ``y`` is the fraction released.
    The time column enters only through the curve; all other columns are formulation features.

    Parameters
    ----------
    form : {"weibull", "double_weibull"}
        Curve whose parameters are learned (3 or 6 learned parameters).
    time_column : int or str
        Column of the time [any unit; the data's, e.g. days]. A string needs a DataFrame X.
    warp_knots : int
        Number (0-5) of non-negative sigmoid bumps of the learned monotone log-time warp.
    hidden : tuple of int
        Hidden widths of each network (SiLU).
    n_members : int
        Networks in the ensemble (different seeds); ``return_std`` is their spread.
    epochs : int
        Full-batch Adam steps.
    learning_rate, weight_decay : float
        Adam settings.
    loss : {"l1", "l2"}
        Point-wise loss of the curve (l1 matches the protocol's MAE).
    random_state : int or None
        Seed of the ensemble.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.repeat(rng.random(20), 8); t = np.tile(np.arange(8.0), 20)
    >>> y = 1 - np.exp(-t * (0.2 + x))
    >>> X = np.column_stack([x, t])
    >>> m = HybridReleaseModel(time_column=1, n_members=1, epochs=200, random_state=0).fit(X, y)
    >>> bool(np.mean(np.abs(m.predict(X) - y)) < 0.05)
    True
    """

    def __init__(
        self,
        form: Any = "weibull",
        time_column: Any = "Time",
        warp_knots: Any = 3,
        anchor: Any = None,
        hidden: Any = (32,),
        n_members: Any = 5,
        epochs: Any = 300,
        learning_rate: Any = 3e-3,
        weight_decay: Any = 3e-2,
        loss: Any = "l1",
        random_state: Any = None,
    ) -> None:
        self.form = form
        self.time_column = time_column
        self.warp_knots = warp_knots
        self.anchor = anchor
        self.hidden = hidden
        self.n_members = n_members
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.loss = loss
        self.random_state = random_state

    # -- inputs ------------------------------------------------------------------------------
    def _split(self, X: Any, reset: bool) -> Any:
        """(formulation features, times, anchor values or None) from X, checked."""
        import pandas as pd

        if isinstance(X, pd.DataFrame):
            names = [str(c) for c in X.columns]
            if reset:
                self.feature_names_in_ = np.asarray(names, dtype=object)
            num = X.apply(pd.to_numeric, errors="coerce")
            bad = num.isna().to_numpy() & X.notna().to_numpy()
            if bad.any():
                i, j = map(int, np.argwhere(bad)[0])
                raise InputError(f"row {i}, column {names[j]!r}: {X.iat[i, j]!r} is not a number")
            arr = num.to_numpy(dtype=float)
        else:
            names = None
            if reset and hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            arr = np.asarray(X, dtype=float)
        if arr.ndim != 2:
            raise InputError(f"X must be a 2-D table, got shape {arr.shape}")
        if reset:
            self.n_features_in_ = arr.shape[1]
        elif arr.shape[1] != self.n_features_in_:
            raise InputError(
                f"X has {arr.shape[1]} columns, the model was fitted on {self.n_features_in_}"
            )
        if names is None and hasattr(self, "feature_names_in_"):
            names = list(self.feature_names_in_)
        j = _column_index(self.time_column, names, arr.shape[1], "time_column")
        t = arr[:, j]
        bad = ~np.isfinite(t) | (t < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"row {i}: time must be finite and >= 0, got {t[i]:g}")
        ya = None
        if self.anchor is not None:
            ya = arr[:, _column_index(self.anchor[0], names, arr.shape[1], "anchor column")]
            bad = ~np.isfinite(ya) | (ya < 0) | (ya > 1)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"row {i}: anchor {self.anchor[0]!r} must be in [0, 1], got {ya[i]:g}"
                )
        return np.delete(arr, j, axis=1), t, ya

    def _scale(self, F: np.ndarray) -> np.ndarray:
        Z = F.copy()
        Z[:, self.log_columns_] = np.log10(np.maximum(Z[:, self.log_columns_], 1e-300))
        Z = (Z - self.x_mean_) / self.x_scale_
        return np.nan_to_num(Z, nan=0.0)  # a missing feature sits at the training mean

    # -- fitting ------------------------------------------------------------------------------
    def _n_raw(self) -> int:
        return CURVE_FORMS[self.form] + int(self.warp_knots)

    def _net(self, n_in: int) -> Any:
        import torch

        layers, width = [], n_in
        for h in self.hidden:
            layers += [torch.nn.Linear(width, int(h)), torch.nn.SiLU()]
            width = int(h)
        layers.append(torch.nn.Linear(width, self._n_raw()))
        return torch.nn.Sequential(*layers)

    def _amplitudes(self, raw: Any, lib: Any) -> Any:
        u = raw[:, CURVE_FORMS[self.form] :] - 2.0  # start near no warp
        u = u.clamp(max=_RAW_LIMIT) if lib is not np else np.minimum(u, _RAW_LIMIT)
        return lib.nn.functional.softplus(u) if lib is not np else np.logaddexp(0.0, u)

    def _theta(self, raw: Any, ya: Any, lib: Any) -> Any:
        n = CURVE_FORMS[self.form]
        # bounded raw outputs keep time scales in (0, inf) for any input, however extreme
        raw = (
            raw.clamp(-_RAW_LIMIT, _RAW_LIMIT)
            if lib is not np
            else np.clip(raw, -_RAW_LIMIT, _RAW_LIMIT)
        )
        if self.anchor is None:
            return curve_parameters(raw[:, :n], self.form, self.log_td0_)
        t_a = float(self.anchor[1])
        if self.warp_knots:  # the curve passes through the anchor in warped time
            t_a = _warp(raw[:, :1] * 0.0 + t_a, self._amplitudes(raw, lib), lib)
        return anchored_weibull(raw[:, :n], t_a, ya)

    def _curve(self, raw: Any, t: Any, lib: Any, ya: Any = None) -> Any:
        theta = self._theta(raw, ya, lib)
        if self.warp_knots:
            t = _warp(t, self._amplitudes(raw, lib), lib)
        if lib is np:
            from nanomed.release.empirical import EMPIRICAL_MODELS

            return EMPIRICAL_MODELS[self.form].function(t, theta)
        return torch_curve(t, theta, self.form)

    def fit(self, X: Any, y: Any) -> Self:
        """Fit the ensemble on rows (formulation, time) -> fraction released."""
        import torch

        if self.form not in CURVE_FORMS:
            raise InputError(f"form must be one of {list(CURVE_FORMS)}, got {self.form!r}")
        if not 0 <= int(self.warp_knots) <= len(_WARP_LOG_TIMES):
            raise InputError(f"warp_knots must be in 0..{len(_WARP_LOG_TIMES)}")
        if self.loss not in ("l1", "l2"):
            raise InputError(f"loss must be 'l1' or 'l2', got {self.loss!r}")
        if self.anchor is not None and (self.form != "weibull" or len(self.anchor) != 2):
            raise InputError("anchor=(column, time) is defined for form='weibull' only")
        if self.anchor is not None and not _number(self.anchor[1]) > 0:
            # td is solved through t_anchor**…: a time <= 0 makes every prediction NaN
            raise InputError(f"anchor time must be > 0, got {self.anchor[1]!r}")
        if int(self.n_members) < 1:
            raise InputError(f"n_members must be >= 1, got {self.n_members!r}")
        F, t, ya = self._split(X, reset=True)
        y = np.asarray(y, dtype=float).ravel()
        if len(y) != len(t):
            raise InputError(f"X has {len(t)} rows but y has {len(y)}")
        if not np.all(np.isfinite(y)):
            i = int(np.flatnonzero(~np.isfinite(y))[0])
            raise InputError(f"row {i}: the fraction released must be finite, got {y[i]:g}")
        finite = np.where(np.isfinite(F), F, np.nan)
        with np.errstate(all="ignore"):
            lo, hi = np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)
            self.log_columns_ = np.flatnonzero((lo > 0) & (hi / lo > 100.0))
        Z0 = F.copy()
        Z0[:, self.log_columns_] = np.log10(Z0[:, self.log_columns_])
        mean = np.nanmean(Z0, axis=0) if len(Z0) else np.zeros(Z0.shape[1])
        sd = np.nanstd(Z0, axis=0)
        self.x_mean_ = np.nan_to_num(mean)
        self.x_scale_ = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
        positive = t[t > 0]
        # time scales start at the median measured time: a neutral, data-derived origin
        self.log_td0_ = float(np.log(np.median(positive))) if positive.size else 0.0
        Z = self._scale(F)
        # the network sees each distinct formulation once; rows index into it
        uniq, inverse = np.unique(Z, axis=0, return_inverse=True)
        Zt = torch.as_tensor(uniq, dtype=torch.float32)
        idx = torch.as_tensor(inverse.ravel(), dtype=torch.long)
        tt = torch.as_tensor(t.copy(), dtype=torch.float32).unsqueeze(1)
        yt = torch.as_tensor(y.copy(), dtype=torch.float32).unsqueeze(1)
        at = None if ya is None else torch.as_tensor(ya.copy(), dtype=torch.float32).unsqueeze(1)
        seeds = np.random.default_rng(self.random_state).integers(0, 2**31 - 1, self.n_members)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # small networks: thread hand-offs cost more than they save
        try:
            self.offset_ = self._population_offset(tt, yt, at)
            self.members_ = [self._train(Zt, idx, tt, yt, at, int(s)) for s in seeds]
        finally:
            torch.set_num_threads(threads)
        return self

    def _population_offset(self, tt: Any, yt: Any, at: Any) -> np.ndarray:
        """Raw outputs of the one curve that best fits all rows (the population curve).

        The networks learn deviations from it, so weight decay shrinks every formulation
        towards the population curve rather than towards arbitrary mid-range parameters.
        """
        import torch

        raw = torch.zeros(1, self._n_raw(), requires_grad=True)
        opt = torch.optim.Adam([raw], lr=0.05)
        lossf = torch.nn.functional.l1_loss if self.loss == "l1" else torch.nn.functional.mse_loss
        for _ in range(300):
            opt.zero_grad()
            loss = lossf(self._curve(raw.expand(len(tt), -1), tt, torch, at), yt)
            loss.backward()
            opt.step()
        return raw.detach().numpy()[0].astype(float)

    def _train(
        self, Zt: Any, idx: Any, tt: Any, yt: Any, at: Any, seed: int
    ) -> dict[str, np.ndarray]:
        import torch

        torch.manual_seed(seed)
        net = self._net(Zt.shape[1])
        with torch.no_grad():  # start from small outputs: mid-range parameters for every input
            net[-1].weight.mul_(0.1)
            net[-1].bias.zero_()
        opt = torch.optim.Adam(
            net.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        lossf = torch.nn.functional.l1_loss if self.loss == "l1" else torch.nn.functional.mse_loss
        offset = torch.as_tensor(self.offset_, dtype=torch.float32)
        for _ in range(int(self.epochs)):
            opt.zero_grad()
            pred = self._curve(offset + net(Zt)[idx], tt, torch, at)
            loss = lossf(pred, yt)
            loss.backward()
            opt.step()
        return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}

    # -- prediction ---------------------------------------------------------------------------
    def _raw(self, Z: np.ndarray) -> np.ndarray:
        """Raw outputs of every member, (members, rows, k), in float64."""
        out = []
        for state in self.members_:
            h = Z
            n_layers = len(state) // 2
            for i in range(n_layers):
                h = h @ state[f"{2 * i}.weight"].T.astype(float) + state[f"{2 * i}.bias"]
                if i < n_layers - 1:
                    h = h * expit(h)  # SiLU
            out.append(h)
        return np.stack(out) + self.offset_

    def predict_parameters(self, X: Any) -> np.ndarray:
        """Curve parameters of each row and member: (members, rows, n_params).

        Order as ``get_release_model(form).param_names()``; warp amplitudes are not included.
        """
        check_is_fitted(self)
        F, _, ya = self._split(X, reset=False)
        ya = None if ya is None else ya[:, None]
        return np.stack([self._theta(r, ya, np) for r in self._raw(self._scale(F))])

    def predict_curves(self, X: Any, times: Any) -> np.ndarray:
        """Ensemble-mean curves of each row at ``times``: (rows, len(times)) in [0, 1]."""
        check_is_fitted(self)
        F, _, ya = self._split(X, reset=False)
        ya = None if ya is None else ya[:, None]
        raw = self._raw(self._scale(F))
        tgrid = np.broadcast_to(np.asarray(times, dtype=float), (F.shape[0], len(times)))
        curves = np.stack([self._curve(r, tgrid, np, ya) for r in raw])
        return np.clip(curves.mean(axis=0), 0.0, 1.0)

    def predict(self, X: Any, return_std: Any = False) -> Any:
        """Fraction released of each row at its time (and the ensemble std when ``return_std``)."""
        check_is_fitted(self)
        F, t, ya = self._split(X, reset=False)
        ya = None if ya is None else ya[:, None]
        raw = self._raw(self._scale(F))
        per = np.stack([self._curve(r, t[:, None], np, ya)[:, 0] for r in raw])
        per = np.clip(per, 0.0, 1.0)  # guards float round-off only: the forms are in [0, 1]
        return (per.mean(axis=0), per.std(axis=0)) if return_std else per.mean(axis=0)

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON metadata and numpy arrays of the fitted model (the :mod:`nanomed.ai.modelio` format)."""
        check_is_fitted(self)
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()}
        arrays = {f"m{i}.{k}": v for i, st in enumerate(self.members_) for k, v in st.items()}
        arrays.update(
            x_mean=self.x_mean_,
            x_scale=self.x_scale_,
            log_columns=np.asarray(self.log_columns_, dtype=np.int64),
            offset=self.offset_,
        )
        meta = {
            "params": params,
            "log_td0": self.log_td0_,
            "n_features_in_": self.n_features_in_,
            "n_members": len(self.members_),
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> HybridReleaseModel:
        params = dict(meta["params"])
        for key in ("hidden", "anchor"):
            if isinstance(params.get(key), list):
                params[key] = tuple(params[key])
        obj = cls(**params)
        obj.x_mean_, obj.x_scale_ = arrays["x_mean"], arrays["x_scale"]
        obj.log_columns_ = arrays["log_columns"].astype(int)
        obj.offset_ = arrays["offset"]
        obj.log_td0_ = float(meta["log_td0"])
        obj.n_features_in_ = int(meta["n_features_in_"])
        obj.members_ = [
            {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(f"m{i}.")}
            for i in range(int(meta["n_members"]))
        ]
        return obj

    def learned_parts(self) -> dict[str, Any]:
        """What is learned and what is mechanism (for model cards and reports)."""
        from nanomed.release.empirical import EMPIRICAL_MODELS

        model = EMPIRICAL_MODELS[self.form]
        return {
            "mechanism": f"{model.name}: {model.equation}, times f_max ({model.reference})",
            "learned": "network x -> " + ", ".join(model.param_names()[:-1]),
            "residual": (
                f"monotone log-time warp with {self.warp_knots} learned amplitudes"
                if self.warp_knots
                else "none"
            ),
        }


def few_shot_hybrid(random_state: int | None = 0, **params: Any) -> HybridReleaseModel:
    """The hybrid used on the Bannigan few-shot protocol: plateau Weibull through the measured
    1-day point (column ``T=1.0``), a 3-knot log-time warp, an ensemble of 5 small networks.

    Settings were chosen by grouped 4-fold CV inside the training part of split 0 only.
    """
    kw: dict[str, Any] = {"form": "weibull", "anchor": ("T=1.0", 1.0), "warp_knots": 3}
    kw.update(params)
    return HybridReleaseModel(random_state=random_state, **kw)


class ProjectedReleaseModel(RegressorMixin, BaseEstimator):
    """A point-wise learner projected onto the plateau Weibull: a valid curve per formulation.

    The point-wise regressor (any, e.g. a random forest on (formulation, time) rows) predicts
    the release of each formulation on a time grid (training-time quantiles plus the requested
    times); a bounded least-squares fit of F = f_max·(1 - exp(-(t/td)**beta)) with f_max in
    [0, 1] and beta in [0.1, 5] to those predictions gives the formulation's parameters. The map
    formulation -> (td, beta, f_max) is thus learned by the regressor and the Weibull (Langenbucher
    1972) makes every curve non-decreasing and within [0, 1].

    Parameters
    ----------
    estimator : regressor, optional
        Point-wise model (cloned); default a 300-tree :class:`~nanomed.ai.estimators.RandomForestModel`.
    time_column : int or str
        Column of the time.
    n_grid : int
        Quantiles of the training times used as the projection grid.
    random_state : int or None
        Seed given to the default forest.
    """

    def __init__(
        self,
        estimator: Any = None,
        time_column: Any = "Time",
        n_grid: int = 40,
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.time_column = time_column
        self.n_grid = n_grid
        self.random_state = random_state

    def _times(self, X: Any) -> tuple[Any, np.ndarray, int]:
        import pandas as pd

        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
        names = [str(c) for c in frame.columns] if isinstance(X, pd.DataFrame) else None
        j = _column_index(self.time_column, names, frame.shape[1], "time_column")
        t = pd.to_numeric(frame.iloc[:, j], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(t) | (t < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"row {i}: time must be finite and >= 0, got {t[i]:g}")
        return frame, t, j

    def fit(self, X: Any, y: Any) -> Self:
        """Fit the point-wise regressor on (formulation, time) rows."""
        from sklearn.base import clone

        from nanomed.ai.estimators import RandomForestModel

        if int(self.n_grid) < 1:
            raise InputError(f"n_grid must be >= 1, got {self.n_grid!r}")
        _, t, _ = self._times(X)
        base = self.estimator
        if base is None:
            base = RandomForestModel(random_state=self.random_state)
        self.estimator_ = clone(base).fit(X, y)
        positive = t[t > 0]
        if positive.size == 0:
            raise InputError("no positive times to build the projection grid")
        qs = np.linspace(0.01, 0.99, int(self.n_grid))
        self.grid_ = np.unique(np.quantile(positive, qs))
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def _project(self, times: np.ndarray, pred: np.ndarray) -> np.ndarray:
        """Bounded least-squares plateau Weibull (td, beta, f_max, 0) through ``pred`` at ``times``."""
        from scipy.optimize import least_squares

        from nanomed.release.empirical import EMPIRICAL_MODELS

        weibull = EMPIRICAL_MODELS["weibull"]
        lo_t, hi_t = np.log(self.grid_[0]) - 7.0, np.log(self.grid_[-1]) + 7.0

        def resid(q: np.ndarray) -> np.ndarray:
            return weibull.function(times, np.array([[np.exp(q[0]), q[1], q[2], 0.0]]))[0] - pred

        start = [np.log(np.median(self.grid_)), 0.8, float(np.clip(pred.max(), 0.05, 1.0))]
        r = least_squares(resid, start, bounds=([lo_t, 0.1, 0.0], [hi_t, 5.0, 1.0]))
        return np.array([np.exp(r.x[0]), r.x[1], r.x[2], 0.0])

    def predict_parameters(self, X: Any) -> np.ndarray:
        """Projected (td, beta, f_max, t_lag) of each row's formulation: (rows, 4)."""
        import pandas as pd

        check_is_fitted(self)
        frame, t, j = self._times(X)
        if len(frame) == 0:  # nothing to project (group.max() below needs a row)
            return np.empty((0, 4))
        design = frame.drop(columns=frame.columns[j])
        keys = design.apply(pd.to_numeric, errors="coerce").fillna(-1e300)
        group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
        theta = np.empty((len(frame), 4))
        firsts = [int(np.flatnonzero(group == g)[0]) for g in range(group.max() + 1)]
        grids = [np.unique(np.r_[self.grid_, t[group == g]]) for g in range(len(firsts))]
        rows = frame.iloc[np.repeat(firsts, [len(gr) for gr in grids])].copy()
        rows.iloc[:, j] = np.concatenate(grids)
        data = rows if isinstance(X, pd.DataFrame) else rows.to_numpy(dtype=float)
        pred = np.asarray(self.estimator_.predict(data), dtype=float)
        start = 0
        for g, gr in enumerate(grids):
            theta[group == g] = self._project(gr, pred[start : start + len(gr)])
            start += len(gr)
        return theta

    def predict(self, X: Any) -> np.ndarray:
        """Fraction released of each row at its time, on its formulation's projected curve."""
        from nanomed.release.empirical import EMPIRICAL_MODELS

        theta = self.predict_parameters(X)
        _, t, _ = self._times(X)
        f = EMPIRICAL_MODELS["weibull"].function(t[:, None], theta)[:, 0]
        return np.clip(f, 0.0, 1.0)


def _number(value: Any) -> float:
    """``value`` as a float, NaN when it is not a number (so that a range check refuses it)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _profile_ids(design: Any) -> np.ndarray:
    """Integer id of each row's formulation (rows with identical non-time inputs share one)."""
    import pandas as pd

    keys = design.apply(pd.to_numeric, errors="coerce").fillna(-1e300)
    return keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()


class IsotonicReleaseModel(RegressorMixin, BaseEstimator):
    """A point-wise learner whose predictions are made non-decreasing in time per formulation.

    The rows of one formulation (identical inputs but the time) are one predicted profile; its
    point-wise predictions are replaced by their least-squares non-decreasing fit in time (pool
    adjacent violators; Barlow et al., *Statistical inference under order restrictions*, 1972)
    and clipped to [0, 1]. Only the model's own predictions and the row's inputs are used, never
    a label, so the step is valid on test rows. Cumulative release is non-decreasing in time, so
    the projection can only move the predictions of a profile towards the set the truth lies in.

    ``anchors`` names input columns that hold measured points of the same profile (the few-shot
    protocol's release at 0.25, 0.5 and 1 day): they join the isotonic fit as points pinned by a
    large weight, so a prediction before an anchor stays below the measured value and one after
    it stays above (cumulative release cannot fall).

    Parameters
    ----------
    estimator : regressor
        Point-wise model (cloned); ``fit`` forwards ``groups`` to it when given.
    time_column : int or str
        Column of the time.
    anchors : mapping of float to int or str, optional
        Time [same unit as ``time_column``] -> column holding the measured fraction released at
        that time. Each value must lie in [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.dummy import DummyRegressor
    >>> X = pd.DataFrame({"x": [1.0, 1.0, 1.0], "Time": [1.0, 2.0, 3.0]})
    >>> m = IsotonicReleaseModel(DummyRegressor(), time_column="Time").fit(X, [0.2, 0.5, 0.8])
    >>> m.predict(X).round(2).tolist()
    [0.5, 0.5, 0.5]
    """

    #: weight of an anchor in the isotonic fit, relative to one predicted row: large enough to pin
    #: it (the fit of a profile moves an anchor by at most ~1/_ANCHOR_WEIGHT of the row spread)
    _ANCHOR_WEIGHT = 1e6

    def __init__(
        self,
        estimator: Any = None,
        time_column: Any = "Time",
        anchors: Mapping[float, Any] | None = None,
    ) -> None:
        self.estimator = estimator
        self.time_column = time_column
        self.anchors = anchors

    def _anchor_values(self, frame: Any) -> tuple[np.ndarray, np.ndarray]:
        """Anchor times and the (rows, anchors) matrix of measured values, checked."""
        import pandas as pd

        if not self.anchors:
            return np.empty(0), np.empty((len(frame), 0))
        names = [str(c) for c in frame.columns]
        times = np.array([float(t) for t in self.anchors], dtype=float)
        if not np.all(np.isfinite(times)) or np.any(times < 0):
            raise InputError(f"anchors: times must be finite and >= 0, got {times.tolist()}")
        cols = []
        for t, col in self.anchors.items():
            j = _column_index(col, names, frame.shape[1], f"anchor at t={t:g}")
            v = pd.to_numeric(frame.iloc[:, j], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(v) | (v < 0) | (v > 1)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"row {i}: anchor column {col!r} must be a fraction in [0, 1], got {v[i]:g}"
                )
            cols.append(v)
        return times, np.column_stack(cols)

    def _times(self, X: Any) -> tuple[Any, np.ndarray, int]:
        return ProjectedReleaseModel(time_column=self.time_column)._times(X)

    def fit(self, X: Any, y: Any, groups: Any = None) -> Self:
        """Fit the point-wise model (``groups`` go to it if it takes them, e.g. for inner CV)."""
        import inspect

        from sklearn.base import clone

        if self.estimator is None:
            raise InputError("IsotonicReleaseModel needs an estimator")
        frame, _, _ = self._times(X)
        self._anchor_values(frame)
        est = clone(self.estimator)
        kw = {"groups": groups} if "groups" in inspect.signature(est.fit).parameters else {}
        self.estimator_ = est.fit(X, y, **kw)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Point-wise predictions made non-decreasing in time within each formulation."""
        from sklearn.isotonic import IsotonicRegression

        check_is_fitted(self)
        frame, t, j = self._times(X)
        if len(frame) == 0:  # no profile to project (the point-wise model may refuse 0 rows)
            return np.empty(0)
        anchor_t, anchor_v = self._anchor_values(frame)
        pred = np.asarray(self.estimator_.predict(X), dtype=float)
        profile = _profile_ids(frame.drop(columns=frame.columns[j]))
        out = np.empty_like(pred)
        for p in np.unique(profile):
            rows = profile == p
            first = np.flatnonzero(rows)[0]
            times = np.r_[t[rows], anchor_t]
            values = np.r_[pred[rows], anchor_v[first]]
            weights = np.r_[np.ones(rows.sum()), np.full(anchor_t.size, self._ANCHOR_WEIGHT)]
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True)
            out[rows] = iso.fit(times, values, sample_weight=weights).predict(t[rows])
        return out
