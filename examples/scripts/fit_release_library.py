"""Fit the 13 empirical release models to the 181 Bannigan profiles and rank them (about 2 s)."""

from nanomed.datasets import load_release_curves
from nanomed.release import fit_library

library = fit_library(load_release_curves(), time_unit="day")
best = library.best()
print(best["best_model"].value_counts().to_string())
print(f"median best R²: {best['r2'].median():.4f}")
