"""SHAP explanations of fitted predictors (Lundberg & Lee, NeurIPS 2017).

Tree models (LightGBM, random forests) use the exact TreeSHAP algorithm (Lundberg et al., Nat Mach
Intell 2:56, 2020); any other model falls back to the model-agnostic permutation explainer on a
background sample. A pipeline is explained on its transformed features, so the names are those
the model sees (one-hot columns, kinetic features).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nanomed.core.errors import InputError

__all__ = ["Explanation", "explain"]


@dataclass
class Explanation:
    """SHAP values: ``values[i, j]`` is feature j's contribution to prediction i."""

    values: np.ndarray
    base_value: float
    data: pd.DataFrame

    @property
    def feature_names(self) -> list[str]:
        return list(self.data.columns)

    def importance(self) -> pd.DataFrame:
        """Mean |SHAP| per feature, largest first."""
        imp = np.abs(self.values).mean(axis=0)
        df = pd.DataFrame({"feature": self.feature_names, "mean_abs_shap": imp})
        return df.sort_values("mean_abs_shap", ascending=False, ignore_index=True)

    def plot(self, max_display: int = 15, ax: Any = None) -> Any:
        """Beeswarm-style summary: SHAP value per row, coloured by the feature's value."""
        import matplotlib.pyplot as plt

        order = self.importance()["feature"].head(max_display).tolist()[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(order) + 1.2))
        for k, name in enumerate(order):
            j = self.feature_names.index(name)
            x = pd.to_numeric(self.data[name], errors="coerce").to_numpy(dtype=float)
            span = np.nanmax(x) - np.nanmin(x) if np.isfinite(x).any() else 0.0
            colour = (x - np.nanmin(x)) / span if span > 0 else np.full_like(x, 0.5)
            jitter = np.random.default_rng(k).uniform(-0.3, 0.3, len(x))
            ax.scatter(self.values[:, j], k + jitter, c=colour, cmap="coolwarm", s=6)
        ax.set_yticks(range(len(order)), order)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("SHAP value (contribution to the prediction)")
        return ax


