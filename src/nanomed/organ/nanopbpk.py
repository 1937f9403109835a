"""Particle disposition: the membrane-limited nano-PBPK with phagocytic cells (MPS) per organ.

Structure after Lin Z. et al., Nanotoxicology 10:162 (2016), Li M. et al., AAPS J 19:1450 (2017),
Cheng Y.-H. et al., ACS Nano 14:3075 (2020) and Chou W.-C. et al., J Control Release 361:53 (2023).
Amounts ``A`` [mg], volumes ``V`` [L], flows ``Q`` [L/h], concentrations ``C = A/V`` [mg/L].

Central blood: arterial (20 %) and venous (80 %) pools of the central volume (Chou 2023). Lung
capillaries sit between them and receive all of the cardiac output ``QC``. For every organ ``o``
(capillary blood ``b``, tissue ``t``, phagocytes ``pc``)::

    dA_b/dt  = Q_o C_art + Σ_portal Q_p C_b,p - Q_out,o C_b - PA_o (C_b - C_t / P_o)
               [- K_pc(t) A_b + k_rel A_pc   (liver: Kupffer cells take from blood)]
               [- (K_urine + θ(d) GFR) C_b    (kidney)]
    dA_t/dt  = PA_o (C_b - C_t / P_o) - K_pc(t) A_t + k_rel A_pc  [- K_bile C_t  (liver)]
    dA_pc/dt = K_pc(t) A_site - k_rel A_pc
    K_pc(t)  = Kmax t^n / (K50^n + t^n) · (1 - A_pc / (cap · V_o))       (saturation optional)

with ``PA_o`` a fraction of the organ flow (of ``QC`` for the lung), ``P_o`` the tissue:blood
partition, ``Q_out,o`` the organ flow plus the portal flows draining into it (spleen, gut → liver).
The tumour is an organ with its own flow, vascular fraction, ``PA`` (EPR) and phagocytes (the
KTRES* parameters). Design parameters enter through :mod:`nanomed.organ.design` multipliers;
accelerated blood clearance adds a liver-blood → Kupffer-cell flux after the doses it concerns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from functools import cache
from numbers import Real

import yaml

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.data import data_path
from nanomed.organ.design import DesignEffects
from nanomed.organ.fluxes import FluxTable
from nanomed.organ.physiology import Physiology

__all__ = ["NanoOrganParameters", "NanoPBPK", "NanoParameters", "get_nano_parameters"]

#: fraction of the central blood pool that is arterial (Chou 2023: CA = AA / (0.2 VPlasma))
ARTERIAL_FRACTION = 0.2


@dataclass(frozen=True)
class NanoOrganParameters:
    """Particle parameters of one organ.

    Parameters
    ----------
    partition : float
        Tissue:blood partition coefficient P [-].
    pa : float
        Permeability-area product as a fraction of the organ blood flow [-].
    pc_site : {"tissue", "blood", None}
        Where phagocytes take particles from; None: no phagocytic compartment.
    kmax : float
        Maximum uptake rate [1/h].
    k50 : float
        Time to half-maximal uptake rate [h].
    hill : float
        Hill coefficient [-].
    krelease : float
        Release rate from phagocytes [1/h].
    capacity : float or None
        Uptake capacity per organ mass [µg/g]; None: no saturation.
    """

    partition: float
    pa: float
    pc_site: str | None = None
    kmax: float = 0.0
    k50: float = 1.0
    hill: float = 1.0
    krelease: float = 0.0
    capacity: float | None = None

    def __post_init__(self) -> None:
        for name in ("partition", "pa", "kmax", "k50", "hill", "krelease", "capacity"):
            value = getattr(self, name)
            if not (isinstance(value, Real) or (name == "capacity" and value is None)):
                raise InputError(f"nano-PBPK parameter {name}: expected a number, got {value!r}")
        checks = {
            "partition": self.partition > 0,
            "pa": self.pa >= 0,
            "kmax": self.kmax >= 0,
            "k50": self.k50 > 0,
            "hill": self.hill > 0,
            "krelease": self.krelease >= 0,
            "capacity": self.capacity is None or self.capacity > 0,
            "pc_site": self.pc_site in (None, "tissue", "blood"),
        }
        for name, ok in checks.items():
            value = getattr(self, name)
            if not ok or (isinstance(value, Real) and not math.isfinite(value)):
                raise InputError(f"nano-PBPK parameter {name}={value!r} is not valid")


@dataclass(frozen=True)
class NanoParameters:
    """Particle parameters of every organ plus excretion.

    Parameters
    ----------
    organs : dict
        Organ name -> :class:`NanoOrganParameters`.
    bile : float
        Biliary clearance coefficient [L/h/kg^0.75] (on the liver tissue concentration).
    urine : float
        Baseline urinary clearance coefficient [L/h/kg^0.75] (on kidney capillary blood).
    reference : str
        Source of the values.
    assumed : tuple of str
        Organs whose values are assumed equal to the rest of the body (flagged guess).
    organ_references : dict
        Organ name -> source of that organ's values, where it differs from ``reference``.
    """

    organs: dict[str, NanoOrganParameters]
    bile: float
    urine: float
    reference: str = ""
    assumed: tuple[str, ...] = field(default_factory=tuple)
    organ_references: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("bile", "urine"):
            value = getattr(self, name)
            if not (isinstance(value, Real) and math.isfinite(value) and value >= 0):
                raise InputError(
                    f"nano-PBPK parameter {name}: must be finite and >= 0, got {value!r}"
                )

    def organ(self, name: str) -> NanoOrganParameters:
        """Parameters of an organ (unknown names raise :class:`InputError`)."""
        try:
            return self.organs[name]
        except KeyError:
            raise InputError(
                f"nano-PBPK parameters: no values for organ {name!r} "
                f"(known: {', '.join(self.organs)})"
            ) from None

    def with_organ(self, name: str, **values: float | None) -> NanoParameters:
        """Return a copy with some values of one organ replaced (e.g. a fitted tumour)."""
        organs = dict(self.organs)
        known = [f.name for f in fields(NanoOrganParameters)]
        unknown = [k for k in values if k not in known]
        if unknown:
            raise InputError(
                f"nano-PBPK parameters of {name!r}: unknown field(s) {', '.join(unknown)} "
                f"(known: {', '.join(known)})"
            )
        current = self.organ(name)
        try:
            organs[name] = replace(current, **values)
        except InputError as exc:  # say which organ
            raise InputError(f"{exc} (organ {name!r})") from None
        return replace(self, organs=organs)

    def without_capacity(self) -> NanoParameters:
        """Return a copy without MPS saturation (as in Chou 2023's equations)."""
        return replace(self, organs={k: replace(v, capacity=None) for k, v in self.organs.items()})

    def parameters(self) -> ParameterSet:
        """All values as :class:`~nanomed.core.Parameter` objects (for tables and reports)."""
        ps = []
        for o, p in self.organs.items():
            ref = self.organ_references.get(o, self.reference)
            guess = o in self.assumed
            if guess:
                ref = f"rest-of-body values of {ref}; {o} is not in that model: assumed (guess)"
            ps += [
                Parameter(f"P_{o}", p.partition, "dimensionless", (0, None), ref, guess),
                Parameter(f"PA_{o}", p.pa, "dimensionless", (0, None), ref, guess),
            ]
            if p.pc_site:
                ps += [
                    Parameter(f"Kmax_{o}", p.kmax, "1/h", (0, None), ref, guess),
                    Parameter(f"K50_{o}", p.k50, "h", (0, None), ref, guess),
                    Parameter(f"n_{o}", p.hill, "dimensionless", (0, None), ref, guess),
                    Parameter(f"Krelease_{o}", p.krelease, "1/h", (0, None), ref, guess),
                ]
                if p.capacity is not None:
                    ps.append(Parameter(f"cap_{o}", p.capacity, "ug/g", (0, None), ref, guess))
        ps += [
            Parameter("KbileC", self.bile, "L/h/kg**0.75", (0, None), self.reference),
            Parameter("KurineC", self.urine, "L/h/kg**0.75", (0, None), self.reference),
        ]
        return ParameterSet(ps)


@cache
def _load_nano(name: str) -> NanoParameters:
    if name != "chou2023":
        raise InputError(f"unknown nano-PBPK parameter set {name!r} (known: chou2023)")
    table = yaml.safe_load(data_path("physiology", "nano_chou2023.yaml").read_text("utf-8"))
    organs = {}
    assumed = []
    refs = {}
    for o, row in table["organs"].items():
        row = dict(row)
        if row.pop("assumed", False):
            assumed.append(o)
        if "reference" in row:
            refs[o] = row.pop("reference")
        organs[o] = NanoOrganParameters(**row)
    return NanoParameters(
        organs, table["bile"], table["urine"], table["reference"], tuple(assumed), refs
    )


def get_nano_parameters(name: str = "chou2023") -> NanoParameters:
    """The generic mouse nano-PBPK particle parameters (Chou 2023; Lin 2016; Cheng 2020).

    The same rate constants are used for rat and human (an extrapolation: no published generic
    set exists there); physiology scales volumes and flows.
    """
    cite(
        "Chou2023",
        "Chou W.-C. et al., An AI-assisted PBPK model to predict nanoparticle delivery to tumors in mice, J Control Release 361:53 (2023)",
    )
    return _load_nano(name)


class NanoPBPK:
    """Declares the particle states and fluxes for a physiology (see the module docstring).

    Equations: Lin et al., Nanotoxicology 10:162 (2016) and Chou et al., J Control Release 361:53
    (2023) (also Li 2017, Cheng 2020); the design multipliers
    (:mod:`nanomed.organ.design`) are nanomed's.

    Parameters
    ----------
    physiology : Physiology
        Volumes and flows (with a tumour, if any).
    params : NanoParameters
        Particle parameters per organ.
    effects : DesignEffects
        Multipliers from the carrier design.
    abc_steps : list of (float, float)
        Step function ``[(t, on)]`` switching accelerated blood clearance on (1) or off (0).
    abc_rate : float
        Extra systemic clearance under ABC [1/h].
    t_first_dose : float
        Start of the phagocytic Hill time course [h].
    """

    entity = "particles"

    def __init__(
        self,
        physiology: Physiology,
        params: NanoParameters,
        effects: DesignEffects | None = None,
        *,
        abc_steps: list[tuple[float, float]] | None = None,
        abc_rate: float = 0.0,
        t_first_dose: float = 0.0,
    ) -> None:
        self.phys = physiology
        self.params = params
        self.effects = effects or DesignEffects()
        self.abc_steps = abc_steps or []
        self.abc_rate = abc_rate
        self.t0 = t_first_dose
        for o in physiology.organs:
            params.organ(o)  # every organ needs particle parameters

    def state(self, compartment: str) -> str:
        """Full state name of a compartment (``"liver.pc"`` -> ``"particles:liver.pc"``)."""
        return f"{self.entity}:{compartment}"

    def declare(self, tab: FluxTable) -> dict[str, int]:
        """Add the particle states and fluxes to ``tab``; return ``{compartment: index}``."""
        cite("Lin2016", "Lin Z. et al., Nanotoxicology 10:162 (2016)")
        phys, eff = self.phys, self.effects
        bw = phys.body_weight
        v_art = ARTERIAL_FRACTION * phys.central_blood_volume
        v_ven = phys.central_blood_volume - v_art
        idx: dict[str, int] = {}

        def st(comp: str) -> int:
            idx[comp] = tab.state(self.state(comp))
            return idx[comp]

        art, ven = st("arterial"), st("venous")
        organs = list(phys.organs)
        for o in organs:
            st(f"{o}.blood")
            st(f"{o}.tissue")
            if self.params.organ(o).pc_site:
                st(f"{o}.pc")
        urine, faeces = st("urine"), st("faeces")

        for name in organs:
            org = phys.organ(name)
            p = self.params.organ(name)
            b, t = idx[f"{name}.blood"], idx[f"{name}.tissue"]
            vb, vt = org.blood_volume, org.tissue_volume
            if vb <= 0 or vt <= 0:
                raise InputError(f"physiology {phys.name!r}: organ {name!r} needs blood and tissue")
            # blood flow in and out
            if name == "lung":
                tab.flux(ven, b, phys.cardiac_output / v_ven)
                tab.flux(b, art, phys.cardiac_output / vb)
            else:
                tab.flux(art, b, org.flow / v_art)
                out = idx[f"{org.drains_to}.blood"] if org.drains_to else ven
                tab.flux(b, out, phys.outflow(name) / vb)
            # membrane-limited exchange, PA as a fraction of the organ flow
            is_tumour = name == "tumour"
            pa = p.pa * org.flow * (eff.tumour_extravasation if is_tumour else eff.extravasation)
            tab.flux(b, t, pa / vb)
            tab.flux(t, b, pa / (p.partition * vt))
            # phagocytic cells
            if p.pc_site:
                pc = idx[f"{name}.pc"]
                site = b if p.pc_site == "blood" else t
                kmax = p.kmax * (eff.tumour_retention if is_tumour else eff.mps_uptake)
                if name == "spleen":
                    kmax *= eff.splenic_filtration
                hill = tab.add_hill(p.k50, p.hill, self.t0)
                # capacity [µg/g] × organ mass [g] = µg; amounts are mg: cap · V[L]
                cap = p.capacity * org.volume if p.capacity is not None else math.inf
                tab.flux(site, pc, kmax, hill=hill, sat=pc if math.isfinite(cap) else -1, cap=cap)
                tab.flux(pc, site, p.krelease)
            if name == "kidney":
                k_urine = self.params.urine * bw**0.75 + eff.renal_sieving * phys.gfr
                tab.flux(b, urine, k_urine / vb)
            if name == "liver":
                tab.flux(t, faeces, self.params.bile * bw**0.75 / vt)
                if self.abc_rate > 0 and self.abc_steps and "liver.pc" in idx:
                    # IgM-opsonised particles are removed by Kupffer cells as blood crosses the
                    # liver; the systemic rate is referred to the liver capillary volume
                    v_blood = phys.central_blood_volume + sum(
                        o.blood_volume for o in phys.organs.values()
                    )
                    step = tab.add_step(self.abc_steps)
                    tab.flux(b, idx["liver.pc"], self.abc_rate * v_blood / vb, step=step)
        return idx

    @staticmethod
    def environment(compartment: str) -> str | None:
        """Release environment of a particle compartment (None for excreta)."""
        if compartment in ("urine", "faeces"):
            return None
        if compartment in ("arterial", "venous") or compartment.endswith(".blood"):
            return "plasma"
        if compartment.endswith(".pc"):
            return "lysosome"
        return "tumour_interstitium" if compartment.startswith("tumour.") else "tissue"
