"""The multiscale run: formulation + scenario → release → organ (→ PD), through explicit bridges.

:func:`simulate` is the one-call API (``nanomed.simulate``); :class:`MultiscaleSimulation` spells out
the steps (build the bridges, then solve the organ model) so that callers can swap a bridge, and
:func:`run_scenarios` is the resumable batch behind ``nanomed run``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nanomed.core.errors import InputError
from nanomed.core.results import atomic_write
from nanomed.coupling.bridges import (
    BridgeRecord,
    cellular_bridge,
    molecular_bridge,
    release_bridge,
)
from nanomed.organ.outputs import OrganResult
from nanomed.release.base import ReleaseModel
from nanomed.schema import Scenario

__all__ = [
    "MultiscaleResult",
    "MultiscaleSimulation",
    "load_scenarios",
    "run_scenarios",
    "simulate",
]

#: environments in which the report plots the release curve
RELEASE_ENVIRONMENTS = ("plasma", "tumour_interstitium", "lysosome")


@dataclass
class MultiscaleResult:
    """The organ result of a scenario plus the bridges that fed it."""

    scenario: Scenario
    organ: OrganResult
    bridges: list[BridgeRecord] = field(default_factory=list)
    release_model: ReleaseModel | None = None
    pd_model: Any = None

    def to_dataframe(self) -> pd.DataFrame:
        """Long table: time, compartment, entity, amount, concentration, %ID, %ID/g."""
        return self.organ.to_dataframe()

    def summary(self) -> pd.DataFrame:
        """Headline metrics (DE24/DE168/DEmax, AUC, Cmax, half-life, toxicity proxies, TGI)."""
        df = self.organ.summary()
        growth = self.tumour_growth()
        if not growth.empty:
            end = growth.iloc[-1]
            extra = pd.DataFrame(
                [
                    ("tumour_weight_end", end["weight"], "g"),
                    ("tumour_weight_end_untreated", end["weight_untreated"], "g"),
                    ("TGI_end", end["tgi_percent"], "%"),
                ],
                columns=["metric", "value", "unit"],
            )
            df = pd.concat([df, extra], ignore_index=True)
        df.insert(0, "scenario", self.scenario.name)
        return df

    def tumour_growth(self) -> pd.DataFrame:
        """Tumour weight treated vs untreated and TGI [%] over time (empty without PD)."""
        pd_data = self.organ.pd
        if pd_data is None or pd_data.empty or self.pd_model is None:
            return pd.DataFrame(columns=["time", "weight", "weight_untreated", "tgi_percent"])
        from nanomed.organ.pd import tgi_percent

        t_h = pd_data["time"].to_numpy()
        w0 = float(pd_data["weight"].iloc[0])
        control = self.pd_model.simulate(t_h / 24.0, w0, 0.0)["weight"].to_numpy()
        return pd.DataFrame(
            {
                "time": t_h,
                "weight": pd_data["weight"].to_numpy(),
                "weight_untreated": control,
                "tgi_percent": tgi_percent(pd_data["weight"].to_numpy(), control),
            }
        )

    def provenance(self) -> pd.DataFrame:
        """One row per bridge: what fed each scale."""
        return pd.DataFrame([b.as_row() for b in self.bridges])

    def release_curves(self, duration_h: float | None = None) -> pd.DataFrame:
        """Fraction released vs time in the compartments' environments (empty without release)."""
        if self.release_model is None:
            return pd.DataFrame(columns=["time", "environment", "fraction_released"])
        from nanomed.core.units import convert

        t_h = np.linspace(0.0, duration_h or float(self.scenario.duration), 200)
        t_model = t_h * convert(1.0, "h", self.release_model.time_unit)
        rows = [
            pd.DataFrame(
                {
                    "time": t_h,
                    "environment": env,
                    "fraction_released": self.release_model.fraction_released(t_model, env),
                }
            )
            for env in RELEASE_ENVIRONMENTS
        ]
        return pd.concat(rows, ignore_index=True)

    def plot(self, ax: Any = None, entity: str = "particles") -> Any:
        """Concentration–time per organ for one entity."""
        return self.organ.plot(ax=ax, entity=entity)


