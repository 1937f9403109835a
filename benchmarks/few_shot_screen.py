"""Inner-fold screen of candidate physics features for the few-shot release protocol (issue 6).

Each candidate adds columns to the ``hydrolysis_curve_blend`` features (kinetic + release-law
features + the hydrolysis clock k_h·t). It is scored by GroupKFold(5) on the *training part* of
outer splits 0–4 only (the outer test groups are never touched), with the mean of a 200-tree
random forest and an L1 LightGBM; the script prints the mean inner MAE, the change against the
base and on how many of the 5 training parts the candidate is better. A candidate goes to the
outer protocol only if it gains >= 0.003 on >= 4/5 (the bar set in session 7, README "Ninth
attempt").

Run: ``.venv/bin/python benchmarks/few_shot_screen.py [CANDIDATE ...]`` (~45 s per candidate on 2
cores; no argument: each alone). Candidates: see ``_candidates``; ``a+b`` adds both.
``--diagnose``: where the base features' error sits and whether stacking removes it (session 10);
``--monotone``: the boosted member with physical sign constraints (session 10).

The physics written here, all as features (nothing is fitted to release labels):

- molar mass at t: M_w(t) = M_w0 exp(-k_h t) (Pitt & Gu, J Control Release 4:283, 1987);
- eroded fraction max(0, 1 - M_w(t)/M_w,e) and the erosion onset ln(M_w0/M_w,e)/k_h, with
  ``PLGAErosion``'s guess M_w,e = 5 kDa;
- the eroding sphere of :class:`nanomed.release.erosion.PLGAErosion` without autocatalysis:
  Crank's sphere in the warped time ∫ D(s) ds, D = D0 exp(κ(1 - M_w/M_w0)) (Faisant, Siepmann &
  Benoit, Eur J Pharm Sci 15:355, 2002; κ = 4), release complete once eroded; D0/a² and a burst
  fitted by least squares to the three early points;
- acid retention k_h a²/D_A (a = 3/(S/V), D_A = 1e-12 cm²/s, the module's guess): the Thiele-like
  number of autocatalysis in large devices (Siepmann et al., Biomacromolecules 6:2312, 2005);
- Tg(t) - 37 °C by Fox & Flory (J Appl Phys 21:581, 1950), Tg∞ - K/M_n(t), M_n = M_w/2; Tg∞ of
  PLGA interpolated 47 (50:50) - 52 (75:25) - 57 °C (PDLLA), K = 5.5e4 g·K/mol; PCL -60 °C,
  PVL -63 °C, PEA 10 °C: order-of-magnitude guesses;
- the drug's basic aliphatic amines (bases catalyse ester hydrolysis);
- the Higuchi clock (:class:`nanomed.ai.features.HiguchiFeatures`);
- the molecular scale's drug–polymer compatibility (:class:`nanomed.ai.features.MolecularFeatures`:
  Flory–Huggins χ, χ − χ_c, loading capacity, partition, diffusivity in the matrix);
- Higuchi's law completed with that diffusivity, log₁₀ F = log₁₀ clock + ½ log₁₀ D_m
  (``higuchi_full``, session 10; in the library as the ``higuchi_law_`` prefix).
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.special import exp1
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline

from nanomed.ai.datasets import load_dataset
from nanomed.ai.estimators import LightGBMModel, RandomForestModel
from nanomed.ai.features import (
    HiguchiFeatures,
    HydrolysisFeatures,
    MolecularFeatures,
    ReleaseCurveFeatures,
    ReleaseKineticFeatures,
)
from nanomed.ai.protocols import PROTOCOLS, model_inputs, protocol_splits
from nanomed.release.diffusion import sphere_fraction

MW_EROSION = 5000.0  # g/mol, PLGAErosion's guess
KAPPA = 4.0  # Faisant 2002 diffusivity gain (PLGAErosion default)
EARLY = ("T=0.25", "T=0.5", "T=1.0")
EARLY_DAYS = np.array([0.25, 0.5, 1.0])


def _warp(t: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """∫₀ᵗ exp(κ(1 − e^{−ks})) ds [day] before the erosion onset ln(ρ)/k, infinite after."""
    k = np.maximum(k, 1e-12)
    onset = np.log(np.maximum(rho, 1.0)) / k
    tt = np.minimum(t, onset)
    w = np.exp(KAPPA) / k * (exp1(KAPPA * np.exp(-k * tt)) - exp1(KAPPA))
    return np.where(t > onset, np.inf, w)


def _eroding_sphere(X: pd.DataFrame, k: np.ndarray) -> tuple[np.ndarray, ...]:
    """Eroding sphere at each row's time, with D0/a² and burst fitted to its early points."""
    rho = X["Polymer_MW"].to_numpy(float) / MW_EROSION
    key = np.column_stack([X[list(EARLY)].to_numpy(float), k, rho])
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = np.ravel(inv)
    w = np.stack([_warp(np.full(len(uniq), t), uniq[:, 3], uniq[:, 4]) for t in EARLY_DAYS], 1)
    f = uniq[:, :3]
    best_sse, best_ls, best_b = np.full(len(uniq), np.inf), np.zeros(len(uniq)), np.zeros(len(uniq))
    for ls in np.linspace(-10, 6, 321):  # grid over ln(D0/a² · 1 day); burst by least squares
        g = sphere_fraction(np.exp(ls) * w)
        b = np.clip(((f - g) * (1 - g)).sum(1) / np.maximum(((1 - g) ** 2).sum(1), 1e-12), 0, 1)
        sse = ((b[:, None] + (1 - b[:, None]) * g - f) ** 2).sum(1)
        better = sse < best_sse
        best_sse = np.where(better, sse, best_sse)
        best_ls, best_b = np.where(better, ls, best_ls), np.where(better, b, best_b)
    ls, b = best_ls[inv], best_b[inv]
    wt = _warp(X["Time"].to_numpy(float), k, rho)
    tau = np.exp(ls) * np.where(np.isinf(wt), 1e12, wt)
    return np.clip(b + (1 - b) * sphere_fraction(tau), 0, 1), ls, b


