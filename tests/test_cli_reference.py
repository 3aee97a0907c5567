"""The README's CLI reference lists every command the `qda` app has, each command has a
help text, and the sentence about `--project` names exactly the commands without it."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from qda import app

README = Path(__file__).resolve().parents[1] / "README.md"


def commands() -> list[tuple[list[str], object]]:
    out = []

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append((path, command))

    walk(typer.main.get_command(app), [])
    return out


def reference() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## CLI reference", 1)[1].split("\n## ", 1)[0]


def test_every_command_is_in_the_readme_with_a_help_text():
    rows = [line for line in reference().splitlines() if line.startswith("| `qda")]
    missing = []
    for path, command in commands():
        assert (command.help or "").strip(), f"qda {' '.join(path)} has no help"
        full = f"`qda {' '.join(path)}"
        short = len(path) == 2 and any(f"`qda {path[0]} " in row and f"`{path[1]} " in row
                                       for row in rows)
        if not any(full in row for row in rows) and not short:
            missing.append(" ".join(path))
    assert not missing, f"not in the README's CLI reference: {missing}"


def test_the_commands_without_project_option_are_the_ones_the_readme_names():
    without = {path[0] for path, command in commands()
               if not any("--project" in getattr(p, "opts", []) for p in command.params)}
    sentence = reference().split("|", 1)[0]
    named = set(re.findall(r"`([a-z-]+)`", sentence))
    assert without == named
