"""Model-independent comparison of two release profiles: f1, f2 and the bootstrap f2.

Definitions (Moore JW, Flanner HH. Mathematical comparison of dissolution profiles. Pharm Technol
20(6):64-74, 1996; FDA Guidance for Industry "Dissolution Testing of Immediate Release Solid Oral
Dosage Forms", 1997, Appendix), with R_t and T_t the mean percent released by the reference and the
test at the n common time points::

    f1 = 100 * sum |R_t - T_t| / sum R_t
    f2 = 50 * log10(100 / sqrt(1 + sum (R_t - T_t)**2 / n))

Profiles are similar when f1 <= 15 and f2 >= 50 (FDA 1997). The rules checked and reported by
:func:`compare_profiles`:

- the same time points for both profiles (FDA 1997);
- only one measurement after both profiles reach 85 % (FDA 1997); later points are dropped;
- at least three time points, zero excluded (EMA Guideline on the Investigation of
  Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, 2010, Appendix I);
- with unit-level data, CV <= 20 % at the earlier time point(s) and <= 10 % at the others for the
  mean to be used (FDA 1997); at least 12 units per product (FDA 1997).

:func:`bootstrap_f2` resamples the units of each product with replacement and returns the
percentile confidence interval of f2 (Shah VP, Tsong Y, Sathe P, Liu JP. In vitro dissolution
profile comparison - statistics and analysis of the similarity factor, f2. Pharm Res
15:889-896, 1998), whose lower bound is compared with 50.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np

from nanomed.core.checks import as_integer, as_numbers
from nanomed.core.errors import InputError
from nanomed.core.parameter import Parameter
from nanomed.release.curves import MAX_FRACTION, MIN_FRACTION, PERCENT_THRESHOLD

__all__ = ["F2Bootstrap", "Similarity", "bootstrap_f2", "compare_profiles", "f1", "f2"]


def _pair(reference: Any, test: Any) -> tuple[np.ndarray, np.ndarray]:
    r = as_numbers(reference, "reference").ravel()
    t = as_numbers(test, "test").ravel()
    if r.shape != t.shape:
        raise InputError(
            f"reference and test need the same number of time points ({r.size} vs {t.size})"
        )
    if r.size == 0:
        raise InputError("no time points to compare")
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(t))):
        raise InputError("reference and test values must be finite")
    lo, hi = 100.0 * MIN_FRACTION, 100.0 * MAX_FRACTION
    for label, x in (("reference", r), ("test", t)):
        bad = (x < lo) | (x > hi)
        if bad.any():  # f2 of 1e300 is -inf; fractions given as percent mislead the same way
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{label}: {x[i]:g} % released at point {i} outside {lo:g}-{hi:g} % "
                "(values are percents released)"
            )
    return r, t


def _flag(value: Any, what: str) -> bool:
    """A True/False option; "no" or 0.5 would otherwise be read as True."""
    if not isinstance(value, bool | np.bool_):
        raise InputError(f"{what} must be True or False, got {value!r}")
    return bool(value)


def f1(reference: Any, test: Any) -> float:
    """Difference factor f1 [%] of two mean profiles in percent released (same time points)."""
    r, t = _pair(reference, test)
    if r.sum() <= 0:
        raise InputError("f1 needs a reference profile with some release (sum of R_t > 0)")
    return float(100.0 * np.sum(np.abs(r - t)) / np.sum(r))


def f2(reference: Any, test: Any) -> float:
    """Similarity factor f2 of two mean profiles in percent released (same time points)."""
    r, t = _pair(reference, test)
    return float(50.0 * np.log10(100.0 / np.sqrt(1.0 + np.mean((r - t) ** 2))))


@dataclass
class Similarity:
    """Outcome of :func:`compare_profiles`.

    Attributes
    ----------
    f1, f2 : float
        Factors on the points used.
    times_used : ndarray
        Time points used (after the 85 % rule and removal of t = 0).
    similar : bool
        f1 <= 15 and f2 >= 50 and no rule violated.
    violations : list of str
        Rules not met (each one line); the factors are still computed.
    notes : list of str
        What was done (points dropped and why).
    cv_reference, cv_test : ndarray or None
        Per-time CV [%] of unit-level data, when given.
    """

    f1: float
    f2: float
    times_used: np.ndarray
    similar: bool
    violations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cv_reference: np.ndarray | None = None
    cv_test: np.ndarray | None = None


def _as_units(x: Any, n_times: int, what: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (mean profile, unit matrix or None) from a 1-D mean or a (units, times) matrix."""
    a = as_numbers(x, what)
    if a.ndim == 2 and a.shape[0] == 0:
        raise InputError(f"{what}: no units (a (0, {a.shape[1]}) matrix)")
    if a.ndim == 1:
        if a.size != n_times:
            raise InputError(f"{what}: {a.size} values for {n_times} time points")
        return a, None
    if a.ndim == 2 and a.shape[1] == n_times:
        if not np.all(np.isfinite(a)):
            raise InputError(f"{what}: unit-level values must be finite")
        return a.mean(axis=0), a
    raise InputError(
        f"{what}: expected {n_times} values or a (units, {n_times}) matrix, got shape {a.shape}"
    )


