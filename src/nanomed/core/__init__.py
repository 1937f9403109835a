"""What every scale shares: units, parameters, errors, results, citations."""

from nanomed.core.citations import citations, cite
from nanomed.core.errors import (
    DataError,
    InputError,
    ModelError,
    NanomedError,
    ParameterError,
    SolverError,
)
from nanomed.core.parameter import Parameter, ParameterSet
from nanomed.core.results import Result, atomic_write
from nanomed.core.units import convert, parse_quantity, ureg

__all__ = [
    "DataError",
    "InputError",
    "ModelError",
    "NanomedError",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "Result",
    "SolverError",
    "atomic_write",
    "citations",
    "cite",
    "convert",
    "parse_quantity",
    "ureg",
]
