import numpy as np
import pandas as pd
import pytest

from nanomed.ai.datasets import DATASET_SPECS, load_dataset, read_release_table
from nanomed.ai.protocols import protocol_splits
from nanomed.ai.quality import check_split, check_table, drop_rows
from nanomed.core.errors import DataError, InputError


def test_bannigan_matches_published_counts():
    # Bannigan et al. 2023 / shared/data/README.md: 181 profiles, 34 drug-polymer groups, 3783 points
    ds = load_dataset("bannigan_few_shot")
    assert len(ds.frame) == 3783
    assert ds.frame["Experimental_index"].nunique() == 181
    assert ds.groups.nunique() == 34
    # measured fractions scatter slightly above 1; the quality report must flag, not hide, them
    assert ds.y.min() >= 0 and ds.y.max() < 1.1
    over = [
        i for i in check_table(ds.frame, ds.spec).by_kind("out_of_range") if i.column == "Release"
    ]
    assert over and over[0].count == int((ds.y > 1).sum())
    assert ds.spec.feature("Time").unit == "day"


def test_unknown_dataset_is_one_line_input_error():
    with pytest.raises(InputError, match="unknown dataset"):
        load_dataset("nope")


def test_protein_corona_label_uses_published_cutoff():
    ds = load_dataset("protein_corona")
    assert ((ds.frame["Enrichment"] >= 1) == (ds.y == 1)).all()
    assert len(ds.frame) == 3012


def _bad_table():
    return pd.DataFrame(
        {
            "size_nm": ["100", "120", "100 nm", None, "110", "105", "98", "102", "101", "5000"],
            "shape": [
                "Rod",
                "rod ",
                "sphere",
                "sphere",
                "sphere",
                "sphere",
                "sphere",
                "sphere",
                "sphere",
                "sphere",
            ],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        }
    )


def test_quality_report_finds_each_planted_problem():
    df = pd.concat([_bad_table(), _bad_table().iloc[[0]]], ignore_index=True)  # one exact duplicate
    rep = check_table(df, targets=["y"])
    kinds = {i.kind: i for i in rep.issues}
    assert kinds["missing"].rows == (3,)
    assert kinds["not_numeric"].rows == (2,) and "100 nm" in kinds["not_numeric"].message
    assert kinds["category_variants"].count == 3  # "Rod" x2 and "rod "
    assert kinds["duplicate_row"].rows == (10,)
    assert 9 in kinds["outlier"].rows  # 5000 nm among ~100 nm
    assert not rep.ok  # a non-numeric cell is an error


def test_a_target_or_group_the_table_lacks_is_an_error_not_ignored():
    df = _bad_table()
    with pytest.raises(DataError, match=r"\['yield'\] named as target or group"):
        check_table(df, targets=["yield"])
    with pytest.raises(DataError, match=r"\['batch'\]"):
        check_table(df, targets=["y"], group="batch")


def test_out_of_range_uses_the_spec_bounds():
    ds = load_dataset("nano_tumor")
    rep = check_table(ds.frame, ds.spec)
    zeta = [i for i in rep.by_kind("out_of_range") if i.column == "Zeta"]
    # |zeta| > 100 mV is not physical for colloids; the table holds 274.2 mV
    assert zeta and (ds.frame["Zeta"].iloc[list(zeta[0].rows)].abs() > 100).all()


def test_order_check_finds_a_delivery_above_its_maximum():
    """DEmax is the maximum of the tumour time course, so DE24 and DE168 cannot exceed it; the
    Nano-Tumor table has one such row (ID 39: DE24 9.48 and DE168 3.98 %ID, DEmax 1.69)."""
    ds = load_dataset("nano_tumor")
    order = {i.column: i for i in check_table(ds.frame, ds.spec).by_kind("order")}
    assert set(order) == {"DE24 <= Demax", "DE168 <= Demax"}
    for issue in order.values():
        assert issue.count == 1 and issue.severity == "error"
        assert ds.frame["ID"].iloc[issue.rows[0]] == 39
    planted = ds.frame.copy()
    planted.loc[0, "DE24"] = planted.loc[0, "Demax"] + 1.0
    rows = {i.column: i.rows for i in check_table(planted, ds.spec).by_kind("order")}
    assert 0 in rows["DE24 <= Demax"]


def test_cumulative_check_flags_a_release_profile_that_falls():
    """Cumulative release cannot fall in time; the Bannigan set has one fall above the 0.05
    tolerance (profile 114, 0.061), and a planted fall of 0.3 is found at the planted row."""
    from nanomed.ai.quality import CUMULATIVE_DROP

    ds = load_dataset("bannigan_few_shot")
    found = check_table(ds.frame, ds.spec).by_kind("cumulative_drop")
    assert len(found) == 1 and found[0].count == 1
    assert ds.frame["Experimental_index"].iloc[found[0].rows[0]] == 114
    planted = ds.frame.copy()
    prof = planted.index[planted["Experimental_index"] == 80]
    last = planted.loc[prof, "Time"].idxmax()
    planted.loc[last, "Release"] = planted.loc[prof, "Release"].max() - 0.3
    rows = check_table(planted, ds.spec).by_kind("cumulative_drop")[0].rows
    assert planted.index.get_loc(last) in rows
    assert CUMULATIVE_DROP < 0.3


