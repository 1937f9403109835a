"""The ODE interface: analytic solutions, breakpoints, back-end agreement, batching, errors."""

import numpy as np
import pytest
from scipy import sparse

from nanomed.core.errors import InputError, SolverError
from nanomed.solvers import (
    CVODESolver,
    ODEProblem,
    ScipySolver,
    get_solver,
    segment_times,
    solve_batch,
    stack_problems,
)

BACKENDS = [CVODESolver(rtol=1e-9), ScipySolver("BDF", rtol=1e-9)]


def linear_problem(k: float, y0: float = 1.0, **kw) -> ODEProblem:
    a = sparse.csc_matrix(np.array([[-k]]))
    return ODEProblem(
        lambda t, y, s: -k * y,
        np.array([y0]),
        jac=lambda t, y, s: a,
        sparsity=a,
        atol=1e-14,
        **kw,
    )


@pytest.mark.parametrize("solver", BACKENDS, ids=lambda s: s.name)
def test_first_order_decay_matches_exponential(solver):
    t = np.linspace(0, 5, 11)
    sol = solver.solve(linear_problem(0.7), t)
    np.testing.assert_allclose(sol.y[:, 0], np.exp(-0.7 * t), rtol=1e-6)


@pytest.mark.parametrize("solver", BACKENDS, ids=lambda s: s.name)
def test_repeated_bolus_superposition(solver):
    # doses of 1 at t = 0, 2, 4 into dy/dt = -k y: y(t) = sum_i exp(-k (t - t_i)) for t >= t_i
    k, doses = 0.5, [0.0, 2.0, 4.0]
    p = linear_problem(k, 0.0, breakpoints=doses, jump=lambda t, y: y + 1.0)
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 6.0])
    sol = solver.solve(p, t)
    expected = [sum(np.exp(-k * (ti - d)) for d in doses if ti >= d) for ti in t]
    np.testing.assert_allclose(sol.y[:, 0], expected, rtol=1e-6)


def test_segment_times_puts_breakpoint_outputs_after_the_jump():
    segs = segment_times(0.0, np.array([0.0, 1.0, 2.0, 3.0]), [0.0, 2.0])
    assert [(s, a, b) for s, a, b, _, _ in segs] == [(0, 0.0, 2.0), (1, 2.0, 3.0)]
    assert segs[0][4] and segs[1][4]
    np.testing.assert_array_equal(segs[1][3], [2.0, 3.0])


def test_cvode_and_scipy_bdf_agree_on_a_stiff_chain():
    # stiff linear chain with rates spanning 6 decades (independent engines must agree)
    rates = np.logspace(-2, 4, 8)
    n = rates.size + 1
    a = np.zeros((n, n))
    for i, r in enumerate(rates):
        a[i, i] -= r
        a[i + 1, i] += r
    m = sparse.csc_matrix(a)
    p = ODEProblem(
        lambda t, y, s: m @ y, np.eye(n)[0], jac=lambda t, y, s: m, sparsity=m, atol=1e-12
    )
    t = np.linspace(0, 100, 21)
    ya = CVODESolver(rtol=1e-8).solve(p, t).y
    yb = ScipySolver("BDF", rtol=1e-8).solve(p, t).y
    np.testing.assert_allclose(ya, yb, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(ya.sum(axis=1), 1.0, rtol=1e-9)  # conservation


def test_batch_equals_individual_solves():
    ks = [0.1, 1.0, 3.0]
    t = np.linspace(0, 2, 5)
    problems = [linear_problem(k) for k in ks]
    sols = solve_batch(problems, t, CVODESolver(rtol=1e-9), chunk_size=2)
    for k, s in zip(ks, sols, strict=True):
        np.testing.assert_allclose(s.y[:, 0], np.exp(-k * t), rtol=1e-6)
    stacked = stack_problems(problems)
    assert stacked.n_states == 3 and stacked.sparsity.shape == (3, 3)


def test_failed_solve_is_a_one_line_solver_error():
    bad = ODEProblem(lambda t, y, s: np.array([np.nan]), np.array([1.0]), name="set-7")
    with pytest.raises(SolverError, match="set-7") as exc:
        CVODESolver().solve(bad, [0.0, 1.0])
    assert "\n" not in str(exc.value)


def test_batch_isolates_a_failing_problem():
    bad = ODEProblem(lambda t, y, s: np.array([np.nan]), np.array([1.0]), name="bad")
    errors = []
    sols = solve_batch(
        [linear_problem(1.0), bad],
        [0.0, 1.0],
        ScipySolver(),
        on_error=lambda p, e: errors.append(p.name),
    )
    assert sols[1] is None and errors == ["bad"]
    assert sols[0].y[-1, 0] == pytest.approx(np.exp(-1.0), rel=1e-4)


def test_bad_inputs():
    with pytest.raises(InputError, match="sorted"):
        CVODESolver().solve(linear_problem(1.0), [1.0, 0.5])
    with pytest.raises(InputError, match="unknown solver"):
        get_solver("euler")
    with pytest.raises(InputError, match="rtol"):
        CVODESolver(rtol=2.0)
