"""Drug–carrier compatibility: solubility parameters, Flory–Huggins χ, miscibility, loading, partition.

Equations and sources
---------------------
- Hansen parameters by group contribution (Hoftyzer–Van Krevelen), Van Krevelen & te Nijenhuis,
  *Properties of Polymers*, 4th ed. (2009), §7.4:
  δd = ΣFd / V,  δp = √(ΣFp²) / V,  δh = √(ΣEh / V), with V the Fedors molar volume
  (Fedors, Polym. Eng. Sci. 14:147, 1974). Hildebrand δ = √(δd² + δp² + δh²).
- Flory–Huggins χ from Hansen parameters (Lindvig, Michelsen & Kontogeorgis, Fluid Phase Equilib.
  203:247, 2002): χ = α V₁/(RT) [(δd1−δd2)² + ¼(δp1−δp2)² + ¼(δh1−δh2)²], α = 0.6;
  or from Hildebrand parameters (Blanks & Prausnitz, Ind. Eng. Chem. Fundam. 3:1, 1964):
  χ = 0.34 + V₁(δ₁−δ₂)²/(RT).
- Miscibility: χ below the critical χc = ½(1 + 1/√N)² of a Flory–Huggins blend (Flory, *Principles of
  Polymer Chemistry*, 1953), and Greenhalgh's rule Δδ < 7 MPa^½ miscible, > 10 immiscible
  (Greenhalgh et al., J. Pharm. Sci. 88:1182, 1999).
- Loading capacity: the drug volume fraction φ in the polymer in equilibrium with pure amorphous drug,
  ln φ + (1 − 1/N)(1 − φ) + χ(1 − φ)² = 0 (Marsac, Shamblin & Taylor, Pharm. Res. 23:2417, 2006,
  without the crystal melting term: an upper bound for amorphous drug).
- Aqueous solubility of a drug by the General Solubility Equation (Jain & Yalkowsky, J. Pharm. Sci.
  90:234, 2001): log₁₀ S [mol/L] = 0.5 − 0.01 (T_m − 25) − log P, T_m the melting point in °C (the
  melting term is 0 for liquids, T_m < 25 °C); non-electrolytes, mean absolute error 0.42 log
  units over the 580 compounds of that paper.
- Carrier/water partition: log P(octanol/water) transferred from octanol to the carrier phase with the
  Flory–Huggins activity coefficients at infinite dilution, ln γ∞ = (1 − V₁/V₂) + χ:
  ln K(carrier/water) = ln 10 · log P + χ(octanol) − χ(carrier) − V₁/V(octanol).
  For lipid carriers (no library Hansen values) log K = log P, Collander's relation with slope 1, a
  guess.

The group table lives in ``data/molecular/hvk_groups.csv`` with its sources.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from numbers import Real
from typing import Any

import numpy as np
import yaml
from numpy.typing import ArrayLike

from nanomed.core.checks import as_numbers
from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ModelError
from nanomed.data import data_path
from nanomed.molecular.descriptors import molecule_from_smiles

__all__ = [
    "GAS_CONSTANT",
    "Compatibility",
    "HansenParameters",
    "aqueous_solubility_gse",
    "carrier_hansen",
    "chi_hansen",
    "chi_hildebrand",
    "compatibility",
    "critical_chi",
    "group_contribution_hansen",
    "loading_capacity",
    "partition_coefficient",
    "reference_solvents",
]

#: molar gas constant [J/(mol K)]: R = N_A k (exact, SI 2019), here rounded to 10 digits
GAS_CONSTANT = 8.314462618
#: Lindvig et al. (2002) correction factor of the Hansen-based χ [-]
LINDVIG_ALPHA = 0.6
#: default weight-average molar mass of a polymer carrier when the formulation gives none [g/mol]:
#: a nanomed default choice within the range of a common PLGA grade (RESOMER RG 503H, 24-38 kDa,
#: Evonik data sheet), as PLGAErosion's mw_initial; not a measured value for any given carrier
DEFAULT_POLYMER_MW = 30000.0


@dataclass(frozen=True)
class HansenParameters:
    """Hansen solubility parameters and molar volume.

    Attributes
    ----------
    dispersion, polar, hydrogen : float
        δd, δp, δh [MPa^½].
    molar_volume : float
        Molar volume [cm³/mol].
    source : str
        Where the values come from.
    """

    dispersion: float
    polar: float
    hydrogen: float
    molar_volume: float
    source: str = ""

    @property
    def total(self) -> float:
        """Hildebrand parameter δ = √(δd² + δp² + δh²) [MPa^½]."""
        return math.sqrt(self.dispersion**2 + self.polar**2 + self.hydrogen**2)

    def distance(self, other: HansenParameters) -> float:
        """Hansen distance Ra = √(4Δδd² + Δδp² + Δδh²) [MPa^½]."""
        return math.sqrt(
            4 * (self.dispersion - other.dispersion) ** 2
            + (self.polar - other.polar) ** 2
            + (self.hydrogen - other.hydrogen) ** 2
        )


@cache
def _groups() -> list[dict[str, Any]]:
    from rdkit import Chem

    rows = []
    with open(data_path("molecular", "hvk_groups.csv"), encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    for r in csv.DictReader(lines):
        rows.append(
            {
                "group": r["group"],
                "pattern": Chem.MolFromSmarts(r["smarts"]) if r["smarts"] else None,
                "Fd": float(r["Fd"]),
                "Fp": float(r["Fp"]),
                "Eh": float(r["Eh"]),
                "V": float(r["V"]),
            }
        )
    return rows


def _benzene_units(mol: Any) -> list[tuple[tuple[int, ...], int]]:
    """Isolated all-carbon aromatic six-rings and their number of substituents."""
    rings = mol.GetRingInfo().AtomRings()
    counts: dict[int, int] = {}
    for ring in rings:
        for i in ring:
            counts[i] = counts.get(i, 0) + 1
    out = []
    for ring in rings:
        atoms = [mol.GetAtomWithIdx(i) for i in ring]
        if len(ring) != 6 or any(a.GetSymbol() != "C" or not a.GetIsAromatic() for a in atoms):
            continue
        if any(counts[i] > 1 for i in ring):  # fused: counted atom by atom instead
            continue
        subst = sum(
            any(n.GetIdx() not in ring and n.GetAtomicNum() > 1 for n in a.GetNeighbors())
            for a in atoms
        )
        out.append((tuple(ring), subst))
    return out


def group_contribution_hansen(smiles: str) -> HansenParameters:
    """Hansen parameters of a molecule by the Hoftyzer–Van Krevelen method.

    Parameters
    ----------
    smiles : str
        The structure (charged groups are neutralised first).

    Raises
    ------
    InputError
        For an invalid SMILES or unsupported elements.
    ModelError
        When an atom matches no group of the table.

    Examples
    --------
    >>> h = group_contribution_hansen("CCO")  # ethanol; measured (15.8, 8.8, 19.4)
    >>> round(h.dispersion, 1), round(h.polar, 1), round(h.hydrogen, 1)
    (15.1, 8.4, 18.3)
    """
    from rdkit import rdBase
    from rdkit.Chem.MolStandardize import rdMolStandardize

    cite(
        "VanKrevelen2009",
        "Van Krevelen & te Nijenhuis, Properties of Polymers, 4th ed., Elsevier (2009)",
    )
    cite("Fedors1974", "Fedors, Polym. Eng. Sci. 14:147 (1974)")
    with rdBase.BlockLogs():  # the uncharger logs every call
        mol = rdMolStandardize.Uncharger().uncharge(molecule_from_smiles(smiles))
    groups = {g["group"]: g for g in _groups()}
    used: set[int] = set()
    fd = fp2 = eh = v = 0.0

    def add(g: dict[str, Any], n: int = 1) -> None:
        nonlocal fd, fp2, eh, v
        fd += n * g["Fd"]
        fp2 += n * g["Fp"] ** 2
        eh += n * g["Eh"]
        v += n * g["V"]

    benzene = _benzene_units(mol)
    for ring, subst in benzene:
        name = {0: "phenyl", 1: "phenyl", 2: "phenylene"}.get(subst, f"benzene-{subst}")
        add(groups[name])
        used.update(ring)
    for g in _groups():
        if g["pattern"] is None:
            continue
        # RDKit stops at 1000 matches by default, which left atoms of long chains (PEG) unassigned
        for match in mol.GetSubstructMatches(g["pattern"], maxMatches=4 * mol.GetNumAtoms() + 1000):
            if used.isdisjoint(match):
                add(g)
                used.update(match)
    n_other_rings = mol.GetRingInfo().NumRings() - len(benzene)
    add(groups["ring"], n_other_rings)
    missing = [a.GetSymbol() + str(a.GetIdx()) for a in mol.GetAtoms() if a.GetIdx() not in used]
    if missing:
        more = (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )  # keep it one short line
        raise ModelError(
            f"group contribution: no Hoftyzer-Van Krevelen group for atom(s) "
            f"{', '.join(missing[:10])}{more} of {smiles!r}"
        )
    if v <= 0:
        raise ModelError(f"group contribution: non-positive molar volume for {smiles!r}")
    return HansenParameters(
        dispersion=fd / v,
        polar=math.sqrt(fp2) / v,
        hydrogen=math.sqrt(eh / v),
        molar_volume=v,
        source="Hoftyzer-Van Krevelen group contribution, Fedors volume",
    )


@cache
def reference_solvents() -> dict[str, HansenParameters]:
    """Measured Hansen parameters of reference liquids (Hansen 2007), by name."""
    with open(data_path("molecular", "reference_solvents.yaml"), encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {
        name: HansenParameters(*e["hansen"], e["molar_volume"], "Hansen, HSP handbook (2007)")
        for name, e in raw.items()
    }


def carrier_hansen(material: str) -> HansenParameters | None:
    """Hansen parameters of a carrier material from the materials library, or None if it has none.

    The molar volume returned is that of one repeat unit-sized lattice site and is not used; χ is
    always referred to the drug's molar volume.
    """
    from nanomed.materials import get_material

    m = get_material(material)
    prop = m.properties.get("hansen_MPa05")
    if prop is None:
        return None
    d, p, h = (float(x) for x in prop.value)
    src = prop.source + (" (guess)" if prop.guess else "")
    return HansenParameters(d, p, h, math.nan, src)


def chi_hansen(
    drug: HansenParameters, other: HansenParameters, temperature: float = 310.15
) -> float:
    """Flory–Huggins χ from Hansen parameters (Lindvig et al. 2002), per drug-sized lattice site [-].

    Parameters
    ----------
    drug, other : HansenParameters
        Solute (sets the lattice site volume) and the other phase.
    temperature : float
        Temperature [K].
    """
    cite(
        "Lindvig2002",
        "Lindvig, Michelsen & Kontogeorgis, Fluid Phase Equilib. 203:247 (2002)",
    )
    d2 = (
        (drug.dispersion - other.dispersion) ** 2
        + 0.25 * (drug.polar - other.polar) ** 2
        + 0.25 * (drug.hydrogen - other.hydrogen) ** 2
    )
    # MPa * cm³/mol = J/mol
    return LINDVIG_ALPHA * drug.molar_volume * d2 / (GAS_CONSTANT * temperature)


def chi_hildebrand(
    drug: HansenParameters, other: HansenParameters, temperature: float = 310.15
) -> float:
    """Flory–Huggins χ from Hildebrand parameters with the 0.34 entropic term [-].

    Source: Blanks & Prausnitz, Ind. Eng. Chem. Fundam. 3:1 (1964).
    """
    cite("Blanks1964", "Blanks & Prausnitz, Ind. Eng. Chem. Fundam. 3:1 (1964)")
    return 0.34 + drug.molar_volume * (drug.total - other.total) ** 2 / (GAS_CONSTANT * temperature)


def critical_chi(n_segments: float) -> float:
    """Critical χ of a Flory–Huggins blend of a solute (1 site) and a chain of ``n_segments`` sites."""
    _check_n_segments(n_segments)
    return 0.5 * (1.0 + 1.0 / math.sqrt(n_segments)) ** 2


def _check_n_segments(n_segments: float) -> None:
    # NaN passed the old ``<= 0`` test and gave NaN; inf (an endless chain) is legitimate
    if not (isinstance(n_segments, Real) and n_segments > 0):
        raise InputError(f"n_segments: must be > 0, got {n_segments!r}")


def loading_capacity(chi: float, n_segments: float) -> float:
    """Equilibrium volume fraction of amorphous drug in the polymer phase [-] (1 when miscible).

    Solves ln φ + (1 − 1/N)(1 − φ) + χ(1 − φ)² = 0 for its smallest root (Marsac et al. 2006
    without the melting term).

    Parameters
    ----------
    chi : float
        Flory–Huggins χ per drug-sized site [-].
    n_segments : float
        Polymer chain length in drug-sized sites, N = V(polymer)/V(drug) [-].

    Examples
    --------
    >>> round(loading_capacity(0.3, 1e6), 3)  # below the critical chi: miscible
    1.0
    >>> 0 < loading_capacity(2.0, 1e6) < 0.2
    True
    """
    from scipy.optimize import brentq, minimize_scalar

    _check_n_segments(n_segments)
    if not (isinstance(chi, Real) and math.isfinite(chi)):
        raise InputError(f"chi: must be a finite number, got {chi!r}")

    def g(phi: float) -> float:
        return math.log(phi) + (1 - 1 / n_segments) * (1 - phi) + chi * (1 - phi) ** 2

    top = minimize_scalar(lambda p: -g(p), bounds=(1e-12, 1 - 1e-12), method="bounded")
    if -top.fun <= 0:
        return 1.0  # g < 0 on (0, 1): no coexistence with pure drug
    if g(1e-300) >= 0:
        return 0.0  # chi above ~690: the root lies below 1e-300, zero in floating point
    return float(brentq(g, 1e-300, top.x, xtol=1e-14))


def partition_coefficient(
    drug: HansenParameters, carrier: HansenParameters, logp: float, temperature: float = 310.15
) -> float:
    """log10 of the carrier/water partition coefficient (concentration ratio) [-].

    Transfers the octanol/water log P to the carrier phase with Flory–Huggins activity coefficients
    at infinite dilution (see the module docstring).
    """
    octanol = reference_solvents()["octanol"]
    ln_k = (
        math.log(10) * logp
        + chi_hansen(drug, octanol, temperature)
        - chi_hansen(drug, carrier, temperature)
        - drug.molar_volume / octanol.molar_volume
    )
    return ln_k / math.log(10)


@dataclass(frozen=True)
class Compatibility:
    """Drug–carrier compatibility estimates.

    Attributes
    ----------
    drug, carrier : HansenParameters
        The two sets of parameters (``carrier`` is None for carriers without library values).
    chi : float
        Flory–Huggins χ (Lindvig) [-].
    chi_critical : float
        Critical χ for the drug/polymer chain-length ratio [-].
    delta_hildebrand : float
        |δ(drug) − δ(carrier)| [MPa^½].
    miscible : bool
        χ < χc.
    greenhalgh : str
        "miscible", "borderline" or "immiscible" by Greenhalgh's rule.
    loading_volume_fraction : float
        Equilibrium drug volume fraction in the carrier phase [-].
    loading_mass_fraction : float
        The same as a mass fraction [-].
    log_partition : float
        log10 K(carrier/water) [-].
    """

    drug: HansenParameters
    carrier: HansenParameters | None
    chi: float
    chi_critical: float
    delta_hildebrand: float
    miscible: bool
    greenhalgh: str
    loading_volume_fraction: float
    loading_mass_fraction: float
    log_partition: float


def compatibility(
    smiles: str,
    material: str,
    *,
    logp: float | None = None,
    polymer_mw: float | None = None,
    temperature: float = 310.15,
) -> Compatibility:
    """Compatibility of a drug with a polymer carrier (χ, miscibility, loading, partition).

    Parameters
    ----------
    smiles : str
        The drug.
    material : str
        Carrier material of the materials library with Hansen values (PLGA, PLA, PCL).
    logp : float, optional
        Octanol/water log P [-]; Wildman–Crippen when not given.
    polymer_mw : float, optional
        Polymer molar mass [g/mol]; 30 kg/mol (a guess) when not given.
    temperature : float
        Temperature [K].

    Raises
    ------
    InputError
        Unknown material, or a material without Hansen parameters in the library.
    """
    from nanomed.materials import get_material
    from nanomed.molecular.descriptors import compute_descriptors

    cite("Greenhalgh1999", "Greenhalgh, Williams, Timmins & York, J. Pharm. Sci. 88:1182 (1999)")
    cite("Marsac2006", "Marsac, Shamblin & Taylor, Pharm. Res. 23:2417 (2006)")
    # polymer_mw = 0 silently became the default and NaN failed inside scipy's root finder
    if polymer_mw is not None and not (
        isinstance(polymer_mw, Real) and math.isfinite(polymer_mw) and polymer_mw > 0
    ):
        raise InputError(f"polymer_mw: must be a finite number > 0 g/mol, got {polymer_mw!r}")
    if not (isinstance(temperature, Real) and 0 < temperature <= 1e4):
        raise InputError(f"temperature: must be a number in (0, 10000] K, got {temperature!r}")
    if logp is not None and not (isinstance(logp, Real) and math.isfinite(logp)):
        raise InputError(f"logp: must be a finite number, got {logp!r}")
    carrier = carrier_hansen(material)
    if carrier is None:
        raise InputError(
            f"carrier {material!r}: no Hansen parameters in the materials library "
            "(compatibility by solubility parameters needs a polymer carrier)"
        )
    desc = compute_descriptors(smiles)
    drug = group_contribution_hansen(smiles)
    if logp is None:
        logp = desc.logp
    mw = polymer_mw or DEFAULT_POLYMER_MW
    rho_p = get_material(material).density_g_cm3
    n_seg = (mw / rho_p) / drug.molar_volume
    chi = chi_hansen(drug, carrier, temperature)
    chi_c = critical_chi(n_seg)
    dd = abs(drug.total - carrier.total)
    phi = loading_capacity(chi, n_seg)
    rho_d = desc.molecular_weight / drug.molar_volume
    w = phi * rho_d / (phi * rho_d + (1 - phi) * rho_p)
    return Compatibility(
        drug=drug,
        carrier=carrier,
        chi=chi,
        chi_critical=chi_c,
        delta_hildebrand=dd,
        miscible=chi < chi_c,
        greenhalgh="miscible" if dd < 7 else ("immiscible" if dd > 10 else "borderline"),
        loading_volume_fraction=phi,
        loading_mass_fraction=w,
        log_partition=partition_coefficient(drug, carrier, logp, temperature),
    )


def aqueous_solubility_gse(melting_point_C: ArrayLike, logp: ArrayLike) -> np.ndarray:
    """log₁₀ of the aqueous solubility [mol/L] by the General Solubility Equation.

    log₁₀ S = 0.5 − 0.01 (T_m − 25) − log P (Jain & Yalkowsky, J. Pharm. Sci. 90:234, 2001), with
    the melting term 0 below 25 °C (a liquid solute). For non-electrolytes, and for ionisable drugs
    the solubility of the neutral form (intrinsic solubility); mean absolute error 0.42 log units.

    Parameters
    ----------
    melting_point_C : array_like
        Melting point T_m [°C], finite (bounds -273.15 to 1000).
    logp : array_like
        Octanol/water log P [-], finite (bounds -10 to 15, as :class:`~nanomed.schema.Drug`).

    Examples
    --------
    >>> round(float(aqueous_solubility_gse(80.2, 3.30)), 3)  # naphthalene; measured -3.62
    -3.352
    """
    tm = as_numbers(melting_point_C, "melting_point_C")
    lp = as_numbers(logp, "logp")
    for name, v, lo, hi in (("melting_point_C", tm, -273.15, 1000.0), ("logp", lp, -10.0, 15.0)):
        bad = ~(np.isfinite(v) & (v >= lo) & (v <= hi))
        if bad.any():
            raise InputError(
                f"{name} must be finite and in [{lo:g}, {hi:g}], got {v[bad].flat[0]:g}"
            )
    return 0.5 - 0.01 * (np.maximum(tm, 25.0) - 25.0) - lp
