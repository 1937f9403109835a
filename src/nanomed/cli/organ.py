"""Organ-scale commands: ``nanomed run``, ``nanomed calibrate``, ``nanomed predict``."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the organ-scale commands to the root app."""
