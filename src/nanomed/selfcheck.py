"""Installation self-check (``nanomed check``), like OpenMM's ``testInstallation``.

Each check runs a tiny case whose answer is known and reports pass/fail with a one-line detail;
optional dependencies are reported as present (with version) or missing, not as failures.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["CheckResult", "run_checks"]

#: optional packages by the extra that installs them
OPTIONAL = {
    "rdkit": "chem",
    "tblite": "qm",
    "openmm": "md",
    "sklearn": "ml",
    "lightgbm": "ml",
    "torch": "dl",
}


@dataclass
class CheckResult:
    """Outcome of one check."""

    name: str
    ok: bool
    detail: str
    seconds: float


def _units() -> str:
    from nanomed.core.units import convert, parse_quantity

    assert parse_quantity("0.1 um", "nm") == 100.0
    assert convert(2.0, "day", "h") == 48.0
    return "0.1 um = 100 nm, 2 day = 48 h"


def _crank() -> str:
    from nanomed.release import get_release_model

    # long-time limit of Crank eq. 6.20: 1 - F -> (6/pi²) exp(-pi² D t / a²)
    model = get_release_model("fickian_sphere", diffusivity=1e-14, radius=50.0)
    a2 = (50e-7) ** 2
    t_h = 0.5 * a2 / 1e-14 / 3600.0
    exact = 1.0 - 6.0 / np.pi**2 * np.exp(-(np.pi**2) * 0.5)
    got = float(model.fraction_released(t_h))
    assert abs(got - exact) < 1e-6, (got, exact)
    return f"F(Dt/a² = 0.5) = {got:.6f} (series limit {exact:.6f})"


def _organ() -> str:
    from nanomed.organ import simulate_organ
    from nanomed.schema import Scenario

    sc = Scenario.from_dict(
        {
            "formulation": {"carrier": {"material": "gold", "hydrodynamic_diameter": "30 nm"}},
            "dosing": {"dose": "1 mg/kg"},
            "duration": "24 h",
        }
    )
    err = float(simulate_organ(sc).mass_balance()["relative_error"].abs().max())
    assert err <= 1e-6, err
    return f"mouse nano-PBPK, 24 h, CVODE: mass-balance error {err:.1e}"


def _check(name: str, func: Callable[[], str]) -> CheckResult:
    start = time.perf_counter()
    try:
        detail, ok = func(), True
    except Exception as exc:  # a self-check reports every failure, whatever its type
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return CheckResult(name, ok, detail, time.perf_counter() - start)


def _distribution_version(module: str) -> str:
    """The installed distribution's version, for modules without ``__version__`` (tblite)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"


def _optional(module: str, extra: str) -> CheckResult:
    start = time.perf_counter()
    try:
        mod = importlib.import_module(module)
        detail = f"version {getattr(mod, '__version__', None) or _distribution_version(module)}"
    except ImportError:
        detail = f"not installed (pip install 'nanomed[{extra}]')"
    # optional packages never fail the check
    return CheckResult(f"optional: {module}", True, detail, time.perf_counter() - start)


def run_checks() -> list[CheckResult]:
    """Run every check and return the results (nothing raised)."""
    results = [
        _check("units (pint)", _units),
        _check("release: Crank series", _crank),
        _check("organ: mass balance", _organ),
    ]
    results += [_optional(m, e) for m, e in OPTIONAL.items()]
    return results
