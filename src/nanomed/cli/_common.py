"""Shared CLI plumbing: one-line errors and exit codes, the rich console."""

from __future__ import annotations

import functools
import os
import socket
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from nanomed.core.errors import InputError, NanomedError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INPUT",
    "console",
    "err_console",
    "handle_errors",
    "output_path",
    "release_output_locks",
]

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
    """Turn errors into a one-line message and a non-zero exit code, never a traceback;
    warnings are shown as one line each.

    Bad input (:class:`InputError`, an unreadable or unwritable path) exits with
    :data:`EXIT_INPUT`; a model or solver failure with :data:`EXIT_FAILED`. Anything else is a
    bug: it is named in one line too, and ``NANOMED_DEBUG=1`` lets its traceback through.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _one_line_warning
                # a library's notice to its own developers (shap on matplotlib) is not the user's
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", PendingDeprecationWarning)
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
        except OSError as exc:  # a path that cannot be read or written: the user's to fix
            where = f": {exc.filename}" if exc.filename else ""
            text = exc.strerror or str(exc)
            err_console.print(
                f"[red]error:[/red] {escape(text)}{escape(str(where))}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INPUT) from None
        except UnicodeDecodeError as exc:  # a reader that did not name its file: still one line
            err_console.print(
                f"[red]error:[/red] an input file is not UTF-8 text (byte {exc.object[exc.start]:#x} "
                f"at position {exc.start}); save it as UTF-8",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            sys.exit(130)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug or a library's refusal not foreseen: one line, no trace
            if os.environ.get("NANOMED_DEBUG"):
                raise
            err_console.print(
                f"[red]failed:[/red] unexpected {type(exc).__name__}: {escape(str(exc))} "
                "(NANOMED_DEBUG=1 shows the traceback; please report it)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_FAILED) from None
        finally:
            release_output_locks()

    return wrapper  # type: ignore[return-value]


def output_path(
    path: str | os.PathLike[str],
    *inputs: str | os.PathLike[str] | None,
    folder: bool = False,
    option: str = "--out",
) -> Path:
    """Check an output path before any work is done, so that a long run does not fail at its end
    and never writes over what it reads.

    ``folder``: the path is a folder to create or reuse (else a file, whose folder is created).
    A path that is one of ``inputs``, a file where a folder is wanted (or the reverse), or a
    folder path that runs through a file is an :class:`InputError` naming ``option``.
    """
    path = Path(path)
    given = [Path(p) for p in inputs if p is not None]
    for p in given:
        if path.exists() and p.exists() and path.resolve() == p.resolve():
            raise InputError(
                f"{option} {path}: is an input of this command; it would be overwritten"
            )
    if folder and path.exists() and not path.is_dir():
        raise InputError(f"{option} {path}: is a file, not a folder")
    if not folder and path.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name")
    for parent in (path if folder else path.parent, *path.parent.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError(f"{option} {path}: {parent} is a file, not a folder")
    _lock_output(path, option)
    return path


#: output locks this process holds, released when its command ends (:func:`handle_errors`)
_HELD_LOCKS: set[Path] = set()


def _lock_output(path: Path, option: str) -> None:
    """Claim ``path`` for this run with a lock file beside it, so that a second run writing the
    same output at the same time is refused instead of mixing its files with the first one's.

    The lock (``.<name>.nanomed-lock``, holding host and process id) is created atomically
    (``O_EXCL``); one left by a run that was killed on this host is taken over.
    """
    where = path.resolve()
    lock = where.parent / f".{where.name}.nanomed-lock"
    if lock in _HELD_LOCKS:
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    me = f"{socket.gethostname()} {os.getpid()}"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = lock.read_text(encoding="utf-8", errors="replace").split()
            if _is_stale(owner):
                lock.unlink(missing_ok=True)
                continue
            who = f"process {owner[1]} on {owner[0]}" if len(owner) == 2 else "another run"
            raise InputError(
                f"{option} {path}: {who} is writing there now; wait for it to end or choose "
                f"another {option} (if no run is active, delete {lock})"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(me)
        _HELD_LOCKS.add(lock)
        return


def _is_stale(owner: list[str]) -> bool:
    """Whether a lock's owner (host, pid) is a process of this host that no longer runs."""
    if len(owner) != 2 or owner[0] != socket.gethostname() or not owner[1].isdigit():
        return False
    try:
        os.kill(int(owner[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def release_output_locks() -> None:
    """Remove the output locks this process holds (the end of a command)."""
    while _HELD_LOCKS:
        _HELD_LOCKS.pop().unlink(missing_ok=True)
