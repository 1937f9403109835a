"""Release-curve physics features, the inner-CV blend and the isotonic profile projection."""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor

from nanomed.ai.datasets import load_dataset
from nanomed.ai.features import ReleaseCurveFeatures, SizeScaledTimeFeatures
from nanomed.ai.hybrid import IsotonicReleaseModel
from nanomed.ai.protocols import InnerCVBlend, build_model
from nanomed.core.errors import DataError, InputError

EARLY = ["T=0.25", "T=0.5", "T=1.0"]


def _rows(f_early: list[list[float]], times: list[float]) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(f_early), columns=EARLY).assign(Time=times)


def test_curve_features_recover_exact_laws_through_the_early_points():
    # first order with k = 0.4 /d: the fit through (0, 0) and three exact points is exact
    k, t = 0.4, np.array([0.25, 0.5, 1.0])
    first = list(1 - np.exp(-k * t))
    # Weibull with td = 3 d, beta = 0.7 (Langenbucher 1972)
    weib = list(1 - np.exp(-((t / 3.0) ** 0.7)))
    out = ReleaseCurveFeatures().fit_transform(_rows([first, weib], [5.0, 10.0]))
    assert np.exp(out["first_order_log_k"].iloc[0]) == pytest.approx(k, rel=1e-4)
    assert out["first_order_at_t"].iloc[0] == pytest.approx(1 - np.exp(-k * 5.0), rel=1e-4)
    assert np.exp(out["weibull_log_td"].iloc[1]) == pytest.approx(3.0, rel=1e-3)
    assert out["weibull_beta"].iloc[1] == pytest.approx(0.7, rel=1e-3)
    assert out["weibull_at_t"].iloc[1] == pytest.approx(1 - np.exp(-((10 / 3.0) ** 0.7)), rel=1e-3)
    # Higuchi: least squares through the origin in sqrt(t), extrapolated and bounded by 1
    kh = np.sum(np.sqrt(t) * weib) / np.sum(t)
    assert out["higuchi_kH"].iloc[1] == pytest.approx(kh, rel=1e-4)
    assert out["higuchi_at_t"].iloc[1] == pytest.approx(min(kh * np.sqrt(10.0), 1.0), rel=1e-4)


def test_curve_features_use_only_each_rows_own_inputs():
    ds = load_dataset("bannigan_few_shot")
    X = ds.X.iloc[::7]
    y = ds.y.iloc[::7].to_numpy()
    rng = np.random.default_rng(0)
    a = ReleaseCurveFeatures().fit(X, y).transform(X)
    b = ReleaseCurveFeatures().fit(X, rng.permutation(y)).transform(X)  # target permuted
    pd.testing.assert_frame_equal(a, b)
    part = ReleaseCurveFeatures().fit(X).transform(X.iloc[::3])  # other rows absent
    pd.testing.assert_frame_equal(part, a.iloc[::3])
    added = [c for c in a.columns if c not in X.columns]
    assert np.isfinite(a[added].to_numpy()).all()
    at_t = a[[c for c in added if c.endswith("_at_t")]].to_numpy()
    assert (at_t >= 0).all() and (at_t <= 1).all()


def test_curve_features_reject_bad_early_points():
    with pytest.raises(DataError, match="row 1"):
        ReleaseCurveFeatures().fit_transform(_rows([[0.1, 0.2, 0.3], [0.1, np.nan, 0.3]], [1, 2]))
    with pytest.raises(InputError, match="unknown laws"):
        ReleaseCurveFeatures(laws=["zero_order_typo"]).fit(_rows([[0.1, 0.2, 0.3]], [1.0]))


def test_diffusion_scaled_time_collapses_fickian_release_of_spheres_of_any_size():
    """Crank's sphere (an independent model of nanomed.release) releases alike at equal
    t·(S/V)², whatever the radius; the unscaled time does not collapse the curves."""
    from nanomed.release.diffusion import FickianSphere

    radii = np.array([50.0, 200.0, 1000.0])  # nm; S/V = 3/r of a sphere
    sv = 3.0 / radii
    scaled = np.array([1e-4, 1e-3, 5e-3])  # t·(S/V)², h/nm²
    rows = []
    for r, s_v in zip(radii, sv, strict=True):
        t = scaled / s_v**2
        f = FickianSphere(diffusivity=1e-15, radius=r).fraction_released(t)
        rows.append(f)
        out = SizeScaledTimeFeatures().fit_transform(pd.DataFrame({"Time": t, "SA-V": s_v}))
        np.testing.assert_allclose(out["diffusion_scaled_time"], scaled)
        np.testing.assert_allclose(out["erosion_scaled_time"], t * s_v)
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-9)
    np.testing.assert_allclose(rows[0], rows[2], rtol=1e-9)
    assert 0.05 < rows[0][0] < rows[0][-1] < 1.0  # a real range of the curve, not 0 or 1
    same_t = FickianSphere(diffusivity=1e-15, radius=200.0).fraction_released(
        scaled[1] / sv[0] ** 2
    )
    assert abs(same_t - rows[0][1]) > 0.1


