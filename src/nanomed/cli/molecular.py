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
    xtb: Annotated[bool, typer.Option("--xtb", help="Add the GFN-xTB binding energy.")] = False,
    md: Annotated[bool, typer.Option("--md", help="Add the MD diffusivity in TIP3P.")] = False,
    temperature: Annotated[float, typer.Option(help="Temperature [K].")] = 310.15,
    logp: Annotated[float | None, typer.Option(help="Measured log P (else Crippen).")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the profile as JSON.")
    ] = None,
) -> None:
    """Estimate the molecular profile of a drug in a carrier; --xtb and --md add heavier levels."""
    from nanomed.molecular.profile import molecular_profile

    with console.status("computing the molecular profile"):
        prof = molecular_profile(
            smiles, carrier, temperature=temperature, logp=logp, xtb=xtb, md=md
        )
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
