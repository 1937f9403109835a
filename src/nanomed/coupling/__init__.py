"""Coupling: the bridges between scales and the multiscale run."""

from nanomed.coupling.bridges import BridgeRecord, release_bridge
from nanomed.coupling.multiscale import (
    MultiscaleResult,
    MultiscaleSimulation,
    run_scenarios,
    simulate,
)
from nanomed.coupling.report import run_report

__all__ = [
    "BridgeRecord",
    "MultiscaleResult",
    "MultiscaleSimulation",
    "release_bridge",
    "run_report",
    "run_scenarios",
    "simulate",
]
