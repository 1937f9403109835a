from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from nanomed.cli import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "calibration"
runner = CliRunner()


def test_calibrate_then_predict(tmp_path):
    cal = tmp_path / "cal"
    res = runner.invoke(
        app,
        [
            "calibrate",
            str(EXAMPLE / "nano_tumor_74.csv"),
            str(EXAMPLE / "nano_tumor_74.yaml"),
            "--fit",
            "nano.tumour.kmax=0.3:0.001:50",
            "--no-profile",
            "--out",
            str(cal),
        ],
    )
    assert res.exit_code == 0, res.output
    est = pd.read_csv(cal / "estimates.csv")
    assert est.loc[0, "fisher_lower"] < est.loc[0, "estimate"] < est.loc[0, "fisher_upper"]
    gof = pd.read_csv(cal / "gof.csv").set_index("scenario")
    assert gof.loc["all", "within_2fold"] >= 0.8  # the measured tumour %ID, six points

    pred = tmp_path / "pred"
    res = runner.invoke(
        app, ["predict", str(EXAMPLE / "nano_tumor_74.yaml"), "-c", str(cal), "--out", str(pred)]
    )
    assert res.exit_code == 0, res.output
    # the prediction uses the fitted value: tumour %ID at 24 h near the observed 11.2 %ID
    obs = pd.read_csv(EXAMPLE / "nano_tumor_74.csv").set_index("time")["value"]
    from nanomed.organ import OrganResult

    organ = OrganResult.load(pred / "results" / "nano_tumor_74")
    at24 = organ.series("tumour", "particles", "percent_id").loc[24.0]
    assert 0.5 * obs.loc[24.0] < at24 < 2.0 * obs.loc[24.0]

    # --no-profile leaves the profile intervals empty: null in the JSON, not NaN (invalid JSON)
    import json
    import shutil

    text = (cal / "calibration.json").read_text()
    json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    # a damaged saved calibration is a one-line error naming the file, not a traceback
    for name, content in (("calibration.json", '{"a":'), ("calibration.json", "{}"),
                          ("calibration.parquet", "PAR1")):  # fmt: skip
        bad = tmp_path / "bad"
        shutil.copytree(cal, bad, dirs_exist_ok=True)
        (bad / name).write_text(content)
        res = runner.invoke(
            app, ["predict", str(EXAMPLE / "nano_tumor_74.yaml"), "-c", str(bad), "-o", str(pred)]
        )
        assert res.exit_code == 2, res.output
        assert name in res.output and "Traceback" not in res.output
        shutil.copytree(cal, bad, dirs_exist_ok=True)


def test_bad_fit_spec_is_one_line_error(tmp_path):
    res = runner.invoke(
        app,
        [
            "calibrate",
            str(EXAMPLE / "nano_tumor_74.csv"),
            str(EXAMPLE / "nano_tumor_74.yaml"),
            "--fit",
            "nano.tumour.kmax=0.3",
        ],
    )
    assert res.exit_code == 2
    assert "INITIAL:LOWER:UPPER" in res.output


def test_a_bound_the_model_cannot_take_is_refused_before_the_fit(tmp_path):
    # kmax is a rate (>= 0); a field the organ parameters lack is named with the known ones
    for spec, match in (
        ("nano.tumour.kmax=0.3:-1:50", "lower bound -1 is not a valid value"),
        ("nano.tumour.nosuch=1:0.1:2", "unknown field(s) nosuch (known: partition"),
    ):
        args = [
            "calibrate",
            str(EXAMPLE / "nano_tumor_74.csv"),
            str(EXAMPLE / "nano_tumor_74.yaml"),
        ]
        res = runner.invoke(app, [*args, "--fit", spec, "--out", str(tmp_path / "o")])
        assert res.exit_code == 2, res.output
        assert match in " ".join(res.output.split())
        assert "Traceback" not in res.output


def test_observation_after_the_run_is_refused(tmp_path):
    obs = pd.read_csv(EXAMPLE / "nano_tumor_74.csv")
    obs.loc[len(obs) - 1, "time"] = 10000.0
    csv = tmp_path / "obs.csv"
    obs.to_csv(csv, index=False)
    args = ["calibrate", str(csv), str(EXAMPLE / "nano_tumor_74.yaml")]
    res = runner.invoke(app, [*args, "--fit", "nano.tumour.kmax=0.3:0.001:50", "-o", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert f"row {len(obs)}: time 10000 h is after the end of scenario" in " ".join(
        res.output.split()
    )
