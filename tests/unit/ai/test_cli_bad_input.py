"""Bad input to the AI commands: one line naming the file, line and column, never a traceback,
never a file of the user's overwritten, never a silent prediction on an impossible row."""

import json
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from nanomed.ai.datasets import load_dataset
from nanomed.ai.explain import explain
from nanomed.ai.modelio import check_inputs, input_schema, load_model
from nanomed.ai.protocols import build_model
from nanomed.cli import ai as ai_cli
from nanomed.cli import predict as predict_cli
from nanomed.cli._common import handle_errors, output_path
from nanomed.core.errors import DataError, InputError


@pytest.fixture(scope="module")
def tumour(tmp_path_factory):
    """A small Nano-Tumor forest trained through the CLI, and rows it can predict."""
    d = tmp_path_factory.mktemp("tumour")
    rows = load_dataset("nano_tumor").frame.head(60)
    rows.to_csv(d / "train.csv", index=False)
    res = CliRunner().invoke(
        _app(),
        ["train", str(d / "train.csv"), "--target", "DE24", "--model", "random_forest",
         "--out", str(d / "m.npz")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rows.head(5).to_csv(d / "rows.csv", index=False)
    return d


@pytest.fixture(scope="module")
def app():
    return _app()


def _app():
    root = typer.Typer()
    ai_cli.register(root)
    predict_cli.register(root)

    @root.callback()
    def _root() -> None:
        """nanomed (AI commands)."""

    return root


def _no_traceback(res):
    assert "Traceback" not in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output


def _rows_with(tumour, column, value, line=3):
    df = pd.read_csv(tumour / "rows.csv")
    df[column] = df[column].astype(object)
    df.loc[line - 2, column] = value
    path = tumour / f"bad_{column}_{abs(hash(str(value)))}.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("HD", "abc", "row 3, column 'HD': 'abc' is not a number"),
        ("HD", "inf", "row 3, column 'HD': inf is not a finite number"),
        ("BW", "1e308", "row 3, column 'BW': 1e+308 is not a finite number"),
        ("Dose", "", "row 3, column 'Dose': empty"),
    ],
)
def test_predict_names_the_line_and_column_of_a_bad_cell(app, tumour, column, value, says):
    path = _rows_with(tumour, column, value)
    res = CliRunner().invoke(
        app, ["predict", str(path), "-m", str(tumour / "m.npz"), "-o", str(tumour / "p.csv")]
    )
    assert res.exit_code == 2 and says in res.output, res.output
    _no_traceback(res)


