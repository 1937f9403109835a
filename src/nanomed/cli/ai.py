"""AI commands: ``nanomed train | evaluate | explain`` (``predict --model``) and ``nanomed data check``.

Each command calls one library function of :mod:`nanomed.ai`; heavy imports happen inside.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nanomed.cli._common import console, handle_errors, output_path
from nanomed.core.errors import InputError

if TYPE_CHECKING:  # pandas only for annotations: the CLI imports it lazily
    import pandas as pd

data_app = typer.Typer(no_args_is_help=True, help="Datasets: quality checks.")


def _print_frame(df: pd.DataFrame, title: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for col in df.columns:
        table.add_column(escape(str(col)))
    for _, row in df.iterrows():
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else escape(str(v)) for v in row])
    console.print(table)


@data_app.command("check")
@handle_errors
def data_check(
    file: Annotated[Path, typer.Argument(help="CSV/TSV/Parquet table, or a bundled dataset name.")],
    target: Annotated[list[str] | None, typer.Option(help="Target column(s).")] = None,
    group: Annotated[str | None, typer.Option(help="Column that must not be split apart.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the issues to this CSV.")] = None,
    like: Annotated[
        str | None,
        typer.Option(
            help="Your table is in the columns of this bundled dataset: check it against its "
            "schema (plausible ranges, target, group, cumulative release)."
        ),
    ] = None,
) -> None:
    """Report missing values, unit/range problems, duplicates, outliers and leakage risks.

    Rows of a file are shown as its lines (header = line 1). Exit code 1 when an issue is an
    error (e.g. a non-numeric cell in a numeric column), 0 otherwise.
    """
    from nanomed.ai.datasets import DATASET_SPECS, load_dataset, read_table
    from nanomed.ai.quality import check_table

    if like is not None and like not in DATASET_SPECS:
        raise InputError(f"unknown dataset {like!r} (known: {', '.join(DATASET_SPECS)})")
    if out is not None:
        output_path(out, file)
    bundled = str(file) in DATASET_SPECS
    if bundled:
        ds = load_dataset(str(file))
        report = check_table(ds.frame, ds.spec, targets=target, group=group)
    else:
        spec = DATASET_SPECS[like] if like is not None else None
        df = read_table(file)
        if spec is not None:  # the columns the dataset's models need, before any cell is judged
            need = [*spec.feature_names, *spec.target_names[:1], *filter(None, [spec.group])]
            missing = [c for c in dict.fromkeys(need) if c not in df]
            if missing:
                raise InputError(f"{file}: missing columns {missing} (the columns of {like!r})")
        report = check_table(df, spec, targets=target, group=group)
    frame = report.to_frame(offset=0 if bundled else 2)  # a file's rows are its lines
    if len(frame):
        _print_frame(frame, f"Data check: {file} ({'rows' if bundled else 'file lines'})")
    console.print(report.summary())
    if out is not None:
        from nanomed.core.results import atomic_write

        atomic_write(out, lambda p: frame.to_csv(p, index=False))
        console.print(f"issues written to {out}")
    if not report.ok:  # like a linter: scripts can stop on a table with errors
        raise typer.Exit(1)


def _training_table(
    data: str,
    target: str | None,
    model: str | None = None,
    like: str | None = None,
    with_bundled: bool = False,
) -> tuple[pd.DataFrame, pd.Series, pd.Series | None, str | None, str]:
    """(X, y, groups, protocol-or-None, dataset name) for a bundled protocol, a user table in a
    protocol's columns (``like``) or a user experiment table."""
    from nanomed.ai.datasets import load_dataset, read_dataset_like, read_experiment_table
    from nanomed.ai.protocols import PROTOCOLS, _get, model_inputs

    if with_bundled and like is None:
        raise InputError("--with-bundled adds the bundled rows of --like PROTOCOL: give --like")
    if like is not None:
        if data in PROTOCOLS:
            raise InputError(f"--like is for your own table; {data!r} is a protocol name")
        p = _get(like)
        ds = read_dataset_like(data, p.dataset, with_bundled)
        ds = ds if target is None else ds.with_target(target)
        name = f"{data} + bundled {p.dataset}" if with_bundled else str(data)
        return model_inputs(p, ds, model), ds.y, ds.groups, p.name, name
    if data in PROTOCOLS:
        p = PROTOCOLS[data]
        ds = load_dataset(p.dataset, target)
        return model_inputs(p, ds, model), ds.y, ds.groups, p.name, p.dataset
    if not Path(data).exists():
        raise InputError(f"{data!r} is neither a protocol ({', '.join(PROTOCOLS)}) nor a file")
    if target is None:
        raise InputError("--target is needed when training on your own table")
    df = read_experiment_table(data, [target])
    return df.drop(columns=[target]), df[target], None, None, str(data)


