"""Typed views of the bundled datasets for machine learning: schema, units, provenance, groups.

Each :class:`DatasetSpec` declares the features (with unit, kind and a plausible range), the targets,
the column that groups rows that must not be split apart (a drug–polymer pair, a protein), and the
source. :func:`load_dataset` returns an :class:`AIDataset` holding the table and its spec, built on
the loaders of :mod:`nanomed.datasets`. Users' own tables in the standard long formats are read with
:func:`read_release_table` and :func:`read_experiment_table`; a table in the columns of a bundled
dataset (e.g. new release profiles in Bannigan's columns) with :func:`read_dataset_like`, so that the
models of that dataset's protocols train on it.

>>> ds = load_dataset("bannigan_few_shot")
>>> ds.spec.group, ds.X.shape[1], ds.y.name
('DP_Group', 17, 'Release')
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nanomed.core.errors import DataError, InputError, plain
from nanomed.data import data_path

__all__ = [
    "DATASET_SPECS",
    "AIDataset",
    "DatasetSpec",
    "FeatureSpec",
    "load_dataset",
    "load_protein_corona",
    "read_dataset_like",
    "read_experiment_table",
    "read_release_table",
    "read_table",
]

Kind = Literal["numeric", "categorical", "binary"]


@dataclass(frozen=True)
class FeatureSpec:
    """One column of a dataset.

    ``unit`` is a pint-readable unit ("1" for dimensionless, "" for categories); ``bounds`` is the
    plausible physical range used by the quality report, not a hard limit of the data.
    """

    name: str
    unit: str = "1"
    kind: Kind = "numeric"
    description: str = ""
    bounds: tuple[float | None, float | None] = (None, None)


@dataclass(frozen=True)
class DatasetSpec:
    """Schema and provenance of a learning table."""

    name: str
    task: Literal["regression", "classification"]
    features: tuple[FeatureSpec, ...]
    targets: tuple[FeatureSpec, ...]
    group: str | None
    id_column: str | None
    citation: str
    licence: str
    folder: str
    notes: str = ""
    #: pairs (a, b) of columns that must satisfy a <= b in every row (e.g. DE24 <= DEmax)
    ordered: tuple[tuple[str, str], ...] = ()
    #: (time, quantity) of a cumulative quantity that cannot fall in time within one id_column
    cumulative: tuple[str, str] | None = None

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def target_names(self) -> list[str]:
        return [t.name for t in self.targets]

    def feature(self, name: str) -> FeatureSpec:
        for f in (*self.features, *self.targets):
            if f.name == name:
                return f
        raise InputError(f"dataset {self.name!r} has no column {name!r}")


@dataclass
class AIDataset:
    """A table with its spec. ``X``, ``y`` and ``groups`` are views of :attr:`frame`."""

    spec: DatasetSpec
    frame: pd.DataFrame
    target: str = field(default="")

    def __post_init__(self) -> None:
        if not self.target:
            self.target = self.spec.target_names[0]
        missing = [c for c in (*self.spec.feature_names, self.target) if c not in self.frame]
        if missing:
            raise DataError(f"dataset {self.spec.name!r} lacks columns {missing}")

    @property
    def X(self) -> pd.DataFrame:
        return self.frame[self.spec.feature_names]

    @property
    def y(self) -> pd.Series:
        return self.frame[self.target]

    @property
    def groups(self) -> pd.Series | None:
        return None if self.spec.group is None else self.frame[self.spec.group]

    def with_target(self, target: str) -> AIDataset:
        """The same table scored on another of its targets."""
        if target not in self.spec.target_names:
            raise InputError(f"target must be one of {self.spec.target_names}, got {target!r}")
        return AIDataset(self.spec, self.frame, target)


_BANNIGAN_CITE = (
    "Bannigan P. et al., Machine learning models to accelerate the design of polymeric "
    "long-acting injectables, Nat Commun 14, 35 (2023), doi:10.1038/s41467-022-35343-w"
)
_BANNIGAN_FEATURES = (
    FeatureSpec("LA/GA", "1", description="lactide:glycolide ratio", bounds=(0, None)),
    FeatureSpec("Polymer_MW", "g/mol", description="polymer molar mass", bounds=(1e2, 1e7)),
    FeatureSpec("CL Ratio", "1", description="caprolactone ratio", bounds=(0, 1)),
    FeatureSpec("Drug_Tm", "degC", description="drug melting point", bounds=(-50, 500)),
    FeatureSpec("Drug_Pka", "1", description="drug pKa", bounds=(-5, 20)),
    FeatureSpec("Initial D/M ratio", "1", description="drug/matrix mass ratio", bounds=(0, None)),
    FeatureSpec("DLC", "1", description="drug loading capacity (fraction)", bounds=(0, 1)),
    # the source gives no unit for SA-V; kept as published
    FeatureSpec(
        "SA-V", "1", description="surface area to volume (unit not stated)", bounds=(0, None)
    ),
    FeatureSpec("SE", "1", kind="binary", description="solubility enhancer (0/1)", bounds=(0, 1)),
    FeatureSpec("Drug_Mw", "g/mol", description="drug molar mass", bounds=(10, 5000)),
    FeatureSpec(
        "Drug_TPSA", "angstrom**2", description="topological polar surface area", bounds=(0, 1000)
    ),
    FeatureSpec("Drug_NHA", "1", description="drug heavy-atom count", bounds=(1, 500)),
    FeatureSpec("Drug_LogP", "1", description="drug octanol/water logP", bounds=(-10, 15)),
    FeatureSpec("Time", "day", description="time since the start of release", bounds=(0, None)),
)
_EARLY = tuple(
    FeatureSpec(f"T={t}", "1", description=f"measured fraction released at {t} day", bounds=(0, 1))
    for t in ("0.25", "0.5", "1.0")
)
_RELEASE = FeatureSpec("Release", "1", description="fraction released", bounds=(0, 1))

_TUMOR_CITE = (
    "Chou W.-C. et al., An artificial intelligence-assisted physiologically-based pharmacokinetic "
    "model to predict nanoparticle delivery to tumors in mice, J Control Release 361, 53-63 (2023)"
)
_TUMOR_FEATURES = (
    FeatureSpec("Type", "", "categorical", "core material class"),
    FeatureSpec("TS", "", "categorical", "targeting strategy (active/passive)"),
    FeatureSpec("HD", "nm", description="hydrodynamic diameter", bounds=(1, 1000)),
    FeatureSpec("Zeta", "mV", description="zeta potential as tabulated", bounds=(-100, 100)),
    FeatureSpec("Charge", "", "categorical", "surface charge class"),
    FeatureSpec("Shape", "", "categorical", "particle shape"),
    FeatureSpec("TM", "", "categorical", "tumour model"),
    FeatureSpec("CT", "", "categorical", "cancer type"),
    FeatureSpec(
        "TSz", "cm**3", description="tumour size as tabulated (unit not stated)", bounds=(0, None)
    ),
    FeatureSpec("TW", "g", description="tumour weight", bounds=(0, 10)),
    FeatureSpec("Dose", "mg/kg", description="injected dose", bounds=(0, None)),
    FeatureSpec("BW", "g", description="mouse body weight", bounds=(10, 60)),
)
_TUMOR_TARGETS = tuple(
    FeatureSpec(n, "percent", description=d, bounds=(0, 100))
    for n, d in (
        ("DE24", "tumour delivery efficiency at 24 h, %ID"),
        ("DE168", "tumour delivery efficiency at 168 h, %ID"),
        ("Demax", "maximum tumour delivery efficiency, %ID"),
    )
)

_CORONA_CITE = (
    "Findlay M.R., Freitas D.N., Mobed-Miremadi M., Wheeler K.E., Machine learning provides predictive "
    "analysis into silver nanoparticle protein corona formation from physicochemical properties, "
    "Environ Sci: Nano 5, 64-71 (2018)"
)
_PCT = "percent"
_CORONA_FEATURES = (
    FeatureSpec("pI", "1", description="protein isoelectric point", bounds=(0, 14)),
    FeatureSpec("Protein Weight", "Da", description="protein mass", bounds=(1e3, 5e6)),
    FeatureSpec("Enzyme Commission Number", "", "categorical", "EC class (0 = not an enzyme)"),
    FeatureSpec("Particle Size", "nm", "categorical", "AgNP diameter (10 or 100)"),
    FeatureSpec("Particle Charge", "", "categorical", "AgNP surface charge class (0/1)"),
    FeatureSpec("Solvent Cysteine Concentration", "mM", "categorical", "cysteine in solvent"),
    FeatureSpec("Solvent NaCl Concentration", "mM", "categorical", "NaCl in solvent"),
    FeatureSpec("% Aromatic", _PCT, bounds=(0, 100)),
    FeatureSpec("% Negative", _PCT, bounds=(0, 100)),
    FeatureSpec("% Positive", _PCT, bounds=(0, 100)),
    FeatureSpec("% Hydrophilic", _PCT, bounds=(0, 100)),
    FeatureSpec("% Cysteine", _PCT, bounds=(0, 100)),
    FeatureSpec("Protein Abundance", "1", description="relative abundance in serum", bounds=(0, 1)),
)

DATASET_SPECS: dict[str, DatasetSpec] = {
    "bannigan_few_shot": DatasetSpec(
        "bannigan_few_shot",
        "regression",
        (*_BANNIGAN_FEATURES[:-1], _BANNIGAN_FEATURES[-1], *_EARLY),
        (_RELEASE,),
        group="DP_Group",
        id_column="Experimental_index",
        citation=_BANNIGAN_CITE,
        licence="MIT",
        folder="bannigan_lai",
        notes="17 features: 13 design features, Time and the release measured at 0.25, 0.5, 1 day.",
        cumulative=("Time", "Release"),
    ),
    "bannigan_zero_shot": DatasetSpec(
        "bannigan_zero_shot",
        "regression",
        _BANNIGAN_FEATURES,
        (_RELEASE,),
        group="DP_Group",
        id_column="Experimental_index",
        citation=_BANNIGAN_CITE,
        licence="MIT",
        folder="bannigan_lai",
        notes="14 features: design features and Time only.",
        cumulative=("Time", "Release"),
    ),
    "nano_tumor": DatasetSpec(
        "nano_tumor",
        "regression",
        _TUMOR_FEATURES,
        _TUMOR_TARGETS,
        group=None,
        id_column="ID",
        citation=_TUMOR_CITE,
        licence="CC0",
        folder="nano_tumor_g1",
        notes="One row per NP dataset; the tumour PBPK parameters are kept in the frame, not used as X.",
        # the maximum delivery over the time course bounds the delivery at any one time
        ordered=(("DE24", "Demax"), ("DE168", "Demax")),
    ),
    "protein_corona": DatasetSpec(
        "protein_corona",
        "classification",
        _CORONA_FEATURES,
        (FeatureSpec("bound", "1", "binary", "in the corona: NSAF enrichment >= 1", (0, 1)),),
        group="Accesion Number",
        id_column="Accesion Number",
        citation=_CORONA_CITE,
        licence="MIT",
        folder="protein_corona_agnp",
        notes="Rows are protein x condition pairs; the same protein appears under several conditions.",
    ),
}


def load_protein_corona() -> pd.DataFrame:
    """Protein–AgNP pairs of Findlay et al. (2018) with the binary label ``bound``.

    ``bound`` is 1 when the NSAF enrichment is >= 1, the cut-off of the source code
    (``_ENRICHMENT_SPLIT_VALUE = 1`` in biosoftware1948/ENM-Protein-Predictor).
    """
    df = pd.read_csv(data_path("datasets", "protein_corona_agnp", "protein_agnp_pairs.csv"))
    df["bound"] = (df["Enrichment"] >= 1.0).astype(int)
    return df


#: the polymers of the Bannigan table, as the tail of its drug–polymer group names
BANNIGAN_POLYMERS = ("PLGA-co-PALA", "PLGA-co-PAVL", "PLA-co-PALA", "PVL-co-PAVL", "PLGA", "PLA",
                     "PCL", "PEA")  # fmt: skip


def _with_polymer_and_drug(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``Polymer``, the matrix named at the tail of ``DP_Group``, and ``Drug_SMILES``, the
    structure of the drug coded at its head (:func:`nanomed.datasets.load_bannigan_drugs`).
    Neither is one of the published features."""
    from nanomed import datasets as nd

    polymer = df["DP_Group"].str.extract(f"({'|'.join(BANNIGAN_POLYMERS)})$", expand=False)
    if polymer.isna().any():
        raise DataError(f"DP_Group {df['DP_Group'][polymer.isna()].iloc[0]!r}: unknown polymer")
    smiles = nd.load_bannigan_drugs().set_index("code")["smiles"]
    code = [g[: -len(p) - 1] for g, p in zip(df["DP_Group"], polymer, strict=True)]
    drug = pd.Series(code, index=df.index).map(smiles)
    if drug.isna().any():
        raise DataError(f"DP_Group {df['DP_Group'][drug.isna()].iloc[0]!r}: unknown drug code")
    return df.assign(Polymer=polymer, Drug_SMILES=drug)


