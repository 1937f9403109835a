"""Bundled reference data (physiology tables, materials library, datasets with LICENSE and SOURCE)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["data_path"]


def data_path(*parts: str) -> Path:
    """Return the path of a bundled data file, e.g. ``data_path("materials.yaml")``."""
    return Path(str(resources.files("nanomed.data").joinpath(*parts)))
