"""Hybrid models on the real datasets, reduced protocols (the full ones run in benchmarks/ai.py).

Sources: Bannigan et al., Nat Commun 14:35 (2023) (release set, group splits); Chou et al.,
J Control Release 361:53 (2023) (Nano-Tumor AI-PBPK set, random 80/20 splits).
"""

import numpy as np
import pytest

from nanomed.ai.aipbpk import DELIVERY, PREDICTED, AIPBPKModel, delivery_scores
from nanomed.ai.datasets import load_dataset
from nanomed.ai.estimators import RandomForestModel
from nanomed.ai.hybrid import ProjectedReleaseModel, few_shot_hybrid
from nanomed.ai.protocols import protocol_splits
from nanomed.release.empirical import EMPIRICAL_MODELS


def test_projected_hybrid_beats_higuchi_and_the_published_network_on_held_out_groups():
    ds = load_dataset("bannigan_few_shot")
    X, y = ds.X, ds.y.to_numpy()
    grid = np.concatenate([[0.0], np.geomspace(0.01, 200, 80)])
    for tr, te in protocol_splits("bannigan_few_shot", ds, 2):
        m = ProjectedReleaseModel(RandomForestModel(n_estimators=60, random_state=0))
        m.fit(X.iloc[tr], y[tr])
        mae = np.mean(np.abs(m.predict(X.iloc[te]) - y[te]))
        # the classical few-shot extrapolation: Higuchi sqrt(t) law from the 1-day point
        higuchi = np.clip(X["T=1.0"].to_numpy()[te] * np.sqrt(X["Time"].to_numpy()[te]), 0, 1)
        assert mae < np.mean(np.abs(higuchi - y[te]))
        assert mae < 0.184  # published few-shot neural network (Bannigan 2023, Table 1)
        theta = m.predict_parameters(X.iloc[te])
        curves = EMPIRICAL_MODELS["weibull"].function(grid, theta)
        assert np.all((curves >= 0) & (curves <= 1)) and np.all(np.diff(curves, axis=1) >= -1e-12)


def test_network_hybrid_curves_are_physical_on_real_formulations():
    ds = load_dataset("bannigan_few_shot")
    X, y = ds.X, ds.y.to_numpy()
    tr, te = next(protocol_splits("bannigan_few_shot", ds, 1))
    m = few_shot_hybrid(n_members=2).fit(X.iloc[tr], y[tr])
    curves = m.predict_curves(X.iloc[te].drop_duplicates(), np.geomspace(1e-3, 500, 60))
    assert np.all((curves >= 0) & (curves <= 1)) and np.all(np.diff(curves, axis=1) >= -1e-12)
    assert np.mean(np.abs(m.predict(X.iloc[te]) - y[te])) < 0.184  # published NN, Table 1


def test_aipbpk_held_out_split_interval_and_skill():
    ds = load_dataset("nano_tumor")
    frame = ds.frame.reset_index(drop=True)
    X = frame[ds.spec.feature_names]
    tr, te = next(protocol_splits("nano_tumor", ds, 1))
    m = AIPBPKModel(n_estimators=60, n_samples=10, random_state=0)
    m.fit(X.iloc[tr], frame.iloc[tr][list(PREDICTED)], delivery=frame.iloc[tr])
    out = m.predict_delivery(X.iloc[te])
    for name, col in DELIVERY.items():
        obs = frame[col].to_numpy()[te]
        inside = (obs >= out[f"{name}_lower"]) & (obs <= out[f"{name}_upper"])
        # conformal 90 % interval on 76 held-out datasets: coverage near nominal (binomial SD 3.4 %)
        assert inside.mean() == pytest.approx(0.9, abs=0.12)
        # some skill on log scale (cor² > 0; published AI-PBPK 0.83/0.56/0.82, direct DNN
        # 0.46/0.33/0.70 on their own splits)
        assert delivery_scores(obs, out[name])["cor2_log10"] > 0.1


