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


def _hold_out_lock(out: Path, owner: str) -> Path:
    """The lock a run writing ``out`` leaves beside it while it runs."""
    lock = out.parent / f".{out.name}.nanomed-lock"
    lock.write_text(owner)
    return lock


def _fit_into(out: Path):
    """A short real command writing ``out``: the example release fit."""
    csv = EXAMPLES / "release" / "bannigan_subset.csv"
    return runner.invoke(app, ["release", "fit", str(csv), "--time-unit", "day", "--out", str(out)])


def test_a_second_run_writing_the_same_out_at_once_is_refused(tmp_path):
    import socket
    import subprocess
    import sys

    # a live process of this host holds the lock: the second run is refused and writes nothing
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out = tmp_path / "res"
        lock = _hold_out_lock(out, f"{socket.gethostname()} {live.pid}")
        res = _fit_into(out)
        assert res.exit_code == 2, res.output
        assert f"process {live.pid}" in res.output and "is writing there now" in res.output
        assert not out.exists() and lock.exists()  # the first run's lock is left alone
    finally:
        live.kill()
        live.wait()


def test_a_lock_left_by_a_killed_run_is_taken_over_and_released(tmp_path):
    import socket
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "res"
    lock = _hold_out_lock(out, f"{socket.gethostname()} {dead.pid}")
    res = _fit_into(out)
    assert res.exit_code == 0, res.output
    assert (out / "best_models.csv").exists()
    assert not lock.exists()  # released when the command ended


def test_a_run_releases_its_lock_when_it_fails(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,fraction\n")
    out = tmp_path / "res"
    res = runner.invoke(app, ["release", "fit", str(bad), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert not (tmp_path / ".res.nanomed-lock").exists()
