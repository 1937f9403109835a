"""Organ-scale results: amounts, concentrations, %ID, delivery efficiency and exposure metrics.

Definitions:

* ``%ID``: amount / total injected amount of that entity over the schedule × 100 (particles
  against particle mass; encapsulated and free drug against the total drug dose).
  ``%ID/g``: %ID / organ mass [g] (density 1 g/mL).
* Tumour delivery efficiency (Nano-Tumor Database; Wilhelm 2016, Chou 2023): ``DE24``, ``DE168``
  = tumour particle %ID at 24 h and 168 h after the first dose, ``DEmax`` its maximum over the
  output times.
* ``AUC``: trapezoidal area under the concentration–time curve [mg·h/L]; ``Cmax``, ``tmax``.
* Terminal half-life: log-linear least squares on the positive blood concentrations of the last
  quarter of the output times (at least 3 points) [h].
* Toxicity proxies: free-drug AUC in heart, liver, spleen and kidney (cardiotoxicity of
  anthracyclines tracks cardiac exposure) and the free-drug plasma Cmax.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from nanomed.core.results import Result

__all__ = ["OrganResult", "terminal_half_life"]

ENTITY_ORDER = ("particles", "encapsulated_drug", "free_drug")


def terminal_half_life(t: np.ndarray, c: np.ndarray, fraction: float = 0.25) -> float | None:
    """Terminal half-life [h] from the last ``fraction`` of a curve, None if not estimable."""
    t, c = np.asarray(t, float), np.asarray(c, float)
    if t.ndim != 1 or t.shape != c.shape:
        from nanomed.core.errors import InputError

        raise InputError(f"t and c: need two 1-D arrays of one length, got {t.shape}, {c.shape}")
    if t.size == 0:
        return None
    start = t[0] + (1 - fraction) * (t[-1] - t[0])
    m = (t >= start) & (c > 0)
    if m.sum() < 3:
        return None
    slope = np.polyfit(t[m], np.log(c[m]), 1)[0]
    if not slope < 0:
        return None
    return float(math.log(2) / -slope)


class OrganResult(Result):
    """Result of :func:`~nanomed.organ.simulate_organ`.

    ``data`` is long: ``time [h], compartment, entity, amount [mg], concentration [mg/L],
    percent_id [%ID], percent_id_per_g [%ID/g]``; compartments are organs (blood + tissue +
    phagocytes), ``blood`` (central pool), and the excreta ``urine``, ``faeces``, ``metabolised``.
    ``states`` (when kept) holds every model state over time (wide). ``metadata`` holds the
    scenario, parameters, doses and citations.
    """

    x_column = "time"

    def __init__(
        self,
        data: pd.DataFrame,
        metadata: dict[str, Any] | None = None,
        states: pd.DataFrame | None = None,
        pd_data: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(data, metadata)
        self.states = states
        self.pd = pd_data

    # -- selection ----------------------------------------------------------------------------
    def series(
        self, compartment: str, entity: str = "particles", column: str = "amount"
    ) -> pd.Series:
        """One curve indexed by time (e.g. ``series("tumour", "particles", "percent_id")``)."""
        from nanomed.core.errors import InputError

        d = self.data
        values = [c for c in d.columns if c not in ("time", "compartment", "entity")]
        if column not in values:
            raise InputError(f"column: unknown {column!r} (known: {', '.join(values)})")
        sel = d[(d["compartment"] == compartment) & (d["entity"] == entity)]
        if sel.empty:
            known = sorted(set(d["compartment"]))
            raise InputError(
                f"no {entity} in compartment {compartment!r} (known: {', '.join(known)})"
            )
        return sel.set_index("time")[column]

    def entities(self) -> list[str]:
        """Entities present."""
        present = set(self.data["entity"])
        return [e for e in ENTITY_ORDER if e in present]

    # -- metrics ------------------------------------------------------------------------------
    def delivery_efficiency(self) -> dict[str, float | None]:
        """Tumour particle DE24, DE168, DEmax [%ID] (None where not simulated / no tumour)."""
        if "tumour" not in set(self.data["compartment"]) or "particles" not in self.entities():
            return {"DE24": None, "DE168": None, "DEmax": None}
        s = self.series("tumour", "particles", "percent_id")
        t0 = float(self.metadata.get("first_dose", 0.0))
        t = s.index.to_numpy()
        out: dict[str, float | None] = {}
        for key, at in (("DE24", 24.0), ("DE168", 168.0)):
            tt = t0 + at
            out[key] = float(np.interp(tt, t, s.to_numpy())) if t[0] <= tt <= t[-1] else None
        out["DEmax"] = float(s.max())
        return out

    def exposure(self) -> pd.DataFrame:
        """AUC [mg·h/L], Cmax [mg/L], tmax [h] for every compartment and entity."""
        rows = []
        for (comp, ent), g in self.data.groupby(["compartment", "entity"], sort=False):
            if comp in ("urine", "faeces", "metabolised"):
                continue
            t = g["time"].to_numpy()
            c = g["concentration"].to_numpy()
            i = int(np.argmax(c))
            rows.append(
                {
                    "compartment": comp,
                    "entity": ent,
                    "AUC": float(np.trapezoid(c, t)),
                    "Cmax": float(c[i]),
                    "tmax": float(t[i]),
                }
            )
        return pd.DataFrame(rows)

    def half_life(self, entity: str = "particles") -> float | None:
        """Terminal half-life of the blood concentration [h]."""
        s = self.series("blood", entity, "concentration")
        return terminal_half_life(s.index.to_numpy(), s.to_numpy())

    def tumour_plasma_ratio(self, entity: str = "particles") -> float | None:
        """AUC(tumour) / AUC(blood) of an entity (None without tumour)."""
        ex = self.exposure()
        sel = ex[ex["entity"] == entity].set_index("compartment")["AUC"]
        if "tumour" not in sel or "blood" not in sel or sel["blood"] <= 0:
            return None
        return float(sel["tumour"] / sel["blood"])

    def toxicity_proxies(self) -> dict[str, float]:
        """Free-drug AUC in heart, liver, spleen, kidney [mg·h/L] and plasma Cmax [mg/L]."""
        if "free_drug" not in self.entities():
            return {}
        ex = self.exposure()
        free = ex[ex["entity"] == "free_drug"].set_index("compartment")
        out = {
            f"AUC_free_{o}": float(free.loc[o, "AUC"])
            for o in ("heart", "liver", "spleen", "kidney")
            if o in free.index
        }
        bp = float(self.metadata.get("blood_plasma_ratio", 1.0))
        out["Cmax_free_plasma"] = float(free.loc["blood", "Cmax"]) / bp
        return out

    def summary(self) -> pd.DataFrame:
        """A table of the headline metrics (metric, value, unit)."""
        rows: list[tuple[str, float | None, str]] = []
        for k, v in self.delivery_efficiency().items():
            rows.append((k, v, "%ID"))
        for ent in self.entities():
            ex = self.exposure()
            blood = ex[(ex["entity"] == ent) & (ex["compartment"] == "blood")]
            if not blood.empty:
                rows.append((f"AUC_blood_{ent}", float(blood["AUC"].iloc[0]), "mg*h/L"))
                rows.append((f"Cmax_blood_{ent}", float(blood["Cmax"].iloc[0]), "mg/L"))
            rows.append((f"half_life_{ent}", self.half_life(ent), "h"))
            rows.append((f"tumour_plasma_AUC_ratio_{ent}", self.tumour_plasma_ratio(ent), "-"))
        for k, v in self.toxicity_proxies().items():
            rows.append((k, v, "mg/L" if k.startswith("Cmax") else "mg*h/L"))
        df = pd.DataFrame(rows, columns=["metric", "value", "unit"])
        return df[df["value"].notna()].reset_index(drop=True)

    def mass_balance(self) -> pd.DataFrame:
        """Per time and entity group: total in the body and excreta vs administered."""
        return pd.DataFrame(self.metadata.get("mass_balance", []))

    # -- plots --------------------------------------------------------------------------------
    def plot(self, ax: Any = None, entity: str = "particles", **kwargs: Any) -> Any:
        """Concentration–time curves per organ (log scale) for one entity; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        d = self.data[self.data["entity"] == entity]
        for comp, g in d.groupby("compartment", sort=False):
            if comp in ("urine", "faeces", "metabolised") or not (g["concentration"] > 0).any():
                continue
            ax.plot(g["time"], g["concentration"], label=comp, **kwargs)
        ax.set_xlabel("time [h]")
        ax.set_ylabel(f"{entity} concentration [mg/L]")
        if not ax.lines:  # an entity never dosed (e.g. no drug encapsulated): say so, no legend
            ax.text(0.5, 0.5, f"no {entity} in any organ", ha="center", transform=ax.transAxes)
            return ax
        ax.set_yscale("log")
        ax.legend(fontsize="small", ncol=2)
        return ax

    def plot_percent_id(
        self, ax: Any = None, entity: str = "particles", time: float | None = None
    ) -> Any:
        """%ID per compartment at ``time`` (default: the last output) as bars."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        if time is not None and not (isinstance(time, Real) and math.isfinite(time)):
            from nanomed.core.errors import InputError

            raise InputError(f"time: expected a finite number [h], got {time!r}")
        d = self.data[self.data["entity"] == entity]
        t = d["time"].max() if time is None else d["time"].iloc[(d["time"] - time).abs().argmin()]
        g = d[d["time"] == t]
        ax.bar(g["compartment"], g["percent_id"])
        ax.set_ylabel(f"{entity} [%ID] at {t:g} h")
        ax.tick_params(axis="x", rotation=60)
        return ax
