"""``nanomed molecular ...``: the molecular scale (drug descriptors, compatibility, xTB, MD)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nanomed.cli._common import console, handle_errors

__all__ = ["app", "register"]

app = typer.Typer(no_args_is_help=True, help="Molecular scale: drug-carrier interactions.")


@app.command()
@handle_errors
def profile(
    smiles: Annotated[str, typer.Option("--smiles", help="The drug's SMILES.")],
    carrier: Annotated[str, typer.Option("--carrier", help="Carrier material (e.g. PLGA, gold).")],
    xtb: Annotated[
        bool, typer.Option("--xtb", help="Add the GFN-xTB binding energy (10-60 s).")
    ] = False,
    md: Annotated[
        bool,
        typer.Option(
            "--md",
            help="Add the MD diffusivity of the drug in TIP3P (OpenMM; ~30 s for 25 ps on 2 cores, "
            "plus AM1-BCC charges once: seconds for aspirin, minutes for doxorubicin).",
        ),
    ] = False,
    md_matrix: Annotated[
        bool,
        typer.Option(
            "--md-matrix",
            help="Add the MD diffusivity in an oligomer matrix of a polymer carrier (indicative "
            "upper value; 5-10 min on 2 cores).",
        ),
    ] = False,
    md_pmf: Annotated[
        bool,
        typer.Option(
            "--md-pmf",
            help="Add the binding free energy on the carrier fragment by umbrella sampling in "
            "implicit water (25 windows x 110 ps: 5-15 min for a small drug on 2 cores).",
        ),
    ] = False,
    fragment: Annotated[
        str | None,
        typer.Option(help="Carrier fragment of --md-pmf (default: the carrier's; e.g. gold_slab)."),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="Directory that makes the --md-pmf run resumable (rerun to continue)."),
    ] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads for the MD levels.")] = None,
    temperature: Annotated[float, typer.Option(help="Temperature [K].")] = 310.15,
    logp: Annotated[float | None, typer.Option(help="Measured log P (else Crippen).")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the profile as JSON.")
    ] = None,
) -> None:
    """Estimate the molecular profile of a drug in a carrier; --xtb and --md* add heavier levels."""
    from nanomed.molecular.profile import molecular_profile

    md_opts = {"threads": threads} if threads else {}
    pmf_opts: dict[str, object] = dict(md_opts)
    if checkpoint:
        pmf_opts["checkpoint"] = checkpoint
    if fragment:
        pmf_opts["fragment"] = fragment
    with console.status("computing the molecular profile") as status:

        def progress(stage: str, done: int, total: int) -> None:
            status.update(f"{stage}: {done}/{total}")

        prof = molecular_profile(
            smiles, carrier, temperature=temperature, logp=logp, xtb=xtb, md=md,
            md_matrix=md_matrix, md_pmf=md_pmf, md_options=md_opts, matrix_options=md_opts,
            pmf_options=pmf_opts, progress=progress,
        )  # fmt: skip
    table = Table(title=f"{prof.smiles} in {carrier}")
    for col in ("quantity", "value", "unit", "level", "method"):
        table.add_column(col)
    for name, v in prof.values.items():
        table.add_row(
            name, f"{v.value:.4g}" + (" (guess)" if v.guess else ""), v.unit, v.level, v.method
        )
    console.print(table)
    for note in prof.notes:
        console.print(note, highlight=False)
    if out is not None:
        from nanomed.core.results import atomic_write

        atomic_write(out, lambda p: p.write_text(prof.to_json()))
        console.print(f"profile written to {out}")


def register(root: typer.Typer) -> None:
    """Add the ``molecular`` sub-app to the root app."""
    root.add_typer(app, name="molecular")
