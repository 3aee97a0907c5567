"""What every `qda` command shares: the consoles, the project option, the acting user,
table cells, and turning a QdaError into its one line and exit code 1.

Nothing here (or at the top of any cli module) imports the library's heavy parts: a
command imports what it uses when it runs, so `qda --help` answers at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from corpus.errors import QdaError
from corpus.locations import PROJECT_ENV

if TYPE_CHECKING:
    from corpus.project import Project

# Piped output (files, CI logs) gets wide tables instead of 80 columns of wrapped cells.
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, soft_wrap=True, width=_WIDTH)

ProjectOpt = Annotated[Path, typer.Option(
    "--project", "-p", envvar=PROJECT_ENV, help="Project folder (default: current folder).",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
MemoOpt = Annotated[str | None, typer.Option("--memo", help="Why (kept in the audit log).")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a QdaError as its one line and exit 1; never a traceback for bad input."""
    try:
        yield
    except QdaError as exc:
        err.print(f"[red]error:[/red] {exc.line()}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def opened(project: Path) -> Project:
    from corpus.project import open_project

    return open_project(project)


def actor() -> str:
    """Who is acting, for the audit log: $QDA_CODER, else the login name."""
    return os.environ.get("QDA_CODER") or os.environ.get("USER") or "qda"


def where(project: Project) -> str:
    """The store a project uses, without a password."""
    return "SQLite" if project.is_sqlite else project.engine.url.render_as_string(
        hide_password=True)


def cell(value: object) -> str:
    """Table cell text: blank for missing, whole numbers without '.0'."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def split_list(value: str | None) -> list[str] | None:
    """'a, b,' -> ['a', 'b']; nothing given -> None (the library's default)."""
    return [c.strip() for c in value.split(",") if c.strip()] if value else None