def test_predict_warns_of_extrapolation_and_unseen_categories(app, tumour):
    df = pd.read_csv(tumour / "rows.csv")
    df.loc[1, "HD"] = 5000.0  # nm, beyond any training particle
    df.loc[2, "Shape"] = "Blob"
    df.to_csv(tumour / "odd.csv", index=False)
    res = CliRunner().invoke(
        app, ["predict", str(tumour / "odd.csv"), "-m", str(tumour / "m.npz"),
              "-o", str(tumour / "odd_p.csv")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "column 'HD': 1 row(s) outside the training range" in res.output
    assert "(first: row 3, 5000)" in res.output
    assert "column 'Shape': 'Blob' (row 4) hold a category not seen in training" in res.output
    assert len(pd.read_csv(tumour / "odd_p.csv")) == 5  # predicted all the same


def test_outputs_never_overwrite_an_input_or_run_through_a_file(app, tumour):
    r = CliRunner()
    rows, model = tumour / "rows.csv", tumour / "m.npz"
    before = rows.read_bytes()
    for args in (
        ["predict", str(rows), "-m", str(model), "-o", str(rows)],
        ["data", "check", str(rows), "--out", str(rows)],
        ["explain", str(model), str(rows), "--out", str(model)],
    ):
        res = r.invoke(app, args)
        assert res.exit_code == 2 and "is an input of this command" in res.output, res.output
    assert rows.read_bytes() == before
    res = r.invoke(app, ["predict", str(rows), "-m", str(model), "-o", str(rows / "p.csv")])
    assert res.exit_code == 2 and "rows.csv is a file, not a folder" in res.output
    res = r.invoke(app, ["explain", str(model), str(rows), "--out", str(tumour / "a.xyz")])
    assert res.exit_code == 2 and "a plot is written as .png" in res.output
    assert r.invoke(app, ["explain", str(model), str(rows), "--top", "0"]).exit_code == 2


def test_output_path_checks(tmp_path):
    (tmp_path / "f").write_text("x")
    assert output_path(tmp_path / "new" / "a.csv") == tmp_path / "new" / "a.csv"
    assert output_path(tmp_path / "d", folder=True) == tmp_path / "d"
    for path, kw, says in [
        (tmp_path / "f", {"folder": True}, "is a file, not a folder"),
        (tmp_path, {}, "is a folder; give a file name"),
        (tmp_path / "f" / "a.csv", {}, "f is a file, not a folder"),
    ]:
        with pytest.raises(InputError, match=says):
            output_path(path, **kw)
    with pytest.raises(InputError, match=r"--calibration .* is an input"):
        output_path(tmp_path / "f", tmp_path / "f", option="--calibration")


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:200]), "not a nanomed model file or damaged"),
        (lambda p: p.write_text('{"format": "nanomed-model"}'), "not an .npz archive"),
        ("header", "its header is not JSON"),
        ("list", "not a nanomed header"),
        ("version", "model format 'x' is not readable"),
        ("array", "damaged model file (KeyError"),
    ],
)
def test_a_damaged_model_file_is_one_line(app, tumour, tmp_path, damage, says):
    path = tmp_path / "m.npz"
    path.write_bytes((tumour / "m.npz").read_bytes())
    if callable(damage):
        damage(path)
    else:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        doc = json.loads(arrays["__nanomed__"].tobytes().decode())
        if damage == "header":
            arrays["__nanomed__"] = np.frombuffer(b"\xff{not json", dtype=np.uint8)
        elif damage == "list":
            arrays["__nanomed__"] = np.frombuffer(b"[1, 2]", dtype=np.uint8)
        elif damage == "version":
            doc["format_version"] = "x"
            arrays["__nanomed__"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
        else:  # one weight array lost
            arrays.pop(next(k for k in arrays if k != "__nanomed__"))
        np.savez(path, **arrays)
    with pytest.raises(DataError, match=says.replace("(", r"\(")):
        load_model(path)
    res = CliRunner().invoke(app, ["predict", str(tumour / "rows.csv"), "-m", str(path)])
    assert res.exit_code == 2 and says in res.output, res.output
    assert zipfile.is_zipfile(tumour / "m.npz")  # the original untouched


def test_reading_tables_refuses_empty_semicolon_and_folder_inputs(app, tumour, tmp_path):
    header = pd.read_csv(tumour / "rows.csv").head(0)
    header.to_csv(tmp_path / "h.csv", index=False)
    pd.read_csv(tumour / "rows.csv").to_csv(tmp_path / "s.csv", sep=";", index=False)
    r = CliRunner()
    for table, says in [
        (tmp_path / "h.csv", "the table has no data rows"),
        (tmp_path / "s.csv", "seems separated by ';'"),
        (tmp_path, "is a folder, not a table"),
    ]:
        res = r.invoke(app, ["predict", str(table), "-m", str(tumour / "m.npz")])
        assert res.exit_code == 2 and says in res.output, res.output


def test_train_refuses_typos_the_wrong_model_kind_and_unknown_names(app, tumour, tmp_path):
    df = pd.read_csv(tumour / "train.csv")
    df["HD"] = df["HD"].astype(object)
    df.loc[5, "HD"] = "12O"  # a letter O typed for a zero: not a new category
    df.to_csv(tmp_path / "typo.csv", index=False)
    r = CliRunner()
    out = ["--out", str(tmp_path / "x.npz")]
    for args, says in [
        (["train", str(tmp_path / "typo.csv"), "--target", "DE24"], "row 7, column 'HD': '12O'"),
        (
            ["train", str(tumour / "train.csv"), "--target", "DE24", "--model",
             "random_forest_classifier"],
            "is a classifier; target 'DE24' is not class labels",
        ),
        (["train", "no_such_protocol"], "neither a protocol"),
        (["train", str(tumour / "train.csv"), "--target", "DE24", "--seed", "-1"], "--seed"),
    ]:  # fmt: skip
        res = r.invoke(app, [*args, *out])
        assert res.exit_code == 2 and says in res.output, res.output
    df[["DE24"]].to_csv(tmp_path / "only.csv", index=False)
    res = r.invoke(app, ["train", str(tmp_path / "only.csv"), "--target", "DE24", *out])
    assert res.exit_code == 2 and "no feature columns" in res.output


def test_data_check_like_needs_the_columns_and_exits_1_on_errors(app, tmp_path):
    frame = load_dataset("bannigan_few_shot").frame
    mine = frame[frame["DP_Group"] == "DEX-PLGA"].reset_index(drop=True)
    mine.drop(columns=["DP_Group"]).to_csv(tmp_path / "nogroup.csv", index=False)
    r = CliRunner()
    res = r.invoke(app, ["data", "check", str(tmp_path / "nogroup.csv"), "--like",
                         "bannigan_few_shot"])  # fmt: skip
    assert res.exit_code == 2 and "missing columns ['DP_Group']" in res.output
    mine["DLC"] = mine["DLC"].astype(object)
    mine.loc[4, "DLC"] = "n/a?"  # a non-numeric cell: an error, at file line 6
    mine.to_csv(tmp_path / "bad.csv", index=False)
    res = r.invoke(app, ["data", "check", str(tmp_path / "bad.csv"), "--like",
                         "bannigan_few_shot", "--out", str(tmp_path / "i.csv")])  # fmt: skip
    assert res.exit_code == 1, res.output
    issues = pd.read_csv(tmp_path / "i.csv", dtype={"rows": str})
    bad = issues[(issues["column"] == "DLC") & (issues["severity"] == "error")]
    assert bad["rows"].tolist() == ["6"]  # the file line, as train and predict name it


def test_evaluate_on_a_table_of_one_group_says_a_split_needs_two(app, tmp_path):
    frame = load_dataset("bannigan_few_shot").frame
    frame[frame["DP_Group"] == "DEX-PLGA"].to_csv(tmp_path / "one.csv", index=False)
    res = CliRunner().invoke(app, ["evaluate", "--protocol", "bannigan_few_shot", "--data",
                                   str(tmp_path / "one.csv"), "--model", "random_forest"])  # fmt: skip
    assert res.exit_code == 2 and "1 group(s) (DP_Group); a split needs 2" in res.output


def test_a_classifier_refuses_std_and_is_explained_exactly(app, tmp_path):
    frame = load_dataset("protein_corona").frame.sample(300, random_state=0)
    frame.to_csv(tmp_path / "c.csv", index=False)
    r = CliRunner()
    res = r.invoke(app, ["train", str(tmp_path / "c.csv"), "--target", "bound", "--model",
                         "random_forest_classifier", "--out", str(tmp_path / "c.npz")])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["predict", str(tmp_path / "c.csv"), "-m", str(tmp_path / "c.npz"),
                         "--std", "-o", str(tmp_path / "p.csv")])  # fmt: skip
    assert res.exit_code == 2 and "is a classifier; its p_bound is already a probability" in (
        res.output
    )


