"""`qda ingest`: post-it workbooks, Padlet exports, survey comments and transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corpus.areas import AREAS
from corpus.errors import QdaError

from .common import ProjectOpt, actor, console, count, err, opened, progress_bar, user_errors

if TYPE_CHECKING:
    from corpus.ingest import IngestReport


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
    from corpus.areas import require_area
    from corpus.helpers import preparing_helpers
    from corpus.ingest import expand_paths, ingest_paths, skipped_in_folders
    from corpus.readers import ReadOptions

    with user_errors():
        try:
            area_key = require_area(area) if area else None
        except ValueError as exc:
            raise QdaError(f"--area: {exc}", code="E151") from exc
        files = expand_paths(paths)
        skipped = skipped_in_folders(paths)
        if not files:
            why = f" (skipped: {'; '.join(r.error for r in skipped[:3])}" + (
                f"; and {len(skipped) - 3} more)" if len(skipped) > 3 else ")") if skipped else ""
            raise QdaError(f"no importable files found in the given paths{why}", code="E150")
        options = ReadOptions(kind=kind, question=question, area=area_key, layout=layout)
        done = iter(range(len(files) + 1))
        # the helpers are forked first: before any connection or progress-bar thread exists
        with preparing_helpers(0 if len(files) < 2 else None) as helpers:
            proj = opened(project)
            with progress_bar("Importing", quiet=as_json) as update:
                reports = ingest_paths(proj, files, options, workshop, replace,
                                       actor=actor(), helpers=helpers,
                                       on_file=lambda p: update(next(done), len(files),
                                                                f"Importing {p.name}"))
    if as_json:
        print(json.dumps([r.__dict__ for r in [*reports, *skipped]], ensure_ascii=False,
                         default=str))
    else:
        for report in reports:
            print_report(report)
        for report in skipped:
            err.print(f"[yellow]–[/yellow] skipped {report.error}", highlight=False,
                      soft_wrap=True)
    if any(r.status in ("failed", "refused") for r in reports):
        raise typer.Exit(1)


def print_report(report: IngestReport) -> None:
    name = Path(report.path).name
    if report.error:
        err.print(f"[red]✗[/red] {report.error}", highlight=False, soft_wrap=True)
        return
    units = ", ".join(count(n, f"{kind}s") for kind, n in sorted(report.segments.items()))
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
                      f"{per_area}; {count(sheet['duplicate_marks'], 'duplicate marks')}",
                      highlight=False)
        for skipped in sheet["skipped"][:5]:
            console.print(f"      skipped {skipped}", highlight=False)
        if len(sheet["skipped"]) > 5:
            console.print(f"      … and {len(sheet['skipped']) - 5} more skipped cells")
    if report.pseudonymised:
        console.print("    pseudonymised: " + ", ".join(
            count(n, what.replace('_', ' ')) for what, n in report.pseudonymised.items()),
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


def register(app: typer.Typer) -> None:
    app.command()(ingest)
