import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from nanomed.ai.datasets import load_dataset
from nanomed.ai.explain import explain
from nanomed.ai.modelio import load_model, save_model
from nanomed.ai.protocols import PROTOCOLS, build_model, model_inputs
from nanomed.cli import ai as ai_cli
from nanomed.cli import predict as predict_cli
from nanomed.core.errors import DataError


def _fitted(protocol, model, n=300, **kw):
    p = PROTOCOLS[protocol]
    ds = load_dataset(p.dataset)
    X, y = model_inputs(p, ds).iloc[:n], ds.y.iloc[:n]
    return build_model(protocol, model, **kw).fit(X, y), X


@pytest.mark.parametrize(
    ("protocol", "model", "kw"),
    [
        ("nano_tumor", "lightgbm", {}),
        ("nano_tumor", "gaussian_process", {}),
        ("nano_tumor", "mlp_ensemble", {"epochs": 3, "n_members": 2}),
        ("bannigan_few_shot", "kinetic_forest_boost", {"n_estimators": 20}),
        ("protein_corona", "random_forest", {"n_estimators": 10}),
    ],
)
def test_model_file_round_trip_predicts_identically(tmp_path, protocol, model, kw):
    est, X = _fitted(protocol, model, **kw)
    path = save_model(est, tmp_path / "m", {"dataset": protocol})
    loaded, card = load_model(path)
    assert card == {"dataset": protocol}
    f = "predict_proba" if protocol == "protein_corona" else "predict"
    np.testing.assert_array_equal(getattr(loaded, f)(X), getattr(est, f)(X))


def test_model_file_refuses_pickled_objects_and_unknown_classes(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, evil=np.array([object()], dtype=object))
    with pytest.raises(DataError, match="not a nanomed model file"):
        load_model(bad)
    doc = {"format": "nanomed-model", "format_version": 1, "model": {"kind": "os.system"}}
    np.savez(bad, __nanomed__=np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8))
    with pytest.raises(DataError, match="unsupported class"):
        load_model(bad)


def test_tree_shap_values_add_up_to_the_prediction():
    # TreeSHAP is exact: base value + sum of contributions = model output (Lundberg 2020)
    est, X = _fitted("bannigan_few_shot", "lightgbm", n=400)
    exp = explain(est, X.iloc[:30])
    np.testing.assert_allclose(
        exp.base_value + exp.values.sum(axis=1), est.predict(X.iloc[:30]), atol=1e-6
    )
    assert exp.importance()["feature"].iloc[0] in X.columns


def test_profile_model_is_explained_through_its_point_wise_model():
    """A blend behind the isotonic profile projection (columns read by name): SHAP explains the
    point-wise blend, row by row; permutation SHAP is additive, so base + contributions must
    give the blend's own prediction (Lundberg & Lee 2017, local accuracy)."""
    from nanomed.ai.datasets import load_dataset

    ds = load_dataset("bannigan_few_shot")
    keep = ds.groups.isin(ds.groups.unique()[:6]).to_numpy()
    X, y, g = ds.X[keep], ds.y[keep], ds.groups[keep].to_numpy()
    model = build_model("bannigan_few_shot", "curve_blend").fit(X, y, groups=g)
    rows = X.iloc[::40]
    exp = explain(model, rows, max_background=10)
    np.testing.assert_allclose(
        exp.base_value + exp.values.sum(axis=1), model.estimator_.predict(rows), atol=1e-6
    )
    assert exp.importance()["feature"].iloc[0] in exp.data.columns


def test_text_input_column_is_explained_as_its_labels():
    """A model that reads a text column: SHAP permutes label codes, the model sees labels, and
    local accuracy holds (base + contributions = prediction)."""
    from sklearn.base import BaseEstimator, RegressorMixin

    class ReadsPolymer(RegressorMixin, BaseEstimator):
        def predict(self, X):
            return (X["Polymer"] == "PCL").to_numpy(float) + 0.1 * X["Time"].to_numpy(float)

    rows = pd.DataFrame({"Polymer": ["PCL", "PLGA", "PLA", "PCL"], "Time": [1.0, 2.0, 3.0, 4.0]})
    exp = explain(ReadsPolymer(), rows)
    np.testing.assert_allclose(
        exp.base_value + exp.values.sum(axis=1), ReadsPolymer().predict(rows), atol=1e-9
    )
    polymer = exp.values[:, list(exp.data.columns).index("Polymer")]
    assert polymer[0] > 0 > polymer[1]  # PCL raises the prediction, PLGA does not