def test_drop_rows_records_every_dropped_row():
    df = _bad_table()
    rep = check_table(df)
    kept, dropped = drop_rows(df, df["size_nm"].isna().to_numpy(), "missing size", rep)
    assert len(kept) + len(dropped) == len(df)
    assert dropped["row"].tolist() == [3] and dropped["reason"].iloc[0] == "missing size"
    assert len(rep.dropped) == 1 and "1 rows dropped" in rep.summary()


def test_group_leak_risk_flags_identical_inputs_in_two_groups():
    df = pd.DataFrame({"a": [1, 1, 2], "b": [3, 3, 4], "g": ["x", "y", "x"], "t": [0.1, 0.2, 0.3]})
    rep = check_table(df, targets=["t"], group="g")
    assert rep.by_kind("group_leak_risk")[0].rows == (0, 1)


def test_missing_cells_count_as_equal_inputs():
    # rows with a missing cell are still identical inputs (a leak), and do not break the keying
    df = pd.DataFrame({"a": [1.0, 1.0, None, None], "s": [None, None, "x", "x"], "g": list("xyzw")})
    rep = check_table(df, group="g")
    assert [i.rows for i in rep.by_kind("group_leak_risk")] == [(0, 1, 2, 3)]
    rep = check_split(df.iloc[[0, 2]], df.iloc[[1, 3]], features=["a", "s"])
    assert rep.identical_rows == 2


def test_protein_corona_report_flags_the_published_group_leak_risk():
    # docs/ai/index.md: the corona set has identical inputs under different proteins
    rep = check_table(load_dataset("protein_corona").frame, DATASET_SPECS["protein_corona"])
    assert rep.by_kind("group_leak_risk")


def test_protocol_splits_do_not_leak_groups():
    ds = load_dataset("bannigan_few_shot")
    for tr, te in protocol_splits("bannigan_few_shot", ds, 3):
        rep = check_split(
            ds.frame.iloc[tr], ds.frame.iloc[te], group="DP_Group", id_column="Experimental_index"
        )
        assert not rep.leaks


def test_planted_leak_is_caught():
    ds = load_dataset("bannigan_few_shot")
    tr, te = next(protocol_splits("bannigan_few_shot", ds, 1))
    leaked_train = pd.concat([ds.frame.iloc[tr], ds.frame.iloc[te[:5]]])  # plant 5 test rows
    rep = check_split(
        leaked_train,
        ds.frame.iloc[te],
        group="DP_Group",
        id_column="Experimental_index",
        features=ds.spec.feature_names,
    )
    assert rep.leaks
    assert rep.shared_groups == [ds.frame["DP_Group"].iloc[te[0]]]
    assert rep.identical_rows >= 5
    with pytest.raises(DataError, match="leakage"):
        check_split(leaked_train, ds.frame.iloc[te], group="DP_Group", raise_on_leak=True)


def test_random_split_of_grouped_data_is_flagged():
    from sklearn.model_selection import train_test_split

    ds = load_dataset("bannigan_few_shot")
    tr, te = train_test_split(ds.frame, test_size=0.2, random_state=0)
    assert len(check_split(tr, te, group="DP_Group").shared_groups) > 20


def test_experiment_table_with_an_empty_target_names_its_lines(tmp_path):
    from nanomed.ai.datasets import read_experiment_table

    p = tmp_path / "e.csv"
    p.write_text("size,DE\n100,1.2\n50,\n80,0.4\n")
    with pytest.raises(DataError, match=r"target 'DE' is empty in 1 row\(s\) \(lines 3\)"):
        read_experiment_table(p, ["DE"])
    p.write_text("size,DE\n100,1.2\n50,0.9\n")
    assert read_experiment_table(p, ["DE"])["DE"].tolist() == [1.2, 0.9]


