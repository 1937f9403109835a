"""Drug descriptors from the structure (RDKit): size, lipophilicity, polarity, charge state, volume.

Equations and sources
---------------------
- logP: atom contributions of Wildman & Crippen, J. Chem. Inf. Comput. Sci. 39:868 (1999).
- TPSA: fragment contributions of Ertl, Rohde & Selzer, J. Med. Chem. 43:3714 (2000).
- H-bond donors/acceptors: Lipinski's counts (NH+OH, N+O), Lipinski et al., Adv. Drug Deliv. Rev.
  23:3 (1997).
- Charge state: Henderson–Hasselbalch per ionisable site, sites taken as independent.
- Molar volume at the normal boiling point: Le Bas additive volumes (Le Bas 1915), as tabulated in
  Reid, Prausnitz & Poling, *The Properties of Gases and Liquids*, 4th ed. (1987), Table 11-5; it is the
  volume that the Wilke–Chang correlation expects.

RDKit is imported lazily: the CLI must start fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from numbers import Real
from typing import TYPE_CHECKING, Any

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.schema.drug import smiles_text_problem

if TYPE_CHECKING:  # pragma: no cover
    from nanomed.schema import Drug

__all__ = [
    "SUPPORTED_ELEMENTS",
    "ChargeState",
    "Descriptors",
    "charge_state",
    "compute_descriptors",
    "fill_drug",
    "le_bas_volume",
    "molecule_from_smiles",
]

#: elements the molecular scale handles (organic drugs; GAFF2 and the group tables cover these)
SUPPORTED_ELEMENTS = frozenset({"H", "C", "N", "O", "F", "P", "S", "Cl", "Br", "I"})


def molecule_from_smiles(
    smiles: str, *, name: str = "smiles", add_hs: bool = False, extra_elements: tuple[str, ...] = ()
) -> Any:
    """Parse a SMILES string into an RDKit molecule, with one-line errors.

    Parameters
    ----------
    smiles : str
        The structure.
    name : str
        Field name used in error messages.
    add_hs : bool
        Add explicit hydrogens.
    extra_elements : tuple of str
        Elements allowed beyond :data:`SUPPORTED_ELEMENTS` (carrier fragments: ``("Si",)``).

    Raises
    ------
    InputError
        If the SMILES does not parse, is empty, holds whitespace or non-ASCII characters, has
        several fragments, or contains an element outside :data:`SUPPORTED_ELEMENTS`.
    """
    from rdkit import Chem, rdBase

    if not isinstance(smiles, str) or not smiles.strip():
        raise InputError(f"{name}: empty SMILES")
    if problem := smiles_text_problem(smiles):
        raise InputError(f"{name}: {problem}")
    with rdBase.BlockLogs():  # RDKit prints parse errors to stderr; ours is one line
        mol = Chem.MolFromSmiles(smiles.strip())
    if mol is None or mol.GetNumAtoms() == 0:
        raise InputError(f"{name}: {smiles!r} is not a valid SMILES")
    if len(Chem.GetMolFrags(mol)) > 1:
        raise InputError(
            f"{name}: {smiles!r} has several fragments (salts, mixtures); give the parent drug only"
        )
    bad = sorted({a.GetSymbol() for a in mol.GetAtoms()} - SUPPORTED_ELEMENTS - set(extra_elements))
    if bad:
        raise InputError(
            f"{name}: unsupported element(s) {', '.join(bad)} in {smiles!r} "
            f"(supported: {', '.join(sorted(SUPPORTED_ELEMENTS))})"
        )
    return Chem.AddHs(mol) if add_hs else mol


# -- Le Bas volumes [cm³/mol] (Reid, Prausnitz & Poling 1987, Table 11-5) -------------------------
_LE_BAS_ATOM = {
    "C": 14.8,
    "H": 3.7,
    "F": 8.7,
    "Cl": 24.6,
    "Br": 27.0,
    "I": 37.0,
    "S": 25.6,
    "P": 27.0,
}
_LE_BAS_RING = {3: -6.0, 4: -8.5, 5: -11.5, 6: -15.0}


def _le_bas_oxygen(atom: Any) -> float:
    heavy = [n for n in atom.GetNeighbors() if n.GetAtomicNum() > 1]
    if any(n.GetSymbol() in ("S", "P", "N") for n in heavy):
        return 8.3  # O joined to S, P or N
    if atom.GetTotalNumHs() == 1 and any(
        n.GetSymbol() == "C"
        and any(
            b.GetBondTypeAsDouble() == 2 and b.GetOtherAtom(n).GetSymbol() == "O"
            for b in n.GetBonds()
        )
        for n in heavy
    ):
        return 12.0  # O of a carboxylic acid OH
    if atom.GetTotalNumHs() == 0 and len(heavy) == 2:
        methyl = any(n.GetSymbol() == "C" and n.GetTotalNumHs() == 3 for n in heavy)
        return 9.1 if methyl else 11.0  # ether/ester O: methyl vs higher
    return 7.4  # O in general (carbonyl, alcohol)


def _le_bas_nitrogen(atom: Any) -> float:
    if atom.GetIsAromatic() or any(b.GetBondTypeAsDouble() >= 2 for b in atom.GetBonds()):
        return 15.6  # double-bonded N
    return {2: 10.5, 1: 12.0}.get(atom.GetTotalNumHs(), 15.6)  # primary, secondary, tertiary amine


def le_bas_volume(mol: Any) -> float:
    """Molar volume at the normal boiling point by Le Bas additive volumes [cm³/mol].

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The molecule (implicit or explicit hydrogens).

    Examples
    --------
    >>> round(le_bas_volume(molecule_from_smiles("c1ccccc1")), 1)  # benzene: 96.5 measured
    96.0
    """
    cite(
        "LeBas1915",
        "Le Bas, The Molecular Volumes of Liquid Chemical Compounds (1915); table in Reid, Prausnitz "
        "& Poling, The Properties of Gases and Liquids, 4th ed. (1987)",
    )
    v = 0.0
    for a in mol.GetAtoms():
        sym = a.GetSymbol()
        if sym == "O":
            v += _le_bas_oxygen(a)
        elif sym == "N":
            v += _le_bas_nitrogen(a)
        elif sym != "H":
            v += _LE_BAS_ATOM[sym]
        if sym != "H":
            v += _LE_BAS_ATOM["H"] * a.GetTotalNumHs()
        elif a.GetDegree() == 0:  # an explicit H is counted once, through its heavy neighbour
            v += _LE_BAS_ATOM["H"]
    for ring in mol.GetRingInfo().AtomRings():
        v += _LE_BAS_RING.get(len(ring), 0.0)
    return v


@dataclass(frozen=True)
class ChargeState:
    """Ionisation of a drug at one pH (independent sites, Henderson–Hasselbalch).

    Attributes
    ----------
    ph : float
        The pH [-].
    mean_charge : float
        Average net charge [e].
    fraction_neutral : float
        Fraction of molecules carrying no ionised site [-].
    log_d : float or None
        Distribution coefficient log D = log P + log10(fraction_neutral) [-], when log P is known.
    """

    ph: float
    mean_charge: float
    fraction_neutral: float
    log_d: float | None = None


def charge_state(
    pka_acid: Sequence[float] = (),
    pka_base: Sequence[float] = (),
    ph: float = 7.4,
    logp: float | None = None,
) -> ChargeState:
    """Charge state of a drug at ``ph`` from its pKa values.

    Each acidic site is deprotonated with probability 1/(1 + 10^(pKa − pH)) and each basic site
    protonated with probability 1/(1 + 10^(pH − pKa)); sites are independent (Henderson–Hasselbalch).

    Parameters
    ----------
    pka_acid, pka_base : sequence of float
        Acidic and basic pKa values [-].
    ph : float
        pH [-], 0–14.
    logp : float, optional
        Octanol/water log P of the neutral form [-]; gives log D.

    Examples
    --------
    >>> s = charge_state(pka_acid=[3.5], ph=7.4)  # aspirin at plasma pH: fully ionised
    >>> round(s.mean_charge, 3)
    -1.0
    """
    if not (isinstance(ph, Real) and 0 <= ph <= 14):
        raise InputError(f"pH: {ph!r} is outside 0-14")
    # a NaN pKa gave NaN charges, 1e300 an OverflowError in 10**(pKa - pH)
    for name, values in (("pka_acid", pka_acid), ("pka_base", pka_base)):
        for pka in values:
            if not (isinstance(pka, Real) and -100 <= pka <= 100):
                raise InputError(f"{name}: expected finite pKa values in -100-100, got {pka!r}")
    if logp is not None and not (isinstance(logp, Real) and math.isfinite(logp)):
        raise InputError(f"logp: must be a finite number, got {logp!r}")
    acid = [1.0 / (1.0 + 10.0 ** (pka - ph)) for pka in pka_acid]
    base = [1.0 / (1.0 + 10.0 ** (ph - pka)) for pka in pka_base]
    neutral = math.prod(1 - f for f in acid) * math.prod(1 - f for f in base)
    log_d = None
    if logp is not None:
        log_d = logp + math.log10(neutral) if neutral > 0 else -math.inf
    return ChargeState(ph, sum(base) - sum(acid), neutral, log_d)


@dataclass(frozen=True)
class Descriptors:
    """RDKit descriptors of a drug.

    Attributes
    ----------
    smiles : str
        Canonical SMILES.
    molecular_weight : float
        Average molar mass [g/mol].
    logp : float
        Wildman–Crippen log P [-].
    tpsa : float
        Topological polar surface area [Å²].
    hbd, hba : int
        Lipinski H-bond donors (NH + OH) and acceptors (N + O).
    rotatable_bonds : int
        Rotatable bonds (RDKit strict definition).
    heavy_atoms : int
        Number of non-hydrogen atoms.
    formal_charge : int
        Net formal charge of the structure as written [e].
    molar_volume : float
        Le Bas molar volume at the normal boiling point [cm³/mol].
    """

    smiles: str
    molecular_weight: float
    logp: float
    tpsa: float
    hbd: int
    hba: int
    rotatable_bonds: int
    heavy_atoms: int
    formal_charge: int
    molar_volume: float

    def to_dict(self) -> dict[str, Any]:
        """Return the descriptors as a plain dict."""
        return asdict(self)


def compute_descriptors(smiles: str) -> Descriptors:
    """Compute the RDKit descriptors of a drug.

    Parameters
    ----------
    smiles : str
        The drug's structure.

    Examples
    --------
    >>> d = compute_descriptors("CC(=O)Oc1ccccc1C(=O)O")  # aspirin
    >>> round(d.molecular_weight, 2), round(d.tpsa, 1)
    (180.16, 63.6)
    """
    from rdkit import Chem
    from rdkit.Chem import Crippen, Lipinski, rdMolDescriptors
    from rdkit.Chem import Descriptors as D

    cite("Wildman1999", "Wildman & Crippen, J. Chem. Inf. Comput. Sci. 39:868 (1999)")
    cite("Ertl2000", "Ertl, Rohde & Selzer, J. Med. Chem. 43:3714 (2000)")
    mol = molecule_from_smiles(smiles)
    return Descriptors(
        smiles=Chem.MolToSmiles(mol),
        molecular_weight=D.MolWt(mol),
        logp=Crippen.MolLogP(mol),
        tpsa=rdMolDescriptors.CalcTPSA(mol),
        hbd=Lipinski.NHOHCount(mol),
        hba=Lipinski.NOCount(mol),
        rotatable_bonds=rdMolDescriptors.CalcNumRotatableBonds(mol),
        heavy_atoms=mol.GetNumHeavyAtoms(),
        formal_charge=Chem.GetFormalCharge(mol),
        molar_volume=le_bas_volume(mol),
    )


def fill_drug(drug: Drug) -> Drug:
    """Return a copy of ``drug`` whose empty fields are filled from its SMILES.

    Fills ``molecular_weight`` and ``logp`` (Wildman–Crippen) when they are ``None``; values given
    by the user are never overwritten. A drug without SMILES is returned unchanged.
    """
    if not drug.smiles:
        return drug.model_copy()
    d = compute_descriptors(drug.smiles)
    update: dict[str, float] = {}
    if drug.molecular_weight is None:
        update["molecular_weight"] = d.molecular_weight
    if drug.logp is None:
        update["logp"] = d.logp
    return drug.model_copy(update=update)
