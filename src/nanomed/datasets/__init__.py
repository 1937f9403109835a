"""Loaders for the bundled public datasets (each kept with its LICENSE and SOURCE.md).

>>> from nanomed.datasets import load_release_curves
>>> curves = load_release_curves()
>>> sorted(curves.columns)[:3]
['DP_Group', 'fraction_released', 'profile_id']
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from nanomed.core.errors import InputError
from nanomed.data import data_path

__all__ = [
    "DATASETS",
    "dataset_source",
    "load_bannigan",
    "load_bannigan_drugs",
    "load_nano_tumor",
    "load_release_curves",
    "load_tumour_timecourses",
]

#: name -> bundled folder
DATASETS = {
    "bannigan_lai": "bannigan_lai",
    "nano_tumor_g1": "nano_tumor_g1",
    "isdd_pal2015": "isdd_pal2015",
    "protein_corona_agnp": "protein_corona_agnp",
}


def dataset_source(name: str) -> str:
    """Return the SOURCE.md text (origin, columns, protocol, published numbers) of a dataset."""
    if name not in DATASETS:
        raise InputError(f"unknown dataset {name!r} (known: {', '.join(DATASETS)})")
    return data_path("datasets", DATASETS[name], "SOURCE.md").read_text(encoding="utf-8")


@cache
def _read(folder: str, file: str) -> pd.DataFrame:
    return pd.read_csv(data_path("datasets", folder, file), na_values=["NA"])


def load_bannigan(features: int = 17) -> pd.DataFrame:
    """Long-acting injectable release table of Bannigan et al., Nat Commun 14:35 (2023).

    Parameters
    ----------
    features : {14, 17}
        17 adds the early-release features T=0.25, T=0.5, T=1.0 (few-shot); 14 is zero-shot.

    Returns
    -------
    pandas.DataFrame
        One row per (profile, time); Time in days, Release as a fraction.
    """
    if features not in (14, 17):
        raise InputError(f"features must be 14 or 17, got {features}")
    return _read("bannigan_lai", f"release_{features}_features.csv").copy()


def load_bannigan_drugs() -> pd.DataFrame:
    """The drugs of the Bannigan tables: ``code`` (the head of ``DP_Group``), ``name``, ``smiles``.

    Identified by nanomed; each SMILES reproduces the tables' molar mass, TPSA and log P (see the
    dataset's SOURCE.md). Salts and hydrates are written as tabulated (``LPA``: acetate, ``QRC``:
    dihydrate).

    >>> load_bannigan_drugs().set_index("code").loc["DEX", "name"]
    'dexamethasone'
    """
    return _read("bannigan_lai", "drugs.csv").copy()


def load_release_curves() -> pd.DataFrame:
    """The 181 Bannigan profiles in nanomed's long format.

    Columns ``profile_id, time, fraction_released`` (time in days) plus ``DP_Group``.
    The full-precision 14-feature table is used (the 17-feature table is rounded to 2 decimals).
    """
    df = load_bannigan(14)
    out = pd.DataFrame(
        {
            "profile_id": df["Experimental_index"].astype(str),
            "time": df["Time"].astype(float),
            "fraction_released": df["Release"].astype(float),
            "DP_Group": df["DP_Group"],
        }
    )
    return out


def load_nano_tumor() -> pd.DataFrame:
    """Nano-Tumor Database AI-PBPK set (Chou et al., J Control Release 361:53, 2023), per dataset."""
    return _read("nano_tumor_g1", "np_tumour_pbpk_parameters.csv").copy()


def load_tumour_timecourses() -> pd.DataFrame:
    """Tumour time courses of the Nano-Tumor set: ID, Time [h], Tumor [%ID], Tumor_g [%ID/g]."""
    return _read("nano_tumor_g1", "tumour_timecourse.csv").copy()
