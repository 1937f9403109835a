"""Data-quality report and leakage checks for learning tables.

:func:`check_table` lists, without changing the table: missing values, non-numeric entries in
numeric columns (often a unit typed into the cell), values outside the plausible range of the
column's spec, duplicated rows and duplicated inputs with conflicting targets, outliers (robust
z-score on the median absolute deviation, Iglewicz & Hoaglin 1993, cut-off 3.5), category labels
that differ only by case or spaces, rows that break an ordering the spec declares (DE24 <= DEmax
in the Nano-Tumor set: a maximum over a time course cannot be below one of its points), falls of
a cumulative quantity within one profile larger than :data:`CUMULATIVE_DROP` (released fraction),
and group-leakage risks (identical inputs under different groups). :func:`drop_rows` removes
rows only through a record of what was removed and why.
:func:`check_split` tests a train/test split for shared groups, shared ids and identical rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nanomed.ai.datasets import DatasetSpec
from nanomed.core.errors import DataError

__all__ = [
    "Issue",
    "LeakReport",
    "QualityReport",
    "check_split",
    "check_table",
    "drop_rows",
]

#: robust z-score above which a value is called an outlier (Iglewicz & Hoaglin 1993)
OUTLIER_Z = 3.5
#: fall of a cumulative fraction between consecutive samples of one profile reported as an error
#: of the data [fraction of the dose]; a guess at a release assay's precision (a few %), not a
#: published figure: smaller dips are sampling noise
CUMULATIVE_DROP = 0.05
_MAX_ROWS_SHOWN = 10


@dataclass(frozen=True)
class Issue:
    """One finding of a quality check; ``rows`` are 0-based positions in the table."""

    kind: str
    column: str
    count: int
    rows: tuple[int, ...]
    message: str
    severity: str = "warning"

    def as_dict(self, offset: int = 0) -> dict[str, object]:
        """The issue as a table row; ``offset`` is added to the row positions shown."""
        shown = ", ".join(str(r + offset) for r in self.rows[:_MAX_ROWS_SHOWN])
        more = f" (+{len(self.rows) - _MAX_ROWS_SHOWN})" if len(self.rows) > _MAX_ROWS_SHOWN else ""
        return {
            "severity": self.severity,
            "kind": self.kind,
            "column": self.column,
            "count": self.count,
            "rows": shown + more,
            "message": self.message,
        }


@dataclass
class QualityReport:
    """What :func:`check_table` found, and the rows removed so far (with their reasons)."""

    n_rows: int
    n_columns: int
    issues: list[Issue] = field(default_factory=list)
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row", "reason"]))

    @property
    def ok(self) -> bool:
        """True when no issue is an error."""
        return not any(i.severity == "error" for i in self.issues)

    def by_kind(self, kind: str) -> list[Issue]:
        return [i for i in self.issues if i.kind == kind]

    def to_frame(self, offset: int = 0) -> pd.DataFrame:
        """One row per issue; ``offset=2`` shows the rows as the file lines of a table read from
        a file with a header (the first data row is line 2)."""
        cols = ["severity", "kind", "column", "count", "rows", "message"]
        return pd.DataFrame([i.as_dict(offset) for i in self.issues], columns=cols)

    def summary(self) -> str:
        kinds = pd.Series([i.kind for i in self.issues], dtype=object).value_counts()
        parts = [f"{k}: {n}" for k, n in kinds.items()] or ["no issues"]
        return (
            f"{self.n_rows} rows x {self.n_columns} columns; {', '.join(parts)}; "
            f"{len(self.dropped)} rows dropped"
        )


def _rows(mask: np.ndarray | pd.Series) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(np.asarray(mask)))


def _numeric_columns(df: pd.DataFrame, spec: DatasetSpec | None) -> list[str]:
    if spec is not None:
        return [
            f.name for f in (*spec.features, *spec.targets) if f.kind == "numeric" and f.name in df
        ]
    from nanomed.ai.datasets import _DECIMAL_COMMA, _NUMBER_WITH_UNIT

    # a column is numeric when most of its non-missing cells are numbers, plain or written with
    # a unit or a decimal comma ("12.3 um", "1,5": then reported as not numeric, an error)
    out = []
    for col in df.columns:
        s = df[col].dropna()
        written = s.astype(str).str.fullmatch(f"{_NUMBER_WITH_UNIT}|{_DECIMAL_COMMA}")
        if len(s) and (pd.to_numeric(s, errors="coerce").notna() | written).mean() >= 0.8:
            out.append(col)
    return out


def _check_missing(df: pd.DataFrame, issues: list[Issue]) -> None:
    for col in df.columns:
        miss = df[col].isna()
        if miss.any():
            issues.append(
                Issue(
                    "missing",
                    col,
                    int(miss.sum()),
                    _rows(miss),
                    f"{int(miss.sum())} missing values",
                )
            )


def _check_numeric(
    df: pd.DataFrame, cols: list[str], spec: DatasetSpec | None, issues: list[Issue]
) -> dict[str, pd.Series]:
    parsed: dict[str, pd.Series] = {}
    for col in cols:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            example = df[col][bad].iloc[0]
            issues.append(
                Issue(
                    "not_numeric",
                    col,
                    int(bad.sum()),
                    _rows(bad),
                    f"non-numeric entries such as {example!r} (a unit typed into the cell?)",
                    "error",
                )
            )
        infinite = np.isinf(values.to_numpy(dtype=float))
        if infinite.any():
            issues.append(
                Issue("not_finite", col, int(infinite.sum()), _rows(infinite),
                      "infinite values (no measurement)", "error")
            )  # fmt: skip
            values = values.where(~infinite)  # the range and outlier checks judge the rest
        parsed[col] = values
        if spec is not None and col in {f.name for f in (*spec.features, *spec.targets)}:
            f = spec.feature(col)
            lo, hi = f.bounds
            out = pd.Series(False, index=df.index)
            if lo is not None:
                out |= values < lo
            if hi is not None:
                out |= values > hi
            if out.any():
                unit = f" [{f.unit}]" if f.unit not in ("", "1") else ""
                issues.append(
                    Issue(
                        "out_of_range",
                        col,
                        int(out.sum()),
                        _rows(out),
                        f"values outside the plausible range {lo}..{hi}{unit}, e.g. "
                        f"{values[out].iloc[0]:g} (wrong unit?)",
                    )
                )
        finite = values.dropna()
        if len(finite) >= 8:
            # skewed positive quantities (doses, masses) are judged on a log scale
            logscale = (finite > 0).all() and finite.max() / max(finite.min(), 1e-300) > 1e3
            v = np.log10(values) if logscale else values
            med = v.median()
            mad = (v - med).abs().median()
            if mad > 0:
                z = 0.6745 * (v - med) / mad
                out = z.abs() > OUTLIER_Z
                if out.any():
                    scale = " (log scale)" if logscale else ""
                    issues.append(
                        Issue(
                            "outlier",
                            col,
                            int(out.sum()),
                            _rows(out),
                            f"robust z-score > {OUTLIER_Z}{scale}; check before dropping",
                        )
                    )
    return parsed


def _check_order(df: pd.DataFrame, spec: DatasetSpec, issues: list[Issue]) -> None:
    for low, high in spec.ordered:
        if low not in df or high not in df:
            continue
        a, b = pd.to_numeric(df[low], errors="coerce"), pd.to_numeric(df[high], errors="coerce")
        bad = a > b
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            issues.append(
                Issue(
                    "order",
                    f"{low} <= {high}",
                    int(bad.sum()),
                    _rows(bad),
                    # the row is in the rows column (as positions or file lines): not repeated
                    f"{low} exceeds {high}, e.g. {a.iloc[i]:g} > {b.iloc[i]:g} "
                    "(a transcription error?)",
                    "error",
                )
            )


def _check_cumulative(df: pd.DataFrame, spec: DatasetSpec, issues: list[Issue]) -> None:
    if spec.cumulative is None or spec.id_column is None:
        return
    time, value = spec.cumulative
    if not {time, value, spec.id_column} <= set(df.columns):
        return
    t = pd.to_numeric(df[time], errors="coerce")
    v = pd.to_numeric(df[value], errors="coerce")
    order = np.lexsort((t.to_numpy(), df[spec.id_column].map(str).to_numpy()))
    ids = df[spec.id_column].to_numpy()[order]
    fall = -np.diff(v.to_numpy()[order])
    same = ids[1:] == ids[:-1]
    bad_sorted = np.flatnonzero(same & (fall > CUMULATIVE_DROP)) + 1
    if bad_sorted.size:
        rows = tuple(sorted(int(r) for r in order[bad_sorted]))
        worst = float(fall[bad_sorted - 1].max())
        issues.append(
            Issue(
                "cumulative_drop",
                value,
                len(rows),
                rows,
                f"cumulative {value} falls by more than {CUMULATIVE_DROP:g} between consecutive "
                f"{time} points of one {spec.id_column} (largest fall {worst:.3f})",
            )
        )


def _check_categories(df: pd.DataFrame, numeric: list[str], issues: list[Issue]) -> None:
    for col in df.columns:
        if col in numeric or df[col].dtype.kind in "fiub":
            continue
        s = df[col].dropna().astype(str)
        labels = s.unique()
        if len(labels) > 200:  # free text (sequences, ids)
            continue
        norm = pd.Series(labels).str.strip().str.casefold()
        clashes = [list(labels[norm == n]) for n in norm[norm.duplicated()].unique()]
        for variants in clashes:
            mask = df[col].astype(str).isin(variants)
            issues.append(
                Issue(
                    "category_variants",
                    col,
                    int(mask.sum()),
                    _rows(mask),
                    f"labels {variants} differ only by case or spaces",
                )
            )


def _check_duplicates(
    df: pd.DataFrame, inputs: list[str], targets: list[str], issues: list[Issue]
) -> None:
    dup = df.duplicated(keep="first")
    if dup.any():
        issues.append(
            Issue("duplicate_row", "*", int(dup.sum()), _rows(dup), "rows repeated exactly")
        )
    if inputs and targets:
        same_x = df.duplicated(subset=inputs, keep=False) & ~df.duplicated(keep=False)
        if same_x.any():
            issues.append(
                Issue(
                    "conflicting_targets",
                    ",".join(targets),
                    int(same_x.sum()),
                    _rows(same_x),
                    "identical inputs with different targets (replicates or a missing feature)",
                )
            )


def _row_keys(frame: pd.DataFrame) -> np.ndarray:
    """One key per row, equal for rows whose cells print alike (missing cells included)."""
    return frame.map(str).agg("|".join, axis=1).to_numpy()


def _check_group_risk(df: pd.DataFrame, inputs: list[str], group: str, issues: list[Issue]) -> None:
    """Identical inputs under different groups: a group split would not separate them."""
    if not inputs:
        return
    key = _row_keys(df[inputs])
    n_groups = df.groupby(key)[group].transform("nunique")
    risky = n_groups > 1
    if risky.any():
        issues.append(
            Issue(
                "group_leak_risk",
                group,
                int(risky.sum()),
                _rows(risky),
                "identical inputs appear under different groups; a group split leaks them",
            )
        )


def check_table(
    df: pd.DataFrame,
    spec: DatasetSpec | None = None,
    *,
    targets: Sequence[str] | None = None,
    group: str | None = None,
    ignore: Iterable[str] = (),
) -> QualityReport:
    """Check a table and report every problem found; the table itself is not changed.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to check.
    spec : DatasetSpec, optional
        Schema giving units, plausible ranges, targets and the group column.
    targets : list of str, optional
        Target columns (default: the spec's, else none).
    group : str, optional
        Column whose values must not be split apart (default: the spec's).
    ignore : iterable of str
        Columns excluded from the duplicate and leakage checks (ids, free text).

    Returns
    -------
    QualityReport
    """
    named = [*(targets or []), *([group] if group is not None else [])]
    absent = [c for c in named if c not in df]
    if absent:
        raise DataError(f"columns {absent} named as target or group are not in the table")
    targets = list(targets if targets is not None else (spec.target_names if spec else []))
    group = group if group is not None else (spec.group if spec else None)
    skip = {*ignore, *targets, *([group] if group else [])}
    if spec is not None and spec.id_column:
        skip.add(spec.id_column)
    issues: list[Issue] = []
    _check_missing(df, issues)
    numeric = _numeric_columns(df, spec)
    _check_numeric(df, numeric, spec, issues)
    _check_categories(df, numeric, issues)
    if spec is not None:
        _check_order(df, spec, issues)
        _check_cumulative(df, spec, issues)
    inputs = spec.feature_names if spec else [c for c in df.columns if c not in skip]
    inputs = [c for c in inputs if c in df and c not in skip]
    _check_duplicates(df, inputs, [t for t in targets if t in df], issues)
    if group is not None and group in df:
        _check_group_risk(df, inputs, group, issues)
    return QualityReport(len(df), df.shape[1], issues)


def drop_rows(
    df: pd.DataFrame, mask: np.ndarray | pd.Series, reason: str, report: QualityReport | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove the rows selected by ``mask`` and record them.

    Returns the kept table and a table of the dropped rows (``row`` = position in ``df``,
    ``reason``, then the dropped values). With ``report``, the record is appended to
    ``report.dropped`` so that the report lists every row ever removed.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (len(df),):
        raise DataError(f"drop mask has shape {mask.shape}, table has {len(df)} rows")
    dropped = df[mask].copy()
    dropped.insert(0, "reason", reason)
    dropped.insert(0, "row", np.flatnonzero(mask))
    if report is not None:
        report.dropped = pd.concat([report.dropped, dropped], ignore_index=True)
    return df[~mask].copy(), dropped.reset_index(drop=True)


@dataclass
class LeakReport:
    """Overlap between a training and a test table."""

    shared_groups: list[object]
    shared_ids: list[object]
    identical_rows: int

    @property
    def leaks(self) -> bool:
        return bool(self.shared_groups or self.shared_ids or self.identical_rows)

    def message(self) -> str:
        parts = []
        if self.shared_groups:
            parts.append(
                f"{len(self.shared_groups)} groups in both sets, e.g. {self.shared_groups[0]!r}"
            )
        if self.shared_ids:
            parts.append(f"{len(self.shared_ids)} ids in both sets, e.g. {self.shared_ids[0]!r}")
        if self.identical_rows:
            parts.append(f"{self.identical_rows} test rows identical to a training row")
        return "; ".join(parts) or "no leakage found"


def check_split(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    group: str | None = None,
    id_column: str | None = None,
    features: Sequence[str] | None = None,
    raise_on_leak: bool = False,
) -> LeakReport:
    """Check that a test set shares no group, no id and no identical feature row with training.

    Parameters
    ----------
    train, test : pandas.DataFrame
        The two sides of the split.
    group : str, optional
        Column that must not be shared (the protocol's grouping, e.g. ``DP_Group``).
    id_column : str, optional
        Column of sample ids (e.g. a release profile) that must not be shared.
    features : list of str, optional
        Input columns; a test row whose inputs equal a training row's counts as identical.
    raise_on_leak : bool
        Raise :class:`DataError` instead of returning a report with leaks.
    """

    def shared(col: str | None) -> list[object]:
        if col is None:
            return []
        return sorted(set(train[col]) & set(test[col]), key=str)

    n_identical = 0
    if features:
        cols = list(features)
        n_identical = int(np.isin(_row_keys(test[cols]), _row_keys(train[cols])).sum())
    report = LeakReport(shared(group), shared(id_column), n_identical)
    if raise_on_leak and report.leaks:
        raise DataError(f"train/test leakage: {report.message()}")
    return report
