"""Emax/Hill survival and the Hill kill-rate model."""

import numpy as np
import pytest

from nanomed.cellular.cytotoxicity import EmaxHill, kill_survival
from nanomed.core.errors import InputError


def test_hill_limits_and_midpoint():
    m = EmaxHill(emax=0.8, ec50=3.0, hill=2.0)
    assert float(m.survival(0.0)) == 1.0
    assert float(m.effect(3.0)) == pytest.approx(0.4)  # half of Emax at EC50
    assert float(m.survival(1e9)) == pytest.approx(0.2, abs=1e-9)
    e = np.linspace(0, 30, 50)
    assert np.all(np.diff(m.survival(e)) < 0)


def test_extreme_ec50_gives_the_limits_not_nan():
    # (E/EC50)^n overflowed for EC50 = 1e-300 and survival was NaN (an empty cell in the CSV)
    assert float(EmaxHill(emax=0.9, ec50=1e-300, hill=1.5).survival(0.01)) == pytest.approx(0.1)
    assert float(EmaxHill(emax=0.9, ec50=1e300, hill=1.5).survival(0.01)) == 1.0
    assert float(EmaxHill(emax=0.9, ec50=1e-300, hill=1.5).survival(0.0)) == 1.0


def test_kill_survival_constant_exposure_is_exponential():
    t = np.linspace(0, 24, 25)
    s = kill_survival(t, np.full_like(t, 2.0), kmax_per_h=0.3, ec50=2.0, hill=1.0)
    np.testing.assert_allclose(s, np.exp(-0.15 * t), rtol=1e-12)


def test_bad_parameters():
    with pytest.raises(InputError, match="emax"):
        EmaxHill(emax=1.5)
    with pytest.raises(InputError, match="ec50"):
        EmaxHill(ec50=0.0)
    with pytest.raises(InputError, match="exposure"):
        EmaxHill().survival(-1.0)
