"""Write docs/cli.md, the CLI reference, from the Typer app itself.

    .venv/bin/python scripts/cli_reference.py           # rewrite docs/cli.md
    .venv/bin/python scripts/cli_reference.py --check   # exit 1 if docs/cli.md is stale

Every command and sub-command with its help text, and every option and argument with its
help, as Click prints them (plain formatting, no Rich; the width fixed at 100 columns, so the
page is the same on every machine). `tests/test_cli_reference.py` fails when the page is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import typer.main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qda import app  # noqa: E402

PAGE = ROOT / "docs" / "cli.md"
COMMAND = ".venv/bin/python scripts/cli_reference.py"
WIDTH = 100


def _walk(command: click.Command, ctx: click.Context, path: list[str]):
    yield path, command, ctx
    for name, sub in getattr(command, "commands", {}).items():
        sub_ctx = click.Context(sub, info_name=name, parent=ctx,
                                terminal_width=WIDTH, max_content_width=WIDTH)
        yield from _walk(sub, sub_ctx, [*path, name])


def render() -> str:
    root = typer.main.get_command(app)
    ctx = click.Context(root, info_name="qda", terminal_width=WIDTH, max_content_width=WIDTH)
    entries = list(_walk(root, ctx, []))
    out = [
        "# CLI reference",
        "",
        f"Generated from the `qda` app by `{COMMAND}`; do not edit by hand",
        "(`tests/test_cli_reference.py` fails when this page is stale).",
        "",
        "Commands:",
        "",
    ]
    for path, _, _ in entries[1:]:
        name = " ".join(["qda", *path])
        out.append(f"{'  ' * (len(path) - 1)}- [`{name}`](#{'-'.join(['qda', *path])})")
    for path, command, cmd_ctx in entries:
        name = " ".join(["qda", *path])
        out += ["", f'<a id="{"-".join(["qda", *path])}"></a>', "",
                f"{'#' * min(len(path) + 2, 4)} `{name}`", "", "```text",
                command.get_help(cmd_ctx).rstrip(), "```"]
    return "\n".join(line.rstrip() for line in out) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE.relative_to(ROOT)} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
