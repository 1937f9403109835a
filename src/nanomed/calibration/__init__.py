"""Calibration: fit parameters of any simulator to time-course data, with intervals and GOF.

One engine for every scale. :class:`Calibration` takes ``simulate(params, scenario)`` and long
observations ``scenario,time,compartment,value,unit``, estimates shared and per-scenario
:class:`FitParameter` s with log-normal residuals, and returns a :class:`CalibrationResult`
(Fisher and profile-likelihood intervals, AIC/BIC, goodness of fit, ``predict``/``save``/``load``).
:mod:`nanomed.calibration.gof` holds the goodness-of-fit metrics and plots. Scale adapters:
:mod:`nanomed.organ.pbpk_fit` (nano-PBPK) and :mod:`nanomed.cellular.fitting` (uptake and
viability time courses).

>>> from nanomed.calibration import gof_metrics
>>> gof_metrics([1.0, 2.0], [2.0, 2.0])["within_2fold"]
1.0
"""

from nanomed.calibration.engine import (
    COLUMNS,
    Calibration,
    CalibrationResult,
    FitParameter,
    load_observations,
)
from nanomed.calibration.gof import (
    gof_metrics,
    gof_table,
    plot_observed_vs_predicted,
    plot_residuals_vs_time,
)

__all__ = [
    "COLUMNS",
    "Calibration",
    "CalibrationResult",
    "FitParameter",
    "gof_metrics",
    "gof_table",
    "load_observations",
    "plot_observed_vs_predicted",
    "plot_residuals_vs_time",
]
