"""The `qda` command: one Typer app gathered from the command groups in this package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from . import (
    code,
    codebook,
    consensus,
    delphi,
    evaluate,
    export,
    ingest,
    memos,
    merges,
    project,
    refi,
    rounds,
    serve,
    study,
    suspects,
    tables,
    users,
    workshops,
)

app = typer.Typer(
    help="workshop-qda: qualitative analysis of workshop post-its and transcripts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # plain help: answers at once (Rich's formatting of the help costs time at start)
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    # a group even when only the command being run is built (see _only), so its name
    # stays the first argument
    pass


for group in (project, study, workshops, ingest, codebook, code, tables, evaluate, rounds,
              consensus, delphi, users, suspects, merges, export, refi, serve, memos):
    group.register(app)


def _named(info) -> str | None:
    if getattr(info, "typer_instance", None) is not None:   # a group (add_typer)
        return info.name
    return info.name or typer.main.get_command_name(info.callback.__name__)


@contextmanager
def _only(command: str | None) -> Iterator[None]:
    """Build only the command being run: Typer turns every registered command into a
    Click command (signatures, type hints, parameters) before it parses anything, a tenth
    of a second for all 63 that one run never needs. `qda --help`, or a name that is not
    a command, keeps them all (the help lists them; the error names the choices)."""
    kept = [info for info in (*app.registered_commands, *app.registered_groups)
            if _named(info) == command]
    if not kept:
        yield
        return
    commands, groups = app.registered_commands, app.registered_groups
    app.registered_commands = [i for i in commands if i in kept]
    app.registered_groups = [i for i in groups if i in kept]
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = commands, groups


def main() -> None:
    first = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    with _only(first):
        app()