def test_size_scaled_time_rejects_bad_rows_and_saves_without_pickle(tmp_path):
    from nanomed.ai.modelio import load_model, save_model

    with pytest.raises(DataError, match="row 1: SA-V must be finite and > 0"):
        SizeScaledTimeFeatures().fit_transform(pd.DataFrame({"Time": [1, 2], "SA-V": [3, 0]}))
    with pytest.raises(DataError, match="row 0: Time must be finite and >= 0"):
        SizeScaledTimeFeatures().fit_transform(pd.DataFrame({"Time": [-1.0], "SA-V": [3]}))
    with pytest.raises(DataError, match="need columns"):
        SizeScaledTimeFeatures().fit(pd.DataFrame({"Time": [1.0]}))
    ds = load_dataset("bannigan_zero_shot")
    X, y = ds.X.iloc[::10], ds.y.iloc[::10]
    model = build_model("bannigan_zero_shot", "scaled_random_forest", n_estimators=10).fit(X, y)
    assert list(model.named_steps) == ["scaled_time", "model"]
    loaded, _ = load_model(save_model(model, tmp_path / "scaled"))
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    with pytest.raises(InputError, match="release protocols"):
        build_model("nano_tumor", "scaled_random_forest")


def test_log_time_makes_korsmeyer_peppas_linear_and_rejects_bad_times(tmp_path):
    from nanomed.ai.features import LogTimeFeatures
    from nanomed.ai.modelio import load_model, save_model

    # Korsmeyer-Peppas F = k t^n (Ritger & Peppas 1987) is a straight line of slope n in ln t:
    # with a negligible offset the transformed time carries it exactly
    t = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    X = pd.DataFrame({"Time": t, "x": 1.0})
    z = LogTimeFeatures(offset=1e-12).fit_transform(X)["Time"].to_numpy()
    slope = np.polyfit(z, np.log(0.1 * t**0.45), 1)[0]
    assert slope == pytest.approx(0.45, rel=1e-9)
    # t = 0 stays finite with the default offset (1 h = 1/24 day)
    f = LogTimeFeatures().fit(X)
    assert f.transform(X.assign(Time=0.0))["Time"].iloc[0] == pytest.approx(np.log(1 / 24))
    with pytest.raises(DataError, match=r"row 1: Time must be finite and >= 0"):
        f.transform(X.assign(Time=[1.0, -2.0, 1.0, 1.0, 1.0]))
    with pytest.raises(InputError, match="offset"):
        LogTimeFeatures(offset=0.0).fit(X)
    with pytest.raises(DataError, match="Time"):
        LogTimeFeatures().fit(X.drop(columns="Time"))
    loaded, _ = load_model(save_model(f, tmp_path / "logt"))
    pd.testing.assert_frame_equal(loaded.transform(X), f.transform(X))