def compare_profiles(
    times: Any,
    reference: Any,
    test: Any,
    *,
    test_times: Any = None,
    percent: bool = True,
    early_until: float | None = None,
    min_points: int = 3,
    min_units: int = 12,
) -> Similarity:
    """f1 and f2 with the FDA (1997) rules applied and any violation reported.

    Parameters
    ----------
    times : array_like
        Sampling times of the reference (any time unit).
    reference, test : array_like
        Mean percent released per time, or unit-level data of shape (units, times).
    test_times : array_like, optional
        Sampling times of the test when they may differ: they must equal ``times``.
    percent : bool
        True if values are percents (default); False for fractions (multiplied by 100).
    early_until : float, optional
        Times <= this are 'earlier time points' for the CV rule (CV <= 20 %); default: the first
        time point used only.
    min_points : int
        Minimum number of time points (zero excluded) after the 85 % rule.
    min_units : int
        Minimum number of units per product for unit-level data.

    Returns
    -------
    Similarity
    """
    tm = as_numbers(times, "times").ravel()
    violations: list[str] = []
    notes: list[str] = []
    if not np.all(np.isfinite(tm)) or np.any(tm < 0):
        raise InputError("times must be finite and >= 0")
    min_points = as_integer(min_points, "min_points", 0)
    min_units = as_integer(min_units, "min_units", 0)
    if early_until is not None:
        early_until = Parameter("early_until", early_until).value  # a finite number
    if test_times is not None:
        tt = as_numbers(test_times, "test_times").ravel()
        if tt.shape != tm.shape or not np.allclose(tt, tm):
            raise InputError(
                "reference and test must be sampled at the same time points (FDA 1997)"
            )
    if np.any(np.diff(tm) <= 0):
        raise InputError("time points must be strictly increasing")
    scale = 1.0 if _flag(percent, "percent") else 100.0
    r_mean, r_units = _as_units(reference, tm.size, "reference")
    t_mean, t_units = _as_units(test, tm.size, "test")
    if percent and 0 < max(r_mean.max(), t_mean.max()) <= PERCENT_THRESHOLD:
        # fractions read as percents differ by < 1.5 %: f2 near 100, "similar" whatever they are
        violations.append(
            f"no value above {PERCENT_THRESHOLD:g} %: these look like fractions; give percent=False"
        )
    r_mean, t_mean = r_mean * scale, t_mean * scale
    keep = tm > 0
    if not keep.all():
        notes.append("time zero excluded")
    both85 = np.flatnonzero(keep & (r_mean >= 85.0) & (t_mean >= 85.0))
    if both85.size:
        cut = both85[0]
        dropped = keep.copy()
        dropped[: cut + 1] = False
        if dropped.any():
            notes.append(
                f"{int(dropped.sum())} point(s) after both profiles reached 85 % dropped "
                f"(only one measurement after 85 % is used)"
            )
        keep[cut + 1 :] = False
    n_used = int(keep.sum())
    if n_used < min_points:
        violations.append(f"only {n_used} time point(s) used, at least {min_points} needed")
    cvs: dict[str, np.ndarray | None] = {"reference": None, "test": None}
    for label, units in (("reference", r_units), ("test", t_units)):
        if units is None:
            continue
        if units.shape[0] < min_units:
            violations.append(f"{label}: {units.shape[0]} units, at least {min_units} recommended")
        with np.errstate(all="ignore"):
            mean = units.mean(axis=0)
            cv = np.where(
                mean > 0, 100.0 * units.std(axis=0, ddof=1) / np.where(mean > 0, mean, 1), np.nan
            )
        cvs[label] = cv
        idx = np.flatnonzero(keep)
        early = (tm[idx] <= early_until) if early_until is not None else (np.arange(idx.size) == 0)
        for j, e in zip(idx, early, strict=True):
            limit = 20.0 if e else 10.0
            if np.isfinite(cv[j]) and cv[j] > limit:
                violations.append(
                    f"{label}: CV {cv[j]:.1f} % at t = {tm[j]:g} above {limit:g} % "
                    f"({'earlier' if e else 'later'} time point): the mean should not be used"
                )
    if n_used == 0:
        raise InputError("no time points left to compare (all at t = 0)")
    r_use, t_use = r_mean[keep], t_mean[keep]
    v1, v2 = f1(r_use, t_use), f2(r_use, t_use)
    return Similarity(
        f1=v1,
        f2=v2,
        times_used=tm[keep],
        similar=bool(v1 <= 15.0 and v2 >= 50.0 and not violations),
        violations=violations,
        notes=notes,
        cv_reference=cvs["reference"],
        cv_test=cvs["test"],
    )


