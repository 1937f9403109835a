"""An --out/--checkpoint that cannot be written is refused in one line before any work."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nanomed.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


@pytest.fixture
def afile(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    return f


@pytest.mark.parametrize(
    "args",
    [
        ["run", str(EXAMPLES / "scenarios" / "gold_15nm.yaml")],
        ["calibrate", "obs.csv", "sc.yaml", "--fit", "nano.liver.kmax=0.3:0.001:20"],
        ["predict", str(EXAMPLES / "scenarios" / "gold_15nm.yaml"), "--calibration", "cal"],
        ["dosimetry", "d.yaml"],
        ["cell", "simulate", "c.yaml"],
        ["cell", "fit", "c.csv"],
        ["release", "fit", "r.csv"],
    ],
)
def test_out_that_is_a_file_is_one_line_exit_2(args, afile):
    res = runner.invoke(app, [*args, "--out", str(afile)])
    assert res.exit_code == 2, res.output
    assert "is a file, not a folder" in res.output and "Traceback" not in res.output
    assert afile.read_text() == "x"


@pytest.mark.parametrize(
    "opts, match",
    [
        (["--out", "{dir}"], "is a folder; give a file name"),
        (["--out", "{file}/p.json"], "is a file, not a folder"),
        (["--checkpoint", "{file}"], "--checkpoint"),
    ],
)
def test_molecular_profile_bad_out_or_checkpoint(opts, match, tmp_path, afile):
    opts = [o.format(dir=tmp_path, file=afile) for o in opts]
    res = runner.invoke(
        app, ["molecular", "profile", "--smiles", "CCO", "--carrier", "PLGA", *opts]
    )
    assert res.exit_code == 2, res.output
    assert match in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("n", ["0", "-2"])
def test_molecular_profile_threads_must_be_positive(n):
    res = runner.invoke(
        app, ["molecular", "profile", "--smiles", "CCO", "--carrier", "PLGA", "--threads", n]
    )
    assert res.exit_code == 2
    assert "--threads" in res.output
