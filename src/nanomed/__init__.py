"""nanomed: multiscale, AI-assisted modelling of nanoparticle drug delivery.

The public API is curated here; everything else lives in the scale subpackages
(:mod:`nanomed.release`, :mod:`nanomed.organ`, ...).
"""

from nanomed._version import __version__
from nanomed.core import (
    DataError,
    InputError,
    ModelError,
    NanomedError,
    Parameter,
    ParameterError,
    ParameterSet,
    Result,
    SolverError,
    citations,
    ureg,
)
from nanomed.schema import (
    Carrier,
    Dosing,
    Drug,
    Formulation,
    ReleaseSpec,
    Scenario,
    Subject,
    Tumour,
)

# heavy entry points, imported on first use so that `import nanomed` and the CLI start fast
_LAZY = {
    "simulate": ("nanomed.coupling", "simulate"),
    "MultiscaleSimulation": ("nanomed.coupling", "MultiscaleSimulation"),
    "simulate_organ": ("nanomed.organ", "simulate_organ"),
    "get_release_model": ("nanomed.release", "get_release_model"),
    "fit_model": ("nanomed.release.fitting", "fit_model"),
    "fit_library": ("nanomed.release.fitting", "fit_library"),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'nanomed' has no attribute {name!r}")


__all__ = [
    "Carrier",
    "DataError",
    "Dosing",
    "Drug",
    "Formulation",
    "InputError",
    "ModelError",
    "MultiscaleSimulation",
    "NanomedError",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "ReleaseSpec",
    "Result",
    "Scenario",
    "SolverError",
    "Subject",
    "Tumour",
    "__version__",
    "citations",
    "fit_library",
    "fit_model",
    "get_release_model",
    "simulate",
    "simulate_organ",
    "ureg",
]
