"""docs/cli.md is the CLI reference generated from the app and is current; the README's CLI
table lists every command the `qda` app has, each command has a help text, and the sentence
about `--project` names exactly the commands without it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import typer.main

from qda import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _generator():
    spec = importlib.util.spec_from_file_location("cli_reference",
                                                  ROOT / "scripts" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_md_is_generated_from_the_app_and_current():
    generator = _generator()
    page = ROOT / "docs" / "cli.md"
    assert page.exists(), f"docs/cli.md is missing: run `{generator.COMMAND}`"
    assert page.read_text(encoding="utf-8") == generator.render(), (
        f"docs/cli.md is stale (the app's commands, options or help changed): "
        f"run `{generator.COMMAND}` and commit docs/cli.md")


def test_docs_cli_md_has_every_command_and_option():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, command in commands():
        assert f"## `qda {' '.join(path)}`" in text, path
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if param.param_type_name == "option":
                    assert opt in text, (path, opt)


def test_the_readme_links_the_generated_reference():
    assert "(docs/cli.md)" in reference()


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
