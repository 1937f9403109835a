from typer.testing import CliRunner

from nanomed import __version__
from nanomed.cli import app

runner = CliRunner()


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0
    assert __version__ in res.output


def test_materials_lists_library_with_sources():
    res = runner.invoke(app, ["materials"])
    assert res.exit_code == 0
    assert "gold" in res.output and "CRC" in res.output
    assert "DPPC" in res.output


def test_validate_ok_and_bad(tmp_path):
    good = tmp_path / "c.yaml"
    good.write_text("material: gold\nhydrodynamic_diameter: 0.02 um\n")
    res = runner.invoke(app, ["validate", str(good)])
    assert res.exit_code == 0
    assert "hydrodynamic_diameter: 20 nm" in res.output

    bad = tmp_path / "b.yaml"
    bad.write_text("material: gold\nhydrodynamic_diameter: 20 kg\n")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "hydrodynamic_diameter" in res.output
    assert "Traceback" not in res.output


def test_validate_missing_file(tmp_path):
    res = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2
    assert "cannot read" in res.output


def test_self_check_passes_and_reports_optional_packages():
    res = runner.invoke(app, ["check"])
    assert res.exit_code == 0, res.output
    assert "mass-balance error" in res.output and "FAILED" not in res.output
    assert "optional: rdkit" in res.output


def test_self_check_reports_a_failing_check(monkeypatch):
    import nanomed.selfcheck as sc

    def broken():
        raise AssertionError("wrong answer")

    monkeypatch.setattr(sc, "_units", broken)
    res = runner.invoke(app, ["check"])
    assert res.exit_code == 3
    assert "FAILED" in res.output and "wrong answer" in res.output