@dataclass
class F2Bootstrap:
    """Bootstrap distribution of f2 (Shah et al. 1998)."""

    f2: float
    ci_low: float
    ci_high: float
    level: float
    samples: np.ndarray
    times_used: np.ndarray

    @property
    def similar(self) -> bool:
        """Lower confidence bound at or above 50."""
        return bool(self.ci_low >= 50.0)


def bootstrap_f2(
    times: Any,
    reference_units: Any,
    test_units: Any,
    *,
    n_boot: int = 2000,
    level: float = 0.90,
    seed: int = 0,
    percent: bool = True,
) -> F2Bootstrap:
    """Percentile bootstrap confidence interval of f2 from unit-level data.

    Units of each product are resampled with replacement (same number of units), the mean
    profiles recomputed and f2 evaluated on the time points chosen by :func:`compare_profiles`
    for the observed data (zero excluded, one point after 85 %). Shah et al. (1998) use the
    90 % interval (``level=0.90``); similarity if its lower bound is >= 50.

    Parameters
    ----------
    times : array_like
        Sampling times.
    reference_units, test_units : array_like, shape (units, times)
        Percent released per unit (fractions with ``percent=False``).
    n_boot : int
        Bootstrap resamples.
    level : float
        Two-sided confidence level.
    seed : int
        Random seed.
    percent : bool
        Whether values are percents.

    Returns
    -------
    F2Bootstrap
    """
    r = as_numbers(reference_units, "reference_units")
    t = as_numbers(test_units, "test_units")
    if r.ndim != 2 or t.ndim != 2:
        raise InputError("bootstrap_f2 needs unit-level data: arrays of shape (units, times)")
    if isinstance(level, bool) or not isinstance(level, Real) or not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level!r}")
    n_boot = as_integer(n_boot, "n_boot", 100, 1_000_000)
    seed = as_integer(seed, "seed", 0)
    obs = compare_profiles(times, r, t, percent=percent)
    tm = np.asarray(times, dtype=float).ravel()
    cols = np.isin(tm, obs.times_used)
    scale = 1.0 if _flag(percent, "percent") else 100.0
    rr, ttt = r[:, cols] * scale, t[:, cols] * scale
    rng = np.random.default_rng(seed)
    ir = rng.integers(0, rr.shape[0], size=(n_boot, rr.shape[0]))
    it = rng.integers(0, ttt.shape[0], size=(n_boot, ttt.shape[0]))
    rm = rr[ir].mean(axis=1)
    tmn = ttt[it].mean(axis=1)
    samples = 50.0 * np.log10(100.0 / np.sqrt(1.0 + np.mean((rm - tmn) ** 2, axis=1)))
    lo, hi = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2])
    return F2Bootstrap(obs.f2, float(lo), float(hi), level, samples, obs.times_used)
