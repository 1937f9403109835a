import numpy as np
import pandas as pd
import pytest

from nanomed.ai.aipbpk import (
    DELIVERY,
    PARAMETERS,
    PREDICTED,
    AIPBPKModel,
    delivery_scores,
    simulate_delivery,
)
from nanomed.ai.datasets import load_dataset
from nanomed.core.errors import InputError
from nanomed.organ.nano_tumor import nano_tumor_validation


@pytest.fixture(scope="module")
def tumour():
    ds = load_dataset("nano_tumor")
    return ds.frame.reset_index(drop=True), ds.spec.feature_names


def test_simulation_reproduces_the_organ_scale_validation(tumour):
    # the batched DE path must equal nanomed.organ.nano_tumor's per-dataset simulation
    frame, _ = tumour
    rows = frame.iloc[:6]
    ours = simulate_delivery(rows[["BW", "TW", "Dose", *PARAMETERS]])
    ref = nano_tumor_validation(list(rows["ID"]))
    np.testing.assert_allclose(ours["DE24"], ref["DE24"], rtol=1e-4)
    np.testing.assert_allclose(ours["DE168"], ref["DE168"], rtol=1e-4)
    np.testing.assert_allclose(ours["DEmax"], ref["DEmax"], rtol=2e-3)  # 0.5 h vs 0.1 h grid


def test_delivery_is_dose_independent_and_bounded(tumour):
    # no MPS saturation in Chou 2023's model: the system is linear, so %ID does not depend on dose
    frame, _ = tumour
    rows = frame.iloc[:3][["BW", "TW", "Dose", *PARAMETERS]]
    a = simulate_delivery(rows)
    b = simulate_delivery(rows.assign(Dose=rows["Dose"] * 10))
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-5)
    assert np.all((a.to_numpy() >= 0) & (a.to_numpy() <= 100))
    assert np.all(a["DEmax"] >= a["DE24"] - 1e-9) and np.all(a["DEmax"] >= a["DE168"] - 1e-9)


def test_model_predicts_parameters_and_delivery_with_interval(tumour):
    frame, feats = tumour
    train, test = frame.iloc[:80], frame.iloc[80:86]
    m = AIPBPKModel(n_estimators=20, n_samples=6, random_state=0)
    m.fit(train[feats], train[list(PREDICTED)], delivery=train)
    params = m.predict(test[feats])
    assert params.shape == (6, len(PREDICTED)) and np.all(params > 0)
    # predicted parameters stay inside the training range (a forest averages training values)
    logp = np.log10(train[list(PREDICTED)].clip(lower=0.005).to_numpy())
    assert np.all(np.log10(params) <= logp.max(axis=0) + 1e-9)
    out = m.predict_delivery(test[feats])
    for name in DELIVERY:
        assert np.all(out[f"{name}_lower"] <= out[f"{name}_upper"])
    oob = m.oob_delivery()
    assert len(oob) == 80 and np.all(np.isfinite(oob.to_numpy()))
    # by design ("trees") the point is the median DE over a subset of the forest's trees: it lies
    # within the range of the organ model simulated independently on every tree's parameters
    base = test[["BW", "TW", "Dose"]].reset_index(drop=True)
    Z = m._features(test[feats].reset_index(drop=True), fit=False)
    per_tree = [
        simulate_delivery(
            base.assign(**dict(zip(PREDICTED, (10.0 ** e.predict(Z)).T, strict=True)))
        )
        for e in m.forest_.estimators_
    ]
    for name in DELIVERY:
        sims = np.stack([d[name].to_numpy() for d in per_tree])
        assert np.all(sims.min(axis=0) - 1e-9 <= out[name])
        assert np.all(out[name] <= sims.max(axis=0) + 1e-9)
    # "residuals": the point is the organ model run on the predicted (forest-mean) parameters
    r = AIPBPKModel(n_estimators=20, n_samples=3, sampling="residuals", random_state=0)
    r.fit(train[feats], train[list(PREDICTED)])
    point = r.predict_delivery(test[feats], interval=False)
    rows = base.assign(**dict(zip(PREDICTED, r.predict(test[feats]).T, strict=True)))
    ref = simulate_delivery(rows)
    for name in DELIVERY:
        np.testing.assert_allclose(point[name], ref[name], rtol=1e-12)


def test_calibration_reaches_nominal_coverage_on_its_own_scores(tumour):
    # split-conformal guarantee: on the calibration rows themselves the widened interval covers
    # at least ceil((n+1)*level)/n of them
    frame, feats = tumour
    train = frame.iloc[:60]
    m = AIPBPKModel(n_estimators=15, n_samples=5, level=0.8, random_state=1)
    m.fit(train[feats], train[list(PREDICTED)], delivery=train)
    oob = m.oob_delivery()
    for name, col in DELIVERY.items():
        q = 10 ** m.offsets_[name]
        obs = train[col].to_numpy()
        lo, hi = oob[f"{name}_lower"] / q, oob[f"{name}_upper"] * q
        assert np.mean((obs >= lo - 1e-12) & (obs <= hi + 1e-12)) >= 0.8


def test_scores_and_bad_input(tumour):
    frame, feats = tumour
    s = delivery_scores([1.0, 2.0, 4.0], [1.0, 2.0, 4.0])
    assert s["r2"] == pytest.approx(1.0) and s["cor2_log10"] == pytest.approx(1.0)
    with pytest.raises(InputError, match="lacks parameter columns"):
        AIPBPKModel().fit(frame[feats], frame[["KTRESmax"]])
    with pytest.raises(InputError, match="DataFrame"):
        AIPBPKModel().fit(frame[feats].to_numpy(), frame[list(PREDICTED)])
    bad = frame[["BW", "TW", "Dose", *PARAMETERS]].iloc[:2].copy()
    bad.loc[1, "TW"] = np.nan
    with pytest.raises(InputError, match="row 1: TW"):
        simulate_delivery(bad)
    with pytest.raises(InputError, match="sampling"):
        AIPBPKModel(sampling="bootstrap").fit(frame[feats], frame[list(PREDICTED)])
    assert isinstance(simulate_delivery(bad.iloc[:0]), pd.DataFrame)
