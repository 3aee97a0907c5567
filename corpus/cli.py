"""`qda` commands for projects, workshops, ingest and status (a thin layer over the library)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from . import status as status_mod
from . import workshops as ws_mod
from .areas import AREAS, ROLES, require_area
from .console import ProjectOpt, actor, console, err, opened, user_errors
from .errors import QdaError
from .ingest import IngestReport, expand_paths, ingest_paths
from .project import Project, init_project, open_project
from .readers import ReadOptions

workshops_app = typer.Typer(help="Register workshops: area, format, date, participants.",
                            no_args_is_help=True)


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new project.")] = Path("."),
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Use a PostgreSQL server instead of project.sqlite.")] = None,
) -> None:
    """Create a project folder (project.sqlite, sources/, exports/) or upgrade an old one."""
    with user_errors():
        project = init_project(path, database_url)
        console.print(f"Project ready in [bold]{project.root}[/bold] ({_where(project)})")
        project.close()


def migrate(project: ProjectOpt = Path(".")) -> None:
    """Upgrade the database schema (needed on a server after an upgrade of workshop-qda)."""
    with user_errors():
        opened_project = open_project(project, allow_upgrade=True)
        console.print(f"Schema is current ({_where(opened_project)})")
        opened_project.close()


def backup_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    out: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
) -> None:
    """A consistent snapshot while coders keep working (SQLite's backup API, or pg_dump),
    with the settings and the original files."""
    from .backup import backup

    with user_errors():
        manifest = backup(open_project(project), out)
    console.print(f"backup of {project} ({manifest['store']}) → {out}", highlight=False)


def restore_command(
    backup_dir: Annotated[Path, typer.Argument(help="A folder written by `qda backup`.")],
    project: Annotated[Path, typer.Argument(help="A new, empty project folder.")],
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="PostgreSQL backups: an empty database to restore into.")]
    = None,
) -> None:
    """Bring a backup back as a new project (row counts checked against the backup)."""
    from .backup import restore

    with user_errors():
        restored = restore(backup_dir, project, database_url)
    console.print(f"restored {backup_dir} → {restored.root} ({_where(restored)})",
                  highlight=False)
    restored.close()


def _where(project: Project) -> str:
    return "SQLite" if project.is_sqlite else project.engine.url.render_as_string(
        hide_password=True)


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
    with user_errors():
        ws = ws_mod.add_workshop(opened(project), **fields)
        console.print(f"Workshop {ws.id}: {ws.label} ({AREAS[ws.area]})")


@workshops_app.command("import")
def workshops_import(
    file: Annotated[Path, typer.Argument(help="CSV or YAML with label, area, format, date and "
                                         "role columns (Swedish or English headers).")],
    project: ProjectOpt = Path("."),
) -> None:
    """Import workshops from a file; all rows or none."""
    with user_errors():
        done = ws_mod.import_workshops(opened(project), file)
        console.print(f"{len(done)} workshops imported or updated from {file.name}")


@workshops_app.command("list")
def workshops_list(project: ProjectOpt = Path("."),
                   as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the registered workshops with participants per role."""
    with user_errors():
        frame = ws_mod.workshops_frame(opened(project))
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False))
        return
    table = Table("id", "label", "area", "format", "date", *ROLES.values())
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    kind: Annotated[str | None, typer.Option(
        help="postits, padlet, survey (spreadsheets); default: detected.")] = None,
    question: Annotated[int | None, typer.Option(help="Question number for every note.")] = None,
    area: Annotated[str | None, typer.Option(help="Area for every unit without one.")] = None,
    layout: Annotated[str | None, typer.Option(
        help="Sheet layout: wide, long, list, padlet, survey; default: detected.")] = None,
    workshop: Annotated[str | None, typer.Option(help="Label of a registered workshop.")] = None,
    replace: Annotated[bool, typer.Option(help="Import again a file imported before.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Import post-it workbooks, Padlet exports, survey comments and transcripts.

    Each file is one transaction: it is imported whole or not at all.
    """
    with user_errors():
        try:
            area_key = require_area(area) if area else None
        except ValueError as exc:
            raise QdaError(f"--area: {exc}", code="E151") from exc
        proj = opened(project)
        files = expand_paths(paths)
        if not files:
            raise QdaError("no importable files found in the given paths", code="E150")
        options = ReadOptions(kind=kind, question=question, area=area_key, layout=layout)
        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), console=err,
                      transient=True, disable=as_json or not err.is_terminal) as progress:
            task = progress.add_task("Importing", total=len(files))

            def step(path: Path) -> None:
                progress.update(task, description=f"Importing {path.name}")

            reports = ingest_paths(proj, files, options, workshop, replace, actor=actor(),
                                   on_file=lambda p: (step(p), progress.advance(task)))
    if as_json:
        print(json.dumps([r.__dict__ for r in reports], ensure_ascii=False, default=str))
    else:
        for report in reports:
            _print_report(report)
    if any(r.status in ("failed", "refused") for r in reports):
        raise typer.Exit(1)


def _cell(value: object) -> str:
    """Table cell text: blank for missing, whole numbers without '.0'."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _print_report(report: IngestReport) -> None:
    name = Path(report.path).name
    if report.error:
        err.print(f"[red]✗[/red] {report.error}", highlight=False, soft_wrap=True)
        return
    units = ", ".join(f"{n} {kind}s" for kind, n in sorted(report.segments.items()))
    where = f", {AREAS.get(report.area, report.area)}" if report.area else ""
    console.print(f"[green]✓[/green] {name}: {report.kind} ({report.file_format}{where}), "
                  f"{units} → source {report.source_id}"
                  + (" (replaced)" if report.status == "replaced" else ""), highlight=False)
    for sheet in report.sheets:
        if sheet["layout"] == "skipped":
            console.print(f"    sheet {sheet['name']!r}: skipped ({'; '.join(sheet['skipped'])})",
                          highlight=False)
            continue
        per_area = ", ".join(f"{a} {n}" for a, n in sheet["notes_per_area"].items())
        question = f"fråga {sheet['question']}" if sheet["question"] else "no question"
        console.print(f"    sheet {sheet['name']!r}: {sheet['layout']} layout, {question}; "
                      f"{per_area}; {sheet['duplicate_marks']} duplicate marks", highlight=False)
        for skipped in sheet["skipped"][:5]:
            console.print(f"      skipped {skipped}", highlight=False)
        if len(sheet["skipped"]) > 5:
            console.print(f"      … and {len(sheet['skipped']) - 5} more skipped cells")
    if report.pseudonymised:
        console.print("    pseudonymised: " + ", ".join(
            f"{n} {what.replace('_', ' ')}" for what, n in report.pseudonymised.items()),
            highlight=False)
    if report.suspects:
        console.print(f"    [yellow]to review:[/yellow] {len(report.suspects)} word(s) that may "
                      "be a name were left as they are (mask or keep each: `qda suspects`, or "
                      "the Projekt page): " + ", ".join(
                          f"{w} ×{n}" for w, (n, _) in sorted(report.suspects.items())),
                      highlight=False)
    if report.replaced:
        r = report.replaced
        console.print(f"    replaced: {r['unchanged']} units unchanged, {r['new']} new or "
                      f"changed, {r['gone']} changed or removed; {r['codings kept']} decided "
                      "codings "
                      f"kept, {r['codings dropped']} dropped (listed below and kept in the "
                      "audit log)", highlight=False)
    for warning in report.warnings:
        console.print(f"    [yellow]warning:[/yellow] {warning}", highlight=False)


def status(project: ProjectOpt = Path("."),
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Sources, segments per kind/question/area, coders and codings."""
    with user_errors():
        proj = opened(project)
        totals = status_mod.totals(proj)
        sources = status_mod.sources_frame(proj)
        segments = status_mod.segment_counts(proj)
        codings = status_mod.coding_counts(proj)
    if as_json:
        print(json.dumps({
            "totals": totals,
            "sources": json.loads(sources.to_json(orient="records", force_ascii=False,
                                                  date_format="iso")),
            "segments": [{"kind": k, "question": q, **row}
                         for (k, q), row in segments.to_dict(orient="index").items()],
            "codings": codings.reset_index().to_dict(orient="records"),
        }, ensure_ascii=False))
        return
    console.print(f"[bold]{proj.root}[/bold] ({_where(proj)}): "
                  + ", ".join(f"{n} {what}" for what, n in totals.items()), highlight=False)
    table = Table(*sources.columns.drop("imported"), title="Sources")
    for row in sources.drop(columns="imported").itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)
    if not segments.empty:
        seg = Table("kind", "question", *segments.columns, title="Segments per question and area")
        for (kind, question), row in segments.iterrows():
            seg.add_row(kind, question, *[str(v) for v in row])
        console.print(seg)
    if not codings.empty:
        cod = Table("coder", *codings.columns, title="Codings")
        for coder, row in codings.iterrows():
            cod.add_row(coder, *[str(v) for v in row])
        console.print(cod)


def register(app: typer.Typer) -> None:
    """Add this package's commands to the `qda` app."""
    app.command()(init)
    app.command()(migrate)
    app.add_typer(workshops_app, name="workshops")
    app.command()(ingest)
    app.command()(status)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)

