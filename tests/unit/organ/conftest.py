import pytest
from organ_testing import FirstOrderRelease


@pytest.fixture
def release():
    return FirstOrderRelease(k=0.05, acid_factor=5.0)
