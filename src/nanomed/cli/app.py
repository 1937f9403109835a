"""Top-level ``nanomed`` commands; each scale adds its own sub-commands from its module."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nanomed._version import __version__
from nanomed.cli import ai as ai_cli
from nanomed.cli import cellular as cellular_cli
from nanomed.cli import molecular as molecular_cli
from nanomed.cli import organ as organ_cli
from nanomed.cli import predict as predict_cli
from nanomed.cli import release as release_cli
from nanomed.cli._common import EXIT_FAILED, console, handle_errors

app = typer.Typer(
    name="nanomed",
    help="Multiscale, AI-assisted modelling of nanoparticle drug delivery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# each scale adds its commands (sub-apps or top-level commands) from its own module
release_cli.register(app)
organ_cli.register(app)
predict_cli.register(app)
cellular_cli.register(app)
molecular_cli.register(app)
ai_cli.register(app)


def _version(value: bool) -> None:
    if value:
        console.print(f"nanomed {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """nanomed: from nanocarrier design to tumour delivery."""


@app.command()
@handle_errors
def validate(
    file: Annotated[
        Path, typer.Argument(help="A scenario, formulation, carrier or drug YAML/JSON.")
    ],
) -> None:
    """Check an input file and print it back with units normalised."""
    from nanomed.io import validate_file

    model = validate_file(file)
    console.print(f"[green]ok[/green] {file}: valid {type(model).__name__}")
    console.print(model.to_yaml(), highlight=False)


@app.command()
@handle_errors
def materials() -> None:
    """List the materials library with densities and sources."""
    from nanomed.materials import lipids, materials

    table = Table(title="Carrier materials")
    for col in ("name", "kind", "density [g/cm³]", "source"):
        table.add_column(col)
    for m in materials().values():
        d = m.properties["density_g_cm3"]
        table.add_row(m.name, m.kind, f"{d.value:g}" + (" (guess)" if d.guess else ""), d.source)
    console.print(table)
    lt = Table(title="Lipids")
    for col in ("name", "Tm [°C]", "source"):
        lt.add_column(col)
    for lip in lipids().values():
        tm = "-" if lip.transition_C is None else f"{lip.transition_C:g}"
        lt.add_row(lip.name, tm, lip.source)
    console.print(lt)


params_app = typer.Typer(no_args_is_help=True, help="Parameter sets with units and sources.")
app.add_typer(params_app, name="params")


@params_app.command("list")
@handle_errors
def params_list() -> None:
    """List the named parameter sets."""
    from nanomed.params import available_parameter_sets

    for name in available_parameter_sets():
        console.print(name, highlight=False)


@params_app.command("show")
@handle_errors
def params_show(name: Annotated[str, typer.Argument(help="e.g. physiology/mouse")]) -> None:
    """Show a parameter set: value, unit, bounds, reference, guess flag."""
    from nanomed.params import get_parameter_set

    table = Table(title=name)
    for col in ("name", "value", "unit", "bounds", "reference"):
        table.add_column(col, overflow="fold")
    for row in get_parameter_set(name).table():
        lo = "-inf" if row["lower"] is None else f"{row['lower']:g}"
        hi = "inf" if row["upper"] is None else f"{row['upper']:g}"
        value = f"{row['value']:.4g}" + (" (guess)" if row["guess"] else "")
        cells = (row["name"], value, row["unit"], f"[{lo}, {hi}]", row["reference"])
        table.add_row(*(escape(c) for c in cells))  # "[-inf, 1]" is text, not markup
    console.print(table)


@app.command()
def check() -> None:
    """Check the installation: tiny runs with known answers, optional packages present."""
    from nanomed.selfcheck import run_checks

    table = Table(title="nanomed self-check")
    for col in ("check", "result", "detail", "s"):
        table.add_column(col, overflow="fold")
    results = run_checks()
    for r in results:
        mark = "[green]ok[/green]" if r.ok else "[red]FAILED[/red]"
        table.add_row(r.name, mark, r.detail, f"{r.seconds:.2f}")
    console.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(EXIT_FAILED)


def main() -> None:
    """Entry point of the ``nanomed`` script."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # the CLI draws into files, never on a screen
    app()
