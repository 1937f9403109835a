"""The command lines shown in README.md and docs/ name real subcommands, options and files."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nanomed.cli import app

ROOT = Path(__file__).parents[2]
runner = CliRunner()


def _doc_commands() -> list[tuple[str, str]]:
    """(where, command) for every `nanomed ...` line of the docs (continuations joined)."""
    out = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
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
