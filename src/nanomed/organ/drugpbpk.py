"""Free (released or unencapsulated) drug: a perfusion-limited small-molecule PBPK.

Standard whole-body PBPK (e.g. Jones H. & Rowland-Yeo K., CPT Pharmacometrics Syst Pharmacol
2:e63, 2013). Each organ is one well-stirred compartment in equilibrium with its venous blood::

    dA_o/dt = Q_o C_art + Σ_portal Q_p C_out,p - Q_out,o C_out,o     C_out,o = B:P · A_o / (Kp_o V_o)

with ``Kp_o`` the tissue:plasma partition (given in ``Drug.tissue_partition``, or from
:mod:`nanomed.organ.partition` — Rodgers–Rowland / Poulin–Theil — when that module is present)
and ``B:P`` the blood:plasma ratio. Hepatic and renal clearance (``Drug.clearance_hepatic``,
``clearance_renal``, blood clearances per kg) act on the organ's outflow concentration through the
well-stirred intrinsic clearance ``CLint = Q CL / (Q - CL)`` (Pang K.S. & Rowland M.,
J Pharmacokinet Biopharm 5:625, 1977), which gives back ``CL`` at steady state.
Central blood pools and the lung are as in :mod:`nanomed.organ.nanopbpk`.
"""

from __future__ import annotations

import math
from numbers import Real

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.organ.fluxes import FluxTable
from nanomed.organ.nanopbpk import ARTERIAL_FRACTION
from nanomed.organ.physiology import Physiology
from nanomed.schema import Drug

__all__ = ["DrugPBPK", "resolve_partition"]


def resolve_partition(
    drug: Drug, physiology: Physiology, method: str = "rodgers_rowland"
) -> tuple[dict[str, float], list[str]]:
    """Tissue:plasma Kp for every organ, and the organs whose Kp was assumed.

    Order of precedence: ``drug.tissue_partition`` (organ names must be known; a ``rest`` entry
    fills organs not listed), then :func:`nanomed.organ.partition.tissue_partition` when that module
    exists and the drug has logP and fu (tumour and rest of body take muscle's Kp, assumed), then
    Kp = 1 (assumed). Assumed organs are reported in the result's metadata.
    """
    given = dict(drug.tissue_partition or {})
    for organ, kp in given.items():
        if organ not in physiology.organs:
            raise InputError(
                f"drug {drug.name!r}: tissue_partition names unknown organ {organ!r} "
                f"(known: {', '.join(physiology.organs)})"
            )
        if not (isinstance(kp, Real) and math.isfinite(kp) and kp > 0):
            raise InputError(
                f"drug {drug.name!r}: tissue_partition[{organ!r}] must be finite and > 0, got {kp!r}"
            )
    predicted: dict[str, float] = {}
    if not given and drug.logp is not None and drug.fraction_unbound is not None:
        try:
            from nanomed.organ.partition import tissue_partition
        except ImportError:
            tissue_partition = None
        if tissue_partition is not None:
            predicted = dict(tissue_partition(drug, physiology.species, method))
    kp: dict[str, float] = {}
    assumed: list[str] = []
    for organ in physiology.organs:
        if organ in given:
            kp[organ] = float(given[organ])
        elif organ in predicted:
            kp[organ] = float(predicted[organ])
        elif "rest" in given:
            kp[organ] = float(given["rest"])
            assumed.append(organ)
        elif organ in ("tumour", "rest") and "muscle" in predicted:
            kp[organ] = float(predicted["muscle"])
            assumed.append(organ)
        else:
            kp[organ] = 1.0
            assumed.append(organ)
    return kp, assumed


class DrugPBPK:
    """Declares the free-drug states and fluxes.

    Equations: perfusion-limited whole-body PBPK (Jones & Rowland-Yeo, CPT Pharmacometrics Syst
    Pharmacol 2:e63, 2013) with well-stirred hepatic/renal clearance (Pang & Rowland,
    J Pharmacokinet Biopharm 5:625, 1977); see the module docstring.

    Parameters
    ----------
    physiology : Physiology
        Volumes and flows.
    drug : Drug
        The drug (Kp, blood:plasma ratio, clearances).
    kp : dict
        Tissue:plasma partition by organ [-] (see :func:`resolve_partition`).
    """

    entity = "free_drug"

    def __init__(self, physiology: Physiology, drug: Drug, kp: dict[str, float]) -> None:
        self.phys = physiology
        self.drug = drug
        self.kp = kp
        self.bp = drug.blood_plasma_ratio or 1.0
        bw = physiology.body_weight
        self.cl_hepatic = (drug.clearance_hepatic or 0.0) * bw
        self.cl_renal = (drug.clearance_renal or 0.0) * bw
        for organ, flow, cl, what in (
            ("liver", physiology.outflow("liver"), self.cl_hepatic, "clearance_hepatic"),
            ("kidney", physiology.outflow("kidney"), self.cl_renal, "clearance_renal"),
        ):
            if cl >= flow:
                raise InputError(
                    f"drug {drug.name!r}: {what} {cl:g} L/h is not below the {organ} blood flow "
                    f"{flow:g} L/h of physiology {physiology.name!r}"
                )

    def state(self, compartment: str) -> str:
        """Full state name of a compartment."""
        return f"{self.entity}:{compartment}"

    def declare(self, tab: FluxTable) -> dict[str, int]:
        """Add the free-drug states and fluxes to ``tab``; return ``{compartment: index}``."""
        cite("Pang1977", "Pang K.S., Rowland M., J Pharmacokinet Biopharm 5:625 (1977)")
        phys = self.phys
        v_art = ARTERIAL_FRACTION * phys.central_blood_volume
        v_ven = phys.central_blood_volume - v_art
        idx = {c: tab.state(self.state(c)) for c in ("arterial", "venous", *phys.organs)}
        idx["metabolised"] = tab.state(self.state("metabolised"))
        idx["urine"] = tab.state(self.state("urine"))
        art, ven = idx["arterial"], idx["venous"]
        for name, org in phys.organs.items():
            a = idx[name]
            # venous outflow concentration C_out = B:P · A / (Kp V), as a rate on A
            k_out = self.bp / (self.kp[name] * org.volume)
            if name == "lung":
                tab.flux(ven, a, phys.cardiac_output / v_ven)
                tab.flux(a, art, phys.cardiac_output * k_out)
                continue
            tab.flux(art, a, org.flow / v_art)
            q_out = phys.outflow(name)
            tab.flux(a, idx[org.drains_to] if org.drains_to else ven, q_out * k_out)
            if name == "liver" and self.cl_hepatic > 0:
                clint = q_out * self.cl_hepatic / (q_out - self.cl_hepatic)
                tab.flux(a, idx["metabolised"], clint * k_out)
            if name == "kidney" and self.cl_renal > 0:
                clint = q_out * self.cl_renal / (q_out - self.cl_renal)
                tab.flux(a, idx["urine"], clint * k_out)
        return idx

    @staticmethod
    def organ_of(particle_compartment: str) -> str:
        """Free-drug compartment receiving drug released in a particle compartment."""
        if particle_compartment in ("arterial", "venous"):
            return particle_compartment
        return particle_compartment.split(".")[0]
