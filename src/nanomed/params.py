"""Named parameter sets, listed and shown by ``nanomed params list|show NAME``.

A parameter set is anything that yields a :class:`~nanomed.core.ParameterSet`: the physiology of a
species (Brown 1997), the generic nano-PBPK particle parameters (Chou 2023), the defaults of every
registered release model, the Simeoni PD model. Every row carries its unit, bounds, reference and
guess flag, so that a user can see where each number comes from.
"""

from __future__ import annotations

from collections.abc import Callable

from nanomed.core.errors import InputError
from nanomed.core.parameter import ParameterSet

__all__ = ["available_parameter_sets", "get_parameter_set"]


def _sources() -> dict[str, Callable[[], ParameterSet]]:
    from nanomed.organ.nanopbpk import get_nano_parameters
    from nanomed.organ.pd import SimeoniTGI
    from nanomed.organ.physiology import available_physiologies, get_physiology
    from nanomed.release import available_release_models, get_release_model

    out: dict[str, Callable[[], ParameterSet]] = {}
    for name in available_physiologies():
        out[f"physiology/{name}"] = lambda n=name: get_physiology(n).parameters()
    out["nano/chou2023"] = lambda: get_nano_parameters().parameters()
    out["pd/simeoni"] = lambda: ParameterSet(SimeoniTGI.param_specs)
    for name in available_release_models():
        out[f"release/{name}"] = lambda n=name: get_release_model(n).parameters
    return out


def available_parameter_sets() -> list[str]:
    """Names of every parameter set (``physiology/mouse``, ``release/weibull`` ...)."""
    return sorted(_sources())


def get_parameter_set(name: str) -> ParameterSet:
    """The parameter set ``name``; unknown names raise a one-line :class:`InputError`."""
    sources = _sources()
    if name not in sources:
        raise InputError(
            f"unknown parameter set {name!r} (see `nanomed params list`; e.g. physiology/mouse)"
        )
    return sources[name]()
