"""``nanomed release ...``: fit and simulate release curves.

- ``nanomed release fit CURVES.csv --out DIR`` -> :func:`nanomed.release.plots.fit_release_file`
- ``nanomed release models`` -> :func:`nanomed.release.empirical.model_table`
- ``nanomed release simulate MODEL --param k=0.1 --times 0,1,2`` -> ``fraction_released``
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanomed.cli._common import console, handle_errors, output_path
from nanomed.core.errors import DataError, InputError

app = typer.Typer(no_args_is_help=True, help="Drug release: fit and simulate curves.")


def register(root: typer.Typer) -> None:
    """Add the release commands to the root app."""
    root.add_typer(app, name="release")


def _split(text: str, what: str) -> list[str]:
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise InputError(f"{what}: empty list")
    return items


@app.command()
@handle_errors
def fit(
    curves: Annotated[Path, typer.Argument(help="Long CSV: profile_id,time,fraction_released.")],
    models: Annotated[
        str | None, typer.Option(help="Comma-separated model specs, e.g. weibull+fmax,first_order.")
    ] = None,
    percent: Annotated[
        bool | None,
        typer.Option(
            "--percent/--fraction", help="Values in percent or fraction (default: detect)."
        ),
    ] = None,
    time_unit: Annotated[str, typer.Option(help="Unit of the time column.")] = "h",
    rank_by: Annotated[
        str, typer.Option(help="aicc, aic, bic, r2, adj_r2, rmse, msc, sse.")
    ] = "aicc",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("release_fit"),
    n_starts: Annotated[int, typer.Option(min=1, help="Starts per profile and model.")] = 4,
    # numpy seeds are 0 to 2**32 - 1: -1 ended in "failed: unexpected ValueError"
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Seed of the random starts.")] = 0,
) -> None:
    """Fit the empirical model library to every profile; write CSVs and an HTML report."""
    from rich.progress import Progress
    from rich.table import Table

    from nanomed.release.plots import fit_release_file

    output_path(out, curves, folder=True)
    specs = _split(models, "--models") if models is not None else None
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("fitting", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"fitted {label}")

        res = fit_release_file(
            curves, out, models=specs, percent=percent, time_unit=time_unit, rank_by=rank_by,
            n_starts=n_starts, seed=seed, progress=progress,
        )  # fmt: skip
    for note in res.notes:
        console.print(f"[dim]{note}[/dim]", highlight=False)
    lib = res.fit
    best = lib.best()
    table = Table(title=f"Best model per profile (by {lib.rank_by})")
    for col in ("model", "profiles best", "median R²"):
        table.add_column(col)
    for row in lib.summary().itertuples():
        if row.best:
            sub = best[best["best_model"] == row.model]
            table.add_row(row.model, str(row.best), f"{sub['r2'].median():.4f}")
    console.print(table)
    n_failed = len(lib.failed)
    if len(best):
        console.print(
            f"{len(best)} profile(s) fitted; best R² median {best['r2'].median():.4f}, "
            f"{(best['r2'] >= 0.95).mean():.0%} >= 0.95; {n_failed} failed fit(s) in failed.csv"
        )
    console.print(f"[green]wrote[/green] {', '.join(str(p) for p in res.files.values())}")
    if not len(best):  # the tables are written (failed.csv lists why), but nothing was fitted
        raise DataError(
            f"{curves}: no profile could be fitted ({lib.metadata['n_profiles']} profile(s); "
            f"the reasons are in {res.files.get('failed', Path(out) / 'failed.csv')})"
        )


@app.command("models")
@handle_errors
def list_models() -> None:
    """List the release models with their equations, parameters and references."""
    from rich.markup import escape
    from rich.table import Table

    from nanomed.release.empirical import model_table

    table = Table(title="Release models", show_lines=True)
    table.add_column("name", no_wrap=True)
    for col in ("kind", "equation", "parameters", "reference"):
        table.add_column(col, overflow="fold")
    for row in model_table():
        cells = (row[c] for c in ("name", "kind", "equation", "parameters", "reference"))
        table.add_row(*(escape(c) for c in cells))
    console.print(table)


def _parse_params(items: list[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        name, sep, val = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param {item!r}: expected NAME=VALUE, e.g. k=0.1")
        try:
            values[name.strip()] = float(val)
        except ValueError:
            raise InputError(f"--param {item!r}: {val.strip()!r} is not a number") from None
    return values


def _parse_times(text: str) -> list[float]:
    out = []
    for item in _split(text, "--times"):
        try:
            out.append(float(item))
        except ValueError:
            raise InputError(f"--times: {item!r} is not a number") from None
    return out


@app.command()
@handle_errors
def simulate(
    model: Annotated[str, typer.Argument(help="Model name (see `nanomed release models`).")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")
    ] = None,
    times: Annotated[str, typer.Option(help="Comma-separated times.")] = "0,1,2,4,8,24",
    time_unit: Annotated[str, typer.Option(help="Unit of the times.")] = "h",
) -> None:
    """Print the fraction released by a model at given times."""
    from nanomed.release.base import get_release_model

    m = get_release_model(model, time_unit=time_unit, **_parse_params(param or []))
    tt = _parse_times(times)
    f = m.fraction_released(tt)
    console.print(f"# {m.describe()}", highlight=False, markup=False)
    console.print(f"time_{time_unit},fraction_released", highlight=False)
    for ti, fi in zip(tt, f, strict=True):
        console.print(f"{ti:g},{fi:.6g}", highlight=False)
