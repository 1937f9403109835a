"""The drug: identity, physicochemical properties and small-molecule PK inputs."""

from __future__ import annotations

from pydantic import Field, field_validator

from nanomed.schema._types import quantity
from nanomed.schema.base import NanomedModel

__all__ = ["Drug", "smiles_text_problem"]


def smiles_text_problem(smiles: str) -> str | None:
    """What makes ``smiles`` unsafe to hand to RDKit as it is, or None.

    RDKit reads text after a space as the molecule's name ("CCO CCCC" is ethanol) and a non-ASCII
    look-alike (Greek omicron for O) can parse as something else: both would be silently misread.
    """
    text = smiles.strip()
    if any(c.isspace() for c in text):
        return (
            f"{smiles!r} contains whitespace (RDKit would read only {text.split()[0]!r}); "
            "give one SMILES without spaces"
        )
    bad = sorted({c for c in text if not c.isascii()})
    if bad:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in bad[:5])
        return f"{smiles!r} contains non-ASCII character(s) {shown}; SMILES is plain ASCII"
    return None


class Drug(NanomedModel):
    """A small-molecule drug.

    Fields left empty can be filled by the molecular scale (RDKit descriptors from ``smiles``).
    PK fields feed the free-drug PBPK (tissue partition by Rodgers–Rowland or Poulin–Theil from
    logP, pKa and fu, or given directly in ``tissue_partition``).

    Examples
    --------
    >>> Drug(name="doxorubicin", molecular_weight="543.5 g/mol", logp=1.27).molecular_weight
    543.5
    """

    name: str = Field(min_length=1)
    smiles: str | None = None
    molecular_weight: quantity("g/mol", "molar mass", gt=0, le=5000) | None = None
    logp: float | None = Field(None, ge=-10, le=15, description="octanol/water logP [-]")
    pka_acid: list[float] = Field(default_factory=list, description="acidic pKa values [-]")
    pka_base: list[float] = Field(default_factory=list, description="basic pKa values [-]")
    fraction_unbound: float | None = Field(
        None, gt=0, le=1, description="fraction unbound in plasma fu [-]"
    )
    blood_plasma_ratio: float | None = Field(
        None, gt=0, le=20, description="blood:plasma concentration ratio [-]"
    )
    solubility: quantity("mg/mL", "aqueous solubility", ge=0) | None = None
    clearance_hepatic: quantity("L/h/kg", "hepatic blood clearance", ge=0) | None = None
    clearance_renal: quantity("L/h/kg", "renal clearance", ge=0) | None = None
    tissue_partition: dict[str, float] | None = Field(
        None, description="tissue:plasma partition coefficients Kp by organ [-]"
    )

    @field_validator("smiles")
    @classmethod
    def _check_smiles(cls, smiles: str | None) -> str | None:
        if smiles is None:
            return None
        if not smiles.strip():
            raise ValueError("empty SMILES (leave the field out if the structure is unknown)")
        if problem := smiles_text_problem(smiles):
            raise ValueError(problem)
        try:
            from rdkit import Chem, rdBase
        except ImportError:  # RDKit is optional: the molecular scale checks it when it runs
            return smiles
        with rdBase.BlockLogs():  # RDKit prints parse errors to stderr; ours is one line
            mol = Chem.MolFromSmiles(smiles.strip())
        if mol is None or mol.GetNumAtoms() == 0:
            raise ValueError(f"{smiles!r} is not a valid SMILES")
        return smiles

    @field_validator("pka_acid", "pka_base")
    @classmethod
    def _check_pka(cls, values: list[float]) -> list[float]:
        # aqueous pKa of drug-like groups span about -10 (sulfonic acids) to 25 (C-H, alcohols);
        # beyond that (or NaN) 10**(pH - pKa) in the partition models over- or underflows
        for v in values:
            if not -15.0 <= v <= 30.0:
                raise ValueError(f"pKa {v!r} outside -15 to 30")
        return values

    @field_validator("tissue_partition")
    @classmethod
    def _check_partition(cls, kp: dict[str, float] | None) -> dict[str, float] | None:
        for organ, v in (kp or {}).items():
            if not 0.0 <= v < 1e6:  # also NaN
                raise ValueError(
                    f"Kp of {organ!r} is {v!r}; a partition coefficient is >= 0 and finite"
                )
        return kp