def test_a_voting_model_is_explained_by_exact_tree_shap_of_its_members():
    """SHAP values add like model outputs, so the mean of two tree models is explained exactly
    by the mean of their TreeSHAP values: base + contributions = prediction (local accuracy,
    Lundberg & Lee 2017)."""
    ds = load_dataset("bannigan_zero_shot")
    X, y = ds.X.iloc[:300], ds.y.iloc[:300]
    est = build_model("bannigan_zero_shot", "forest_boost").fit(X, y)
    exp = explain(est, X.iloc[:20])
    np.testing.assert_allclose(
        exp.base_value + exp.values.sum(axis=1), est.predict(X.iloc[:20]), atol=1e-6
    )


def test_explain_falls_back_to_permutation_shap_when_tree_shap_fails(monkeypatch):
    """SHAP's TreeExplainer can fail its own additivity check on very deep trees (shap issue
    4042): the explanation then comes from permutation SHAP, still locally accurate."""
    import shap

    class Broken:
        def __init__(self, *a, **k):
            pass

        def shap_values(self, Z):
            raise RuntimeError("Additivity check failed in TreeExplainer!")

    ds = load_dataset("bannigan_zero_shot")
    X, y = ds.X.iloc[:200], ds.y.iloc[:200]
    est = build_model("bannigan_zero_shot", "random_forest", n_estimators=10).fit(X, y)
    monkeypatch.setattr(shap, "TreeExplainer", Broken)
    exp = explain(est, X.iloc[:3])
    np.testing.assert_allclose(
        exp.base_value + exp.values.sum(axis=1), est.predict(X.iloc[:3]), atol=1e-6
    )


