"""scipy back-end: :func:`scipy.integrate.solve_ivp` (BDF by default; Radau, LSODA also work).

BDF: Shampine & Reichelt, SIAM J Sci Comput 18:1 (1997). Used as the independent reference
engine for the CVODE back-end and as the timing baseline in the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nanomed.core.errors import InputError, SolverError
from nanomed.solvers.base import ODEProblem, ODESolver

__all__ = ["ScipySolver"]

_METHODS = ("BDF", "Radau", "LSODA", "RK45", "DOP853")


class ScipySolver(ODESolver):
    """Integrate with :func:`scipy.integrate.solve_ivp`.

    Parameters
    ----------
    method : {"BDF", "Radau", "LSODA", "RK45", "DOP853"}
        solve_ivp method (implicit ones use the problem's Jacobian).
    rtol : float
        Relative tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> from nanomed.solvers import ODEProblem, ScipySolver
    >>> p = ODEProblem(lambda t, y, s: -y, np.array([1.0]))
    >>> round(float(ScipySolver(rtol=1e-8).solve(p, [0.0, 1.0]).y[-1, 0]), 6)
    0.367879
    """

    name = "scipy"

    def __init__(self, method: str = "BDF", rtol: float = 1e-6, max_steps: int = 100_000) -> None:
        super().__init__(rtol, max_steps)
        if method not in _METHODS:
            raise InputError(f"scipy method must be one of {', '.join(_METHODS)}, got {method!r}")
        self.method = method
        self.name = f"scipy-{method}"

    def _integrate(
        self,
        problem: ODEProblem,
        segment: int,
        y0: np.ndarray,
        t_span: tuple[float, float],
        t_out: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        from scipy.integrate import solve_ivp  # lazily: keeps `import nanomed` fast

        counter = {"n": 0}

        def f(t: float, y: np.ndarray) -> np.ndarray:
            counter["n"] += 1
            return problem.rhs(t, y, segment)

        kwargs: dict[str, Callable[[float, np.ndarray], Any]] = {}
        jac = problem.jac
        if self.method in ("BDF", "Radau", "LSODA") and jac is not None:
            if self.method == "LSODA":  # LSODA takes only dense Jacobians
                kwargs["jac"] = lambda t, y: jac(t, y, segment).toarray()
            else:
                kwargs["jac"] = lambda t, y: jac(t, y, segment)
        times = np.unique(np.concatenate([t_out, [t_span[1]]]))
        res = solve_ivp(
            f,
            t_span,
            np.asarray(y0, dtype=float),
            method=self.method,
            t_eval=times,
            rtol=self.rtol,
            atol=problem.atol,
            **kwargs,
        )
        if not res.success:
            raise SolverError(
                f"{problem.name}: {self.name} failed on [{t_span[0]:g}, {t_span[1]:g}]: "
                f"{res.message}"
            )
        y = res.y.T
        idx = np.searchsorted(times, t_out)
        return y[idx], y[-1].copy(), counter["n"]
