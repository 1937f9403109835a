import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nanomed.ai.hybrid import (
    HybridReleaseModel,
    anchored_weibull,
    curve_parameters,
    few_shot_hybrid,
    torch_curve,
)
from nanomed.core.errors import InputError
from nanomed.release.empirical import EMPIRICAL_MODELS


def _synthetic(n_profiles=24, seed=0):
    """Plateau-Weibull curves whose parameters depend on two formulation features."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n_profiles, 2))
    t = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 7.0, 14.0, 21.0, 28.0])
    td, beta, fmax = 2.0 + 20.0 * x[:, 0], 0.6 + 0.8 * x[:, 1], 0.7 + 0.25 * x[:, 0]
    theta = np.column_stack([td, beta, fmax, np.zeros(n_profiles)])
    F = EMPIRICAL_MODELS["weibull"].function(t, theta)
    X = pd.DataFrame(
        {
            "a": np.repeat(x[:, 0], len(t)),
            "b": np.repeat(x[:, 1], len(t)),
            "Time": np.tile(t, n_profiles),
        }
    )
    return X, F.ravel(), theta


@pytest.fixture(scope="module")
def fitted():
    X, y, _ = _synthetic()
    model = HybridReleaseModel(n_members=2, epochs=250, learning_rate=1e-2, random_state=0)
    return model.fit(X, y), X, y


@pytest.mark.parametrize("form", ["weibull", "double_weibull"])
def test_torch_curve_equals_the_release_library(form):
    # the training copy of the curve must be the library's function(t, theta) (physics once)
    import torch

    rng = np.random.default_rng(1)
    raw = rng.normal(0, 1.5, (7, 6 if form == "double_weibull" else 3))
    theta = curve_parameters(raw, form, log_td0=1.0)
    t = np.array([0.0, 0.1, 1.0, 3.0, 30.0, 200.0])
    ref = EMPIRICAL_MODELS[form].function(t, theta)
    got = torch_curve(torch.as_tensor(np.tile(t, (7, 1))), torch.as_tensor(theta), form).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def test_anchored_weibull_passes_through_the_anchor():
    rng = np.random.default_rng(2)
    raw = rng.normal(0, 2, (50, 3))
    ya = rng.uniform(0.01, 0.9, (50, 1))
    theta = anchored_weibull(raw, 1.0, ya)
    f1 = EMPIRICAL_MODELS["weibull"].function(np.array([1.0]), theta)
    np.testing.assert_allclose(f1, ya, rtol=1e-9)
    assert np.all(theta[:, 2] > ya[:, 0])  # plateau above the anchor


def test_learns_parameter_map_on_unseen_formulations(fitted):
    model, _, _ = fitted
    X, y, _ = _synthetic(8, seed=5)  # new formulations from the same law
    mae = np.mean(np.abs(model.predict(X) - y))
    # a constant mean curve scores > 0.1 here; the learned map must do much better
    baseline = np.mean(np.abs(y - y.mean()))
    assert mae < 0.06 < baseline


def test_std_and_curves_and_parameters(fitted):
    model, X, _ = fitted
    mean, std = model.predict(X.iloc[:20], return_std=True)
    assert mean.shape == std.shape == (20,) and np.all(std >= 0)
    curves = model.predict_curves(X.iloc[:3], np.linspace(0, 40, 9))
    assert curves.shape == (3, 9)
    theta = model.predict_parameters(X.iloc[:3])
    assert theta.shape == (2, 3, 4)
    assert np.all((theta[..., 2] > 0) & (theta[..., 2] < 1))
    assert model.learned_parts()["mechanism"].startswith("weibull")
    # two code paths agree: each row's curve read at its own Time is predict() of that row
    rows = X.iloc[:20]
    times = np.unique(rows["Time"].to_numpy())
    grid = model.predict_curves(rows, times)
    own = grid[np.arange(len(rows)), np.searchsorted(times, rows["Time"].to_numpy())]
    np.testing.assert_allclose(own, mean, rtol=1e-10, atol=1e-12)
    # the warp is monotone and unbounded, so late curves reach the members' mean plateau f_max
    late = model.predict_curves(X.iloc[:3], np.array([0.0, 1e12]))
    np.testing.assert_allclose(late[:, 0], 0.0, atol=1e-12)
    np.testing.assert_allclose(late[:, 1], theta[..., 2].mean(axis=0), rtol=1e-6)


def test_predicted_parameters_through_the_release_function_give_the_curves():
    # without the time warp, the curve is exactly the library Weibull of the predicted theta
    X, y, _ = _synthetic(6)
    model = HybridReleaseModel(
        warp_knots=0, n_members=2, epochs=20, learning_rate=1e-2, random_state=0
    ).fit(X, y)
    t = np.array([0.0, 0.3, 1.0, 5.0, 30.0, 300.0])
    theta = model.predict_parameters(X.iloc[:4])
    ref = np.mean([EMPIRICAL_MODELS["weibull"].function(t, th) for th in theta], axis=0)
    np.testing.assert_allclose(model.predict_curves(X.iloc[:4], t), ref, rtol=1e-10, atol=1e-12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    feats=arrays(np.float64, (5, 2), elements=st.floats(-1e3, 1e3, allow_nan=False)),
    anchor=st.floats(0.0, 1.0),
)
def test_property_curves_monotone_and_bounded(fitted, feats, anchor):
    # any formulation, even far outside the training range: a valid release curve
    model, _, _ = fitted
    grid = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 60)])
    curves = model.predict_curves(
        pd.DataFrame({"a": feats[:, 0], "b": feats[:, 1], "Time": 0.0}), grid
    )
    assert np.all(np.isfinite(curves))
    assert np.all((curves >= 0) & (curves <= 1))
    assert np.all(np.diff(curves, axis=1) >= -1e-12)


@settings(max_examples=25, deadline=None)
@given(
    raw=arrays(np.float64, (4, 8), elements=st.floats(-30, 30, allow_nan=False)),
    ya=st.floats(0.0, 1.0),
)
def test_property_every_curve_form_is_valid(raw, ya):
    # the parameter maps themselves (all forms, warp, anchor) give valid curves for any outputs
    grid = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 40)])
    for form, warp, anchor in [
        ("weibull", 0, None),
        ("double_weibull", 3, None),
        ("weibull", 3, ("a", 1.0)),
    ]:
        m = HybridReleaseModel(form=form, warp_knots=warp, anchor=anchor)
        m.log_td0_ = 1.0
        n = {"weibull": 3, "double_weibull": 6}[form] + warp
        f = m._curve(raw[:, :n], np.tile(grid, (4, 1)), np, np.full((4, 1), ya))
        assert np.all((f >= -1e-12) & (f <= 1 + 1e-12))
        assert np.all(np.diff(f, axis=1) >= -1e-9)


def test_few_shot_factory_and_bad_input():
    m = few_shot_hybrid()
    assert m.anchor == ("T=1.0", 1.0) and m.form == "weibull"
    X, y, _ = _synthetic(4)
    with pytest.raises(InputError, match="anchor"):
        HybridReleaseModel(form="double_weibull", anchor=("a", 1.0)).fit(X, y)
    with pytest.raises(InputError, match="time_column"):
        HybridReleaseModel(time_column="t").fit(X, y)
    bad = X.copy()
    bad.loc[3, "Time"] = -1.0
    with pytest.raises(InputError, match="row 3"):
        HybridReleaseModel(epochs=1, n_members=1).fit(bad, y)
    with pytest.raises(InputError, match="form"):
        HybridReleaseModel(form="spline").fit(X, y)


def test_sklearn_clone_and_params():
    from sklearn.base import clone

    m = HybridReleaseModel(n_members=3, warp_knots=2)
    c = clone(m)
    assert c.get_params()["warp_knots"] == 2 and c.get_params()["n_members"] == 3


def test_cli_hybrid_models_refuse_the_wrong_protocol():
    import typer
    from typer.testing import CliRunner

    from nanomed.cli import ai as ai_cli

    root = typer.Typer()
    ai_cli.register(root)

    @root.callback()
    def _cb():
        pass

    r = CliRunner()
    res = r.invoke(root, ["evaluate", "--protocol", "bannigan_few_shot", "--model", "ai_pbpk"])
    assert res.exit_code == 2 and "nano_tumor" in res.output
    assert "Traceback" not in res.output
    res = r.invoke(root, ["evaluate", "--protocol", "nano_tumor", "--model", "hybrid_release"])
    assert res.exit_code == 2 and "bannigan_few_shot" in res.output
    res = r.invoke(
        root, ["evaluate", "--protocol", "bannigan_few_shot", "--model", "ai_pbpk_published"]
    )
    assert res.exit_code == 2 and "nano_tumor" in res.output


def test_cli_evaluate_published_aipbpk_writes_all_test_and_train_scores(tmp_path):
    import pandas as pd
    import typer
    from typer.testing import CliRunner

    from nanomed.cli import ai as ai_cli

    root = typer.Typer()
    ai_cli.register(root)

    @root.callback()
    def _cb():
        pass

    out = tmp_path / "scores.csv"
    args = ["evaluate", "--protocol", "nano_tumor", "--model", "ai_pbpk_published"]
    res = CliRunner().invoke(root, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(out)
    assert set(scores["subset"]) == {"all", "test", "train"}
    assert set(scores["seed"]) == {2}  # the published split
    assert "AI-PBPK ensemble" in set(scores["method"])
    n = scores.drop_duplicates("subset").set_index("subset")["n"]
    assert n["all"] == n["test"] + n["train"] == 288


class _WeibullOracle:
    """A 'point-wise model' that returns a known plateau Weibull of the features (or noise)."""

    def __init__(self, noisy=False):
        self.noisy = noisy

    def get_params(self, deep=True):
        return {"noisy": self.noisy}

    def set_params(self, **p):
        self.noisy = p.get("noisy", self.noisy)
        return self

    def fit(self, X, y):
        return self

    @staticmethod
    def theta(a, b):
        return np.column_stack([2.0 + 20.0 * a, 0.6 + 0.8 * b, 0.7 + 0.25 * a, 0.0 * a])

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        if self.noisy:  # wildly non-monotone and out of [0, 1]
            return 1.5 * np.sin(3 * X[:, 2]) + X[:, 0]
        th = self.theta(X[:, 0], X[:, 1])
        return EMPIRICAL_MODELS["weibull"].function(X[:, 2:3], th)[:, 0]


def test_projection_recovers_the_weibull_of_an_exact_pointwise_model():
    from nanomed.ai.hybrid import ProjectedReleaseModel

    X, y, theta = _synthetic(6)
    m = ProjectedReleaseModel(estimator=_WeibullOracle()).fit(X, y)
    got = m.predict_parameters(X)
    want = np.repeat(theta, 10, axis=0)
    np.testing.assert_allclose(got[:, :3], want[:, :3], rtol=1e-4)
    np.testing.assert_allclose(m.predict(X), y, atol=1e-6)


def test_projection_of_any_pointwise_model_is_a_valid_curve():
    from nanomed.ai.hybrid import ProjectedReleaseModel

    X, y, _ = _synthetic(5)
    m = ProjectedReleaseModel(estimator=_WeibullOracle(noisy=True)).fit(X, y)
    grid = np.linspace(0, 60, 121)
    rows = X.iloc[[0] * grid.size].assign(Time=grid)
    f = m.predict(rows)
    assert np.all((f >= 0) & (f <= 1)) and np.all(np.diff(f) >= -1e-12)


def test_state_round_trip_gives_identical_predictions(fitted, tmp_path):
    # JSON + arrays only (the modelio format, no pickle)
    import json

    model, X, _ = fitted
    meta, arrays = model.to_state()
    json.dumps(meta)
    np.savez(tmp_path / "h.npz", **arrays)
    with np.load(tmp_path / "h.npz", allow_pickle=False) as npz:
        back = HybridReleaseModel.from_state(json.loads(json.dumps(meta)), dict(npz))
    back.feature_names_in_ = model.feature_names_in_
    np.testing.assert_array_equal(back.predict(X), model.predict(X))


def test_text_in_a_feature_is_refused_not_turned_into_nan():
    X, y, _ = _synthetic(3)
    X = X.astype({"a": object})
    X.loc[4, "a"] = "PLGA"
    with pytest.raises(InputError, match="row 4, column 'a'"):
        HybridReleaseModel(epochs=1, n_members=1).fit(X, y)


def test_hybrid_model_file_round_trip(tmp_path):
    """A trained hybrid saves to the no-pickle model file and predicts identically after loading."""
    import numpy as np
    import pandas as pd

    from nanomed.ai.hybrid import HybridReleaseModel
    from nanomed.ai.modelio import load_model, save_model

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.uniform(0, 1, 60), "Time": rng.uniform(0, 10, 60)})
    y = 1 - np.exp(-(X["Time"] / (2 + 3 * X["a"])))
    model = HybridReleaseModel(epochs=5, n_members=2, hidden=(8,), random_state=0).fit(X, y)
    path = save_model(model, tmp_path / "hybrid", {"note": "test"})
    loaded, card = load_model(path)
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    assert card["note"] == "test"