def test_input_schema_round_trip_checks():
    X = pd.DataFrame({"d": [10.0, 50.0, np.nan], "shape": ["rod", "sphere", "rod"]})
    schema = input_schema(X)
    assert schema["d"] == {"missing": True, "kind": "number", "min": 10.0, "max": 50.0}
    card = {"features": ["d", "shape"], "inputs": schema}
    ok = check_inputs(pd.DataFrame({"d": [np.nan, 20.0], "shape": ["rod", "rod"]}), card, "t")
    assert ok["d"].isna().sum() == 1  # empty allowed: training had empty cells there
    with pytest.raises(DataError, match="t: row 2, column 'shape': empty"):
        check_inputs(pd.DataFrame({"d": [20.0], "shape": [None]}), card, "t")
    with pytest.raises(InputError, match=r"columns \['shape'\] needed by the model"):
        check_inputs(pd.DataFrame({"d": [20.0]}), card, "t")


def test_an_unexpected_error_is_one_line_with_its_type(capsys):
    @handle_errors
    def boom() -> None:
        raise ZeroDivisionError("division by zero")

    with pytest.raises(typer.Exit) as exc:
        boom()
    assert exc.value.exit_code == 3
    err = capsys.readouterr().err
    assert "unexpected ZeroDivisionError: division by zero" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_a_model_s_row_error_names_the_file_line(app, tmp_path):
    """A featuriser inside the model knows a row by its position in the table it was given;
    the CLI names it by its file line, as every other message does."""
    from sklearn.pipeline import Pipeline

    from nanomed.ai.estimators import RandomForestModel
    from nanomed.ai.features import HydrolysisFeatures
    from nanomed.ai.modelio import save_model

    rows = pd.DataFrame(
        {"Polymer": ["PLGA", "PCL"] * 3, "LA/GA": [1.0, 0.0] * 3, "Time": [1.0, 7.0, 28.0] * 2}
    )
    model = Pipeline([("h", HydrolysisFeatures()), ("m", RandomForestModel(n_estimators=5))])
    model.fit(rows, [0.1, 0.05, 0.4, 0.1, 0.9, 0.2])
    card = {"features": list(rows.columns), "inputs": input_schema(rows, ["Polymer"])}
    path = save_model(model, tmp_path / "h.npz", card)
    rows.loc[2, "Polymer"] = "Unobtanium"  # file line 4
    rows.to_csv(tmp_path / "rows.csv", index=False)
    res = CliRunner().invoke(app, ["predict", str(tmp_path / "rows.csv"), "-m", str(path)])
    assert res.exit_code == 2, res.output
    assert "rows.csv: row 4: Polymer 'Unobtanium' has no hydrolysis rate" in res.output


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a,b,a\n1,2,3\n", "column(s) ['a'] given twice in the header"),
        ("a,b\n1,2\n3,4,5\n", "line 3 has 3 fields, the header 2 (a decimal comma"),
        ("a,b\n1,2\n\n3,4\n", "line 3 is blank inside the table"),
    ],
)
def test_tables_pandas_would_misread_are_refused(tmp_path, text, says):
    from nanomed.ai.datasets import read_table

    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=re.escape(says)):
        read_table(path)


