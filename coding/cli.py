"""`qda codebook`, `qda suggest`, `qda code`, `qda segments`, `qda codings`, `qda eval`
and `qda demo`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corpus.areas import AREAS
from corpus.console import ProjectOpt, actor, console, err, opened, user_errors
from corpus.errors import QdaError

from . import codes as codes_mod
from . import codings as codings_mod
from .codebook import bundled_names, join_path, read_codebook
from .evaluate import LEVELS, SIGNALS, evaluate, read_labelled
from .exchange import export_codings, export_segments, import_codings
from .identity import coder_for

codebook_app = typer.Typer(help="The codebook: list, add, rename, move, merge, delete, "
                                "import and export (YAML).", no_args_is_help=True)
segments_app = typer.Typer(help="Segments out as a table (TSV/CSV/XLSX).", no_args_is_help=True)
codings_app = typer.Typer(help="Codings in and out as tables (TSV/CSV/XLSX).",
                          no_args_is_help=True)
code_app = typer.Typer(help="Code segments from the command line: the review queue with "
                            "its suggestions, accept, reject, remove.", no_args_is_help=True)
CoderOpt = Annotated[str, typer.Option("--coder", envvar="QDA_CODER",
                                       help="Who decides (default: $QDA_CODER).")]
SegmentArg = Annotated[int, typer.Argument(help="Segment id (see `qda code next`).")]
CodeArg = Annotated[str, typer.Argument(help="Code id or path, e.g. 'Huvudtema > Subtema'.")]

MemoOpt = Annotated[str | None, typer.Option("--memo", help="Why (kept in the audit log).")]


@codebook_app.command("list")
def codebook_list(project: ProjectOpt = Path("."),
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The code tree with coding counts."""
    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            frame = codes_mod.codebook_frame(session)
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False))
        return
    if frame.empty:
        console.print("The codebook is empty. Try: qda codebook import fardplan  (bundled: "
                      + ", ".join(bundled_names()) + ")")
        return
    table = Table("id", "code", "origin", "keywords", "accepted", "suggested", "rejected")
    for row in frame.itertuples(index=False):
        name = "    " * row.depth + row.code.split(" > ")[-1]
        table.add_row(str(row.id), name, row.origin, str(row.keywords), str(row.accepted),
                      str(row.suggested), str(row.rejected))
    console.print(table)


@codebook_app.command("import")
def codebook_import(
    source: Annotated[str, typer.Argument(help="A bundled codebook name or a YAML file.")],
    project: ProjectOpt = Path("."),
) -> None:
    """Add a codebook's codes and merge it into those already there: texts the file gives
    replace the old, its keywords and examples are added; nothing it leaves out is lost."""
    with user_errors():
        doc = read_codebook(source)
        proj = opened(project)
        with proj.transaction() as session:
            stats = codes_mod.import_doc(session, doc, actor())
        console.print(f"Codebook {doc.name}: {stats['added']} codes added, "
                      f"{stats['updated']} updated", highlight=False)
        for path, fields in stats["changed"].items():
            console.print(f"  {path}: {', '.join(fields)}", highlight=False, markup=False)