def _split_pipeline(model: Any, X: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
    """Peel featurisers and target transforms off a pipeline; return (final model, its inputs)."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        Z: Any = X
        for _, step in model.steps[:-1]:
            if step != "passthrough":
                Z = _transform(step, Z)
        model, X = model.steps[-1][1], Z
    if isinstance(model, TransformedTargetRegressor):
        model = model.regressor_  # explained on the transformed (e.g. log1p) scale
    from sklearn.ensemble import VotingRegressor

    if isinstance(model, VotingRegressor):  # the mean of its members: SHAP adds up the same way
        w = np.ones(len(model.estimators_)) if model.weights is None else np.asarray(model.weights)
        members = [(float(wi / w.sum()), e) for wi, e in zip(w, model.estimators_, strict=True)]
        return _WeightedSum(members), X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    from nanomed.ai.hybrid import IsotonicReleaseModel

    if isinstance(model, IsotonicReleaseModel):
        # the projection acts on all rows of a profile at once; SHAP needs a row-wise function
        return _split_pipeline(model.estimator_, X)
    from nanomed.ai.protocols import InnerCVBlend

    if isinstance(model, InnerCVBlend):
        # members that share their featurisers are explained like one pipeline: on the features
        members = [(w, e) for w, e in zip(model.weights_, model.estimators_, strict=True) if w > 0]
        heads = [_featurisers(e) for _, e in members]
        if heads[0] is not None and all(h == heads[0] for h in heads):
            Z = X
            for _, step in members[0][1].steps[:-1]:
                Z = _transform(step, Z)
            return _WeightedSum([(w, e.steps[-1][1]) for w, e in members]), Z
    return model, X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)


def _featurisers(est: Any) -> list[tuple[str, dict]] | None:
    """The classes and parameters of a pipeline's steps before its model (None: no pipeline)."""
    from sklearn.pipeline import Pipeline

    if not isinstance(est, Pipeline):
        return None
    return [(type(s).__name__, s.get_params()) for _, s in est.steps[:-1]]


def _transform(step: Any, Z: Any) -> pd.DataFrame:
    names = step.get_feature_names_out() if hasattr(step, "get_feature_names_out") else None
    out = step.transform(Z)
    return out if isinstance(out, pd.DataFrame) else pd.DataFrame(out, columns=names)


class _WeightedSum:
    """Σ w·model.predict(X) of a blend's final models (explained model-agnostically)."""

    def __init__(self, members: list[tuple[float, Any]]) -> None:
        self.members = members

    def predict(self, X: Any) -> np.ndarray:
        return sum(w * np.asarray(m.predict(X), dtype=float) for w, m in self.members)


def _tree_model(model: Any) -> Any:
    for attr in ("booster_", "forest_"):
        if hasattr(model, attr):
            return getattr(model, attr)
    name = type(model).__module__
    return model if name.startswith(("lightgbm", "xgboost", "sklearn.ensemble._forest")) else None


def _tree_shap(model: Any, Z: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Exact TreeSHAP (Lundberg et al., Nat Mach Intell 2:56, 2020) of a tree model, or of a
    weighted sum of tree models (SHAP values add like the outputs); None when a model is not a
    tree ensemble or TreeSHAP fails its own additivity check (a known SHAP defect on very deep
    trees, shap issue 4042), so that the caller falls back to permutation SHAP."""
    import shap

    members = model.members if isinstance(model, _WeightedSum) else [(1.0, model)]
    trees = [(w, _tree_model(m)) for w, m in members]
    if any(t is None for _, t in trees):
        return None
    total, base = np.zeros(Z.shape), 0.0
    for w, tree in trees:
        explainer = shap.TreeExplainer(tree)
        try:
            vals = explainer.shap_values(Z)
        except Exception as exc:  # shap's ExplainerError is not public API
            if "additivity" not in str(exc).lower():
                raise
            return None
        b = explainer.expected_value
        if isinstance(vals, list):  # classifier: one array per class
            vals, b = vals[-1], np.atleast_1d(b)[-1]
        elif vals.ndim == 3:
            vals, b = vals[:, :, -1], np.atleast_1d(b)[-1]
        total += w * np.asarray(vals, dtype=float)
        base += w * float(np.mean(b))
    return total, base


def explain(model: Any, X: pd.DataFrame, max_background: int = 100, seed: int = 0) -> Explanation:
    """SHAP values of ``model``'s predictions on ``X``.

    Parameters
    ----------
    model : fitted estimator or Pipeline
        For classifiers, the probability of the positive class is explained. A model that
        projects whole release profiles (:class:`~nanomed.ai.hybrid.IsotonicReleaseModel`) is
        explained through its point-wise model, before the projection.
    X : pandas.DataFrame
        Rows to explain (model inputs as given to ``predict``).
    max_background : int
        Background rows for the model-agnostic explainer.
    seed : int
        Seed of the background sample.
    """
    import shap

    if len(X) == 0:
        raise InputError("explain needs at least one row")
    final, Z = _split_pipeline(model, X)
    # SHAP permutes numbers: a text column (e.g. a polymer name that a featuriser inside the
    # model reads) is explained as codes of its labels, turned back into labels for the model
    labels = {c: pd.Index(pd.unique(Z[c].astype(str)))
              for c in Z.columns if not pd.api.types.is_numeric_dtype(Z[c])}  # fmt: skip
    Zf = Z.assign(**{c: lab.get_indexer(Z[c].astype(str)) for c, lab in labels.items()})
    Zf = Zf.astype(float)
    exact = _tree_shap(final, Zf.to_numpy())
    if exact is not None:
        vals, base = exact
    else:
        predict = final.predict_proba if hasattr(final, "predict_proba") else final.predict
        columns = Zf.columns

        # SHAP passes arrays; models that read columns by name need the names back (a model
        # fitted on an array warns of names it was not given: it gets the array)
        named = (
            bool(labels)
            or hasattr(final, "feature_names_in_")
            or not hasattr(final, "n_features_in_")
        )

        def f(A: np.ndarray) -> np.ndarray:
            frame = pd.DataFrame(A, columns=columns)
            for c, lab in labels.items():
                frame[c] = lab[frame[c].round().astype(int).to_numpy()]
            out = np.asarray(predict(frame if named else A))
            return out[:, -1] if out.ndim == 2 else out

        bg = Zf.sample(min(max_background, len(Zf)), random_state=seed).to_numpy()
        explainer = shap.PermutationExplainer(f, bg, seed=seed)
        # one permutation, forwards and back, needs 2·n + 1 evaluations (SHAP's minimum)
        evals = max(500, 2 * Zf.shape[1] + 1)
        out = explainer(Zf.to_numpy(), max_evals=evals, silent=True)
        vals, base = out.values, out.base_values
    base = float(np.mean(base))
    return Explanation(np.asarray(vals, dtype=float), base, Zf.reset_index(drop=True))
