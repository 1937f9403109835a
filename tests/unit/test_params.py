"""Every named parameter set loads, and every parameter in it has a unit and a reference."""

import pytest

from nanomed import InputError
from nanomed.core.units import ureg
from nanomed.params import available_parameter_sets, get_parameter_set

SETS = available_parameter_sets()


def test_sets_cover_every_scale_with_parameters():
    for name in ("physiology/mouse", "physiology/human", "nano/chou2023", "pd/simeoni"):
        assert name in SETS
    assert any(s.startswith("release/") for s in SETS)


@pytest.mark.parametrize("name", SETS)
def test_every_parameter_has_unit_and_reference(name):
    rows = get_parameter_set(name).table()
    assert rows, f"{name} is empty"
    for row in rows:
        ureg.Unit(row["unit"])  # readable by pint
        assert row["reference"], f"{name}: {row['name']} has no reference"


def test_unknown_set_is_one_line_error():
    with pytest.raises(InputError, match="nanomed params list"):
        get_parameter_set("physiology/dragon")
