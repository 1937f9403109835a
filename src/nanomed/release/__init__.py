"""Release scale: empirical and mechanistic models of drug release from nanocarriers."""

# importing the model modules registers their models
from nanomed.release import desorption, diffusion, empirical, erosion, liposome  # noqa: F401
from nanomed.release.base import (
    ReleaseModel,
    available_release_models,
    get_release_model,
    register_release_model,
)
from nanomed.release.environment import ENVIRONMENTS, Environment, get_environment

__all__ = [
    "ENVIRONMENTS",
    "Environment",
    "ReleaseModel",
    "available_release_models",
    "get_environment",
    "get_release_model",
    "register_release_model",
]
