"""Organ-scale commands: ``nanomed run``, ``nanomed calibrate``, ``nanomed predict``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nanomed.cli._common import console, handle_errors, output_path

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

    output_path(out, *scenarios, folder=True)
    with console.status("simulating") as status:
        results = run_scenarios(
            scenarios, out, resume=resume, solver=solver, progress=status.update
        )
    table = Table(title="Tumour delivery and exposure")
    columns = (
        "scenario",
        "DE24 [%ID]",
        "DE168 [%ID]",
        "DEmax [%ID]",
        "free Cmax [mg/L]",
        "TGI [%]",
    )
    for col in columns:
        table.add_column(col, overflow="fold")  # full scenario names, wrapped
    for r in results:
        de = r.organ.delivery_efficiency()
        cmax = r.organ.toxicity_proxies().get("Cmax_free_plasma")
        growth = r.tumour_growth()
        tgi = None if growth.empty else float(growth["tgi_percent"].iloc[-1])
        cells = [de["DE24"], de["DE168"], de["DEmax"], cmax, tgi]
        table.add_row(r.scenario.name, *("-" if v is None else f"{v:.3g}" for v in cells))
    console.print(table)
    path = run_report(results).write(Path(out) / "report.html")
    console.print(f"results in {out}/results, summary in {out}/summary.csv, report: {path}")


def _fit_parameter(text: str) -> object:
    """``NAME=INITIAL:LOWER:UPPER[:per_scenario]`` -> FitParameter (one-line errors)."""
    from nanomed.calibration import FitParameter
    from nanomed.core.errors import InputError

    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or len(parts) not in (3, 4):
        raise InputError(f"--fit {text!r}: expected NAME=INITIAL:LOWER:UPPER[:per_scenario]")
    try:
        initial, lower, upper = (float(x) for x in parts[:3])
    except ValueError:
        raise InputError(f"--fit {text!r}: INITIAL, LOWER and UPPER must be numbers") from None
    scope = parts[3] if len(parts) == 4 else "shared"
    if scope not in ("shared", "per_scenario"):
        raise InputError(f"--fit {text!r}: scope must be shared or per_scenario")
    return FitParameter(name.strip(), initial, lower, upper, log=lower > 0, scope=scope)


def _scenarios_by_name(paths: list[Path]) -> dict[str, object]:
    from nanomed.coupling.multiscale import load_scenarios

    return {s.name: s for _, s in load_scenarios(paths)}


@handle_errors
def calibrate(
    observations: Annotated[
        Path, typer.Argument(help="CSV: scenario,time,compartment,value,unit (time in h).")
    ],
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario files (or folders) named as in the CSV.")
    ],
    fit: Annotated[
        list[str],
        typer.Option(
            "--fit",
            help="NAME=INITIAL:LOWER:UPPER[:per_scenario], e.g. nano.liver.kmax=0.3:0.001:20",
        ),
    ],
    profile: Annotated[
        bool, typer.Option("--profile/--no-profile", help="Profile-likelihood intervals.")
    ] = True,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "out/calibration"
    ),
) -> None:
    """Fit organ-model parameters to observed concentration–time data of several scenarios."""
    from nanomed.organ.calibration_report import write_calibration
    from nanomed.organ.pbpk_fit import calibrate_pbpk

    output_path(out, observations, *scenarios, folder=True)
    params = [_fit_parameter(f) for f in fit]
    with console.status("calibrating"):
        result, _ = calibrate_pbpk(str(observations), _scenarios_by_name(scenarios), params,
                                   profile=profile)  # fmt: skip
    path = write_calibration(result, out)
    table = Table(title="Estimates")
    for col in ("parameter", "estimate", "95% CI (Fisher)", "95% CI (profile)"):
        table.add_column(col)
    for _, r in result.summary().iterrows():
        fisher = f"{r['fisher_lower']:.3g} – {r['fisher_upper']:.3g}"
        open_sides = str(r["profile_open"]).split()
        lo, hi = (("bound " if side in open_sides else "") + f"{r[f'profile_{side}']:.3g}"
                  for side in ("lower", "upper"))  # fmt: skip
        prof = "-" if r["profile_lower"] != r["profile_lower"] else f"{lo} – {hi}"
        table.add_row(escape(str(r["name"])), f"{r['estimate']:.4g}", fisher, prof)  # k[np_50]
    console.print(table)
    if result.summary()["profile_open"].astype(bool).any():
        console.print(
            "bound: the profile interval runs to the fit bound; the data do not bound that side"
        )
    g = result.gof().set_index("scenario").loc["all"]
    console.print(
        f"within 2-fold {g['within_2fold']:.0%}, AAFE {g['aafe']:.3g}; results and report: {path}"
    )


def predict_scenarios(scenarios: list[Path], calibration: Path, out: Path) -> None:
    """Predict scenarios (fitted or new) with the parameters of a saved calibration
    (``nanomed predict SCENARIOS --calibration DIR``, see :mod:`nanomed.cli.predict`)."""
    import pandas as pd

    from nanomed.calibration import CalibrationResult
    from nanomed.core.results import atomic_write
    from nanomed.coupling import MultiscaleResult, run_report
    from nanomed.organ.pbpk_fit import predict_pbpk

    output_path(out, calibration, *scenarios, folder=True)
    result = CalibrationResult.load(Path(calibration) / "calibration")
    results = []
    for name, sc in _scenarios_by_name(scenarios).items():
        organ = predict_pbpk(result, sc)
        organ.save(Path(out) / "results" / name)
        results.append(MultiscaleResult(sc, organ))
    summary = pd.concat([r.summary() for r in results], ignore_index=True)
    atomic_write(Path(out) / "summary.csv", lambda p: summary.to_csv(p, index=False))
    path = run_report(results, title="nanomed predict").write(Path(out) / "report.html")
    console.print(summary.to_string(index=False))
    console.print(f"predictions in {out}, report: {path}")


def register(root: typer.Typer) -> None:
    """Add the organ-scale commands to the root app."""
    root.command("run")(run)
    root.command("calibrate")(calibrate)
