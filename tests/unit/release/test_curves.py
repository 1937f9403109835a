"""Reading release-curve CSVs: one-line errors naming profile and line, bad profiles set aside."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nanomed.core.errors import DataError, InputError
from nanomed.release.curves import read_release_curves
from nanomed.release.fitting import fit_library

DATA = Path(__file__).parents[2] / "data" / "release"
GOOD = "P1,0,0.0\nP1,1,0.2\nP1,2,0.35\nP1,4,0.6\nP1,8,0.8\n"
HEADER = "profile_id,time,fraction_released\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "curves.csv"
    path.write_text(header + body)
    return path


# (broken profile rows, expected fragment); the broken profile "B" starts at file line 7
BAD = [
    ("B,0,0\nB,1,abc\nB,2,0.3\n", "line 8: text 'abc' in number column fraction_released"),
    ("B,0,0\nB,one,0.1\nB,2,0.3\n", "line 8: text 'one' in number column time"),
    ("B,0,0\nB,-1,0.1\nB,2,0.3\n", "line 8: negative time -1"),
    ("B,0,0\nB,1,0.1\nB,1,0.3\n", "line 9: duplicate time 1"),
    ("B,0,0\nB,2,0.1\nB,1,0.3\n", "line 9: times not increasing (1 after 2)"),
    ("B,0,0\nB,1,1.35\nB,2,0.3\n", "line 8: fraction released 1.35 above 1.2"),
    ("B,0,0\nB,1,\nB,2,0.3\n", "line 8: missing value in column fraction_released"),
    ("B,0,0\nB,1,nan\nB,2,0.3\n", "line 8: text 'nan' in number column fraction_released"),
]


@pytest.mark.parametrize(("rows", "fragment"), BAD)
def test_bad_profile_is_named_with_its_line(tmp_path: Path, rows: str, fragment: str) -> None:
    path = _csv(tmp_path, GOOD + rows)
    with pytest.raises(DataError) as err:
        read_release_curves(path, percent=False, on_error="raise")
    msg = str(err.value)
    assert "\n" not in msg and "profile 'B'" in msg and fragment in msg
    # collected instead of raised: the good profile goes on
    curves = read_release_curves(path, percent=False)
    assert curves.profile_ids == ["P1"]
    assert fragment in curves.failed["reason"].iloc[0]


def test_percent_above_120_is_rejected(tmp_path: Path) -> None:
    path = _csv(tmp_path, "A,0,0\nA,1,50\nA,2,90\nB,0,0\nB,1,130\nB,2,90\n")
    curves = read_release_curves(path)
    assert "percent" in curves.notes[0] and "auto-detected" in curves.notes[0]
    assert curves.profile_ids == ["A"]
    assert "130% above 120%" in curves.failed["reason"].iloc[0]
    np.testing.assert_allclose(curves.profile("A")["fraction_released"], [0, 0.5, 0.9])


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("profile_id,t,fraction_released\n", "missing column(s) time"),
        ("id,time,fraction_released\n", "missing column(s) profile_id"),
    ],
)
def test_file_level_errors_stop_with_one_line(tmp_path: Path, header: str, fragment: str) -> None:
    with pytest.raises(DataError) as err:
        read_release_curves(_csv(tmp_path, GOOD, header=header))
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_empty_profile_id_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="line 3: empty profile_id"):
        read_release_curves(_csv(tmp_path, "P1,0,0\n,1,0.2\n"))
    with pytest.raises(InputError, match="file not found"):
        read_release_curves(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="not a unit of time"):
        read_release_curves(_csv(tmp_path, GOOD), time_unit="kg")


def test_latin1_file_is_named_as_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("profile_id,time,fraction_released\nP\xb5,0,0\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"^r\.csv: not UTF-8 text \(byte 0xb5 at position 35\)"):
        read_release_curves(path)


def test_flags_override_detection_and_extra_columns_are_kept() -> None:
    path = DATA / "curves_percent.csv"
    auto = read_release_curves(path, time_unit="h")
    told = read_release_curves(path, percent=True)
    assert auto.percent and told.percent and "as told" in told.notes[0]
    assert auto.data["fraction_released"].max() <= 1.2
    cols = auto.profile_columns()
    assert list(cols.columns) == ["profile_id", "polymer"] and len(cols) == 3
    wrong = read_release_curves(path, percent=False)  # percents read as fractions: all too high
    assert wrong.data.empty and len(wrong.failed) == 3


def test_batch_with_one_broken_profile_fits_the_others(tmp_path: Path) -> None:
    text = (DATA / "curves_percent.csv").read_text() + "D-broken,0,0,PLGA\nD-broken,1,x,PLGA\n"
    path = tmp_path / "c.csv"
    path.write_text(text)
    lib = fit_library(read_release_curves(path), ["first_order", "weibull"])
    assert sorted(lib.best()["profile_id"]) == ["A-first", "B-weibull", "C-burst"]
    failed = lib.failed
    assert failed["profile_id"].tolist() == ["D-broken"]
    assert "line 33: text 'x'" in failed["reason"].iloc[0]


def test_percent_released_column_is_read_as_percent(tmp_path: Path) -> None:
    body = "A,0,0\nA,1,0.5\nA,2,1.2\n"  # percents by the name (auto-detection: fractions)
    with pytest.warns(UserWarning, match="look like fractions"):
        curves = read_release_curves(_csv(tmp_path, body, "profile_id,time,percent_released\n"))
    assert curves.percent and "percent_released" in curves.notes[0]
    assert "implied" in curves.notes[0]
    assert "percent_released" not in curves.data
    np.testing.assert_allclose(curves.data["fraction_released"], [0.0, 0.005, 0.012])


def test_percent_released_holding_fractions_warns(tmp_path: Path) -> None:
    # values in 0-1 under percent_released were silently read as percent (100x too low)
    header = "profile_id,time,percent_released\n"
    with pytest.warns(UserWarning, match=r"largest 0\.9 <= 1\.5.* column fraction_released"):
        curves = read_release_curves(_csv(tmp_path, "A,0,0\nA,1,0.5\nA,2,0.9\n", header))
    assert curves.percent


def test_percent_released_errors_name_the_column(tmp_path: Path) -> None:
    header = "profile_id,time,percent_released\n"
    path = _csv(tmp_path, "A,0,0\nA,1,x\nB,0,0\nB,1,130\n", header)
    failed = read_release_curves(path).failed.set_index("profile_id")["reason"]
    assert "line 3: text 'x' in number column percent_released" in failed["A"]
    assert "130% above 120%" in failed["B"]
    with pytest.raises(InputError, match="percent_released holds percents"):
        read_release_curves(path, percent=False)
    both = _csv(tmp_path, "A,0,0,0\n", "profile_id,time,fraction_released,percent_released\n")
    with pytest.raises(DataError, match="keep one"):
        read_release_curves(both)
    with pytest.raises(DataError, match=r"fraction_released \(or percent_released\)"):
        read_release_curves(_csv(tmp_path, "A,0\n", "profile_id,time\n"))


def test_bundled_example_in_percent_matches_the_dataset() -> None:
    """examples/release/bannigan_subset.csv (percent, 3 decimals) = the bundled Bannigan set."""
    from nanomed.datasets import load_release_curves

    example = Path(__file__).parents[3] / "examples" / "release" / "bannigan_subset.csv"
    curves = read_release_curves(example, time_unit="day")
    assert curves.percent and curves.failed.empty
    both = curves.data.merge(load_release_curves(), on=["profile_id", "time"], suffixes=("", "_ds"))
    assert len(both) == len(curves.data) > 0
    np.testing.assert_allclose(both["fraction_released"], both["fraction_released_ds"], atol=6e-6)
