"""Forecast the release of drug–polymer pairs the model has never seen, from three early points.

The held-out pairs are the test groups of the first outer split of the few-shot protocol
(Bannigan et al., Nat Commun 14:35, 2023: 20 % of the drug–polymer groups, GroupShuffleSplit
seed 0). The model, ``hydrolysis_molecular_higuchi_law_curve_blend`` (nanomed's best few-shot
model, benchmarks/README.md: the polymer's hydrolysis clock, the molecular scale's drug–polymer
estimates and Higuchi's law as features), is trained on the other groups only; for each held-out
profile it gets the design, the drug's structure and the fraction released at 0.25, 0.5 and 1
day, and forecasts the rest of the curve. The overall MAE is the benchmark's figure for this
split (0.087; the mean over ten splits is 0.0996 against the published LightGBM's 0.114).

Run: ``python examples/scripts/forecast_unseen_groups.py [OUT_FOLDER]``; with a folder it also
writes ``forecast.csv`` (measured beside forecast) and ``forecast.png`` there (``make run``
writes them to ``out/ai``).
"""

import sys
import warnings
from pathlib import Path

import numpy as np

from nanomed.ai.datasets import load_dataset
from nanomed.ai.protocols import PROTOCOLS, build_model, model_inputs, protocol_splits

MODEL = "hydrolysis_molecular_higuchi_law_curve_blend"

protocol = PROTOCOLS["bannigan_few_shot"]
ds = load_dataset(protocol.dataset)
X, y, groups = model_inputs(protocol, ds, MODEL), ds.y.to_numpy(), ds.groups.to_numpy()
train, test = next(protocol_splits(protocol.name, ds, n_splits=1))
with warnings.catch_warnings(record=True) as caught:  # each fold repeats the same notes
    warnings.simplefilter("always", UserWarning)
    model = build_model(protocol.name, MODEL).fit(X.iloc[train], y[train], groups=groups[train])
for note in dict.fromkeys(str(w.message) for w in caught):
    print(f"note: {note}")

held = ds.frame.iloc[test][["DP_Group", "Experimental_index", "Time", "T=1.0", "Release"]]
held = held.assign(forecast=model.predict(X.iloc[test]), error=lambda d: d.forecast - d.Release)
per_profile = held.groupby(["DP_Group", "Experimental_index"]).agg(
    points=("Time", "size"),
    last_day=("Time", "max"),
    at_1_day=("T=1.0", "first"),
    measured_last=("Release", "last"),
    forecast_last=("forecast", "last"),
    mae=("error", lambda e: np.abs(e).mean()),
)
print(f"{MODEL}: trained on {len(set(groups[train]))} drug–polymer groups, forecasting "
      f"{per_profile.shape[0]} profiles of {held.DP_Group.nunique()} unseen groups")  # fmt: skip
print(per_profile.round(3).to_string())
print(f"{np.abs(held.error).mean():.3f} MAE over {len(held)} held-out points")

if len(sys.argv) > 1:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    held.to_csv(out / "forecast.csv", index=False)
    names = list(dict.fromkeys(held.DP_Group))
    cols = min(4, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3 * rows), squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names, strict=False):
        for k, (_, prof) in enumerate(held[held.DP_Group == name].groupby("Experimental_index")):
            ax.plot(prof.Time, prof.Release, "o", ms=3, color=f"C{k}")
            ax.plot(prof.Time, prof.forecast, "-", color=f"C{k}")
        ax.set(title=name, xlabel="time [day]", ylabel="fraction released", ylim=(0, 1.05))
    axes[0][0].legend(["measured", "forecast"], loc="lower right")
    fig.tight_layout()
    fig.savefig(out / "forecast.png", dpi=120)
    print(f"wrote {out / 'forecast.csv'} and {out / 'forecast.png'}")
