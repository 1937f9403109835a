"""Shared CLI plumbing: one-line errors and exit codes, the rich console."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from nanomed.core.errors import InputError, NanomedError

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "console", "err_console", "handle_errors"]

console = Console()
err_console = Console(stderr=True)

#: exit code for bad input (file, field, row, option)
EXIT_INPUT = 2
#: exit code for a model, solver or data failure
EXIT_FAILED = 3

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_warning(
    message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any
) -> None:
    """Show a warning as one line on stderr (not the source line of the library that raised it)."""
    text = escape(str(message))  # a SMILES or "k[np_50]" in the message is not markup
    err_console.print(f"[yellow]warning:[/yellow] {text}", highlight=False, soft_wrap=True)


def handle_errors(func: F) -> F:
    """Turn nanomed errors into a one-line message and a non-zero exit code, never a traceback;
    warnings are shown as one line each."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _one_line_warning
                return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(
                f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_INPUT) from None
        except NanomedError as exc:
            err_console.print(
                f"[red]failed:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_FAILED) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