@codebook_app.command("export")
def codebook_export(
    out: Annotated[Path | None, typer.Option("-o", "--output", help="YAML file (default: "
                                             "print).")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Write the project's codebook as YAML (the schema in docs/codebook.md)."""
    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            text = codes_mod.export_doc(session, proj.root.name).to_yaml()
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")


@codebook_app.command("add")
def codebook_add(
    path: Annotated[str, typer.Argument(help="'Huvudtema' or 'Huvudtema > Subtema'.")],
    definition: Annotated[str | None, typer.Option(help="What the code means.")] = None,
    keyword: Annotated[list[str] | None, typer.Option("--keyword", "-k",
                                                      help="A keyword (repeatable).")] = None,
    example: Annotated[list[str] | None, typer.Option("--example", help="An example text "
                                                      "(repeatable).")] = None,
    origin: Annotated[str, typer.Option(help="fardplan or emergent.")] = "emergent",
    colour: Annotated[str | None, typer.Option(help="e.g. '#1f77b4'.")] = None,
    memo: MemoOpt = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a code under an existing parent."""
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            row = codes_mod.add_code(session, path, actor(), memo=memo, definition=definition,
                                     keywords=keyword or [], examples=example or [],
                                     origin=origin, colour=colour)
            code_id = row.id
        console.print(f"Added code {code_id}: {path}", highlight=False)


@codebook_app.command("rename")
def codebook_rename(code: Annotated[str, typer.Argument(help="Code id or path.")],
                    new_name: Annotated[str, typer.Argument()], memo: MemoOpt = None,
                    project: ProjectOpt = Path(".")) -> None:
    """Rename a code; its codings stay with it."""
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            codes_mod.rename_code(session, code, new_name, actor(), memo)
        console.print(f"Renamed {code} to {new_name}", highlight=False)


@codebook_app.command("move")
def codebook_move(code: Annotated[str, typer.Argument(help="Code id or path.")],
                  parent: Annotated[str, typer.Argument(help="New parent (id or path), or '' "
                                                         "for the top level.")],
                  memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Move a code (with its sub-codes and codings) under another parent."""
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            codes_mod.move_code(session, code, parent or None, actor(), memo)
        console.print(f"Moved {code} under {parent or 'the top level'}", highlight=False)


@codebook_app.command("merge")
def codebook_merge(source: Annotated[str, typer.Argument(help="Code to fold in (id or path).")],
                   target: Annotated[str, typer.Argument(help="Code that remains.")],
                   memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Merge one code into another: codings and sub-codes follow, one audit event."""
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            stats = codes_mod.merge_codes(session, source, target, actor(), memo)
        console.print(f"Merged {source} into {target}: {stats['moved']} codings moved, "
                      f"{stats['dropped']} already there, {stats['children']} sub-codes moved",
                      highlight=False)


@codebook_app.command("delete")
def codebook_delete(code: Annotated[str, typer.Argument(help="Code id or path.")],
                    force: Annotated[bool, typer.Option(help="Also delete its codings.")] = False,
                    memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Delete a code and its sub-codes (refused while coders have used it, unless --force)."""
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            removed = codes_mod.delete_code(session, code, actor(), force, memo)
        console.print(f"Deleted {code} ({removed} codings removed)", highlight=False)


def suggest(
    project: ProjectOpt = Path("."),
    source: Annotated[list[int] | None, typer.Option("--source", help="Only this source id "
                                                     "(repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="note, turn or sentence "
                                                   "(repeatable).")] = None,
    coder: Annotated[str | None, typer.Option(help="Train on this coder's decisions only "
                                              "(blind coding).")] = None,
) -> None:
    """Train on the project's decisions and store ranked suggestions for its segments."""
    from .suggestions import suggest as run

    with user_errors():
        proj = opened(project)
        if coder:
            with proj.session() as session:
                coder = coder_for(session, coder)
        report = run(proj, source, kind, coder, actor=actor())
    if not report.codes:
        err.print("error: the codebook is empty; import one first, e.g. "
                  "`qda codebook import forstudie-postits`", highlight=False)
        raise typer.Exit(1)
    console.print(f"{report.suggestions} suggestions for {report.segments} segments "
                  f"(trained on {report.trained_on} coded segments, {report.codes} codes, "
                  f"{'learned' if report.blend_learned else 'default'} blend); "
                  f"{report.flagged} flagged 'passar ingen befintlig kod'", highlight=False)


@segments_app.command("export")
def segments_export(out: Annotated[Path, typer.Option("-o", "--output")] = Path("segments.tsv"),
                    project: ProjectOpt = Path(".")) -> None:
    """Every segment: id, source, kind, question, area, speaker pseudonym, text."""
    with user_errors():
        written = export_segments(opened(project), out)
    console.print(f"Wrote {written}")


@codings_app.command("export")
def codings_export(out: Annotated[Path, typer.Option("-o", "--output")] = Path("codings.tsv"),
                   coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
                   project: ProjectOpt = Path(".")) -> None:
    """Decided codings, one row per segment x code x coder, in the import's shape."""
    with user_errors():
        written = export_codings(opened(project), out, coder)
    console.print(f"Wrote {written}")


@codings_app.command("import")
def codings_import(
    file: Annotated[Path, typer.Argument(help="TSV, CSV or XLSX with segment|text and "
                                         "code|huvudtema+subtema columns.")],
    coder: Annotated[str | None, typer.Option(help="Coder for rows without a coder "
                                              "column.")] = None,
    codebook: Annotated[str | None, typer.Option(help="Import this codebook (bundled name or "
                                                 "YAML) first.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Bring in codings made elsewhere; unknown codes become emergent codes (reported)."""
    with user_errors():
        doc = read_codebook(codebook) if codebook else None
        report = import_codings(opened(project), file, coder, doc, actor())
    console.print(f"{file.name}: {report.codings} codings from {report.rows} rows "
                  f"({report.unchanged} already there) by {', '.join(report.coders) or '-'}",
                  highlight=False)
    for code in report.created_codes:
        console.print(f"    new emergent code: {code}", highlight=False)
    for line in report.unmatched[:20]:
        console.print(f"    [yellow]skipped[/yellow] {line}", highlight=False)
    if len(report.unmatched) > 20:
        console.print(f"    … and {len(report.unmatched) - 20} more skipped rows")


def eval_command(
    train: Annotated[Path, typer.Option("--train", help="Labelled TSV to learn from.")],
    test: Annotated[Path, typer.Option("--test", help="Labelled TSV to score.")],
    codebook: Annotated[str | None, typer.Option(help="Bundled name or YAML file (default: "
                                                 "the bundled one covering TRAIN best).")] = None,
    level: Annotated[str, typer.Option(help="huvudtema, subtema or both.")] = "both",
    curve: Annotated[bool, typer.Option(help="Compute the learning curve.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Measure suggestion quality: top-1/top-3 accuracy, macro-F1, per signal, and a
    learning curve (10, 25, 50, 100, all TRAIN rows; 5 random orders)."""
    with user_errors():
        if level not in (*LEVELS, "both"):
            raise QdaError(f"--level must be huvudtema, subtema or both, not {level!r}",
                           None, "E313")
        levels = list(LEVELS) if level == "both" else [level]
        doc = read_codebook(codebook) if codebook else None
        result = evaluate(read_labelled(train), read_labelled(test), doc, levels, curve)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    console.print(f"codebook {result['codebook']}; {result['n_train']} train rows, "
                  f"{result['n_test']} test rows; {len(result['emergent_codes_added'])} "
                  "emergent codes added from TRAIN", highlight=False)
    table = Table("level", "signal", "top-1", "top-3", "macro-F1", "n")
    for name, entry in result["levels"].items():
        for signal in SIGNALS:
            m = entry[signal]
            table.add_row(name, signal, *(f"{m[k]:.3f}" if m[k] is not None else "–"
                                          for k in ("top1", "top3", "macro_f1")), str(m["n"]))
    console.print(table)
    if result.get("learning_curve"):
        lc = Table("train rows", *levels, title="Learning curve (top-1, blended)")
        for point in result["learning_curve"]:
            lc.add_row(str(point["n_train"]), *(f"{point[n]:.3f}" if point[n] is not None
                                                else "–" for n in levels))
        console.print(lc)


def demo(
    path: Annotated[Path, typer.Argument(help="Folder for the demo project.")] = Path(
        "demo-project"),
    force: Annotated[bool, typer.Option(help="Rebuild the folder if it holds a project.")] = False,
) -> None:
    """Build the bundled demo project: workshops, notes, Padlet, transcripts, the study's
    codebook and suggestions for every segment."""
    from .demo import build_coded_demo

    with user_errors():
        project = build_coded_demo(path, force=force, log=console.print)
        console.print(f"Demo project ready in [bold]{project.root}[/bold]")
        project.close()


@code_app.command("next")
def code_next(
    coder: CoderOpt,
    project: ProjectOpt = Path("."),
    order: Annotated[str, typer.Option(help="active (most informative first) or "
                                       "document.")] = "active",
    limit: Annotated[int, typer.Option("-n", "--limit", min=1)] = 5,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="note, turn or sentence "
                                                   "(repeatable).")] = None,
    blind: Annotated[bool, typer.Option(help="Use your own suggestion layer "
                                        "(`qda suggest --coder`).")] = False,
) -> None:
    """Show the next segments to decide, with their numbered suggestions."""
    from .suggestions import pending

    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            coder = coder_for(session, coder)
        items = pending(proj, coder, order, limit, kind, blind)
    if not items:
        console.print(f"nothing left to decide for {coder}", highlight=False)
        return
    for item in items:
        area = AREAS.get(item.area or "", item.area)
        where = " · ".join(str(v) for v in (item.kind, area,
                                           item.question and f"fråga {item.question}") if v)
        console.print(f"[bold]segment {item.segment_id}[/bold] ({where})", highlight=False)
        console.print(f"  {item.text}", highlight=False, markup=False)
        if item.flagged:
            console.print("  [yellow]passar ingen befintlig kod?[/yellow]", highlight=False)
        for n, (code_id, path, score, reasons) in enumerate(item.suggestions, start=1):
            console.print(f"  {n}. {path} [dim](kod {code_id}, {score:.2f}; "
                          f"{'; '.join(reasons)})[/dim]", highlight=False)


def _decide(status: str, project: Path, segment: int, code: str, coder: str,
            memo: str | None, quote: bool | None) -> None:
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            coder = coder_for(session, coder)
            row = codes_mod.get_code(session, code)
            decided = codings_mod.decide(session, segment, row.id, coder, status, memo=memo,
                                         is_quote=quote, actor=coder)
            label = join_path(dict(codes_mod.ordered_paths(session)).get(row.id, (row.name,)))
            verb = "accepted" if decided.status == "accepted" else "rejected"
    console.print(f"{coder} {verb} {label!r} for segment {segment}", highlight=False)


QuoteOpt = Annotated[bool | None, typer.Option("--quote/--no-quote",
                                               help="Mark the segment as a quote (citat).")]


@code_app.command("accept")
def code_accept(segment: SegmentArg, code: CodeArg, coder: CoderOpt,
                project: ProjectOpt = Path("."), memo: MemoOpt = None,
                quote: QuoteOpt = None) -> None:
    """Code a segment (accept a suggestion, or any code of the codebook)."""
    _decide("accepted", project, segment, code, coder, memo, quote)


@code_app.command("reject")
def code_reject(segment: SegmentArg, code: CodeArg, coder: CoderOpt,
                project: ProjectOpt = Path("."), memo: MemoOpt = None) -> None:
    """Reject a suggested code: it is not suggested again and teaches the model."""
    _decide("rejected", project, segment, code, coder, memo, None)


@code_app.command("remove")
def code_remove(segment: SegmentArg, code: CodeArg, coder: CoderOpt,
                project: ProjectOpt = Path("."), memo: MemoOpt = None) -> None:
    """Undo a decision: the segment is undecided again for that code."""
    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            coder = coder_for(session, coder)
            row = codes_mod.get_code(session, code)
            removed = codings_mod.remove(session, segment, row.id, coder, memo)
    if not removed:
        err.print(f"error: {coder} has no decision on code {code!r} for segment {segment}",
                  highlight=False)
        raise typer.Exit(1)
    console.print(f"removed {coder}'s decision on {code!r} for segment {segment}",
                  highlight=False)


@code_app.command("done")
def code_done(segment: SegmentArg, coder: CoderOpt, project: ProjectOpt = Path(".")) -> None:
    """In a round of double coding: the unit is decided with no code (it counts as "no"
    for every code in the agreement)."""
    from .rounds import mark_done

    with user_errors(), opened(project).transaction() as session:
        coder = coder_for(session, coder)
        if not mark_done(session, segment, coder):
            raise QdaError(f"segment {segment} is not an open, undecided unit of {coder} "
                           "in any round", None, "E346")
    console.print(f"segment {segment}: done for {coder}, no code", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(codebook_app, name="codebook")
    app.command()(suggest)
    app.add_typer(segments_app, name="segments")
    app.add_typer(codings_app, name="codings")
    app.add_typer(code_app, name="code")
    app.command("eval")(eval_command)
    app.command()(demo)
