"""Checks that every model of a registry must pass, for contributors and for the test suite.

Like scikit-learn's ``check_estimator`` and Gymnasium's ``check_env``: a plug-in release model can be
checked with :func:`check_release_model` before it is registered. Each failed check raises an
``AssertionError`` that names the model and what is wrong.
"""

from __future__ import annotations

import math

import numpy as np

from nanomed.core.units import ureg
from nanomed.release.base import ReleaseModel
from nanomed.release.environment import ENVIRONMENTS

__all__ = ["check_release_model"]


def check_release_model(model: ReleaseModel, horizon: float | None = None) -> None:
    """Check the contract of a release model.

    * it has a name and a reference, and every parameter has a pint-readable unit, a reference
      and a default inside its bounds;
    * in every named environment, ``fraction_released`` is finite, within [0, 1] and
      non-decreasing in time, and ``release_rate`` is finite and non-negative;
    * ``with_values`` returns a model with the new value and leaves the original unchanged.

    Parameters
    ----------
    model : ReleaseModel
        An instance (default parameters are fine).
    horizon : float, optional
        Last time checked [``model.time_unit``]; default 1000 h expressed in the model's unit.
    """
    name = model.name or type(model).__name__
    assert model.name, f"{type(model).__name__}: no registry name"
    assert model.reference, f"{name}: no reference for its equations"
    for p in model.parameters.values_list():
        try:
            ureg.Unit(p.unit)
        except Exception as exc:  # pint raises several types
            raise AssertionError(
                f"{name}: parameter {p.name} has an unreadable unit {p.unit!r}"
            ) from exc
        assert p.ref, f"{name}: parameter {p.name} has no reference"
        p.check(p.value)  # raises ParameterError when out of bounds
    if horizon is None:
        horizon = float(ureg.Quantity(1000.0, "h").to(model.time_unit).magnitude)
    t = np.concatenate([[0.0], np.geomspace(horizon * 1e-6, horizon, 200)])
    for env in ENVIRONMENTS:
        f = model.fraction_released(t, env)
        assert f.shape == t.shape, f"{name}: fraction_released changed the shape of t"
        assert np.all(np.isfinite(f)), f"{name}: non-finite fraction released in {env}"
        assert np.all((f >= 0) & (f <= 1)), f"{name}: fraction outside [0, 1] in {env}"
        assert np.all(np.diff(f) >= -1e-9), f"{name}: fraction released decreases in {env}"
        rate = model.release_rate(t[1:], env)
        assert np.all(np.isfinite(rate)), f"{name}: non-finite release rate in {env}"
        assert np.all(rate >= 0), f"{name}: negative release rate in {env}"
    params = model.parameters.values_list()
    if not params:
        return
    first = params[0]
    lo, hi = first.bounds
    new = first.value * 0.5 if first.value != 0 else 0.5
    if (lo is None or new >= lo) and (hi is None or new <= hi) and math.isfinite(new):
        other = model.with_values(**{first.name: new})
        assert other.values[first.name] == new, f"{name}: with_values did not set {first.name}"
        assert model.values[first.name] == first.value, f"{name}: with_values changed the original"
