"""Immune effects on particle disposition: MPS saturation, accelerated blood clearance, opsonisation.

* **MPS saturation**: phagocytic uptake slows as the phagocytes fill up,
  ``K = Kmax · t^n/(K50^n + t^n) · (1 - M_pc / M_cap)`` with ``M_cap`` = capacity per organ mass ×
  organ mass (capacity form of Chou W.-C. et al., Nano-iPBPK rat model, 2021; Hill time course of
  Chou 2023). :func:`saturation` is the factor; the nano-PBPK applies it.
* **Accelerated blood clearance (ABC)**: a PEGylated dose given days to weeks after a first one is
  cleared much faster by the liver MPS, through anti-PEG IgM made after the first dose (Dams E.T.
  et al., J Pharmacol Exp Ther 292:1071, 2000; Ishida T. et al., J Control Release 112:15, 2006).
  :func:`abc_active` says for which doses it applies; the systemic rate is a parameter.
* **Opsonisation** by the protein corona: more opsonins (complement, IgG, fibrinogen) in the
  corona, faster MPS recognition (Owens D.E. & Peppas N.A., Int J Pharm 307:93, 2006).
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np

from nanomed.core.citations import cite
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter

__all__ = ["ABC_PARAMETERS", "abc_active", "opsonisation_factor", "saturation"]

#: ABC parameters: the induction window after a previous dose and the extra clearance rate.
ABC_PARAMETERS = {
    "window_start": Parameter(
        "abc_window_start",
        72.0,
        "h",
        (0, None),
        "Ishida T. et al., J Control Release 112:15 (2006): ABC seen for intervals of days to weeks",
        guess=True,
        description="shortest dose interval inducing ABC",
    ),
    "window_end": Parameter(
        "abc_window_end",
        672.0,
        "h",
        (0, None),
        "Ishida 2006: the effect fades within about 4 weeks",
        guess=True,
        description="longest dose interval inducing ABC",
    ),
    "rate": Parameter(
        "abc_rate",
        0.6,
        "1/h",
        (0, None),
        "Dams E.T. et al., JPET 292:1071 (2000): second dose of PEG-liposomes at 1 week fell from "
        "~60 %ID to ~5 %ID in blood at 4 h, i.e. ln(12)/4 h ≈ 0.6/h extra systemic clearance",
        guess=True,
        description="extra systemic clearance of a dose under ABC, via liver MPS",
    ),
}


def saturation(amount: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Free fraction of phagocytic capacity ``clip(1 - amount/capacity, 0, 1)`` [-]."""
    return np.clip(1.0 - np.asarray(amount) / np.asarray(capacity), 0.0, 1.0)


def abc_active(
    dose_times: Sequence[float],
    pegylated: bool,
    window: tuple[float, float] | None = None,
) -> list[bool]:
    """For each dose, whether it falls in the ABC window after an earlier dose.

    Parameters
    ----------
    dose_times : sequence of float
        Dose start times [h], sorted.
    pegylated : bool
        ABC concerns PEGylated carriers only.
    window : (float, float), optional
        Induction window after a previous dose [h]; default 72-672 h (3-28 days).

    Examples
    --------
    >>> abc_active([0.0, 168.0], pegylated=True)
    [False, True]
    >>> abc_active([0.0, 12.0], pegylated=True)
    [False, False]
    """
    lo, hi = window or (ABC_PARAMETERS["window_start"].value, ABC_PARAMETERS["window_end"].value)
    lo = ABC_PARAMETERS["window_start"].check(lo)  # finite number >= 0
    hi = ABC_PARAMETERS["window_end"].check(hi)
    if lo > hi:
        raise InputError(f"ABC window: start {lo:g} h is after its end {hi:g} h")
    times = np.asarray(dose_times, dtype=float)
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
        raise InputError("dose_times: must be finite and sorted")
    if not pegylated:
        return [False] * len(dose_times)
    cite(
        "Ishida2006",
        "Ishida T. et al., Accelerated blood clearance of PEGylated liposomes, J Control Release 112:15 (2006)",
    )
    out = []
    for i, t in enumerate(dose_times):
        out.append(any(lo <= t - s <= hi for s in dose_times[:i]))
    return out


def opsonisation_factor(opsonin_fraction: float | None = None, reference: float = 0.1) -> float:
    """Multiplier on MPS uptake from the opsonin share of the protein corona [-].

    ``max(0.25, 1 + 5 (f - f_ref))`` with ``f`` the mass fraction of opsonins (complement, IgG,
    fibrinogen) in the corona and ``f_ref = 0.1`` for the reference particle; the direction follows
    Owens & Peppas 2006, the slope and reference are guesses. None (no corona data) gives 1.
    """
    if opsonin_fraction is None:
        return 1.0
    if not isinstance(opsonin_fraction, Real) or not 0 <= opsonin_fraction <= 1:
        raise InputError(f"opsonin_fraction must be in [0, 1], got {opsonin_fraction}")
    cite(
        "Owens2006",
        "Owens D.E., Peppas N.A., Opsonization, biodistribution and pharmacokinetics of polymeric nanoparticles, Int J Pharm 307:93 (2006)",
    )
    return max(0.25, 1.0 + 5.0 * (opsonin_fraction - reference))