def _load_frame(name: str) -> pd.DataFrame:
    from nanomed import datasets as nd

    if name == "bannigan_few_shot":
        df = nd.load_bannigan(17)
        # the 17-feature table is rounded to 2 decimals; take Time and Release at full precision
        full = nd.load_bannigan(14)
        if not (full["Experimental_index"].to_numpy() == df["Experimental_index"].to_numpy()).all():
            raise DataError("bannigan 14- and 17-feature tables are not row-aligned")
        df["Time"] = full["Time"].to_numpy()
        df["Release"] = full["Release"].to_numpy()
        return _with_polymer_and_drug(df)
    if name == "bannigan_zero_shot":
        return _with_polymer_and_drug(nd.load_bannigan(14))
    if name == "nano_tumor":
        return nd.load_nano_tumor()
    return load_protein_corona()


def load_dataset(name: str, target: str | None = None) -> AIDataset:
    """Load a bundled dataset as an :class:`AIDataset` (names in :data:`DATASET_SPECS`)."""
    if name not in DATASET_SPECS:
        raise InputError(f"unknown dataset {name!r} (known: {', '.join(DATASET_SPECS)})")
    ds = AIDataset(DATASET_SPECS[name], _load_frame(name))
    return ds if target is None else ds.with_target(target)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet table; a missing or unreadable file is an :class:`InputError`."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a table")
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    sep = "\t" if suffix in (".tsv", ".tab") else ","
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            layout = _text_layout_problem(path, sep)
            if layout:
                raise DataError(f"{path}: {layout}")
            with warnings.catch_warnings():  # a trailing separator: its empty field is dropped
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                df = pd.read_csv(
                    path,
                    sep=sep,
                    na_values=["NA", "NaN", "nan", ""],
                    index_col=False,  # never take the first column as an index
                    encoding="utf-8-sig",  # a spreadsheet's byte-order mark is not a name
                )
    except DataError:
        raise
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read table ({exc})") from None
    # a separator at the end of every line, the header's too, gives an empty "Unnamed: n"
    unnamed = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    df = df.drop(columns=unnamed)
    if df.shape[1] == 1 and suffix != ".parquet":
        other = next((d for d in (";", "\t", ",") if d != sep and d in str(df.columns[0])), None)
        if other is not None:  # e.g. a spreadsheet exported with ';' (decimal commas likely too)
            raise InputError(
                f"{path}: one column {str(df.columns[0])[:40]!r}…; the file seems separated by "
                f"{other!r}, nanomed reads {'tab' if sep == chr(9) else 'comma'}-separated tables"
            )
    if df.empty:
        raise InputError(f"{path}: the table has no data rows")
    return df


