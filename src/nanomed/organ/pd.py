"""Pharmacodynamics: Simeoni tumour growth inhibition and an Emax/Hill toxicity proxy.

Tumour growth inhibition after Simeoni M, Magni P, Cammia C, et al. Predictive pharmacokinetic-
pharmacodynamic modeling of tumor growth kinetics in xenograft models after administration of
anticancer agents. Cancer Res 64:1094-1101 (2004). Proliferating cells x1 grow exponentially
(rate λ0) while the tumour is small and linearly (rate λ1) once it is large; the drug moves them
at rate k2·c(t)·x1 into a chain of damaged, non-proliferating compartments x2 → x3 → x4 (rate k1),
from which they die::

    dx1/dt = λ0 x1 / (1 + (λ0 w / λ1)^ψ)^(1/ψ) - k2 c x1
    dx2/dt = k2 c x1 - k1 x2
    dx3/dt = k1 (x2 - x3)
    dx4/dt = k1 (x3 - x4)          w = x1 + x2 + x3 + x4 (tumour weight)

with ψ = 20 (the paper's choice, a sharp switch between the two growth phases). A constant
concentration above the paper's threshold c_T = λ0 / k2 eventually shrinks the tumour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nanomed.core.checks import as_number, as_numbers
from nanomed.core.citations import cite
from nanomed.core.errors import InputError, SolverError
from nanomed.core.parameter import Parameter, ParameterSet

__all__ = ["SimeoniTGI", "hill_effect", "tgi_percent"]

_SIMEONI = (
    "Simeoni M, Magni P, Cammia C, et al. Predictive pharmacokinetic-pharmacodynamic modeling of "
    "tumor growth kinetics in xenograft models after administration of anticancer agents. "
    "Cancer Res 64:1094-1101 (2004)"
)
_TABLE2 = "Simeoni2004 Table 2 (paclitaxel, A2780 xenograft, experiment 1)"

#: largest drug concentration accepted [ng/mL]: beyond any density (as for calibration data)
MAX_CONCENTRATION = 1e30


class SimeoniTGI:
    """Simeoni (2004) tumour growth inhibition model with four cell compartments.

    The model only *declares* its right-hand side; the organ model integrates it beside the
    PBPK states. :meth:`simulate` is a convenience for a stand-alone run.

    Parameters
    ----------
    **values : float
        Overrides of the default parameters (see :attr:`param_specs`), each checked against its
        bounds. Defaults are the paclitaxel fit of Simeoni 2004, Table 2 (A2780 xenograft,
        experiment 1); there k2 multiplies the *plasma* paclitaxel concentration, so using it
        with tumour concentrations is an assumption.

    Attributes
    ----------
    concentration_unit : str
        Unit of ``c_drug`` expected by :meth:`rhs` ("ng/mL", the unit of the published k2).
    time_unit : str
        Time unit of the rates ("day").
    weight_unit : str
        Unit of tumour weight ("g"; Simeoni convert caliper volume with density 1 g/cm³).

    Examples
    --------
    >>> model = SimeoniTGI()
    >>> model.n_states, model.state_names[0]
    (4, 'proliferating')
    >>> round(model.threshold_concentration(), 1)  # λ0 / k2 [ng/mL]
    434.0
    """

    n_states: ClassVar[int] = 4
    state_names: ClassVar[tuple[str, ...]] = (
        "proliferating",
        "damaged_1",
        "damaged_2",
        "damaged_3",
    )
    concentration_unit: ClassVar[str] = "ng/mL"
    time_unit: ClassVar[str] = "day"
    weight_unit: ClassVar[str] = "g"
    psi: ClassVar[float] = 20.0  # fixed in Simeoni 2004 ("a sufficiently high value")

    param_specs: ClassVar[tuple[Parameter, ...]] = (
        Parameter(
            "lambda0", 0.273, "1/day", (0, None), _TABLE2, description="exponential growth rate"
        ),
        Parameter("lambda1", 0.814, "g/day", (0, None), _TABLE2, description="linear growth rate"),
        Parameter(
            "k1", 0.968, "1/day", (0, None), _TABLE2, description="transit rate of damaged cells"
        ),
        Parameter(
            "k2",
            0.000629,
            "mL/ng/day",
            (0, None),
            _TABLE2,
            description="drug potency on proliferating cells (per unit concentration)",
        ),
    )

    def __init__(self, **values: float) -> None:
        cite("Simeoni2004", _SIMEONI)
        self.parameters = ParameterSet(self.param_specs).update(**values)

    @property
    def values(self) -> dict[str, float]:
        """Parameter values as plain floats."""
        return self.parameters.values()

    def initial_state(self, w0: float) -> np.ndarray:
        """Initial state: the whole tumour of weight ``w0`` [g] proliferating."""
        w = as_numbers(w0, "initial tumour weight w0", finite=True)
        if w.ndim != 0 or w <= 0:
            raise InputError(f"initial tumour weight w0: must be > 0 g, got {w0!r}")
        return np.array([float(w), 0.0, 0.0, 0.0])

    def growth_rate(self, x1: ArrayLike, w: ArrayLike) -> np.ndarray:
        """Unperturbed growth term λ0 x1 / (1 + (λ0 w/λ1)^ψ)^(1/ψ) [g/day]."""
        p = self.values
        x1, w = np.asarray(x1, float), np.asarray(w, float)
        # (1 + r^ψ)^(1/ψ) = exp(logaddexp(0, ψ ln r) / ψ): no overflow for large tumours
        with np.errstate(divide="ignore"):
            log_r = np.log(np.maximum(p["lambda0"] * w / p["lambda1"], 0.0))
        return p["lambda0"] * x1 * np.exp(-np.logaddexp(0.0, self.psi * log_r) / self.psi)

    def rhs(self, t: float, x: ArrayLike, c_drug: ArrayLike) -> np.ndarray:
        """Time derivative of the states.

        Parameters
        ----------
        t : float
            Time [day] (unused: the model is autonomous given ``c_drug``).
        x : array of shape (4,) or (4, n)
            Cell masses [g] in the order of :attr:`state_names`.
        c_drug : float or array of shape (n,)
            Drug concentration driving the kill [:attr:`concentration_unit`].

        Returns
        -------
        numpy.ndarray
            dx/dt [g/day], same shape as ``x``.
        """
        x = np.asarray(x, float)
        x1, x2, x3, x4 = x
        k1, k2 = self.values["k1"], self.values["k2"]
        kill = k2 * np.asarray(c_drug, float) * x1
        return np.stack(
            [
                self.growth_rate(x1, x1 + x2 + x3 + x4) - kill,
                kill - k1 * x2,
                k1 * (x2 - x3),
                k1 * (x3 - x4),
            ]
        )

    def tumour_weight(self, x: ArrayLike) -> np.ndarray:
        """Tumour weight w = x1 + x2 + x3 + x4 [g] (sum over the first axis)."""
        return np.asarray(x, float).sum(axis=0)

    def threshold_concentration(self) -> float:
        """Simeoni's threshold c_T = λ0/k2 [ng/mL]: constant exposure above it shrinks the tumour."""
        return self.values["lambda0"] / self.values["k2"]

    def simulate(
        self,
        times: ArrayLike,
        w0: float,
        concentration: float | Callable[[float], float] = 0.0,
    ) -> pd.DataFrame:
        """Integrate the model alone (scipy LSODA) and return states and weight at ``times``.

        Parameters
        ----------
        times : array
            Output times [day], ascending, starting at or after 0.
        w0 : float
            Initial tumour weight [g].
        concentration : float or callable
            Constant concentration or a function c(t) [ng/mL].

        Returns
        -------
        pandas.DataFrame
            Columns ``time``, the four states and ``weight`` [g].
        """
        from scipy.integrate import solve_ivp

        t = as_numbers(times, "times", finite=True)
        if t.ndim != 1 or t.size == 0 or t[0] < 0 or np.any(np.diff(t) < 0):
            raise InputError("times: need a non-empty ascending array of times >= 0 day")
        if callable(concentration):  # checked at every call: a curve can turn bad mid-run

            def rhs(s: float, y: np.ndarray) -> np.ndarray:
                return self.rhs(s, y, _concentration(concentration(s), "concentration", at=s))
        else:  # checked once
            c0 = _concentration(concentration, "concentration")

            def rhs(s: float, y: np.ndarray) -> np.ndarray:
                return self.rhs(s, y, c0)

        # solve_ivp wants strictly increasing t_eval: repeated times get the same row
        tu, back = np.unique(t, return_inverse=True)
        sol = solve_ivp(
            rhs,
            (0.0, float(t[-1])),
            self.initial_state(w0),
            method="LSODA",
            t_eval=tu,
            rtol=1e-8,
            atol=1e-12,
        )
        if not sol.success:
            raise SolverError(f"Simeoni TGI: integration failed ({sol.message})")
        y = sol.y[:, back]
        out = pd.DataFrame(y.T, columns=list(self.state_names))
        out.insert(0, "time", t)
        out["weight"] = y.sum(axis=0)
        return out


