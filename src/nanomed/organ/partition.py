"""Tissue:plasma partition coefficients Kp of small-molecule drugs from tissue composition.

Two published mechanistic methods, both computed from the drug's logP, pKa values and fraction
unbound in plasma and from tables of tissue composition:

``"rodgers_rowland"``
    Rodgers T, Leahy D, Rowland M. J Pharm Sci 94:1259-1276 (2005) for moderate-to-strong bases
    (a basic pKa >= 7), and Rodgers T, Rowland M. J Pharm Sci 95:1238-1257 (2006) for acids,
    neutrals, very weak bases and zwitterions without a strongly basic group. The unbound
    tissue:plasma partition coefficient is

    .. math::

        K_{pu} = f_{EW} + \\frac{X}{Y} f_{IW}
                 + \\frac{P\\,f_{NL} + (0.3P + 0.7)\\,f_{NP}}{Y} + B,
        \\qquad K_p = f_{u,p} K_{pu}

    with X and Y the ionisation factors (1 / fraction un-ionised) in intracellular water
    (pH 7.0) and plasma (pH 7.4), P the octanol:water partition coefficient (the olive oil:water
    coefficient :math:`\\log P_{vo} = 1.115 \\log P - 1.35` in adipose, as both papers do) and
    B the binding term: for bases :math:`B = K_{a,AP} [AP^-]_T (X - 1) / Y`, with the affinity
    for acidic phospholipids :math:`K_{a,AP}` taken from the blood-cell partition
    :math:`K_{pu,BC} = (H - 1 + B{:}P) / (H f_{u,p})`; otherwise
    :math:`B = K_{a,PR} \\cdot [PR]_{T}/[PR]_P` with
    :math:`K_{a,PR} = 1/f_{u,p} - 1 - (P f_{NL,p} + (0.3P + 0.7) f_{NP,p}) / Y` and the
    tissue:plasma ratio of albumin (acids, weak bases, zwitterions) or lipoproteins (neutrals).

``"poulin_theil"``
    Poulin P, Theil F-P. J Pharm Sci 91:129-156 (2002) and 91:1358-1370 (2002):

    .. math::

        K_p = \\frac{P (V_{nl,t} + 0.3 V_{ph,t}) + V_{w,t} + 0.7 V_{ph,t}}
                    {P (V_{nl,p} + 0.3 V_{ph,p}) + V_{w,p} + 0.7 V_{ph,p}}
              \\frac{f_{u,p}}{f_{u,t}},
        \\qquad f_{u,t} = \\frac{1}{1 + 0.5 (1 - f_{u,p}) / f_{u,p}}

    and for adipose the olive oil:water distribution coefficient of the un-ionised plus ionised
    drug at pH 7.4, :math:`D^*_{vo}`, in place of P and :math:`f_{u,t} = 1`.

Organs: ``adipose, bone, brain, gut, heart, kidney, liver, lung, muscle, skin, spleen``
(:data:`ORGANS`). Species: ``rat`` (composition of Rodgers 2005 / Rodgers & Rowland 2006),
``mouse`` (the rat composition, no mouse table being published with these methods) and ``human``
(see :data:`HUMAN_SOURCE`). The composition values were transcribed from the papers by Huisinga
et al., CPT Pharmacometrics Syst Pharmacol 1:e5 (2012) (supplementary code, with residual-blood
corrections noted there) and cross-checked against an independent transcription of Rodgers 2005
Table 1.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Literal

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.schema import Drug

__all__ = [
    "HUMAN_SOURCE",
    "ORGANS",
    "RAT_SOURCE",
    "BloodComposition",
    "TissueComposition",
    "ionisation_factor",
    "partition_coefficients",
    "tissue_composition",
    "tissue_partition",
]

ORGANS: tuple[str, ...] = (
    "adipose",
    "bone",
    "brain",
    "gut",
    "heart",
    "kidney",
    "liver",
    "lung",
    "muscle",
    "skin",
    "spleen",
)
SPECIES = ("rat", "mouse", "human")
METHODS = ("rodgers_rowland", "poulin_theil")

RAT_SOURCE = (
    "Rodgers T, Leahy D, Rowland M. J Pharm Sci 94:1259 (2005), Table 1 (water, neutral lipids, "
    "neutral phospholipids, acidic phospholipids); Rodgers T, Rowland M. J Pharm Sci 95:1238 "
    "(2006), Table 1 (albumin and lipoprotein tissue:plasma ratios)"
)
HUMAN_SOURCE = (
    "Poulin P, Theil F-P. J Pharm Sci 91:129 (2002), Table 1 (total water, neutral lipids, "
    "phospholipids of human tissues and plasma); extracellular/intracellular split of water, "
    "acidic phospholipids and protein ratios taken from rat (assumption of Huisinga et al. 2012); "
    "erythrocyte lipids: Rodgers T, Rowland M. Pharm Res 24:918 (2007), Table VII"
)

_REFS = {
    "rodgers2005": (
        "Rodgers T, Leahy D, Rowland M. Physiologically based pharmacokinetic modeling 1: "
        "predicting the tissue distribution of moderate-to-strong bases. J Pharm Sci 94:1259-1276 "
        "(2005)"
    ),
    "rodgers2006": (
        "Rodgers T, Rowland M. Physiologically based pharmacokinetic modelling 2: predicting the "
        "tissue distribution of acids, very weak bases, neutrals and zwitterions. J Pharm Sci "
        "95:1238-1257 (2006)"
    ),
    "poulin2002": (
        "Poulin P, Theil F-P. Prediction of pharmacokinetics prior to in vivo studies. "
        "1. Mechanism-based prediction of volume of distribution. J Pharm Sci 91:129-156 (2002)"
    ),
}


@dataclass(frozen=True)
class TissueComposition:
    """Composition of one tissue, as fractions of tissue volume (wet weight).

    Parameters
    ----------
    extracellular_water, intracellular_water : float
        Water fractions f_EW, f_IW [-].
    neutral_lipid, neutral_phospholipid : float
        Fractions f_NL, f_NP [-].
    acidic_phospholipid : float
        Acidic phospholipid concentration [AP-]_T [mg/g tissue].
    albumin_ratio, lipoprotein_ratio : float
        Tissue:plasma concentration ratios of albumin and lipoproteins [-].
    """

    extracellular_water: float
    intracellular_water: float
    neutral_lipid: float
    neutral_phospholipid: float
    acidic_phospholipid: float
    albumin_ratio: float
    lipoprotein_ratio: float

    @property
    def water(self) -> float:
        """Total water fraction [-]."""
        return self.extracellular_water + self.intracellular_water


@dataclass(frozen=True)
class BloodComposition:
    """Plasma and erythrocyte composition and pH values used by both methods.

    Parameters
    ----------
    plasma_water, plasma_neutral_lipid, plasma_neutral_phospholipid : float
        Fractions of plasma volume [-].
    rbc_water, rbc_neutral_lipid, rbc_neutral_phospholipid : float
        Fractions of erythrocyte volume (all water is intracellular) [-].
    rbc_acidic_phospholipid : float
        Acidic phospholipids of erythrocytes [mg/g].
    hematocrit : float
        Default hematocrit [-] (override with ``tissue_partition(..., hematocrit=)``).
    ph_plasma, ph_intracellular, ph_rbc : float
        pH of plasma (and interstitial water), of intracellular water and of erythrocytes [-].
    """

    plasma_water: float
    plasma_neutral_lipid: float
    plasma_neutral_phospholipid: float
    rbc_water: float
    rbc_neutral_lipid: float
    rbc_neutral_phospholipid: float
    rbc_acidic_phospholipid: float
    hematocrit: float
    # pH values of Rodgers, Leahy & Rowland, J Pharm Sci 94:1259 (2005): plasma and interstitial
    # water 7.4, intracellular water 7.0, erythrocytes 7.22
    ph_plasma: float = 7.4
    ph_intracellular: float = 7.0
    ph_rbc: float = 7.22


# fmt: off
# Rat. Columns: EW, IW, NL, NP, AP [mg/g] (Rodgers 2005 Table 1, NL/NP as corrected for residual
# blood in Rodgers & Rowland 2006), albumin ratio, lipoprotein ratio (Rodgers & Rowland 2006 Table 1).
_RAT: dict[str, tuple[float, ...]] = {
    "adipose": (0.135, 0.017, 0.8530, 0.0016, 0.40, 0.049, 0.068),
    "bone":    (0.100, 0.346, 0.0174, 0.0016, 0.67, 0.100, 0.050),
    "brain":   (0.162, 0.620, 0.0391, 0.0015, 0.40, 0.048, 0.041),
    "gut":     (0.282, 0.475, 0.0375, 0.0124, 2.41, 0.158, 0.141),
    "heart":   (0.320, 0.456, 0.0135, 0.0106, 2.25, 0.157, 0.160),
    "kidney":  (0.273, 0.483, 0.0121, 0.0240, 5.03, 0.130, 0.137),
    "liver":   (0.161, 0.573, 0.0135, 0.0238, 4.56, 0.086, 0.161),
    "lung":    (0.336, 0.446, 0.0215, 0.0123, 3.91, 0.212, 0.168),
    "muscle":  (0.118, 0.630, 0.0100, 0.0072, 1.53, 0.064, 0.059),
    "skin":    (0.382, 0.291, 0.0603, 0.0044, 1.32, 0.277, 0.096),
    "spleen":  (0.207, 0.579, 0.0071, 0.0107, 3.18, 0.097, 0.207),
}
# Human (Poulin & Theil 2002 Table 1): total water, NL, phospholipids (taken as NP).
_HUMAN_PT: dict[str, tuple[float, float, float]] = {
    "adipose": (0.180, 0.790, 0.0020),
    "bone":    (0.439, 0.074, 0.0011),
    "brain":   (0.770, 0.051, 0.0565),
    "gut":     (0.718, 0.0487, 0.0163),
    "heart":   (0.758, 0.0115, 0.0166),
    "kidney":  (0.783, 0.0207, 0.0162),
    "liver":   (0.751, 0.0348, 0.0252),
    "lung":    (0.811, 0.0030, 0.0090),
    "muscle":  (0.760, 0.0238, 0.0072),
    "skin":    (0.718, 0.0284, 0.0111),
    "spleen":  (0.788, 0.0201, 0.0198),
}
# fmt: on

_RAT_BLOOD = BloodComposition(
    plasma_water=1.0,  # Rodgers et al. take plasma water as 1 in their equations
    plasma_neutral_lipid=0.0023,  # Rodgers & Rowland 2006, p. 1241
    plasma_neutral_phospholipid=0.0013,
    rbc_water=0.603,  # Rodgers 2005 Table 1
    rbc_neutral_lipid=0.0017,
    rbc_neutral_phospholipid=0.0029,
    rbc_acidic_phospholipid=0.5,
    hematocrit=0.45,  # Rodgers 2005 (rat)
)
_HUMAN_BLOOD = BloodComposition(
    plasma_water=0.945,  # Poulin & Theil 2002 Table 1
    plasma_neutral_lipid=0.0035,
    plasma_neutral_phospholipid=0.00225,
    rbc_water=0.63,  # Poulin & Theil, J Pharm Sci 98:4941 (2009)
    rbc_neutral_lipid=0.0033,  # Rodgers & Rowland, Pharm Res 24:918 (2007), Table VII
    rbc_neutral_phospholipid=0.0012,
    rbc_acidic_phospholipid=0.5,  # rat value (assumption, as Huisinga et al. 2012)
    hematocrit=0.45,  # typical adult value (ICRP 89: 0.47 men, 0.42 women)
)


def _human_tissues() -> dict[str, TissueComposition]:
    out = {}
    for organ, (water, nl, np_) in _HUMAN_PT.items():
        rat = _RAT[organ]
        ew_share = rat[0] / (rat[0] + rat[1])  # rat extracellular share of tissue water
        out[organ] = TissueComposition(
            water * ew_share, water * (1.0 - ew_share), nl, np_, rat[4], rat[5], rat[6]
        )
    return out


_TISSUES: dict[str, dict[str, TissueComposition]] = {
    "rat": {k: TissueComposition(*v) for k, v in _RAT.items()},
    "human": _human_tissues(),
}
_TISSUES["mouse"] = _TISSUES["rat"]
_BLOOD = {"rat": _RAT_BLOOD, "mouse": _RAT_BLOOD, "human": _HUMAN_BLOOD}


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    key = str(value).lower()
    if key not in choices:
        raise InputError(f"{what}: unknown {value!r} (choose from {', '.join(choices)})")
    return key


def tissue_composition(
    species: str = "rat",
) -> tuple[dict[str, TissueComposition], BloodComposition]:
    """Return the tissue and blood composition tables used for ``species``.

    Parameters
    ----------
    species : {"rat", "mouse", "human"}
        Mouse uses the rat tables (no mouse tables are published with these methods).

    Returns
    -------
    tissues : dict of str to TissueComposition
        One entry per organ of :data:`ORGANS`.
    blood : BloodComposition
        Plasma and erythrocyte composition.
    """
    sp = _check_choice(species, SPECIES, "species")
    return dict(_TISSUES[sp]), _BLOOD[sp]


def ionisation_factor(ph: float, pka_acid: list[float], pka_base: list[float]) -> float:
    """Return 1 / (fraction un-ionised) at ``ph`` as Rodgers et al. write it.

    Bases are protonated in order of decreasing pKa and acids deprotonated in order of
    increasing pKa (macroscopic constants); neutral and zwitterionic forms both count as
    un-ionised, as in Rodgers & Rowland (2006). A monoprotic base gives ``1 + 10**(pKa - pH)``,
    a monoprotic acid ``1 + 10**(pH - pKa)``.
    """
    total = 1.0
    cum = 0.0
    for k, pka in enumerate(sorted(pka_base, reverse=True), start=1):
        cum += pka
        total += 10.0 ** (cum - k * ph)
    cum = 0.0
    for k, pka in enumerate(sorted(pka_acid), start=1):
        cum += pka
        total += 10.0 ** (k * ph - cum)
    return total


def _cation_factor(ph: float, pka_base: list[float]) -> float:
    """Cationic species relative to the neutral one (``X - 1`` restricted to basic groups)."""
    return ionisation_factor(ph, [], pka_base) - 1.0


def _require(drug: Drug, field: str, why: str) -> float:
    value = getattr(drug, field)
    if value is None:
        raise InputError(f"drug {drug.name!r}: {field} is required for {why}")
    return float(value)


def _olive_oil_p(logp: float) -> float:
    """Olive oil:water partition coefficient from octanol:water (Poulin & Theil 2000 regression)."""
    return 10.0 ** (1.115 * logp - 1.35)


def _rodgers_rowland(
    drug: Drug, tissues: Mapping[str, TissueComposition], blood: BloodComposition, hct: float
) -> dict[str, float]:
    logp = _require(drug, "logp", "Rodgers-Rowland partitioning")
    fup = _require(drug, "fraction_unbound", "Rodgers-Rowland partitioning")
    acids, bases = list(drug.pka_acid), list(drug.pka_base)
    p = 10.0**logp
    x = ionisation_factor(blood.ph_intracellular, acids, bases)
    y = ionisation_factor(blood.ph_plasma, acids, bases)
    strong_base = any(pka >= 7.0 for pka in bases)

    def lipids(pp: float, nl: float, np_: float) -> float:
        return pp * nl + (0.3 * pp + 0.7) * np_

    if strong_base:  # Rodgers et al. 2005: affinity for acidic phospholipids from blood cells
        cite("Rodgers2005", _REFS["rodgers2005"])
        bp = _require(drug, "blood_plasma_ratio", "moderate-to-strong bases (Rodgers 2005)")
        kpu_bc = (hct - 1.0 + bp) / (hct * fup)
        z = ionisation_factor(blood.ph_rbc, acids, bases)
        ka_ap = (
            (
                kpu_bc
                - z / y * blood.rbc_water
                - lipids(p, blood.rbc_neutral_lipid, blood.rbc_neutral_phospholipid) / y
            )
            * y
            / (blood.rbc_acidic_phospholipid * _cation_factor(blood.ph_rbc, bases))
        )
        ka_ap = _non_negative(ka_ap, drug, "affinity for acidic phospholipids")
        cation = _cation_factor(blood.ph_intracellular, bases)
    else:  # Rodgers & Rowland 2006: affinity for plasma proteins from fu
        cite("Rodgers2006", _REFS["rodgers2006"])
        ka_pr = (
            1.0 / fup
            - 1.0
            - lipids(p, blood.plasma_neutral_lipid, blood.plasma_neutral_phospholipid) / y
        )
        ka_pr = _non_negative(ka_pr, drug, "affinity for plasma proteins")
        neutral = not acids and not bases

    kp = {}
    for organ, t in tissues.items():
        pp = _olive_oil_p(logp) if organ == "adipose" else p
        kpu = (
            t.extracellular_water
            + x / y * t.intracellular_water
            + lipids(pp, t.neutral_lipid, t.neutral_phospholipid) / y
        )
        if strong_base:
            kpu += ka_ap * t.acidic_phospholipid * cation / y
        else:
            kpu += ka_pr * (t.lipoprotein_ratio if neutral else t.albumin_ratio)
        kp[organ] = fup * kpu
    return kp


def _non_negative(value: float, drug: Drug, what: str) -> float:
    """Rodgers et al. set a negative fitted affinity to zero; we do too, but say so.

    Round-off below 1e-9 is not worth a warning (e.g. a drug built to have zero affinity).
    """
    if value < -1e-9:
        warnings.warn(
            f"drug {drug.name!r}: {what} came out negative ({value:.3g}) from fu/B:P; "
            "set to 0 as Rodgers et al. do (check fraction_unbound and blood_plasma_ratio)",
            UserWarning,
            stacklevel=3,
        )
    return max(value, 0.0)


def _poulin_theil(
    drug: Drug, tissues: Mapping[str, TissueComposition], blood: BloodComposition
) -> dict[str, float]:
    cite("PoulinTheil2002", _REFS["poulin2002"])
    logp = _require(drug, "logp", "Poulin-Theil partitioning")
    fup = _require(drug, "fraction_unbound", "Poulin-Theil partitioning")
    p = 10.0**logp
    # D*vo: olive oil:water distribution at plasma pH, only the un-ionised form partitions
    d_vo = _olive_oil_p(logp) / ionisation_factor(blood.ph_plasma, drug.pka_acid, drug.pka_base)
    fut = 1.0 / (1.0 + 0.5 * (1.0 - fup) / fup)  # tissue:plasma albumin ratio 0.5 (P&T)

    def ratio(k: float, t: TissueComposition) -> float:
        vph_t = t.neutral_phospholipid + t.acidic_phospholipid / 1000.0  # mg/g -> fraction
        vph_p = blood.plasma_neutral_phospholipid
        num = k * (t.neutral_lipid + 0.3 * vph_t) + t.water + 0.7 * vph_t
        den = k * (blood.plasma_neutral_lipid + 0.3 * vph_p) + blood.plasma_water + 0.7 * vph_p
        return num / den

    return {
        organ: ratio(d_vo, t) * fup if organ == "adipose" else ratio(p, t) * fup / fut
        for organ, t in tissues.items()
    }


def tissue_partition(
    drug: Drug,
    species: Literal["rat", "human", "mouse"] | str = "rat",
    method: Literal["rodgers_rowland", "poulin_theil"] | str = "rodgers_rowland",
    *,
    hematocrit: float | None = None,
) -> dict[str, float]:
    """Predict tissue:plasma partition coefficients Kp (total tissue / total plasma).

    Parameters
    ----------
    drug : nanomed.schema.Drug
        Needs ``logp`` and ``fraction_unbound``; ``pka_acid``/``pka_base`` (empty = neutral);
        ``blood_plasma_ratio`` for moderate-to-strong bases with Rodgers-Rowland.
    species : {"rat", "mouse", "human"}
        Composition tables (mouse uses rat's; see the module docstring for sources).
    method : {"rodgers_rowland", "poulin_theil"}
        Prediction method.
    hematocrit : float, optional
        Hematocrit [-] for the blood-cell affinity of bases (default: the species' value).

    Returns
    -------
    dict of str to float
        Kp [-] for each organ of :data:`ORGANS`.

    Raises
    ------
    InputError
        Unknown species or method, or a drug field the method needs is missing.

    Examples
    --------
    >>> from nanomed.schema import Drug
    >>> kp = tissue_partition(Drug(name="x", logp=1.0, fraction_unbound=0.5), "rat")
    >>> sorted(kp)[:3], round(kp["muscle"], 2)
    (['adipose', 'bone', 'brain'], 0.47)
    """
    sp = _check_choice(species, SPECIES, "species")
    how = _check_choice(method, METHODS, "partition method")
    for field in ("pka_acid", "pka_base"):
        bad = [v for v in getattr(drug, field) if not math.isfinite(v)]
        if bad:
            raise InputError(f"drug {drug.name!r}: {field} values must be finite, got {bad[0]!r}")
    tissues, blood = _TISSUES[sp], _BLOOD[sp]
    if how == "poulin_theil":
        return _poulin_theil(drug, tissues, blood)
    hct = blood.hematocrit if hematocrit is None else hematocrit
    if not isinstance(hct, Real) or not 0.0 < hct < 1.0 or not math.isfinite(hct):
        raise InputError(f"hematocrit: must lie in (0, 1), got {hematocrit!r}")
    return _rodgers_rowland(drug, tissues, blood, hct)


def partition_coefficients(
    drug: Drug,
    species: str = "rat",
    method: str = "rodgers_rowland",
    organs: tuple[str, ...] | None = None,
) -> dict[str, float]:
    """Kp per organ: the drug's own ``tissue_partition`` values where given, predicted elsewhere.

    Prediction is skipped entirely when the drug gives a value for every organ requested, so a
    drug with measured Kp values needs no logP/fu.

    Parameters
    ----------
    drug : nanomed.schema.Drug
        Drug with optional measured ``tissue_partition`` {organ: Kp}.
    species, method : str
        As for :func:`tissue_partition`.
    organs : tuple of str, optional
        Organs wanted (default :data:`ORGANS`).

    Returns
    -------
    dict of str to float
        Kp [-] per requested organ.
    """
    wanted = ORGANS if organs is None else tuple(organs)
    for organ in wanted:
        _check_choice(organ, ORGANS, "organ")
    given = dict(drug.tissue_partition or {})
    for organ, value in given.items():
        _check_choice(organ, ORGANS, f"drug {drug.name!r}: tissue_partition organ")
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"drug {drug.name!r}: tissue_partition[{organ!r}] must be > 0")
    missing = [o for o in wanted if o not in given]
    predicted = tissue_partition(drug, species, method) if missing else {}
    return {o: float(given[o]) if o in given else predicted[o] for o in wanted}
