"""The published evaluation protocol of each dataset, and models built for them.

A :class:`Protocol` names the dataset, how it is split (by group where the paper splits by group),
the metric and the published numbers. :func:`evaluate` runs a model through every split, checks each
split for leakage (:func:`nanomed.ai.quality.check_split`), and returns a :class:`ProtocolResult`
with one score per split. Hyper-parameters are only ever chosen inside the training part of a split
(inner cross-validation grouped like the outer one): the test part is scored once.

>>> sorted(PROTOCOLS)
['bannigan_few_shot', 'bannigan_zero_shot', 'nano_tumor', 'protein_corona']
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin

from nanomed.ai.datasets import AIDataset, load_dataset
from nanomed.ai.quality import check_split
from nanomed.core.errors import DataError, InputError
from nanomed.core.results import atomic_write

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = [
    "BLEND_MODELS",
    "LIGHTGBM_PUBLISHED_GRID",
    "PROTOCOLS",
    "InnerCVBlend",
    "Protocol",
    "ProtocolResult",
    "build_model",
    "evaluate",
    "model_inputs",
    "protocol_splits",
    "selection_grid",
]


@dataclass(frozen=True)
class Protocol:
    """A published evaluation protocol."""

    name: str
    dataset: str
    split: str  # "group", "random" or "stratified"
    n_splits: int
    test_size: float
    metric: str  # "mae", "r2" or "auroc"
    targets: tuple[str, ...]
    published: dict[str, str] = field(default_factory=dict)
    description: str = ""

    @property
    def greater_is_better(self) -> bool:
        return self.metric != "mae"


PROTOCOLS: dict[str, Protocol] = {
    "bannigan_few_shot": Protocol(
        "bannigan_few_shot",
        "bannigan_few_shot",
        "group",
        10,
        0.2,
        "mae",
        ("Release",),
        {
            "Release": "LightGBM 0.114 (random forest 0.119, XGBoost 0.126, neural network 0.184); "
            "Bannigan et al., Nat Commun 14:35 (2023), Table 1"
        },
        "10 GroupShuffleSplit splits holding out 20 % of DP_Group groups (random_state 0..9); "
        "point-wise MAE of the fraction released.",
    ),
    "bannigan_zero_shot": Protocol(
        "bannigan_zero_shot",
        "bannigan_zero_shot",
        "group",
        10,
        0.2,
        "mae",
        ("Release",),
        {"Release": "random forest 0.160 ± 0.033; Bannigan et al. (2023), zero-shot models"},
        "As few-shot, without the three early-release features.",
    ),
    "nano_tumor": Protocol(
        "nano_tumor",
        "nano_tumor",
        "random",
        10,
        0.2,
        "r2",
        ("DE24", "DE168", "Demax"),
        {
            "DE24": "AI-PBPK 0.83 (Chou 2023); DNN 0.46 (Lin 2022)",
            "DE168": "AI-PBPK 0.56 (Chou 2023); DNN 0.33 (Lin 2022)",
            "Demax": "AI-PBPK 0.82 (Chou 2023); DNN 0.70 (Lin 2022)",
        },
        "Repeated random 80/20 splits (random_state 0..9); R² of each delivery efficiency.",
    ),
    "protein_corona": Protocol(
        "protein_corona",
        "protein_corona",
        "stratified",
        50,
        0.1,
        "auroc",
        ("bound",),
        {"bound": "random forest AUROC 0.83 ± 0.02; Findlay et al., Environ Sci Nano (2018)"},
        "Stratified 10 % hold-out repeated 50 times; AUROC of bound / not bound.",
    ),
}

#: the LightGBM search space of Bannigan et al. (few_shot_models/NESTED_CV_.py), in our names
LIGHTGBM_PUBLISHED_GRID = {
    "n_estimators": [100, 150, 200, 250, 300, 400, 500, 600],
    "boosting_type": ["gbdt", "dart", "goss"],
    "num_leaves": [16, 32, 64, 128, 256],
    "learning_rate": [0.1, 0.01, 0.001, 0.0001],
    "min_child_weight": [0.001, 0.01, 0.1, 1.0, 10.0],
    "subsample": [0.4, 0.6, 0.8, 1.0],
    "min_child_samples": [2, 10, 20, 40, 100],
    "reg_alpha": [0, 0.005, 0.01, 0.015],
    "reg_lambda": [0, 0.005, 0.01, 0.015],
}

#: datasets of the release protocols (rows: formulation x time)
_RELEASE_DATASETS = ("bannigan_few_shot", "bannigan_zero_shot")

#: measured early points of each few-shot profile (time [day] -> column): the isotonic step of
#: the few-shot blends keeps every profile through them (inner GroupKFold(5) on the training
#: parts of outer splits 0-4: 0.1147 -> 0.1140, better on 5/5; benchmarks/README.md)
_EARLY_ANCHORS = {0.25: "T=0.25", 0.5: "T=0.5", 1.0: "T=1.0"}

#: models whose members are blended with weights chosen by inner grouped CV (release protocols)
BLEND_MODELS = ("blend", "curve_blend", "analogue_blend")

#: analogue profiles per row of the ``analogue_blend`` member, chosen by inner GroupKFold(5) on the
#: training parts of outer splits 0-4 (benchmarks/README.md): few-shot 20 of 5/10/20/40/80,
#: zero-shot 40 of 5/10/20/40/80
_ANALOGUE_NEIGHBORS = {"bannigan_few_shot": 20, "bannigan_zero_shot": 40}


class InnerCVBlend(RegressorMixin, BaseEstimator):
    """Weighted mean of regressors, the weights chosen by inner cross-validation on the fit data.

    Each member's out-of-fold predictions on the data given to :meth:`fit` come from
    ``GroupKFold(n_splits)`` when ``groups`` are given (``KFold`` otherwise); the weights, on the
    simplex grid of step ``weight_step``, minimise the out-of-fold mean absolute error (the
    protocols' metric); every member is then refitted on all the data. Nothing outside the
    data given to ``fit`` is seen, so under :func:`evaluate` the choice is made on the training
    part of each outer split only (stacking by a constrained linear combiner, Breiman, Mach Learn
    24:49, 1996).

    Parameters
    ----------
    estimators : list of (str, regressor)
        Named members (cloned).
    n_splits : int
        Inner folds.
    weight_step : float
        Grid step of the weights (1/step must be an integer).

    Examples
    --------
    >>> from sklearn.dummy import DummyRegressor
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.arange(40.0).reshape(-1, 1); y = 2 * X[:, 0]
    >>> m = InnerCVBlend([("mean", DummyRegressor()), ("line", LinearRegression())]).fit(X, y)
    >>> m.weights_.tolist()
    [0.0, 1.0]
    """

    def __init__(
        self, estimators: list[tuple[str, Any]], n_splits: int = 5, weight_step: float = 0.1
    ) -> None:
        self.estimators = estimators
        self.n_splits = n_splits
        self.weight_step = weight_step

    def _grid(self) -> np.ndarray:
        from itertools import product

        m = len(self.estimators)
        steps = round(1.0 / self.weight_step)
        if m < 1 or not np.isclose(steps * self.weight_step, 1.0):
            raise InputError("InnerCVBlend needs >= 1 member and 1/weight_step an integer")
        combos = [c for c in product(range(steps + 1), repeat=m - 1) if sum(c) <= steps]
        return np.array([[*c, steps - sum(c)] for c in combos], dtype=float) / steps

    def fit(self, X: Any, y: ArrayLike, groups: ArrayLike | None = None) -> InnerCVBlend:
        from sklearn.base import clone
        from sklearn.model_selection import GroupKFold, KFold

        yv = np.asarray(y, dtype=float)
        if groups is not None and (n := len(np.unique(np.asarray(groups)))) < self.n_splits:
            raise InputError(
                f"the inner cross-validation needs at least {self.n_splits} groups; the "
                f"training rows have {n}"
            )
        cv = GroupKFold(self.n_splits) if groups is not None else KFold(self.n_splits)
        rows = np.arange(len(yv))
        oof = np.zeros((len(self.estimators), len(yv)))
        take = X.iloc if isinstance(X, pd.DataFrame) else np.asarray(X)
        for tr, te in cv.split(rows, yv, groups):
            for i, (_, est) in enumerate(self.estimators):
                oof[i, te] = clone(est).fit(take[tr], yv[tr]).predict(take[te])
        grid = self._grid()
        mae = np.abs(grid @ oof - yv).mean(axis=1)
        best = int(np.argmin(mae))
        self.weights_ = grid[best]
        self.oof_mae_ = float(mae[best])
        self.member_oof_mae_ = np.abs(oof - yv).mean(axis=1)
        self.estimators_ = [
            clone(est).fit(X, yv) if w > 0 else None
            for (_, est), w in zip(self.estimators, self.weights_, strict=True)
        ]
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        out = np.zeros(len(X))
        for w, est in zip(self.weights_, self.estimators_, strict=True):
            if est is not None:
                out += w * np.asarray(est.predict(X), dtype=float)
        return out


#: model-name prefixes (release protocols) that add a physics featuriser to the model's inputs,
#: with the input columns it reads beyond the published features
PHYSICS_PREFIXES: dict[str, tuple[str, ...]] = {
    "scaled_": (),
    "higuchi_": (),
    "higuchi_law_": (),
    "hydrolysis_": ("Polymer",),
    "molecular_": ("Drug_SMILES", "Polymer"),
}


def _prefixes(model: str) -> tuple[str, list[str]]:
    """The bare model name and the physics prefixes in front of it, in order."""
    found = []
    longest_first = sorted(PHYSICS_PREFIXES, key=len, reverse=True)  # higuchi_law_ before higuchi_
    while prefix := next((p for p in longest_first if model.startswith(p)), None):
        found.append(prefix)
        model = model.removeprefix(prefix)
    return model, found


def _physics_steps(protocol: Protocol, model: str) -> tuple[str, list[tuple[str, Any]]]:
    """Strip the physics prefixes of ``model``; return the bare name and their feature steps."""
    from nanomed.ai.features import (
        HiguchiFeatures,
        HydrolysisFeatures,
        MolecularFeatures,
        SizeScaledTimeFeatures,
    )

    model, prefixes = _prefixes(model)
    if prefixes and protocol.dataset not in _RELEASE_DATASETS:
        raise InputError(f"{prefixes[0]}* models are defined for the release protocols only")
    if "higuchi_law_" in prefixes and "molecular_" not in prefixes:
        raise InputError(
            "higuchi_law_* models need the molecular_ prefix too (the law takes the drug's "
            "diffusivity in the matrix from the molecular scale), e.g. molecular_higuchi_law_"
        )
    # the molecular step reads the polymer's name before the hydrolysis step replaces it, and
    # gives the diffusivity that Higuchi's law reads
    both = "molecular_" in prefixes and "hydrolysis_" in prefixes
    make = {
        "scaled_": ("scaled_time", SizeScaledTimeFeatures),
        "higuchi_": ("higuchi", HiguchiFeatures),
        "higuchi_law_": ("higuchi", lambda: HiguchiFeatures(diffusivity_column="log_d_matrix")),
        "hydrolysis_": ("hydrolysis", HydrolysisFeatures),
        "molecular_": ("molecular", lambda: MolecularFeatures(keep_polymer=both)),
    }
    if both or "higuchi_law_" in prefixes:
        prefixes.sort(key=lambda p: p != "molecular_")
    return model, [(make[p][0], make[p][1]()) for p in prefixes]


def _blend(
    protocol: Protocol, model: str, random_state: int, physics: list[tuple[str, Any]]
) -> Any:
    """RF + L1 LightGBM (+ analogues) blended by inner CV, made non-decreasing per profile.

    ``physics`` (from the model's prefixes) are added to the members' features: inside each
    member, so that the isotonic step still sees one profile as the rows that differ only in time.
    """
    from sklearn.pipeline import Pipeline

    from nanomed.ai.analogues import AnalogueReleaseModel
    from nanomed.ai.estimators import LightGBMModel, RandomForestModel
    from nanomed.ai.features import ReleaseCurveFeatures, ReleaseKineticFeatures
    from nanomed.ai.hybrid import IsotonicReleaseModel

    if protocol.dataset not in _RELEASE_DATASETS:
        raise InputError(f"model {model!r} is defined for the release protocols only")
    if model == "curve_blend" and protocol.dataset != "bannigan_few_shot":
        raise InputError("curve_blend needs the early-release features (bannigan_few_shot)")
    few_shot = protocol.dataset == "bannigan_few_shot"
    feats = (
        [("kinetic", ReleaseKineticFeatures()), ("curve", ReleaseCurveFeatures())]
        if model == "curve_blend" or (model == "analogue_blend" and few_shot)
        else []
    )
    feats += physics
    members = [
        ("random_forest", RandomForestModel(n_estimators=200, random_state=random_state)),
        # trained on the absolute error, the protocols' metric, instead of the squared error
        ("lightgbm_l1", LightGBMModel(objective="l1", random_state=random_state)),
    ]
    piped = [(n, Pipeline([*feats, ("model", m)])) for n, m in members]
    if model == "analogue_blend":
        analogue = AnalogueReleaseModel(
            match="early" if few_shot else "design",
            n_neighbors=_ANALOGUE_NEIGHBORS[protocol.dataset],
        )
        piped.append(("analogue", analogue))
    return IsotonicReleaseModel(InnerCVBlend(piped), anchors=_EARLY_ANCHORS if few_shot else None)


_TUMOR_CATEGORIES = ["Type", "TS", "Charge", "Shape", "TM", "CT"]
_CORONA_CATEGORIES = [
    "Enzyme Commission Number",
    "Particle Size",
    "Particle Charge",
    "Solvent Cysteine Concentration",
    "Solvent NaCl Concentration",
]


def _get(name: str) -> Protocol:
    if name not in PROTOCOLS:
        raise InputError(f"unknown protocol {name!r} (known: {', '.join(PROTOCOLS)})")
    return PROTOCOLS[name]


def model_inputs(protocol: Protocol, ds: AIDataset, model: object = None) -> pd.DataFrame:
    """The columns of ``ds`` that ``model`` reads under ``protocol``: the dataset's features (the
    corona set adds its InterPro annotation column), and the columns a physics prefix of
    ``model`` reads, e.g. ``Polymer`` for ``hydrolysis_`` models (a :class:`DataError` if the
    table lacks them).

    >>> ds = load_dataset("bannigan_few_shot")
    >>> list(model_inputs(PROTOCOLS["bannigan_few_shot"], ds, "hydrolysis_curve_blend"))[-2:]
    ['T=1.0', 'Polymer']
    """
    cols = ds.spec.feature_names + (["Interprot"] if protocol.dataset == "protein_corona" else [])
    if isinstance(model, str):
        extra = [c for p in _prefixes(model)[1] for c in PHYSICS_PREFIXES[p]]
        absent = [c for c in dict.fromkeys(extra) if c not in ds.frame]
        if absent:
            raise DataError(
                f"model {model!r} reads the column(s) {absent} (Polymer: the matrix, e.g. PLGA, "
                "PLA, PCL; Drug_SMILES: the drug's structure), which the table lacks"
            )
        cols += [c for c in dict.fromkeys(extra) if c not in cols]
    return ds.frame[cols]


def build_model(
    protocol: str, model: str = "lightgbm", random_state: int = 0, **params: Any
) -> Pipeline | Any:
    """The pipeline used for ``model`` under ``protocol``.

    Models: ``lightgbm``, ``random_forest``, ``gaussian_process``, ``mlp_ensemble`` (all protocols
    but the classification one, which takes ``random_forest``), and for the release protocols
    ``kinetic_lightgbm``, ``kinetic_random_forest`` and ``kinetic_forest_boost`` (the mean of both),
    which add :class:`~nanomed.ai.features.ReleaseKineticFeatures` (few-shot only).
    ``blend`` (release protocols) and ``curve_blend`` (few-shot, adding the kinetic and
    :class:`~nanomed.ai.features.ReleaseCurveFeatures`): a random forest and a LightGBM trained on
    the absolute error, averaged with weights chosen by :class:`InnerCVBlend` (inner GroupKFold on
    the training part) and made non-decreasing in time per profile
    (:class:`~nanomed.ai.hybrid.IsotonicReleaseModel`; in few-shot every profile is also kept
    through its three measured early points). ``analogue_blend`` (both release
    protocols) adds a third member, :class:`~nanomed.ai.analogues.AnalogueReleaseModel` (measured
    training profiles matched on the early points and time-warped through the last one in
    few-shot, matched on the design inputs in zero-shot), to the members of ``curve_blend``
    (few-shot) or ``blend`` (zero-shot).
    The prefix ``scaled_`` (release protocols, any model above, e.g. ``scaled_random_forest``,
    ``scaled_curve_blend``) adds :class:`~nanomed.ai.features.SizeScaledTimeFeatures`, the time
    scaled by the device size (t·S/V and t·(S/V)²: the clocks of erosion and of diffusion); the
    prefix ``higuchi_`` adds :class:`~nanomed.ai.features.HiguchiFeatures`, Higuchi's release
    clock from the drug's estimated solubility and load (e.g. ``higuchi_random_forest``;
    prefixes combine, ``higuchi_scaled_random_forest``); ``hydrolysis_`` adds
    :class:`~nanomed.ai.features.HydrolysisFeatures`, the polymer's hydrolysis clock (input column
    ``Polymer``); ``molecular_`` adds :class:`~nanomed.ai.features.MolecularFeatures`, the
    molecular scale's drug–polymer compatibility (input columns ``Drug_SMILES`` and ``Polymer``);
    ``higuchi_law_`` (with ``molecular_``) adds the Higuchi clock and Higuchi's law completed with
    the molecular scale's diffusivity of the drug in the matrix (``log_higuchi_fraction``).
    For the Nano-Tumor set the target is modelled as log(1 + DE): delivery efficiencies are positive
    and right-skewed (median 0.7 %ID, Wilhelm et al. 2016); scores are on the %ID scale.
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.pipeline import Pipeline

    from nanomed.ai.estimators import (
        ESTIMATORS,
        LightGBMModel,
        RandomForestClassifierModel,
        RandomForestModel,
    )
    from nanomed.ai.features import (
        ReleaseKineticFeatures,
        TabularFeaturizer,
    )

    p = _get(protocol)
    if p.dataset == "protein_corona":
        if model != "random_forest":
            raise InputError("the protein-corona protocol is a classification: use random_forest")
        feats = TabularFeaturizer(categorical=_CORONA_CATEGORIES, multilabel=["Interprot"])
        clf = RandomForestClassifierModel(random_state=random_state, **params)
        return Pipeline([("features", feats), ("model", clf)])
    model, physics = _physics_steps(p, model)
    if model in BLEND_MODELS:
        return _blend(p, model, random_state, physics)
    if model == "select":  # the grid of selection_grid() replaces both steps
        return Pipeline([("features", "passthrough"), ("model", LightGBMModel())])
    kinetic = model.startswith("kinetic_")
    base = model.removeprefix("kinetic_")
    if kinetic and p.dataset != "bannigan_few_shot":
        raise InputError("kinetic_* models need the early-release features (bannigan_few_shot)")
    if base == "forest_boost":
        est = VotingRegressor(
            [
                ("random_forest", RandomForestModel(n_estimators=200, random_state=random_state)),
                ("lightgbm", LightGBMModel(random_state=random_state, **params)),
            ]
        )
    elif base in ESTIMATORS and base != "random_forest_classifier":
        est = ESTIMATORS[base](**params)
        if "random_state" in est.get_params():
            est.set_params(random_state=random_state)
    else:
        raise InputError(f"unknown model {model!r} for protocol {protocol!r}")
    if p.dataset == "nano_tumor":
        feats = TabularFeaturizer(categorical=_TUMOR_CATEGORIES, log10=["Dose"])
        if base in ("gaussian_process", "mlp_ensemble"):
            feats.set_params(missing="indicator")
        reg = TransformedTargetRegressor(est, func=np.log1p, inverse_func=np.expm1)
        return Pipeline([("features", feats), ("model", reg)])
    steps = [("features", ReleaseKineticFeatures())] if kinetic else []
    return Pipeline([*steps, *physics, ("model", est)])


