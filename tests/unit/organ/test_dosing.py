"""Dosing through the whole organ model, against closed forms that do not use the dosing code.

The mass balance of the organ model compares the body with ``administered()``, i.e. with the
dosing code itself, so it cannot see a wrong dose split, infusion rate or dose time. These tests
check what enters the body against the definitions in nanomed.organ.dosing's docstring and
against analytic solutions: the one-compartment infusion (Gibaldi & Perrier, Pharmacokinetics,
2nd ed., 1982, ch. 2), superposition of repeated doses for a linear time-invariant system, and
first-order loss of each dose cohort on its own release clock.
"""

import numpy as np
import pytest
from organ_testing import make_scenario, well_mixed_free_drug_scenario

from nanomed.organ import simulate_organ
from nanomed.organ.dosing import administered, dose_events
from nanomed.release import get_release_model
from nanomed.schema import Dosing

EXCRETA = ["metabolised", "urine", "faeces"]


def _in_body(res, entity):
    d = res.data
    rows = d[(d.entity == entity) & ~d.compartment.isin(EXCRETA)]
    return rows.groupby("time")["amount"].sum()


def test_dose_splits_into_the_documented_amounts():
    # D = dose * BW; encapsulated D EE (1 - burst), free D (1 - EE) + D EE burst, particles
    # D EE / loading (nanomed.organ.dosing docstring)
    sc = make_scenario(dose=5.0, loading=0.1, ee=0.9)
    (ev,) = dose_events(sc.formulation, sc.dosing, 0.025, burst=0.2)
    d = 5.0 * 0.025
    assert (ev.particles, ev.encapsulated_drug, ev.free_drug) == pytest.approx(
        (d * 0.9 / 0.1, d * 0.9 * 0.8, d * 0.1 + d * 0.9 * 0.2), rel=1e-12
    )
    # the organ model holds exactly that many particles right after the bolus
    res = simulate_organ(make_scenario(dose=5.0, loading=0.1, ee=0.9, duration=24.0))
    bw = res.metadata["body_weight_kg"]
    assert _in_body(res, "particles").iloc[0] == pytest.approx(5.0 * bw * 0.9 / 0.1, rel=1e-9)
    # an infusion is administered at a constant rate D / T from its start
    inf = Dosing(dose=2.0, route="iv_infusion", infusion_duration=4.0, n_doses=2, interval=10.0)
    evs = dose_events(make_scenario(carrier=False).formulation, inf, 0.5)
    t = np.array([0.0, 1.0, 4.0, 7.0, 11.0, 20.0])
    np.testing.assert_allclose(
        administered(evs, "free_drug", t), [0.0, 0.25, 1.0, 1.0, 1.25, 2.0], rtol=1e-12
    )


def test_infusion_matches_the_one_compartment_closed_form():
    # Kp = 1 everywhere and B:P = 1: one compartment of volume BW cleared at k = CL / BW (see
    # test_model.test_well_mixed_limit_of_the_free_drug_pbpk). A zero-order input R = D / T over
    # T gives A = R / k (1 - e^{-kt}) during the infusion and A(T) e^{-k (t - T)} after it.
    # clearance_hepatic is per kg (L/h/kg), so k = 0.1 BW / BW = 0.1 per hour.
    big_t = 6.0
    sc = well_mixed_free_drug_scenario(
        dosing=Dosing(dose=5.0, route="iv_infusion", infusion_duration=big_t)
    )
    res = simulate_organ(sc)
    bw = res.metadata["body_weight_kg"]
    amount = _in_body(res, "free_drug")
    t = amount.index.to_numpy()
    k, rate = 0.1, 5.0 * bw / big_t
    exact = np.where(
        t <= big_t,
        rate / k * -np.expm1(-k * t),
        rate / k * -np.expm1(-k * big_t) * np.exp(-k * (t - big_t)),
    )
    late = t >= 1.0  # after distribution (minutes in a mouse)
    np.testing.assert_allclose(amount.to_numpy()[late], exact[late], rtol=5e-3)
    assert amount.to_numpy()[0] == 0.0


def test_repeated_free_drug_doses_superpose():
    # the free-drug PBPK is linear and time-invariant: three doses 12 h apart are the sum of the
    # single-dose response shifted to each dose time, in every compartment
    def table(sc):
        res = simulate_organ(sc)
        return res.data.pivot_table(
            index="time", columns=["compartment", "entity"], values="amount"
        )

    one = table(make_scenario(carrier=False, duration=72.0))
    three = table(make_scenario(carrier=False, n_doses=3, interval=12.0, duration=72.0))
    assert list(one.columns) == list(three.columns)
    t = one.index.to_numpy()
    np.testing.assert_array_equal(three.index.to_numpy(), t)
    expected = np.zeros(one.shape)
    for start in (0.0, 12.0, 24.0):
        after = t >= start
        expected[after] += one.to_numpy()[np.searchsorted(t, t[after] - start)]
    scale = three.to_numpy().max(axis=0)
    np.testing.assert_allclose(three.to_numpy() / scale, expected / scale, rtol=0, atol=1e-5)


def test_each_dose_cohort_releases_on_its_own_clock():
    # Weibull release (beta < 1: the hazard falls with the carrier's age), two doses 24 h apart,
    # everything encapsulated. Each cohort keeps D (1 - F(t - t_i)) unless its carriers are
    # excreted first: sum_i D (1 - F(t - t_i)) - excreted <= E(t) <= sum_i D (1 - F(t - t_i)).
    # A release clock started at t = 0 for the second dose would be off by ~0.3 D.
    rel = get_release_model("weibull", td=10.0, beta=0.6)
    res = simulate_organ(make_scenario(ee=1.0, n_doses=2, interval=24.0, duration=72.0), rel)
    d = 5.0 * res.metadata["body_weight_kg"]
    body = _in_body(res, "encapsulated_drug")
    enc = res.data[res.data.entity == "encapsulated_drug"]
    out = enc[enc.compartment.isin(EXCRETA)].groupby("time")["amount"].sum()
    t = body.index.to_numpy()
    ideal = sum(
        d * np.where(t >= s, 1 - get_release_model("weibull", td=10.0, beta=0.6)
                     .fraction_released(np.maximum(t - s, 0.0)), 0.0)
        for s in (0.0, 24.0)
    )  # fmt: skip
    # tolerance: the hazard is tabulated on an age grid, which misses ~1e-3 D of the singular
    # Weibull hazard at age 0
    tol = 2e-3 * d
    assert (body.to_numpy() <= ideal + tol).all()
    assert (body.to_numpy() >= ideal - out.to_numpy() - tol).all()
    assert out.iloc[-1] < 0.02 * d  # the bound is tight: few carriers were excreted