@handle_errors
def train(
    data: Annotated[str, typer.Argument(help="Protocol name (bundled data) or a CSV table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model file to write (.npz).")],
    model: Annotated[
        str, typer.Option(help="lightgbm, random_forest, gaussian_process, …")
    ] = "lightgbm",
    target: Annotated[str | None, typer.Option(help="Target column.")] = None,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Random seed.")] = 0,
    score_splits: Annotated[
        int, typer.Option(min=0, max=1000, help="Protocol splits scored for the card (0: none).")
    ] = 0,
    like: Annotated[
        str | None,
        typer.Option(
            help="Your table is in the columns of this protocol's dataset: train its models "
            "(e.g. --like bannigan_few_shot --model hydrolysis_curve_blend)."
        ),
    ] = None,
    with_bundled: Annotated[
        bool, typer.Option(help="With --like: train on the bundled rows and yours.")
    ] = False,
) -> None:
    """Train a model on all rows and save it with a model card (no pickle)."""
    import pandas as pd

    from nanomed.ai.estimators import make_estimator
    from nanomed.ai.features import TabularFeaturizer
    from nanomed.ai.modelio import save_model
    from nanomed.ai.protocols import PROTOCOLS, build_model, evaluate

    if score_splits > 0 and (like is not None or data not in PROTOCOLS):
        raise InputError("--score-splits scores a bundled protocol's splits: give a protocol")
    output_path(out, data)
    X, y, groups, protocol, dataset = _training_table(data, target, model, like, with_bundled)
    if X.shape[1] == 0:
        raise InputError(f"{data}: no feature columns besides the target {y.name!r}")
    if protocol is not None:
        est = build_model(protocol, model, seed)
    else:
        from sklearn.pipeline import Pipeline

        cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        est = Pipeline(
            [
                ("features", TabularFeaturizer(categorical=cats)),
                ("model", make_estimator(model, random_state=seed)),
            ]
        )
    _check_target_kind(est, y, model)
    if groups is not None and "groups" in inspect.signature(est.fit).parameters:
        # models that choose by inner CV must see the groups, or their choice leaks
        est.fit(X, y, groups=groups)
    else:
        est.fit(X, y)
    from nanomed.ai.datasets import DATASET_SPECS
    from nanomed.ai.modelio import input_schema
    from nanomed.ai.protocols import _get

    # columns outside the dataset's schema (Polymer, Drug_SMILES) are read by physics featurisers
    spec = DATASET_SPECS[_get(protocol).dataset] if protocol else None
    known = spec.feature_names if spec else list(X.columns)
    coded = [f.name for f in spec.features if f.kind == "categorical"] if spec else []
    card = {
        "dataset": dataset,
        "target": str(y.name),
        "features": list(map(str, X.columns)),
        "inputs": input_schema(X, [c for c in X.columns if c not in known], coded),
        "model": model,
        "protocol": protocol,
        "n_rows": len(X),
        "seed": seed,
    }
    if protocol is not None and score_splits > 0:
        res = evaluate(protocol, model, n_splits=score_splits, targets=(str(y.name),))
        s = res.summary().iloc[0]
        card["scores"] = {
            "metric": s["metric"],
            "mean": s["mean"],
            "sd": s["sd"],
            "n_splits": int(s["n_splits"]),
            "published": s["published"],
        }
    path = save_model(est, out, card)
    console.print(f"[green]saved[/green] {path} ({model}, {len(X)} rows, target {y.name})")


