"""Every registered release model loads by name and passes the model contract (STYLE §7)."""

import pytest

from nanomed.release import available_release_models, get_release_model
from nanomed.release.base import ReleaseModel
from nanomed.testing import check_release_model

MODELS = available_release_models()


def test_registry_holds_the_documented_models():
    assert len(MODELS) >= 17
    for name in ("weibull", "fickian_sphere", "plga_erosion", "liposome_permeation"):
        assert name in MODELS


@pytest.mark.parametrize("name", MODELS)
def test_every_registered_model_passes_the_contract(name):
    check_release_model(get_release_model(name))


def test_check_catches_a_broken_model():
    class Decreasing(ReleaseModel):
        name = "decreasing_for_test"
        reference = "none"

        def _fraction(self, t, p, env):
            return 1.0 / (1.0 + t)  # falls with time: not a release curve

    with pytest.raises(AssertionError, match="decreases"):
        check_release_model(Decreasing())
