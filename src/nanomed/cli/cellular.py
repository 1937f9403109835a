"""Cellular-scale commands: ``nanomed dosimetry``, ``nanomed cell simulate``, ``nanomed cell fit``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanomed.cli._common import console, handle_errors, output_path

cell_app = typer.Typer(no_args_is_help=True, help="Cells: uptake, trafficking, release, effect.")


@handle_errors
def dosimetry(
    config: Annotated[Path, typer.Argument(help="YAML/JSON with particles, medium, height ...")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "dosimetry_out"
    ),
) -> None:
    """In-vitro dosimetry: particles delivered to the cells over time (ISDD/DG-type model)."""
    from nanomed.cellular.runs import run_dosimetry
    from nanomed.schema import read_mapping

    output_path(out, config, folder=True)
    files = run_dosimetry(read_mapping(config), out, where=str(config))
    for kind, path in files.items():
        console.print(f"{kind}: {path}")


@cell_app.command("simulate")
@handle_errors
def cell_simulate(
    config: Annotated[Path, typer.Argument(help="YAML/JSON with a carrier and options.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("cell_out"),
) -> None:
    """Uptake, trafficking, intracellular release and effect for one carrier."""
    from nanomed.cellular.runs import run_cell
    from nanomed.schema import read_mapping

    output_path(out, config, folder=True)
    files = run_cell(read_mapping(config), out, where=str(config))
    for kind, path in files.items():
        console.print(f"{kind}: {path}")


@cell_app.command("fit")
@handle_errors
def cell_fit(
    data: Annotated[Path, typer.Argument(help="Long CSV: series_id,time,value[,concentration].")],
    model: Annotated[str, typer.Option("--model", "-m", help="uptake or viability.")] = "uptake",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("cell_fit_out"),
) -> None:
    """Fit an uptake or viability model to time-course data."""
    from nanomed.cellular.runs import run_cell_fit

    output_path(out, data, folder=True)
    fit, files = run_cell_fit(data, model, out)
    console.print(fit.to_dataframe().to_string(index=False))
    for kind, path in files.items():
        console.print(f"{kind}: {path}")


def register(root: typer.Typer) -> None:
    """Add the cellular-scale commands to the root app."""
    root.command("dosimetry")(dosimetry)
    root.add_typer(cell_app, name="cell")
