"""The HTML report of a multiscale run: summary, provenance and plots for every scenario."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nanomed.coupling.multiscale import MultiscaleResult
from nanomed.report import Report

__all__ = ["run_report"]

_ENTITY_LABEL = {
    "particles": "particles",
    "encapsulated_drug": "encapsulated drug",
    "free_drug": "free drug",
}


def _comparison(results: Sequence[MultiscaleResult]) -> pd.DataFrame:
    rows = []
    for r in results:
        de = r.organ.delivery_efficiency()
        row = {"scenario": r.scenario.name, **de}
        summ = r.summary().set_index("metric")["value"]
        for key in ("half_life_particles", "Cmax_free_plasma", "AUC_free_heart", "TGI_end"):
            if key in summ:
                row[key] = summ[key]
        rows.append(row)
    return pd.DataFrame(rows)


def run_report(results: Sequence[MultiscaleResult], title: str = "nanomed run") -> Report:
    """Build the report: a comparison table, then per scenario metrics, bridges and plots."""
    import matplotlib.pyplot as plt

    rep = Report(title)
    rep.add_table("All scenarios", _comparison(results))
    with_tumour = [r for r in results if "tumour" in set(r.organ.data["compartment"])]
    if with_tumour:
        fig, ax = plt.subplots(figsize=(7, 4))
        for r in with_tumour:
            ent = "particles" if "particles" in r.organ.entities() else "free_drug"
            s = r.organ.series("tumour", ent, "percent_id")
            ax.plot(s.index, s.to_numpy(), label=f"{r.scenario.name} ({_ENTITY_LABEL[ent]})")
        ax.set_xlabel("time [h]")
        ax.set_ylabel("tumour [%ID]")
        ax.legend(fontsize="small")
        rep.add_figure("Tumour delivery", fig)

    for r in results:
        name = r.scenario.name
        rep.add_table(f"{name}: metrics", r.summary().drop(columns="scenario"))
        rep.add_table(f"{name}: bridges (provenance)", r.provenance())
        curves = r.release_curves()
        if not curves.empty:
            fig, ax = plt.subplots(figsize=(6, 3.5))
            for env, g in curves.groupby("environment", sort=False):
                ax.plot(g["time"], g["fraction_released"], label=env)
            ax.set_xlabel("time [h]")
            ax.set_ylabel("fraction released")
            ax.set_ylim(0, 1.02)
            ax.legend(fontsize="small")
            rep.add_figure(f"{name}: release ({r.release_model.name})", fig)
        for ent in r.organ.entities():
            fig, ax = plt.subplots(figsize=(6, 4))
            r.organ.plot(ax=ax, entity=ent)
            ax.set_title(f"{name}: {_ENTITY_LABEL[ent]}")
            rep.add_figure(f"{name}: {_ENTITY_LABEL[ent]} concentration–time", fig)
        growth = r.tumour_growth()
        if not growth.empty:
            fig, ax = plt.subplots(figsize=(6, 3.5))
            ax.plot(growth["time"] / 24.0, growth["weight"], label="treated")
            ax.plot(growth["time"] / 24.0, growth["weight_untreated"], "--", label="untreated")
            ax.set_xlabel("time [day]")
            ax.set_ylabel("tumour weight [g]")
            ax.legend(fontsize="small")
            rep.add_figure(f"{name}: tumour growth (Simeoni 2004)", fig)
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ent = "particles" if "particles" in r.organ.entities() else "free_drug"
        r.organ.plot_percent_id(ax=ax, entity=ent, time=24.0)
        rep.add_figure(f"{name}: {_ENTITY_LABEL[ent]} %ID per organ at 24 h", fig)
    return rep