def _tg_margin(X: pd.DataFrame, mw_t: np.ndarray) -> np.ndarray:
    poly = X["Polymer"].astype(str)
    lg = X["LA/GA"].to_numpy(float)
    la = np.where(np.isinf(lg), 1.0, lg / (1 + lg))
    tg_inf = np.where(
        poly.str.startswith("PLGA"), np.interp(la, [0.5, 0.75, 1.0], [47.0, 52.0, 57.0]), 57.0
    )
    rubbery = poly.map({"PCL": -60.0, "PVL-co-PAVL": -63.0, "PEA": 10.0}).to_numpy(float)
    glassy = poly.str.startswith("PL").to_numpy()  # PLGA*, PLA*
    return np.where(glassy, tg_inf - 5.5e4 / (mw_t / 2.0), rubbery) - 37.0


def _basic_amines(smiles: pd.Series) -> np.ndarray:
    """Aliphatic amines (not amides, anilines, sulfonamides or aromatic N) of each drug: bases
    catalyse ester hydrolysis and speed up PLGA degradation (Siegel et al., Eur J Pharm Biopharm
    64:287, 2006, "Effect of drug type on the degradation rate of PLGA matrices")."""
    from rdkit import Chem

    amine = Chem.MolFromSmarts("[NX3;!$(N-C=[O,N,S]);!$(N-a);!$(N-S(=O)=O)]")
    counts = {s: len(Chem.MolFromSmiles(s).GetSubstructMatches(amine)) for s in set(smiles)}
    return smiles.map(counts).to_numpy(float)


Candidate = Callable[[pd.DataFrame, pd.DataFrame, np.ndarray], dict[str, np.ndarray]]


def _candidates() -> dict[str, Candidate]:
    def mw_t(X, k):
        return X["Polymer_MW"].to_numpy(float) * np.exp(-k * X["Time"].to_numpy(float))

    def eroded(X, k):
        return np.clip(1 - mw_t(X, k) / MW_EROSION, 0, 1)

    def higuchi(X):
        x = X.drop(columns=["Polymer", "Drug_SMILES"])
        return HiguchiFeatures().fit(x).transform(x)["higuchi_clock"].to_numpy()

    def molecular(X):
        with warnings.catch_warnings():  # two sulfone drugs have no estimate: NaN, as documented
            warnings.simplefilter("ignore", UserWarning)
            out = MolecularFeatures().fit(X).transform(X)
        return {c: out[c].to_numpy() for c in MolecularFeatures._ADDED}

    def sphere(X, k, params):
        f, ls, b = _eroding_sphere(X, k)
        return {"eroding_sphere_at_t": f} | (
            {"eroding_sphere_log_d": ls, "eroding_sphere_burst": b} if params else {}
        )

    return {
        "base": lambda X, Z, k: {},
        "log_mw_at_t": lambda X, Z, k: {"log_mw_at_t": np.log(mw_t(X, k))},
        "eroded": lambda X, Z, k: {"eroded": eroded(X, k)},
        "combined": lambda X, Z, k: {
            "combined_at_t": 1 - (1 - Z["weibull_at_t"].to_numpy()) * (1 - eroded(X, k))
        },
        "onset": lambda X, Z, k: {
            "t_over_onset": X["Time"].to_numpy(float)
            * k
            / np.log(np.maximum(X["Polymer_MW"].to_numpy(float) / MW_EROSION, 1.0001))
        },
        "sphere": lambda X, Z, k: sphere(X, k, False),
        "sphere_params": lambda X, Z, k: sphere(X, k, True),
        "sphere_no_warp": lambda X, Z, k: {
            "sphere_at_t": _eroding_sphere(X, np.full(len(X), 1e-12))[0]
        },
        "acid_retention": lambda X, Z, k: {
            "log_acid_retention": np.log10(
                k / 86400.0 * (3.0 / X["SA-V"].to_numpy(float)) ** 2 / 1e-12
            )
        },
        "tg": lambda X, Z, k: {"tg_margin": _tg_margin(X, mw_t(X, k))},
        "higuchi": lambda X, Z, k: {"higuchi_clock": higuchi(X)},
        "molecular": lambda X, Z, k: molecular(X),
        "fick_clock": lambda X, Z, k: {  # Fourier number D_matrix·t/a² of the device
            "log_fick_clock": molecular(X)["log_d_matrix"]
            + np.log10(np.maximum(X["Time"].to_numpy(float), 1e-6) * 86400.0)
            - 2 * np.log10(3.0 / X["SA-V"].to_numpy(float))
        },
        "basic_amine": lambda X, Z, k: {"basic_amines": _basic_amines(X["Drug_SMILES"])},
        # session 10: Higuchi's law with the drug's diffusivity in the matrix from the molecular
        # scale inside the root, F = (S/V)·sqrt(D_m C_s (2A - C_s) t)/A, as log10 (a tree cannot
        # add the two logs itself)
        "higuchi_full": lambda X, Z, k: {
            "log_higuchi_full": np.log10(np.maximum(higuchi(X), 1e-12))
            + 0.5 * (molecular(X)["log_d_matrix"] + np.log10(86400.0))
        },
    }


