"""Save and load trained models with a model card, in a format that runs no code when loaded.

A model file is one ``.npz`` archive read with ``numpy.load(allow_pickle=False)``: numeric arrays
(tree nodes, network weights, LightGBM's own text model as bytes) plus one JSON document holding
the model card (data, features, protocol, scores, versions) and the structure of the model.
Loading rebuilds only classes from an explicit allow-list (:data:`SAVEABLE`); nothing in the file
can name an arbitrary class or function, so a model file from someone else cannot run code.

Supported: nanomed estimators and featurisers, scikit-learn ``Pipeline``, ``VotingRegressor``
and ``TransformedTargetRegressor`` with ``log1p``/``expm1``.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from nanomed.core.errors import DataError, InputError
from nanomed.core.results import atomic_write

__all__ = [
    "FORMAT_VERSION",
    "SAVEABLE",
    "check_inputs",
    "input_schema",
    "load_model",
    "save_model",
]

FORMAT_VERSION = 1
_FUNCS = {"log1p": np.log1p, "expm1": np.expm1}


def _registry() -> dict[str, type]:
    from nanomed.ai import estimators as e
    from nanomed.ai import features as f
    from nanomed.ai.hybrid import HybridReleaseModel

    return {
        c.__name__: c
        for c in (
            e.LightGBMModel,
            e.RandomForestModel,
            e.RandomForestClassifierModel,
            e.GaussianProcessModel,
            e.MLPEnsembleModel,
            f.TabularFeaturizer,
            f.ReleaseKineticFeatures,
            f.ReleaseCurveFeatures,
            f.SizeScaledTimeFeatures,
            f.HiguchiFeatures,
            f.HydrolysisFeatures,
            f.MolecularFeatures,
            f.LogTimeFeatures,
            HybridReleaseModel,
        )
    }


#: class names that a model file may contain (besides Pipeline, VotingRegressor, TransformedTarget…)
SAVEABLE = (
    "LightGBMModel",
    "RandomForestModel",
    "RandomForestClassifierModel",
    "GaussianProcessModel",
    "MLPEnsembleModel",
    "TabularFeaturizer",
    "ReleaseKineticFeatures",
    "ReleaseCurveFeatures",
    "SizeScaledTimeFeatures",
    "HiguchiFeatures",
    "HydrolysisFeatures",
    "MolecularFeatures",
    "LogTimeFeatures",
    "HybridReleaseModel",
    "InnerCVBlend",
    "IsotonicReleaseModel",
)


def _encode(obj: Any, arrays: dict[str, np.ndarray], prefix: str) -> dict:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.pipeline import Pipeline

    if isinstance(obj, str) and obj == "passthrough":
        return {"kind": "passthrough"}
    if isinstance(obj, Pipeline):
        steps = [{"name": n, "obj": _encode(s, arrays, f"{prefix}{n}/")} for n, s in obj.steps]
        return {"kind": "Pipeline", "steps": steps}
    if isinstance(obj, VotingRegressor):
        names = [n for n, _ in obj.estimators]
        members = [
            _encode(m, arrays, f"{prefix}{n}/") for n, m in zip(names, obj.estimators_, strict=True)
        ]
        return {"kind": "VotingRegressor", "names": names, "members": members}
    from nanomed.ai.hybrid import IsotonicReleaseModel
    from nanomed.ai.protocols import InnerCVBlend

    if isinstance(obj, IsotonicReleaseModel):
        return {
            "kind": "IsotonicReleaseModel",
            "time_column": obj.time_column,
            "anchors": None if not obj.anchors else [[float(t), c] for t, c in obj.anchors.items()],
            "estimator": _encode(obj.estimator_, arrays, prefix + "est/"),
        }
    if isinstance(obj, InnerCVBlend):
        names = [n for n, _ in obj.estimators]
        members = [
            None if m is None else _encode(m, arrays, f"{prefix}{n}/")
            for n, m in zip(names, obj.estimators_, strict=True)
        ]
        return {
            "kind": "InnerCVBlend",
            "names": names,
            "weights": [float(w) for w in obj.weights_],
            "members": members,
            "params": {"n_splits": obj.n_splits, "weight_step": obj.weight_step},
        }
    if isinstance(obj, TransformedTargetRegressor):
        funcs = {f: k for k, f in _FUNCS.items()}
        if obj.func not in funcs or obj.inverse_func not in funcs:
            raise InputError("only log1p/expm1 target transforms can be saved")
        return {
            "kind": "TransformedTargetRegressor",
            "func": funcs[obj.func],
            "inverse_func": funcs[obj.inverse_func],
            "regressor": _encode(obj.regressor_, arrays, prefix + "reg/"),
        }
    name = type(obj).__name__
    if name not in SAVEABLE:
        raise InputError(f"cannot save a {name}: supported are {', '.join(SAVEABLE)} and pipelines")
    state = obj.to_state()
    meta, arr = state if isinstance(state, tuple) else (state, {})
    keys = []
    for k, v in arr.items():
        arrays[prefix + k] = np.asarray(v)
        keys.append(k)
    node = {"kind": name, "state": meta, "arrays": keys}
    if hasattr(obj, "feature_names_in_"):
        node["feature_names_in"] = [str(c) for c in obj.feature_names_in_]
    return node


def _decode(node: dict, arrays: Any, prefix: str) -> Any:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.pipeline import Pipeline

    kind = node.get("kind")
    if kind == "passthrough":
        return "passthrough"
    if kind == "Pipeline":
        steps = [
            (s["name"], _decode(s["obj"], arrays, f"{prefix}{s['name']}/")) for s in node["steps"]
        ]
        return Pipeline(steps)
    if kind == "VotingRegressor":
        members = [
            _decode(m, arrays, f"{prefix}{n}/")
            for n, m in zip(node["names"], node["members"], strict=True)
        ]
        vr = VotingRegressor(list(zip(node["names"], members, strict=True)))
        vr.estimators_ = members
        return vr
    if kind == "TransformedTargetRegressor":
        reg = _decode(node["regressor"], arrays, prefix + "reg/")
        ttr = TransformedTargetRegressor(
            reg, func=_FUNCS[node["func"]], inverse_func=_FUNCS[node["inverse_func"]]
        )
        ttr.regressor_ = reg
        ttr._training_dim = 1
        from sklearn.preprocessing import FunctionTransformer

        ttr.transformer_ = FunctionTransformer(
            func=ttr.func, inverse_func=ttr.inverse_func, validate=True, check_inverse=False
        ).fit(np.zeros((2, 1)))
        return ttr
    if kind == "IsotonicReleaseModel":
        from nanomed.ai.hybrid import IsotonicReleaseModel

        est = _decode(node["estimator"], arrays, prefix + "est/")
        anchors = {t: c for t, c in node["anchors"]} if node.get("anchors") else None
        iso = IsotonicReleaseModel(est, time_column=node["time_column"], anchors=anchors)
        iso.estimator_ = est
        iso.n_features_in_ = getattr(est, "n_features_in_", None)
        return iso
    if kind == "InnerCVBlend":
        from nanomed.ai.protocols import InnerCVBlend

        members = [
            None if m is None else _decode(m, arrays, f"{prefix}{n}/")
            for n, m in zip(node["names"], node["members"], strict=True)
        ]
        blend = InnerCVBlend(list(zip(node["names"], members, strict=True)), **node["params"])
        blend.estimators_ = members
        blend.weights_ = np.asarray(node["weights"], dtype=float)
        return blend
    registry = _registry()
    if kind not in registry:
        raise DataError(f"model file names an unsupported class {kind!r}")
    cls = registry[kind]
    arr = {k: arrays[prefix + k] for k in node.get("arrays", [])}
    from nanomed.ai.features import TabularFeaturizer, _ParamsOnlyState

    if issubclass(cls, TabularFeaturizer | _ParamsOnlyState):  # transformers: state, no arrays
        return cls.from_state(node["state"])
    obj = cls.from_state(node["state"], arr)
    if "feature_names_in" in node:
        obj.feature_names_in_ = np.asarray(node["feature_names_in"], dtype=object)
    return obj


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("nanomed", "scikit-learn", "lightgbm", "torch", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _schema_ok(card: dict[str, Any]) -> bool:
    """Whether a card's ``inputs`` (if any) map column names to schema mappings."""
    inputs = card.get("inputs", {})
    return isinstance(inputs, dict) and all(isinstance(v, dict) for v in inputs.values())