def test_read_release_table_names_the_bad_row(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("profile_id,time,fraction_released\nA,0,0\nA,1,0.5\nA,2,half\n")
    with pytest.raises(DataError, match=r"row 4, column 'fraction_released'"):
        read_release_table(p)
    p.write_text("profile_id,time\nA,0\n")
    with pytest.raises(DataError, match="missing columns"):
        read_release_table(p)


def test_every_spec_loads():
    for name in DATASET_SPECS:
        ds = load_dataset(name)
        assert np.isfinite(ds.y).all() and len(ds.X.columns) == len(ds.spec.features)
    # published sizes of the bundled sets
    for name in ("bannigan_few_shot", "bannigan_zero_shot"):
        # Bannigan et al., Nat Commun 14:35 (2023): 3783 release points of 181 profiles
        frame = load_dataset(name).frame
        assert len(frame) == 3783 and frame["Experimental_index"].nunique() == 181
    # Nano-Tumor set of Chou et al., J Control Release 361:53 (2023): 378 NP datasets, one row
    # each; 288 of them complete in the descriptors (datasets/nano_tumor_g1/SOURCE.md)
    tumour = load_dataset("nano_tumor")
    assert len(tumour.frame) == 378 and tumour.frame["ID"].nunique() == 378
    assert int(tumour.frame[tumour.spec.feature_names].notna().all(axis=1).sum()) == 288
    # protein corona (Findlay et al., Environ Sci: Nano 5:64, 2018): the 3012 protein-AgNP pairs
    # of the upstream database.csv (ENM-Protein-Predictor commit 9133db1)
    assert len(load_dataset("protein_corona").frame) == 3012


def test_a_table_in_a_bundled_dataset_s_columns_reads_back_its_rows(tmp_path):
    from nanomed.ai.datasets import read_dataset_like

    bundled = load_dataset("bannigan_few_shot").frame
    mine = bundled[bundled["DP_Group"].isin(["DEX-PLGA", "QRC-PCL"])]
    path = tmp_path / "mine.csv"
    mine.drop(columns=["Polymer", "Drug_SMILES"]).to_csv(path, index=False)
    ds = read_dataset_like(path, "bannigan_few_shot")
    # the matrix and the structure come back from the bundled drug codes, the rows unchanged
    assert ds.frame["Polymer"].tolist() == mine["Polymer"].tolist()
    assert ds.frame["Drug_SMILES"].tolist() == mine["Drug_SMILES"].tolist()
    np.testing.assert_allclose(ds.X.to_numpy(float), mine[ds.spec.feature_names].to_numpy(float))
    assert ds.groups.tolist() == mine["DP_Group"].tolist()
    both = read_dataset_like(path, "bannigan_few_shot", with_bundled=True)
    assert len(both.frame) == len(bundled) + len(mine)
    # the user's profile ids never merge with a bundled profile of the same number
    ids = both.frame["Experimental_index"]
    assert (
        ids.nunique()
        == bundled["Experimental_index"].nunique() + mine["Experimental_index"].nunique()
    )
    assert ids.iloc[len(bundled) :].str.startswith("user:").all()


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda df: df.drop(columns=["T=0.5"]), r"missing columns \['T=0.5'\]"),
        (lambda df: df.assign(DLC=df["DLC"].astype(object).where(df.index != 2, "ten")),
         r"row 4, column 'DLC': 'ten' is not a number"),
        (lambda df: df.assign(Release=df["Release"].where(df.index != 5)),
         r"row 7, column 'Release': empty"),
        (lambda df: df.assign(DP_Group=df["DP_Group"].where(df.index != 0)),
         r"row 2, column 'DP_Group': empty"),
    ],
)  # fmt: skip
def test_a_bad_cell_of_a_user_table_names_its_line_and_column(tmp_path, edit, says):
    from nanomed.ai.datasets import read_dataset_like

    rows = load_dataset("bannigan_few_shot").frame.head(8).reset_index(drop=True)
    path = tmp_path / "mine.csv"
    edit(rows).to_csv(path, index=False)
    with pytest.raises(DataError, match=says):
        read_dataset_like(path, "bannigan_few_shot")


def test_a_new_drug_code_leaves_the_physics_columns_to_the_user(tmp_path):
    from nanomed.ai.datasets import read_dataset_like
    from nanomed.ai.protocols import PROTOCOLS, model_inputs

    rows = load_dataset("bannigan_few_shot").frame.head(8).assign(DP_Group="NEW-PLGA")
    path = tmp_path / "mine.csv"
    rows.drop(columns=["Polymer", "Drug_SMILES"]).to_csv(path, index=False)
    ds = read_dataset_like(path, "bannigan_few_shot", with_bundled=True)
    assert "Polymer" not in ds.frame  # not left empty for the user's rows
    p = PROTOCOLS["bannigan_few_shot"]
    assert list(model_inputs(p, ds, "curve_blend").columns) == ds.spec.feature_names
    with pytest.raises(DataError, match=r"reads the column\(s\) \['Polymer'\]"):
        model_inputs(p, ds, "hydrolysis_curve_blend")
    # given by the user, they are kept as given (no drug code to derive Drug_SMILES from)
    rows.assign(Polymer="PCL").drop(columns=["Drug_SMILES"]).to_csv(path, index=False)
    frame = read_dataset_like(path, "bannigan_few_shot").frame
    assert frame["Polymer"].eq("PCL").all() and "Drug_SMILES" not in frame


def test_a_column_of_numbers_written_with_units_is_reported_not_numeric():
    """Without a schema, '12.3 um' looked like a category and the report said "no issues"."""
    df = pd.DataFrame({"size": ["12.3 um", "40 um", "8.1 um"], "ee": ["1,5", "2,0", "0,5"],
                       "shape": ["2D", "3D", "2D"]})  # fmt: skip
    report = check_table(df)
    bad = {i.column for i in report.by_kind("not_numeric")}
    assert bad == {"size", "ee"} and not report.ok  # "2D" is a label, not a number