def _concentration(value: ArrayLike, what: str, at: float | None = None) -> float | np.ndarray:
    """A concentration: finite numbers in [0, MAX_CONCENTRATION] ng/mL, else one InputError
    naming ``what`` (and the time ``at`` [day]; built only on failure, off the hot path)."""
    try:
        c = np.asarray(value, dtype=float)
        ok = bool(np.all(np.isfinite(c)) and np.all(c >= 0) and np.all(c <= MAX_CONCENTRATION))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        where = what if at is None else f"{what} at {at:g} day"
        raise InputError(
            f"{where}: must be finite numbers in [0, {MAX_CONCENTRATION:g}] ng/mL, got {value!r}"
        )
    return float(c) if c.ndim == 0 else c


def tgi_percent(
    w_treated: ArrayLike, w_control: ArrayLike, w0: ArrayLike | None = None
) -> np.ndarray:
    """Tumour growth inhibition [%].

    ``100 (1 - T/C)`` from treated and control tumour weights at the same time, or, when the
    initial weight ``w0`` is given, ``100 (1 - (T - w0)/(C - w0))`` (inhibition of growth).
    """
    t, c = (
        as_numbers(w_treated, "w_treated", finite=True),
        as_numbers(w_control, "w_control", finite=True),
    )
    if np.any(t < 0):
        raise InputError("w_treated: tumour weights must be >= 0 g")
    if np.any(c <= 0):
        raise InputError("w_control: tumour weights must be > 0 g")
    w = None if w0 is None else as_numbers(w0, "w0", finite=True)
    try:
        np.broadcast_shapes(t.shape, c.shape, () if w is None else w.shape)
    except ValueError:
        raise InputError(
            f"w_treated, w_control, w0: shapes {t.shape}, {c.shape}, "
            f"{None if w is None else w.shape} do not match"
        ) from None
    if w is None:
        return 100.0 * (1.0 - t / c)
    if np.any(c == w):
        raise InputError("w_control: equals w0 (no growth to inhibit), so TGI is undefined there")
    return 100.0 * (1.0 - (t - w) / (c - w))


def hill_effect(c: ArrayLike, emax: float, ec50: float, hill: float = 1.0) -> np.ndarray:
    """Emax/Hill effect E = Emax c^n / (EC50^n + c^n) (Hill AV, J Physiol 40:iv (1910)).

    Used as a toxicity proxy, e.g. with an organ's drug exposure. ``c`` and ``ec50`` share a
    unit; the result has the unit of ``emax``.
    """
    emax = as_number(emax, "hill_effect: emax")
    ec50 = as_number(ec50, "hill_effect: ec50")
    hill = as_number(hill, "hill_effect: hill")
    if ec50 <= 0 or hill <= 0:
        raise InputError(f"hill_effect: ec50 and hill must be > 0, got {ec50!r}, {hill!r}")
    c = as_numbers(c, "hill_effect: c", finite=True)
    if np.any(c < 0):
        raise InputError("hill_effect: concentrations must be >= 0")
    ratio = (c / ec50) ** hill
    return emax * ratio / (1.0 + ratio)
