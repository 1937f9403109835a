"""Reading and checking release curves in nanomed's long format.

A release-curve table has one row per measurement: ``profile_id, time, fraction_released`` plus any
formulation columns (kept as they are). Values may be fractions (0-1) or percents (0-100): say which
(``percent=True/False``) or let :func:`read_release_curves` decide (largest value above 1.5 means
percent) and report the decision in :attr:`ReleaseCurves.notes`. A ``percent_released`` column
(as DDSolver users keep their data) is accepted instead of ``fraction_released``: its values are
percents, and the curves come out with ``fraction_released`` as fractions.

Problems are reported in one line naming the profile and the file line (or DataFrame row). A problem
with the file as a whole (a missing column, an empty profile id) stops the reading; a problem inside
one profile (text in a number column, a missing value, a negative time, duplicate or unsorted times,
a fraction above 1.2) marks that profile as failed and the others go on (or raises, with
``on_error="raise"``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from nanomed.core.errors import DataError, InputError, not_utf8

__all__ = ["PERCENT_COLUMN", "REQUIRED_COLUMNS", "ReleaseCurves", "read_release_curves"]

REQUIRED_COLUMNS = ("profile_id", "time", "fraction_released")
#: accepted instead of ``fraction_released``; holds percents (implies ``percent=True``)
PERCENT_COLUMN = "percent_released"
#: largest accepted fraction released (120 %): assays overshoot 100 % a little, not more
MAX_FRACTION = 1.2
#: smallest accepted fraction released (-5 %): baseline-corrected assays dip a little below zero
MIN_FRACTION = -0.05
#: auto-detection: a largest value above this means the column is in percent
PERCENT_THRESHOLD = 1.5


@dataclass
class ReleaseCurves:
    """Checked release curves: the usable rows, the failed profiles and what was decided.

    Attributes
    ----------
    data : pandas.DataFrame
        Rows of the usable profiles, sorted by profile then time; ``fraction_released`` as a
        fraction, ``time`` in :attr:`time_unit`, ``profile_id`` as text, extra columns kept.
    failed : pandas.DataFrame
        One row per rejected profile: ``profile_id``, ``reason`` (one line naming the row).
    time_unit : str
        Unit of the ``time`` column.
    percent : bool
        Whether the input values were percents (converted to fractions in :attr:`data`).
    notes : list of str
        Decisions taken while reading (e.g. the percent/fraction auto-detection).
    """

    data: pd.DataFrame
    failed: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"profile_id": [], "reason": []})
    )
    time_unit: str = "h"
    percent: bool = False
    notes: list[str] = field(default_factory=list)
    source: str = "table"

    @property
    def profile_ids(self) -> list[str]:
        """Ids of the usable profiles, in order of first appearance."""
        return list(dict.fromkeys(self.data["profile_id"]))

    def profile(self, profile_id: str) -> pd.DataFrame:
        """Rows of one profile."""
        return self.data[self.data["profile_id"] == str(profile_id)]

    def profile_columns(self) -> pd.DataFrame:
        """Extra columns that are constant within every profile (formulation descriptors)."""
        extra = [c for c in self.data.columns if c not in (*REQUIRED_COLUMNS, "weight")]
        if not extra or self.data.empty:
            return pd.DataFrame({"profile_id": self.profile_ids})
        g = self.data.groupby("profile_id", sort=False)
        const = [c for c in extra if (g[c].nunique(dropna=False) <= 1).all()]
        return g[const].first().reset_index()


def read_release_curves(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    percent: bool | None = None,
    time_unit: str = "h",
    weight_column: str | None = None,
    on_error: Literal["collect", "raise"] = "collect",
) -> ReleaseCurves:
    """Read and check a long-format release-curve CSV (or DataFrame).

    Parameters
    ----------
    source : path or DataFrame
        CSV file with columns ``profile_id, time, fraction_released`` (+ optional columns), or
        ``percent_released`` instead of ``fraction_released`` for values in percent.
    percent : bool, optional
        True if ``fraction_released`` holds percents, False for fractions, None to detect
        (largest value > 1.5 means percent); the decision is recorded in ``notes``. A
        ``percent_released`` column implies True (False is then an error).
    time_unit : str
        Unit of the ``time`` column (e.g. ``"h"``, ``"day"``); times are not converted.
    weight_column : str, optional
        Column of positive per-point weights for weighted least squares (copied to ``weight``).
    on_error : {"collect", "raise"}
        Profile-level problems: list the profile in ``failed`` and go on, or raise
        :class:`DataError` at the first one. File-level problems always raise.

    Returns
    -------
    ReleaseCurves
    """
    from nanomed.core.units import ureg

    if on_error not in ("collect", "raise"):
        raise InputError(f"on_error must be 'collect' or 'raise', got {on_error!r}")
    try:
        ureg.Quantity(1, time_unit).to("s")
    except Exception:
        raise InputError(f"time unit {time_unit!r} is not a unit of time") from None

    raw, src, where = _load(source)
    found = ", ".join(map(str, raw.columns)) or "none"
    percent_column = PERCENT_COLUMN in raw
    f_label = PERCENT_COLUMN if percent_column else "fraction_released"  # as the user wrote it
    if percent_column:
        if "fraction_released" in raw:
            raise DataError(
                f"{src}: both fraction_released and {PERCENT_COLUMN} columns; keep one (found: "
                f"{found})"
            )
        if percent is False:
            raise InputError(
                f"{src}: column {PERCENT_COLUMN} holds percents but fraction values were asked "
                "for (percent=False / --fraction); rename the column to fraction_released"
            )
        raw = raw.rename(columns={PERCENT_COLUMN: "fraction_released"})
    missing = [
        c for c in (*REQUIRED_COLUMNS, *([weight_column] if weight_column else [])) if c not in raw
    ]
    if missing:
        names = [f"{c} (or {PERCENT_COLUMN})" if c == "fraction_released" else c for c in missing]
        raise DataError(f"{src}: missing column(s) {', '.join(names)} (found: {found})")
    if raw.empty:
        raise DataError(f"{src}: no data rows")

    pid = raw["profile_id"].map(_text)
    empty_id = pid == ""
    if empty_id.any():
        first = int(np.flatnonzero(empty_id.to_numpy())[0])
        raise DataError(f"{src}, {where[first]}: empty profile_id")

    problems = pd.Series("", index=raw.index, dtype=object)
    numbers = {}
    for col in ("time", "fraction_released", *([weight_column] if weight_column else [])):
        label = f_label if col == "fraction_released" else col
        text = raw[col].map(_text)
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad_text = (text != "") & num.isna()
        for mask, what in (
            (text == "", lambda c, v: f"missing value in column {c}"),
            (bad_text, lambda c, v: f"text {v!r} in number column {c}"),
            (num.notna() & ~np.isfinite(num.astype(float)), lambda c, v: f"non-finite {c} {v}"),
        ):
            _flag(problems, mask, text, label, what)
        numbers[col] = num.astype(float)

    t = numbers["time"]
    f = numbers["fraction_released"]
    notes: list[str] = []
    ok_f = f[np.isfinite(f)]
    if percent_column:
        percent = True
        notes.append(
            f"fraction_released read as percent from column {PERCENT_COLUMN} (implied by its name)"
        )
        # the auto-detection rule would read these as fractions: 100x too low if they are
        if len(ok_f) and ok_f.max() <= PERCENT_THRESHOLD:
            warnings.warn(
                f"{src}: the {PERCENT_COLUMN} values look like fractions (largest "
                f"{ok_f.max():g} <= {PERCENT_THRESHOLD}) but are read as percent; if they are "
                "fractions, name the column fraction_released",
                UserWarning,
                stacklevel=2,
            )
    elif percent is None:
        percent = bool(len(ok_f) and ok_f.max() > PERCENT_THRESHOLD)
        notes.append(
            f"fraction_released read as {'percent' if percent else 'fraction'} "
            f"(auto-detected: largest value {ok_f.max() if len(ok_f) else float('nan'):.4g} "
            f"{'>' if percent else '<='} {PERCENT_THRESHOLD})"
        )
    else:
        notes.append(f"fraction_released read as {'percent' if percent else 'fraction'} (as told)")
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""
    _flag(problems, t < 0, t, "time", lambda c, v: f"negative time {v:g}")
    _flag(
        problems,
        f > MAX_FRACTION * scale,
        f,
        f_label,
        lambda c, v: f"fraction released {v:g}{unit} above {MAX_FRACTION * scale:g}{unit}",
    )
    _flag(
        problems,
        f < MIN_FRACTION * scale,
        f,
        f_label,
        lambda c, v: f"fraction released {v:g}{unit} below {MIN_FRACTION * scale:g}{unit}",
    )
    if weight_column:
        w = numbers[weight_column]
        _flag(problems, w <= 0, w, weight_column, lambda c, v: f"weight {v:g} is not positive")

    table = raw.copy()
    table["profile_id"] = pid
    table["time"] = t
    table["fraction_released"] = f / scale
    if weight_column:
        table["weight"] = numbers[weight_column]
    table["_where"] = where
    table["_problem"] = problems

    failed_rows: list[dict[str, str]] = []
    keep: list[pd.DataFrame] = []
    for profile_id, rows in table.groupby("profile_id", sort=False):
        reason = _profile_problem(rows)
        if reason:
            msg = f"profile {profile_id!r}, {reason}"
            if on_error == "raise":
                raise DataError(f"{src}: {msg}")
            failed_rows.append({"profile_id": str(profile_id), "reason": msg})
        else:
            keep.append(rows)
    data = (
        pd.concat(keep).drop(columns=["_where", "_problem"]).reset_index(drop=True)
        if keep
        else table.iloc[:0].drop(columns=["_where", "_problem"])
    )
    failed = pd.DataFrame(failed_rows, columns=["profile_id", "reason"])
    if not failed.empty:
        notes.append(f"{len(failed)} profile(s) rejected, {data['profile_id'].nunique()} kept")
    return ReleaseCurves(data, failed, time_unit, bool(percent), notes, src)


def _load(source: str | os.PathLike[str] | pd.DataFrame) -> tuple[pd.DataFrame, str, list[str]]:
    """Return the raw table (all text for files), a name for messages and per-row locations."""
    if isinstance(source, pd.DataFrame):
        df = source.reset_index(drop=True)
        return df, "table", [f"row {i}" for i in range(len(df))]
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name}: empty file") from None
    except UnicodeDecodeError:
        raise not_utf8(path, path.name) from None
    except pd.errors.ParserError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path.name}: cannot read as CSV ({first})") from None
    df.columns = [c.strip() for c in df.columns]
    # line numbers as an editor shows them (header is line 1), blank lines skipped by pandas
    lines = _data_line_numbers(path, len(df))
    return df, path.name, [f"line {n}" for n in lines]


def _data_line_numbers(path: Path, n_rows: int) -> list[int]:
    numbers = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        header_seen = False
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            if not header_seen:
                header_seen = True
                continue
            numbers.append(i)
    if len(numbers) != n_rows:  # quoted multi-line fields: fall back to row numbers
        return list(range(2, n_rows + 2))
    return numbers


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _flag(
    problems: pd.Series,
    mask: pd.Series,
    values: pd.Series,
    col: str,
    what: Callable[[str, Any], str],
) -> None:
    """Record ``what(col, value)`` on rows of ``mask`` that have no problem yet."""
    sel = mask.fillna(False).astype(bool) & (problems == "")
    for i in np.flatnonzero(sel.to_numpy()):
        idx = problems.index[i]
        problems.at[idx] = what(col, values.iloc[i])


def _profile_problem(rows: pd.DataFrame) -> str:
    """First problem of one profile, as ``"line N: what"``; empty when the profile is usable."""
    bad = rows[rows["_problem"] != ""]
    if not bad.empty:
        return f"{bad['_where'].iloc[0]}: {bad['_problem'].iloc[0]}"
    t = rows["time"].to_numpy()
    d = np.diff(t)
    if np.any(d == 0):
        i = int(np.flatnonzero(d == 0)[0]) + 1
        return f"{rows['_where'].iloc[i]}: duplicate time {t[i]:g}"
    if np.any(d < 0):
        i = int(np.flatnonzero(d < 0)[0]) + 1
        return f"{rows['_where'].iloc[i]}: times not increasing ({t[i]:g} after {t[i - 1]:g})"
    return ""