def selection_grid(protocol: str, random_state: int = 0) -> list[dict[str, list[Any]]]:
    """Candidates among which ``model="select"`` chooses by inner grouped CV (training part)."""
    if protocol != "bannigan_few_shot":
        raise InputError("model='select' is defined for bannigan_few_shot only")
    from sklearn.ensemble import VotingRegressor

    from nanomed.ai.estimators import LightGBMModel, RandomForestModel
    from nanomed.ai.features import ReleaseKineticFeatures

    def lgbm() -> LightGBMModel:
        return LightGBMModel(random_state=random_state)

    def pair() -> VotingRegressor:
        forest = RandomForestModel(n_estimators=200, random_state=random_state)
        return VotingRegressor([("random_forest", forest), ("lightgbm", lgbm())])

    return [
        {
            "features": ["passthrough", ReleaseKineticFeatures()],
            "model": [
                lgbm(),
                RandomForestModel(n_estimators=200, random_state=random_state),
                pair(),
            ],
        }
    ]


def _short(value: object) -> str:
    if isinstance(value, str | int | float | bool):
        return str(value)
    if hasattr(value, "estimators"):
        return "+".join(n for n, _ in value.estimators)
    return type(value).__name__


def protocol_splits(
    protocol: str, ds: AIDataset | None = None, n_splits: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the (train, test) row indices of the protocol's splits, seeds 0, 1, …"""
    from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit, StratifiedShuffleSplit

    p = _get(protocol)
    ds = ds if ds is not None else load_dataset(p.dataset)
    n = p.n_splits if n_splits is None else n_splits
    if n < 1:
        raise InputError(f"n_splits must be >= 1, got {n}")
    # a hold-out needs a test part and a training part: two groups (rows) at least
    units = ds.groups.nunique() if p.split == "group" else len(ds.frame)
    if units < 2:
        what = f"group(s) ({ds.spec.group})" if p.split == "group" else "row(s)"
        raise InputError(f"protocol {p.name}: the table has {units} {what}; a split needs 2")
    if p.split == "group":
        for seed in range(n):
            yield next(
                GroupShuffleSplit(1, test_size=p.test_size, random_state=seed).split(
                    ds.X, ds.y, ds.groups
                )
            )
    elif p.split == "random":
        for seed in range(n):
            yield next(ShuffleSplit(1, test_size=p.test_size, random_state=seed).split(ds.X))
    else:
        yield from StratifiedShuffleSplit(n, test_size=p.test_size, random_state=0).split(
            ds.X, ds.y
        )


def _score(metric: str, y: ArrayLike, pred: ArrayLike) -> float:
    from sklearn.metrics import mean_absolute_error, r2_score, roc_auc_score

    if metric == "mae":
        return float(mean_absolute_error(y, pred))
    if metric == "r2":
        return float(r2_score(y, pred))
    return float(roc_auc_score(y, pred))


@dataclass
class ProtocolResult:
    """Scores of one model under one protocol: one row per (target, split)."""

    protocol: Protocol
    model: str
    scores: pd.DataFrame
    notes: str = ""

    def summary(self) -> pd.DataFrame:
        """Mean and SD of the score per target (and of the RMSE and test-set SD for R²)."""
        grouped = self.scores.groupby("target", sort=False)
        g = grouped["score"]
        out = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n_splits": g.size()})
        for col in ("rmse", "test_sd"):
            if col in self.scores:
                out[f"{col}_mean"], out[f"{col}_sd"] = grouped[col].mean(), grouped[col].std(ddof=1)
        out["metric"] = self.protocol.metric
        out["published"] = [self.protocol.published.get(t, "") for t in out.index]
        out.insert(0, "model", self.model)
        return out.reset_index()

    def mean(self, target: str | None = None) -> float:
        target = target or self.protocol.targets[0]
        return float(self.scores.loc[self.scores["target"] == target, "score"].mean())


def _describe(obj: Any) -> Any:
    """A JSON-able description of an argument, stable across processes."""
    if isinstance(obj, dict):
        return {str(k): _describe(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, list | tuple):
        return [_describe(v) for v in obj]
    if hasattr(obj, "dist") and hasattr(obj, "args"):  # a frozen scipy distribution
        return [obj.dist.name, _describe(list(obj.args)), _describe(dict(obj.kwds))]
    return repr(obj)


def _fingerprint(*args: Any) -> str:
    """Short hash of the arguments that define an evaluation run."""
    text = json.dumps(_describe(list(args)))
    if " at 0x" in text:  # an object without a stable description: never resume from it
        raise InputError("checkpoint: an argument has no stable description (e.g. a custom object)")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _read_checkpoint(
    path: str | os.PathLike[str], run: str, targets: Sequence[str], n_splits: int
) -> dict[tuple[str, int], dict]:
    """Rows of an earlier run of the same evaluation, by (target, split); {} if none yet.

    A new checkpoint's folder is created here, so that an unwritable path fails before the
    first split is computed, not after it. Every row is checked (a known target, a split in
    0 … n_splits − 1 given once, a numeric score), so that a hand-edited or damaged file is
    refused instead of mixed into the result.
    """
    if not os.path.exists(path):
        try:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        except OSError as err:
            raise InputError(f"checkpoint {path}: cannot create its folder ({err})") from None
        return {}
    if os.path.getsize(path) == 0:
        return {}
    try:
        saved = pd.read_csv(path, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError(f"checkpoint {path}: unreadable ({err})") from None
    if "run" not in saved or set(saved["run"].astype(str)) - {run}:
        raise InputError(
            f"checkpoint {path}: not a checkpoint of this evaluation (another protocol, model, "
            "splits or seeds, or another kind of file); give another file or remove it"
        )
    missing = [c for c in ("target", "split", "score", "n_train", "n_test") if c not in saved]
    if missing:
        raise InputError(f"checkpoint {path}: columns {missing} missing (edited or damaged)")
    split = pd.to_numeric(saved["split"], errors="coerce").to_numpy(dtype=float)
    score = pd.to_numeric(saved["score"], errors="coerce").to_numpy(dtype=float)
    done: dict[tuple[str, int], dict] = {}
    for i, r in enumerate(saved.drop(columns="run").to_dict("records")):
        key = (str(r["target"]), int(split[i]) if np.isfinite(split[i]) else -1)
        problem = ""
        if key[0] not in targets:
            problem = f"target {r['target']!r} is not one of {list(targets)}"
        elif key[1] != split[i] or not 0 <= key[1] < n_splits:
            problem = f"split {r['split']!r} is not one of 0 … {n_splits - 1}"
        elif not np.isfinite(score[i]):
            problem = f"score {r['score']!r} is not a number"
        elif key in done:
            problem = f"split {key[1]} of {key[0]} is given twice"
        if problem:
            raise InputError(
                f"checkpoint {path}: row {i + 2}: {problem} (edited or damaged); remove the file "
                "to start again"
            )
        done[key] = r | {"split": key[1], "score": float(score[i])}
    return done


def evaluate(
    protocol: str,
    model: str | Callable[[], object] = "lightgbm",
    *,
    n_splits: int | None = None,
    targets: tuple[str, ...] | None = None,
    search: dict | None = None,
    search_iter: int = 10,
    inner_splits: int = 5,
    random_state: int = 0,
    checkpoint: str | os.PathLike[str] | None = None,
    data: AIDataset | None = None,
) -> ProtocolResult:
    """Score a model on a published protocol.

    Parameters
    ----------
    protocol : str
        Name in :data:`PROTOCOLS`.
    model : str or callable
        A model name for :func:`build_model`, or a factory returning an unfitted estimator.
    n_splits : int, optional
        Fewer outer splits than published (for quick checks; the benchmark uses the full number).
    targets : tuple of str, optional
        Subset of the protocol's targets.
    search : dict, optional
        Hyper-parameter distributions for the final estimator (keys without prefix). They are
        searched by ``search_iter`` random draws scored by inner cross-validation on the training
        part only, grouped like the outer split (GroupKFold for group protocols).
    search_iter, inner_splits : int
        Size of that inner search.
    random_state : int
        Seed of the models and of the inner search.
    checkpoint : path, optional
        CSV of the per-split scores, rewritten atomically after every split, so that a killed
        run loses at most the split in progress. Rerun with the same file and arguments, the
        splits it holds are reused and only the missing ones are computed. Each row carries
        the run's fingerprint (protocol, model, splits, targets, search, seeds); a file from
        another run raises :class:`~nanomed.core.errors.InputError` instead of being
        overwritten.
    data : AIDataset, optional
        Another table in the columns of the protocol's dataset (e.g. a user's own profiles from
        :func:`~nanomed.ai.datasets.read_dataset_like`), split and scored the protocol's way;
        the result then carries no published number.
    """
    import inspect

    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, KFold, RandomizedSearchCV, StratifiedKFold

    p = _get(protocol)
    if data is not None and data.spec.name != p.dataset:
        raise InputError(
            f"protocol {protocol!r} scores dataset {p.dataset!r}, not {data.spec.name!r}"
        )
    ds = load_dataset(p.dataset) if data is None else data
    X = model_inputs(p, ds, model)
    name = model if isinstance(model, str) else getattr(model, "__name__", "custom")
    make = (lambda: build_model(protocol, model, random_state)) if isinstance(model, str) else model
    done, run = {}, ""
    if checkpoint is not None:
        table = None  # the bundled table; another one is named by a hash of its content
        if data is not None:
            table = hashlib.sha256(pd.util.hash_pandas_object(ds.frame).to_numpy()).hexdigest()
        run = _fingerprint(
            protocol, name, n_splits, targets, search, search_iter, inner_splits, random_state,
            *([table] if table else []),
        )  # fmt: skip
        n_total = p.n_splits if n_splits is None else n_splits
        done = _read_checkpoint(checkpoint, run, list(targets or p.targets), n_total)
    rows = []
    for target in targets or p.targets:
        dst = ds.with_target(target)
        y = dst.y.to_numpy()
        for k, (tr, te) in enumerate(protocol_splits(protocol, dst, n_splits)):
            if (target, k) in done:
                rows.append(done[(target, k)])
                continue
            leak = check_split(
                ds.frame.iloc[tr],
                ds.frame.iloc[te],
                group=ds.spec.group if p.split == "group" else None,
                raise_on_leak=True,
            )
            est = clone(make())
            fit_kw = {}
            if model == "select":
                from sklearn.model_selection import GridSearchCV

                est = GridSearchCV(
                    est,
                    selection_grid(protocol, random_state),
                    cv=GroupKFold(inner_splits),
                    scoring="neg_mean_absolute_error",
                    refit=True,
                )
                fit_kw = {"groups": ds.groups.iloc[tr].to_numpy()}
            elif "groups" in inspect.signature(est.fit).parameters and p.split == "group":
                fit_kw = {"groups": ds.groups.iloc[tr].to_numpy()}  # inner CV grouped likewise
            elif search:
                prefix = "model__" if hasattr(est, "steps") else ""
                if p.split == "group":
                    cv, fit_kw = GroupKFold(inner_splits), {"groups": ds.groups.iloc[tr].to_numpy()}
                elif p.metric == "auroc":
                    cv = StratifiedKFold(inner_splits, shuffle=True, random_state=random_state)
                else:
                    cv = KFold(inner_splits, shuffle=True, random_state=random_state)
                scoring = {"mae": "neg_mean_absolute_error", "r2": "r2", "auroc": "roc_auc"}
                est = RandomizedSearchCV(
                    est,
                    {prefix + key: v for key, v in search.items()},
                    n_iter=search_iter,
                    cv=cv,
                    scoring=scoring[p.metric],
                    random_state=random_state + k,
                    refit=True,
                )
            est.fit(X.iloc[tr], y[tr], **fit_kw)
            if p.metric == "auroc":
                pred = est.predict_proba(X.iloc[te])[:, 1]
            else:
                pred = np.asarray(est.predict(X.iloc[te]), float)
            chosen = ""
            if hasattr(est, "best_params_"):
                chosen = ", ".join(f"{k}={_short(v)}" for k, v in est.best_params_.items())
            row = {
                "target": target,
                "split": k,
                "score": _score(p.metric, y[te], pred),
                "n_train": len(tr),
                "n_test": len(te),
                "leak": leak.leaks,
                "chosen": chosen,
            }
            if p.metric == "r2":  # R² depends on the test set's spread: keep both to compare
                row["rmse"] = float(np.sqrt(np.mean((y[te] - pred) ** 2)))
                row["test_sd"] = float(np.std(y[te]))
            rows.append(row)
            if checkpoint is not None:
                frame = pd.DataFrame(rows).assign(run=run)
                try:
                    atomic_write(checkpoint, lambda tmp, f=frame: f.to_csv(tmp, index=False))
                except OSError as err:
                    raise InputError(f"checkpoint {checkpoint}: cannot write ({err})") from None
    notes = f"search: {search_iter} draws x GroupKFold/KFold({inner_splits})" if search else ""
    if data is not None:  # the published numbers are of the bundled table
        p = replace(p, published={})
        notes = "; ".join(filter(None, [notes, f"scored on another table ({len(ds.frame)} rows)"]))
    return ProtocolResult(p, name, pd.DataFrame(rows), notes)
