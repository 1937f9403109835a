"""Release scale: empirical and mechanistic models of drug release from nanocarriers.

Models (``get_release_model(name, **values)`` or the classes below) give the fraction released
``fraction_released(t, environment)``; measured curves are read with :func:`read_release_curves`,
fitted with :func:`fit_model` (one profile) or :func:`fit_library` (many profiles and models), and
compared with the FDA/EMA similarity factors :func:`f1`, :func:`f2`. User-defined empirical models
are made in :mod:`nanomed.release.custom`.
"""

# importing the model modules registers their models
from nanomed.release import desorption, diffusion, empirical, erosion, liposome  # noqa: F401
from nanomed.release.base import (
    ReleaseModel,
    available_release_models,
    get_release_model,
    register_release_model,
)
from nanomed.release.curves import ReleaseCurves, read_release_curves
from nanomed.release.desorption import LangmuirDesorption
from nanomed.release.diffusion import FickianSphere
from nanomed.release.distribution import LogNormalSize
from nanomed.release.environment import ENVIRONMENTS, Environment, get_environment
from nanomed.release.erosion import PLGAErosion
from nanomed.release.fit_results import FitResult, LibraryFit
from nanomed.release.fitting import fit_library, fit_model
from nanomed.release.liposome import LiposomePermeation
from nanomed.release.similarity import bootstrap_f2, compare_profiles, f1, f2

__all__ = [
    "ENVIRONMENTS",
    "Environment",
    "FickianSphere",
    "FitResult",
    "LangmuirDesorption",
    "LibraryFit",
    "LiposomePermeation",
    "LogNormalSize",
    "PLGAErosion",
    "ReleaseCurves",
    "ReleaseModel",
    "available_release_models",
    "bootstrap_f2",
    "compare_profiles",
    "f1",
    "f2",
    "fit_library",
    "fit_model",
    "get_environment",
    "get_release_model",
    "read_release_curves",
    "register_release_model",
]