def test_trailing_separators_a_bom_and_trailing_blank_lines_read_as_meant(tmp_path):
    """Spreadsheet exports: a separator at the end of each row once shifted every column into
    the next (pandas took the first column as the index); a byte-order mark renamed the first."""
    from nanomed.ai.datasets import read_release_table, read_table

    path = tmp_path / "r.csv"
    path.write_text("profile_id,time,fraction_released\np1,1,0.1,\np2,1,0.3,\n\n")
    df = read_release_table(path)
    assert df["profile_id"].tolist() == ["p1", "p2"]
    assert df["fraction_released"].tolist() == [0.1, 0.3]
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert read_table(path).columns.tolist() == ["a", "b"]


def test_model_card_is_checked_when_saved_and_the_file_found_without_its_extension(tmp_path):
    from nanomed.ai.estimators import RandomForestModel
    from nanomed.ai.modelio import save_model

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    model = RandomForestModel(n_estimators=3).fit(X, [0.0, 1.0, 2.0, 3.0])
    for card in (["a"], {"inputs": "garbage"}, {"inputs": {"a": 1}}):
        with pytest.raises(InputError, match="model card"):
            save_model(model, tmp_path / "m", card)
    save_model(model, tmp_path / "noext", {"features": ["a"]})
    loaded, card = load_model(tmp_path / "noext")  # saved as noext.npz
    assert card == {"features": ["a"]}
    np.testing.assert_allclose(loaded.predict(X), model.predict(X))


def test_numbers_written_with_commas_are_not_taken_for_categories(tmp_path):
    from nanomed.ai.datasets import read_experiment_table

    path = tmp_path / "e.csv"
    path.write_text('x,kind,y\n"100,5",12,1\n"2,5",A,2\n"3,0",B,3\n')  # "12" is no comma
    with pytest.raises(
        DataError,
        match=r"row 2, column 'x': '100,5' is not a plain number; write numbers with a decimal",
    ):
        read_experiment_table(path, ["y"])
    path.write_text("x,kind,y\n100.5,12,1\n2.5,A,2\n3.0,B,3\n")
    assert read_experiment_table(path, ["y"])["kind"].tolist() == ["12", "A", "B"]


def test_numbers_given_with_their_unit_are_not_taken_for_categories(tmp_path):
    from nanomed.ai.datasets import read_experiment_table

    path = tmp_path / "u.csv"
    path.write_text("size,shape,y\n12.3 um,2D,1\n40 um,3D,2\n8.1 um,2D,3\n")
    with pytest.raises(DataError, match=r"row 2, column 'size': '12.3 um' is not a plain number"):
        read_experiment_table(path, ["y"])
    path.write_text("size,shape,y\n12.3,2D,1\n40,3D,2\n8.1,2D,3\n")  # "2D" is a label
    assert read_experiment_table(path, ["y"])["shape"].tolist() == ["2D", "3D", "2D"]


def test_a_card_listing_the_features_in_another_order_predicts_as_fitted(app, tmp_path):
    from nanomed.ai.estimators import RandomForestModel
    from nanomed.ai.modelio import save_model

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [5.0, 1.0, 4.0, 2.0]})
    model = RandomForestModel(n_estimators=5, random_state=0).fit(X, [0.0, 1.0, 2.0, 3.0])
    path = save_model(model, tmp_path / "m.npz", {"features": ["b", "a"], "target": "y"})
    X.to_csv(tmp_path / "rows.csv", index=False)
    res = CliRunner().invoke(app, ["predict", str(tmp_path / "rows.csv"), "-m", str(path),
                                   "-o", str(tmp_path / "p.csv")])  # fmt: skip
    assert res.exit_code == 0, res.output
    np.testing.assert_allclose(pd.read_csv(tmp_path / "p.csv")["predicted_y"], model.predict(X))