#: the largest magnitude a cell may hold: the tree models compute in float32
_LARGEST = float(np.finfo(np.float32).max)


def _text_layout_problem(path: Path, sep: str) -> str:
    """What pandas would read without a word, or "": a column name given twice (renamed
    ``x.1``), a row with more filled fields than the header (its extra cells lost, or the first
    column made an index), a blank line inside the data (row numbers would then no longer be
    file lines)."""
    import csv

    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=sep)
        header = next(reader, [])
        names = [h.strip() for h in header if h.strip()]
        twice = sorted({h for h in names if names.count(h) > 1})
        if twice:
            return f"column(s) {twice} given twice in the header"
        blank = None
        for row in reader:
            if not any(c.strip() for c in row):
                blank = blank or reader.line_num
            elif blank is not None:
                return f"line {blank} is blank inside the table; remove it"
            elif any(c.strip() for c in row[len(header) :]):
                return (
                    f"line {reader.line_num} has {len(row)} fields, the header {len(header)} "
                    "(a decimal comma, or a missing column name?)"
                )
    return ""


def _numeric(df: pd.DataFrame, col: str, where: str) -> pd.Series:
    """Column ``col`` as numbers; a text, infinite or float32-overflowing cell is a
    :class:`DataError` naming its file line (empty cells stay NaN for the caller to judge)."""
    values = pd.to_numeric(df[col], errors="coerce")
    bad = values.isna() & df[col].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{where}: row {i + 2}, column {col!r}: {plain(df[col].iloc[i])!r} is not a number"
        )
    huge = values.abs().to_numpy(dtype=float) > _LARGEST  # inf too; NaN compares False
    if huge.any():
        i = int(np.flatnonzero(huge)[0])
        raise DataError(
            f"{where}: row {i + 2}, column {col!r}: {plain(df[col].iloc[i])!r} is not a finite "
            "number of a usable size"
        )
    return values


