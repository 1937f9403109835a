"""Run the cellular models from a YAML/JSON mapping and write tables, plots and an HTML report.

The CLI (``nanomed dosimetry``, ``nanomed cell simulate``, ``nanomed cell fit``) calls these
functions; the formats are documented in ``docs/cellular/cli.md`` with examples in
``examples/cellular/``.
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nanomed.cellular.cytotoxicity import EmaxHill
from nanomed.cellular.dosimetry import (
    DosimetryResult,
    Medium,
    ParticleType,
    PerfectSink,
    ReversibleBinding,
    simulate_dosimetry,
)
from nanomed.cellular.fitting import TimecourseFit, fit_timecourse, read_timecourse
from nanomed.cellular.spheroid import simulate_spheroid
from nanomed.cellular.trafficking import CARRIER_STATES, CellSimulation, simulate_cell
from nanomed.cellular.uptake import (
    MAX_PER_CELL,
    CarrierSurface,
    UptakeModel,
    macrophage_uptake_rate,
)
from nanomed.core.errors import InputError
from nanomed.core.results import atomic_write

__all__ = ["run_cell", "run_cell_fit", "run_dosimetry"]


def _section(cfg: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    val = cfg.get(key) or {}
    if not isinstance(val, dict):
        raise InputError(f"{where}: '{key}' must be a mapping")
    return val


def _call(kind: Any, kwargs: dict[str, Any], where: str) -> Any:
    try:
        return kind(**kwargs)
    except InputError as exc:  # "ec50: must be a number" -> "config: cytotoxicity.ec50: ..."
        text = str(exc)
        names = {f.name for f in fields(kind)} if is_dataclass(kind) else set()
        if text.split(":", 1)[0] in names:
            raise InputError(f"{where}.{text}") from None
        raise
    except TypeError as exc:  # an unknown or missing key: "got an unexpected keyword 'colour'"
        raise InputError(f"{where}: {str(exc).split(')', 1)[-1].strip() or exc}") from None


def _particle(entry: Any, i: int, where: str) -> ParticleType:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: particles[{i}] must be a mapping")
    if "carrier" in entry:
        from nanomed.schema import Carrier

        carrier = Carrier.from_dict(entry["carrier"], where=f"{where}: particles[{i}].carrier")
        return ParticleType.from_carrier(carrier, name=str(entry.get("name", f"particle {i + 1}")))
    entry = {"name": f"particle {i + 1}", **entry}
    return _call(ParticleType, entry, f"{where}: particles[{i}]")


def dosimetry_from_mapping(cfg: dict[str, Any], where: str = "config") -> DosimetryResult:
    """Build and solve a dosimetry run from a mapping (keys in ``docs/cellular/cli.md``)."""
    known = {
        "particles",
        "medium",
        "bottom",
        "height_mm",
        "concentration_ug_mL",
        "duration_h",
        "n_cells",
    }
    extra = set(cfg) - known
    if extra:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    parts = cfg.get("particles")
    if not isinstance(parts, list) or not parts:
        raise InputError(f"{where}: 'particles' must be a non-empty list")
    particles = [_particle(p, i, where) for i, p in enumerate(parts)]
    medium = _call(Medium, _section(cfg, "medium", where), f"{where}: medium")
    b = dict(_section(cfg, "bottom", where))
    kind = b.pop("type", "sink")
    if kind == "sink":
        bottom: PerfectSink | ReversibleBinding = PerfectSink()
    elif kind == "binding":
        bottom = _call(ReversibleBinding, b, f"{where}: bottom")
    else:
        raise InputError(f"{where}: bottom.type must be 'sink' or 'binding', got {kind!r}")
    opts = {
        k: cfg[k] for k in ("height_mm", "concentration_ug_mL", "duration_h", "n_cells") if k in cfg
    }
    for k, v in opts.items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(f"{where}: {k} must be a number, got {v!r}")
    try:
        return simulate_dosimetry(particles, medium=medium, bottom=bottom, **opts)
    except InputError as exc:  # its checks know the values, not the file: name it
        raise type(exc)(f"{where}: {exc}") from None


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda p: df.to_csv(p, index=False))


def run_dosimetry(
    cfg: dict[str, Any], out_dir: str | Path, where: str = "config"
) -> dict[str, Path]:
    """Solve a dosimetry mapping; write ``dosimetry.csv``, ``dosimetry_summary.csv`` and a report."""
    import matplotlib.pyplot as plt

    from nanomed.report.html import Report

    res = dosimetry_from_mapping(cfg, where)
    out = Path(out_dir)
    files = {
        "table": _write_csv(res.to_dataframe(), out / "dosimetry.csv"),
        "summary": _write_csv(res.summary(), out / "dosimetry_summary.csv"),
    }
    rep = Report("In-vitro dosimetry")
    rep.add_text(
        "Model",
        f"{res.metadata['model']}; medium height {res.metadata['height_mm']} mm, "
        f"{res.metadata['concentration_ug_mL']} µg/mL. Mass balance error "
        f"{res.mass_balance_error:.1e}. References: Hinderliter et al., Part Fibre Toxicol 7:36 "
        "(2010); DeLoid et al., Part Fibre Toxicol 14:40 (2017).",
    )
    rep.add_table("Summary", res.summary())
    fig, ax = plt.subplots(figsize=(6, 4))
    res.plot(ax=ax)
    rep.add_figure("Delivered fraction", fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for p, m in list(zip(res.particles, res.fraction, strict=True))[:20]:
        ax.plot(
            res.times_h,
            m * res.metadata["concentration_ug_mL"] * res.metadata["height_mm"] / 10,
            label=p.name,
        )
    ax.set_xlabel("time [h]")
    ax.set_ylabel("delivered mass [µg/cm²]")
    ax.legend(fontsize="small")
    rep.add_figure("Delivered mass per area", fig)
    files["report"] = rep.write(out / "dosimetry_report.html")
    return files


def _number(
    cfg: dict[str, Any],
    key: str,
    default: float,
    where: str,
    allow_zero: bool = False,
    upper: float = math.inf,
) -> float:
    """A finite number > 0 (>= 0 with ``allow_zero``), <= ``upper``, else a one-line error."""
    v = cfg.get(key, default)
    ok = not isinstance(v, bool) and isinstance(v, int | float) and np.isfinite(v)
    if not ok or not (v >= 0 if allow_zero else v > 0):
        rule = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{where}: {key} must be a number {rule}, got {v!r}")
    if v > upper:
        raise InputError(f"{where}: {key} must be <= {upper:g}, got {v:g}")
    return float(v)


def cell_from_mapping(cfg: dict[str, Any], where: str = "config") -> dict[str, Any]:
    """Run uptake + trafficking + release (+ effect, spheroid) from a mapping."""
    from nanomed.schema import Carrier

    known = {
        "carrier", "duration_h", "particles_per_cell", "drug_per_carrier", "release", "uptake",
        "trafficking", "cytotoxicity", "spheroid",
    }  # fmt: skip
    extra = set(cfg) - known
    if extra:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    if "carrier" not in cfg:
        raise InputError(f"{where}: missing 'carrier'")
    carrier = Carrier.from_dict(cfg["carrier"], where=f"{where}: carrier")
    surface = CarrierSurface.from_carrier(carrier)
    duration = _number(cfg, "duration_h", 48.0, where)
    # upper bounds far above any experiment: the solver does not converge near 1e300
    particles = _number(cfg, "particles_per_cell", 1e4, where, upper=MAX_PER_CELL)
    drug = _number(cfg, "drug_per_carrier", 1.0, where, allow_zero=True, upper=MAX_PER_CELL)
    t = np.linspace(0.0, duration, 97)
    uptake = UptakeModel(**_section(cfg, "uptake", where))
    release = None
    rel = dict(_section(cfg, "release", where))
    if rel:
        from nanomed.release.base import get_release_model

        name = rel.pop("model", None)
        if not name:
            raise InputError(f"{where}: release.model is missing")
        release = get_release_model(str(name), **rel)
    sim = simulate_cell(
        surface,
        t,
        release_model=release,
        particles_per_cell=particles,
        drug_per_carrier=drug,
        uptake=uptake,
        **_section(cfg, "trafficking", where),
    )
    out: dict[str, Any] = {"carrier": carrier, "surface": surface, "cell": sim}
    summary = {
        "internalisation_rate_per_h": uptake.internalisation_rate(surface),
        "macrophage_uptake_rate_per_h": macrophage_uptake_rate(surface),
        "internalised_end": float(sim.data[list(CARRIER_STATES[2:6])].iloc[-1].sum()),
        "intracellular_drug_auc": sim.intracellular_auc(),
    }
    tox = _section(cfg, "cytotoxicity", where)
    if tox:
        model = _call(EmaxHill, tox, f"{where}: cytotoxicity")
        summary["survival"] = float(model.survival(summary["intracellular_drug_auc"]))
    sph = dict(_section(cfg, "spheroid", where))
    if sph:
        res = simulate_spheroid(surface.diameter_nm, np.linspace(0.0, float(duration), 5), **sph)
        out["spheroid"] = res
        summary["spheroid_penetration_depth_um"] = res.penetration_depth_um()
    out["summary"] = summary
    return out


def run_cell(cfg: dict[str, Any], out_dir: str | Path, where: str = "config") -> dict[str, Path]:
    """Run :func:`cell_from_mapping`; write ``cell.csv``, ``cell_summary.csv`` and a report."""
    import matplotlib.pyplot as plt

    from nanomed.report.html import Report

    res = cell_from_mapping(cfg, where)
    sim: CellSimulation = res["cell"]
    out = Path(out_dir)
    summary = pd.DataFrame([res["summary"]])
    files = {
        "table": _write_csv(sim.to_dataframe(), out / "cell.csv"),
        "summary": _write_csv(summary, out / "cell_summary.csv"),
    }
    rep = Report("Cellular simulation")
    rep.add_table("Summary", summary)
    rep.add_table("Uptake rates [1/h]", pd.DataFrame([sim.metadata["uptake_rates_per_h"]]))
    df = sim.data
    fig, ax = plt.subplots(figsize=(6, 4))
    for s in CARRIER_STATES:
        ax.plot(df["time_h"], df[s], label=s)
    ax.set_xlabel("time [h]")
    ax.set_ylabel("carriers per cell")
    ax.legend(fontsize="small")
    rep.add_figure("Carriers by compartment", fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for col in ("drug_free_intracellular", "drug_released_outside", "drug_effluxed"):
        ax.plot(df["time_h"], df[col], label=col)
    ax.set_xlabel("time [h]")
    ax.set_ylabel("drug per cell")
    ax.legend(fontsize="small")
    rep.add_figure("Drug", fig)
    if "spheroid" in res:
        sp = res["spheroid"].data
        fig, ax = plt.subplots(figsize=(6, 4))
        for tt, g in sp.groupby("time_h"):
            ax.plot(g["r_um"], g["total"], label=f"{tt:g} h")
        ax.set_xlabel("radius [µm]")
        ax.set_ylabel("particles / bath concentration")
        ax.legend(fontsize="small")
        rep.add_figure("Spheroid penetration", fig)
        files["spheroid"] = _write_csv(sp, out / "spheroid.csv")
    files["report"] = rep.write(out / "cell_report.html")
    return files


def run_cell_fit(
    data: str | Path, model: str, out_dir: str | Path
) -> tuple[TimecourseFit, dict[str, Path]]:
    """Fit a long time-course CSV; write ``fit_parameters.csv``, ``fit_predictions.csv``, report."""
    import matplotlib.pyplot as plt

    from nanomed.report.html import Report

    fit = fit_timecourse(read_timecourse(data, model), model)
    out = Path(out_dir)
    files = {
        "parameters": _write_csv(fit.to_dataframe(), out / "fit_parameters.csv"),
        "predictions": _write_csv(fit.predictions, out / "fit_predictions.csv"),
    }
    rep = Report(f"Cellular fit: {model}")
    rep.add_table(f"Parameters ({fit.metadata['level']:.0%} Fisher intervals)", fit.to_dataframe())
    rep.add_table("Goodness of fit", fit.calibration.gof())
    if len(fit.excluded()):
        rep.add_table("Rows excluded from the fit", fit.excluded())
    fig, ax = plt.subplots(figsize=(6, 4))
    for sid, g in fit.predictions.groupby("series_id"):
        g = g.sort_values("time", kind="stable")
        line = ax.plot(g["time"], g["fitted"], label=str(sid))[0]
        ax.plot(g["time"], g["value"], "o", color=line.get_color())
    ax.set_xlabel("time [h]")
    ax.set_ylabel("value")
    ax.legend(fontsize="small")
    rep.add_figure("Data and fit", fig)
    files["report"] = rep.write(out / "fit_report.html")
    return fit, files
