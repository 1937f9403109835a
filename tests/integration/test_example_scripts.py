"""Every example script runs (as PyBaMM's test_scripts does) and prints its result."""

import runpy
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).parents[2] / "examples" / "scripts").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_script_runs(script, capsys):
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), f"{script.name} printed nothing"
    assert "nan" not in out.lower().split()


def test_explicit_steps_conserve_mass(capsys):
    runpy.run_path(str(SCRIPTS[0].parent / "explicit_steps.py"), run_name="__main__")
    err = float(capsys.readouterr().out.splitlines()[-1].split()[0])
    assert err <= 1e-6