@handle_errors
def evaluate_cmd(
    protocol: Annotated[str, typer.Option("--protocol", help="Published protocol name.")],
    model: Annotated[
        str,
        typer.Option(
            help="Model name (nanomed.ai.protocols.build_model), hybrid_release, ai_pbpk or "
            "ai_pbpk_published."
        ),
    ] = "lightgbm",
    splits: Annotated[
        int | None,
        typer.Option(min=1, max=1000, help="Outer splits (default: the published number)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write per-split scores to this CSV (after every split; a rerun with the same "
            "arguments resumes from it)."
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Score on your own table in the columns of the protocol's dataset instead "
            "(split and scored the protocol's way)."
        ),
    ] = None,
    with_bundled: Annotated[
        bool, typer.Option(help="With --data: the bundled rows and yours.")
    ] = False,
) -> None:
    """Score a model on a dataset's published protocol, beside the published number.

    Hybrid models: ``--model hybrid_release`` (bannigan_few_shot: ML-predicted Weibull curve) and
    ``--model ai_pbpk`` (nano_tumor: ML-predicted tumour PBPK parameters, organ-scale DE).
    ``--model ai_pbpk_published`` (nano_tumor): the published AI-PBPK protocol re-run (Chou 2023's
    code: all complete rows scored, five parameters from each row's own fit), on the published
    split (seed 2) or, with ``--splits N``, seeds 0 … N-1; scores all, test and training rows
    of each method (forest -> KTRES on the extended inputs, + learned residual, direct forest,
    their ensemble).
    """
    from nanomed.ai.protocols import _get, evaluate

    table = None
    if out is not None:
        output_path(out, data)
    if with_bundled and data is None:
        raise InputError("--with-bundled adds the bundled rows to --data FILE: give --data")
    if data is not None:
        from nanomed.ai.datasets import read_dataset_like

        if model in ("ai_pbpk", "ai_pbpk_published", "hybrid_release"):
            raise InputError(f"--model {model} runs on the bundled table only, not with --data")
        table = read_dataset_like(data, _get(protocol).dataset, with_bundled)
    if model == "ai_pbpk_published":
        if protocol != "nano_tumor":
            raise InputError("--model ai_pbpk_published applies to --protocol nano_tumor")
        from nanomed.ai.aipbpk import evaluate_published_protocol

        seeds = (2,) if splits is None else tuple(range(splits))
        scores = evaluate_published_protocol(seeds, features="extended", residual=True)
        keys = ["method", "subset", "target"]
        summary = scores.groupby(keys, sort=False).mean(numeric_only=True)
        _print_frame(summary.drop(columns="seed").reset_index(), f"{protocol}: published AI-PBPK")
        if out is not None:
            scores.to_csv(out, index=False)
        return

    if model == "ai_pbpk":
        if protocol != "nano_tumor":
            raise InputError("--model ai_pbpk applies to --protocol nano_tumor")
        from nanomed.ai.aipbpk import evaluate_aipbpk

        scores = evaluate_aipbpk(splits or 10)
        summary = scores.groupby(["method", "target"], sort=False).mean(numeric_only=True)
        _print_frame(summary.drop(columns="split").reset_index(), f"{protocol}: AI-PBPK")
        if out is not None:
            scores.to_csv(out, index=False)
        return
    if model == "hybrid_release":
        if protocol != "bannigan_few_shot":
            raise InputError("--model hybrid_release applies to --protocol bannigan_few_shot")
        from nanomed.ai.hybrid import few_shot_hybrid

        res = evaluate(protocol, few_shot_hybrid, n_splits=splits, checkpoint=out)
    else:
        res = evaluate(protocol, model, n_splits=splits, checkpoint=out, data=table)
    where = f" on {data}" + (" + the bundled rows" if with_bundled else "") if data else ""
    _print_frame(res.summary(), f"{protocol}{where}: {model}")
    if out is not None:
        console.print(f"per-split scores: {out}")


def _check_target_kind(est: Any, y: pd.Series, model: str) -> None:
    """A classifier needs class labels: a continuous target is the wrong model, said in one line."""
    from sklearn.base import is_classifier
    from sklearn.utils.multiclass import type_of_target

    if is_classifier(est) and type_of_target(y.to_numpy()) not in ("binary", "multiclass"):
        raise InputError(f"--model {model} is a classifier; target {y.name!r} is not class labels")


