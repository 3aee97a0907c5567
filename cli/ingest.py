"""`qda ingest`: post-it workbooks, Padlet exports, survey comments and transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from corpus.errors import QdaError

from .common import (
    INTERRUPTED,
    ProjectOpt,
    actor,
    console,
    count,
    err,
    opened,
    progress_bar,
    user_errors,
)

if TYPE_CHECKING:
    from corpus.ingest import IngestReport
    from corpus.project import Project


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    kind: Annotated[str | None, typer.Option(
        help="postits, padlet, survey (spreadsheets); default: detected.")] = None,
    question: Annotated[int | None, typer.Option(help="Question number for every note.")] = None,
    area: Annotated[str | None, typer.Option(
        help="Area for every unit without one; a label the project does not know becomes a "
        "new area (unless `qda study fix area`).")] = None,
    group: Annotated[str | None, typer.Option(
        help="Participant group for every unit without one (e.g. Politiker).")] = None,
    speakers: Annotated[Path | None, typer.Option(
        help="A speaker list (.csv, .tsv, .txt or .xlsx; two columns: the speaker as "
             "written in the transcript, the participant group): each speaker's turns get "
             "that group, over --group. Read, never stored.")] = None,
    layout: Annotated[str | None, typer.Option(
        help="Sheet layout: wide, long, list, padlet, survey, questions (a column per "
             "question); default: detected.")] = None,
    workshop: Annotated[str | None, typer.Option(help="Label of a registered workshop.")] = None,
    replace: Annotated[bool, typer.Option(
        help="Import again a file imported before (same bytes, or a corrected file of the "
             "same name); keeps its question, area and workshop unless given. A file "
             "with nothing to replace is refused.")] = False,
    replaces: Annotated[str | None, typer.Option(
        metavar="SOURCE",
        help="Replace this source (its id or file name; see `qda status`) with the one "
             "file given: a corrected file saved under a new name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Import post-it workbooks, Padlet exports, survey comments and transcripts.

    Each file is one transaction: it is imported whole or not at all.
    """
    from corpus.helpers import preparing_helpers

    # the helpers are forked first, before any connection or progress-bar thread exists
    # and before the rest is imported: they import spaCy meanwhile (the main process of
    # a folder import never needs it); a folder of one file forks them for nothing
    several = len(paths) > 1 or any(path.is_dir() for path in paths)
    with preparing_helpers(None if several else 0) as helpers, user_errors():
        from corpus.ingest import StoreOptions, expand_paths, ingest_paths, skipped_in_folders
        from corpus.readers import ReadOptions
        from corpus.speakers import read_speaker_list
        from corpus.status import source_names

        files = expand_paths(paths)
        skipped = skipped_in_folders(paths)
        if not files:
            why = f" (skipped: {'; '.join(r.error or '' for r in skipped[:3])}" + (
                f"; and {len(skipped) - 3} more)" if len(skipped) > 3 else ")") if skipped else ""
            raise QdaError(f"no importable files found in the given paths{why}", code="E150")
        options = ReadOptions(kind=kind, question=question, area=area, layout=layout,
                              group=group, speakers=read_speaker_list(speakers)
                              if speakers is not None else None)
        done = iter(range(len(files) + 1))
        proj = opened(project)
        before = set(source_names(proj)) if len(files) > 1 else set()
        try:
            with progress_bar("Importing", quiet=as_json) as update:
                update(0, len(files))  # the count at once, not "0/?" until a file is read
                store = StoreOptions(workshop=workshop, replace=replace, replaces=replaces)
                reports = ingest_paths(proj, files, options, store=store, actor=actor(),
                                       helpers=helpers,
                                       on_file=lambda p: update(next(done), len(files),
                                                                f"Importing {p.name}"))
        except KeyboardInterrupt:
            if len(files) < 2:
                raise
            interrupted(proj, before, len(files))
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