def test_score_splits_and_seeds_out_of_range_are_refused(app, tumour):
    r = CliRunner()
    base = ["train", str(tumour / "train.csv"), "--target", "DE24", "--out", str(tumour / "x.npz")]
    res = r.invoke(app, [*base, "--score-splits", "3"])
    assert res.exit_code == 2 and "give a protocol" in res.output
    assert r.invoke(app, [*base, "--seed", str(2**40)]).exit_code == 2
    res = r.invoke(app, ["evaluate", "--protocol", "nano_tumor", "--splits", "100000"])
    assert res.exit_code == 2


def test_a_file_that_is_not_utf8_is_one_line(capsys):
    @handle_errors
    def read() -> None:
        b"core_diameter: 0.015 \xb5m".decode()

    with pytest.raises(typer.Exit) as exc:
        read()
    assert exc.value.exit_code == 2
    assert "not UTF-8 text (byte 0xb5 at position 21)" in capsys.readouterr().err


def test_a_copy_of_a_bundled_table_with_empty_cells_trains_like_it(app, tmp_path):
    """Nano-Tumor leaves some zeta potentials and sizes unreported; its models were built for
    that, so a user table like it may leave them empty too (the target never)."""
    frame = load_dataset("nano_tumor").frame
    frame.to_csv(tmp_path / "nt.csv", index=False)
    r = CliRunner()
    res = r.invoke(app, ["train", str(tmp_path / "nt.csv"), "--like", "nano_tumor", "--model",
                         "random_forest", "--out", str(tmp_path / "m.npz")])  # fmt: skip
    assert res.exit_code == 0, res.output
    frame.loc[frame.index[3], "DE24"] = np.nan
    frame.to_csv(tmp_path / "nt.csv", index=False)
    res = r.invoke(app, ["train", str(tmp_path / "nt.csv"), "--like", "nano_tumor", "--model",
                         "random_forest", "--out", str(tmp_path / "m.npz")])  # fmt: skip
    assert res.exit_code == 2 and "row 5, column 'DE24': empty" in res.output


def test_number_coded_categories_warn_when_unseen(app, tmp_path):
    r = CliRunner()
    res = r.invoke(app, ["train", "protein_corona", "--model", "random_forest",
                         "--out", str(tmp_path / "pc.npz")])  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = load_dataset("protein_corona").frame.head(3)
    rows.to_csv(tmp_path / "seen.csv", index=False)
    res = r.invoke(app, ["predict", str(tmp_path / "seen.csv"), "-m", str(tmp_path / "pc.npz"),
                         "-o", str(tmp_path / "p.csv")])  # fmt: skip
    assert res.exit_code == 0 and "warning" not in res.output, res.output  # training rows
    rows.assign(**{"Particle Size": 50}).to_csv(tmp_path / "new.csv", index=False)
    res = r.invoke(app, ["predict", str(tmp_path / "new.csv"), "-m", str(tmp_path / "pc.npz"),
                         "-o", str(tmp_path / "p.csv")])  # fmt: skip
    assert "column 'Particle Size': '50' (row 2) and 2 more row(s) hold a category" in res.output
    res = r.invoke(app, ["explain", str(tmp_path / "pc.npz"), str(tmp_path / "seen.csv")])
    assert res.exit_code == 0 and "warning" not in res.output  # no feature-name noise


def test_a_separator_ending_every_line_adds_no_column_and_percentages_are_refused(tmp_path):
    from nanomed.ai.datasets import read_release_table

    path = tmp_path / "r.csv"
    path.write_text("profile_id,time,fraction_released,\np1,1,0.1,\np1,2,0.3,\n")
    assert read_release_table(path).columns.tolist() == ["profile_id", "time", "fraction_released"]
    path.write_text("profile_id,time,fraction_released\np1,1,10\np1,2,30\n")
    with pytest.raises(DataError, match="row 3, column 'fraction_released': 30 is a percentage"):
        read_release_table(path)


def test_data_check_calls_an_infinite_value_an_error():
    from nanomed.ai.quality import check_table

    report = check_table(pd.DataFrame({"t": [1.0, np.inf, 3.0], "y": [0.1, 0.2, 0.3]}))
    assert [i.kind for i in report.issues if i.column == "t"] == ["not_finite"]
    assert not report.ok