def _base() -> tuple:
    """The few-shot table and the `hydrolysis_curve_blend` features every screen starts from:
    (dataset, inputs, target, groups, k_h per row, base feature table)."""
    ds = load_dataset("bannigan_few_shot")
    X = model_inputs(PROTOCOLS["bannigan_few_shot"], ds, "hydrolysis_molecular_curve_blend")
    X = X.reset_index(drop=True)
    y, groups = np.asarray(ds.y, float), np.asarray(ds.groups)
    k = HydrolysisFeatures().fit(X).transform(X.assign(Time=1.0))["hydrolysis_extent"].to_numpy()
    curves = make_pipeline(ReleaseKineticFeatures(), ReleaseCurveFeatures())
    base = curves.fit_transform(X.drop(columns=["Polymer", "Drug_SMILES"])).reset_index(drop=True)
    base["hydrolysis_extent"] = k * X["Time"].to_numpy(float)
    return ds, X, y, groups, k, base


def _l1_lightgbm(seed: int) -> LightGBMModel:
    return LightGBMModel(objective="l1", random_state=seed)


def _inner_mae(Z: np.ndarray, y: np.ndarray, groups: np.ndarray, splits: list, booster) -> list:
    """Mean inner MAE per training part: GroupKFold(5) out-of-fold predictions of the mean of a
    200-tree forest and ``booster(seed)``, on the training part of each outer split only."""
    per_split = []
    for s, (train, _test) in enumerate(splits):
        oof = np.zeros(len(y))
        for a, b in GroupKFold(5).split(train, groups=groups[train]):
            a, b = train[a], train[b]
            rf = RandomForestModel(n_estimators=200, random_state=s).fit(Z[a], y[a])
            boost = booster(s).fit(Z[a], y[a])
            oof[b] = 0.5 * rf.predict(Z[b]) + 0.5 * boost.predict(Z[b])
        per_split.append(float(np.abs(oof[train] - y[train]).mean()))
    return per_split


def main(names: list[str]) -> None:
    ds, X, y, groups, k, base = _base()
    splits = list(protocol_splits("bannigan_few_shot", ds, 5))
    candidates = _candidates()
    unknown = [p for n in names for p in n.split("+") if p not in candidates]
    if unknown:
        raise SystemExit(
            f"unknown candidates {unknown} (known: {', '.join(candidates)}; join with +)"
        )
    scores: dict[str, list[float]] = {}
    for name in ["base", *[n for n in names if n != "base"]]:
        t0 = time.perf_counter()
        added: dict[str, np.ndarray] = {}
        for part in name.split("+"):  # "higuchi+molecular": both candidates' columns
            added |= candidates[part](X, base, k)
        Z = base.assign(**added).to_numpy(float)
        per_split = _inner_mae(Z, y, groups, splits, _l1_lightgbm)
        scores[name] = per_split
        d = np.mean(per_split) - np.mean(scores["base"])
        wins = sum(c < b for c, b in zip(per_split, scores["base"], strict=True))
        print(
            f"{name:24s} {np.mean(per_split):.4f} {d:+.4f} better on {wins}/5 "
            f"({' '.join(f'{v:.4f}' for v in per_split)}; {time.perf_counter() - t0:.0f} s)",
            flush=True,
        )


