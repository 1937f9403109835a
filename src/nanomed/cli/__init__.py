"""The ``nanomed`` command line: thin typer commands, each calling one library function."""

from nanomed.cli.app import app, main

__all__ = ["app", "main"]
