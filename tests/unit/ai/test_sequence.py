import numpy as np
import pandas as pd
import pytest

from nanomed.ai.hybrid import HybridReleaseModel
from nanomed.ai.sequence import BayesianWeibull, ReleaseCurveSet, ReleaseForecaster
from nanomed.core.errors import InputError
from nanomed.release.empirical import EMPIRICAL_MODELS

T = np.array([0.0, 0.5, 1.0, 2.0, 4.0, 7.0, 10.0, 14.0, 21.0, 28.0])


def _weibull(t, td, beta, fmax):
    return EMPIRICAL_MODELS["weibull"].function(t, np.array([[td, beta, fmax, 0.0]]))[0]


def _curves(n=30, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 2))
    fr = [
        np.clip(
            _weibull(T, 2 + 15 * a, 0.7 + 0.6 * b, 0.6 + 0.35 * a) + rng.normal(0, noise, T.size),
            0,
            1,
        )
        for a, b in x
    ]
    return ReleaseCurveSet(list(range(n)), x, [T] * n, fr)


@pytest.fixture(scope="module")
def gru():
    return ReleaseForecaster(hidden=12, epochs=120, random_state=0).fit(_curves())


def test_gru_forecast_is_monotone_bounded_and_starts_from_the_last_point(gru):
    rng = np.random.default_rng(3)
    for _ in range(10):
        x = rng.uniform(-3, 3, 2)
        k = int(rng.integers(1, 6))
        f_obs = np.sort(rng.uniform(0, 1, k))
        f = gru.forecast(x, T[1 : k + 1], f_obs, T[k + 1 :])
        assert f.shape == (T.size - k - 1,)
        assert np.all(np.diff(f) >= -1e-7) and f.min() >= f_obs[-1] - 1e-6 and f.max() <= 1


def test_gru_learns_to_forecast(gru):
    # held-out formulations from the same law: better than carrying the last value forward
    test = _curves(10, seed=9)
    err, naive = [], []
    for x, t, f in zip(test.features, test.times, test.fractions, strict=True):
        pred = gru.forecast(x, t[1:3], f[1:3], t[3:])
        err += list(np.abs(pred - f[3:]))
        naive += list(np.abs(f[2] - f[3:]))
    assert np.mean(err) < 0.6 * np.mean(naive)


def test_gru_update_uses_new_points(gru):
    x, t = np.array([0.5, 0.5]), T
    low = gru.forecast(x, t[1:4], [0.01, 0.02, 0.03], t[4:])
    high = gru.forecast(x, t[1:4], [0.2, 0.35, 0.5], t[4:])
    assert np.all(high > low)


@pytest.fixture(scope="module")
def bayes():
    hyb = HybridReleaseModel(
        form="weibull",
        warp_knots=0,
        time_column=-1,
        n_members=1,
        epochs=300,
        learning_rate=1e-2,
        random_state=0,
    )
    return BayesianWeibull(hyb).fit(_curves(noise=0.02))


def test_bayesian_update_shrinks_to_prior_and_follows_data(bayes):
    x = np.array([0.3, 0.6])
    # no data: the posterior is the prior mean (the hybrid's prediction)
    np.testing.assert_allclose(bayes.posterior(x, [], []), bayes._prior_mean(x)[0])
    # many exact points from a given curve: the MAP recovers that curve
    t = np.linspace(0.25, 40, 60)
    truth = _weibull(t, 6.0, 0.9, 0.8)
    z = bayes.posterior(x, t, truth)
    np.testing.assert_allclose(
        _weibull(t, *np.exp(z[:2]), 1 / (1 + np.exp(-z[2]))), truth, atol=0.01
    )
    assert bayes.noise_var_ == pytest.approx(0.02**2, rel=0.5)  # the simulated noise


def test_bayesian_forecast_improves_with_points(bayes):
    # curves whose formulation says nothing about them (features shuffled): only the measured
    # points can tell the curve apart from the population
    test = _curves(12, seed=4, noise=0.01)
    test.features = test.features[::-1].copy()
    # seven points up to 14 days: the update must beat the prior on the last two (21, 28 days)
    e = {k: [] for k in (0, 7)}
    for x, t, f in zip(test.features, test.times, test.fractions, strict=True):
        for k in e:
            e[k] += list(np.abs(bayes.forecast(x, t[1 : k + 1], f[1 : k + 1], t[8:]) - f[8:]))
    assert np.mean(e[7]) < 0.9 * np.mean(e[0])


def test_curve_set_from_frame_and_errors():
    df = pd.DataFrame(
        {
            "profile_id": ["a", "a", "b", "b"],
            "time": [1.0, 2.0, 0.0, 3.0],
            "fraction_released": [0.2, 0.4, 0.0, 0.5],
            "x": [1.0, 1.0, 2.0, 2.0],
        }
    )
    cs = ReleaseCurveSet.from_frame(df, ["x"])
    assert len(cs) == 2 and cs.times[0][0] == 0.0 and cs.fractions[0][0] == 0.0  # (0, 0) added
    with pytest.raises(InputError, match="strictly increasing"):
        ReleaseCurveSet.from_frame(df.assign(time=[1.0, 1.0, 0.0, 3.0]), ["x"])
    with pytest.raises(InputError, match="lacks columns"):
        ReleaseCurveSet.from_frame(df, ["y"])
    with pytest.raises(InputError, match="not fitted"):
        ReleaseForecaster().forecast([1.0], [1.0], [0.1], [2.0])
