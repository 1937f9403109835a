"""Predictors with uncertainty, following the scikit-learn estimator contract.

``__init__`` only stores its arguments, ``fit`` returns ``self``, learned state ends in ``_`` and
``predict`` checks that the model is fitted. Every regressor's ``predict(X, return_std=True)`` also
returns a predictive standard deviation:

- :class:`LightGBMModel`: gradient-boosted trees (Ke et al., NeurIPS 2017); the spread comes from
  two quantile models (``interval_alpha``), the pinball-loss regression of Koenker & Bassett (1978).
- :class:`RandomForestModel`: Breiman (2001) forest; the spread is the standard deviation of the
  trees' predictions (a rough, usually over-dispersed, measure; calibrate it with
  :class:`nanomed.ai.uncertainty.ConformalRegressor`).
- :class:`GaussianProcessModel`: Matérn GP with a white-noise term (Rasmussen & Williams 2006,
  ch. 4), posterior standard deviation.
- :class:`MLPEnsembleModel`: deep ensemble of torch MLPs (Lakshminarayanan et al., NeurIPS 2017),
  spread across members.

Heavy packages (lightgbm, torch) are imported inside the methods that need them. Each class has
``to_state``/``from_state`` that turn the fitted model into JSON plus numpy arrays, the format of
:mod:`nanomed.ai.modelio` (no pickle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Self, TypeAlias, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from nanomed.core.errors import InputError

if TYPE_CHECKING:
    import torch
    from lightgbm import Booster, LGBMRegressor
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.gaussian_process.kernels import Kernel
    from sklearn.utils import Tags

__all__ = [
    "ESTIMATORS",
    "GaussianProcessModel",
    "LightGBMModel",
    "MLPEnsembleModel",
    "RandomForestClassifierModel",
    "RandomForestModel",
    "make_estimator",
]


FloatArray: TypeAlias = NDArray[np.float64]
#: what ``to_state`` returns: JSON metadata plus named numpy arrays (see :mod:`nanomed.ai.modelio`)
State: TypeAlias = tuple[dict[str, Any], dict[str, np.ndarray]]
_Forest = TypeVar("_Forest", "RandomForestRegressor", "RandomForestClassifier")


def _params_json(est: BaseEstimator) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in est.get_params().items()}


class _Regressor(RegressorMixin, BaseEstimator):
    """Shared input checks; subclasses implement ``_fit`` and ``_predict(X) -> (mean, std)``."""

    _allow_nan = False

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._allow_nan
        return tags

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        return self._validated_fit(X, y, None)

    def _fit(self, X: FloatArray, y: FloatArray, sample_weight: FloatArray | None) -> None:
        raise NotImplementedError

    def _predict(self, X: FloatArray, return_std: bool) -> tuple[FloatArray, FloatArray | None]:
        raise NotImplementedError

    def _validated_fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None) -> Self:
        X_valid, y_valid = validate_data(
            self, X, y, ensure_all_finite="allow-nan" if self._allow_nan else True, y_numeric=True
        )
        if y_valid.ndim != 1:
            raise InputError(
                f"{type(self).__name__} predicts one target, got y of shape {y_valid.shape}"
            )
        weights = None
        if sample_weight is not None:
            from sklearn.utils.validation import _check_sample_weight

            weights = _check_sample_weight(sample_weight, X_valid, ensure_non_negative=True)
            if not weights.sum() > 0:
                raise InputError("sample weights must not all be zero")
        self._fit(np.asarray(X_valid, dtype=float), np.asarray(y_valid, dtype=float), weights)
        return self

    @overload
    def predict(self, X: ArrayLike, return_std: Literal[False] = ...) -> FloatArray: ...
    @overload
    def predict(self, X: ArrayLike, return_std: Literal[True]) -> tuple[FloatArray, FloatArray]: ...
    @overload
    def predict(
        self, X: ArrayLike, return_std: bool
    ) -> FloatArray | tuple[FloatArray, FloatArray]: ...

    def predict(
        self, X: ArrayLike, return_std: bool = False
    ) -> FloatArray | tuple[FloatArray, FloatArray]:
        """Predict the target (and its standard deviation when ``return_std``)."""
        check_is_fitted(self)
        X_valid = validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan" if self._allow_nan else True
        )
        mean, std = self._predict(np.asarray(X_valid, dtype=float), return_std)
        if not return_std:
            return mean
        assert std is not None  # every _predict gives a std when asked (or raises)
        return mean, std


class _WeightedRegressor(_Regressor):
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        return self._validated_fit(X, y, sample_weight)


class LightGBMModel(_WeightedRegressor):
    """LightGBM regressor; with ``interval_alpha`` it also fits the alpha/2 and 1-alpha/2 quantiles.

    Method: gradient-boosted trees of LightGBM (Ke et al., NeurIPS 2017); quantiles by the
    pinball loss (Koenker & Bassett, Econometrica 46:33, 1978).

    Parameters mirror :class:`lightgbm.LGBMRegressor` (``subsample`` acts only with
    ``subsample_freq`` > 0, as in LightGBM).

    Examples
    --------
    >>> X = np.arange(40.0).reshape(-1, 1); y = 0.5 * X[:, 0]
    >>> m = LightGBMModel(n_estimators=50, min_child_samples=2).fit(X, y)
    >>> bool(abs(m.predict([[20.0]])[0] - 10.0) < 1.0)
    True
    """

    _allow_nan = True

    def __init__(
        self,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        boosting_type: str = "gbdt",
        min_child_samples: int = 20,
        min_child_weight: float = 1e-3,
        subsample: float = 1.0,
        subsample_freq: int = 0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        interval_alpha: float | None = None,
        random_state: int | None = None,
        n_jobs: int = 1,
        objective: str = "regression",
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.boosting_type = boosting_type
        self.min_child_samples = min_child_samples
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.subsample_freq = subsample_freq
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.interval_alpha = interval_alpha
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.objective = objective

    def _lgbm(self, **extra: Any) -> LGBMRegressor:
        from lightgbm import LGBMRegressor

        params = self.get_params()
        params.pop("interval_alpha")
        seed = params.pop("random_state")
        params.update(extra)  # the quantile models replace the objective
        return LGBMRegressor(**params, random_state=seed, verbose=-1)

    def _fit(self, X: FloatArray, y: FloatArray, sample_weight: FloatArray | None) -> None:
        self.booster_: Booster = self._lgbm().fit(X, y, sample_weight=sample_weight).booster_
        self.quantile_boosters_: list[Booster] = []
        if self.interval_alpha is not None:
            a = float(self.interval_alpha)
            if not 0 < a < 1:
                raise InputError(f"interval_alpha must be in (0, 1), got {a}")
            for q in (a / 2, 1 - a / 2):
                m = self._lgbm(objective="quantile", alpha=q).fit(X, y, sample_weight=sample_weight)
                self.quantile_boosters_.append(m.booster_)

    def _predict(self, X: FloatArray, return_std: bool) -> tuple[FloatArray, FloatArray | None]:
        mean = np.asarray(self.booster_.predict(X), dtype=float)
        if not return_std:
            return mean, None
        alpha = self.interval_alpha
        if not self.quantile_boosters_ or alpha is None:
            raise InputError("LightGBMModel gives a std only when fitted with interval_alpha")
        lo, hi = (np.asarray(b.predict(X), dtype=float) for b in self.quantile_boosters_)
        z = norm.ppf(1 - alpha / 2)
        return mean, np.maximum(hi - lo, 0.0) / (2 * z)

    def to_state(self) -> State:
        check_is_fitted(self)
        texts = [
            self.booster_.model_to_string(),
            *(b.model_to_string() for b in self.quantile_boosters_),
        ]
        arrays = {
            f"booster{i}": np.frombuffer(t.encode(), dtype=np.uint8) for i, t in enumerate(texts)
        }
        return {"params": _params_json(self), "n_features_in_": self.n_features_in_}, arrays

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Self:
        from lightgbm import Booster

        obj = cls(**meta["params"])
        texts = [arrays[f"booster{i}"].tobytes().decode() for i in range(len(arrays))]
        boosters = [Booster(model_str=t) for t in texts]
        obj.booster_, obj.quantile_boosters_ = boosters[0], boosters[1:]
        obj.n_features_in_ = int(meta["n_features_in_"])
        return obj


def _forest_state(forest: RandomForestRegressor | RandomForestClassifier) -> State:
    arrays: dict[str, np.ndarray] = {}
    depths: list[int] = []
    for i, tree in enumerate(forest.estimators_):
        st = tree.tree_.__getstate__()
        arrays[f"tree{i}_nodes"] = st["nodes"]
        arrays[f"tree{i}_values"] = st["values"]
        depths.append(int(st["max_depth"]))
    return {"max_depth": depths}, arrays


def _restore_forest(
    forest: _Forest,
    meta: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
    n_features: int,
    n_classes: Sequence[int],
) -> _Forest:
    from sklearn.tree._tree import Tree

    trees = []
    for i, depth in enumerate(meta["max_depth"]):
        nodes, values = arrays[f"tree{i}_nodes"], arrays[f"tree{i}_values"]
        tree = forest.estimator.__class__(**forest.estimator.get_params())
        t = Tree(n_features, np.asarray(n_classes, dtype=np.intp), 1)
        t.__setstate__(
            {"max_depth": depth, "node_count": len(nodes), "nodes": nodes, "values": values}
        )
        tree.tree_ = t
        tree.n_features_in_ = n_features
        tree.n_outputs_ = 1
        tree.max_features_ = n_features
        if n_classes[0] > 1:
            tree.n_classes_ = int(n_classes[0])
            tree.classes_ = np.arange(n_classes[0])
        trees.append(tree)
    forest.estimators_ = trees
    forest.n_features_in_ = n_features
    forest.n_outputs_ = 1
    return forest


class RandomForestModel(_WeightedRegressor):
    """Random forest regressor; ``return_std`` gives the spread of the trees' predictions.

    Method: random forest of Breiman (Mach Learn 45:5, 2001), scikit-learn implementation.

    Examples
    --------
    >>> X = np.arange(40.0).reshape(-1, 1); y = 0.5 * X[:, 0]
    >>> m = RandomForestModel(n_estimators=20, random_state=0).fit(X, y)
    >>> mean, std = m.predict([[20.0]], return_std=True)
    >>> bool(abs(mean[0] - 10.0) < 1.0 and std[0] >= 0)
    True
    """

    _allow_nan = True

    def __init__(
        self,
        n_estimators: int = 300,
        max_features: float | int | str | None = 0.5,
        min_samples_leaf: int | float = 2,
        min_samples_split: int | float = 2,
        max_depth: int | None = None,
        criterion: str = "squared_error",
        random_state: int | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.min_samples_split = min_samples_split
        self.max_depth = max_depth
        self.criterion = criterion
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _sk(self) -> RandomForestRegressor:
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(**self.get_params())

    def _fit(self, X: FloatArray, y: FloatArray, sample_weight: FloatArray | None) -> None:
        self.forest_ = self._sk().fit(X, y, sample_weight=sample_weight)

    def _predict(self, X: FloatArray, return_std: bool) -> tuple[FloatArray, FloatArray | None]:
        if not return_std:
            return self.forest_.predict(X), None
        per_tree = np.stack([t.predict(X) for t in self.forest_.estimators_])
        return per_tree.mean(axis=0), per_tree.std(axis=0)

    @property
    def feature_importances_(self) -> FloatArray:
        check_is_fitted(self)
        return self.forest_.feature_importances_

    def to_state(self) -> State:
        check_is_fitted(self)
        meta, arrays = _forest_state(self.forest_)
        return {"params": _params_json(self), "n_features_in_": self.n_features_in_, **meta}, arrays

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Self:
        obj = cls(**meta["params"])
        n = int(meta["n_features_in_"])
        obj.forest_ = _restore_forest(obj._sk(), meta, arrays, n, [1])
        obj.n_features_in_ = n
        return obj


class RandomForestClassifierModel(ClassifierMixin, BaseEstimator):
    """Random forest classifier for binary labels (the protein-corona protocol of Findlay 2018)."""

    def __init__(
        self,
        n_estimators: int = 300,
        max_features: float | int | str | None = "sqrt",
        min_samples_leaf: int | float = 1,
        class_weight: str | dict[Any, float] | None = None,
        random_state: int | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _sk(self) -> RandomForestClassifier:
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(**self.get_params())

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        from sklearn.utils.multiclass import check_classification_targets

        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        self.forest_ = self._sk().fit(X, y_idx)
        return self

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        proba = self.forest_.predict_proba(X)
        if proba.shape[1] < len(self.classes_):  # a restored forest always has every class
            raise InputError("forest does not know every class")
        return proba

    def predict(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def to_state(self) -> State:
        check_is_fitted(self)
        meta, arrays = _forest_state(self.forest_)
        meta.update(
            params=_params_json(self),
            n_features_in_=self.n_features_in_,
            classes_=self.classes_.tolist(),
        )
        return meta, arrays

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Self:
        obj = cls(**meta["params"])
        n = int(meta["n_features_in_"])
        obj.classes_ = np.asarray(meta["classes_"])
        forest = _restore_forest(obj._sk(), meta, arrays, n, [len(obj.classes_)])
        forest.classes_ = np.arange(len(obj.classes_))
        forest.n_classes_ = len(obj.classes_)
        obj.forest_ = forest
        obj.n_features_in_ = n
        return obj


class GaussianProcessModel(_Regressor):
    """Gaussian process with a constant × Matérn(ν) kernel plus white noise, on standardised inputs.

    Parameters
    ----------
    nu : {0.5, 1.5, 2.5, inf}
        Smoothness of the Matérn kernel (inf = squared exponential).
    ard : bool
        One length scale per feature (automatic relevance determination).
    noise_level : float
        Initial white-noise variance (of the standardised target).
    n_restarts_optimizer : int
        Extra random restarts of the marginal-likelihood optimiser.
    max_hyper_samples : int, optional
        Optimise the kernel hyper-parameters on a random subset of at most this many rows, then
        condition on all rows with them fixed (the subset-of-data approximation, Rasmussen &
        Williams, *Gaussian Processes for Machine Learning*, MIT Press 2006, §8.3.2): each
        step of the optimiser costs O(m³) instead of O(n³). None: all rows.
    """

    def __init__(
        self,
        nu: float = 2.5,
        ard: bool = False,
        noise_level: float = 0.1,
        n_restarts_optimizer: int = 0,
        max_hyper_samples: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.nu = nu
        self.ard = ard
        self.noise_level = noise_level
        self.n_restarts_optimizer = n_restarts_optimizer
        self.max_hyper_samples = max_hyper_samples
        self.random_state = random_state

    def _kernel(
        self,
        n_features: int,
        length_scale: float | ArrayLike | None = None,
        constant: float = 1.0,
        noise: float | None = None,
        fixed: bool = False,
    ) -> Kernel:
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        def bounds(b: tuple[float, float]) -> tuple[float, float] | Literal["fixed"]:
            return "fixed" if fixed else b

        if length_scale is None:
            length_scale = np.ones(n_features) if self.ard else 1.0
        noise = self.noise_level if noise is None else noise
        signal = ConstantKernel(constant, bounds((1e-3, 1e5)))
        matern = Matern(length_scale, bounds((1e-2, 1e3)), nu=self.nu)
        return signal * matern + WhiteKernel(noise, bounds((1e-6, 1e1)))

    def _fit(
        self,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None,
        kernel: Kernel | None = None,
    ) -> None:
        from sklearn.gaussian_process import GaussianProcessRegressor

        self.x_mean_ = X.mean(axis=0)
        self.x_scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        m = self.max_hyper_samples
        if kernel is None and m is not None:
            if int(m) < 2:
                raise InputError(f"max_hyper_samples must be >= 2, got {m!r}")
            if len(X) > m:
                rows = np.random.default_rng(self.random_state).choice(len(X), m, replace=False)
                sub = GaussianProcessRegressor(
                    self._kernel(X.shape[1]),
                    normalize_y=True,
                    n_restarts_optimizer=self.n_restarts_optimizer,
                    random_state=self.random_state,
                ).fit((X[rows] - self.x_mean_) / self.x_scale_, y[rows])
                kernel = sub.kernel_
        gp = GaussianProcessRegressor(
            kernel if kernel is not None else self._kernel(X.shape[1]),
            normalize_y=True,
            n_restarts_optimizer=self.n_restarts_optimizer,
            optimizer=None if kernel is not None else "fmin_l_bfgs_b",
            random_state=self.random_state,
        )
        self.gp_ = gp.fit((X - self.x_mean_) / self.x_scale_, y)
        self.X_train_, self.y_train_ = X, y

    def _predict(self, X: FloatArray, return_std: bool) -> tuple[FloatArray, FloatArray | None]:
        Z = (X - self.x_mean_) / self.x_scale_
        if return_std:
            return self.gp_.predict(Z, return_std=True)
        return self.gp_.predict(Z), None

    def to_state(self) -> State:
        check_is_fitted(self)
        k = self.gp_.kernel_
        meta = {
            "params": _params_json(self),
            "constant": float(k.k1.k1.constant_value),
            "length_scale": np.atleast_1d(k.k1.k2.length_scale).tolist(),
            "noise": float(k.k2.noise_level),
        }
        return meta, {"X_train": self.X_train_, "y_train": self.y_train_}

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Self:
        obj = cls(**meta["params"])
        X, y = arrays["X_train"], arrays["y_train"]
        ls = meta["length_scale"]
        kernel = obj._kernel(
            X.shape[1], ls if obj.ard else ls[0], meta["constant"], meta["noise"], fixed=True
        )
        # refitting with the stored, fixed hyper-parameters is exact: the posterior is closed-form
        obj._fit(X, y, None, kernel=kernel)
        obj.n_features_in_ = X.shape[1]
        return obj


class MLPEnsembleModel(_Regressor):
    """Ensemble of torch multilayer perceptrons trained from different seeds (a deep ensemble).

    Method: deep ensembles of Lakshminarayanan, Pritzel & Blundell (NeurIPS 2017); the spread is
    that of the members' means (no per-member variance head).

    Parameters
    ----------
    hidden : tuple of int
        Widths of the hidden layers (SiLU activations).
    n_members : int
        Number of networks; ``return_std`` is their spread.
    epochs : int
        Passes over the data (Adam, mini-batches of ``batch_size``).
    learning_rate, weight_decay : float
        Adam settings (weight decay acts as an L2 prior).
    """

    def __init__(
        self,
        hidden: Sequence[int] = (64, 64),
        n_members: int = 5,
        epochs: int = 200,
        batch_size: int = 64,
        learning_rate: float = 3e-3,
        weight_decay: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.hidden = hidden
        self.n_members = n_members
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # short default training on the checks' toy data
        return tags

    def _net(self, n_in: int) -> torch.nn.Sequential:
        import torch

        layers: list[torch.nn.Module] = []
        width = n_in
        for h in self.hidden:
            layers += [torch.nn.Linear(width, int(h)), torch.nn.SiLU()]
            width = int(h)
        layers.append(torch.nn.Linear(width, 1))
        return torch.nn.Sequential(*layers)

    def _fit(self, X: FloatArray, y: FloatArray, sample_weight: FloatArray | None) -> None:
        import torch

        self.x_mean_ = X.mean(axis=0)
        self.x_scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std() or 1.0)
        Xt = torch.as_tensor((X - self.x_mean_) / self.x_scale_, dtype=torch.float32)
        yt = torch.as_tensor((y - self.y_mean_) / self.y_scale_, dtype=torch.float32).unsqueeze(1)
        seeds = np.random.default_rng(self.random_state).integers(0, 2**31 - 1, self.n_members)
        self.members_: list[dict[str, np.ndarray]] = []
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # small networks: thread hand-offs cost more than they save
        try:
            self._train_members(Xt, yt, seeds)
        finally:
            torch.set_num_threads(threads)

    def _train_members(self, Xt: torch.Tensor, yt: torch.Tensor, seeds: NDArray[np.int64]) -> None:
        import torch

        for seed in seeds:
            gen = torch.Generator().manual_seed(int(seed))
            torch.manual_seed(int(seed))
            net = self._net(Xt.shape[1])
            opt = torch.optim.Adam(
                net.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
            )
            n = len(Xt)
            for _ in range(self.epochs):
                order = torch.randperm(n, generator=gen)
                for start in range(0, n, self.batch_size):
                    idx = order[start : start + self.batch_size]
                    opt.zero_grad()
                    loss = torch.nn.functional.mse_loss(net(Xt[idx]), yt[idx])
                    loss.backward()
                    opt.step()
            self.members_.append(
                {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
            )

    def _predict(self, X: FloatArray, return_std: bool) -> tuple[FloatArray, FloatArray | None]:
        import torch

        Z = torch.as_tensor((X - self.x_mean_) / self.x_scale_, dtype=torch.float32)
        preds = []
        net = self._net(X.shape[1])
        with torch.no_grad():
            for state in self.members_:
                net.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
                preds.append(net(Z).numpy()[:, 0].astype(float) * self.y_scale_ + self.y_mean_)
        p = np.stack(preds)
        return p.mean(axis=0), (p.std(axis=0) if return_std else None)

    def to_state(self) -> State:
        check_is_fitted(self)
        arrays = {f"m{i}.{k}": v for i, st in enumerate(self.members_) for k, v in st.items()}
        arrays.update(x_mean=self.x_mean_, x_scale=self.x_scale_)
        meta = {"params": _params_json(self), "y_mean": self.y_mean_, "y_scale": self.y_scale_}
        return meta, arrays

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Self:
        obj = cls(**meta["params"])
        obj.x_mean_, obj.x_scale_ = arrays["x_mean"], arrays["x_scale"]
        obj.y_mean_, obj.y_scale_ = float(meta["y_mean"]), float(meta["y_scale"])
        members: dict[int, dict[str, np.ndarray]] = {}
        for key, v in arrays.items():
            if key.startswith("m") and "." in key:
                i, name = key[1:].split(".", 1)
                members.setdefault(int(i), {})[name] = v
        obj.members_ = [members[i] for i in sorted(members)]
        obj.n_features_in_ = len(obj.x_mean_)
        return obj


#: short names used by the CLI and the protocols
ESTIMATORS: dict[str, type[_Regressor | RandomForestClassifierModel]] = {
    "lightgbm": LightGBMModel,
    "random_forest": RandomForestModel,
    "gaussian_process": GaussianProcessModel,
    "mlp_ensemble": MLPEnsembleModel,
    "random_forest_classifier": RandomForestClassifierModel,
}


def make_estimator(name: str, **params: Any) -> _Regressor | RandomForestClassifierModel:
    """Create an estimator by short name (see :data:`ESTIMATORS`)."""
    if name not in ESTIMATORS:
        raise InputError(f"unknown model {name!r} (known: {', '.join(ESTIMATORS)})")
    try:
        return ESTIMATORS[name](**params)
    except TypeError as exc:
        raise InputError(f"model {name!r}: {exc}") from None
