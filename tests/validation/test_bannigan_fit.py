"""The empirical library on all 181 Bannigan release profiles (time in days).

Data: Bannigan P. et al., Nat Commun 14:35 (2023), bundled as nanomed.datasets.load_release_curves().
Measured with nanomed's fit_library (13 models, AICc ranking; docs/release/fitting.md):
median best-model R2 0.9978, 10th percentile 0.984, 98.3 % of profiles with best R2 >= 0.95.
The floors below leave room for small numerical changes, not for a broken engine.
"""

from __future__ import annotations

from nanomed.datasets import load_release_curves
from nanomed.release.fitting import fit_library


def test_whole_library_fits_every_profile() -> None:
    curves = load_release_curves()
    lib = fit_library(curves, time_unit="day")
    best = lib.best()
    assert best["profile_id"].nunique() == 181  # every profile has a best model
    failed = lib.failed
    assert (failed["model"] != "").all()  # no profile rejected as a whole
    # only Korsmeyer-Peppas may be skipped (profiles with < 2 points below F = 0.6), and a model
    # with more parameters than a profile has informative points (t = 0 tells nothing)
    kp = failed["model"] == "korsmeyer_peppas"
    assert failed.loc[~kp, "reason"].str.contains("point(s) at t > 0 for", regex=False).all()
    assert (~kp).sum() <= 2
    r2 = best["r2"]
    median, p10, frac = r2.median(), r2.quantile(0.10), (r2 >= 0.95).mean()
    print(f"Bannigan: median best R2 {median:.4f}, p10 {p10:.4f}, >=0.95: {frac:.1%}")
    assert median >= 0.995
    assert p10 >= 0.975
    assert frac >= 0.95
    assert lib.to_dataframe()["converged"].mean() >= 0.99
