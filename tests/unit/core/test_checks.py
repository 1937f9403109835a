"""core.checks: text, None, NaN or a float count is refused naming the argument or field."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from nanomed.core.checks import as_integer, as_number, as_numbers, number_fields
from nanomed.core.errors import InputError


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: as_numbers("abc", "times"), "times: expected numbers"),
        (lambda: as_numbers([1.0, None, "x"], "times"), "times: expected numbers"),
        (lambda: as_numbers([1.0, np.nan], "times", finite=True), "times: must be finite"),
        (lambda: as_number([1.0, 2.0], "dose"), "dose: expected one number"),
        (lambda: as_number(np.inf, "dose"), "dose: must be finite"),
        (lambda: as_integer(2.5, "n_starts", 1), "n_starts must be an integer >= 1"),
        (lambda: as_integer(True, "n_starts", 1), "n_starts must be an integer"),
        (lambda: as_integer(np.nan, "seed", 0), "seed must be an integer"),
        (lambda: as_integer(2001, "n_shells", 4, 2000), "n_shells must be an integer in 4-2000"),
    ],
)
def test_bad_values_are_refused_by_name(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_good_values_come_back_as_python_numbers():
    assert as_numbers([1, 2], "t").tolist() == [1.0, 2.0]
    assert as_numbers([1.0, np.inf], "t").tolist() == [1.0, np.inf]  # inf allowed unless finite=
    assert as_number(np.float32(2.5), "x") == 2.5 and type(as_number(3, "x")) is float
    assert as_integer(3.0, "n", 1) == 3 and as_integer(np.int64(4), "n", 1, 4) == 4


@dataclass(frozen=True)
class _Thing:
    rate: float
    limit: float | None = None
    name: str = "x"

    def __post_init__(self) -> None:
        number_fields(self)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate": "2 uM"}, "rate: must be a number, got '2 uM'"),
        ({"rate": None}, "rate: must be a number, got None"),
        ({"rate": True}, "rate: must be a number, got True"),
        ({"rate": 1.0, "limit": "big"}, "limit: must be a number"),
    ],
)
def test_dataclass_number_fields_name_the_field(kwargs, match):
    with pytest.raises(InputError, match=match):
        _Thing(**kwargs)


def test_dataclass_number_fields_keep_numbers_and_optional_none():
    assert _Thing(rate=np.float64(1.0)).limit is None
    assert _Thing(rate=2, limit=3.0, name="y").rate == 2
