"""Empirical release models: the DDSolver set, written once as vectorised functions.

Every model here is a :class:`EmpiricalModel`: it declares its parameters and one vectorised
``function(t, theta)`` (``t`` of shape ``(n,)`` or ``(batch, n)``, ``theta`` of shape
``(batch, n_params)``, result ``(batch, n)``), which both :meth:`fraction_released` and the batched
fitting engine (:mod:`nanomed.release.lm`) call. The equations follow the DDSolver add-in
(Zhang Y, Huo M, Zhou J, et al., "DDSolver: an add-in program for modeling and comparison of drug
dissolution profiles", AAPS J 12:263-271, 2010) and the original papers cited on each model.

Conventions (see docs/release/empirical.md):

- ``F`` is the cumulative *fraction* released (0-1), ``t`` the time in the model's ``time_unit``
  (empirical models are unit-agnostic: the fitting engine sets it to the unit of the data).
- Every model takes an optional lag time ``t_lag`` (``t -> max(t - t_lag, 0)``) and the models that
  reach a plateau take an optional plateau ``f_max`` (``F -> f_max * F``). Both are held fixed
  (``t_lag = 0``, ``f_max = 1``) unless freed: ``"weibull+lag+fmax"`` in a model spec.
- ``f_max`` may reach 1.2: measured curves overshoot 100 % by assay error (the bundled Bannigan set
  reaches 1.07). :meth:`fraction_released` clips to [0, 1] for the other scales; the fitting engine
  uses the unclipped ``function``.
- Scale parameters are written as times (``td`` in ``time_unit``) rather than DDSolver's
  ``alpha = td**beta``, so that every parameter has a readable unit.

User-defined models (a Python callable or a safe expression) are made in
:mod:`nanomed.release.custom`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ModelError, ParameterError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.release.base import (
    ReleaseModel,
    get_release_model,
    register_release_model,
)
from nanomed.release.environment import Environment

__all__ = [
    "EMPIRICAL_MODELS",
    "EmpiricalModel",
    "empirical_model_names",
    "model_table",
    "parse_model_spec",
]

DDSOLVER = (
    "Zhang Y, Huo M, Zhou J, Zou A, Li W, Yao C, Xie S. DDSolver: an add-in program for modeling "
    "and comparison of drug dissolution profiles. AAPS J 12:263-271 (2010)"
)
cite("Zhang2010", DDSOLVER)
_DDS = "DDSolver (Zhang et al., AAPS J 12:263, 2010)"
# Sources of individual parameters, written out (Parameter.ref is shown as is in tables)
KORSMEYER = "Korsmeyer et al., Int J Pharm 15:25 (1983)"
RITGER = "Ritger & Peppas, J Control Release 5:23 (1987)"
PEPPAS_SAHLIN = "Peppas & Sahlin, Int J Pharm 57:169 (1989)"
HOPFENBERG = "Hopfenberg, in Controlled Release Polymeric Formulations, ACS Symp Ser 33:26 (1976)"
GIBALDI_PERRIER = "Gibaldi & Perrier, Pharmacokinetics, 2nd ed., Marcel Dekker (1982)"

#: short option names accepted in model specs ("weibull+lag+fmax")
OPTION_ALIASES = {"lag": "t_lag", "fmax": "f_max"}

_RATE_BOUNDS = (0.0, None)
_FIT_BOUND = "fitting range chosen for nanomed (no physical limit implied)"


def _rate(name: str, unit: str, desc: str, ref: str = "Zhang2010") -> Parameter:
    return Parameter(name, 0.1, unit, _RATE_BOUNDS, ref=ref, guess=True, description=desc)


def _time_scale(name: str = "td", desc: str = "time scale") -> Parameter:
    return Parameter(name, 1.0, "{t}", (0.0, None), ref="Zhang2010", guess=True, description=desc)


def _shape_exponent(
    name: str = "beta", desc: str = "shape exponent", hi: float = 10.0
) -> Parameter:
    return Parameter(
        name,
        1.0,
        "dimensionless",
        (0.0, hi),
        ref="Zhang2010",
        guess=True,
        description=f"{desc}; upper bound {hi:g} is a {_FIT_BOUND}",
    )


def _fraction(name: str, value: float, desc: str, model_ref: str) -> Parameter:
    """A weight in [0, 1] whose default is an arbitrary starting value for fitting (a guess)."""
    return Parameter(
        name,
        value,
        "dimensionless",
        (0.0, 1.0),
        ref=f"starting value chosen by nanomed, not a literature value (model: {model_ref})",
        guess=True,
        description=f"{desc}; default {value:g} is an arbitrary starting value",
    )


T_LAG = Parameter(
    "t_lag",
    0.0,
    "{t}",
    (0.0, None),
    ref="Zhang2010",
    description="lag time before release starts (fixed at 0 unless freed with '+lag')",
)
F_MAX = Parameter(
    "f_max",
    1.0,
    "dimensionless",
    (0.0, 1.2),
    ref="Zhang2010",
    description="plateau fraction released (fixed at 1 unless freed with '+fmax'); "
    "bound 1.2 allows assay overshoot",
)


class EmpiricalModel(ReleaseModel):
    """Base class of empirical release models (vectorised, unit-agnostic).

    Subclasses set ``name``, ``reference``, ``equation``, ``core_specs`` (the shape parameters,
    whose units may use the templates ``{t}`` for the time unit and ``{name}`` for another
    parameter's value) and implement :meth:`shape` (the curve without lag and plateau).

    Parameters
    ----------
    time_unit : str, optional
        Unit of ``t`` (default ``"h"``; the fitting engine uses the unit of the data).
    free : iterable of str, optional
        Parameters fixed by default (``t_lag``, ``f_max``, model-specific ones) to let free when
        fitting; aliases ``"lag"`` and ``"fmax"`` are accepted.
    **values : float
        Parameter values overriding the defaults.

    Examples
    --------
    >>> m = get_release_model("first_order", k=0.5)
    >>> round(float(m.fraction_released([2.0])[0]), 4)
    0.6321
    """

    equation: ClassVar[str] = ""
    core_specs: ClassVar[tuple[Parameter, ...]] = ()
    #: whether the curve tends to a plateau, so that an ``f_max`` factor is meaningful
    plateau: ClassVar[bool] = False
    #: DDSolver convention: fit only points with F <= this (Korsmeyer-Peppas: 0.6)
    fit_max_fraction: ClassVar[float | None] = None
    #: shape parameters held fixed by default (e.g. Hopfenberg's geometry exponent)
    default_fixed_core: ClassVar[tuple[str, ...]] = ()
    #: shape exponents that must be > 0: with 0, t**0 = 1 releases at t = 0 (bounds say (0, hi])
    exponents: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs = list(cls.core_specs)
        if cls.plateau:
            specs.append(F_MAX)
        specs.append(T_LAG)
        cls.param_specs = tuple(specs)

    def __init__(
        self, *, time_unit: str | None = None, free: Iterable[str] = (), **values: float
    ) -> None:
        super().__init__(time_unit=time_unit, **values)
        self.check_positive(self.values)
        names = set(self.parameters)
        freed = set()
        for opt in free:
            pname = OPTION_ALIASES.get(opt, opt)
            if pname not in self.default_fixed:
                aliases = [a for a, p in OPTION_ALIASES.items() if p in self.default_fixed]
                known = sorted([*self.default_fixed, *aliases]) or ["none"]
                raise InputError(
                    f"{self.name}: option {opt!r} does not apply (free-able: {', '.join(known)})"
                    if pname in names or opt in OPTION_ALIASES
                    else f"{self.name}: unknown option {opt!r} (free-able: {', '.join(known)})"
                )
            freed.add(pname)
        self.free = frozenset(freed)
        self._format_units()

    def check_positive(self, values: Mapping[str, Any]) -> None:
        """Raise :class:`ParameterError` if a time scale or a shape exponent in ``values`` is 0.

        A time scale of 0 makes t/td = 0/0 (NaN) at t = 0, an exponent of 0 makes F(0) > 0.
        """
        for spec in self.param_specs:
            scale = spec.unit == "{t}" and spec.name != "t_lag"
            if (scale or spec.name in self.exponents) and spec.name in values:
                v = float(values[spec.name])
                if not v > 0:
                    unit = f" {self.time_unit}" if scale else ""
                    raise ParameterError(f"{spec.name}: must be > 0{unit}, got {v:g}")

    # -- declared behaviour ----------------------------------------------------------------------
    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Curve without lag and plateau: ``t`` broadcastable to (batch, n), ``theta`` (batch, p)."""
        raise NotImplementedError

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Starting values of the core parameters, (P, n_core), from linearisations of the data.

        ``t``, ``f``, ``mask`` are (P, n) padded arrays (``mask`` marks real points). The default
        returns the declared defaults; subclasses override with closed-form estimates.
        """
        return np.tile([p.value for p in cls.core_specs], (t.shape[0], 1)).astype(float)

    # -- derived -------------------------------------------------------------------------------
    @classmethod
    def param_names(cls) -> list[str]:
        """Names of all parameters (core, ``f_max`` if any, ``t_lag``) in ``theta`` order."""
        return [p.name for p in cls.param_specs]

    @property
    def default_fixed(self) -> dict[str, float]:
        """Parameters held fixed by default, with their default values."""
        fixed = {n: p.value for n, p in self.parameters.items() if n in self.default_fixed_core}
        if self.plateau:
            fixed["f_max"] = 1.0
        fixed["t_lag"] = 0.0
        return fixed

    @property
    def fixed(self) -> dict[str, float]:
        """Parameters held fixed when fitting (default-fixed ones not freed), current values."""
        return {n: self.values[n] for n in self.default_fixed if n not in self.free}

    @property
    def spec(self) -> str:
        """Model spec string, e.g. ``"weibull+fmax"`` (round-trips through :func:`parse_model_spec`)."""
        inverse = {v: k for k, v in OPTION_ALIASES.items()}
        opts = sorted(inverse.get(n, n) for n in self.free)
        return "+".join([self.name, *opts])

    @classmethod
    def function(cls, t: Any, theta: Any) -> np.ndarray:
        """Fraction released for a batch of parameter sets: (batch, n), unclipped.

        Parameters
        ----------
        t : array, shape (n,) or (batch, n)
            Times [``time_unit``].
        theta : array, shape (batch, n_params)
            Parameter values in :meth:`param_names` order.
        """
        t = np.asarray(t, dtype=float)
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        n_core = len(cls.core_specs)
        lag = theta[:, -1:]
        tt = np.maximum(t - lag, 0.0)
        with np.errstate(all="ignore"):
            f = cls.shape(tt, theta[:, :n_core])
            if cls.plateau:
                f = theta[:, n_core : n_core + 1] * f
        return np.broadcast_to(f, np.broadcast_shapes(f.shape, tt.shape))

    def _fraction(self, t: np.ndarray, p: dict[str, float], env: Environment) -> np.ndarray:
        theta = np.array([[p[n] for n in self.param_names()]])
        return self.function(t.ravel(), theta)[0].reshape(t.shape)

    def with_values(self, **values: float) -> EmpiricalModel:
        """Return a copy with some parameter values replaced (units follow the values)."""
        new = super().with_values(**values)
        assert isinstance(new, EmpiricalModel)
        new.check_positive(values)
        new._format_units()
        return new

    def units_for(self, values: Mapping[str, float]) -> list[str]:
        """Units of the parameters (in order) for given values (exponent units follow them)."""
        fmt = {k: f"{v:.4g}" for k, v in values.items()}
        return [spec.unit.format(t=self.time_unit, **fmt) for spec in self.param_specs]

    def _format_units(self) -> None:
        units = self.units_for(self.values)
        self.parameters = ParameterSet(
            replace(p, unit=u) for p, u in zip(self.parameters.values_list(), units, strict=True)
        )


_EMPIRICAL: dict[str, type[EmpiricalModel]] = {}


def _register(cls: type[EmpiricalModel]) -> type[EmpiricalModel]:
    register_release_model(cls)
    _EMPIRICAL[cls.name] = cls
    return cls


def _masked_through_origin(x: np.ndarray, y: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Least-squares slope of y = b x through the origin, per row, over ``ok`` points."""
    num = np.sum(np.where(ok, x * y, 0.0), axis=1)
    den = np.sum(np.where(ok, x * x, 0.0), axis=1)
    with np.errstate(all="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _masked_line(x: np.ndarray, y: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope and intercept of y = a + b x per row over ``ok`` points (NaN if < 2)."""
    n = ok.sum(axis=1)
    with np.errstate(all="ignore"):
        xm = np.sum(np.where(ok, x, 0.0), axis=1) / np.maximum(n, 1)
        ym = np.sum(np.where(ok, y, 0.0), axis=1) / np.maximum(n, 1)
        dx = np.where(ok, x - xm[:, None], 0.0)
        dy = np.where(ok, y - ym[:, None], 0.0)
        sxx = np.sum(dx * dx, axis=1)
        slope = np.where(
            (n >= 2) & (sxx > 0), np.sum(dx * dy, axis=1) / np.maximum(sxx, 1e-300), np.nan
        )
    return slope, ym - slope * xm


def _safe_times(t: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A typical positive time per row (median of positive times), for fall-back guesses."""
    tpos = np.where(mask & (t > 0), t, np.nan)
    with np.errstate(all="ignore"):
        med = np.nanmedian(np.where(np.all(np.isnan(tpos), axis=1)[:, None], 1.0, tpos), axis=1)
    return np.where(np.isfinite(med) & (med > 0), med, 1.0)


def _fill(
    x: np.ndarray, fallback: np.ndarray | float, lo: float = 1e-12, hi: float = 1e12
) -> np.ndarray:
    """Replace NaN/out-of-range guesses by a fall-back value."""
    x = np.asarray(x, dtype=float)
    fb = np.broadcast_to(fallback, x.shape)
    return np.where(np.isfinite(x) & (x > lo) & (x < hi), x, fb)


def _weibull_linearisation(
    t: np.ndarray, f: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ln(-ln(1-F)) = beta ln t - beta ln td on points with 0.02 < F < 0.98: (td, beta)."""
    ok = mask & (t > 0) & (f > 0.02) & (f < 0.98)
    with np.errstate(all="ignore"):
        x = np.log(np.where(ok, t, 1.0))
        y = np.log(-np.log1p(-np.where(ok, f, 0.5)))
    beta, icpt = _masked_line(x, y, ok)
    beta = np.clip(_fill(beta, 1.0), 0.05, 9.0)
    with np.errstate(all="ignore"):
        td = np.exp(-icpt / beta)
    return _fill(td, _safe_times(t, mask)), beta


# ---------------------------------------------------------------------------------------------
# the DDSolver set
# ---------------------------------------------------------------------------------------------


@_register
class ZeroOrder(EmpiricalModel):
    """Zero-order release, F = k0 t.

    Constant release rate, e.g. reservoir systems or osmotic pumps (Costa P, Sousa Lobo JM.
    Modeling and comparison of dissolution profiles. Eur J Pharm Sci 13:123-133, 2001; DDSolver
    model "Zero-order", Zhang et al. 2010).
    """

    name = "zero_order"
    reference = "Costa & Sousa Lobo, Eur J Pharm Sci 13:123 (2001); " + _DDS
    equation = "F = k0 * t"
    core_specs = (_rate("k0", "1/{t}", "zero-order release rate (fraction per time)"),)

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return theta[:, 0:1] * t

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        k = _masked_through_origin(t, f, mask)
        return _fill(k, 0.5 / np.max(np.where(mask, t, 0), axis=1).clip(1e-12))[:, None]


@_register
class FirstOrder(EmpiricalModel):
    """First-order release, F = 1 - exp(-k t).

    Gibaldi M, Feldman S. Establishment of sink conditions in dissolution rate determinations.
    J Pharm Sci 56:1238-1242 (1967); Wagner JG. Interpretation of percent dissolved-time plots
    derived from in vitro testing of conventional tablets and capsules. J Pharm Sci 58:1253 (1969).
    """

    name = "first_order"
    reference = "Gibaldi & Feldman, J Pharm Sci 56:1238 (1967); " + _DDS
    equation = "F = 1 - exp(-k * t)"
    plateau = True
    core_specs = (_rate("k", "1/{t}", "first-order release rate constant"),)

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return -np.expm1(-theta[:, 0:1] * t)

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & (f < 0.95) & (f > 0)
        with np.errstate(all="ignore"):
            y = -np.log1p(-np.where(ok, f, 0.0))
        k = _masked_through_origin(t, y, ok)
        return _fill(k, 1.0 / _safe_times(t, mask))[:, None]


@_register
class Higuchi(EmpiricalModel):
    """Higuchi square-root-of-time release, F = kH sqrt(t).

    Higuchi T. Rate of release of medicaments from ointment bases containing drugs in suspension.
    J Pharm Sci 50:874-875 (1961); Higuchi T. J Pharm Sci 52:1145-1149 (1963). Strictly valid only
    for the first part of the curve (planar matrix, drug load >> solubility, perfect sink; Siepmann
    & Peppas, Int J Pharm 418:6, 2011); like DDSolver nanomed fits it to all points given.
    """

    name = "higuchi"
    reference = "Higuchi, J Pharm Sci 50:874 (1961); " + _DDS
    equation = "F = kH * t**0.5"
    core_specs = (_rate("kH", "{t}**-0.5", "Higuchi release constant"),)

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return theta[:, 0:1] * np.sqrt(t)

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        k = _masked_through_origin(np.sqrt(np.maximum(t, 0)), f, mask)
        return _fill(k, 0.1)[:, None]


@_register
class KorsmeyerPeppas(EmpiricalModel):
    """Korsmeyer-Peppas power law, F = k t**n, fitted on points with F <= 0.6.

    Korsmeyer RW, Gurny R, Doelker E, Buri P, Peppas NA. Mechanisms of solute release from porous
    hydrophilic polymers. Int J Pharm 15:25-35 (1983); Ritger PL, Peppas NA. J Control Release
    5:23-36 (1987) (the exponent n: 0.43 Fickian, 0.85 case II for spheres). Valid for the first
    60 % of release only, so it is fitted on those points (DDSolver convention) and not ranked
    against whole-curve models.
    """

    name = "korsmeyer_peppas"
    reference = "Korsmeyer et al., Int J Pharm 15:25 (1983); " + _DDS
    equation = "F = k * t**n   (points with F <= 0.6)"
    fit_max_fraction = 0.6
    exponents = ("n",)
    core_specs = (
        Parameter(
            "k",
            0.1,
            "{t}**-{n}",
            (0.0, None),
            ref=KORSMEYER,
            guess=True,
            description="release constant [time**-n]",
        ),
        Parameter(
            "n",
            0.5,
            "dimensionless",
            (0.0, 2.0),
            ref=RITGER,
            guess=True,
            description="release exponent (diffusional mechanism); upper bound 2 is a "
            + _FIT_BOUND,
        ),
    )

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return theta[:, 0:1] * t ** theta[:, 1:2]

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & (t > 0) & (f > 0)
        with np.errstate(all="ignore"):
            n, a = _masked_line(np.log(np.where(ok, t, 1)), np.log(np.where(ok, f, 1)), ok)
        n = np.clip(_fill(n, 0.5), 0.05, 1.9)
        k = _fill(np.exp(a), 0.1)
        return np.column_stack([k, n])


@_register
class HixsonCrowell(EmpiricalModel):
    """Hixson-Crowell cube-root law, F = 1 - (1 - kHC t)**3 (F = 1 once kHC t >= 1).

    Hixson AW, Crowell JH. Dependence of reaction velocity upon surface and agitation.
    Ind Eng Chem 23:923-931 (1931): dissolving particles of shrinking surface area.
    """

    name = "hixson_crowell"
    reference = "Hixson & Crowell, Ind Eng Chem 23:923 (1931); " + _DDS
    equation = "F = 1 - (1 - kHC * t)**3"
    plateau = True
    core_specs = (_rate("kHC", "1/{t}", "Hixson-Crowell constant"),)

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return 1.0 - np.maximum(1.0 - theta[:, 0:1] * t, 0.0) ** 3

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & (f < 0.99)
        y = 1.0 - np.cbrt(1.0 - np.clip(f, 0.0, 0.99))
        return _fill(_masked_through_origin(t, y, ok), 0.3 / _safe_times(t, mask))[:, None]


@_register
class Weibull(EmpiricalModel):
    """Weibull function, F = 1 - exp(-(t/td)**beta) (optional lag and plateau).

    Langenbucher F. Linearization of dissolution rate curves by the Weibull distribution.
    J Pharm Pharmacol 24:979-981 (1972); interpretation of beta in Papadopoulou V, Kosmidis K,
    Vlachou M, Macheras P. Int J Pharm 309:44-50 (2006). DDSolver writes 1 - exp(-t**beta/alpha);
    here alpha = td**beta.
    """

    name = "weibull"
    reference = "Langenbucher, J Pharm Pharmacol 24:979 (1972); " + _DDS
    equation = "F = 1 - exp(-(t/td)**beta)"
    plateau = True
    exponents = ("beta",)
    core_specs = (_time_scale("td", "time to release 63.2 % of f_max"), _shape_exponent())

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return -np.expm1(-((t / theta[:, 0:1]) ** theta[:, 1:2]))

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.column_stack(_weibull_linearisation(t, f, mask))


@_register
class BakerLonsdale(EmpiricalModel):
    """Baker-Lonsdale sphere matrix, 3/2 [1 - (1 - F)**(2/3)] - F = kBL t.

    Baker RW, Lonsdale HK. Controlled release: mechanisms and rates. In: Tanquary AC, Lacey RE
    (eds) Controlled Release of Biologically Active Agents, Plenum, pp 15-71 (1974). The implicit
    equation is solved in closed form: with u = (1 - F)**(1/3), u**3 - 3/2 u**2 + 1/2 - kBL t = 0,
    whose root on [0, 1] is u = 1/2 + cos(arccos(4 kBL t - 1)/3 - 2 pi/3); F = 1 once kBL t >= 1/2.
    Like Higuchi it assumes drug load >> solubility, so it describes the early part best.
    """

    name = "baker_lonsdale"
    reference = (
        "Baker & Lonsdale (1974), in Controlled Release of Biologically Active Agents; " + _DDS
    )
    equation = "3/2 * (1 - (1 - F)**(2/3)) - F = kBL * t"
    plateau = True
    core_specs = (_rate("kBL", "1/{t}", "Baker-Lonsdale constant"),)

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        x = np.clip(theta[:, 0:1] * t, 0.0, 0.5)
        u = 0.5 + np.cos(np.arccos(4.0 * x - 1.0) / 3.0 - 2.0 * np.pi / 3.0)
        return 1.0 - np.clip(u, 0.0, 1.0) ** 3

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        fc = np.clip(f, 0.0, 0.99)
        y = 1.5 * (1.0 - (1.0 - fc) ** (2.0 / 3.0)) - fc
        k = _masked_through_origin(t, y, mask & (f < 0.99))
        return _fill(k, 0.1 / _safe_times(t, mask))[:, None]


@_register
class PeppasSahlin(EmpiricalModel):
    """Peppas-Sahlin, F = k1 t**m + k2 t**(2m) (Fickian + relaxational contributions).

    Peppas NA, Sahlin JJ. A simple equation for the description of solute release. III. Coupling
    of diffusion and relaxation. Int J Pharm 57:169-172 (1989). k2 may be negative (DDSolver).
    """

    name = "peppas_sahlin"
    reference = "Peppas & Sahlin, Int J Pharm 57:169 (1989); " + _DDS
    equation = "F = k1 * t**m + k2 * t**(2*m)"
    exponents = ("m",)
    core_specs = (
        Parameter(
            "k1",
            0.1,
            "{t}**-{m}",
            (0.0, None),
            ref=PEPPAS_SAHLIN,
            guess=True,
            description="Fickian (diffusional) constant",
        ),
        Parameter(
            "k2",
            0.0,
            "{t}**(-2*{m})",
            (None, None),
            ref=f"{PEPPAS_SAHLIN}; bounds open on purpose (fitted k2 may be negative, DDSolver)",
            guess=True,
            description="relaxational (case II) constant; bounds open on purpose: fitted k2 "
            "may be negative (DDSolver)",
        ),
        Parameter(
            "m",
            0.45,
            "dimensionless",
            (0.0, 1.0),
            ref=PEPPAS_SAHLIN,
            guess=True,
            description="Fickian diffusion exponent (0.43-0.5 by geometry); bound 1 is a "
            + _FIT_BOUND,
        ),
    )

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        tm = t ** theta[:, 2:3]
        return theta[:, 0:1] * tm + theta[:, 1:2] * tm * tm

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        m = 0.45
        x1 = np.where(mask, np.maximum(t, 0) ** m, 0.0)
        x2 = x1 * x1
        a11, a12, a22 = (x1 * x1).sum(1), (x1 * x2).sum(1), (x2 * x2).sum(1)
        b1, b2 = (x1 * f * mask).sum(1), (x2 * f * mask).sum(1)
        det = a11 * a22 - a12 * a12
        with np.errstate(all="ignore"):
            k1 = (a22 * b1 - a12 * b2) / det
            k2 = (a11 * b2 - a12 * b1) / det
        k1 = _fill(k1, 0.1)
        k2 = np.where(np.isfinite(k2), k2, 0.0)
        return np.column_stack([k1, k2, np.full_like(k1, m)])


@_register
class Hopfenberg(EmpiricalModel):
    """Hopfenberg surface erosion, F = 1 - (1 - kHB t)**n (n = 1 slab, 2 cylinder, 3 sphere).

    Hopfenberg HB. Controlled release from erodible slabs, cylinders, and spheres. In: Paul DR,
    Harris FW (eds) Controlled Release Polymeric Formulations, ACS Symp Ser 33:26-32 (1976).
    kHB = k0 / (C0 a0) (erosion rate / (loading x radius)). With n = 3 (spheres) the equation is
    the Hixson-Crowell form, so the library fits n within [1, 3] as a shape parameter; hold it
    with ``fixed={"n": 3}`` for a strict sphere.
    """

    name = "hopfenberg"
    reference = "Hopfenberg, ACS Symp Ser 33:26 (1976); " + _DDS
    equation = "F = 1 - (1 - kHB * t)**n"
    plateau = True
    core_specs = (
        _rate("kHB", "1/{t}", "erosion constant k0/(C0 a0)", ref=HOPFENBERG),
        Parameter(
            "n",
            3.0,
            "dimensionless",
            (1.0, 3.0),
            ref=HOPFENBERG,
            description="geometry exponent: 1 slab, 2 cylinder, 3 sphere",
        ),
    )

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return 1.0 - np.maximum(1.0 - theta[:, 0:1] * t, 0.0) ** theta[:, 1:2]

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        k = HixsonCrowell.guess(t, f, mask)[:, 0]
        return np.column_stack([k, np.full_like(k, 2.0)])


@_register
class Gompertz(EmpiricalModel):
    """Gompertz function in log-time, F = exp(-(t/td)**(-beta)).

    Gompertz B. On the nature of the function expressive of the law of human mortality.
    Phil Trans R Soc Lond 115:513-583 (1825); as a dissolution model in DDSolver and in Costa &
    Sousa Lobo (2001), written there as Fmax exp(-alpha exp(beta log t)) with beta < 0; here
    alpha = td**beta with beta > 0 so that td is a time.
    """

    name = "gompertz"
    reference = "Gompertz, Phil Trans R Soc 115:513 (1825); " + _DDS
    equation = "F = exp(-(t/td)**(-beta))"
    plateau = True
    exponents = ("beta",)
    core_specs = (_time_scale("td", "time to release 1/e (36.8 %) of f_max"), _shape_exponent())

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        x = np.maximum(t, 1e-300) / theta[:, 0:1]
        return np.where(t > 0, np.exp(-(x ** -theta[:, 1:2])), 0.0)

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & (t > 0) & (f > 0.02) & (f < 0.98)
        with np.errstate(all="ignore"):
            y = np.log(-np.log(np.where(ok, f, 0.5)))
            b, a = _masked_line(np.log(np.where(ok, t, 1.0)), y, ok)
        beta = np.clip(_fill(-b, 1.0), 0.05, 9.0)
        with np.errstate(all="ignore"):
            td = np.exp(a / beta)
        return np.column_stack([_fill(td, _safe_times(t, mask)), beta])


@_register
class Logistic(EmpiricalModel):
    """Logistic function in log-time (log-logistic), F = (t/td)**beta / (1 + (t/td)**beta).

    As in DDSolver and Costa & Sousa Lobo (2001): Fmax e**(a + b log t) / (1 + e**(a + b log t)),
    here with beta = b and td = exp(-a/b) (time to release half of f_max). Origin of the logistic
    function: Verhulst PF, Corresp Math Phys 10:113-121 (1838).
    """

    name = "logistic"
    reference = "Costa & Sousa Lobo, Eur J Pharm Sci 13:123 (2001); " + _DDS
    equation = "F = (t/td)**beta / (1 + (t/td)**beta)"
    plateau = True
    exponents = ("beta",)
    core_specs = (_time_scale("td", "time to release half of f_max"), _shape_exponent())

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        x = (t / theta[:, 0:1]) ** theta[:, 1:2]
        return x / (1.0 + x)

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & (t > 0) & (f > 0.02) & (f < 0.98)
        with np.errstate(all="ignore"):
            fc = np.where(ok, f, 0.5)
            b, a = _masked_line(np.log(np.where(ok, t, 1.0)), np.log(fc / (1 - fc)), ok)
        beta = np.clip(_fill(b, 1.0), 0.05, 9.0)
        with np.errstate(all="ignore"):
            td = np.exp(-a / beta)
        return np.column_stack([_fill(td, _safe_times(t, mask)), beta])


@_register
class Biexponential(EmpiricalModel):
    """Burst + sustained: F = a (1 - exp(-k_fast t)) + (1 - a)(1 - exp(-k_slow t)).

    The sum of two parallel first-order processes (a fast, 'burst' fraction a and a slow
    remainder), the biexponential function of two-compartment kinetics (Gibaldi M, Perrier D.
    Pharmacokinetics, 2nd ed., Marcel Dekker, 1982). Not a DDSolver model: no single original
    paper. Fitted results are ordered so that k_fast >= k_slow.
    """

    name = "biexponential"
    reference = "Gibaldi & Perrier, Pharmacokinetics, 2nd ed. (1982): sum of two first-order terms"
    equation = "F = a*(1 - exp(-k_fast*t)) + (1 - a)*(1 - exp(-k_slow*t))"
    plateau = True
    core_specs = (
        _fraction("a", 0.3, "burst (fast) fraction of f_max", GIBALDI_PERRIER),
        _rate("k_fast", "1/{t}", "rate constant of the burst phase", ref=GIBALDI_PERRIER),
        _rate("k_slow", "1/{t}", "rate constant of the sustained phase", ref=GIBALDI_PERRIER),
    )

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        a = theta[:, 0:1]
        return a * -np.expm1(-theta[:, 1:2] * t) + (1 - a) * -np.expm1(-theta[:, 2:3] * t)

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        k = FirstOrder.guess(t, f, mask)[:, 0]
        return np.column_stack([np.full_like(k, 0.3), 5.0 * k, 0.3 * k])

    @classmethod
    def canonical(cls, theta: np.ndarray) -> np.ndarray:
        """Swap the two phases where needed so that k_fast >= k_slow (same curve)."""
        theta = theta.copy()
        swap = theta[:, 1] < theta[:, 2]
        theta[swap, 0] = 1.0 - theta[swap, 0]
        theta[swap, 1], theta[swap, 2] = theta[swap, 2], theta[swap, 1].copy()
        return theta


@_register
class DoubleWeibull(EmpiricalModel):
    """Double Weibull: F = a W(t; td1, beta1) + (1 - a) W(t; td2, beta2), W = 1 - exp(-(t/td)**beta).

    Two Weibull phases (Langenbucher 1972) weighted by a; the 'Double Weibull' dissolution model
    of Phoenix IVIVC (Certara, model 603). Fitted results are ordered so that td1 <= td2.
    """

    name = "double_weibull"
    reference = "Langenbucher, J Pharm Pharmacol 24:979 (1972); Phoenix IVIVC model 603 (Certara)"
    equation = "F = a*(1 - exp(-(t/td1)**beta1)) + (1 - a)*(1 - exp(-(t/td2)**beta2))"
    plateau = True
    exponents = ("beta1", "beta2")
    core_specs = (
        _fraction(
            "a",
            0.4,
            "fraction of f_max released by the first (faster) phase",
            "Langenbucher 1972; Phoenix IVIVC model 603",
        ),
        _time_scale("td1", "time scale of the first phase"),
        _shape_exponent("beta1", "shape exponent of the first phase"),
        _time_scale("td2", "time scale of the second phase"),
        _shape_exponent("beta2", "shape exponent of the second phase"),
    )

    @classmethod
    def shape(cls, t: np.ndarray, theta: np.ndarray) -> np.ndarray:
        a = theta[:, 0:1]
        w1 = -np.expm1(-((t / theta[:, 1:2]) ** theta[:, 2:3]))
        w2 = -np.expm1(-((t / theta[:, 3:4]) ** theta[:, 4:5]))
        return a * w1 + (1 - a) * w2

    @classmethod
    def guess(cls, t: np.ndarray, f: np.ndarray, mask: np.ndarray) -> np.ndarray:
        td, beta = _weibull_linearisation(t, f, mask)
        a = np.full_like(td, 0.4)
        return np.column_stack([a, td / 5.0, beta, td * 3.0, beta])

    @classmethod
    def canonical(cls, theta: np.ndarray) -> np.ndarray:
        """Swap the two phases where needed so that td1 <= td2 (same curve)."""
        theta = theta.copy()
        swap = theta[:, 1] > theta[:, 3]
        theta[swap, 0] = 1.0 - theta[swap, 0]
        first = theta[swap][:, [1, 2]].copy()
        theta[np.ix_(swap, [1, 2])] = theta[swap][:, [3, 4]]
        theta[np.ix_(swap, [3, 4])] = first
        return theta


#: the built-in empirical models, name -> class
EMPIRICAL_MODELS: Mapping[str, type[EmpiricalModel]] = _EMPIRICAL


def empirical_model_names() -> list[str]:
    """Names of the built-in empirical models, in declaration order."""
    return list(_EMPIRICAL)


def parse_model_spec(spec: str | ReleaseModel, *, time_unit: str | None = None) -> ReleaseModel:
    """Turn ``"name[+option...]"`` (or a model instance) into a model instance.

    Options free parameters that are fixed by default: ``lag`` (``t_lag``), ``fmax`` (``f_max``)
    or any other default-fixed parameter by name. Mechanistic models take no options.

    Examples
    --------
    >>> m = parse_model_spec("weibull+fmax", time_unit="day")
    >>> m.spec, sorted(m.fixed)
    ('weibull+fmax', ['t_lag'])
    """
    if isinstance(spec, ReleaseModel):
        if time_unit is not None and isinstance(spec, EmpiricalModel):
            new = spec.with_values()
            new.time_unit = time_unit
            new._format_units()
            return new
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"model spec must be a non-empty string, got {spec!r}")
    name, *opts = [s.strip() for s in spec.strip().split("+")]
    model = get_release_model(name) if name not in _EMPIRICAL else None
    if model is not None and not isinstance(model, EmpiricalModel):
        if opts:
            raise InputError(f"{name}: options {'+'.join(opts)!r} only apply to empirical models")
        if time_unit is not None:
            model.time_unit = time_unit
        return model
    cls = _EMPIRICAL[name] if model is None else type(model)
    return cls(time_unit=time_unit, free=opts)


class _KeepKeys(dict):
    def __missing__(self, key: str) -> str:
        return key


def display_unit(template: str, time_unit: str = "time") -> str:
    """A unit template (``"{t}**-{n}"``) written for people: ``"time**-n"``."""
    return template.format_map(_KeepKeys(t=time_unit))


def model_table() -> list[dict[str, str]]:
    """One row per registered release model: name, kind, equation, parameters, reference."""
    from nanomed.release.base import _REGISTRY, available_release_models

    rows = []
    for name in available_release_models():
        cls = _REGISTRY[name]
        specs = getattr(cls, "param_specs", ())
        params = ", ".join(f"{p.name} [{display_unit(p.unit)}]" for p in specs)
        doc = (cls.__doc__ or "").strip().splitlines()
        rows.append(
            {
                "name": name,
                "kind": "empirical"
                if isinstance(cls, type) and issubclass(cls, EmpiricalModel)
                else "mechanistic",
                "equation": getattr(cls, "equation", "") or (doc[0] if doc else ""),
                "parameters": params,
                "reference": getattr(cls, "reference", ""),
            }
        )
    if not rows:
        raise ModelError("no release models registered")
    return rows
