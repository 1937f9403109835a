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

__all__ = [
    "Carrier",
    "DataError",
    "Dosing",
    "Drug",
    "Formulation",
    "InputError",
    "ModelError",
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
    "ureg",
]
