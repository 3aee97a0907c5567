"""What every `qda` command shares: the consoles, the project option, the acting user,
table cells, and turning a QdaError into its one line and exit code 1.

Nothing here (or at the top of any cli module) imports the library's heavy parts: a
command imports what it uses when it runs, so `qda --help` answers at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from corpus.errors import QdaError
from corpus.locations import PROJECT_ENV

if TYPE_CHECKING:
    from corpus.actors import Actor
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


INTERRUPTED = 130      # the shell's exit status after Ctrl-C


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a QdaError as its one line and exit 1; never a traceback for bad input.
    Ctrl-C ends the command with exit 130: the transaction in progress has rolled back
    and any file in progress was never renamed into place."""
    try:
        yield
    except QdaError as exc:
        err.print(f"[red]error:[/red] {escape(exc.line())}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted: the step in progress was undone, nothing is half-written "
                  "(steps that finished before stay)", highlight=False)
        raise typer.Exit(INTERRUPTED) from None


@contextmanager
def progress_bar(label: str, quiet: bool = False
                 ) -> Iterator[Callable[..., None]]:   # update(done, total=None, what=None)
    """A progress bar on stderr (only on a terminal): yields `update(done, total, what)`."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, transient=True,
                  disable=quiet or not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None = None, what: str | None = None) -> None:
            # a file name is text, not markup: "fråga[2].csv" must not vanish or fail
            bar.update(task, completed=done, total=total,
                       description=escape(what) if what else label)

        yield update


def group_project(ctx: typer.Context, project: Path) -> Path:
    """The project of a group's subcommand: its own -p, else one given before the
    subcommand (`qda merges -p DIR accept 3 4` means DIR, not the current folder)."""
    def typed(c: Any) -> bool:             # beats $QDA_PROJECT and the default
        source = c.get_parameter_source("project")   # typer's own click: compare by name
        return source is not None and source.name == "COMMANDLINE"

    parent = ctx.parent
    if not typed(ctx) and parent is not None and typed(parent):
        return parent.params["project"]
    return project


def opened(project: Path) -> Project:
    """The project, marked as changed from the command line by the person at this
    terminal: every audit event it writes says channel "cli" and names the
    operating-system user, whatever login the command acts for."""
    from corpus.project import open_project

    made = open_project(project)
    made.channel, made.os_user = "cli", os_user()
    return made


def os_user() -> str:
    """The operating-system user running this command."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):           # no name for this uid (a container)
        return f"uid {os.getuid()}"


def login() -> str:
    """The login this command acts for, for the audit log: $QDA_CODER, else the
    operating-system user (who is at the terminal is recorded beside it, `opened`)."""
    return os.environ.get("QDA_CODER") or os_user()


def actor(acting_for: str | None = None) -> Actor:
    """Who this command acts as: the system actor of the command line (refused nothing:
    shell access to a project is everything), naming the login it acts for (`login()`,
    or `acting_for`: the coder a decision is recorded for) and the operating-system user
    at the terminal."""
    from corpus.actors import system_actor

    return system_actor(acting_for or login(), channel="cli", os_user=os_user())


def where(project: Project) -> str:
    """The store a project uses, without a password."""
    return "SQLite" if project.is_sqlite else project.engine.url.render_as_string(
        hide_password=True)


def cell(value: object) -> str:
    """Table cell text: blank for missing (None, NaN, pandas' NA: "<NA>" was printed),
    whole numbers without '.0'."""
    # pandas is not imported here: the CLI starts without it
    if value is None or type(value).__name__ == "NAType" or (
            isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count(n: int, plural: str) -> str:
    """'1 note', '2 notes'; '1 phone number', '1 duplicate mark'."""
    if n != 1:
        return f"{n} {plural}"
    return f"1 {plural.removesuffix('s')}"


def split_list(value: str | None) -> list[str] | None:
    """'a, b,' -> ['a', 'b']; nothing given -> None (the library's default)."""
    return [c.strip() for c in value.split(",") if c.strip()] if value else None