class MultiscaleSimulation:
    """Explicit steps of a multiscale run.

    Parameters
    ----------
    scenario : Scenario
        Formulation, subject, tumour, dosing and duration; ``scenario.levels`` switches the scales.
    release_model : ReleaseModel, optional
        Use this release model instead of the release bridge.
    organ_options : dict, optional
        Passed to :func:`nanomed.organ.simulate_organ` (solver, rtol, design_overrides ...).

    Examples
    --------
    >>> from nanomed.schema import Scenario
    >>> s = Scenario.from_dict({"formulation": {"carrier": {"material": "gold",
    ...     "hydrodynamic_diameter": "20 nm"}}, "dosing": {"dose": "1 mg/kg"}, "duration": "24 h"})
    >>> res = MultiscaleSimulation(s).run()
    >>> round(float(res.organ.mass_balance()["relative_error"].abs().max()), 6) <= 1e-6
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        release_model: ReleaseModel | None = None,
        organ_options: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.release_model = release_model
        self.organ_options = dict(organ_options or {})
        self.bridges: list[BridgeRecord] = []

    def build_bridges(self) -> ReleaseModel | None:
        """Run the bridges that are switched on; return the release model for the organ scale.

        The cellular bridge, when on, sets design overrides in :attr:`organ_options`.
        """
        self.bridges = []
        formulation = self.scenario.formulation
        molecular: dict[str, float] = {}
        if self.scenario.levels.molecular:
            formulation, molecular, record = molecular_bridge(formulation)
            # the organ scale sees the filled drug (logP, MW from the structure)
            self.scenario = self.scenario.model_copy(update={"formulation": formulation})
            self.bridges.append(record)
        if self.scenario.levels.cellular:
            overrides, record = cellular_bridge(self.scenario.formulation)
            user = self.organ_options.get("design_overrides") or {}
            # values the caller fixed win over the cellular scale's
            self.organ_options["design_overrides"] = {**overrides, **user}
            self.bridges.append(record)
        if self.release_model is not None:
            self.bridges.append(
                BridgeRecord("release", "given by the caller", dict(self.release_model.values))
            )
            return self.release_model
        if not self.scenario.levels.release:
            self.bridges.append(BridgeRecord("release", "switched off: no release (all retained)"))
            return None
        model, record = release_bridge(formulation)
        used = {k: v for k, v in molecular.items() if model is not None and k in model.values}
        if used:
            model = model.with_values(**used)
            record.source += " + molecular: " + ", ".join(used)
            record.values = dict(model.values)
        self.bridges.append(record)
        return model

    def pd_model(self) -> Any:
        """The tumour growth model of ``scenario.tumour.growth`` (None when absent or no drug)."""
        tumour = self.scenario.tumour
        if tumour is None or tumour.growth is None or self.scenario.formulation.drug is None:
            return None
        from nanomed.organ.pd import SimeoniTGI

        return SimeoniTGI(**tumour.growth.parameters)

    def run(self) -> MultiscaleResult:
        """Build the bridges, solve the organ model (with tumour PD) and return the result."""
        from nanomed.organ import simulate_organ

        release = self.build_bridges()
        pd_model = self.pd_model()
        organ = simulate_organ(self.scenario, release, pd_model=pd_model, **self.organ_options)
        return MultiscaleResult(self.scenario, organ, list(self.bridges), release, pd_model)


def simulate(
    scenario: Scenario | dict[str, Any] | str | Path,
    release_model: ReleaseModel | None = None,
    **organ_options: Any,
) -> MultiscaleResult:
    """Simulate a scenario across the scales (``nanomed.simulate``).

    ``scenario`` may be a :class:`~nanomed.schema.Scenario`, a dict or a YAML/JSON path.
    """
    if isinstance(scenario, str | Path):
        scenario = Scenario.from_file(scenario)
    elif isinstance(scenario, dict):
        scenario = Scenario.from_dict(scenario)
    elif not isinstance(scenario, Scenario):
        raise InputError(f"scenario: expected a Scenario, a dict or a file path, got {scenario!r}")
    return MultiscaleSimulation(scenario, release_model, organ_options).run()


def scenario_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders (``*.yaml``, ``*.yml``, ``*.json``) into a sorted list of files."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                q for q in p.iterdir() if q.suffix in (".yaml", ".yml", ".json") and q.is_file()
            )
            if not found:
                raise InputError(f"{p}: no scenario files (*.yaml, *.yml, *.json) in this folder")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


def load_scenarios(paths: Sequence[str | Path]) -> list[tuple[Path, Scenario]]:
    """Validate every scenario file of ``paths``; one error lists each invalid file, so that
    a folder with several broken files is fixed in one go."""
    files = scenario_files(paths)
    if not files:
        raise InputError("no scenario files given")
    loaded, errors = [], []
    for f in files:
        try:
            loaded.append((f, Scenario.from_file(f)))
        except InputError as exc:
            msg = str(exc)
            errors.append(msg if len(msg) <= 300 else msg[:297] + "...")  # keep the line readable
    if errors and len(files) == 1:
        raise InputError(errors[0])
    if errors:
        raise InputError(
            f"{len(errors)} of {len(files)} scenario files are invalid (nothing was run): "
            + "; ".join(errors)
        )
    return loaded


def _fingerprint(scenario: Scenario) -> str:
    text = json.dumps(scenario.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _saved_fingerprint(stem: Path) -> str | None:
    meta, table = stem.with_suffix(".json"), stem.with_suffix(".parquet")
    if not (meta.exists() and table.exists()):
        return None
    try:
        return json.loads(meta.read_text()).get("metadata", {}).get("fingerprint")
    except (OSError, ValueError):
        return None  # unreadable: simulate again


def run_scenarios(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    resume: bool = True,
    progress: Callable[[str], None] | None = None,
    **organ_options: Any,
) -> list[MultiscaleResult]:
    """Run every scenario file and save each result atomically under ``out_dir``.

    With ``resume`` a scenario whose saved result has the same fingerprint (hash of its validated
    content) is loaded instead of re-run, so a killed batch continues where it stopped. Every file
    is validated before any simulation starts, so a typo in the last file fails fast.
    """
    out = Path(out_dir)
    scenarios = load_scenarios(paths)
    names = [s.name for _, s in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"scenario names must be unique in a run; repeated: {', '.join(dup)}")
    results: list[MultiscaleResult] = []
    for _, sc in scenarios:
        stem = out / "results" / sc.name
        fp = _fingerprint(sc)
        if resume and _saved_fingerprint(stem) == fp:
            try:
                organ = OrganResult.load(stem)
                pd_path = stem.with_name(stem.name + "_pd.parquet")
                organ.pd = pd.read_parquet(pd_path) if pd_path.exists() else None
            except Exception as exc:  # any damaged file: the scenario is simply run again
                if progress:
                    progress(f"{sc.name}: saved result unreadable ({type(exc).__name__}), rerun")
            else:
                if progress:
                    progress(f"{sc.name}: already done, loaded (resume)")
                sim = MultiscaleSimulation(sc, organ_options=organ_options)
                release = sim.build_bridges()  # no solve: bridges only, for the report
                results.append(MultiscaleResult(sc, organ, sim.bridges, release, sim.pd_model()))
                continue
        if progress:
            progress(f"{sc.name}: simulating")
        res = simulate(sc, **organ_options)
        res.organ.metadata["fingerprint"] = fp
        if res.organ.pd is not None:
            frame = res.organ.pd
            atomic_write(
                stem.with_name(stem.name + "_pd.parquet"),
                lambda p, frame=frame: frame.to_parquet(p, index=False),
            )
        res.organ.save(stem)  # written last: its presence marks the scenario as done
        results.append(res)
    atomic_write(
        out / "summary.csv",
        lambda p: pd.concat([r.summary() for r in results], ignore_index=True).to_csv(
            p, index=False
        ),
    )
    return results
