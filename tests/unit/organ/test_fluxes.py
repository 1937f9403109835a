"""The flux declaration: conservation, Jacobian against finite differences, stacking."""

import numpy as np
import pytest
from organ_testing import FirstOrderRelease, make_scenario

from nanomed.organ import build_organ_model
from nanomed.organ.fluxes import FluxTable, stack_tables
from nanomed.solvers import CVODESolver


def test_one_compartment_bolus_matches_exponential():
    # the reduced model: one blood compartment with first-order clearance, C0 exp(-k t)
    tab = FluxTable()
    blood, out = tab.state("blood"), tab.state("eliminated")
    tab.flux(blood, out, 0.3)
    tab.bolus(0.0, blood, 2.0)
    sol = CVODESolver(rtol=1e-10).solve(tab.compile().problem(1e-3), np.linspace(0, 10, 11))
    np.testing.assert_allclose(sol.y[:, 0], 2.0 * np.exp(-0.3 * sol.t), rtol=1e-7)
    np.testing.assert_allclose(sol.y.sum(axis=1), 2.0, rtol=1e-12)


def test_jacobian_matches_finite_differences_with_saturation_and_release():
    sc = make_scenario(dose=200.0)  # high dose: phagocytes partly saturated
    model = build_organ_model(sc, FirstOrderRelease(k=0.1, acid_factor=3.0))
    sys_ = model.compile()
    rng = np.random.default_rng(0)
    y = rng.uniform(0.0, 0.2, sys_.n)
    for t in (0.5, 30.0, 100.0):
        jac = sys_.jac(t, y).toarray()
        num = np.zeros_like(jac)
        for j in range(sys_.n):
            h = 1e-7
            yp, ym = y.copy(), y.copy()
            yp[j] += h
            ym[j] -= h
            num[:, j] = (sys_.rhs(t, yp) - sys_.rhs(t, ym)) / (2 * h)
        np.testing.assert_allclose(jac, num, rtol=1e-5, atol=1e-6 * np.abs(jac).max())
        # every flux leaves one state and enters another: columns sum to zero
        np.testing.assert_allclose(jac.sum(axis=0), 0.0, atol=1e-9 * np.abs(jac).max())


def test_stacked_rhs_is_the_concatenation():
    a = build_organ_model(make_scenario(diameter=50.0), FirstOrderRelease()).table
    b = build_organ_model(make_scenario(diameter=150.0), FirstOrderRelease()).table
    sa, sb, st = a.compile(), b.compile(), stack_tables([a, b]).compile()
    rng = np.random.default_rng(1)
    ya, yb = rng.random(sa.n), rng.random(sb.n)
    np.testing.assert_allclose(
        st.rhs(12.0, np.concatenate([ya, yb])), np.concatenate([sa.rhs(12.0, ya), sb.rhs(12.0, yb)])
    )


def test_negative_rate_is_refused():
    tab = FluxTable()
    a, b = tab.state("a"), tab.state("b")
    with pytest.raises(Exception, match="bad rate"):
        tab.flux(a, b, -1.0)