def diagnose() -> None:
    """Where the base features' grouped out-of-fold error sits, and whether a stacked L1
    recalibration y ≈ a + b·ŷ (Breiman, Mach Learn 24:49, 1996) removes it (session 10)."""
    from scipy.optimize import minimize
    from scipy.stats import spearmanr

    ds, X, y, groups, _k, base = _base()
    Z, t = base.to_numpy(float), X["Time"].to_numpy(float)
    profile = np.asarray(ds.frame["Experimental_index"])
    late_err, before, after = [], [], []
    for s, (train, _test) in enumerate(protocol_splits("bannigan_few_shot", ds, 5)):
        oof, folds = np.zeros(len(y)), list(GroupKFold(5).split(train, groups=groups[train]))
        for a, b in folds:
            a, b = train[a], train[b]
            rf = RandomForestModel(n_estimators=200, random_state=s).fit(Z[a], y[a])
            lgb = LightGBMModel(objective="l1", random_state=s).fit(Z[a], y[a])
            oof[b] = 0.5 * rf.predict(Z[b]) + 0.5 * lgb.predict(Z[b])
        stacked = np.zeros(len(y))
        for a, b in folds:  # a + b·ŷ by least absolute deviations on four folds, applied to one
            a, b = train[a], train[b]
            th = minimize(
                lambda p, q=oof[a], m=y[a]: np.abs(p[0] + p[1] * q - m).mean(),
                [0.0, 1.0],
                method="Nelder-Mead",
            ).x
            stacked[b] = np.clip(th[0] + th[1] * oof[b], 0, 1)
            print(f"split {s}: stacked slope {th[1]:.3f}")
        before.append(np.abs(oof[train] - y[train]).mean())
        after.append(np.abs(stacked[train] - y[train]).mean())
        late = train[t[train] >= 7]
        late_err.append(pd.DataFrame({"group": groups[late], "profile": profile[late],
                                      "err": oof[late] - y[late], "y": y[late]}))  # fmt: skip
    e = pd.concat(late_err)
    print("late (t >= 7 d) mean signed error by group:")
    print(e.groupby("group")["err"].mean().sort_values().round(3).to_string())
    per = e.groupby("profile")[["err", "y"]].mean()
    print(f"Spearman(error, measured late release) {spearmanr(per['err'], per['y'])[0]:+.2f}")
    print(f"stacked L1 recalibration: {np.mean(before):.4f} -> {np.mean(after):.4f}, better on "
          f"{sum(a < b for a, b in zip(after, before, strict=True))}/5")  # fmt: skip


def monotone() -> None:
    """The boosted member with physical sign constraints (session 10): scikit-learn's
    HistGradientBoostingRegressor, absolute-error loss (LightGBM refuses monotone constraints
    with its L1 objective), in the RF + booster mean on the base features."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    ds, _X, y, groups, _k, base = _base()
    cols, Z = list(base.columns), base.to_numpy(float)
    clocks = {c: 1 for c in cols if c in ("Time", "hydrolysis_extent", "higuchi_extrap")}
    clocks |= {c: 1 for c in cols if c.endswith("_at_t")}
    early = {c: 1 for c in EARLY}
    size = {"Drug_Mw": -1, "Drug_NHA": -1, "SA-V": 1}
    variants = {
        "base (L1-LightGBM)": None,
        "unconstrained": {},
        "clocks": clocks,
        "clocks+early": clocks | early,
        "clocks+early+size": clocks | early | size,
        "clocks+early+size+logP": clocks | early | size | {"Drug_LogP": -1},
    }
    splits = list(protocol_splits("bannigan_few_shot", ds, 5))
    scores: dict[str, list[float]] = {}
    for name, sign in variants.items():

        def booster(seed: int, sign: dict | None = sign):
            if sign is None:
                return _l1_lightgbm(seed)
            return HistGradientBoostingRegressor(
                loss="absolute_error", max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                min_samples_leaf=20, early_stopping=False, random_state=seed,
                monotonic_cst=[sign.get(c, 0) for c in cols],
            )  # fmt: skip

        per_split = _inner_mae(Z, y, groups, splits, booster)
        scores[name] = per_split
        ref = scores["base (L1-LightGBM)"]
        wins = sum(c < b for c, b in zip(per_split, ref, strict=True))
        print(f"{name:24s} {np.mean(per_split):.4f} {np.mean(per_split) - np.mean(ref):+.4f} "
              f"better on {wins}/5", flush=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] == ["--diagnose"]:
        diagnose()
    elif sys.argv[1:] == ["--monotone"]:
        monotone()
    else:
        main(sys.argv[1:] or [*_candidates(), "higuchi+sphere_params", "higuchi+molecular"])
