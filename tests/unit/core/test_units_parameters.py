import math
import re

import pandas as pd
import pytest

from nanomed.core import InputError, Parameter, ParameterError, ParameterSet, Result, parse_quantity


def test_parse_quantity_converts_units():
    assert parse_quantity("0.1 um", "nm") == pytest.approx(100.0)
    assert parse_quantity("2 day", "h") == pytest.approx(48.0)
    assert parse_quantity("5 mg/kg", "mg/kg") == 5.0
    assert parse_quantity(3, "nm") == 3.0


@pytest.mark.parametrize("bad", ["5 kg", "ten nm", "nm nm nm", True])
def test_parse_quantity_rejects_bad_text(bad):
    with pytest.raises(InputError) as exc:
        parse_quantity(bad, "nm", name="diameter")
    assert str(exc.value).startswith("diameter:")
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(
    ("text", "why"),
    [("1,5 nm", "no commas"), ("1,500 nm", "no commas"), ("15 nm ± 2", "without ± uncertainty"),
     ("15 +/- 2 nm", "without ± uncertainty"), ("15 2 nm", "two numbers")],
)  # fmt: skip
def test_parse_quantity_refuses_text_pint_would_misread(text, why):
    # pint reads "1,5 nm" as 15 nm and "15 nm ± 2" as 30 nm
    with pytest.raises(InputError, match=re.escape(f"core_diameter: cannot read '{text}': ")) as e:
        parse_quantity(text, "nm", name="core_diameter")
    assert why in str(e.value)


def test_a_unit_that_starts_with_a_number_is_still_read():
    assert parse_quantity("0.5 1/nm**2", "1/nm**2") == 0.5  # not "two numbers"
    assert parse_quantity("5 1/h", "1/day") == pytest.approx(120.0)


def test_parameter_bounds_and_conversion():
    p = Parameter("k", 0.12, unit="1/h", bounds=(0, None), ref="test")
    assert p.to("1/day") == pytest.approx(2.88)
    with pytest.raises(ParameterError, match="k: -1 1/h is below its lower bound 0"):
        p.with_value(-1)
    with pytest.raises(ParameterError, match="finite"):
        p.with_value(math.nan)


def test_parameter_set_update_and_unknown():
    ps = ParameterSet([Parameter("a", 1.0, bounds=(0, 2)), Parameter("b", 3.0)])
    ps2 = ps.update(a=1.5)
    assert ps2.values() == {"a": 1.5, "b": 3.0}
    assert ps.values()["a"] == 1.0  # original unchanged
    with pytest.raises(ParameterError, match="unknown parameter 'c'"):
        ps.update(c=1)
    with pytest.raises(ParameterError):
        ps.update(a=5)


def test_result_save_load_roundtrip(tmp_path):
    df = pd.DataFrame({"time": [0.0, 1.0], "x": [1.0, 2.0]})
    r = Result(df, {"model": "m", "k": 0.5})
    r.save(tmp_path / "res")
    back = Result.load(tmp_path / "res")
    pd.testing.assert_frame_equal(back.to_dataframe(), df)
    assert back.metadata == {"model": "m", "k": 0.5}
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
    # a half-present result names the file that is missing
    (tmp_path / "res.json").unlink()
    from nanomed.core.errors import DataError

    with pytest.raises(DataError, match=r"no saved result there \(res\.json missing\)"):
        Result.load(tmp_path / "res")
