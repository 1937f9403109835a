"""What README.md and docs/ show is real: commands, options, files, imported names, snippets."""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nanomed.cli import app

ROOT = Path(__file__).parents[2]
runner = CliRunner()


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _doc_commands() -> list[tuple[str, str]]:
    """(where, command) for every `nanomed ...` line of the docs (continuations joined)."""
    out = []
    for doc in _docs():
        lines = doc.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            line, start = lines[i], i + 1
            while line.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
            if line.startswith("nanomed "):
                for cmd in line.split("#")[0].split(";"):
                    out.append((f"{doc.relative_to(ROOT)}:{start}", cmd.strip()))
    return out


def _help(words: list[str]) -> str | None:
    res = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "250", "TERMINAL_WIDTH": "250"})
    return res.output if res.exit_code == 0 else None


COMMANDS = _doc_commands()


def test_the_docs_show_commands():
    assert len(COMMANDS) > 20


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_documented_command_exists_with_its_options_and_files(where, command):
    words = shlex.split(command)[1:]
    names = [w for w in words if re.fullmatch(r"[a-z][a-z-]*", w)]
    # the longest leading run of plain words that the CLI knows is the subcommand
    sub: list[str] = []
    for w in words:
        if w not in names or _help([*sub, w]) is None:
            break
        sub.append(w)
    text = _help(sub)
    assert text is not None, f"{where}: {command!r}"
    rest = words[len(sub) :]
    if rest and rest[0] in names:  # a plain word after a command group must be one of its commands
        assert "Commands" not in text, f"{where}: `nanomed {' '.join(sub)}` has no {rest[0]!r}"
    for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", command):
        assert option in text, f"{where}: {option} is not an option of `nanomed {' '.join(sub)}`"
    for path in re.findall(r"(?<![\w/])(examples/[\w./-]+)", command):
        assert (ROOT / path).exists(), f"{where}: {path} does not exist"


def _snippets() -> list[tuple[str, str]]:
    """(where, code) for every ```python block of the docs."""
    out = []
    for doc in _docs():
        text = doc.read_text(encoding="utf-8")
        for m in re.finditer(r"```python\n(.*?)```", text, re.S):
            out.append(
                (f"{doc.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}", m.group(1))
            )
    return out


SNIPPETS = _snippets()


@pytest.mark.parametrize(("where", "code"), SNIPPETS, ids=[w for w, _ in SNIPPETS])
def _importable(module: str, name: str | None = None) -> bool:
    """Whether ``import module`` (or ``from module import name``) would succeed."""
    try:
        mod = importlib.import_module(module)
        if name is not None and not hasattr(mod, name):
            importlib.import_module(f"{module}.{name}")  # a submodule, not an attribute
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(("where", "code"), SNIPPETS, ids=[w for w, _ in SNIPPETS])
def test_snippet_imports_exist(where, code):
    missing = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module:
            missing += [f"{node.module}.{a.name}" for a in node.names
                        if not _importable(node.module, a.name)]  # fmt: skip
        elif isinstance(node, ast.Import):
            missing += [a.name for a in node.names if not _importable(a.name)]
    assert not missing, f"{where}: cannot import {', '.join(missing)}"


def test_import_check_catches_a_missing_name():
    assert _importable("nanomed.release", "fit_model")
    assert not _importable("nanomed.release", "fit_metrics")  # lives in nanomed.release.fitting


def test_snippets_use_no_undefined_names(tmp_path):
    # pyflakes' undefined-name check (through ruff) on each block: a snippet runs as written
    for i, (_, code) in enumerate(SNIPPETS):
        (tmp_path / f"snippet_{i}.py").write_text(code, encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "F821,E9",
         str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    where = {f"snippet_{i}.py": w for i, (w, _) in enumerate(SNIPPETS)}
    report = re.sub(r"\S*(snippet_\d+\.py)", lambda m: where[m.group(1)], res.stdout)
    assert res.returncode == 0, report
