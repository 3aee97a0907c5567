"""What every `qda` command shares: the consoles, the project option, the acting user, and
turning a QdaError into its one line and exit code 1."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import QdaError
from .project import Project, open_project

# Piped output (files, CI logs) gets wide tables instead of 80 columns of wrapped cells.
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, soft_wrap=True, width=_WIDTH)

ProjectOpt = Annotated[Path, typer.Option(
    "--project", "-p", envvar="QDA_PROJECT", help="Project folder (default: current folder).",
    show_default=False)]


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a QdaError as its one line and exit 1; never a traceback for bad input."""
    try:
        yield
    except QdaError as exc:
        err.print(f"[red]error:[/red] {exc.line()}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def opened(project: Path) -> Project:
    return open_project(project)


def actor() -> str:
    """Who is acting, for the audit log: $QDA_CODER, else the login name."""
    return os.environ.get("QDA_CODER") or os.environ.get("USER") or "qda"
