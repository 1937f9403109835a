"""``nanomed release ...``: fit and simulate release curves."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Drug release: fit and simulate curves.")


def register(root: typer.Typer) -> None:
    """Add the release commands to the root app."""
    root.add_typer(app, name="release")
