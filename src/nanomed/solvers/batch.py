"""The batched path: many parameter sets of one model solved as stacked (block-diagonal) systems.

Python overhead per right-hand-side call dominates small stiff models, so solving ``k`` parameter
sets as one block-diagonal system of ``k * n`` states costs little more per call than one set.
A problem can offer a vectorised stacker in ``problem.meta["stack"]`` (a function taking a list
of problems and returning one stacked :class:`ODEProblem`); otherwise :func:`stack_problems`
builds a generic (looping) block-diagonal problem. All problems of a stack must share their
breakpoints (dose times) and output times.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral

import numpy as np
from scipy import sparse

from nanomed.core.errors import InputError
from nanomed.solvers.base import ODEProblem, ODESolution, ODESolver

__all__ = ["solve_batch", "stack_problems"]


def stack_problems(problems: Sequence[ODEProblem]) -> ODEProblem:
    """Block-diagonal problem of several problems with the same breakpoints (generic, looping)."""
    if not problems:
        raise InputError("stack_problems needs at least one problem")
    bps = list(problems[0].breakpoints)
    for p in problems[1:]:
        if list(p.breakpoints) != bps or p.t0 != problems[0].t0:
            raise InputError(f"{p.name}: stacked problems must share t0 and breakpoints")
    sizes = [p.n_states for p in problems]
    offsets = np.concatenate([[0], np.cumsum(sizes)])

    def rhs(t: float, y: np.ndarray, seg: int) -> np.ndarray:
        return np.concatenate(
            [
                p.rhs(t, y[a:b], seg)
                for p, a, b in zip(problems, offsets[:-1], offsets[1:], strict=True)
            ]
        )

    jac = None
    pattern = None
    if all(p.jac is not None and p.sparsity is not None for p in problems):

        def jac(t: float, y: np.ndarray, seg: int) -> sparse.csc_matrix:
            blocks = [
                p.jac(t, y[a:b], seg)
                for p, a, b in zip(problems, offsets[:-1], offsets[1:], strict=True)
            ]
            return sparse.block_diag(blocks, format="csc")

        pattern = sparse.block_diag([p.sparsity for p in problems], format="csc")

    def jump(t: float, y: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [
                p.jump(t, y[a:b]) if p.jump is not None else y[a:b]
                for p, a, b in zip(problems, offsets[:-1], offsets[1:], strict=True)
            ]
        )

    atol = np.concatenate([np.broadcast_to(p.atol, (p.n_states,)) for p in problems])
    return ODEProblem(
        rhs,
        np.concatenate([p.y0 for p in problems]),
        problems[0].t0,
        jac,
        pattern,
        bps,
        jump,
        name=f"stack of {len(problems)}",
        atol=atol,
    )


def solve_batch(
    problems: Sequence[ODEProblem],
    t_eval: Sequence[float],
    solver: ODESolver,
    *,
    chunk_size: int = 64,
    on_error: Callable[[ODEProblem, Exception], None] | None = None,
) -> list[ODESolution | None]:
    """Solve many problems in stacked chunks of ``chunk_size``; return one solution per problem.

    A chunk that fails is re-solved problem by problem, so that one bad parameter set costs only
    itself: its entry is None and ``on_error(problem, error)`` is called (default: re-raise).
    """
    if not isinstance(chunk_size, Integral) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise InputError(f"chunk_size must be a whole number >= 1, got {chunk_size!r}")
    out: list[ODESolution | None] = []
    for i in range(0, len(problems), chunk_size):
        chunk = list(problems[i : i + chunk_size])
        stacker = chunk[0].meta.get("stack", stack_problems)
        try:
            sol = solver.solve(stacker(chunk), t_eval)
        except Exception:
            if len(chunk) == 1:
                sol = None
            else:
                out.extend(solve_batch(chunk, t_eval, solver, chunk_size=1, on_error=on_error))
                continue
        if sol is None:
            try:
                out.append(solver.solve(chunk[0], t_eval))
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(chunk[0], exc)
                out.append(None)
            continue
        a = 0
        for p in chunk:
            b = a + p.n_states
            out.append(ODESolution(sol.t, sol.y[:, a:b], sol.n_rhs, sol.backend))
            a = b
    return out
