"""Cellular-scale commands: ``nanomed dosimetry``, ``nanomed cell ...``."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the cellular-scale commands to the root app."""
