"""One ODE interface for every scale: a declared problem, a solution, and piecewise integration.

A model *declares* an :class:`ODEProblem` (right-hand side, initial state, optional Jacobian and
its sparsity, and the breakpoints where the state jumps or the forcing changes, e.g. doses).
A backend (:mod:`~nanomed.solvers.cvode` or :mod:`~nanomed.solvers.scipy_backend`) integrates it
segment by segment between breakpoints, so that no step crosses a discontinuity; at a breakpoint
``problem.jump(t, y)`` returns the state just after it (a bolus dose adds to a compartment).
Output at a breakpoint time is the state *after* the jump.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import sparse

from nanomed.core.checks import as_numbers
from nanomed.core.errors import InputError, SolverError

__all__ = ["ODEProblem", "ODESolution", "ODESolver", "segment_times"]


@dataclass
class ODEProblem:
    """An initial-value problem ``dy/dt = rhs(t, y, segment)`` with piecewise structure.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, segment) -> dy`` (float array of ``y``'s length). ``segment`` is the index of
        the interval between breakpoints, for forcing that is constant within an interval.
    y0 : array
        State at ``t0``.
    t0 : float
        Start time (the unit is the model's, e.g. h).
    jac : callable, optional
        ``jac(t, y, segment) -> scipy.sparse.csc_matrix`` with the pattern of ``sparsity``.
    sparsity : scipy.sparse matrix, optional
        Structural non-zeros of the Jacobian (CSC).
    breakpoints : sequence of float
        Times where ``jump`` is applied and the forcing may change, sorted.
    jump : callable, optional
        ``jump(t, y) -> y`` applied at each breakpoint (default: no change).
    name : str
        Name of the parameter set, used in error messages.
    atol : float or array
        Absolute tolerance of the states (in the states' own units).
    """

    rhs: Callable[[float, np.ndarray, int], np.ndarray]
    y0: np.ndarray
    t0: float = 0.0
    jac: Callable[[float, np.ndarray, int], sparse.csc_matrix] | None = None
    sparsity: sparse.csc_matrix | None = None
    breakpoints: Sequence[float] = ()
    jump: Callable[[float, np.ndarray], np.ndarray] | None = None
    name: str = "problem"
    atol: float | np.ndarray = 1e-10
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_states(self) -> int:
        """Number of states."""
        return int(np.size(self.y0))


@dataclass
class ODESolution:
    """States at the requested times: ``y`` has shape (len(t), n_states)."""

    t: np.ndarray
    y: np.ndarray
    n_rhs: int = 0
    backend: str = ""


def segment_times(
    t0: float, t_eval: np.ndarray, breakpoints: Sequence[float]
) -> list[tuple[int, float, float, np.ndarray, bool]]:
    """Split the output times into integration segments between breakpoints.

    Returns a list of ``(segment, start, end, outputs, jump_at_start)``; ``outputs`` holds the
    requested times in ``[start, end)`` (and ``end`` itself for the last segment).
    """
    t_eval = np.asarray(t_eval, dtype=float)
    t_end = float(t_eval[-1])
    bps = sorted(float(b) for b in breakpoints if t0 <= b <= t_end)
    edges = [t0, *[b for b in bps if b > t0]]
    jump_first = bool(bps) and bps[0] == t0
    out = []
    for i, start in enumerate(edges):
        end = edges[i + 1] if i + 1 < len(edges) else t_end
        last = i + 1 == len(edges)
        mask = (t_eval >= start) & ((t_eval <= end) if last else (t_eval < end))
        jump = jump_first if i == 0 else True
        if end > start or mask.any():
            out.append((i, start, end, t_eval[mask], jump))
    return out


class ODESolver:
    """Base class of the integration back-ends.

    Parameters
    ----------
    rtol : float
        Relative tolerance.
    max_steps : int
        Maximum number of internal steps per segment.
    """

    name = "base"

    def __init__(self, rtol: float = 1e-6, max_steps: int = 100_000) -> None:
        if not isinstance(rtol, Real) or not 0 < rtol < 1:
            raise InputError(f"rtol must be a number in (0, 1), got {rtol!r}")
        if not isinstance(max_steps, Integral) or isinstance(max_steps, bool) or max_steps < 1:
            raise InputError(f"max_steps must be a whole number >= 1, got {max_steps!r}")
        self.rtol = rtol
        self.max_steps = max_steps

    def _integrate(
        self,
        problem: ODEProblem,
        segment: int,
        y0: np.ndarray,
        t_span: tuple[float, float],
        t_out: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Integrate one smooth segment; return (y at t_out, y at t_span[1], rhs calls)."""
        raise NotImplementedError

    def solve(self, problem: ODEProblem, t_eval: Sequence[float]) -> ODESolution:
        """Integrate ``problem`` and return the states at ``t_eval`` (sorted, >= ``t0``)."""
        name = problem.name
        t_eval = as_numbers(t_eval, f"{name}: output times")
        if t_eval.ndim != 1 or t_eval.size == 0 or np.any(np.diff(t_eval) < 0):
            raise InputError(f"{name}: output times must be a sorted 1-D sequence")
        if not np.all(np.isfinite(t_eval)):
            raise InputError(f"{name}: output times must be finite numbers")
        t0 = as_numbers(problem.t0, f"{name}: t0")
        if t0.ndim != 0 or not np.isfinite(t0):
            raise InputError(f"{name}: t0 must be one finite number, got {problem.t0!r}")
        if t_eval[0] < problem.t0:
            raise InputError(f"{name}: output times start before t0={problem.t0}")
        y = as_numbers(problem.y0, f"{name}: y0").copy()
        if y.ndim != 1 or y.size == 0 or not np.all(np.isfinite(y)):
            raise InputError(f"{name}: y0 must be a non-empty 1-D array of finite numbers")
        atol = as_numbers(problem.atol, f"{name}: atol")
        if (
            atol.ndim > 1
            or atol.size not in (1, y.size)
            or not np.all(np.isfinite(atol) & (atol >= 0))
        ):
            raise InputError(
                f"{name}: atol must be finite and >= 0, one value or one per state ({y.size})"
            )
        bps = as_numbers(problem.breakpoints, f"{name}: breakpoints")
        if not np.all(np.isfinite(bps)):
            raise InputError(f"{name}: breakpoints must be finite")
        rows: list[np.ndarray] = []
        n_rhs = 0
        for seg, start, end, t_out, jump in segment_times(problem.t0, t_eval, problem.breakpoints):
            if jump and problem.jump is not None:
                y = np.asarray(problem.jump(start, y), dtype=float)
            if end <= start:
                rows.extend(y[None, :] for _ in t_out)
                continue
            try:
                y_out, y, calls = self._integrate(problem, seg, y, (start, end), t_out)
            except SolverError:
                raise
            except Exception as exc:  # backend errors become one-line SolverErrors
                raise SolverError(
                    f"{problem.name}: {self.name} failed on [{start:g}, {end:g}]: "
                    f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                ) from None
            n_rhs += calls
            rows.append(y_out)
        y_all = np.vstack(rows) if rows else np.empty((0, problem.n_states))
        if not np.all(np.isfinite(y_all)):
            raise SolverError(f"{problem.name}: {self.name} produced non-finite states")
        return ODESolution(t_eval, y_all, n_rhs, self.name)