def save_model(model: Any, path: str | Path, card: dict[str, Any] | None = None) -> Path:
    """Write a fitted model and its card to ``path`` (``.npz``), atomically.

    Parameters
    ----------
    model : estimator or Pipeline
        A fitted model made of supported parts (see module docstring).
    path : str or Path
        Destination; ``.npz`` is appended when missing.
    card : dict
        Model card: dataset, features, target, protocol, scores … (JSON-serialisable).
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz")
    if card is not None and not isinstance(card, dict):
        raise InputError(f"model card must be a mapping, got {type(card).__name__}")
    if not _schema_ok(card or {}):
        raise InputError("model card 'inputs' must map each column to its schema (input_schema)")
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(model, arrays, "")
    doc = {
        "format": "nanomed-model",
        "format_version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "card": card or {},
        "model": structure,
    }
    try:
        blob = json.dumps(doc, allow_nan=True).encode()
    except TypeError as exc:
        raise InputError(f"model card is not JSON-serialisable: {exc}") from None
    for key, arr in arrays.items():
        if arr.dtype.hasobject:
            raise InputError(f"array {key!r} holds Python objects; refusing to save it")
    arrays["__nanomed__"] = np.frombuffer(blob, dtype=np.uint8)

    def write(tmp: Path) -> None:
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        tmp.write_bytes(buf.getvalue())

    return atomic_write(path, write)


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Read a model file written by :func:`save_model`; return ``(model, card)``.

    The file is read with ``allow_pickle=False``; a file that needs pickle, or names a class
    outside :data:`SAVEABLE`, is refused with a :class:`DataError`.
    """
    path = Path(path)
    if not path.is_file() and path.with_suffix(path.suffix + ".npz").is_file():
        path = path.with_suffix(path.suffix + ".npz")  # as save_model named it
    if not path.is_file():
        raise InputError(f"no such model file: {path}")
    import zipfile

    with path.open("rb") as fh:
        if fh.read(4) != b"PK\x03\x04":  # every .npz is a zip archive
            raise DataError(f"{path}: not a nanomed model file (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ValueError:  # an object array, which only pickle could load: refused
        raise DataError(f"{path}: not a nanomed model file (it needs pickle: refused)") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: not a nanomed model file or damaged ({exc})") from None
    if "__nanomed__" not in arrays:
        raise DataError(f"{path}: not a nanomed model file (no header)")
    try:
        doc = json.loads(arrays.pop("__nanomed__").tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(f"{path}: damaged model file (its header is not JSON)") from None
    version = doc.get("format_version", 0) if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("format") != "nanomed-model":
        raise DataError(f"{path}: damaged model file (its header is not a nanomed header)")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise DataError(
            f"{path}: model format {version!r} is not readable by this nanomed "
            f"(reads up to {FORMAT_VERSION})"
        )
    card = doc.get("card", {})
    if not isinstance(card, dict) or not _schema_ok(card):
        raise DataError(f"{path}: damaged model file (its card or input schema is not a mapping)")
    try:
        return _decode(doc["model"], arrays, ""), card
    except DataError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # a missing or reshaped weight array, an edited structure: not a model any more
        raise DataError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") from None


#: categories listed in a card at most (a column with more distinct labels is an identifier)
_MAX_CATEGORIES = 200


def _label(value: Any) -> str:
    """A category as text, numbers written one way ("10", 10 and 10.0 are one particle size)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value).strip()
    return f"{number:g}" if np.isfinite(number) else str(value).strip()


def input_schema(
    X: Any, text_columns: Any = (), categorical: Any = ()
) -> dict[str, dict[str, Any]]:
    """What each input column held in training, for the model card (``card["inputs"]``).

    Numbers: their range and whether any cell was empty. Text: its labels when the model encodes
    them as categories (a label unseen in training gets no effect of its own), or ``"text"`` for
    ``text_columns`` that a featuriser reads as such (a polymer name, a SMILES: a new one is the
    point of the model). ``categorical`` names number-coded categories (a particle size of 10 or
    100 nm, a charge class): their labels are recorded, not a range.

    >>> import pandas as pd
    >>> input_schema(pd.DataFrame({"d": [10.0, 50.0], "shape": ["rod", "sphere"]}))["shape"]
    {'missing': False, 'kind': 'category', 'values': ['rod', 'sphere']}
    """
    import pandas as pd

    schema: dict[str, dict[str, Any]] = {}
    for col in X.columns:
        v = X[col]
        entry: dict[str, Any] = {"missing": bool(v.isna().any())}
        numeric = pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v)
        if numeric and col not in categorical:
            finite = v[np.isfinite(v.to_numpy(dtype=float))]
            lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (None, None)
            entry |= {"kind": "number", "min": lo, "max": hi}
        elif col in text_columns:
            entry |= {"kind": "text"}
        else:
            labels = sorted({_label(x) for x in v.dropna()})
            entry |= {"kind": "category"}
            if len(labels) <= _MAX_CATEGORIES:
                entry["values"] = labels
        schema[str(col)] = entry
    return schema


def check_inputs(df: Any, card: dict[str, Any], where: str) -> Any:
    """The model's input columns of table ``df``, checked against the card's ``inputs`` schema.

    Errors (:class:`~nanomed.core.errors.DataError`, naming the file line and column): a missing
    column, text, infinite or overflowing numbers in a numeric column, an empty cell where training
    had none. Warnings (the prediction is made, but extrapolates): a number outside the training
    range, a category not seen in training. Row numbers are file lines (header = line 1). A card
    without ``inputs`` (written before nanomed recorded them) gets the checks of any table
    (:func:`~nanomed.ai.datasets.numeric_columns_checked`).
    """
    import warnings

    from nanomed.ai.datasets import _numeric, numeric_columns_checked

    features = [str(c) for c in card.get("features", [])] or [str(c) for c in df.columns]
    missing = [c for c in features if c not in df]
    if missing:
        raise InputError(f"{where}: columns {missing} needed by the model are missing")
    X = df[features].copy()
    if "inputs" not in card:  # a card written before input schemas: the checks of any table
        return numeric_columns_checked(X, where)
    for col, spec in (card.get("inputs") or {}).items():
        if col not in X:
            continue
        kind = spec.get("kind")
        if kind == "number":
            X[col] = _numeric(X, col, where)
        empty = np.flatnonzero(X[col].isna().to_numpy())
        if empty.size and not spec.get("missing", False):
            raise DataError(
                f"{where}: row {empty[0] + 2}, column {col!r}: empty (the model was trained "
                "on filled cells)"
            )
        if kind == "number" and spec.get("min") is not None:
            v = X[col].to_numpy(dtype=float)
            out = np.flatnonzero((v < spec["min"]) | (v > spec["max"]))
            if out.size:
                warnings.warn(
                    f"{where}: column {col!r}: {out.size} row(s) outside the training range "
                    f"[{spec['min']:g}, {spec['max']:g}] (first: row {out[0] + 2}, {v[out[0]]:g}); "
                    "their predictions extrapolate",
                    UserWarning,
                    stacklevel=2,
                )
        elif kind == "category" and "values" in spec:
            seen = set(spec["values"])
            labels = X[col].map(_label)
            new = np.flatnonzero(X[col].notna().to_numpy() & ~labels.isin(seen).to_numpy())
            if new.size:
                more = f" and {new.size - 1} more row(s)" if new.size > 1 else ""
                warnings.warn(
                    f"{where}: column {col!r}: {labels.iloc[new[0]]!r} (row {new[0] + 2}){more} "
                    "hold a category not seen in training "
                    f"(seen: {', '.join(spec['values'][:8])}{' …' if len(seen) > 8 else ''}); "
                    "its prediction extrapolates",
                    UserWarning,
                    stacklevel=2,
                )
    return X
