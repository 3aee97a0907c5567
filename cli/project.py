"""`qda init`, `migrate`, `status`, `backup`, `restore`, `migrate-store` and `demo`: a
project as a whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import (
    JsonOpt,
    ProjectOpt,
    actor,
    cell,
    console,
    count,
    opened,
    progress_bar,
    user_errors,
    where,
)


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new project.")] = Path("."),
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Use a PostgreSQL server instead of project.sqlite.")] = None,
    study: Annotated[str | None, typer.Option(
        "--study", help="Start from a study profile: its areas, participant groups and "
        "formats (bundled: vgr-forstudie; or a .toml file, see `qda study save`). Without "
        "one the project learns them from the material.")] = None,
) -> None:
    """Create a project folder (project.sqlite, sources/, exports/) or upgrade an old one."""
    from corpus.project import init_project

    with user_errors():
        project = init_project(path, database_url, study=study, actor=actor())
        console.print(f"Project ready in [bold]{project.root}[/bold] ({where(project)})")
        project.close()


def migrate(project: ProjectOpt = Path(".")) -> None:
    """Upgrade the database schema (needed on a server after an upgrade of workshop-qda)."""
    from corpus.project import open_project

    with user_errors():
        opened_project = open_project(project, allow_upgrade=True)
        console.print(f"Schema is current ({where(opened_project)})")
        opened_project.close()


def backup_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    out: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
) -> None:
    """A consistent snapshot while coders keep working (SQLite's backup API, or pg_dump),
    with the settings and the original files."""
    from corpus.backup import backup

    with user_errors(), progress_bar("Backing up") as update:
        manifest = backup(opened(project), out, update)
    console.print(f"backup of {project} ({manifest['store']}) → {out}", highlight=False)


def restore_command(
    backup_dir: Annotated[Path, typer.Argument(help="A folder written by `qda backup`.")],
    project: Annotated[Path, typer.Argument(help="A new, empty project folder.")],
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="PostgreSQL backups: an empty database to restore into.")]
    = None,
) -> None:
    """Bring a backup back as a new project (row counts checked against the backup)."""
    from corpus.backup import restore

    with user_errors():
        restored = restore(backup_dir, project, database_url)
    console.print(f"restored {backup_dir} → {restored.root} ({where(restored)})",
                  highlight=False)
    restored.close()


def migrate_store_command(
    project: Annotated[Path, typer.Argument(help="The project folder to move.")],
    target: Annotated[Path, typer.Argument(help="A new folder for the moved project.")],
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="An empty PostgreSQL database to move to (default: "
        "project.sqlite in the new folder, i.e. back from a server).")] = None,
) -> None:
    """Move a project between stores (laptop SQLite -> team server, and back): every row
    with its id, the id counters, the audit log and the original files, checked by row
    count and checksum per table. The old project is left as it was."""
    from corpus.migrate_store import migrate_store
    from corpus.project import open_project, without_password

    with user_errors():
        source = opened(project)
        try:
            with progress_bar("Copying tables") as update:
                checks = migrate_store(source, target, database_url, update)
        finally:
            source.close()
        moved = open_project(target, url=database_url)
        shown = where(moved)
        moved.close()
    table = Table("table", "rows", "checksum (sha256)", "next id", title="Copied and checked")
    for check in checks:
        table.add_row(check.table, str(check.copied_rows), check.copied_checksum[:16],
                      "" if check.next_id is None else str(check.next_id + 1))
    console.print(table)
    console.print(f"moved {project} → {target} ({shown}); every table's rows and checksum "
                  "match", highlight=False)
    if database_url and without_password(database_url) != database_url:
        console.print("qda.toml names the server without the password: give it in "
                      "PGPASSWORD, ~/.pgpass or QDA_DATABASE_URL", highlight=False)


def status(project: ProjectOpt = Path("."), as_json: JsonOpt = False) -> None:
    """Sources, segments per kind/question/area, coders and codings."""
    from corpus import status as status_mod

    with user_errors():
        proj = opened(project)
        totals = status_mod.totals(proj)
        sources = status_mod.source_rows(proj)
        areas, segments = status_mod.segment_table(proj)
        statuses, codings = status_mod.coding_table(proj)
    if as_json:
        print(json.dumps({"totals": totals, "sources": sources, "segments": segments,
                          "codings": codings}, ensure_ascii=False, default=_iso))
        return
    console.print(f"[bold]{proj.root}[/bold] ({where(proj)}): "
                  + ", ".join(count(n, what.replace("_", " ")) for what, n in totals.items()),
                  highlight=False)
    shown = [c for c in status_mod.SOURCE_COLUMNS if c != "imported"]
    table = Table(*shown, title="Sources")
    for row in sources:
        table.add_row(*[escape(cell(row[c])) for c in shown])
    console.print(table)
    if segments:
        seg = Table("kind", "question", *areas, title="Segments per question and area")
        for row in segments:
            asked = row["question"]
            seg.add_row(row["kind"], "–" if asked is None else f"question {asked}",
                        *[str(row[a]) for a in areas])
        console.print(seg)
    if codings:
        cod = Table("coder", *statuses, title="Codings")
        for row in codings:
            cod.add_row(row["coder"], *[str(row[s]) for s in statuses])
        console.print(cod)


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def demo(
    path: Annotated[Path, typer.Argument(help="Folder for the demo project.")] = Path(
        "demo-project"),
    force: Annotated[bool, typer.Option(help="Rebuild the folder if it holds a project.")] = False,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Build it on an empty PostgreSQL database instead of "
        "project.sqlite.")] = None,
) -> None:
    """Build the bundled demo project: workshops, notes, Padlet, transcripts, the study's
    codebook, suggestions for every segment, and a small Delphi study."""
    from coding.demo import build_coded_demo
    from delphi.demo import add_demo_study

    with user_errors():
        project = build_coded_demo(path, force=force, log=console.print, url=database_url)
        add_demo_study(project)
        console.print("Delphi study: two rounds of a panel of eight (fictional answers)")
        console.print(f"Demo project ready in [bold]{project.root}[/bold]")
        project.close()


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(migrate)
    app.command()(status)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("migrate-store")(migrate_store_command)
    app.command()(demo)