def test_isotonic_projection_is_monotone_bounded_and_label_free():
    rng = np.random.default_rng(1)
    n = 60
    X = pd.DataFrame({"x": np.repeat([0.0, 1.0, 2.0], n // 3), "Time": rng.uniform(0, 30, n)})
    y = rng.uniform(-0.3, 1.3, n)  # noisy, non-monotone, out of [0, 1]
    knn = KNeighborsRegressor(3)
    model = IsotonicReleaseModel(knn).fit(X, y)
    pred = model.predict(X)
    assert (pred >= 0).all() and (pred <= 1).all()
    for x in (0.0, 1.0, 2.0):
        rows = (X["x"] == x).to_numpy()
        order = np.argsort(X["Time"].to_numpy()[rows])
        assert (np.diff(pred[rows][order]) >= -1e-12).all()
    # a projection onto a convex set (monotone curves in [0, 1]) never moves predictions away
    # from a curve in that set: squared error to a monotone truth can only decrease
    truth = 1 - np.exp(-X["Time"].to_numpy() / (5 + 5 * X["x"].to_numpy()))
    raw = knn.fit(X, y).predict(X)
    assert np.sum((pred - truth) ** 2) <= np.sum((raw - truth) ** 2)


def test_isotonic_anchors_keep_each_profile_through_its_measured_early_points():
    # a model that predicts 0.2 everywhere, for profiles measured at 0.1 / 0.3 / 0.5 by 1 day:
    # cumulative release cannot fall, so after 1 day the profile must stay >= 0.5, and before
    # 0.25 day it must stay <= 0.1; anchors are inputs of the row, never labels
    times = [0.1, 0.4, 2.0, 10.0]
    X = _rows([[0.1, 0.3, 0.5]] * 4 + [[0.01, 0.02, 0.05]] * 4, times * 2)
    flat = DummyRegressor(strategy="constant", constant=0.2)
    anchors = dict(zip([0.25, 0.5, 1.0], EARLY, strict=True))
    plain = IsotonicReleaseModel(flat).fit(X, np.zeros(8)).predict(X)
    pred = IsotonicReleaseModel(flat, anchors=anchors).fit(X, np.zeros(8)).predict(X)
    np.testing.assert_allclose(plain, 0.2)
    np.testing.assert_allclose(pred[:4], [0.1, 0.2, 0.5, 0.5], atol=1e-5)
    # the slow profile lies below the prediction after its anchors: pulled down to 0.2 only
    # where no anchor bounds it from above (t > 1 day), held below the next anchor before
    np.testing.assert_allclose(pred[4:], [0.01, 0.02, 0.2, 0.2], atol=1e-5)


def test_isotonic_anchor_outside_zero_one_names_the_row_and_column():
    X = _rows([[0.1, 0.3, 1.5]], [2.0])
    model = IsotonicReleaseModel(DummyRegressor(), anchors={1.0: "T=1.0"}).fit(
        _rows([[0.1, 0.3, 0.5]], [2.0]), [0.6]
    )
    with pytest.raises(InputError, match=r"row 0: anchor column 'T=1.0'"):
        model.predict(X)
    with pytest.raises(InputError, match="anchor at t=1"):
        IsotonicReleaseModel(DummyRegressor(), anchors={1.0: "T=2.0"}).fit(X, [0.6])


def test_inner_cv_blend_weights_follow_out_of_fold_error():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 2))
    y = 3 * X[:, 0] + rng.normal(0, 0.1, 120)
    m = InnerCVBlend([("mean", DummyRegressor()), ("line", LinearRegression())]).fit(X, y)
    assert m.weights_.sum() == pytest.approx(1.0)
    assert m.weights_[1] == pytest.approx(1.0)
    assert m.member_oof_mae_[1] < m.member_oof_mae_[0]


def test_inner_cv_blend_with_groups_rejects_a_member_that_memorises_groups():
    # y depends on the group only: 1-NN on the group id is perfect within groups, useless
    # across them. Grouped inner CV must see that; ungrouped CV (a planted leak) does not.
    rng = np.random.default_rng(3)
    groups = rng.permutation(np.repeat(np.arange(20), 10))  # shuffled: KFold mixes groups
    level = rng.normal(size=20)
    X = np.column_stack([groups.astype(float), 1e-3 * rng.normal(size=200)])
    y = level[groups] + rng.normal(0, 0.01, 200)
    members = [("mean", DummyRegressor()), ("memorise", KNeighborsRegressor(1))]
    leaky = InnerCVBlend(members).fit(X, y)
    grouped = InnerCVBlend(members).fit(X, y, groups=groups)
    assert leaky.weights_[1] == pytest.approx(1.0)
    assert grouped.weights_[1] < 0.5


def test_blend_models_build_and_fit_on_release_rows():
    ds = load_dataset("bannigan_few_shot")
    keep = ds.groups.isin(ds.groups.unique()[:8]).to_numpy()
    X, y, g = ds.X[keep].iloc[::2], ds.y[keep].iloc[::2], ds.groups[keep].iloc[::2]
    model = build_model("bannigan_few_shot", "curve_blend").fit(X, y, groups=g.to_numpy())
    pred = model.predict(X)
    assert (pred >= 0).all() and (pred <= 1).all()
    assert model.estimator_.weights_.sum() == pytest.approx(1.0)
    assert np.abs(pred - y.to_numpy()).mean() < np.abs(y - y.mean()).mean()
    scaled = build_model("bannigan_few_shot", "scaled_curve_blend")
    assert all("scaled_time" in m.named_steps for _, m in scaled.estimator.estimators)
    with pytest.raises(InputError, match="early-release"):
        build_model("bannigan_zero_shot", "curve_blend")
    with pytest.raises(InputError, match="release protocols"):
        build_model("nano_tumor", "blend")


def test_blend_model_file_round_trip(tmp_path):
    """The grouped blend with its isotonic projection saves to the no-pickle model file and
    predicts identically after loading (weights, members and features restored)."""
    import numpy as np
    from sklearn.pipeline import Pipeline

    from nanomed.ai.datasets import load_dataset
    from nanomed.ai.estimators import LightGBMModel, RandomForestModel
    from nanomed.ai.features import ReleaseCurveFeatures
    from nanomed.ai.hybrid import IsotonicReleaseModel
    from nanomed.ai.modelio import load_model, save_model
    from nanomed.ai.protocols import PROTOCOLS, InnerCVBlend, model_inputs

    ds = load_dataset("bannigan_few_shot")
    groups = np.asarray(ds.groups)
    keep = np.isin(groups, np.unique(groups)[:8])
    X, y = model_inputs(PROTOCOLS["bannigan_few_shot"], ds)[keep], ds.y[keep]
    members = [
        ("rf", RandomForestModel(n_estimators=10, random_state=0)),
        ("gbm", LightGBMModel(n_estimators=20, objective="l1", random_state=0)),
    ]
    blend = InnerCVBlend(
        [(n, Pipeline([("curve", ReleaseCurveFeatures()), ("model", m)])) for n, m in members],
        n_splits=4,
    )
    anchors = {0.25: "T=0.25", 0.5: "T=0.5", 1.0: "T=1.0"}
    model = IsotonicReleaseModel(blend, anchors=anchors).fit(X, y, groups=groups[keep])
    loaded, _ = load_model(save_model(model, tmp_path / "blend"))
    assert loaded.anchors == anchors
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    np.testing.assert_array_equal(model.estimator_.weights_, loaded.estimator_.weights_)


def test_higuchi_clock_is_the_higuchi_law_from_the_table_columns(tmp_path):
    """The feature equals Higuchi's F/√D written out from the row's own columns (GSE solubility,
    load from DLC × density), and a DLC of 0 falls back to the initial drug/matrix ratio."""
    from nanomed.ai.features import HiguchiFeatures
    from nanomed.ai.modelio import load_model, save_model

    X = pd.DataFrame(
        {"Time": [1.0, 4.0, 9.0], "SA-V": [3.0, 3.0, 0.5], "DLC": [0.2, 0.2, 0.0],
         "Initial D/M ratio": [0.25, 0.25, 1.0], "Drug_Tm": [216.5, 216.5, 20.0],
         "Drug_LogP": [3.7357, 3.7357, 1.0], "Drug_Mw": [853.9, 853.9, 100.0]}
    )  # fmt: skip
    f = HiguchiFeatures().fit(X)
    clock = f.transform(X)["higuchi_clock"].to_numpy()
    cs = 10 ** (0.5 - 0.01 * (X["Drug_Tm"].clip(lower=25) - 25) - X["Drug_LogP"]) * X["Drug_Mw"]
    a = np.array([0.2, 0.2, 0.5]) * 1200.0  # row 3: DLC 0 -> r / (1 + r) = 0.5
    expected = X["SA-V"] * np.sqrt(cs * (2 * a - cs) * X["Time"]) / a
    np.testing.assert_allclose(clock, expected, rtol=1e-12)
    assert clock[1] == pytest.approx(2 * clock[0])  # the √t law
    with pytest.raises(DataError, match="row 1: DLC must be finite and in"):
        f.transform(X.assign(DLC=[0.2, 1.5, 0.1]))
    with pytest.raises(DataError, match="row 2: DLC and Initial D/M ratio are both 0"):
        f.transform(X.assign(**{"Initial D/M ratio": [0.25, 0.25, 0.0]}))
    with pytest.raises(InputError, match="matrix_density"):
        HiguchiFeatures(matrix_density_g_cm3=0.0).fit(X)
    loaded, _ = load_model(save_model(f, tmp_path / "higuchi"))
    pd.testing.assert_frame_equal(loaded.transform(X), f.transform(X))


def test_higuchi_law_with_a_diffusivity_is_the_released_fraction(tmp_path):
    """With the drug's diffusivity, the feature is log10 of Higuchi's released fraction
    (release.matrix.higuchi_fraction, D in cm²/s turned into cm²/day), NaN where D is unknown."""
    from nanomed.ai.features import HiguchiFeatures
    from nanomed.ai.modelio import load_model, save_model
    from nanomed.release.matrix import higuchi_fraction

    X = pd.DataFrame(
        {"Time": [0.0, 1.0, 4.0, 4.0], "SA-V": [30.0, 30.0, 30.0, 30.0], "DLC": [0.2] * 4,
         "Initial D/M ratio": [0.25] * 4, "Drug_Tm": [216.5] * 4, "Drug_LogP": [3.7357] * 4,
         "Drug_Mw": [853.9] * 4, "log_d_matrix": [-12.0, -12.0, -12.0, np.nan]}
    )  # fmt: skip
    f = HiguchiFeatures(diffusivity_column="log_d_matrix").fit(X)
    out = f.transform(X)
    assert list(out.columns[-2:]) == ["higuchi_clock", "log_higuchi_fraction"]
    cs = 10 ** (0.5 - 0.01 * (216.5 - 25) - 3.7357) * 853.9
    # F ≪ 1 here (no cap): 1e-12 cm²/s × 86 400 s/day over 1 and 4 days
    frac = higuchi_fraction(X["Time"][1:3], 30.0, cs, 0.2 * 1200.0, 1e-12 * 86400.0)
    assert frac.max() < 0.5
    np.testing.assert_allclose(out["log_higuchi_fraction"][1:3], np.log10(frac), rtol=1e-12)
    assert out["log_higuchi_fraction"][0] == -30.0 and np.isnan(out["log_higuchi_fraction"][3])
    assert HiguchiFeatures().fit(X).get_feature_names_out()[-1] == "higuchi_clock"
    with pytest.raises(InputError, match="seconds_per_time_unit"):
        HiguchiFeatures(diffusivity_column="log_d_matrix", seconds_per_time_unit=0).fit(X)
    loaded, _ = load_model(save_model(f, tmp_path / "law"))
    pd.testing.assert_frame_equal(loaded.transform(X), out)


def test_higuchi_law_prefix_runs_after_the_molecular_step():
    blend = build_model("bannigan_few_shot", "hydrolysis_molecular_higuchi_law_curve_blend")
    steps = [s for s, _ in blend.estimator.estimators[0][1].steps]
    assert steps == ["kinetic", "curve", "molecular", "hydrolysis", "higuchi", "model"]
    # the zero-shot winner keeps its features: higuchi_ is not read as higuchi_law_
    model = build_model("bannigan_zero_shot", "molecular_higuchi_random_forest")
    assert model.named_steps["higuchi"].diffusivity_column is None
    with pytest.raises(InputError, match="higuchi_law_\\* models need the molecular_ prefix"):
        build_model("bannigan_few_shot", "higuchi_law_curve_blend")


def test_physics_prefixes_combine_and_stay_on_the_release_protocols():
    model = build_model("bannigan_zero_shot", "higuchi_scaled_random_forest")
    assert list(model.named_steps) == ["higuchi", "scaled_time", "model"]
    blend = build_model("bannigan_few_shot", "higuchi_curve_blend").estimator
    assert [s for s, _ in blend.estimators[0][1].steps] == ["kinetic", "curve", "higuchi", "model"]
    with pytest.raises(InputError, match="higuchi_\\* models are defined for the release"):
        build_model("nano_tumor", "higuchi_random_forest")


def test_hydrolysis_clock_from_the_library_rates(tmp_path):
    """k_h·t = ln(M_w0/M_w(t)) with k_h from the materials library (PLGA by its LA:GA ratio),
    stand-ins for polymers without a rate, and a clear error for an unknown one."""
    from nanomed.ai.features import HydrolysisFeatures
    from nanomed.ai.modelio import load_model, save_model
    from nanomed.materials import get_material
    from nanomed.release.erosion import hydrolysis_rate_from_la_ga

    X = pd.DataFrame(
        {"Time": [7.0, 7.0, 7.0, 14.0], "Polymer": ["PLGA", "PLGA-co-PAVL", "PVL-co-PAVL", "PLA"],
         "LA/GA": [1.0, 3.0, 0.0, 0.0]}
    )  # fmt: skip
    f = HydrolysisFeatures().fit(X)
    out = f.transform(X)
    assert "Polymer" not in out and list(out.columns) == f.get_feature_names_out()
    pcl = get_material("PCL").properties["hydrolysis_rate_1_per_day"].value
    pla = get_material("PLA").properties["hydrolysis_rate_1_per_day"].value
    expected = [24 * 7 * hydrolysis_rate_from_la_ga(1.0), 24 * 7 * hydrolysis_rate_from_la_ga(3.0),
                7 * pcl, 14 * pla]  # fmt: skip
    np.testing.assert_allclose(out["hydrolysis_extent"], expected, rtol=1e-12)
    assert expected[0] > expected[1]  # 50:50 degrades faster than 75:25 (Middleton & Tipton 2000)
    lower = f.transform(X.assign(Polymer=["plga", "PLGA-co-PAVL", "pvl-co-pavl", " pla "]))
    pd.testing.assert_frame_equal(lower, out)  # names are matched ignoring case and spaces
    hours = HydrolysisFeatures(time_unit="h").fit(X).transform(X.assign(Time=X["Time"] * 24))
    np.testing.assert_allclose(hours["hydrolysis_extent"], expected, rtol=1e-12)
    with pytest.raises(DataError, match=r"row 1: Polymer 'PEG' has no hydrolysis rate \(known"):
        f.transform(X.assign(Polymer=["PLA", "PEG", "PLA", "PLA"]))
    with pytest.raises(DataError, match="row 0: PLGA: la_ga_ratio"):
        f.transform(X.assign(**{"LA/GA": [0.5, 3.0, 0.0, 0.0]}))
    with pytest.raises(DataError, match="need columns"):
        HydrolysisFeatures().fit(X.drop(columns="Polymer"))
    loaded, _ = load_model(save_model(f, tmp_path / "hydrolysis"))
    pd.testing.assert_frame_equal(loaded.transform(X), out)


def test_hydrolysis_models_get_the_polymer_column():
    from nanomed.ai.protocols import PROTOCOLS, model_inputs

    ds = load_dataset("bannigan_zero_shot")
    assert set(ds.frame["Polymer"]) == {"PLGA", "PLA", "PCL", "PEA", "PVL-co-PAVL", "PLA-co-PALA",
                                        "PLGA-co-PALA", "PLGA-co-PAVL"}  # fmt: skip
    p = PROTOCOLS["bannigan_zero_shot"]
    assert "Polymer" not in model_inputs(p, ds, "random_forest")  # the published inputs are kept
    X = model_inputs(p, ds, "hydrolysis_random_forest")
    model = build_model("bannigan_zero_shot", "hydrolysis_random_forest", n_estimators=5)
    assert list(model.named_steps) == ["hydrolysis", "model"]
    model.fit(X.iloc[::20], ds.y.iloc[::20])
    assert np.isfinite(model.predict(X.iloc[:50])).all()


def test_bannigan_drug_structures_reproduce_the_tabulated_descriptors():
    """Each drug code of the Bannigan tables gets a structure; RDKit's molar mass, TPSA and
    Crippen log P of it equal the published Drug_Mw, Drug_TPSA and Drug_LogP (Bannigan et al.,
    Nat Commun 14:35, 2023), which were not used to write the SMILES."""
    pytest.importorskip("rdkit")
    from rdkit import Chem
    from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

    ds = load_dataset("bannigan_few_shot")
    rows = ds.frame.drop_duplicates("DP_Group")
    assert rows["Drug_SMILES"].notna().all() and rows["Drug_SMILES"].nunique() == 22
    for _, r in rows.iterrows():
        mol = Chem.MolFromSmiles(r["Drug_SMILES"])
        assert Descriptors.MolWt(mol) == pytest.approx(r["Drug_Mw"], abs=0.011), r["DP_Group"]
        assert rdMolDescriptors.CalcTPSA(mol) == pytest.approx(r["Drug_TPSA"], abs=0.006)
        assert Crippen.MolLogP(mol) == pytest.approx(r["Drug_LogP"], abs=0.006), r["DP_Group"]


def test_molecular_features_are_the_molecular_profile_of_drug_and_polymer(tmp_path):
    """The featuriser writes the molecular scale's values (no second copy of the physics): χ from
    Hansen parameters, χ − χ_c, log10 loading capacity, log partition and log10 D in the matrix;
    stand-in polymers, parent molecules of salts, NaN with a warning for an uncovered group."""
    pytest.importorskip("rdkit")
    from nanomed.ai.features import MolecularFeatures
    from nanomed.ai.modelio import load_model, save_model
    from nanomed.molecular import molecular_profile

    X = pd.DataFrame(
        {"Drug_SMILES": ["CC(=O)Nc1ccc(O)cc1", "CC(=O)Nc1ccc(O)cc1", "CC(=O)Nc1ccc(O)cc1.O"],
         "Polymer": ["PLGA-co-PAVL", "PVL-co-PAVL", "pcl"], "Polymer_MW": [10200.0, 15000.0, 15000.0],
         "Time": [1.0, 2.0, 3.0]}
    )  # fmt: skip
    f = MolecularFeatures().fit(X)
    out = f.transform(X)
    assert list(out.columns) == f.get_feature_names_out()
    assert "Drug_SMILES" not in out and "Polymer" not in out
    for i, (carrier, mw) in enumerate([("PLGA", 10200.0), ("PCL", 15000.0), ("PCL", 15000.0)]):
        p = molecular_profile("CC(=O)Nc1ccc(O)cc1", carrier, polymer_mw=mw)
        expected = [p["chi"].value, p["chi"].value - p["chi_critical"].value,
                    np.log10(p["loading_mass_fraction"].value), p["log_partition"].value,
                    np.log10(p["d_matrix"].value)]  # fmt: skip
        np.testing.assert_allclose(out.iloc[i, -5:].to_numpy(float), expected, rtol=1e-12)
    # PVL stands in as PCL, a hydrate as its parent: rows 1 and 2 are the same
    np.testing.assert_array_equal(out.iloc[1, -5:], out.iloc[2, -5:])
    # a rubbery matrix (PCL, Tg −60 °C) lets the drug diffuse far faster than a glassy one (PLGA)
    assert out["log_d_matrix"].iloc[1] > out["log_d_matrix"].iloc[0] + 3
    sulfone = X.assign(Drug_SMILES="CS(=O)(=O)c1ccccc1")
    with pytest.warns(UserWarning, match="no group-contribution estimate for CS"):
        assert f.transform(sulfone)[["chi", "log_d_matrix"]].isna().all().all()
    with pytest.raises(DataError, match=r"row 1: Polymer 'PEG' has no Hansen parameters \(known"):
        f.transform(X.assign(Polymer=["PLGA", "PEG", "PCL"]))
    with pytest.raises(DataError, match="row 0: Drug_SMILES='C1CC' is not a valid SMILES"):
        f.transform(X.assign(Drug_SMILES="C1CC"))
    with pytest.raises(DataError, match=r"row 2: Drug_SMILES='\[Pt\].*unsupported element"):
        f.transform(X.assign(Drug_SMILES=["CCO", "CCO", "[Pt](Cl)(Cl)(N)N"]))
    with pytest.raises(DataError, match="row 2: Polymer_MW must be finite and > 0 g/mol"):
        f.transform(X.assign(Polymer_MW=[1e4, 1e4, -1.0]))
    loaded, _ = load_model(save_model(f, tmp_path / "molecular"))
    pd.testing.assert_frame_equal(loaded.transform(X), out)


def test_molecular_and_hydrolysis_prefixes_read_the_polymer_in_either_order():
    from nanomed.ai.protocols import PROTOCOLS, model_inputs

    ds = load_dataset("bannigan_zero_shot")
    X = model_inputs(PROTOCOLS["bannigan_zero_shot"], ds, "hydrolysis_molecular_random_forest")
    assert list(X.columns[-2:]) == ["Polymer", "Drug_SMILES"]  # each extra column once
    a = build_model("bannigan_zero_shot", "hydrolysis_molecular_random_forest", n_estimators=5)
    b = build_model("bannigan_zero_shot", "molecular_hydrolysis_random_forest", n_estimators=5)
    assert list(a.named_steps) == list(b.named_steps) == ["molecular", "hydrolysis", "model"]
    rows = X.iloc[::40]
    with pytest.warns(UserWarning, match="no group-contribution estimate"):  # two sulfone drugs
        pa = a.fit(rows, ds.y.iloc[::40]).predict(rows)
    assert np.isfinite(pa).all()
