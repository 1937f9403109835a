"""Every example script runs (as PyBaMM's test_scripts does) and prints its result."""

import runpy
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).parents[2] / "examples" / "scripts").glob("*.py"))
# the held-out forecast (15 s) runs once, in its own test below
GENERIC = [s for s in SCRIPTS if s.stem != "forecast_unseen_groups"]


@pytest.mark.parametrize("script", GENERIC, ids=lambda p: p.stem)
def test_example_script_runs(script, capsys):
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), f"{script.name} printed nothing"
    assert "nan" not in out.lower().split()


def test_explicit_steps_conserve_mass(capsys):
    runpy.run_path(str(SCRIPTS[0].parent / "explicit_steps.py"), run_name="__main__")
    err = float(capsys.readouterr().out.splitlines()[-1].split()[0])
    assert err <= 1e-6


def test_unseen_group_forecast_reproduces_the_benchmark_split(capsys, monkeypatch, tmp_path):
    """The example's held-out groups are the few-shot protocol's first outer split: its MAE is the
    figure benchmarks/README.md reports for `hydrolysis_molecular_higuchi_law_curve_blend` on split
    0 (0.087, session 10); the table it writes holds every held-out point with its forecast."""
    import pandas as pd

    script = SCRIPTS[0].parent / "forecast_unseen_groups.py"
    monkeypatch.setattr("sys.argv", [str(script), str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()
    mae, n = float(lines[-2].split()[0]), int(lines[-2].split()[3])
    assert lines[-2].endswith("held-out points") and round(mae, 3) == 0.087
    # 0.087 is nanomed's own figure (a documentation-consistency check, not an independent
    # value); independently, the forecast must beat the published few-shot network on held-out
    # formulations, MAE 0.184 (Bannigan et al., Nat Commun 14:35, 2023, Table 1)
    assert mae < 0.184
    table = pd.read_csv(tmp_path / "forecast.csv")
    assert len(table) == n and (tmp_path / "forecast.png").stat().st_size > 0
    assert round((table["forecast"] - table["Release"]).abs().mean(), 3) == mae  # as printed
    assert table["forecast"].between(0, 1).all()
