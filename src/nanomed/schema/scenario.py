"""The in-vivo scenario: species, tumour, dosing schedule, simulation settings."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from nanomed.schema._types import quantity
from nanomed.schema.base import NanomedModel
from nanomed.schema.formulation import Formulation

__all__ = [
    "Dosing",
    "Levels",
    "Route",
    "Scenario",
    "SpeciesName",
    "Subject",
    "Tumour",
    "TumourGrowth",
]


class SpeciesName(StrEnum):
    """Species with physiology tables."""

    mouse = "mouse"
    rat = "rat"
    human = "human"


class Route(StrEnum):
    """Route of administration."""

    iv_bolus = "iv_bolus"
    iv_infusion = "iv_infusion"


class Subject(NanomedModel):
    """The animal or patient: species and body weight."""

    species: SpeciesName = SpeciesName.mouse
    body_weight: quantity("kg", "body weight", gt=0, le=500) | None = None


class TumourGrowth(NanomedModel):
    """Tumour growth inhibition (PD) model and its parameters (defaults: the model's own)."""

    model: Literal["simeoni"] = "simeoni"
    parameters: dict[str, float] = Field(default_factory=dict)


class Tumour(NanomedModel):
    """A solid tumour, sized by its mass; ``growth`` switches on the PD of tumour growth."""

    mass: quantity("g", "tumour mass", gt=0, le=5000) = 0.5
    model: str = Field("xenograft", description="tumour model (xenograft, allograft, ...)")
    cancer_type: str | None = None
    growth: TumourGrowth | None = None


#: most output times a scenario may ask for (duration / output_interval)
MAX_OUTPUT_POINTS = 1_000_000


class Dosing(NanomedModel):
    """An IV dose schedule.

    ``times`` gives the start of each dose; equivalently ``n_doses`` doses every ``interval``.
    """

    route: Route = Route.iv_bolus
    # upper bound: 5000 mg/kg is the highest limit dose of acute-toxicity testing (OECD Test
    # Guideline 425, 2022); a larger dose per administration is a unit slip, not a regimen
    dose: quantity(
        "mg/kg",
        "dose per administration (drug, or particle mass for empty carriers)",
        gt=0,
        le=5000,
    )
    infusion_duration: quantity("h", "infusion duration", gt=0) | None = None
    n_doses: int = Field(1, ge=1, le=1000)
    interval: quantity("h", "dosing interval", gt=0) | None = None
    times: list[float] | None = Field(None, description="dose start times [h]")

    @model_validator(mode="after")
    def _check(self) -> Dosing:
        if self.route == Route.iv_infusion and self.infusion_duration is None:
            raise ValueError("iv_infusion needs infusion_duration")
        if self.n_doses > 1 and self.interval is None and self.times is None:
            raise ValueError("n_doses > 1 needs interval or times")
        if self.times is not None and (
            any(t < 0 for t in self.times) or sorted(self.times) != self.times
        ):
            raise ValueError("times must be non-negative and sorted")
        return self

    def dose_times(self) -> list[float]:
        """Return the start time of every dose [h]."""
        if self.times is not None:
            return list(self.times)
        step = self.interval or 0.0
        return [i * step for i in range(self.n_doses)]


class Levels(NanomedModel):
    """Which scales run in a multiscale simulation (the organ scale always runs)."""

    molecular: bool = False
    release: bool = True
    cellular: bool = False


class Scenario(NanomedModel):
    """A complete in-vivo scenario for ``nanomed run``."""

    name: str = "scenario"
    formulation: Formulation
    subject: Subject = Subject()
    tumour: Tumour | None = None
    dosing: Dosing
    duration: quantity("h", "simulated time", gt=0, le=24 * 365) = 168.0
    output_interval: quantity("h", "output time step", gt=0) = 1.0
    levels: Levels = Levels()

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        # the name becomes a file name under --out: it must not be empty or leave that folder
        if not name.strip():
            raise ValueError("must not be empty")
        if any(c in name for c in "/\\") or name.strip() in (".", "..") or not name.isprintable():
            raise ValueError(
                f"{name!r} cannot be a file name (no '/', '\\', '..' or control characters)"
            )
        return name

    @model_validator(mode="after")
    def _check_times(self) -> Scenario:
        if self.output_interval > self.duration:
            raise ValueError(
                f"output_interval ({self.output_interval:g} h) is longer than duration "
                f"({self.duration:g} h)"
            )
        # ~250 bytes of results per output point (1.7e8 points asked for 41 GiB): refuse here,
        # not after validation passed and the run ran out of memory
        points = self.duration / self.output_interval
        if points > MAX_OUTPUT_POINTS:
            raise ValueError(
                f"output_interval ({self.output_interval:g} h) gives {points:.3g} output points "
                f"over duration ({self.duration:g} h); at most {MAX_OUTPUT_POINTS:.0e} "
                "(use a longer output_interval)"
            )
        d = self.dosing
        if d.route == Route.iv_infusion and d.infusion_duration is not None:
            end = max(d.dose_times()) + d.infusion_duration
            if end > self.duration:
                raise ValueError(
                    f"dosing.infusion_duration: the infusion ends at {end:g} h, after duration "
                    f"({self.duration:g} h); the dose would be cut"
                )
        if self.levels.molecular:
            drug = self.formulation.drug
            if drug is None or not drug.smiles:
                raise ValueError(
                    "levels.molecular: needs formulation.drug.smiles (the molecular level "
                    "works from the drug's structure)"
                )
        return self
