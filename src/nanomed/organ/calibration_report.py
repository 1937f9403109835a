"""Write a calibration's tables, saved result and HTML report (for ``nanomed calibrate``)."""

from __future__ import annotations

from pathlib import Path

from nanomed.calibration import CalibrationResult
from nanomed.core.results import atomic_write
from nanomed.report import Report

__all__ = ["write_calibration"]


def write_calibration(result: CalibrationResult, out: str | Path) -> Path:
    """Save ``calibration.parquet/.json``, ``estimates.csv``, ``gof.csv`` and ``report.html``."""
    import matplotlib.pyplot as plt

    out = Path(out)
    result.save(out / "calibration")
    estimates, gof = result.summary(), result.gof()
    atomic_write(out / "estimates.csv", lambda p: estimates.to_csv(p, index=False))
    atomic_write(out / "gof.csv", lambda p: gof.to_csv(p, index=False))
    rep = Report("nanomed calibrate")
    rep.add_table("Estimates (95 % intervals)", estimates)
    stats = result.statistics()
    rep.add_text("Fit statistics", ", ".join(f"{k} = {v:.4g}" for k, v in stats.items()))
    rep.add_table("Goodness of fit", gof)
    for kind, title in (
        ("observed_vs_predicted", "Observed vs predicted"),
        ("residuals", "Residuals vs time"),
    ):
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
        result.plot(ax=ax, kind=kind)
        rep.add_figure(title, fig)
    if len(result.excluded()):
        rep.add_table("Excluded observations", result.excluded())
    return rep.write(out / "report.html")
