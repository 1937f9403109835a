"""Organ-scale commands: ``nanomed run``, ``nanomed calibrate``, ``nanomed predict``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nanomed.cli._common import console, handle_errors

__all__ = ["register"]


@handle_errors
def run(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML/JSON files or folders of them.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out/run"),
    solver: Annotated[str, typer.Option(help="ODE solver: cvode or scipy.")] = "cvode",
    resume: Annotated[
        bool, typer.Option("--resume/--no-resume", help="Reuse results already saved in --out.")
    ] = True,
) -> None:
    """Run the multiscale simulation of each scenario; write results, summary.csv and report.html."""
    from nanomed.coupling import run_report, run_scenarios

    with console.status("simulating") as status:
        results = run_scenarios(
            scenarios, out, resume=resume, solver=solver, progress=status.update
        )
    table = Table(title="Tumour delivery and exposure")
    for col in ("scenario", "DE24 [%ID]", "DE168 [%ID]", "DEmax [%ID]", "free-drug Cmax [mg/L]"):
        table.add_column(col)
    for r in results:
        de = r.organ.delivery_efficiency()
        cmax = r.organ.toxicity_proxies().get("Cmax_free_plasma")
        cells = [de["DE24"], de["DE168"], de["DEmax"], cmax]
        table.add_row(r.scenario.name, *("-" if v is None else f"{v:.3g}" for v in cells))
    console.print(table)
    path = run_report(results).write(Path(out) / "report.html")
    console.print(f"results in {out}/results, summary in {out}/summary.csv, report: {path}")


def register(root: typer.Typer) -> None:
    """Add the organ-scale commands to the root app."""
    root.command("run")(run)
