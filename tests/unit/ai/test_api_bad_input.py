"""Bad input to the AI layer's Python API is a one-line InputError, never silent NaN/inf.

Each case comes from fuzzing the API (wrong values, wrong shapes, text in numbers, missing
columns); before the fix each gave NaN/inf output, a raw numpy/pandas/RDKit error or a
silently wrong result.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from nanomed.ai.aipbpk import PREDICTED, AIPBPKModel
from nanomed.ai.estimators import RandomForestModel
from nanomed.ai.features import (
    DrugDescriptors,
    HiguchiFeatures,
    HydrolysisFeatures,
    LogTimeFeatures,
    MolecularFeatures,
    ReleaseCurveFeatures,
    ReleaseKineticFeatures,
    SizeScaledTimeFeatures,
    TabularFeaturizer,
)
from nanomed.ai.hybrid import HybridReleaseModel, ProjectedReleaseModel
from nanomed.ai.sequence import BayesianWeibull, ReleaseCurveSet, ReleaseForecaster
from nanomed.ai.uncertainty import (
    ConformalRegressor,
    calibration_report,
    predict_with_uncertainty,
)
from nanomed.core.errors import DataError, InputError

# -- hybrid release models ------------------------------------------------------------------


def _release_rows():
    rng = np.random.default_rng(0)
    xs = rng.random(8)
    tt = np.array([0.25, 0.5, 1, 2, 4, 7.0])
    X = pd.DataFrame({"x": np.repeat(xs, 6), "Time": np.tile(tt, 8)})
    X["T=1.0"] = np.repeat(1 - np.exp(-(0.2 + xs)), 6)
    return X, 1 - np.exp(-X["Time"] * (0.2 + X["x"]))


@pytest.mark.parametrize("t_anchor", [0.0, -1.0, "one day"])
def test_hybrid_refuses_an_anchor_time_that_is_not_positive(t_anchor):
    # td is solved through the anchor time: at t <= 0 every prediction was NaN
    X, y = _release_rows()
    model = HybridReleaseModel(anchor=("T=1.0", t_anchor), n_members=1, epochs=2)
    with pytest.raises(InputError, match="anchor time must be > 0"):
        model.fit(X, y)


def test_hybrid_refuses_zero_members():
    X, y = _release_rows()
    with pytest.raises(InputError, match="n_members must be >= 1, got 0"):
        HybridReleaseModel(n_members=0, epochs=2).fit(X, y)


def test_projected_model_refuses_an_empty_grid_and_predicts_zero_rows():
    X, y = _release_rows()
    forest = RandomForestModel(n_estimators=5, random_state=0)
    with pytest.raises(InputError, match="n_grid must be >= 1, got 0"):
        ProjectedReleaseModel(forest, n_grid=0).fit(X, y)
    model = ProjectedReleaseModel(forest, n_grid=5).fit(X, y)
    assert model.predict(X.iloc[:0]).shape == (0,)


# -- forecasters ----------------------------------------------------------------------------

TT = np.linspace(0, 10, 11)
XS = np.linspace(0.2, 1.0, 12)
F3 = 1 - np.exp(-0.5 * TT[:3])


@pytest.fixture(scope="module")
def curves():
    return ReleaseCurveSet(list(range(12)), np.c_[XS, XS**2], [TT] * 12,
                           [1 - np.exp(-k * TT) for k in XS])  # fmt: skip


@pytest.fixture(scope="module")
def forecasters(curves):
    gru = ReleaseForecaster(hidden=8, epochs=2, random_state=0).fit(curves)
    hyb = HybridReleaseModel(
        form="weibull", warp_knots=0, time_column=-1, n_members=1, epochs=2, random_state=0
    )
    return gru, BayesianWeibull(hyb, n_iter=1).fit(curves)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0.5, 0.25], TT[:3], [0, np.nan, 0.3], TT[3:]), r"f_observed\[1\] must be finite"),
        (([0.5, 0.25], [0, np.nan, 2], F3, TT[3:]), r"t_observed\[1\] must be finite"),
        (([0.5, 0.25], TT[:3], F3, [5, np.nan]), r"t_future\[1\] must be finite"),
        (([0.5], TT[:3], F3, TT[3:]), "features: expected 2 values"),
        (([0.5, 0.25, 0.1], TT[:3], F3, TT[3:]), "features: expected 2 values"),
        (([0.5, 0.25], TT[:3], F3[:2], TT[3:]), "t_observed has 3 values but f_observed has 2"),
    ],
)
@pytest.mark.parametrize("which", [0, 1], ids=["gru", "bayes"])
def test_forecast_refuses_nan_and_wrong_lengths(forecasters, which, args, message):
    with pytest.raises(InputError, match=message):
        forecasters[which].forecast(*args)


def test_unfitted_bayesian_weibull_says_so():
    with pytest.raises(InputError, match="BayesianWeibull is not fitted"):
        BayesianWeibull().forecast([0.5, 0.25], TT[:3], F3, TT[3:])


def test_curve_set_refuses_a_nan_fraction():
    # it trained a forecaster that predicted NaN everywhere
    with pytest.raises(InputError, match=r"profile 1: fractions\[1\] must be finite"):
        ReleaseCurveSet([0, 1], np.c_[XS[:2]], [TT] * 2, [TT / 10, np.r_[0, np.nan, TT[2:] / 10]])


# -- featurisers ----------------------------------------------------------------------------


def _release_table():
    return pd.DataFrame(
        {
            "T=0.25": [0.1, 0.2], "T=0.5": [0.19, 0.3], "T=1.0": [0.34, 0.5],
            "Time": [2.0, 4.0], "SA-V": [3.0, 3.0], "Polymer": ["PLGA", "PCL"],
            "LA/GA": [1.0, 0.0], "Drug_SMILES": ["CC(=O)Nc1ccc(O)cc1"] * 2,
            "Polymer_MW": [30000.0, 30000.0], "DLC": [0.1, 0.1],
        }
    )  # fmt: skip


def _with(df, column, value, row=1):
    out = df.copy()
    out[column] = out[column].astype(object)
    out.loc[row, column] = value
    return out


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("T=0.25", np.nan, "row 1: T=0.25 must be finite and in \\[0, 1.2\\], got nan"),
        ("T=1.0", np.inf, "row 1: T=1.0 must be finite and in \\[0, 1.2\\], got inf"),
        ("T=0.5", None, "row 1: T=0.5 must be finite"),
        ("T=0.25", "abc", "row 1: T=0.25 must be finite and in \\[0, 1.2\\], got 'abc'"),
        ("T=1.0", 3.0, "row 1: T=1.0 must be finite and in \\[0, 1.2\\], got 3"),
        ("Time", np.nan, "row 1: Time must be finite and >= 0, got nan"),
        ("Time", -1.0, "row 1: Time must be finite and >= 0, got -1"),
        ("Time", "abc", "row 1: Time must be finite and >= 0, got 'abc'"),
    ],
)
@pytest.mark.parametrize("featuriser", [ReleaseKineticFeatures, ReleaseCurveFeatures])
def test_release_features_refuse_bad_early_points_and_times(featuriser, column, value, message):
    df = _release_table()
    fitted = featuriser().fit(df)
    with pytest.raises(DataError, match=message):
        fitted.transform(_with(df, column, value))


def test_size_scaled_time_refuses_an_overflow():
    df = _release_table()
    fitted = SizeScaledTimeFeatures().fit(df)
    with pytest.raises(DataError, match="row 1: Time × SA-V² overflows"):
        fitted.transform(_with(df, "SA-V", 1e300))


@pytest.mark.parametrize(
    ("featuriser", "column"),
    [
        (ReleaseKineticFeatures(), "T=0.5"),
        (ReleaseCurveFeatures(laws=["first_order"]), "Time"),
        (SizeScaledTimeFeatures(), "SA-V"),
        (HydrolysisFeatures(), "Polymer"),
        (LogTimeFeatures(), "Time"),
        (MolecularFeatures(), "Drug_SMILES"),
        (DrugDescriptors(smiles_column="Drug_SMILES"), "Drug_SMILES"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_missing_column_at_transform_is_named(featuriser, column):
    df = _release_table()
    fitted = featuriser.fit(df)
    with pytest.raises(DataError, match=rf"columns \['{column}'\] missing from the table"):
        fitted.transform(df.drop(columns=column))


def test_higuchi_features_name_a_missing_column():
    df = _release_table().assign(**{"Initial D/M ratio": 0.1, "Drug_Tm": 25.0,
                                   "Drug_LogP": 0.5, "Drug_Mw": 100.0})  # fmt: skip
    fitted = HiguchiFeatures().fit(df)
    with pytest.raises(DataError, match=r"columns \['DLC'\] missing"):
        fitted.transform(df.drop(columns="DLC"))


@pytest.mark.parametrize(
    ("featuriser", "column"),
    [
        (HydrolysisFeatures(), "Polymer"),
        (MolecularFeatures(), "Polymer"),
        (MolecularFeatures(), "Drug_SMILES"),
        (DrugDescriptors(smiles_column="Drug_SMILES"), "Drug_SMILES"),
    ],
    ids=["hydrolysis-polymer", "molecular-polymer", "molecular-smiles", "descriptors-smiles"],
)
@pytest.mark.parametrize("value", [np.nan, None, "  "])
def test_empty_name_cells_are_named(featuriser, column, value):
    df = _release_table()
    fitted = featuriser.fit(df)
    with pytest.raises(DataError, match=f"^row 1: {column} is empty$"):
        fitted.transform(_with(df, column, value))


@pytest.mark.parametrize("missing", ["nan", "indicator"])
@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "row 1, column 'DLC': 'abc' is not a number"),
     (np.inf, "row 1, column 'DLC': must be finite, got inf"),
     (-np.inf, "row 1, column 'DLC': must be finite, got -inf")],
)  # fmt: skip
def test_tabular_featurizer_refuses_text_and_inf_in_numeric_columns(missing, value, message):
    # "indicator" filled a text cell with the training median; inf passed through both modes
    df = pd.DataFrame({"DLC": [0.35, 0.1, 0.06], "Polymer": ["PLGA", "PCL", "PLA"]})
    fitted = TabularFeaturizer(numeric=["DLC"], missing=missing).fit(df)
    with pytest.raises(DataError, match=message):
        fitted.transform(_with(df, "DLC", value))
    # a missing cell is still missing, not an error
    assert fitted.transform(_with(df, "DLC", np.nan)).shape[0] == 3


# -- uncertainty ----------------------------------------------------------------------------


def _xy(n=40):
    rng = np.random.default_rng(0)
    return rng.random((n, 3)), rng.random(n)


@pytest.mark.parametrize(
    ("n_rows", "calibration_size", "level", "message"),
    [
        (40, 0.25, 0.999, "level 0.999 needs at least 999 calibration rows, the model has 10"),
        (40, 0.01, 0.9, "level 0.9 needs at least 9 calibration rows, the model has 1"),
        (5, 0.25, 0.9, "level 0.9 needs at least 9 calibration rows, the model has 2"),
    ],
)
def test_conformal_refuses_a_level_its_calibration_rows_cannot_give(
    n_rows, calibration_size, level, message
):
    # the interval was ±inf: split conformal needs (1 - level)·(n_cal + 1) >= 1
    X, y = _xy(n_rows)
    cr = ConformalRegressor(LinearRegression(), calibration_size=calibration_size, random_state=0)
    cr.fit(X, y)
    with pytest.raises(InputError, match=message):
        cr.predict_interval(X[:3], level=level)


def test_conformal_needs_two_rows():
    X, y = _xy(1)
    with pytest.raises(InputError, match="needs at least 2 rows, got 1"):
        ConformalRegressor(LinearRegression()).fit(X, y)


@pytest.mark.parametrize(
    ("y", "intervals", "message"),
    [
        (np.zeros(3), {0.9: (np.zeros(4), np.ones(4))}, "y has 3 values but the bounds"),
        ([], {0.9: ([], [])}, "y is empty"),
        ([np.nan, 0.5], {0.9: (np.zeros(2), np.ones(2))}, r"y\[0\] must be finite"),
        (np.zeros(2), {5: (np.zeros(2), np.ones(2))}, r"level must be in \(0, 1\), got 5"),
    ],
)
def test_calibration_report_refuses_bad_input(y, intervals, message):
    with pytest.raises(InputError, match=message):
        calibration_report(y, intervals=intervals)


@pytest.fixture(scope="module")
def forest():
    X, y = _xy()
    return RandomForestModel(n_estimators=10, random_state=0).fit(X, y), X


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((1, 0), "lower must be < upper"),
        ((np.nan, 1), "bounds must be finite numbers or None, got nan"),
        ((0,), r"bounds must be \(lower, upper\)"),
        (("a", "b"), "bounds must be finite numbers or None, got 'a'"),
    ],
)
def test_predict_with_uncertainty_refuses_bad_bounds(forest, bounds, message):
    model, X = forest
    with pytest.raises(InputError, match=message):
        predict_with_uncertainty(model, X[:3], bounds=bounds)


def test_predict_with_uncertainty_clips_the_prediction_to_the_bounds(forest):
    # with bounds (0.9, 1) the band was cut but the prediction was left below it
    model, X = forest
    out = predict_with_uncertainty(model, X, bounds=(0.9, 1.0))
    assert (out["prediction"] >= 0.9).all()
    assert ((out["lower"] <= out["prediction"]) & (out["prediction"] <= out["upper"])).all()


# -- AI-PBPK --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aipbpk():
    from nanomed.ai.datasets import load_dataset

    ds = load_dataset("nano_tumor")
    f = ds.frame.dropna(subset=list(PREDICTED)).iloc[:40]
    fn = ds.spec.feature_names
    model = AIPBPKModel(n_estimators=10, n_samples=5, random_state=0)
    return model.fit(f[fn], f[list(PREDICTED)]), f[fn].iloc[:3].reset_index(drop=True)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("BW", 0.0, "row 1: BW must be finite and > 0, got 0"),
        ("BW", -20.0, "row 1: BW must be finite and > 0, got -20"),
        ("BW", np.nan, "row 1: BW must be finite and > 0, got nan"),
        ("TW", np.nan, "row 1: TW must be finite and > 0, got nan"),
        ("Dose", np.nan, "row 1: Dose must be finite and > 0, got nan"),
        ("Dose", np.inf, "row 1, column 'Dose': must be finite, got inf"),
        ("HD", -5.0, r"row 1: HD must be > 0 \(or missing\), got -5"),
        ("Zeta", "abc", "row 1, column 'Zeta': 'abc' is not a number"),
    ],
)
@pytest.mark.parametrize("method", ["predict", "predict_delivery"])
def test_aipbpk_refuses_bad_descriptors_naming_the_input_row(
    aipbpk, method, column, value, message
):
    # predict_delivery named the repeated simulation row (row 5 for input row 1)
    model, X = aipbpk
    with pytest.raises(InputError, match=f"^{message}$"):
        getattr(model, method)(_with(X, column, value))


def test_aipbpk_warns_of_an_unseen_category(aipbpk):
    model, X = aipbpk
    with pytest.warns(UserWarning, match="Type 'Unobtainium' was not seen in training"):
        model.predict(_with(X, "Type", "Unobtainium"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)  # known categories: no warning


def test_isotonic_model_predicts_zero_rows():
    from nanomed.ai.hybrid import IsotonicReleaseModel

    X, y = _release_rows()
    model = IsotonicReleaseModel(RandomForestModel(n_estimators=5, random_state=0)).fit(X, y)
    assert model.predict(X.iloc[:0]).shape == (0,)  # the forest alone refuses 0 rows


def test_curve_set_from_a_table_names_a_text_cell_and_refuses_no_rows():
    frame = pd.DataFrame(
        {"profile_id": ["a", "a", "b"], "time": [1.0, 2.0, 1.0],
         "fraction_released": [0.1, "0.3?", 0.2], "x": [1.0, 1.0, 2.0]}
    )  # fmt: skip
    with pytest.raises(InputError, match=r"row 1, column 'fraction_released': '0.3\?'"):
        ReleaseCurveSet.from_frame(frame, ["x"])
    with pytest.raises(InputError, match="release table has no rows"):
        ReleaseCurveSet.from_frame(frame.iloc[:0], ["x"])


def test_aipbpk_refuses_an_empty_table(aipbpk):
    model, X = aipbpk
    with pytest.raises(InputError, match="X has no rows"):
        model.predict(X.iloc[:0])


def test_calibration_report_refuses_a_negative_std():
    with pytest.raises(InputError, match=r"std\[1\] must be finite and >= 0, got -0.1"):
        calibration_report([0.1, 0.2], mean=[0.1, 0.2], std=[0.05, -0.1])
