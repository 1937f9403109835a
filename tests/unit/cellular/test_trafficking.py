"""Trafficking and intracellular release: conservation, pH-dependent release, first-order checks."""

import numpy as np
import pytest

from nanomed.cellular.trafficking import CARRIER_STATES, simulate_cell
from nanomed.cellular.uptake import CarrierSurface
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.release.base import ReleaseModel

T = np.linspace(0.0, 48.0, 97)


class AcidFirstOrder(ReleaseModel):
    """Test model: first-order release whose rate grows as the pH falls (k (7.5 - pH))."""

    name = "test_acid_first_order"
    param_specs = (Parameter("k", 0.2, "1/h", (0, None)),)

    def _fraction(self, t, p, env):
        return 1.0 - np.exp(-p["k"] * max(7.5 - env.ph, 0.0) * t)


def test_carriers_and_drug_are_conserved():
    res = simulate_cell(
        CarrierSurface(60.0),
        T,
        release_model=AcidFirstOrder(),
        particles_per_cell=1e4,
        drug_per_carrier=2.0,
    )
    df = res.data
    np.testing.assert_allclose(df[list(CARRIER_STATES)].sum(axis=1), 1e4, rtol=1e-7)
    drug_cols = [c for c in df if c.startswith("drug_")]
    np.testing.assert_allclose(df[drug_cols].sum(axis=1), 2e4, rtol=1e-6)
    assert (df[list(CARRIER_STATES) + drug_cols] >= -1e-6).all().all()


def test_without_release_drug_stays_with_the_carriers():
    res = simulate_cell(CarrierSurface(60.0), T, release_model=None, drug_per_carrier=1.0)
    df = res.data
    # drug per carrier is 1 in every loaded state; degraded carriers free theirs
    for s in CARRIER_STATES[:-1]:
        np.testing.assert_allclose(df[f"drug_{s}"], df[s], atol=1e-5)
    freed = df["drug_free_intracellular"] + df["drug_effluxed"]
    np.testing.assert_allclose(freed, df["degraded"], atol=1e-5)


def test_acidic_compartments_release_faster():
    # the release rate the cell sees follows the compartment pH (lysosome 4.8 < EE 6.2 < cytosol 7.2)
    m = AcidFirstOrder()
    rates = [float(m.release_rate(5.0, env)) for env in ("cytosol", "early_endosome", "lysosome")]
    assert rates[0] < rates[1] < rates[2]
    fast = simulate_cell(CarrierSurface(60.0), T, release_model=m).intracellular_auc()
    slow = simulate_cell(
        CarrierSurface(60.0), T, release_model=AcidFirstOrder(k=0.02)
    ).intracellular_auc()
    assert fast > slow > 0


def test_chain_of_compartments_matches_the_matrix_exponential():
    # carriers only (linear), starting from the cell surface: compare with expm of the same chain
    from scipy.linalg import expm

    from nanomed.cellular.trafficking import TRAFFICKING_PARAMETERS, _transfer_matrix
    from nanomed.cellular.uptake import UptakeModel

    s = CarrierSurface(60.0)
    r = UptakeModel().rates(s)
    p = {q.name: q.value for q in TRAFFICKING_PARAMETERS}
    m = _transfer_matrix(r, p)
    assert np.allclose(m.sum(axis=0), 0.0)  # every column conserves carriers
    res = simulate_cell(s, T, particles_per_cell=1.0)
    y = np.array([expm(m * t) @ np.eye(len(CARRIER_STATES))[0] for t in T[::12]])
    np.testing.assert_allclose(res.data[list(CARRIER_STATES)].to_numpy()[::12], y, atol=1e-7)


def test_bad_input():
    with pytest.raises(InputError, match="particles_per_cell"):
        simulate_cell(CarrierSurface(60.0), T, particles_per_cell=-1.0)


def test_release_clock_in_days_is_converted():
    # the same first-order release written per day must give the same cell
    hours = simulate_cell(CarrierSurface(60.0), T, release_model=AcidFirstOrder(k=0.2))
    days = simulate_cell(
        CarrierSurface(60.0), T, release_model=AcidFirstOrder(k=4.8, time_unit="day")
    )
    np.testing.assert_allclose(
        days.data["drug_free_intracellular"],
        hours.data["drug_free_intracellular"],
        rtol=1e-4,
        atol=1e-8,
    )


def test_exposure_never_falls_as_the_run_gets_longer():
    """∫ free dt over [0, T] cannot fall as T grows (free drug >= 0). A trapezoid over a fixed
    97 output times did: its first step outgrew the drug's peak (0.0102 at 1 000 h, ~1e-5 at
    10 000 h)."""
    aucs = [
        simulate_cell(
            CarrierSurface(60.0), np.linspace(0.0, d, 97), release_model=AcidFirstOrder()
        ).intracellular_auc()
        for d in (48.0, 1e3, 1e4)
    ]
    assert aucs[0] > 0 and np.all(np.diff(aucs) >= -1e-9 * aucs[-1])
