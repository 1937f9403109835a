"""Small, fast versions of the published protocols (the full ones run in benchmarks/ai.py)."""

import re

import numpy as np

from nanomed.ai.protocols import build_model, evaluate


def test_bannigan_few_shot_lightgbm_near_published():
    # Bannigan et al. 2023, Table 1: LightGBM test MAE 0.114 (10 group splits); 3 splits here.
    res = evaluate("bannigan_few_shot", "lightgbm", n_splits=3)
    assert not res.scores["leak"].any()
    assert 0.07 < res.mean() < 0.16


def test_protein_corona_auroc_near_published_and_falls_to_chance_on_shuffled_labels():
    # Findlay et al. 2018: random-forest AUROC 0.83 ± 0.02; label shuffling gives ~0.5.
    def small():
        return build_model("protein_corona", "random_forest", n_estimators=60, n_jobs=1)

    res = evaluate("protein_corona", small, n_splits=3)
    assert res.mean() > 0.76

    from nanomed.ai.datasets import load_dataset
    from nanomed.ai.protocols import PROTOCOLS, model_inputs, protocol_splits

    ds = load_dataset("protein_corona")
    X = model_inputs(PROTOCOLS["protein_corona"], ds)
    y = np.random.default_rng(0).permutation(ds.y.to_numpy())
    tr, te = next(protocol_splits("protein_corona", ds, 1))
    from sklearn.metrics import roc_auc_score

    p = small().fit(X.iloc[tr], y[tr]).predict_proba(X.iloc[te])[:, 1]
    assert abs(roc_auc_score(y[te], p) - 0.5) < 0.1


def test_nano_tumor_reports_rmse_and_test_spread_consistent_with_r2():
    # R² = 1 - RMSE² / Var(test): the reported RMSE and test-set SD (population SD, as in R²)
    # must reproduce sklearn's R² computed independently in evaluate().
    res = evaluate("nano_tumor", "lightgbm", n_splits=2, targets=("DE24",))
    s = res.scores
    assert np.allclose(s["score"], 1 - s["rmse"] ** 2 / s["test_sd"] ** 2)
    assert (s["test_sd"] > 0).all() and (s["rmse"] > 0).all()
    summary = res.summary()
    assert {"rmse_mean", "test_sd_mean"} <= set(summary.columns)


def test_evaluate_checkpoint_resumes_a_killed_run_and_refuses_another_runs_file(tmp_path):
    import pandas as pd
    import pytest

    from nanomed.core.errors import InputError

    fits = []

    def small():
        fits.append(1)
        return build_model("nano_tumor", "lightgbm", n_estimators=30)

    path = tmp_path / "scores.csv"
    full = evaluate("nano_tumor", small, n_splits=3, targets=("DE24",), checkpoint=path)
    assert len(fits) == 3 and len(pd.read_csv(path)) == 3
    # a run killed after its first split left only that split's row on disk
    pd.read_csv(path).iloc[:1].to_csv(path, index=False)
    fits.clear()
    resumed = evaluate("nano_tumor", small, n_splits=3, targets=("DE24",), checkpoint=path)
    assert len(fits) == 2  # only the missing splits were fitted again
    np.testing.assert_allclose(resumed.scores["score"], full.scores["score"])
    assert len(pd.read_csv(path)) == 3
    # a hand-edited or damaged row is refused, never mixed into the scores
    saved = pd.read_csv(path)
    for edit, says in [
        (lambda f: pd.concat([f, f.iloc[[1]].assign(score=0.9)]), "split 1 of DE24 is given twice"),
        (lambda f: f.assign(score=f["score"].astype(object).where(f.index != 1, "abc")),
         "row 3: score 'abc' is not a number"),
        (lambda f: f.assign(split=[0, 1, 7]), "split 7 is not one of 0 … 2"),
        (lambda f: f.assign(target=["DE24", "Other", "DE24"]), "target 'Other' is not one of"),
        (lambda f: f.drop(columns="score"), "columns ['score'] missing"),
    ]:  # fmt: skip
        edit(saved).to_csv(path, index=False)
        with pytest.raises(InputError, match=re.escape(says)):
            evaluate("nano_tumor", small, n_splits=3, targets=("DE24",), checkpoint=path)
    saved.to_csv(path, index=False)
    # a file written by a different evaluation is never overwritten nor mixed in
    with pytest.raises(InputError, match="not a checkpoint of this evaluation"):
        evaluate("nano_tumor", small, n_splits=2, targets=("DE24",), checkpoint=path)
    assert len(pd.read_csv(path)) == 3
    # nor is any other CSV, even one with no rows; a folder that cannot exist is one line
    other = tmp_path / "other.csv"
    other.write_text("a,b\n")
    with pytest.raises(InputError, match="not a checkpoint"):
        evaluate("nano_tumor", small, n_splits=1, targets=("DE24",), checkpoint=other)
    assert other.read_text() == "a,b\n"
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot create its folder"):
        evaluate("nano_tumor", small, n_splits=1, targets=("DE24",), checkpoint=blocker / "x.csv")
    # a search over scipy distributions is the same run when rerun (no memory addresses)
    from scipy.stats import randint

    from nanomed.ai.protocols import _fingerprint

    assert _fingerprint({"n": randint(1, 5)}) == _fingerprint({"n": randint(1, 5)})
    assert _fingerprint({"n": randint(1, 5)}) != _fingerprint({"n": randint(1, 6)})