def test_blend_reading_the_polymer_is_explained_on_its_features():
    """hydrolysis_ blends: members sharing their featurisers are explained on the features (the
    polymer's name replaced by its clock), like a pipeline."""
    from nanomed.ai.datasets import load_dataset
    from nanomed.ai.protocols import PROTOCOLS, model_inputs

    ds = load_dataset("bannigan_zero_shot")
    keep = ds.groups.isin(ds.groups.unique()[:8]).to_numpy()
    X = model_inputs(PROTOCOLS["bannigan_zero_shot"], ds, "hydrolysis_blend")[keep]
    model = build_model("bannigan_zero_shot", "hydrolysis_blend")
    model.fit(X, ds.y[keep], groups=ds.groups[keep].to_numpy())
    rows = X.iloc[::40]
    exp = explain(model, rows, max_background=10)
    assert "hydrolysis_extent" in exp.data and "Polymer" not in exp.data
    np.testing.assert_allclose(
        exp.base_value + exp.values.sum(axis=1), model.estimator_.predict(rows), atol=1e-6
    )


@pytest.fixture
def app():
    root = typer.Typer()
    ai_cli.register(root)
    predict_cli.register(root)

    @root.callback()
    def _cb():
        pass

    return root


def test_cli_train_predict_explain_check(app, tmp_path):
    r = CliRunner()
    model = tmp_path / "m.npz"
    res = r.invoke(
        app,
        [
            "train",
            "nano_tumor",
            "--out",
            str(model),
            "--model",
            "random_forest",
            "--target",
            "DE24",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = tmp_path / "rows.csv"
    load_dataset("nano_tumor").frame.head(4).to_csv(rows, index=False)
    out = tmp_path / "pred.csv"
    res = r.invoke(app, ["predict", str(rows), "--model", str(model), "--out", str(out), "--std"])
    assert res.exit_code == 0, res.output
    pred = pd.read_csv(out)
    assert (
        (pred["lower_DE24"] <= pred["predicted_DE24"])
        & (pred["predicted_DE24"] <= pred["upper_DE24"])
    ).all()
    # the kept alias and a folder as --out give the same numbers
    res = r.invoke(app, ["ml-predict", str(model), str(rows), "--out", str(tmp_path / "a.csv")])
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["predict", str(rows), "-m", str(model), "-o", str(tmp_path / "f")])
    assert res.exit_code == 0, res.output
    np.testing.assert_allclose(
        pd.read_csv(tmp_path / "f" / "predictions.csv")["predicted_DE24"],
        pd.read_csv(tmp_path / "a.csv")["predicted_DE24"],
    )
    for bad, says in [
        (["predict", str(rows)], "exactly one of them"),
        (["predict", str(rows), "-m", str(model), "-c", str(tmp_path)], "exactly one of them"),
        (["predict", str(rows), str(rows), "-m", str(model)], "one data table"),
        (["predict", str(rows), "-c", str(tmp_path), "--std"], "--std"),
    ]:
        res = r.invoke(app, bad)
        assert res.exit_code == 2 and says in res.output, (bad, res.output)
    assert r.invoke(app, ["explain", str(model), str(rows)]).exit_code == 0
    res = r.invoke(app, ["data", "check", "nano_tumor"])
    # dataset 39 has DE24 > DEmax, an error: the check exits 1, as a linter does
    assert res.exit_code == 1 and "category_variants" in res.output
    res = r.invoke(app, ["data", "check", str(tmp_path / "none.csv")])
    assert res.exit_code == 2 and "no such file" in res.output
    res = r.invoke(app, ["predict", str(tmp_path / "x.csv"), "--model", str(model)])
    assert res.exit_code == 2


def test_cli_predict_shows_a_missing_molecular_estimate_as_one_warning_line(app, tmp_path):
    """A drug the group contribution cannot estimate (a sulfone) gets NaN features: the CLI
    says so on one line, naming the drug, instead of a library's source line."""
    pytest.importorskip("rdkit")
    from sklearn.pipeline import Pipeline

    from nanomed.ai.estimators import RandomForestModel
    from nanomed.ai.features import MolecularFeatures

    rows = pd.DataFrame(
        {"Drug_SMILES": ["CC(=O)Nc1ccc(O)cc1"] * 3 + ["CS(=O)(=O)c1ccccc1"] * 3,
         "Polymer": ["PLGA"] * 6, "Polymer_MW": [3e4] * 6, "Time": [1.0, 7.0, 28.0] * 2}
    )  # fmt: skip
    with pytest.warns(UserWarning, match="no group-contribution estimate"):
        model = Pipeline(
            [("molecular", MolecularFeatures()), ("model", RandomForestModel(n_estimators=5))]
        ).fit(rows, [0.1, 0.4, 0.8, 0.2, 0.5, 0.9])
    path = save_model(model, tmp_path / "m.npz")
    rows.to_csv(tmp_path / "rows.csv", index=False)
    res = CliRunner().invoke(
        app, ["predict", str(tmp_path / "rows.csv"), "-m", str(path), "-o", str(tmp_path / "p")]
    )
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "no group-contribution" in ln]
    assert len(lines) == 1 and lines[0].startswith("warning: molecular features")
    assert "CS(=O)(=O)c1ccccc1" in lines[0] and "data_to_wrap" not in res.output
    assert len(pd.read_csv(tmp_path / "p" / "predictions.csv")) == 6


