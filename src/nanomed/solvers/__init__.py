"""One ODE interface for every scale: declare an :class:`ODEProblem`, solve it with a back-end.

Back-ends: :class:`CVODESolver` (SUNDIALS CVODE through scikit-sundae, the default) and
:class:`ScipySolver` (:func:`scipy.integrate.solve_ivp`, BDF by default — the reference engine).
:func:`solve_batch` solves many parameter sets as stacked block-diagonal systems.
"""

from nanomed.core.errors import InputError
from nanomed.solvers.base import ODEProblem, ODESolution, ODESolver, segment_times
from nanomed.solvers.batch import solve_batch, stack_problems
from nanomed.solvers.cvode import CVODESolver
from nanomed.solvers.scipy_backend import ScipySolver

__all__ = [
    "CVODESolver",
    "ODEProblem",
    "ODESolution",
    "ODESolver",
    "ScipySolver",
    "get_solver",
    "segment_times",
    "solve_batch",
    "stack_problems",
]


def get_solver(name: str | ODESolver = "cvode", rtol: float = 1e-6) -> ODESolver:
    """Return a solver by name: ``"cvode"``, ``"scipy"`` (BDF) or ``"scipy-<method>"``."""
    if isinstance(name, ODESolver):
        return name
    if not isinstance(name, str):
        raise InputError(f"solver: expected a name or an ODESolver, got {name!r}")
    if name == "cvode":
        return CVODESolver(rtol=rtol)
    if name == "scipy":
        return ScipySolver("BDF", rtol=rtol)
    if name.startswith("scipy-"):
        return ScipySolver(name.removeprefix("scipy-"), rtol=rtol)
    raise InputError(f"unknown solver {name!r} (known: cvode, scipy, scipy-<method>)")