def test_zero_splits_is_a_clear_error_not_an_empty_table():
    import pytest

    from nanomed.ai.aipbpk import evaluate_published_protocol
    from nanomed.core.errors import InputError

    with pytest.raises(InputError, match="n_splits must be >= 1"):
        evaluate("nano_tumor", "lightgbm", n_splits=0)
    with pytest.raises(InputError, match="at least one split seed"):
        evaluate_published_protocol(())


def test_a_user_table_is_split_and_scored_as_the_bundled_one(tmp_path):
    """``evaluate(data=)``: given the bundled table back as a user file, the protocol gives the
    same scores, without the published number (which belongs to the bundled table); a checkpoint
    of one table is never resumed for another."""
    import pandas as pd
    import pytest

    from nanomed.ai.datasets import load_dataset, read_dataset_like
    from nanomed.core.errors import InputError

    frame = load_dataset("bannigan_few_shot").frame
    path = tmp_path / "mine.csv"
    frame.drop(columns=["Polymer", "Drug_SMILES"]).to_csv(path, index=False)
    mine = read_dataset_like(path, "bannigan_few_shot")
    ref = evaluate("bannigan_few_shot", "lightgbm", n_splits=2)
    res = evaluate("bannigan_few_shot", "lightgbm", n_splits=2, data=mine)
    np.testing.assert_array_equal(res.scores["score"], ref.scores["score"])
    assert res.summary()["published"].iloc[0] == "" and ref.summary()["published"].iloc[0]
    with pytest.raises(InputError, match="scores dataset 'bannigan_zero_shot'"):
        evaluate("bannigan_zero_shot", "lightgbm", n_splits=1, data=mine)
    ck = tmp_path / "scores.csv"
    evaluate("bannigan_few_shot", "lightgbm", n_splits=1, checkpoint=ck)
    fewer = frame[frame["DP_Group"] != frame["DP_Group"].iloc[0]]
    fewer.drop(columns=["Polymer", "Drug_SMILES"]).to_csv(path, index=False)
    other = read_dataset_like(path, "bannigan_few_shot")
    with pytest.raises(InputError, match="not a checkpoint of this evaluation"):
        evaluate("bannigan_few_shot", "lightgbm", n_splits=1, checkpoint=ck, data=other)
    assert len(pd.read_csv(ck)) == 1