def test_published_aipbpk_protocol_is_reproduced_and_its_figure_includes_training_rows():
    """Chou 2023's AI-PBPK code (UFPBPK/Nano-AI-PBPK-G1, Main_Code.R) scores cor² of log10 DE on
    all 288 complete rows, 80 % of them training rows, with PATC/PT/QTC/VTC/BVT fitted to each
    row's own time course. Published: 0.83 / 0.56 / 0.82 (DE24 / DE168 / DEmax)."""
    from nanomed.ai.aipbpk import evaluate_published_protocol

    oracle = evaluate_published_protocol(oracle=True).set_index(["subset", "target"])
    assert oracle.loc[("all", "DE24"), "n"] == 288  # the published row count (their Data.csv)
    assert oracle.loc[("test", "DE24"), "n"] == 58
    # the fitted parameters through nanomed's organ model: at least the published prediction
    published = {"DE24": 0.83, "DE168": 0.56, "DEmax": 0.82}
    for name, value in published.items():
        assert oracle.loc[("all", name), "cor2_log10"] >= value
    # a small untuned forest predicting the four KTRES parameters on the published split
    # (seed 2) lands within 0.1 of the published networks on their protocol (300 trees: above)
    res = evaluate_published_protocol(n_estimators=30).set_index(["subset", "target"])
    for name, value in published.items():
        assert res.loc[("all", name), "cor2_log10"] > value - 0.1
        assert res.loc[("train", name), "cor2_log10"] > 0.5
    assert np.isfinite(res[["cor2_log10", "r2", "rmse"]].to_numpy()).all()
    from nanomed.core.errors import InputError

    with pytest.raises(InputError, match="features must be"):
        evaluate_published_protocol(features="all")
    with pytest.raises(InputError, match="not with oracle"):
        evaluate_published_protocol(oracle=True, residual=True)


def test_published_design_residual_learner_sees_out_of_fold_simulations():
    """AI-PBPK + learned residual: the residual forest is trained on out-of-fold simulations,
    and the table's methods are all scored on the same 288 rows."""
    from nanomed.ai.aipbpk import evaluate_published_protocol

    res = evaluate_published_protocol(n_estimators=30, features="extended", residual=True)
    assert set(res["method"]) == {
        "AI-PBPK",
        "AI-PBPK + learned residual",
        "direct forest, same inputs",
        "AI-PBPK ensemble",
    }
    t = res.set_index(["method", "subset", "target"])["cor2_log10"]
    # the ensemble is a mean of log10 predictions; the correlation of a sum of predictors with
    # positive correlations is at least the smallest of them (sd(a + b) <= sd(a) + sd(b)), so
    # its cor² can fall below no member's on any subset (a mismatched column would break it)
    from nanomed.ai.aipbpk import ENSEMBLE_MEMBERS

    label = {
        "residual": "AI-PBPK + learned residual",
        "direct": "direct forest, same inputs",
        "simulation": "AI-PBPK",
    }
    for (subset, name), members in (
        ((s, n), m) for s in ("all", "test", "train") for n, m in ENSEMBLE_MEMBERS.items()
    ):
        worst = min(t[(label[m], subset, name)] for m in members)
        assert t[("AI-PBPK ensemble", subset, name)] >= worst - 1e-12
    for name in ("DE24", "DE168", "DEmax"):
        # fitted to log DE of the training rows, the residual learner beats the bare mechanism
        # there (in-sample), while its held-out score stays a held-out score (< in-sample)
        assert t[("AI-PBPK + learned residual", "train", name)] > t[("AI-PBPK", "train", name)]
        assert (
            t[("AI-PBPK + learned residual", "test", name)]
            < t[("AI-PBPK + learned residual", "train", name)]
        )
    assert (res.groupby("method")["n"].max() == 288).all()
    # the ensemble's conformal 90 % interval (calibrated out-of-bag on the training rows):
    # reported for the held-out rows only, with a coverage a 58-row test set can plausibly give
    ens = res[res["method"] == "AI-PBPK ensemble"].set_index("subset")
    assert ens.loc["train", "coverage_90"].isna().all()
    test = ens.loc["test"]
    assert test["coverage_90"].between(0.75, 1.0).all()
    assert (test["upper_lower_90"] > 1).all()