#: a number, a space and a unit ("12.3 um", "10 mg/kg", "5 %"): a measurement, not a category
#: (a label such as "2D" or "3k", with no space, stays a category)
_NUMBER_WITH_UNIT = (
    r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(\s+[^\d\s]\S*|\s*[%µμ]\S*)(\s\S+)?\s*"
)


#: a number written with a decimal comma or thousands separators ("1,5", "1,000")
_DECIMAL_COMMA = r"\s*-?\d+(,\d+)+\s*"


def numeric_columns_checked(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """``df`` with every column of numbers checked: a column of numbers but for a few text cells
    (at least half numbers) holds typos, not categories; numbers written with commas ("100,5",
    "1,000") or with their unit ("12.3 um") would become categories; an infinite or overflowing
    number is no measurement. Each is a :class:`DataError` naming its file line and column."""
    df = df.copy()
    for col in df.columns:
        v = df[col]
        if pd.api.types.is_bool_dtype(v) or not v.notna().any():
            continue
        text = v.astype(str)
        for pattern, advice in (
            (_DECIMAL_COMMA, "write numbers with a decimal point, no thousands separator"),
            (_NUMBER_WITH_UNIT, "give the numbers alone and the unit in the column's name"),
        ):
            hit = text.str.fullmatch(pattern) & v.notna()
            if (
                not pd.api.types.is_numeric_dtype(v)
                and hit.any()
                and hit.sum() >= 0.5 * v.notna().sum()
            ):
                i = int(np.flatnonzero(hit.to_numpy())[0])
                raise DataError(
                    f"{where}: row {i + 2}, column {col!r}: {v.iloc[i]!r} is not a plain "
                    f"number; {advice}"
                )
        if pd.api.types.is_numeric_dtype(v) or (
            pd.to_numeric(v, errors="coerce").notna().sum() >= 0.5 * v.notna().sum()
        ):
            df[col] = _numeric(df, col, where)
    return df


def read_release_table(path: str | Path) -> pd.DataFrame:
    """Read release curves in the standard long format.

    Columns ``profile_id, time, fraction_released`` (time in the unit of an optional ``time_unit``
    column, else days; fraction in [0, 1]) plus any formulation columns. Rows are returned sorted by
    profile and time; the check of values is left to :func:`nanomed.ai.quality.check_table`.
    """
    df = read_table(path)
    need = ["profile_id", "time", "fraction_released"]
    missing = [c for c in need if c not in df]
    if missing:
        raise DataError(f"{path}: missing columns {missing} (release format: {', '.join(need)})")
    for col in need[1:]:
        df[col] = _numeric(df, col, str(path))
    top = df["fraction_released"].max()
    if top > 1.5:  # the release module's rule: assay noise overshoots 1 a little, not to 1.5
        i = int(df["fraction_released"].to_numpy().argmax())
        raise DataError(
            f"{path}: row {i + 2}, column 'fraction_released': {top:g} is a percentage? give "
            "fractions in [0, 1] (divide by 100)"
        )
    df["profile_id"] = df["profile_id"].astype(str)
    return df.sort_values(["profile_id", "time"], kind="stable").reset_index(drop=True)


def read_experiment_table(path: str | Path, targets: list[str]) -> pd.DataFrame:
    """Read an experiment table: one row per formulation, design columns plus measured ``targets``.

    Every target cell must hold a number: an empty one is an error naming its rows (file line
    numbers), not a row dropped in silence.
    """
    df = read_table(path)
    missing = [c for c in targets if c not in df]
    if missing:
        raise DataError(f"{path}: target columns {missing} not found (columns: {list(df.columns)})")
    df = numeric_columns_checked(df, str(path))
    for col in targets:
        df[col] = _numeric(df, col, str(path))
        empty = np.flatnonzero(df[col].isna().to_numpy()) + 2  # + header, 1-based lines
        if empty.size:
            shown = ", ".join(map(str, empty[:10])) + (" …" if empty.size > 10 else "")
            raise DataError(
                f"{path}: target {col!r} is empty in {empty.size} row(s) (lines {shown}); "
                "fill or remove them"
            )
    return df


def _warn_out_of_bounds(df: pd.DataFrame, spec: DatasetSpec, where: str) -> None:
    """One warning per column with values outside the spec's plausible range (e.g. a loading of
    3, a negative time): kept, as the bundled rows are, but never in silence."""
    for f in (*spec.features, *spec.targets):
        lo, hi = f.bounds
        if f.name not in df or f.kind == "categorical" or (lo is None and hi is None):
            continue
        v = pd.to_numeric(df[f.name], errors="coerce").to_numpy(dtype=float)
        out = np.flatnonzero(
            (v < (-np.inf if lo is None else lo)) | (v > (np.inf if hi is None else hi))
        )
        if out.size:
            unit = f" {f.unit}" if f.unit not in ("", "1") else ""
            span = f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
            warnings.warn(
                f"{where}: column {f.name!r}: {out.size} row(s) outside the plausible range "
                f"{span}{unit} (first: row {out[0] + 2}, {v[out[0]]:g})",
                UserWarning,
                stacklevel=3,
            )


def read_dataset_like(path: str | Path, name: str, with_bundled: bool = False) -> AIDataset:
    """A user's table in the columns of the bundled dataset ``name``, as an :class:`AIDataset`.

    Use it to train a protocol's models on one's own measurements, e.g. release profiles of new
    formulations in the columns of the Bannigan table (``nanomed train FILE --like
    bannigan_few_shot``), alone or, with ``with_bundled``, after the bundled rows.

    The table needs every feature of the dataset, its first target and its group column (rows of
    one group are never split apart by the protocols' inner cross-validation). Every feature and
    target cell must hold a number: an empty or non-numeric cell is a :class:`DataError` naming its
    file line and column, never a row dropped or a NaN passed on. For the Bannigan datasets the
    columns ``Polymer`` and ``Drug_SMILES`` (read by the ``hydrolysis_`` and ``molecular_`` models)
    are taken from the table when it has them, else derived from ``DP_Group`` when its drug codes
    and polymers are those of the bundled table. With ``with_bundled``, the user's profile ids
    are prefixed ``user:`` so that no user profile merges with a bundled one, while a user group
    named as a bundled one (``DEX-PLGA``) is that group: the protocols hold its rows out together.

    >>> import tempfile, os
    >>> rows = load_dataset("bannigan_few_shot").frame.head(3)
    >>> path = os.path.join(tempfile.mkdtemp(), "mine.csv")
    >>> rows.drop(columns=["Polymer", "Drug_SMILES"]).to_csv(path, index=False)
    >>> ds = read_dataset_like(path, "bannigan_few_shot", with_bundled=True)
    >>> len(ds.frame) - len(rows), ds.frame["Polymer"].iloc[-1]
    (3783, 'PLGA')
    """
    if name not in DATASET_SPECS:
        raise InputError(f"unknown dataset {name!r} (known: {', '.join(DATASET_SPECS)})")
    spec = DATASET_SPECS[name]
    df = read_table(path)
    need = [*spec.feature_names, spec.target_names[0], *([spec.group] if spec.group else [])]
    missing = [c for c in dict.fromkeys(need) if c not in df]
    if missing:
        raise DataError(f"{path}: missing columns {missing} (the columns of dataset {name!r})")
    if df.empty:
        raise DataError(f"{path}: no rows")
    numeric = {f.name: f.kind != "categorical" for f in (*spec.features, spec.targets[0])}
    # a feature may be empty where the bundled table has empty cells too (its models were built
    # for them: e.g. a Nano-Tumor zeta potential not reported); target and group never
    bundled = _load_frame(name)
    bundled_empty = bundled.isna().any()
    for col in dict.fromkeys(need):
        if numeric.get(col, False):
            df[col] = _numeric(df, col, str(path))
        empty = np.flatnonzero(df[col].isna().to_numpy())
        if empty.size and not (col in spec.feature_names and bundled_empty.get(col, False)):
            raise DataError(f"{path}: row {empty[0] + 2}, column {col!r}: empty")
    _warn_out_of_bounds(df, spec, str(path))
    if name.startswith("bannigan") and not {"Polymer", "Drug_SMILES"} <= set(df.columns):
        try:
            derived = _with_polymer_and_drug(df)
        except DataError:  # not the bundled codes: models that need them say so when trained
            derived = df
        add = [c for c in ("Polymer", "Drug_SMILES") if c in derived and c not in df]
        df = df.assign(**{c: derived[c] for c in add})
    if with_bundled:
        if spec.id_column and spec.id_column in df:
            df[spec.id_column] = "user:" + df[spec.id_column].astype(str)
        if spec.id_column:
            bundled = bundled.assign(**{spec.id_column: bundled[spec.id_column].astype(str)})
        # a column the user's rows cannot give is dropped, not left empty for them
        bundled = bundled.drop(columns=[c for c in bundled if c not in df])
        df = pd.concat([bundled, df], ignore_index=True)
    return AIDataset(spec, df.reset_index(drop=True))