def test_cli_trains_a_protocol_model_on_a_user_table_in_its_columns(app, tmp_path):
    """``train FILE --like PROTOCOL``: the protocol's recipe on the user's rows, its inner CV
    grouped by the user's drug–polymer groups: the saved model predicts as the library model
    fitted on the same rows with those groups."""
    frame = load_dataset("bannigan_few_shot").frame
    keep = ["DEX-PLGA", "IBP-PLGA", "5-FU-PLGA", "GEF-PLGA", "PRC-PLGA", "QRC-PCL"]
    mine = frame[frame["DP_Group"].isin(keep)].drop(columns=["Polymer", "Drug_SMILES"])
    path = tmp_path / "mine.csv"
    mine.to_csv(path, index=False)
    r = CliRunner()
    args = ["train", str(path), "--like", "bannigan_few_shot", "--model", "blend"]
    res = r.invoke(app, [*args, "--out", str(tmp_path / "m.npz")])
    assert res.exit_code == 0, res.output
    saved, card = load_model(tmp_path / "m.npz")
    assert card["dataset"] == str(path) and card["protocol"] == "bannigan_few_shot"
    p = PROTOCOLS["bannigan_few_shot"]
    X = mine[load_dataset(p.dataset).spec.feature_names]
    ref = build_model(p.name, "blend").fit(X, mine["Release"], groups=mine["DP_Group"])
    np.testing.assert_allclose(saved.predict(X), ref.predict(X))
    for bad, says in [
        ([*args, "--score-splits", "2"], "give a protocol"),
        (["train", str(path), "--with-bundled"], "give --like"),
        (["train", "bannigan_few_shot", "--like", "bannigan_few_shot"], "your own table"),
        (
            [*args[:4], "--model", "hydrolysis_blend"],
            None,
        ),  # Polymer derived from the bundled codes: fine
    ]:
        res = r.invoke(app, [*bad, "--out", str(tmp_path / "x.npz")])
        if says is None:
            assert res.exit_code == 0, res.output
        else:
            assert res.exit_code == 2 and says in res.output, (bad, res.output)
    # the card names the protocol, so the interval of a fraction released stays within [0, 1]
    res = r.invoke(app, [*args[:4], "--model", "random_forest", "--out", str(tmp_path / "f.npz")])
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["predict", str(path), "-m", str(tmp_path / "f.npz"), "--std",
                         "-o", str(tmp_path / "p.csv")])  # fmt: skip
    assert res.exit_code == 0, res.output
    band = pd.read_csv(tmp_path / "p.csv")
    assert band["upper_Release"].max() <= 1 and band["lower_Release"].min() >= 0
    assert np.isclose(band["upper_Release"], 1).any()  # some band was cut at complete release
    # scored the protocol's way on the user's table, with no published number beside it
    res = r.invoke(app, ["evaluate", "--protocol", "bannigan_few_shot", "--data", str(path),
                         "--splits", "1"])  # fmt: skip
    assert res.exit_code == 0 and "mae" in res.output and "Bannigan" not in res.output
    res = r.invoke(app, ["evaluate", "--protocol", "bannigan_few_shot", "--with-bundled"])
    assert res.exit_code == 2 and "give --data" in res.output
    one = tmp_path / "one.csv"
    mine[mine["DP_Group"] == "DEX-PLGA"].to_csv(one, index=False)
    res = r.invoke(app, ["train", str(one), "--like", "bannigan_few_shot", "--model", "blend",
                         "--out", str(tmp_path / "y.npz")])  # fmt: skip
    assert res.exit_code == 2 and "at least 5 groups; the training rows have 1" in res.output


def test_cli_checks_a_user_table_against_the_schema_it_is_like(app, tmp_path):
    frame = load_dataset("bannigan_few_shot").frame
    mine = frame[frame["DP_Group"].isin(["DEX-PLGA", "IBP-PLGA"])].reset_index(drop=True)
    mine.loc[3, "DLC"] = 1.7  # a loading given in percent... of a fraction
    mine.loc[10, "Release"] = 0.01  # a profile that falls
    path, issues = tmp_path / "mine.csv", tmp_path / "issues.csv"
    mine.to_csv(path, index=False)
    r = CliRunner()
    res = r.invoke(app, ["data", "check", str(path), "--like", "bannigan_few_shot",
                         "--out", str(issues)])  # fmt: skip
    assert res.exit_code == 0, res.output
    found = pd.read_csv(issues)
    assert {"out_of_range", "cumulative_drop"} <= set(found["kind"])
    assert "DLC" in set(found.loc[found["kind"] == "out_of_range", "column"])
    # without the schema the table's plausible ranges and profiles are unknown
    r.invoke(app, ["data", "check", str(path), "--out", str(issues)])
    assert not {"out_of_range", "cumulative_drop"} & set(pd.read_csv(issues)["kind"])
    res = r.invoke(app, ["data", "check", str(path), "--like", "nope"])
    assert res.exit_code == 2 and "unknown dataset 'nope'" in res.output
