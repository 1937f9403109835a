"""AI layer: datasets with schemas, data quality, featurisers, predictors with uncertainty,
published evaluation protocols, SHAP explanations and safe model files.

Heavy packages (scikit-learn models, lightgbm, torch, shap) are imported only when used.
"""

from __future__ import annotations

from nanomed.ai.datasets import DATASET_SPECS, AIDataset, DatasetSpec, FeatureSpec, load_dataset
from nanomed.ai.quality import QualityReport, check_split, check_table, drop_rows

__all__ = [
    "DATASET_SPECS",
    "AIDataset",
    "DatasetSpec",
    "FeatureSpec",
    "QualityReport",
    "check_split",
    "check_table",
    "drop_rows",
    "load_dataset",
]
