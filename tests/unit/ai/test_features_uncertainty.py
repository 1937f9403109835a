import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from nanomed.ai.features import (
    DrugDescriptors,
    ReleaseKineticFeatures,
    TabularFeaturizer,
    diffusion_time,
)
from nanomed.ai.uncertainty import (
    ConformalRegressor,
    calibration_report,
    gaussian_interval,
    predict_with_uncertainty,
)
from nanomed.core.errors import DataError


def test_diffusion_time_is_r2_over_d():
    # 1 µm radius, D = 1e-16 m²/s: (1e-6)² / 1e-16 = 1e4 s = 2.78 h
    assert diffusion_time(1000.0, 1e-16) == pytest.approx(1e4 / 3600)


def test_higuchi_extrapolation_follows_square_root_of_time():
    df = pd.DataFrame({"T=0.25": [0.1], "T=0.5": [0.15], "T=1.0": [0.2], "Time": [4.0]})
    out = ReleaseKineticFeatures().fit_transform(df)
    assert out["higuchi_extrap"].iloc[0] == pytest.approx(0.2 * np.sqrt(4.0))
    assert out["d_early_2"].iloc[0] == pytest.approx(0.05)
    late = ReleaseKineticFeatures().fit(df).transform(df.assign(Time=100.0))
    assert late["higuchi_extrap"].iloc[0] == 1.0  # bounded by complete release


def test_tabular_featurizer_merges_case_variants_and_flags_missing():
    df = pd.DataFrame({"CT": ["Skin", "skin ", "Breast"], "HD": [10.0, np.nan, 100.0]})
    f = TabularFeaturizer(categorical=["CT"], log10=["HD"], missing="indicator").fit(df)
    assert f.get_feature_names_out() == ["HD", "HD_missing", "CT=breast", "CT=skin"]
    Z = f.transform(df)
    np.testing.assert_allclose(Z[:, 0], [1.0, 1.5, 2.0])  # median of log10 fills the gap
    np.testing.assert_allclose(Z[:, 3], [1, 1, 0])
    with pytest.raises(DataError, match="log10 needs a value > 0"):
        f.transform(df.assign(HD=[0.0, 1.0, 1.0]))


def test_rdkit_descriptors_of_aspirin():
    # aspirin C9H8O4: molar mass 180.16 g/mol, TPSA 63.6 Å² (PubChem CID 2244)
    out = DrugDescriptors().fit_transform(pd.DataFrame({"smiles": ["CC(=O)Oc1ccccc1C(=O)O"]}))
    assert out["drug_MolWt"].iloc[0] == pytest.approx(180.16, abs=0.01)
    assert out["drug_TPSA"].iloc[0] == pytest.approx(63.6, abs=0.1)
    with pytest.raises(DataError, match="row 0"):
        DrugDescriptors().fit_transform(pd.DataFrame({"smiles": ["not-a-smiles("]}))


def test_gaussian_interval_uses_the_normal_quantile():
    lo, hi = gaussian_interval(0.0, 1.0, 0.9)
    assert hi == pytest.approx(1.6448536) and lo == pytest.approx(-1.6448536)


def test_conformal_coverage_matches_nominal():
    # exchangeable data: split-conformal coverage >= nominal, and close to it
    rng = np.random.default_rng(0)
    X = rng.random((4000, 2))
    y = X @ [1.0, -2.0] + rng.standard_t(3, 4000) * 0.2  # heavy tails: a Gaussian band would fail
    cr = ConformalRegressor(LinearRegression(), calibration_size=0.3, random_state=0).fit(
        X[:2000], y[:2000]
    )
    ivals = {lv: cr.predict_interval(X[2000:], lv) for lv in (0.5, 0.9)}
    rep = calibration_report(y[2000:], intervals=ivals)
    # coverage given one calibration set of 600 varies with sd ~ sqrt(0.25/600) = 0.02 (plus test
    # noise 0.011): allow 3 sd, and never fall far below nominal
    np.testing.assert_allclose(rep["coverage"], rep["nominal"], atol=0.07)
    assert (rep["coverage"] >= rep["nominal"] - 0.03).all()


def test_group_conformal_holds_out_whole_groups():
    from nanomed.ai.estimators import RandomForestModel

    rng = np.random.default_rng(1)
    g = np.repeat(np.arange(40), 10)
    X = rng.random((400, 2))
    y = X[:, 0] + rng.normal(0, 0.3, 40)[g] + rng.normal(0, 0.05, 400)  # a shared group offset
    cr = ConformalRegressor(
        RandomForestModel(n_estimators=20, random_state=0), normalized=True, random_state=0
    ).fit(X, y, groups=g)
    assert len(cr.scores_) % 10 == 0  # whole groups of 10 rows were held out
    lo, hi = cr.predict_interval(X[:5], 0.9)
    assert (hi > lo).all()


def test_predict_with_uncertainty_maps_log_targets_back():
    from sklearn.compose import TransformedTargetRegressor

    from nanomed.ai.estimators import GaussianProcessModel

    X = np.linspace(0, 1, 20)[:, None]
    y = np.exp(1 + X[:, 0]) - 1
    m = TransformedTargetRegressor(
        GaussianProcessModel(), func=np.log1p, inverse_func=np.expm1
    ).fit(X, y)
    out = predict_with_uncertainty(m, X)
    np.testing.assert_allclose(out["prediction"], y, rtol=0.02)
    assert ((out["lower"] <= out["prediction"]) & (out["prediction"] <= out["upper"])).all()


def test_interval_of_a_bounded_target_stays_in_its_physical_range():
    from nanomed.ai.estimators import RandomForestModel

    # a fraction released near complete release: the forest's Gaussian band crosses 1
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, 2))
    y = np.clip(0.8 + 0.3 * rng.uniform(size=200), 0, 1)
    m = RandomForestModel(n_estimators=50, random_state=0).fit(X, y)
    open_band = predict_with_uncertainty(m, X, level=0.95)
    assert (open_band["upper"] > 1).any()
    cut = predict_with_uncertainty(m, X, level=0.95, bounds=(0, 1))
    assert cut["upper"].max() <= 1 and cut["lower"].min() >= 0
    inside = open_band["upper"] <= 1  # rows whose band was inside are left as they were
    np.testing.assert_array_equal(cut["upper"][inside], open_band["upper"][inside])
    np.testing.assert_array_equal(cut["prediction"], open_band["prediction"])


def test_conformal_quantile_coverage_is_between_level_and_level_plus_one_over_n_plus_one():
    # Lei et al. (JASA 2018, Thm 2.2): for exchangeable continuous scores the conformal quantile
    # of n calibration scores covers a new score with probability in [level, level + 1/(n+1)]
    import pytest

    from nanomed.ai.uncertainty import conformal_quantile
    from nanomed.core.errors import InputError

    rng = np.random.default_rng(0)
    n, level, trials = 19, 0.9, 20000
    scores = rng.exponential(size=(trials, n + 1))
    hits = [s[-1] <= conformal_quantile(s[:-1], level) for s in scores]
    # exact value here: ceil(20 * 0.9) / 20 = 0.90; binomial SE over 20000 trials is 0.002
    assert level - 0.007 <= np.mean(hits) <= level + 1 / (n + 1) + 0.007
    assert conformal_quantile([1.0, 2.0], 0.9) == float("inf")  # too few scores for 90 %
    with pytest.raises(InputError, match="level"):
        conformal_quantile([1.0], 1.0)
