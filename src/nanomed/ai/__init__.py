"""AI layer: datasets with schemas, data quality, featurisers, predictors with uncertainty,
published evaluation protocols, SHAP explanations, safe model files, and hybrid models
(:mod:`~nanomed.ai.hybrid` release, :mod:`~nanomed.ai.aipbpk`, :mod:`~nanomed.ai.sequence`).

Heavy packages (scikit-learn models, lightgbm, torch, shap) are imported only when used.
"""

from __future__ import annotations

from nanomed.ai.datasets import DATASET_SPECS, AIDataset, DatasetSpec, FeatureSpec, load_dataset
from nanomed.ai.quality import QualityReport, check_split, check_table, drop_rows

#: hybrid models, imported on first use (they import scikit-learn / torch)
_LAZY = {
    "AIPBPKModel": "nanomed.ai.aipbpk",
    "BayesianWeibull": "nanomed.ai.sequence",
    "HybridReleaseModel": "nanomed.ai.hybrid",
    "ReleaseForecaster": "nanomed.ai.sequence",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nanomed.ai' has no attribute {name!r}")


__all__ = [
    "DATASET_SPECS",
    "AIDataset",
    "AIPBPKModel",
    "BayesianWeibull",
    "DatasetSpec",
    "FeatureSpec",
    "HybridReleaseModel",
    "QualityReport",
    "ReleaseForecaster",
    "check_split",
    "check_table",
    "drop_rows",
    "load_dataset",
]
