"""`qda workshops`: register workshops with their area, format, date and participants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corpus.areas import AREAS, ROLES

from .common import JsonOpt, ProjectOpt, cell, console, opened, user_errors

workshops_app = typer.Typer(help="Register workshops: area, format, date, participants.",
                            no_args_is_help=True)


@workshops_app.command("add")
def workshops_add(
    label: Annotated[str, typer.Argument(help="A unique label, e.g. 'GR digital 2025-02-12'.")],
    area: Annotated[str, typer.Option(help=f"One of: {', '.join(AREAS.values())}.")],
    format: Annotated[str | None, typer.Option(help="digital or fysisk.")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    politicians: Annotated[int | None, typer.Option(help=ROLES["politicians"])] = None,
    second_line_managers: Annotated[int | None, typer.Option(
        help=ROLES["second_line_managers"])] = None,
    first_line_managers: Annotated[int | None, typer.Option(
        help=ROLES["first_line_managers"])] = None,
    officials: Annotated[int | None, typer.Option(help=ROLES["officials"])] = None,
    care_staff: Annotated[int | None, typer.Option(help=ROLES["care_staff"])] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a workshop, or update the one with the same label."""
    fields = {k: v for k, v in locals().items() if k != "project" and v is not None}
    from corpus.workshops import add_workshop

    with user_errors():
        ws = add_workshop(opened(project), **fields)
        console.print(f"Workshop {ws.id}: {ws.label} ({AREAS[ws.area]})")


@workshops_app.command("import")
def workshops_import(
    file: Annotated[Path, typer.Argument(help="CSV or YAML with label, area, format, date and "
                                         "role columns (Swedish or English headers).")],
    project: ProjectOpt = Path("."),
) -> None:
    """Import workshops from a file; all rows or none."""
    from corpus.workshops import import_workshops

    with user_errors():
        done = import_workshops(opened(project), file)
        console.print(f"{len(done)} workshops imported or updated from {file.name}")


@workshops_app.command("list")
def workshops_list(project: ProjectOpt = Path("."), as_json: JsonOpt = False) -> None:
    """List the registered workshops with participants per role."""
    from corpus.workshops import workshops_frame

    with user_errors():
        frame = workshops_frame(opened(project))
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False))
        return
    table = Table("id", "label", "area", "format", "date", *ROLES.values())
    for row in frame.itertuples(index=False):
        table.add_row(*[cell(v) for v in row])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(workshops_app, name="workshops")
