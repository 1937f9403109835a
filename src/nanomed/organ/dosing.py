"""Dose events from a scenario: what enters the venous blood, when, and as what.

``Dosing.dose`` is the drug dose per administration [mg/kg] (the particle mass for empty
carriers). For a drug-loaded carrier a dose ``D = dose · BW`` [mg] splits into encapsulated drug
``D · EE``, unencapsulated (free) drug ``D · (1 - EE)`` and particle mass ``D · EE / loading``
(loading = drug mass / particle mass). An IV bolus enters the venous pool at once; an infusion at
a constant rate over ``infusion_duration``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from nanomed.core.errors import InputError
from nanomed.schema import Dosing, Formulation, Route

__all__ = ["ENTITIES", "DoseEvent", "administered", "dose_events"]

#: what the organ model tracks
ENTITIES = ("particles", "encapsulated_drug", "free_drug")


@dataclass(frozen=True)
class DoseEvent:
    """One administration: start time [h], duration [h] (0: bolus) and amounts [mg]."""

    time: float
    duration: float
    particles: float
    encapsulated_drug: float
    free_drug: float

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, Real) and math.isfinite(v)):
                raise InputError(f"dose event {f.name}: must be a finite number, got {v!r}")
            if f.name != "time" and v < 0:
                raise InputError(f"dose event {f.name}: must be >= 0, got {v!r}")

    def amount(self, entity: str) -> float:
        """Amount of an entity in this dose [mg]."""
        if entity not in ENTITIES:
            raise InputError(f"entity: unknown {entity!r} (known: {', '.join(ENTITIES)})")
        return float(getattr(self, entity))


def dose_events(
    formulation: Formulation, dosing: Dosing, body_weight: float, burst: float = 0.0
) -> list[DoseEvent]:
    """Turn a formulation and its dosing schedule into :class:`DoseEvent` objects.

    Parameters
    ----------
    formulation : Formulation
        The formulation (free drug when ``carrier`` is None).
    dosing : Dosing
        Schedule and dose [mg/kg].
    body_weight : float
        Body weight [kg].
    burst : float
        Fraction of the encapsulated drug released at once on injection [-] (the release
        model's f(0)): it enters as free drug, since a hazard rate cannot carry a jump at t = 0.
    """
    name = formulation.name
    if isinstance(body_weight, bool) or not isinstance(body_weight, Real):
        raise InputError(f"body_weight: expected a number [kg], got {body_weight!r}")
    if not (math.isfinite(body_weight) and body_weight > 0):
        raise InputError(f"body_weight: must be finite and > 0 kg, got {body_weight!r}")
    if not dosing.dose > 0:
        raise InputError(f"formulation {name!r}: dose must be > 0 mg/kg, got {dosing.dose:g}")
    if formulation.carrier is None and formulation.drug is None:
        raise InputError(f"formulation {name!r}: needs a drug, a carrier or both")
    total = dosing.dose * body_weight
    if formulation.carrier is None:
        parts, enc, free = 0.0, 0.0, total
    elif formulation.drug is None:
        parts, enc, free = total, 0.0, 0.0
    else:
        if formulation.drug_loading <= 0:
            raise InputError(
                f"formulation {name!r}: drug_loading must be > 0 for a drug-loaded carrier"
            )
        if not isinstance(burst, Real) or not 0.0 <= burst <= 1.0:
            raise InputError(f"formulation {name!r}: burst fraction {burst!r} outside [0, 1]")
        ee = formulation.encapsulation_efficiency
        enc, free = total * ee, total * (1.0 - ee)
        parts = enc / formulation.drug_loading  # particle mass is set by the loading, not the burst
        enc, free = enc * (1.0 - burst), free + enc * burst
    duration = 0.0
    if dosing.route == Route.iv_infusion:
        duration = float(dosing.infusion_duration or 0.0)
    return [DoseEvent(float(t), duration, parts, enc, free) for t in dosing.dose_times()]


def administered(events: list[DoseEvent], entity: str, t: ArrayLike) -> np.ndarray:
    """Amount of ``entity`` administered up to time(s) ``t`` [mg] (infusions pro rata)."""
    t = np.asarray(t, dtype=float)
    total = np.zeros_like(t)
    for ev in events:
        amount = ev.amount(entity)
        if amount == 0:
            continue
        if ev.duration == 0:
            frac = (t >= ev.time).astype(float)
        else:
            frac = np.clip((t - ev.time) / ev.duration, 0.0, 1.0)
        total += frac * amount
    return total
