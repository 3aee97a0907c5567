"""The `qda` command: gathers each package's commands into one Typer app."""

from __future__ import annotations

import typer

from app import cli as app_cli
from coding import cli as coding_cli
from coding import consensus_cli, suspects_cli, users_cli
from corpus import cli as corpus_cli
from refi import cli as refi_cli
from themes import cli as themes_cli

app = typer.Typer(
    help="workshop-qda: qualitative analysis of workshop post-its and transcripts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
corpus_cli.register(app)
coding_cli.register(app)
consensus_cli.register(app)
users_cli.register(app)
suspects_cli.register(app)
themes_cli.register(app)
refi_cli.register(app)
app_cli.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
