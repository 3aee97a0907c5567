"""`qda workshops`: register workshops with their area, format, date and participants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corpus.errors import QdaError

from .common import JsonOpt, ProjectOpt, actor, cell, console, opened, user_errors

workshops_app = typer.Typer(help="Register workshops: area, format, date, participants.",
                            no_args_is_help=True)


def _counts(values: list[str] | None) -> dict[str, str]:
    """'Politiker=4' -> {'Politiker': '4'}."""
    out = {}
    for value in values or []:
        group, sep, number = value.rpartition("=")
        if not sep or not group.strip():
            raise QdaError(f"--participants takes GROUP=NUMBER, not {value!r}", None, "E144")
        out[group.strip()] = number.strip()
    return out


@workshops_app.command("add")
def workshops_add(
    label: Annotated[str, typer.Argument(help="A unique label, e.g. 'GR digital 2025-02-12'.")],
    area: Annotated[str, typer.Option(
        help="The workshop's area: one of the project's (`qda study show area`), or a new "
        "one (unless the list is fixed).")],
    format: Annotated[str | None, typer.Option(
        help="How it was held, e.g. digital or fysisk (a new format is learned).")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    participants: Annotated[list[str] | None, typer.Option(
        "--participants", "-n", metavar="GROUP=N",
        help="Participants of one group, e.g. -n Politiker=4 -n Vårdpersonal=6 (repeatable; "
        "a group the project does not know is learned).")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a workshop, or update the one with the same label."""
    from corpus.study import load_project
    from corpus.workshops import add_workshop

    with user_errors():
        fields = {"label": label, "area": area, "format": format, "date": date,
                  "counts": _counts(participants)}
        proj = opened(project)
        ws = add_workshop(proj, actor=actor(), **{k: v for k, v in fields.items()
                                                  if v is not None})
        console.print(f"Workshop {ws.id}: {ws.label} ({load_project(proj).areas.label(ws.area)})",
                      highlight=False)


@workshops_app.command("import")
def workshops_import(
    file: Annotated[Path, typer.Argument(help="CSV or YAML with label, area, format, date and "
                                         "a column per participant group (Swedish or English "
                                         "headers).")],
    project: ProjectOpt = Path("."),
) -> None:
    """Import workshops from a file; all rows or none."""
    from corpus.workshops import import_workshops

    with user_errors():
        done = import_workshops(opened(project), file, actor=actor())
        console.print(f"{len(done)} workshops imported or updated from {file.name}",
                      highlight=False)
        for line in done.learned_en:
            console.print(f"  study: {line}", highlight=False, markup=False)


@workshops_app.command("list")
def workshops_list(project: ProjectOpt = Path("."), as_json: JsonOpt = False) -> None:
    """List the registered workshops with participants per group."""
    from corpus.workshops import workshops_frame

    with user_errors():
        frame = workshops_frame(opened(project))
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False))
        return
    table = Table(*[str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        table.add_row(*[cell(v) for v in row])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(workshops_app, name="workshops")
