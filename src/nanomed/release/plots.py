"""Release plots and the fit report: data vs fitted curves, residuals, and the output folder.

:func:`fit_release_file` is the one library call behind ``nanomed release fit``: read and check a
curve CSV, fit the library, write ``best_models.csv``, ``all_models.csv``, ``parameters.csv``,
``failed.csv`` and ``report.html`` into a folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nanomed.core.results import atomic_write

if TYPE_CHECKING:
    from nanomed.release.fit_results import FitResult, LibraryFit

__all__ = ["FitOutputs", "fit_release_file", "library_report", "plot_fit", "write_fit_outputs"]


def plot_fit(result: FitResult, ax: Any = None, *, residuals: bool = False, **kwargs: Any) -> Any:
    """Observed points and fitted curve of one :class:`FitResult` (or its residuals)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    d = result.data
    tu = result.metadata.get("time_unit", "")
    if residuals:
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.plot(d["time"], d["residual"], "o", ms=3, **kwargs)
        ax.set_ylabel("residual")
    else:
        used = d["used"].to_numpy(bool)
        ax.plot(d["time"][used], d["observed"][used], "o", ms=3, label="data", **kwargs)
        if (~used).any():
            ax.plot(
                d["time"][~used],
                d["observed"][~used],
                "o",
                ms=3,
                mfc="none",
                color="0.5",
                label="not fitted",
            )
        tt = np.linspace(0.0, float(d["time"].max()), 200)
        r2 = result.metrics.get("r2", float("nan"))
        ax.plot(tt, result.predict(tt), "-", lw=1.5, label=f"{result.model_spec} (R² {r2:.3f})")
        ax.set_ylabel("fraction released")
        ax.legend(fontsize="x-small")
    ax.set_xlabel(f"time [{tu}]" if tu else "time")
    ax.set_title(f"profile {result.metadata.get('profile_id', '')}", fontsize="small")
    return ax


def _grid(lib: LibraryFit, ids: list[str], *, residuals: bool, title: str) -> Any:
    import matplotlib.pyplot as plt

    n = len(ids)
    cols = min(4, max(n, 1))
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), squeeze=False)
    for ax, pid in zip(axes.ravel(), ids, strict=False):
        plot_fit(lib.result(pid), ax=ax, residuals=residuals)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    return fig


def library_report(lib: LibraryFit, path: str | os.PathLike[str], *, max_plots: int = 8) -> Path:
    """Write an HTML report of a :class:`LibraryFit`: summary, tables, fits and residuals."""
    import matplotlib.pyplot as plt

    from nanomed.report.html import Report

    best = lib.best()
    rep = Report("Release curve fitting")
    n_prof = lib.metadata.get("n_profiles", best["profile_id"].nunique())
    failed = lib.failed
    n_bad = int((failed["model"] == "").sum()) if not failed.empty else 0
    lines = [
        f"{n_prof} profile(s) read, {best['profile_id'].nunique()} fitted, {n_bad} rejected.",
        f"Models: {', '.join(lib.metadata.get('models', []))}.",
        f"Ranking by {lib.rank_by} among models fitted on the whole profile "
        "(Korsmeyer-Peppas is fitted on F <= 0.6 only and not ranked).",
        f"Time unit: {lib.metadata.get('time_unit', '')}.",
        *lib.metadata.get("notes", []),
    ]
    if len(best):
        lines.append(
            f"Best-model R²: median {best['r2'].median():.4f}, 10th percentile "
            f"{best['r2'].quantile(0.1):.4f}; {(best['r2'] >= 0.95).mean():.1%} of profiles >= 0.95."
        )
    rep.add_text("Summary", " ".join(lines))
    rep.add_table("Models", lib.summary())
    if len(best):
        cols = ["profile_id", "best_model", "r2", "adj_r2", "rmse", "aicc", "n_points", "converged"]
        rep.add_table("Best model per profile", best[cols])
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.hist(best["r2"].clip(lower=0.8), bins=30, color="#336")
        ax.set_xlabel("best-model R² (clipped at 0.8)")
        ax.set_ylabel("profiles")
        rep.add_figure("Distribution of best-model R²", fig)
        order = best.sort_values("r2")["profile_id"].astype(str).tolist()
        k = max_plots // 2
        worst, top = order[:k], order[-(max_plots - k) :]
        shown = list(dict.fromkeys(worst + top))
        rep.add_figure(
            "Data vs best fit (worst and best profiles)",
            _grid(lib, shown, residuals=False, title="data vs best fit"),
        )
        rep.add_figure(
            "Residuals of the best fits", _grid(lib, shown, residuals=True, title="residuals")
        )
    if not failed.empty:
        rep.add_table("Not fitted", failed)
    return rep.write(path)


@dataclass
class FitOutputs:
    """What :func:`fit_release_file` produced."""

    fit: LibraryFit
    files: dict[str, Path]
    notes: list[str]


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda p: df.to_csv(p, index=False))


def write_fit_outputs(
    lib: LibraryFit, out_dir: str | os.PathLike[str], *, report: bool = True
) -> dict[str, Path]:
    """Write best_models.csv, all_models.csv, parameters.csv, failed.csv (and report.html)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    internal = ["param_names", "param_units", "free_params"]
    files = {
        "best_models": _write_csv(
            lib.best().drop(columns=internal, errors="ignore"), out / "best_models.csv"
        ),
        "all_models": _write_csv(
            lib.to_dataframe().drop(columns=internal, errors="ignore"), out / "all_models.csv"
        ),
        "parameters": _write_csv(lib.parameters(), out / "parameters.csv"),
        "failed": _write_csv(lib.failed, out / "failed.csv"),
    }
    if report:
        files["report"] = library_report(lib, out / "report.html")
    return files


def fit_release_file(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    models: Iterable[str] | None = None,
    percent: bool | None = None,
    time_unit: str = "h",
    rank_by: str = "aicc",
    n_starts: int = 4,
    seed: int = 0,
    report: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> FitOutputs:
    """Read a release-curve CSV, fit the model library and write the outputs into ``out_dir``.

    Parameters
    ----------
    path : path
        Long-format CSV (``profile_id, time, fraction_released`` + optional columns).
    out_dir : path
        Output folder (created).
    models : iterable of str, optional
        Model specs; default every built-in empirical model.
    percent : bool, optional
        Values in percent (True), fraction (False) or auto-detected (None, reported).
    time_unit : str
        Unit of the time column.
    rank_by : str
        Ranking criterion (see :data:`nanomed.release.fitting.RANK_CRITERIA`).
    n_starts, seed : int
        Starts per profile and model; random seed.
    report : bool
        Also write report.html.
    progress : callable, optional
        ``progress(done, total, model)``.

    Returns
    -------
    FitOutputs
    """
    from nanomed.release.curves import read_release_curves
    from nanomed.release.fitting import fit_library

    curves = read_release_curves(path, percent=percent, time_unit=time_unit)
    lib = fit_library(
        curves, models, rank_by=rank_by, n_starts=n_starts, seed=seed, progress=progress
    )
    files = write_fit_outputs(lib, out_dir, report=report)
    return FitOutputs(lib, files, list(curves.notes))