def interrupted(project: Project, before: set[int], files: int) -> None:
    """Ctrl-C in a folder's import: which files got in (each committed whole, the one in
    progress too when the interrupt came after its commit) and how to go on. The reports
    of the files before are not printed: they were never returned."""
    from corpus.status import source_names

    names = [name for sid, name in source_names(project).items() if sid not in before]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    err.print(f"interrupted: {count(len(names), 'files')} of {files} imported and kept"
              + (f" ({escape(shown)})" if names else "")
              + "; the others were not imported, nothing is half-written. Run the same "
              "command again to import the rest: the files already in are refused as "
              "copies (E130).", highlight=False, soft_wrap=True)
    raise typer.Exit(INTERRUPTED)


def print_report(report: IngestReport) -> None:
    """A file's report, in one print: a folder of 2,300 files printed line by line took
    over a second. Everything from the file (its name, its text in a warning, a sheet's
    name) is escaped: Rich would read "[namn]" in a quote as markup and drop it."""
    name = escape(Path(report.path).name)
    if report.error:
        err.print(f"[red]✗[/red] {escape(report.error)}", highlight=False, soft_wrap=True)
        return
    units = ", ".join(count(n, f"{kind}s") for kind, n in sorted(report.segments.items()))
    where = f", {report.area_label or report.area}" if report.area else ""
    lines = [f"[green]✓[/green] {name}: {report.kind} ({report.file_format}{where}), "
             f"{units} → source {report.source_id}"
             + (" (replaced)" if report.status == "replaced" else "")]
    if report.title:
        lines.append(f"    title {escape(repr(report.title))} (a heading: not a unit)")
    for sheet in report.sheets:
        sheet_name = escape(repr(sheet["name"]))
        if sheet["layout"] == "skipped":
            lines.append(f"    sheet {sheet_name}: skipped "
                         f"({escape('; '.join(sheet['skipped']))})")
            continue
        per_area = ", ".join(f"{a} {n}" for a, n in sheet["notes_per_area"].items())
        asked = sheet["questions"]          # its notes': a Fråga column may give them
        question = (f"question {asked[0]}" if len(asked) == 1 else
                    "questions " + ", ".join(map(str, asked)) if asked else "no question")
        lines.append(f"    sheet {sheet_name}: {sheet['layout']} layout, {question}; "
                     f"{escape(per_area)}; "
                     f"{count(sheet['duplicate_marks'], 'duplicate marks')}")
        lines += [f"      skipped {escape(skipped)}" for skipped in sheet["skipped"][:5]]
        if len(sheet["skipped"]) > 5:
            lines.append(f"      … and {len(sheet['skipped']) - 5} more skipped cells")
    if report.pseudonymised:
        lines.append("    pseudonymised: " + ", ".join(
            count(n, what.replace('_', ' ')) for what, n in report.pseudonymised.items()))
    if report.suspects:
        lines.append(f"    [yellow]to review:[/yellow] {len(report.suspects)} word(s) that may "
                     "be a name were left as they are (mask or keep each: `qda suspects`, or "
                     "the Projekt page): " + escape(", ".join(
                         f"{w} ×{n}" for w, (n, _) in sorted(report.suspects.items()))))
    if report.replaced:
        r = report.replaced
        relabelled = (f"{r['relabelled']} with the same text in another area or question, "
                      if r.get("relabelled") else "")
        lines.append(f"    replaced: {count(r['unchanged'], 'units')} unchanged, {relabelled}"
                     f"{r['new']} new or changed in the new file, {r['gone']} no longer in it; "
                     f"{count(r['codings kept'], 'decided codings')} kept, "
                     f"{r['codings dropped']} dropped"
                     + (" (listed below and kept in the audit log)" if r["codings dropped"]
                        else ""))
    lines += [f"    [cyan]study:[/cyan] {escape(line)}" for line in report.learned_en]
    lines += [f"    [yellow]warning:[/yellow] {escape(warning)}" for warning in report.warnings]
    console.print("\n".join(lines), highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