def _model_inputs(
    model_file: Path, data: Path
) -> tuple[Any, dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """(model, card, table, the model's input columns of it checked against the card)."""
    from nanomed.ai.datasets import read_table
    from nanomed.ai.modelio import check_inputs, load_model

    est, card = load_model(model_file)
    df = read_table(data)
    names = getattr(est, "feature_names_in_", None)
    if names is not None and set(map(str, names)) == set(card.get("features", [])):
        card = {**card, "features": list(map(str, names))}  # the order the model was fitted in
    if not card.get("features"):  # a file saved without a card: the model's own column names
        n = getattr(est, "n_features_in_", None)
        if names is None and n is not None and n != df.shape[1]:
            raise InputError(
                f"{model_file}: no model card names its inputs; the model takes {n} columns, "
                f"{data} has {df.shape[1]}"
            )
        card = {**card, "features": [] if names is None else list(map(str, names))}
    return est, card, df, check_inputs(df, card, str(data))


@contextmanager
def _file_lines(path: Path) -> Iterator[None]:
    """Re-raise a model's row error ("row 2: …", a 0-based position in the table it was given)
    with the file line of that row, as every other message of the command names rows."""
    from nanomed.core.errors import NanomedError

    try:
        yield
    except NanomedError as exc:
        m = re.match(r"row (\d+)([:,].*)", str(exc), flags=re.S)
        if m is None:
            raise
        raise type(exc)(f"{path}: row {int(m[1]) + 2}{m[2]}") from None


def _target_bounds(card: dict[str, Any]) -> tuple[float | None, float | None]:
    """The physical range of the card's target when it is a bundled dataset's (else open)."""
    from nanomed.ai.datasets import DATASET_SPECS
    from nanomed.ai.protocols import PROTOCOLS

    name = PROTOCOLS[card["protocol"]].dataset if card.get("protocol") in PROTOCOLS else None
    name = name or (card.get("dataset") if card.get("dataset") in DATASET_SPECS else None)
    if name is None or card.get("target") not in DATASET_SPECS[name].target_names:
        return (None, None)
    return DATASET_SPECS[name].feature(card["target"]).bounds


def predict_rows(model_file: Path, data: Path, out: Path, std: bool = False) -> None:
    """Predict with a saved model: rows of DATA in, one prediction per row out
    (``nanomed predict DATA --model FILE``, see :mod:`nanomed.cli.predict`)."""
    output_path(out, data, model_file)
    est, card, df, X = _model_inputs(model_file, data)
    target = card.get("target", "prediction")
    result = df.copy()
    if std and hasattr(est, "predict_proba"):
        raise InputError(
            f"--std: {model_file} is a classifier; its p_{target} is already a probability"
        )
    with _file_lines(data):
        if hasattr(est, "predict_proba"):
            result[f"p_{target}"] = est.predict_proba(X)[:, -1]
        elif std:
            from nanomed.ai.uncertainty import predict_with_uncertainty

            unc = predict_with_uncertainty(est, X, bounds=_target_bounds(card))
            result[f"predicted_{target}"] = unc["prediction"].to_numpy()
            for col in ("std", "lower", "upper"):
                result[f"{col}_{target}"] = unc[col].to_numpy()
        else:
            result[f"predicted_{target}"] = est.predict(X)
    from nanomed.core.results import atomic_write

    Path(out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(Path(out), lambda p: result.to_csv(p, index=False))
    console.print(f"[green]wrote[/green] {out} ({len(result)} rows)")


@handle_errors
def ml_predict(
    model_file: Annotated[Path, typer.Argument(help="Model file from `nanomed train`.")],
    data: Annotated[Path, typer.Argument(help="Table with the model's feature columns.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV of predictions.")],
    std: Annotated[
        bool, typer.Option(help="Add the model's std and a 68 % interval (lower, upper).")
    ] = False,
) -> None:
    """Same as ``nanomed predict DATA --model MODEL_FILE`` (kept for scripts)."""
    predict_rows(model_file, data, out, std)


_PLOT_FORMATS = (".png", ".svg", ".pdf", ".jpg")


@handle_errors
def explain_cmd(
    model_file: Annotated[Path, typer.Argument(help="Model file from `nanomed train`.")],
    data: Annotated[Path, typer.Argument(help="Rows to explain.")],
    out: Annotated[Path | None, typer.Option(help="SHAP summary plot (PNG/SVG).")] = None,
    top: Annotated[int, typer.Option(min=1, help="Features shown.")] = 15,
) -> None:
    """SHAP feature contributions of a saved model's predictions."""
    from nanomed.ai.explain import explain

    if out is not None:
        output_path(out, data, model_file)
        if out.suffix.lower() not in _PLOT_FORMATS:
            raise InputError(f"--out {out}: a plot is written as {', '.join(_PLOT_FORMATS)}")

    est, _, _, X = _model_inputs(model_file, data)
    with _file_lines(data):
        exp = explain(est, X)
    _print_frame(exp.importance().head(top), f"SHAP importance: {model_file.name}")
    if out is not None:
        import matplotlib.pyplot as plt

        ax = exp.plot(max_display=top)
        ax.figure.tight_layout()
        ax.figure.savefig(out, dpi=150)
        plt.close(ax.figure)
        console.print(f"plot written to {out}")


def register(root: typer.Typer) -> None:
    """Add the AI commands: train, evaluate, explain, the hidden ``ml-predict`` alias of
    ``nanomed predict --model``, and the ``data`` sub-app."""
    root.command("train")(train)
    root.command("evaluate")(evaluate_cmd)
    root.command("explain")(explain_cmd)
    root.command("ml-predict", hidden=True)(ml_predict)
    root.add_typer(data_app, name="data")
