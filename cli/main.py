"""The `qda` command: one Typer app gathered from the command groups in this package."""

from __future__ import annotations

import typer

from . import (
    code,
    codebook,
    consensus,
    delphi,
    evaluate,
    export,
    ingest,
    project,
    refi,
    rounds,
    serve,
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
    # plain help: answers at once (Rich's formatting of the help costs ~0.1 s at start)
    rich_markup_mode=None,
)
for group in (project, workshops, ingest, codebook, code, tables, evaluate, rounds,
              consensus, delphi, users, suspects, export, refi, serve):
    group.register(app)


def main() -> None:
    app()
