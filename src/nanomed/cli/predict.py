"""``nanomed predict``: one command for both kinds of saved model.

- ``--calibration DIR`` (organ scale, from ``nanomed calibrate``): scenario files in, time courses,
  ``summary.csv`` and a report out.
- ``--model FILE`` (AI layer, from ``nanomed train``): one table in, one prediction per row out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanomed.cli._common import handle_errors
from nanomed.core.errors import InputError


@handle_errors
def predict(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Scenario files or folders (with --calibration), or one table (with --model)."
        ),
    ],
    calibration: Annotated[
        Path | None,
        typer.Option("--calibration", "-c", help="Folder written by nanomed calibrate."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="Model file written by nanomed train.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output folder (default out/predict); with --model a CSV path is also accepted.",
        ),
    ] = None,
    std: Annotated[
        bool,
        typer.Option(help="With --model: add the model's std and a 68 % interval (lower, upper)."),
    ] = False,
) -> None:
    """Predict with a saved calibration (scenarios) or a saved ML model (table rows)."""
    if (calibration is None) == (model is None):
        raise InputError(
            "predict: give --calibration DIR (organ model, scenarios in) or --model FILE "
            "(ML model, a table in), exactly one of them"
        )
    folder = Path("out/predict") if out is None else out
    if calibration is not None:
        if std:
            raise InputError("--std: applies to --model predictions only")
        from nanomed.cli.organ import predict_scenarios

        predict_scenarios(inputs, calibration, folder)
        return
    if len(inputs) != 1:
        raise InputError(f"predict --model: expected one data table, got {len(inputs)} inputs")
    from nanomed.cli.ai import predict_rows

    csv = folder if folder.suffix.lower() == ".csv" else folder / "predictions.csv"
    predict_rows(model, inputs[0], csv, std)


def register(root: typer.Typer) -> None:
    """Add ``nanomed predict`` to the root app."""
    root.command("predict")(predict)
