"""``nanomed molecular ...``: the molecular scale (drug descriptors, compatibility, xTB, MD)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nanomed.cli._common import console, handle_errors, output_path
from nanomed.core.errors import InputError

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
            help="Add the MD diffusivity of the drug in TIP3P, rescaled to real water by the same "
            "run's water (OpenMM; ~10 min per ns on 1 core, plus AM1-BCC charges once: seconds "
            "for aspirin, minutes for doxorubicin).",
        ),
    ] = False,
    md_ps: Annotated[
        float,
        typer.Option(
            "--md-ps", help="Production of the --md run [ps]; one molecule's D needs ~1 ns."
        ),
    ] = 1000.0,
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
        typer.Option(
            help="Directory that makes the --md and --md-pmf runs resumable (rerun to continue)."
        ),
    ] = None,
    threads: Annotated[
        int | None, typer.Option(min=1, help="CPU threads for the MD levels.")
    ] = None,
    temperature: Annotated[float, typer.Option(help="Temperature [K].")] = 310.15,
    logp: Annotated[float | None, typer.Option(help="Measured log P (else Crippen).")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the profile as JSON.")
    ] = None,
) -> None:
    """Estimate the molecular profile of a drug in a carrier; --xtb and --md* add heavier levels."""
    from nanomed.molecular.profile import molecular_profile

    if out is not None:
        output_path(out)
    if checkpoint is not None:
        output_path(checkpoint, folder=True, option="--checkpoint")
    if not md_ps > 0:
        raise InputError(f"--md-ps: must be > 0 ps, got {md_ps}")
    md_opts: dict[str, object] = {"threads": threads} if threads else {}
    pmf_opts: dict[str, object] = dict(md_opts)
    diffusion_opts: dict[str, object] = {**md_opts, "production_ps": md_ps}
    if checkpoint:
        pmf_opts["checkpoint"] = checkpoint
        if md:
            Path(checkpoint).mkdir(parents=True, exist_ok=True)
            diffusion_opts["checkpoint"] = Path(checkpoint) / "water_box.chk"
    if fragment:
        pmf_opts["fragment"] = fragment
    with console.status("computing the molecular profile") as status:

        def progress(stage: str, done: int, total: int) -> None:
            status.update(f"{stage}: {done}/{total}")

        prof = molecular_profile(
            smiles, carrier, temperature=temperature, logp=logp, xtb=xtb, md=md,
            md_matrix=md_matrix, md_pmf=md_pmf, md_options=diffusion_opts, matrix_options=md_opts,
            pmf_options=pmf_opts, progress=progress,
        )  # fmt: skip
    table = Table(title=escape(f"{prof.smiles} in {carrier}"))  # SMILES brackets are not markup
    for col in ("quantity", "value", "unit", "level", "method"):
        table.add_column(col)
    for name, v in prof.values.items():
        table.add_row(
            name, f"{v.value:.4g}" + (" (guess)" if v.guess else ""), v.unit, v.level,
            escape(v.method),
        )  # fmt: skip
    console.print(table)
    for note in prof.notes:
        console.print(note, highlight=False, markup=False)
    if out is not None:
        from nanomed.core.results import atomic_write

        atomic_write(out, lambda p: p.write_text(prof.to_json()))
        console.print(f"profile written to {out}")


def register(root: typer.Typer) -> None:
    """Add the ``molecular`` sub-app to the root app."""
    root.add_typer(app, name="molecular")
