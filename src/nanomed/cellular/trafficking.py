"""Intracellular trafficking of internalised carriers and release of their drug in each compartment.

Compartments and first-order transfers (rates per hour; the endolysosomal route of Huotari &
Helenius, EMBO J 30:3481, 2011; escape and recycling as reviewed by Sahay, Alakhova & Kabanov,
J Control Release 145:182, 2010)::

    medium --attach--> bound --wrap--> early endosome (EE) --k_mat--> late endosome (LE) --k_fuse--> lysosome (LY)
    bound --detach--> medium
    EE --k_recycle--> exocytosed        EE, LE --k_escape--> cytosol (CY)
    LY --k_degrade--> degraded          LY --k_exo--> exocytosed

Carriers are counted per cell; every transfer is a first-order flux, so the carrier total is
conserved exactly. Each carrier holds drug; drug moves with its carriers and is released in each
compartment at the hazard rate ``h_c(t) = f'(t)/(1 - f(t))`` of a
:class:`~nanomed.release.base.ReleaseModel` evaluated in that compartment's environment
(``early_endosome``, ``late_endosome``, ``lysosome``, ``cytosol``; ``buffer`` outside the cell),
with ``t`` the time since the start (exact for carriers that entered at once, an approximation
for continuous uptake). Degraded carriers free their remaining drug. Released drug inside the cell
forms the free intracellular pool, which leaves the cell at ``k_efflux``; drug released outside
stays in the medium. Drug is conserved exactly as well.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from nanomed.cellular.uptake import CarrierSurface, UptakeModel, check_per_cell, time_grid
from nanomed.core.errors import SolverError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.core.results import Result
from nanomed.core.units import convert

__all__ = [
    "CARRIER_STATES",
    "TRAFFICKING_PARAMETERS",
    "CellSimulation",
    "simulate_cell",
]

_HH = "Huotari & Helenius, EMBO J 30:3481 (2011)"
TRAFFICKING_PARAMETERS = (
    Parameter(
        "k_mature",
        3.0,
        "1/h",
        (0, 1e3),
        ref=_HH + " (EE->LE conversion in ~10-20 min)",
        description="early to late endosome maturation",
    ),
    Parameter(
        "k_fuse",
        1.5,
        "1/h",
        (0, 1e3),
        ref=_HH + " (LE-lysosome fusion within ~1 h)",
        description="late endosome to lysosome delivery",
    ),
    Parameter(
        "k_escape",
        0.02,
        "1/h",
        (0, 1e3),
        ref="Gilleron et al., Nat Biotechnol 31:638 (2013) (1-2 % escape of LNP siRNA); rate a guess",
        guess=True,
        description="endosomal escape from EE and LE to the cytosol",
    ),
    Parameter(
        "k_recycle_out",
        0.5,
        "1/h",
        (0, 1e3),
        ref="Sahay et al., J Control Release 145:182 (2010) (recycling of cargo); rate a guess",
        guess=True,
        description="return of EE cargo to the cell surface (exocytosis)",
    ),
    Parameter(
        "k_degrade",
        0.05,
        "1/h",
        (0, 1e3),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(lysosomal degradation of a biodegradable carrier)",
        guess=True,
        description="lysosomal degradation of carriers",
    ),
    Parameter(
        "k_lyso_exo",
        0.02,
        "1/h",
        (0, 1e3),
        ref="NP exocytosis reviewed by Sakhtianchi et al., Adv Colloid Interface Sci 201:18 "
        "(2013) (kinetics vary widely with particle and cell); rate a nanomed choice, "
        "no source; fit to data",
        guess=True,
        description="exocytosis of lysosomal carriers",
    ),
    Parameter(
        "k_efflux",
        0.5,
        "1/h",
        (0, 1e3),
        ref="nanomed choice (order of magnitude), no source; fit to data "
        "(passive/P-gp efflux of free drug)",
        guess=True,
        description="loss of free intracellular drug to the medium",
    ),
)

#: carrier states, in the order of the ODE vector
CARRIER_STATES = (
    "medium", "bound", "early_endosome", "late_endosome", "lysosome", "cytosol",
    "exocytosed", "degraded",
)  # fmt: skip
#: environment of the carriers' drug in each carrier state (release scale names)
_ENV = {
    "medium": "buffer",
    "bound": "buffer",
    "early_endosome": "early_endosome",
    "late_endosome": "late_endosome",
    "lysosome": "lysosome",
    "cytosol": "cytosol",
    "exocytosed": "buffer",
}
_INSIDE = ("early_endosome", "late_endosome", "lysosome", "cytosol")


def _transfer_matrix(r: dict[str, float], p: dict[str, float]) -> np.ndarray:
    """Carrier transfer matrix M (dN/dt = M N), columns summing to zero."""
    idx = {s: i for i, s in enumerate(CARRIER_STATES)}
    m = np.zeros((len(CARRIER_STATES),) * 2)

    def flow(src: str, dst: str, k: float) -> None:
        m[idx[dst], idx[src]] += k
        m[idx[src], idx[src]] -= k

    flow("medium", "bound", r["k_attach"])
    flow("bound", "medium", r["k_detach"])
    flow("bound", "early_endosome", r["k_wrap"])
    flow("early_endosome", "late_endosome", p["k_mature"])
    flow("late_endosome", "lysosome", p["k_fuse"])
    flow("early_endosome", "cytosol", p["k_escape"])
    flow("late_endosome", "cytosol", p["k_escape"])
    flow("early_endosome", "exocytosed", p["k_recycle_out"])
    flow("lysosome", "degraded", p["k_degrade"])
    flow("lysosome", "exocytosed", p["k_lyso_exo"])
    return m


class CellSimulation(Result):
    """Carriers and drug per cell over time.

    Columns: ``time_h``, one column per carrier state (carriers per cell), ``drug_<state>``
    (drug still inside carriers in that state), ``drug_free_intracellular``, ``drug_released_outside``
    and ``drug_effluxed`` (amounts in the unit of ``drug_per_carrier``), and
    ``auc_free_intracellular`` (its running integral [drug unit x h]).
    """

    x_column = "time_h"

    def intracellular_auc(self) -> float:
        """Area under the free intracellular drug curve [drug unit x h], integrated by the solver
        (the trapezoid rule over the output times for a result saved before that column)."""
        df = self.data
        if "auc_free_intracellular" in df:
            return float(df["auc_free_intracellular"].iloc[-1])
        return float(np.trapezoid(df["drug_free_intracellular"], df["time_h"]))


def simulate_cell(
    surface: CarrierSurface,
    times_h: Any,
    *,
    release_model: Any = None,
    particles_per_cell: float = 1e4,
    drug_per_carrier: float = 1.0,
    uptake: UptakeModel | None = None,
    **rates: float,
) -> CellSimulation:
    """Uptake, trafficking and intracellular release for one carrier type and one cell.

    Parameters
    ----------
    surface : CarrierSurface
        The carrier (size, charge, PEG, ligands, shape).
    times_h : array_like
        Output times [h], increasing from 0.
    release_model : ReleaseModel, optional
        Anything with ``release_rate(t, environment)`` [1/h]; None means no release (drug stays
        in the carriers).
    particles_per_cell : float
        Carriers available per cell at t = 0 [-]. The default 1e4 is illustrative (a nanomed
        choice, no source); set it from the dose and the cell number of the experiment.
    drug_per_carrier : float
        Drug load of one carrier (any amount unit, e.g. molecules or amol).
    uptake : UptakeModel, optional
        The uptake model (default parameters if None).
    **rates : float
        Overrides of :data:`TRAFFICKING_PARAMETERS` [1/h].

    Returns
    -------
    CellSimulation
    """
    t = time_grid(times_h)
    particles_per_cell = check_per_cell("particles_per_cell", particles_per_cell, allow_zero=True)
    drug_per_carrier = check_per_cell("drug_per_carrier", drug_per_carrier, allow_zero=True)
    uptake = uptake or UptakeModel()
    p = ParameterSet(TRAFFICKING_PARAMETERS).update(**rates).values()
    r = uptake.rates(surface)
    mat = _transfer_matrix(r, p)
    nc = len(CARRIER_STATES)
    loaded = [s for s in CARRIER_STATES if s != "degraded"]
    li = [CARRIER_STATES.index(s) for s in loaded]
    inside = np.array([s in _INSIDE for s in loaded])
    i_deg = CARRIER_STATES.index("degraded")
    # drug in carriers moves with the carriers: same transfer matrix restricted to loaded states;
    # the flux into "degraded" frees the drug into the intracellular pool
    dmat = mat[np.ix_(li, li)]
    deg_rate = mat[i_deg, CARRIER_STATES.index("lysosome")]
    ly_pos = loaded.index("lysosome")

    # the release model's clock may run in another unit (days for slow carriers): convert
    per_h = 1.0
    if release_model is not None:
        per_h = convert(1.0, "h", getattr(release_model, "time_unit", "h"))

    def hazard(time: float) -> np.ndarray:
        if release_model is None:
            return np.zeros(len(loaded))
        tm = time * per_h
        return per_h * np.array(
            [float(np.asarray(release_model.release_rate(tm, _ENV[s]))) for s in loaded]
        )

    def rhs(time: float, y: np.ndarray) -> np.ndarray:
        carriers, drug = y[:nc], y[nc : nc + len(loaded)]
        h = hazard(time)
        released = h * drug
        d_drug = dmat @ drug - released
        freed_by_degradation = deg_rate * drug[ly_pos]
        free = y[-4]
        d_free = released[inside].sum() + freed_by_degradation - p["k_efflux"] * free
        d_out = released[~inside].sum()
        # the exposure ∫ free dt as a state: the solver integrates it to its own tolerance,
        # where a trapezoid over the output times misses a peak between them
        return np.concatenate([mat @ carriers, d_drug, [d_free, d_out, p["k_efflux"] * free, free]])

    y0 = np.zeros(nc + len(loaded) + 4)
    y0[0] = particles_per_cell
    y0[nc] = particles_per_cell * drug_per_carrier
    sol = solve_ivp(rhs, (0.0, t[-1]), y0, method="LSODA", t_eval=t, rtol=1e-8, atol=1e-10)
    if not sol.success:
        raise SolverError(f"cell trafficking solve failed: {sol.message}")
    cols = (
        list(CARRIER_STATES)
        + [f"drug_{s}" for s in loaded]
        + ["drug_free_intracellular", "drug_released_outside", "drug_effluxed"]
        + ["auc_free_intracellular"]
    )
    df = pd.DataFrame(sol.y.T, columns=cols)
    df.insert(0, "time_h", t)
    meta = {
        "model": "uptake + endolysosomal trafficking + compartment release",
        "uptake_rates_per_h": r,
        "trafficking_rates_per_h": p,
        "release_model": getattr(release_model, "name", None) if release_model else None,
        "references": [_HH, uptake.reference],
    }
    return CellSimulation(df, meta)
