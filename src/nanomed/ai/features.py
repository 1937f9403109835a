"""Featurisers: design parameters, material encodings, RDKit drug descriptors, physics features.

All are scikit-learn transformers whose learned state is plain lists and numbers (JSON), so that a
fitted pipeline can be saved by :mod:`nanomed.ai.modelio` without pickle.

- :class:`TabularFeaturizer`: numeric design columns (optionally log10) plus one-hot material and
  category encodings; labels are compared after stripping and case-folding ("Skin" = "skin").
- :class:`ReleaseKineticFeatures`: features from the first measured points of a release curve:
  increments, the burst ratio and the Higuchi extrapolation f(t) ≈ f(1 d)·√(t / 1 d)
  (Higuchi, J Pharm Sci 50:874, 1961; Siepmann & Siepmann, J Control Release 161:351, 2012).
- :class:`ReleaseCurveFeatures`: each row's three early points (plus the origin) fitted by
  empirical release laws of :mod:`nanomed.release.empirical` (Weibull, first order, Higuchi,
  Korsmeyer-Peppas), and each law's prediction at the row's time: physics features computed from
  the row's own inputs only.
- :class:`SizeScaledTimeFeatures`: the row's time divided by the device's length scale V/S and by
  its square: the dimensionless clocks of surface erosion (Hopfenberg 1976) and of Fickian
  diffusion (the Fourier number D·t/a², Crank 1975), up to a common rate constant.
- :class:`HiguchiFeatures`: Higuchi's release clock (S/V)·√(C_s (2A − C_s) t)/A of a matrix with
  dispersed drug (Higuchi 1961), the solubility C_s from the General Solubility Equation (Jain &
  Yalkowsky 2001) and A from the drug loading.
- :class:`HydrolysisFeatures`: the polymer's name replaced by its hydrolysis clock k_h·t =
  ln(M_w0/M_w(t)) (first-order ester hydrolysis; Pitt & Gu 1987), k_h from the materials library.
- :class:`MolecularFeatures`: the drug's structure replaced by the molecular scale's drug–polymer
  compatibility (Flory–Huggins χ from Hansen parameters, loading capacity, partition, matrix
  diffusivity; :mod:`nanomed.molecular`).
- :class:`DrugDescriptors`: RDKit descriptors of a SMILES column (Crippen logP, TPSA, …).
- :func:`diffusion_time`: the characteristic diffusion time r²/D of a sphere (Crank 1975, ch. 6).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from nanomed.core.errors import DataError, InputError, ModelError

__all__ = [
    "POLYMER_STAND_INS",
    "DrugDescriptors",
    "HiguchiFeatures",
    "HydrolysisFeatures",
    "LogTimeFeatures",
    "MolecularFeatures",
    "ReleaseCurveFeatures",
    "ReleaseKineticFeatures",
    "SizeScaledTimeFeatures",
    "TabularFeaturizer",
    "diffusion_time",
]

#: what the featurisers accept: a DataFrame, or a 2-D array (columns named x0, x1, …)
Table: TypeAlias = pd.DataFrame | ArrayLike


def diffusion_time(radius_nm: ArrayLike, diffusivity_m2_s: ArrayLike) -> NDArray[np.float64]:
    """Characteristic diffusion time r²/D of a sphere.

    Parameters
    ----------
    radius_nm : float or array
        Particle radius [nm].
    diffusivity_m2_s : float or array
        Drug diffusivity in the matrix [m²/s].

    Returns
    -------
    numpy.ndarray
        r²/D [h]. Fickian release from a sphere is ~80 % complete at t ≈ 0.1·r²/D (Crank 1975).

    Examples
    --------
    >>> float(diffusion_time(100.0, 1e-18).round(3))
    2.778
    """
    r = np.asarray(radius_nm, dtype=float) * 1e-9
    d = np.asarray(diffusivity_m2_s, dtype=float)
    if np.any(r < 0) or np.any(d <= 0):
        raise InputError("diffusion_time needs radius >= 0 nm and diffusivity > 0 m²/s")
    return r**2 / d / 3600.0


def _as_frame(X: Table, columns: Iterable[str] | None = None) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise InputError(f"expected a 2-D table, got shape {arr.shape}")
    cols = list(columns) if columns is not None else [f"x{i}" for i in range(arr.shape[1])]
    return pd.DataFrame(arr, columns=cols)


def _column(df: pd.DataFrame, column: str, rule: Any = None, text: str = ">= 0") -> np.ndarray:
    """A column as floats; its first cell that is not finite or breaks ``rule`` (default:
    >= 0) is a :class:`DataError` naming the row, the column and the rule."""
    v = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(v) & (v >= 0 if rule is None else rule(v))
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raw = df[column].iat[i]
        # a text cell is shown as written, not as the NaN it was coerced to
        got = repr(raw) if np.isnan(v[i]) and not pd.isna(raw) else f"{v[i]:g}"
        raise DataError(f"row {i}: {column} must be finite and {text}, got {got}")
    return v


def _early_points(df: pd.DataFrame, columns: Sequence[str]) -> NDArray[np.float64]:
    """The early release points (rows, points), each a fraction in [0, 1.2] (a measured
    fraction overshoots 1 a little through assay noise)."""
    cols = [_column(df, c, lambda a: (a >= 0) & (a <= 1.2), "in [0, 1.2]") for c in columns]
    return np.column_stack(cols) if cols else np.empty((len(df), 0))


def _text(df: pd.DataFrame, column: str) -> NDArray[np.object_]:
    """A column of names (polymer, SMILES) as stripped strings; an empty cell is a DataError."""
    cells = df[column]
    text = cells.astype(str).str.strip()
    bad = cells.isna().to_numpy() | (text == "").to_numpy()
    if bad.any():
        raise DataError(f"row {int(np.flatnonzero(bad)[0])}: {column} is empty")
    return text.to_numpy(dtype=object)


def _require(df: pd.DataFrame, columns: Iterable[str]) -> None:
    """A DataError naming the ``columns`` missing from the table to transform."""
    absent = [c for c in columns if c not in df]
    if absent:
        raise DataError(f"columns {absent} missing from the table to transform")


def _positive(a: np.ndarray) -> np.ndarray:
    return a > 0


def _norm_label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


def _split_labels(cell: object) -> list[str]:
    return [lab.strip() for lab in str(cell).split(";") if lab.strip()]


class TabularFeaturizer(TransformerMixin, BaseEstimator):
    """Numeric columns (optionally log10-transformed) plus one-hot categorical columns.

    Parameters
    ----------
    numeric : list of str or None
        Numeric columns kept as they are; None takes every numeric column not in ``categorical``.
    categorical : list of str
        Columns one-hot encoded (labels normalised by strip + casefold; unseen labels -> all zeros).
    log10 : list of str
        Numeric columns replaced by log10(value); values must be > 0.
    missing : {"nan", "indicator"}
        Keep NaN (tree models handle it), or fill it with the training median and add a 0/1
        ``<col>_missing`` column (for models that need finite inputs).
    multilabel : list of str
        Columns holding several labels separated by ";" (e.g. InterPro ids), multi-hot encoded;
        labels seen fewer than ``min_count`` times in training are ignored.
    min_count : int
        Minimum training count of a multi-label label.

    Examples
    --------
    >>> df = pd.DataFrame({"size": [10.0, 100.0], "shape": ["Rod", "rod "]})
    >>> TabularFeaturizer(categorical=["shape"]).fit(df).get_feature_names_out()
    ['size', 'shape=rod']
    """

    def __init__(
        self,
        numeric: Sequence[str] | None = None,
        categorical: Sequence[str] = (),
        log10: Sequence[str] = (),
        missing: str = "nan",
        multilabel: Sequence[str] = (),
        min_count: int = 5,
    ) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.log10 = log10
        self.missing = missing
        self.multilabel = multilabel
        self.min_count = min_count

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        df = _as_frame(X)
        if self.missing not in ("nan", "indicator"):
            raise InputError(f"missing must be 'nan' or 'indicator', got {self.missing!r}")
        cats = list(self.categorical)
        multi = list(self.multilabel)
        absent = [c for c in [*cats, *multi, *(self.numeric or []), *self.log10] if c not in df]
        if absent:
            raise DataError(f"columns {absent} not in the table (columns: {list(df.columns)})")
        if self.numeric is None:
            num = [
                c
                for c in df.columns
                if c not in cats and c not in multi and pd.api.types.is_numeric_dtype(df[c])
            ]
        else:
            num = list(self.numeric)
        self.numeric_: list[str] = num
        self.categories_: dict[str, list[str]] = {
            c: sorted({_norm_label(v) for v in df[c].dropna()}) for c in cats
        }
        self.multilabels_: dict[str, list[str]] = {}
        for c in multi:
            counts = pd.Series(
                [lab for cell in df[c].dropna() for lab in _split_labels(cell)], dtype=object
            ).value_counts()
            self.multilabels_[c] = sorted(counts[counts >= self.min_count].index.tolist())
        self.missing_columns_: list[str] = (
            [c for c in num if df[c].isna().any()] if self.missing == "indicator" else []
        )
        self.medians_: dict[str, float] = {}
        if self.missing == "indicator":
            for c in num:
                v = pd.to_numeric(df[c], errors="coerce")
                v = np.log10(v[v > 0]) if c in self.log10 else v
                self.medians_[c] = float(v.median()) if v.notna().any() else 0.0
        self.feature_names_in_ = np.asarray(list(df.columns), dtype=object)
        self.n_features_in_ = df.shape[1]
        return self

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        names = list(self.numeric_)
        names += [f"{c}_missing" for c in self.missing_columns_]
        for c, labels in self.categories_.items():
            names += [f"{c}={lab}" for lab in labels]
        for c, labels in self.multilabels_.items():
            names += [f"{c}:{lab}" for lab in labels]
        return names

    def transform(self, X: Table) -> NDArray[np.float64]:
        check_is_fitted(self)
        df = _as_frame(X, self.feature_names_in_)
        _require(df, [*self.numeric_, *self.categories_])
        parts: list[NDArray[np.float64]] = []
        for c in self.numeric_:
            v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
            # NaN is "missing" (kept or filled below); text or inf is a data error, not missing
            text = np.isnan(v) & df[c].notna().to_numpy()
            if text.any():
                i = int(np.flatnonzero(text)[0])
                raise DataError(f"row {i}, column {c!r}: {df[c].iat[i]!r} is not a number")
            if np.isinf(v).any():
                i = int(np.flatnonzero(np.isinf(v))[0])
                raise DataError(f"row {i}, column {c!r}: must be finite, got {v[i]:g}")
            if c in self.log10:
                if np.any(v <= 0):
                    i = int(np.flatnonzero(v <= 0)[0])
                    raise DataError(f"row {i}, column {c!r}: log10 needs a value > 0, got {v[i]:g}")
                v = np.log10(v)
            if c in self.medians_:
                v = np.where(np.isnan(v), self.medians_[c], v)
            parts.append(v)
        for c in self.missing_columns_:
            parts.append(df[c].isna().to_numpy(dtype=float))
        for c, labels in self.categories_.items():
            norm = df[c].map(lambda v: None if pd.isna(v) else _norm_label(v))
            parts += [(norm == lab).to_numpy(dtype=float) for lab in labels]
        for c, labels in self.multilabels_.items():
            sets = [set(_split_labels(v)) if not pd.isna(v) else set() for v in df[c]]
            parts += [np.array([lab in s for s in sets], dtype=float) for lab in labels]
        return np.column_stack(parts) if parts else np.empty((len(df), 0))

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable fitted state (see :mod:`nanomed.ai.modelio`)."""
        check_is_fitted(self)
        return {
            "params": {
                k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()
            },
            "numeric_": self.numeric_,
            "categories_": self.categories_,
            "missing_columns_": self.missing_columns_,
            "multilabels_": self.multilabels_,
            "medians_": self.medians_,
            "feature_names_in_": list(self.feature_names_in_),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Self:
        obj = cls(**state["params"])
        obj.numeric_ = list(state["numeric_"])
        obj.categories_ = {k: list(v) for k, v in state["categories_"].items()}
        obj.missing_columns_ = list(state["missing_columns_"])
        obj.multilabels_ = {k: list(v) for k, v in state["multilabels_"].items()}
        obj.medians_ = {k: float(v) for k, v in state["medians_"].items()}
        obj.feature_names_in_ = np.asarray(state["feature_names_in_"], dtype=object)
        obj.n_features_in_ = len(obj.feature_names_in_)
        return obj


class _ParamsOnlyState:
    """Model-file state of a transformer that learns nothing but its input columns."""

    def _fit_columns(self, X: Table, required: Sequence[str], what: str) -> pd.DataFrame:
        """Check that the table has the ``required`` columns and remember its columns."""
        df = _as_frame(X)
        absent = [c for c in required if c not in df]
        if absent:
            raise DataError(f"{what} need columns {absent}")
        self.feature_names_in_ = np.asarray(list(df.columns), dtype=object)
        self.n_features_in_ = df.shape[1]
        return df

    def _transform_frame(self, X: Table, required: Sequence[str]) -> pd.DataFrame:
        """The table to transform, with the ``required`` columns (else one-line DataError)."""
        check_is_fitted(self)
        df = _as_frame(X, self.feature_names_in_)
        _require(df, required)
        return df

    def to_state(self) -> dict[str, Any]:
        check_is_fitted(self)
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()}
        return {"params": params, "feature_names_in_": list(self.feature_names_in_)}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Self:
        obj = cls(**state["params"])
        obj.feature_names_in_ = np.asarray(state["feature_names_in_"], dtype=object)
        obj.n_features_in_ = len(obj.feature_names_in_)
        return obj


class ReleaseKineticFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Append kinetic features computed from the first measured points of each release curve.

    Added columns: ``d_early_1``… (increments between successive early points), ``burst_ratio``
    (first early point / last early point: how much of the early release is burst) and
    ``higuchi_extrap`` = clip(f(t_last)·√(t / t_last), 0, 1), the release predicted at ``time`` by
    the Higuchi square-root law from the last early point (Higuchi 1961).

    Parameters
    ----------
    early_columns : list of str
        Columns holding the fraction released at ``early_times``.
    early_times : list of float
        The times of those points, in the unit of ``time_column``.
    time_column : str
        Column of the time at which release is predicted.
    """

    def __init__(
        self,
        early_columns: Sequence[str] = ("T=0.25", "T=0.5", "T=1.0"),
        early_times: Sequence[float] = (0.25, 0.5, 1.0),
        time_column: str = "Time",
    ) -> None:
        self.early_columns = early_columns
        self.early_times = early_times
        self.time_column = time_column

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        if len(self.early_columns) != len(self.early_times) or len(self.early_times) < 2:
            raise InputError("early_columns and early_times must have the same length (>= 2)")
        cols = [*self.early_columns, self.time_column]
        self._fit_columns(X, cols, "release kinetic features")
        return self

    def _added(self) -> list[str]:
        n = len(self.early_columns)
        return [f"d_early_{i}" for i in range(1, n)] + ["burst_ratio", "higuchi_extrap"]

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        return [*map(str, self.feature_names_in_), *self._added()]

    def transform(self, X: Table) -> pd.DataFrame:
        df = self._transform_frame(X, [*self.early_columns, self.time_column])
        early = _early_points(df, self.early_columns)
        t = _column(df, self.time_column)
        out = df.copy()
        for i in range(1, early.shape[1]):
            out[f"d_early_{i}"] = early[:, i] - early[:, i - 1]
        out["burst_ratio"] = early[:, 0] / (early[:, -1] + 1e-3)
        t_last = float(self.early_times[-1])
        out["higuchi_extrap"] = np.clip(early[:, -1] * np.sqrt(t / t_last), 0, 1)
        return out


class SizeScaledTimeFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Append the row's time scaled by the device size: the clocks of erosion and of diffusion.

    A device of volume V and surface S has the length scale a = V/S (a sphere of radius r has
    S/V = 3/r). Fickian release from it is a function of the Fourier number D·t/a² alone (Crank,
    *The Mathematics of Diffusion*, 2nd ed. 1975, eq. 6.20 for the sphere), and release by surface
    erosion of t/a alone: M_t/M_∞ = 1 − (1 − k₀·t/(C₀·a))ⁿ (Hopfenberg, ACS Symp Ser 33:26, 1976).
    The rate constants (D, k₀/C₀) are unknown per formulation, so the added columns are the two
    clocks up to that constant, in the units of the inputs:

    - ``erosion_scaled_time`` = t·(S/V) [time × surface/volume],
    - ``diffusion_scaled_time`` = t·(S/V)² [time × (surface/volume)²].

    Two devices made of the same matrix but of different size then release alike at equal
    scaled time, which a tree cannot learn from t and S/V as separate columns without many splits.

    Parameters
    ----------
    time_column : str
        Column of the time at which release is predicted (t >= 0).
    surface_to_volume_column : str
        Column of the surface-area-to-volume ratio S/V (> 0).

    Examples
    --------
    >>> df = pd.DataFrame({"Time": [2.0], "SA-V": [3.0]})
    >>> SizeScaledTimeFeatures().fit_transform(df)[["erosion_scaled_time", "diffusion_scaled_time"]]
       erosion_scaled_time  diffusion_scaled_time
    0                  6.0                   18.0
    """

    def __init__(self, time_column: str = "Time", surface_to_volume_column: str = "SA-V") -> None:
        self.time_column = time_column
        self.surface_to_volume_column = surface_to_volume_column

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        cols = (self.time_column, self.surface_to_volume_column)
        self._fit_columns(X, cols, "size-scaled time features")
        return self

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        return [*map(str, self.feature_names_in_), "erosion_scaled_time", "diffusion_scaled_time"]

    def transform(self, X: Table) -> pd.DataFrame:
        df = self._transform_frame(X, [self.time_column, self.surface_to_volume_column])
        t = _column(df, self.time_column)
        sv = _column(df, self.surface_to_volume_column, _positive, "> 0")
        out = df.copy()
        with np.errstate(over="ignore"):
            out["erosion_scaled_time"] = t * sv
            out["diffusion_scaled_time"] = t * sv**2
        # finite inputs can still overflow (S/V 1e300 squared): never hand inf to a model
        bad = ~np.isfinite(out["diffusion_scaled_time"].to_numpy())
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"row {i}: {self.time_column} × {self.surface_to_volume_column}² overflows "
                f"({t[i]:g} × {sv[i]:g}²)"
            )
        return out


class HiguchiFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Append Higuchi's release clock of each row, from the drug's estimated solubility and load.

    A matrix loaded above the drug's solubility releases F = √D × (S/V) √(C_s (2A − C_s) t) / A
    (Higuchi, J Pharm Sci 50:874, 1961; :func:`nanomed.release.matrix.higuchi_clock`): the
    fraction depends on time, size, solubility and load through that one product, and only the
    diffusivity D is unknown. The solubility comes from the General Solubility Equation,
    log₁₀ S = 0.5 − 0.01 (T_m − 25) − log P (Jain & Yalkowsky, J Pharm Sci 90:234, 2001;
    :func:`nanomed.molecular.solubility.aqueous_solubility_gse`), times the molar mass; the load
    is A = loading × matrix density. Added column: ``higuchi_clock`` [(S/V unit) × √(time unit)].
    With ``diffusivity_column`` (the molecular scale's ``log_d_matrix``, :class:`MolecularFeatures`,
    run before this step) the law is completed with D: ``log_higuchi_fraction`` =
    log₁₀(clock) + ½ log₁₀(D × seconds per time unit), log₁₀ F up to the unit of S/V (a constant
    offset, which a tree does not see); NaN where D is not estimated. A tree cannot add two
    logarithms itself, so the sum is given.

    Parameters
    ----------
    time_column, surface_to_volume_column : str
        Time (>= 0) and device surface-to-volume ratio S/V (> 0).
    loading_column : str
        Drug mass fraction of the device [-], in [0, 1]. A 0 is read as not reported (the
        Bannigan table has three profiles with DLC = 0 that release drug) and replaced by the
        theoretical loading r/(1 + r) of the initial drug/matrix mass ratio r (100 %
        encapsulation, an upper bound).
    initial_ratio_column : str
        Initial drug/matrix mass ratio r [-] (>= 0), used only where the loading is 0.
    melting_point_column, logp_column, molar_mass_column : str
        Drug melting point [°C], octanol/water log P [-] and molar mass [g/mol] (> 0).
    matrix_density_g_cm3 : float
        Device density [g/cm³] turning the mass fraction into a load per volume; default 1.2,
        a nanomed choice in the range of the polyesters (PLGA ≈ 1.2–1.3, PCL ≈ 1.1). A tree
        model sees the same splits for any value while C_s ≪ A.
    diffusivity_column : str or None
        Column of log₁₀ of the drug's diffusivity in the matrix [cm²/s]; None (default): the
        clock only.
    seconds_per_time_unit : float
        Seconds in one unit of the time column (default 86 400: days, as in the Bannigan tables).

    Examples
    --------
    >>> df = pd.DataFrame({"Time": [4.0], "SA-V": [3.0], "DLC": [0.1], "Initial D/M ratio": [0.1],
    ...                    "Drug_Tm": [25.0], "Drug_LogP": [0.5], "Drug_Mw": [100.0]})
    >>> round(float(HiguchiFeatures().fit_transform(df)["higuchi_clock"].iloc[0]), 4)  # C_s 100, A 120
    5.9161
    """

    def __init__(
        self,
        time_column: str = "Time",
        surface_to_volume_column: str = "SA-V",
        loading_column: str = "DLC",
        initial_ratio_column: str = "Initial D/M ratio",
        melting_point_column: str = "Drug_Tm",
        logp_column: str = "Drug_LogP",
        molar_mass_column: str = "Drug_Mw",
        matrix_density_g_cm3: float = 1.2,
        diffusivity_column: str | None = None,
        seconds_per_time_unit: float = 86400.0,
    ) -> None:
        self.time_column = time_column
        self.surface_to_volume_column = surface_to_volume_column
        self.loading_column = loading_column
        self.initial_ratio_column = initial_ratio_column
        self.melting_point_column = melting_point_column
        self.logp_column = logp_column
        self.molar_mass_column = molar_mass_column
        self.matrix_density_g_cm3 = matrix_density_g_cm3
        self.diffusivity_column = diffusivity_column
        self.seconds_per_time_unit = seconds_per_time_unit

    def _columns(self) -> list[str]:
        extra = [] if self.diffusivity_column is None else [self.diffusivity_column]
        return [self.time_column, self.surface_to_volume_column, self.loading_column,
                self.initial_ratio_column, self.melting_point_column, self.logp_column,
                self.molar_mass_column, *extra]  # fmt: skip

    def _added(self) -> list[str]:
        return ["higuchi_clock"] + (
            [] if self.diffusivity_column is None else ["log_higuchi_fraction"]
        )

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        rho = self.matrix_density_g_cm3
        if not (np.isfinite(rho) and rho > 0):
            raise InputError(f"matrix_density_g_cm3 must be finite and > 0, got {rho!r}")
        sec = self.seconds_per_time_unit
        if not (np.isfinite(sec) and sec > 0):
            raise InputError(f"seconds_per_time_unit must be finite and > 0, got {sec!r}")
        self._fit_columns(X, self._columns(), "Higuchi features")
        return self

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        return [*map(str, self.feature_names_in_), *self._added()]

    def transform(self, X: Table) -> pd.DataFrame:
        from nanomed.molecular.solubility import aqueous_solubility_gse
        from nanomed.release.matrix import higuchi_clock

        df = self._transform_frame(X, self._columns())
        rules = {
            self.time_column: (None, ">= 0"),
            self.surface_to_volume_column: (_positive, "> 0"),
            self.loading_column: (lambda a: (a >= 0) & (a <= 1), "in [0, 1]"),
            self.initial_ratio_column: (None, ">= 0"),
            self.melting_point_column: (lambda a: (a > -273.15) & (a < 1000), "in (-273.15, 1000)"),
            self.logp_column: (lambda a: (a >= -10) & (a <= 15), "in [-10, 15]"),
            self.molar_mass_column: (_positive, "> 0"),
        }
        v = {col: _column(df, col, rule, text) for col, (rule, text) in rules.items()}
        log_s = aqueous_solubility_gse(v[self.melting_point_column], v[self.logp_column])
        solubility = 10.0**log_s * v[self.molar_mass_column]  # mol/L × g/mol = mg/cm³
        ratio = v[self.initial_ratio_column]
        fraction = np.where(v[self.loading_column] > 0, v[self.loading_column], ratio / (1 + ratio))
        if not (fraction > 0).all():
            i = int(np.flatnonzero(fraction <= 0)[0])
            raise DataError(
                f"row {i}: {self.loading_column} and {self.initial_ratio_column} are both 0 "
                "(no drug load for the Higuchi clock)"
            )
        load = fraction * self.matrix_density_g_cm3 * 1000.0  # mg/cm³
        out = df.copy()
        out["higuchi_clock"] = higuchi_clock(
            v[self.time_column], v[self.surface_to_volume_column], solubility, load
        )
        if self.diffusivity_column is not None:
            log_d = df[self.diffusivity_column].to_numpy(float)  # NaN: not estimated
            with np.errstate(divide="ignore"):  # t = 0: F = 0, log -inf
                log_clock = np.log10(out["higuchi_clock"].to_numpy(float))
            log_f = log_clock + 0.5 * (log_d + np.log10(self.seconds_per_time_unit))
            out["log_higuchi_fraction"] = np.maximum(log_f, -30.0)  # t = 0: a finite floor
        return out


#: polymers that the materials library lacks, with the library polymer standing in for them (its
#: hydrolysis rate, its Hansen parameters and Tg): the same backbone chemistry or class, a nanomed
#: choice (guess) for lack of measured values. Allyl-functional lactide/valerolactone copolymers
#: (Bannigan 2023) take their main monomer's polymer; poly(δ-valerolactone) and poly(ester
#: amide)s, slowly hydrolysing aliphatic polyesters/amides, take PCL's. Names starting "PLGA"
#: are PLGA.
POLYMER_STAND_INS: dict[str, str] = {"PLA-co-PALA": "PLA", "PVL-co-PAVL": "PCL", "PEA": "PCL"}


def _library_polymer(name: str, prop: str) -> str | None:
    """The library polymer (with property ``prop``) that stands for ``name``; any case."""
    from nanomed.materials import materials

    have = {n.casefold(): n for n, m in materials().items() if prop in m.properties}
    key = name.strip().casefold()
    key = "plga" if key.startswith("plga") else key
    stand_ins = {k.casefold(): v.casefold() for k, v in POLYMER_STAND_INS.items()}
    return have.get(stand_ins.get(key, key))


def _known_polymers(prop: str) -> list[str]:
    """Polymer names that :func:`_library_polymer` resolves for ``prop`` (for error messages)."""
    from nanomed.materials import materials

    lib = sorted(n for n, m in materials().items() if prop in m.properties and n != "PLGA")
    return ["PLGA*", *lib, *(k for k, v in POLYMER_STAND_INS.items() if v in lib)]


class HydrolysisFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Replace the polymer's name by its hydrolysis clock: the chain scissions by the row's time.

    Ester hydrolysis of a degradable polyester is first order in the ester bonds, so the molar
    mass falls as M_w(t) = M_w0·exp(−k_h t) (Pitt & Gu, J Control Release 4:283, 1987; Siepmann &
    Göpferich, Adv Drug Deliv Rev 48:229, 2001) and erosion-controlled release starts once it
    drops below a critical value. Added column ``hydrolysis_extent`` = k_h·t = ln(M_w0/M_w(t))
    [-]; the polymer column is dropped (the model sees numbers only).

    k_h at pH 7.4, 37 °C: PLGA (names starting "PLGA") from its lactide:glycolide ratio,
    :func:`nanomed.release.erosion.hydrolysis_rate_from_la_ga`; other polymers from the materials
    library (``hydrolysis_rate_1_per_day``; PLA, PCL), directly or through :data:`STAND_INS`.
    All these rates are order-of-magnitude values (guesses, as the library says).

    Parameters
    ----------
    polymer_column : str
        Polymer name of each row.
    la_ga_column : str
        Lactide:glycolide ratio (used for the PLGA family, >= 1).
    time_column : str
        Time (>= 0) in ``time_unit``.
    time_unit : str
        Unit of the time column (pint).

    Examples
    --------
    >>> df = pd.DataFrame({"Time": [10.0], "Polymer": ["PCL"], "LA/GA": [0.0]})
    >>> HydrolysisFeatures().fit_transform(df)  # PCL: k_h 0.002/day (library)
       Time  LA/GA  hydrolysis_extent
    0  10.0    0.0               0.02
    """

    #: polymers without a library rate and the library polymer whose rate they take
    #: (:data:`POLYMER_STAND_INS`)
    STAND_INS: ClassVar[dict[str, str]] = POLYMER_STAND_INS

    def __init__(
        self,
        polymer_column: str = "Polymer",
        la_ga_column: str = "LA/GA",
        time_column: str = "Time",
        time_unit: str = "day",
    ) -> None:
        self.polymer_column = polymer_column
        self.la_ga_column = la_ga_column
        self.time_column = time_column
        self.time_unit = time_unit

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        from nanomed.core.units import convert

        convert(1.0, self.time_unit, "h")  # an unknown unit is refused here, not at transform
        cols = [self.polymer_column, self.la_ga_column, self.time_column]
        self._fit_columns(X, cols, "hydrolysis features")
        return self

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        kept = [str(c) for c in self.feature_names_in_ if c != self.polymer_column]
        return [*kept, "hydrolysis_extent"]

    def _rate_per_hour(self, polymer: str, la_ga: float, row: int) -> float:
        from nanomed.materials import get_material
        from nanomed.release.erosion import hydrolysis_rate_from_la_ga

        if polymer.casefold().startswith("plga"):
            try:
                return hydrolysis_rate_from_la_ga(float(la_ga))
            except InputError as exc:
                raise DataError(f"row {row}: {polymer}: {exc}") from None
        name = _library_polymer(polymer, "hydrolysis_rate_1_per_day")
        if name is None:
            raise DataError(
                f"row {row}: {self.polymer_column} {polymer!r} has no hydrolysis rate "
                f"(known, any case: {', '.join(_known_polymers('hydrolysis_rate_1_per_day'))})"
            )
        return float(get_material(name).properties["hydrolysis_rate_1_per_day"].value) / 24.0

    def transform(self, X: Table) -> pd.DataFrame:
        from nanomed.core.units import convert

        df = self._transform_frame(X, [self.polymer_column, self.la_ga_column, self.time_column])
        t = _column(df, self.time_column)
        polymers = _text(df, self.polymer_column)
        la_ga = pd.to_numeric(df[self.la_ga_column], errors="coerce").to_numpy(dtype=float)
        rates: dict[tuple[str, float], float] = {}
        k = np.empty(len(df))
        for i, key in enumerate(zip(polymers, la_ga, strict=True)):
            if key not in rates:
                rates[key] = self._rate_per_hour(*key, row=i)
            k[i] = rates[key]
        out = df.drop(columns=self.polymer_column)
        out["hydrolysis_extent"] = k * t * convert(1.0, self.time_unit, "h")
        return out


class MolecularFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Replace the drug's structure by the molecular scale's drug–polymer compatibility.

    For each (drug, polymer, polymer molar mass) the molecular scale
    (:func:`nanomed.molecular.molecular_profile`, fast estimates) gives:

    - ``chi``: the Flory–Huggins interaction parameter from Hansen solubility parameters (drug by
      Hoftyzer–Van Krevelen group contribution; Lindvig, Michelsen & Kontogeorgis, Fluid Phase
      Equilib 203:247, 2002), and ``chi_excess`` = χ − χ_c (χ_c the critical value of the
      polymer's chain length; > 0: drug and polymer demix);
    - ``log_loading_capacity``: log10 of the drug mass fraction the polymer dissolves
      (Flory–Huggins coexistence with the amorphous drug);
    - ``log_partition``: log10 of the polymer/water partition coefficient (octanol/water log P
      transferred with Flory–Huggins activity coefficients);
    - ``log_d_matrix``: log10 of the drug diffusivity in the polymer [cm²/s] (Fujita free
      volume about the polymer's Tg).

    All are order-of-magnitude estimates resting on guessed polymer parameters (the profile flags
    them). The polymer is matched to the materials library as in :class:`HydrolysisFeatures`
    (:data:`POLYMER_STAND_INS`). A salt or hydrate is reduced to its parent molecule (largest
    fragment). A drug with a group the contribution method lacks (e.g. a sulfone) gets NaN
    features, with a warning naming it: tree models take NaN as missing.

    Parameters
    ----------
    smiles_column : str
        Drug structure (SMILES) of each row; dropped from the output.
    polymer_column : str
        Polymer name of each row; dropped unless ``keep_polymer``.
    polymer_mw_column : str or None
        Polymer molar mass [g/mol] (None: the library's 30 kg/mol guess).
    temperature : float
        Temperature [K], 250-400.
    keep_polymer : bool
        Keep the polymer column (for a later featuriser that reads it).

    Examples
    --------
    >>> df = pd.DataFrame({"Drug_SMILES": ["CC(=O)Nc1ccc(O)cc1"], "Polymer": ["PLGA"],
    ...                    "Polymer_MW": [30000.0]})
    >>> out = MolecularFeatures().fit_transform(df)
    >>> list(out.columns)
    ['Polymer_MW', 'chi', 'chi_excess', 'log_loading_capacity', 'log_partition', 'log_d_matrix']
    """

    _ADDED = ("chi", "chi_excess", "log_loading_capacity", "log_partition", "log_d_matrix")

    def __init__(
        self,
        smiles_column: str = "Drug_SMILES",
        polymer_column: str = "Polymer",
        polymer_mw_column: str | None = "Polymer_MW",
        temperature: float = 310.15,
        keep_polymer: bool = False,
    ) -> None:
        self.smiles_column = smiles_column
        self.polymer_column = polymer_column
        self.polymer_mw_column = polymer_mw_column
        self.temperature = temperature
        self.keep_polymer = keep_polymer

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        if not 250.0 <= float(self.temperature) <= 400.0:
            raise InputError(f"temperature: {self.temperature!r} K outside 250-400")
        cols = [self.smiles_column, self.polymer_column]
        cols += [self.polymer_mw_column] if self.polymer_mw_column else []
        self._fit_columns(X, cols, "molecular features")
        return self

    def _dropped(self) -> list[str]:
        return [self.smiles_column] + ([] if self.keep_polymer else [self.polymer_column])

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        kept = [str(c) for c in self.feature_names_in_ if c not in self._dropped()]
        return [*kept, *self._ADDED]

    def _profile(self, smiles: str, polymer: str, mw: float | None, row: int) -> list[float]:
        from rdkit import Chem
        from rdkit.Chem.MolStandardize import rdMolStandardize
        from rdkit.rdBase import BlockLogs

        from nanomed.molecular import molecular_profile

        carrier = _library_polymer(polymer, "hansen_MPa05")
        if carrier is None:
            raise DataError(
                f"row {row}: {self.polymer_column} {polymer!r} has no Hansen parameters "
                f"(known, any case: {', '.join(_known_polymers('hansen_MPa05'))})"
            )
        with BlockLogs():  # the error below says it in one line; RDKit's log would repeat it
            mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise DataError(f"row {row}: {self.smiles_column}={smiles!r} is not a valid SMILES")
        parent = Chem.MolToSmiles(rdMolStandardize.LargestFragmentChooser().choose(mol))
        try:
            p = molecular_profile(parent, carrier, temperature=self.temperature, polymer_mw=mw)
        except ModelError:  # a group the contribution method lacks
            return [np.nan] * len(self._ADDED)
        except InputError as exc:  # e.g. an element the estimates do not cover
            raise DataError(f"row {row}: {self.smiles_column}={smiles!r}: {exc}") from None
        return [
            p["chi"].value,
            p["chi"].value - p["chi_critical"].value,
            float(np.log10(p["loading_mass_fraction"].value)),
            p["log_partition"].value,
            float(np.log10(p["d_matrix"].value)),
        ]

    def transform(self, X: Table) -> pd.DataFrame:
        need = [self.smiles_column, self.polymer_column]
        need += [self.polymer_mw_column] if self.polymer_mw_column else []
        df = self._transform_frame(X, need)
        smiles = _text(df, self.smiles_column)
        polymers = _text(df, self.polymer_column)
        mws: Any = (
            _column(df, self.polymer_mw_column, lambda v: v > 0, "> 0 g/mol")
            if self.polymer_mw_column
            else [None] * len(df)
        )
        cache: dict[tuple[str, str, float | None], list[float]] = {}
        rows = []
        for i, key in enumerate(zip(smiles, polymers, mws, strict=True)):
            if key not in cache:
                cache[key] = self._profile(*key, row=i)
            rows.append(cache[key])
        for smiles_i in sorted({k[0] for k, v in cache.items() if np.isnan(v[0])}):
            # one message per drug, so that the default filter shows it once per session
            warnings.warn(
                f"molecular features: no group-contribution estimate for {smiles_i} "
                "(its rows get NaN)",
                UserWarning,
                stacklevel=2,
            )
        out = df.drop(columns=self._dropped())
        added = pd.DataFrame(rows, columns=list(self._ADDED), index=df.index, dtype=float)
        return pd.concat([out, added], axis=1)


class LogTimeFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Replace the row's time t by ln(t + t₀): release curves are smooth in log time.

    Empirical release laws are straight or sigmoid in log time: Korsmeyer-Peppas is linear in
    ln t, the Weibull function is linear in ln t after a double log of 1 − F (Langenbucher,
    J Pharm Pharmacol 24:979, 1972), and sampling schedules of release studies are near
    geometric (hours, then days, then weeks). A kernel model with one length scale per input
    (a Gaussian process) can only use that if time enters on that scale. The offset t₀ keeps
    t = 0 finite; its default, one hour (1/24 day), is a stated choice of the order of the first
    sampling times in the bundled release data, not a fitted or published value.

    Parameters
    ----------
    time_column : str
        Column of the time (t >= 0), replaced in place.
    offset : float
        t₀ [same unit as the time] (> 0).

    Examples
    --------
    >>> LogTimeFeatures(offset=1.0).fit_transform(pd.DataFrame({"Time": [0.0, np.e - 1]}))
       Time
    0   0.0
    1   1.0
    """

    def __init__(self, time_column: str = "Time", offset: float = 1.0 / 24.0) -> None:
        self.time_column = time_column
        self.offset = offset

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        if not (np.isfinite(self.offset) and self.offset > 0):
            raise InputError(f"offset must be finite and > 0, got {self.offset!r}")
        self._fit_columns(X, [self.time_column], "log-time features")
        return self

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        return [*map(str, self.feature_names_in_)]

    def transform(self, X: Table) -> pd.DataFrame:
        df = self._transform_frame(X, [self.time_column])
        t = _column(df, self.time_column)
        out = df.copy()
        out[self.time_column] = np.log(t + self.offset)
        return out


#: empirical laws fitted by ReleaseCurveFeatures: name -> (fixed parameters, added parameters)
_CURVE_LAWS: dict[str, tuple[dict[str, float], tuple[str, ...]]] = {
    "weibull": ({"f_max": 1.0, "t_lag": 0.0}, ("td", "beta")),
    "first_order": ({"f_max": 1.0, "t_lag": 0.0}, ("k",)),
    "higuchi": ({"t_lag": 0.0}, ("kH",)),
    "korsmeyer_peppas": ({"t_lag": 0.0}, ("n",)),
}


class ReleaseCurveFeatures(_ParamsOnlyState, TransformerMixin, BaseEstimator):
    """Append the predictions of release laws fitted to each row's early points (physics features).

    For each distinct set of early points (f(0.25 d), f(0.5 d), f(1 d) in the Bannigan set), every
    law in ``laws`` is fitted by least squares to those points plus the origin (F(0) = 0) with the
    batched engine of :mod:`nanomed.release.lm`; the added columns are ``<law>_at_t`` =
    clip(F_law(time), 0, 1), the law's extrapolation to the row's time, and the law's shape
    parameters (``weibull_log_td``, ``weibull_beta``, ``first_order_log_k``, ``higuchi_kH``,
    ``korsmeyer_peppas_n``). Only the row's own inputs are used (never the target), so the features
    are valid few-shot inputs. Laws: Weibull (Langenbucher 1972), first order (Gibaldi & Feldman
    1967), Higuchi (1961), Korsmeyer-Peppas (Korsmeyer et al. 1983), as in DDSolver (Zhang et al.,
    AAPS J 12:263, 2010).

    Parameters
    ----------
    early_columns : list of str
        Columns holding the fraction released at ``early_times``.
    early_times : list of float
        Times of those points, in the unit of ``time_column``.
    time_column : str
        Column of the time at which release is predicted.
    laws : list of str
        Names among ``weibull``, ``first_order``, ``higuchi``, ``korsmeyer_peppas``.
    parameters : bool
        Also add the fitted shape parameters.

    Examples
    --------
    >>> df = pd.DataFrame({"T=0.25": [0.1], "T=0.5": [0.19], "T=1.0": [0.34], "Time": [4.0]})
    >>> out = ReleaseCurveFeatures(laws=["first_order"]).fit_transform(df)
    >>> bool(0.75 < out["first_order_at_t"].iloc[0] < 0.85)  # k ~ ln(1/0.66) per day
    True
    """

    def __init__(
        self,
        early_columns: Sequence[str] = ("T=0.25", "T=0.5", "T=1.0"),
        early_times: Sequence[float] = (0.25, 0.5, 1.0),
        time_column: str = "Time",
        laws: Sequence[str] = ("weibull", "first_order", "higuchi", "korsmeyer_peppas"),
        parameters: bool = True,
    ) -> None:
        self.early_columns = early_columns
        self.early_times = early_times
        self.time_column = time_column
        self.laws = laws
        self.parameters = parameters

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        if len(self.early_columns) != len(self.early_times) or len(self.early_times) < 2:
            raise InputError("early_columns and early_times must have the same length (>= 2)")
        unknown = [law for law in self.laws if law not in _CURVE_LAWS]
        if unknown:
            raise InputError(f"unknown laws {unknown} (known: {', '.join(_CURVE_LAWS)})")
        self._fit_columns(X, [*self.early_columns, self.time_column], "release curve features")
        return self

    def _added(self) -> list[str]:
        names = [f"{law}_at_t" for law in self.laws]
        if self.parameters:
            for law in self.laws:
                names += [
                    f"{law}_log_{p}" if p in ("td", "k") else f"{law}_{p}"
                    for p in _CURVE_LAWS[law][1]
                ]
        return names

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        check_is_fitted(self)
        return [*map(str, self.feature_names_in_), *self._added()]

    def _fit_laws(self, early: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Fitted full parameter vectors of each law, one row per row of ``early`` (checked by
        :func:`_early_points`)."""
        from nanomed.release.empirical import EMPIRICAL_MODELS
        from nanomed.release.lm import Profiles, fit_group

        unique, inverse = np.unique(early, axis=0, return_inverse=True)
        t = np.r_[0.0, np.asarray(self.early_times, dtype=float)]
        prof = Profiles(
            [str(i) for i in range(len(unique))],
            np.tile(t, (len(unique), 1)),
            np.column_stack([np.zeros(len(unique)), unique]),
            np.ones((len(unique), len(t))),
            np.ones((len(unique), len(t)), dtype=bool),
        )
        thetas = {}
        for law in self.laws:
            fixed = _CURVE_LAWS[law][0]
            model = EMPIRICAL_MODELS[law]()
            fit = fit_group(
                model, fixed, prof, n_starts=1, rng=np.random.default_rng(0), max_iter=200
            )
            theta = np.tile([model.values[n] for n in model.param_names()], (len(unique), 1))
            theta[[int(i) for i in fit.ids]] = fit.theta
            thetas[law] = theta[np.ravel(inverse)]
        return thetas

    def transform(self, X: Table) -> pd.DataFrame:
        from nanomed.release.empirical import EMPIRICAL_MODELS

        df = self._transform_frame(X, [*self.early_columns, self.time_column])
        early = _early_points(df, self.early_columns)
        t = _column(df, self.time_column)
        out = df.copy()
        thetas = self._fit_laws(early) if len(df) else {law: np.empty((0, 4)) for law in self.laws}
        for law in self.laws:
            f = _law_at(EMPIRICAL_MODELS[law], t, thetas[law])
            out[f"{law}_at_t"] = np.clip(f, 0.0, 1.0)
        if self.parameters:
            for law in self.laws:
                names = EMPIRICAL_MODELS[law].param_names()
                for p in _CURVE_LAWS[law][1]:
                    v = thetas[law][:, names.index(p)]
                    key = f"{law}_log_{p}" if p in ("td", "k") else f"{law}_{p}"
                    out[key] = np.log(np.maximum(v, 1e-12)) if p in ("td", "k") else v
        return out


def _law_at(model: Any, t: NDArray[np.float64], theta: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each row's law evaluated at its own time: F(t_i | theta_i)."""
    return np.asarray(model.function(t[:, None], theta)[:, 0], dtype=float)


#: RDKit descriptor functions by output name (all from rdkit.Chem.Descriptors / rdMolDescriptors)
_RDKIT_DESCRIPTORS = (
    "MolWt",
    "TPSA",
    "HeavyAtomCount",
    "MolLogP",
    "NumHDonors",
    "NumHAcceptors",
    "NumRotatableBonds",
    "FractionCSP3",
)


class DrugDescriptors(TransformerMixin, BaseEstimator):
    """Replace a SMILES column by RDKit descriptors (MolWt [g/mol], TPSA [Å²], Crippen logP, …).

    Parameters
    ----------
    smiles_column : str
        Column of SMILES strings.
    descriptors : list of str
        Names of functions in ``rdkit.Chem.Descriptors``.
    keep_smiles : bool
        Keep the SMILES column in the output (default: drop it).
    """

    def __init__(
        self,
        smiles_column: str = "smiles",
        descriptors: Sequence[str] = _RDKIT_DESCRIPTORS,
        keep_smiles: bool = False,
    ) -> None:
        self.smiles_column = smiles_column
        self.descriptors = descriptors
        self.keep_smiles = keep_smiles

    def fit(self, X: Table, y: ArrayLike | None = None) -> Self:
        df = _as_frame(X)
        if self.smiles_column not in df:
            raise DataError(f"SMILES column {self.smiles_column!r} not in the table")
        from rdkit.Chem import Descriptors

        unknown = [d for d in self.descriptors if not hasattr(Descriptors, d)]
        if unknown:
            raise InputError(f"unknown RDKit descriptors {unknown}")
        self.feature_names_in_ = np.asarray(list(df.columns), dtype=object)
        self.n_features_in_ = df.shape[1]
        return self

    def transform(self, X: Table) -> pd.DataFrame:
        check_is_fitted(self)
        from rdkit import Chem, RDLogger
        from rdkit.Chem import Descriptors

        RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]  # absent from rdkit-stubs
        df = _as_frame(X, self.feature_names_in_)
        _require(df, [self.smiles_column])
        cache: dict[str, list[float]] = {}
        rows = []
        for i, smi in enumerate(_text(df, self.smiles_column)):
            if smi not in cache:
                mol = Chem.MolFromSmiles(smi)
                if mol is None:
                    raise DataError(f"row {i}: {self.smiles_column}={smi!r} is not a valid SMILES")
                cache[smi] = [float(getattr(Descriptors, d)(mol)) for d in self.descriptors]
            rows.append(cache[smi])
        desc = pd.DataFrame(rows, columns=[f"drug_{d}" for d in self.descriptors], index=df.index)
        base = df if self.keep_smiles else df.drop(columns=[self.smiles_column])
        return pd.concat([base, desc], axis=1)
