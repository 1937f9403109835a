"""f1, f2 and the bootstrap f2, with the FDA (1997) rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nanomed.core.errors import InputError
from nanomed.release.similarity import bootstrap_f2, compare_profiles, f1, f2

TIMES = [0, 15, 30, 45, 60]


def test_f2_worked_examples() -> None:
    """Hand calculations of f2 = 50 log10(100 / sqrt(1 + mean (R - T)^2)).

    - identical profiles: 50 log10(100) = 100;
    - a constant difference D with 1 + D^2 = 100, i.e. D = sqrt(99) = 9.95 %, gives
      50 log10(100/10) = 50 exactly;
    - a constant difference of 10 % gives 50 log10(100/sqrt(101)) = 100 - 25 log10(101)
      = 100 - 25 x 2.0043214 = 49.8920 (so "10 % difference <-> f2 = 50" is approximate).
    """
    r = np.array([20.0, 45.0, 70.0, 82.0])
    assert f2(r, r) == pytest.approx(100.0)
    assert f2(r, r + math.sqrt(99)) == pytest.approx(50.0, abs=1e-12)
    assert f2(r, r - 10) == pytest.approx(49.89196, abs=1e-5)


def test_f1_worked_example() -> None:
    # R = 40, 60, 80; T = 36, 63, 80: sum|R-T| = 4 + 3 + 0 = 7, sum R = 180 -> f1 = 3.888...
    assert f1([40, 60, 80], [36, 63, 80]) == pytest.approx(700 / 180)


def test_85_percent_rule_keeps_one_point_and_zero_is_excluded() -> None:
    s = compare_profiles([0, 10, 20, 30, 45, 60], [0, 50, 80, 90, 95, 99], [0, 45, 86, 92, 96, 98])
    # both >= 85 % first at t = 30: points 10, 20, 30 kept
    np.testing.assert_array_equal(s.times_used, [10, 20, 30])
    assert s.f2 == pytest.approx(f2([50, 80, 90], [45, 86, 92]))
    assert any("dropped" in n for n in s.notes) and s.similar


def test_rule_violations_are_reported() -> None:
    s = compare_profiles([0, 10, 20, 30], [0, 88, 95, 99], [0, 90, 96, 99])
    assert s.times_used.tolist() == [10] and any("at least 3" in v for v in s.violations)
    assert not s.similar
    with pytest.raises(InputError, match="same time points"):
        compare_profiles(
            TIMES, [0, 20, 40, 60, 80], [0, 20, 40, 60, 80], test_times=[0, 10, 30, 45, 60]
        )
    with pytest.raises(InputError, match="same number"):
        f2([1, 2, 3], [1, 2])


def test_cv_and_unit_count_rules() -> None:
    rng = np.random.default_rng(0)
    mean = np.array([0, 30, 55, 75, 84])
    ref = mean + rng.normal(0, 1.0, (12, 5)) * np.array([0, 1, 1, 1, 1])
    noisy = mean + rng.normal(0, 12.0, (6, 5)) * np.array([0, 1, 1, 1, 1])
    ok = compare_profiles(TIMES, ref, ref + 2.0)
    assert ok.violations == [] and ok.similar and ok.cv_reference is not None
    bad = compare_profiles(TIMES, ref, noisy)
    assert any("6 units" in v for v in bad.violations)
    assert any("CV" in v and "later" in v for v in bad.violations)
    assert not bad.similar


def test_bootstrap_f2_percentile_interval() -> None:
    rng = np.random.default_rng(1)
    mean_r = np.array([0, 30, 55, 75, 84])
    ref = mean_r + rng.normal(0, 3.0, (12, 5))
    test = mean_r - 6 + rng.normal(0, 3.0, (12, 5))
    ref[:, 0] = test[:, 0] = 0
    b = bootstrap_f2(TIMES, ref, test, n_boot=1000, seed=3)
    assert b.ci_low < b.f2 < b.ci_high and b.level == 0.9
    assert b.f2 == pytest.approx(f2(ref.mean(0)[1:], test.mean(0)[1:]))
    assert b.samples.shape == (1000,) and np.all(b.samples <= 100)
    again = bootstrap_f2(TIMES, ref, test, n_boot=1000, seed=3)
    assert again.ci_low == b.ci_low
    # a larger difference moves the whole interval below 50
    far = bootstrap_f2(TIMES, ref, test - 15, n_boot=1000, seed=3)
    assert far.ci_high < 50 and not far.similar
    with pytest.raises(InputError, match="unit-level"):
        bootstrap_f2(TIMES, mean_r, mean_r)
