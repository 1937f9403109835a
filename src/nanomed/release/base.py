"""The interface every release model shares, and the registry that finds models by name.

A release model *declares* its parameters (each a :class:`~nanomed.core.Parameter` with unit, bounds
and reference) and one vectorised function ``fraction_released(t, environment)``; it never runs a
time loop of its own that another scale could not reuse. Empirical models are written once as a
vectorised ``function(t, params)`` so that the fitting engine can evaluate many parameter sets at once.

Plug-ins register their own models under the entry-point group ``nanomed.release_models``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, ClassVar

import numpy as np

from nanomed.core.checks import as_numbers
from nanomed.core.errors import InputError, ModelError, ParameterError
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.release.environment import Environment, get_environment

__all__ = [
    "ReleaseModel",
    "available_release_models",
    "get_release_model",
    "register_release_model",
]


class ReleaseModel:
    """Base class of release models.

    Subclasses set ``name``, ``reference``, ``param_specs`` (default values, units, bounds, refs),
    ``time_unit`` (the unit of ``t`` in their formula, ``"h"`` unless the model says otherwise) and
    implement :meth:`_fraction` (vectorised over ``t``).

    Parameters
    ----------
    time_unit : str, optional
        Unit of the times passed to :meth:`fraction_released` (default: the class's ``time_unit``).
    **values : float
        Parameter values overriding the defaults, each checked against its bounds.
    """

    name: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    param_specs: ClassVar[tuple[Parameter, ...]] = ()
    time_unit: str = "h"

    def __init__(self, *, time_unit: str | None = None, **values: float) -> None:
        if time_unit is not None:
            from nanomed.core.units import ureg

            try:  # the same check as reading release curves: "kg" is not a time
                ureg.Quantity(1, time_unit).to("s")
            except Exception:
                raise InputError(f"time unit {time_unit!r} is not a unit of time") from None
            self.time_unit = time_unit
        try:
            self.parameters = ParameterSet(self.param_specs).update(**values)
        except ParameterError as err:  # unit templates ("{t}": the time unit) read as units
            raise ParameterError(str(err).replace("{t}", self.time_unit)) from None

    @property
    def parameters(self) -> ParameterSet:
        """The model's parameters (values, units, bounds, references)."""
        return self._parameters

    @parameters.setter
    def parameters(self, value: ParameterSet) -> None:
        self._parameters = value
        # plain-float copy, read on every call inside ODE right-hand sides
        self._values = value.values()

    # -- to implement -------------------------------------------------------------------------
    def _fraction(self, t: np.ndarray, p: dict[str, float], env: Environment) -> np.ndarray:
        raise NotImplementedError

    # -- public ---------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, float]:
        """Parameter values as plain floats."""
        return self._values

    def _times(self, t: Any) -> np.ndarray:
        """Return ``t`` as a float array, or raise a one-line error if a time is negative or NaN."""
        t_arr = as_numbers(t, f"{self.name}: times")
        if np.any(t_arr < 0) or not np.all(np.isfinite(t_arr)):
            raise InputError(f"{self.name}: times must be finite and >= 0")
        return t_arr

    def with_values(self, **values: float) -> ReleaseModel:
        """Return a copy with some parameter values replaced."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.parameters = self.parameters.update(**values)
        return new

    def fraction_released(self, t: Any, environment: str | Environment | None = None) -> np.ndarray:
        """Cumulative fraction of the load released at times ``t`` [``time_unit``], in [0, 1]."""
        t_arr = self._times(t)
        f = self._fraction(t_arr, self.values, get_environment(environment))
        if np.isnan(f).any():  # a degenerate parameter set: never hand NaN on
            raise ParameterError(f"{self.describe()}: the fraction released is undefined")
        return np.clip(f, 0.0, 1.0)

    def release_rate(
        self, t: Any, environment: str | Environment | None = None, *, dt: float | None = None
    ) -> np.ndarray:
        """Hazard rate h(t) = f'(t) / (1 - f(t)) [1/``time_unit``] of the remaining load.

        The organ scale uses it as a time-varying first-order rate for the encapsulated drug, so that
        a carrier population of age ``t`` releases exactly the curve ``f``. Subclasses with a closed
        form override it; the default differentiates ``f`` numerically (central differences).
        """
        t_arr = self._times(t)
        if dt is not None:
            dt = float(as_numbers(dt, f"{self.name}: dt"))
            if not (np.isfinite(dt) and dt > 0):
                raise InputError(f"{self.name}: dt must be finite and > 0, got {dt!r}")
        h = dt if dt is not None else 1e-4 * max(float(np.max(t_arr, initial=1.0)), 1.0)
        lo = np.maximum(t_arr - h, 0.0)
        hi = t_arr + h
        df = self.fraction_released(hi, environment) - self.fraction_released(lo, environment)
        rate = df / (hi - lo)
        remaining = 1.0 - self.fraction_released(t_arr, environment)
        return np.where(remaining > 1e-12, rate / np.maximum(remaining, 1e-12), 0.0)

    def describe(self) -> str:
        """One line: model name, parameter values and units."""
        vals = ", ".join(f"{p.name}={p.value:.4g} {p.unit}" for p in self.parameters.values_list())
        return f"{self.name}({vals})"

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:.4g}" for k, v in self.values.items())
        return f"{type(self).__name__}({vals})"


_REGISTRY: dict[str, type[ReleaseModel] | Callable[..., ReleaseModel]] = {}


def register_release_model(cls: type[ReleaseModel]) -> type[ReleaseModel]:
    """Class decorator adding a model to the registry under ``cls.name``."""
    if not cls.name:
        raise ModelError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def _load_plugins() -> None:
    for ep in entry_points(group="nanomed.release_models"):
        if ep.name not in _REGISTRY:
            _REGISTRY[ep.name] = ep.load()


def _load_builtin() -> None:
    # importing the modules registers their models
    import nanomed.release  # noqa: F401


def available_release_models() -> list[str]:
    """Names of every registered release model (built-in and plug-ins)."""
    _load_builtin()
    _load_plugins()
    return sorted(_REGISTRY)


def get_release_model(name: str, **values: Any) -> ReleaseModel:
    """Instantiate a registered release model by name; unknown names raise :class:`InputError`."""
    _load_builtin()
    _load_plugins()
    if not isinstance(name, str) or name not in _REGISTRY:
        raise InputError(f"unknown release model {name!r} (known: {', '.join(sorted(_REGISTRY))})")
    return _REGISTRY[name](**values)
