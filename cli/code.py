"""`qda suggest` and `qda code`: suggestions, and coding from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corpus.errors import QdaError

from .common import MemoOpt, ProjectOpt, actor, console, err, opened, progress_bar, user_errors

code_app = typer.Typer(help="Code segments from the command line: the review queue with "
                            "its suggestions, accept, reject, remove.", no_args_is_help=True)
CoderOpt = Annotated[str, typer.Option("--coder", envvar="QDA_CODER",
                                       help="Who decides (default: $QDA_CODER).")]
SegmentArg = Annotated[int, typer.Argument(help="Segment id (see `qda code next`).")]
CodeArg = Annotated[str, typer.Argument(help="Code id or path, e.g. 'Huvudtema > Subtema'.")]


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
    from coding.suggestions import suggest as run
    from people.identity import coder_for

    with user_errors(), progress_bar("Suggesting") as update:
        proj = opened(project)
        if coder:
            with proj.session() as session:
                coder = coder_for(session, coder)
        report = run(proj, source, kind, coder, actor=actor(),
                     progress=lambda done, total: update(done, total, None))
    with user_errors():
        if not report.codes:
            raise QdaError("the codebook is empty: import one first (`qda codebook import "
                           "FILE.yaml`, or a bundled one by name)", project, "E338")
        if not report.segments and not (source or kind):
            raise QdaError("no material to suggest codes for: ingest a file first (`qda "
                           "ingest FILE`)", project, "E337")
    console.print(f"{report.suggestions} suggestions for {report.segments} segments "
                  f"(trained on {report.trained_on} coded segments, {report.codes} codes, "
                  f"{'learned' if report.blend_learned else 'default'} blend); "
                  f"{report.flagged} flagged 'passar ingen befintlig kod'", highlight=False)


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
    search: Annotated[str, typer.Option(
        "--search", help="Only units holding every word (case and å/ä/ö folded: "
        "'vardcentral' finds 'Vårdcentralen').")] = "",
) -> None:
    """Show the next segments to decide, with their numbered suggestions."""
    from coding.suggest.engine import flagged_under, reason_in_english
    from coding.suggestions import pending
    from people.identity import coder_for

    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            coder = coder_for(session, coder)
        items = pending(proj, coder, order, limit, kind, blind, search)
    if not items:
        console.print(f"nothing left to decide for {coder}", highlight=False)
        return
    from corpus.study import load_project

    areas = load_project(proj).areas
    for item in items:
        area = areas.label(item.area) if item.area else None
        where = " · ".join(str(v) for v in (item.kind, area,
                                           item.question and f"question {item.question}") if v)
        console.print(f"[bold]segment {item.segment_id}[/bold] ({where})", highlight=False)
        console.print(f"  {item.text}", highlight=False, markup=False)
        if item.flagged:
            main = flagged_under((path, score) for _, path, score, _ in item.suggestions)
            console.print("  [yellow]fits no existing code?[/yellow]" if main is None else
                          f"  [yellow]fits no existing sub-theme of {escape(main)}?[/yellow]",
                          highlight=False)
        for n, (code_id, path, score, reasons) in enumerate(item.suggestions, start=1):
            said = "; ".join(map(reason_in_english, reasons))
            console.print(f"  {n}. {escape(path)} [dim](code {code_id}, {score:.2f}; "
                          f"{escape(said)})[/dim]", highlight=False)


def _decide_one(session, status: str, segment: int, code: str, coder: str,
                memo: str | None, quote: bool | None) -> str:
    """Record one decision in the open transaction; returns the code's path."""
    from coding import codes as codes_mod
    from coding import codings as codings_mod
    from coding.codebook import join_path

    row = codes_mod.get_code(session, code)
    codings_mod.decide(session, segment, row.id, coder, status, memo=memo, is_quote=quote,
                       actor=actor(coder))
    return join_path(dict(codes_mod.ordered_paths(session)).get(row.id, (row.name,)))


def _decide(status: str, project: Path, segment: int, code: str, coder: str,
            memo: str | None, quote: bool | None) -> None:
    from people.identity import coder_for

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            coder = coder_for(session, coder)
            label = _decide_one(session, status, segment, code, coder, memo, quote)
    console.print(f"{coder} {status} {label!r} for segment {segment}", highlight=False,
                  markup=False)


def read_decisions(text: str, name: str) -> list[tuple[int, int, str, str | None]]:
    """Lines of SEGMENT<TAB>CODE[<TAB>MEMO] as (line number, segment, code, memo); blank
    lines, '#' comments and a header line starting 'segment' are skipped."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = [f.strip() for f in line.rstrip("\r\n").split("\t")]
        if not line.strip() or line.lstrip().startswith("#") or (
                number == 1 and fields[0].lower() in ("segment", "segment_id")):
            continue
        if len(fields) < 2 or not fields[0].isdigit() or not fields[1]:
            raise QdaError(f"line {number}: expected SEGMENT<TAB>CODE[<TAB>MEMO], got "
                           f"{line.strip()[:60]!r}", name, "E233")
        rows.append((number, int(fields[0]), fields[1],
                     fields[2] if len(fields) > 2 and fields[2] else None))
    return rows


def _decide_many(status: str, project: Path, source: Path, coder: str,
                 quote: bool | None) -> None:
    """Decisions from a file or stdin in one process, one transaction each: a line that
    fails is reported and leaves the others standing."""
    import sys

    from people.identity import coder_for

    with user_errors():
        try:
            text = sys.stdin.read() if str(source) == "-" else source.read_text(
                encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise QdaError(f"cannot read the decisions: {exc}", source, "E232") from None
        shown = "stdin" if str(source) == "-" else str(source)
        rows = read_decisions(text, shown)
        proj = opened(project)
        with proj.session() as session:
            coder = coder_for(session, coder)
    failed = 0
    for number, segment, code, memo in rows:
        try:
            with proj.transaction() as session:
                _decide_one(session, status, segment, code, coder, memo, quote)
        except QdaError as exc:
            failed += 1
            err.print(f"[red]error:[/red] {escape(shown)}, line {number}: {escape(exc.line())}",
                      highlight=False)
    console.print(f"{coder}: {len(rows) - failed} {status}, {failed} failed "
                  f"({len(rows)} lines)", highlight=False)
    if failed:
        raise typer.Exit(1)


QuoteOpt = Annotated[bool | None, typer.Option("--quote/--no-quote",
                                               help="Mark the segment as a quote (citat).")]
FromOpt = Annotated[Path | None, typer.Option(
    "--from", help="Many decisions: a file of SEGMENT<TAB>CODE[<TAB>MEMO] lines, or - for "
    "standard input (one process, one transaction per line).", show_default=False)]
OptSegmentArg = Annotated[int | None, typer.Argument(
    help="Segment id (see `qda code next`); omit with --from.", show_default=False)]
OptCodeArg = Annotated[str | None, typer.Argument(
    help="Code id or path, e.g. 'Huvudtema > Subtema'; omit with --from.",
    show_default=False)]


def _one_or_many(status: str, segment: int | None, code: str | None, source: Path | None,
                 project: Path, coder: str, memo: str | None, quote: bool | None) -> None:
    if source is not None:
        if segment is not None or code is not None or memo:
            with user_errors():
                raise QdaError("give SEGMENT CODE or --from, not both (a memo goes in the "
                               "file's third column)", None, "E234")
        _decide_many(status, project, source, coder, quote)
    elif segment is None or code is None:
        with user_errors():
            raise QdaError("give SEGMENT and CODE, or --from FILE", None, "E234")
    else:
        _decide(status, project, segment, code, coder, memo, quote)


@code_app.command("accept")
def code_accept(coder: CoderOpt, segment: OptSegmentArg = None, code: OptCodeArg = None,
                project: ProjectOpt = Path("."),
                memo: MemoOpt = None, quote: QuoteOpt = None,
                source: FromOpt = None) -> None:
    """Code a segment (accept a suggestion, or any code of the codebook); with --from,
    many segments."""
    _one_or_many("accepted", segment, code, source, project, coder, memo, quote)


@code_app.command("reject")
def code_reject(coder: CoderOpt, segment: OptSegmentArg = None, code: OptCodeArg = None,
                project: ProjectOpt = Path("."),
                memo: MemoOpt = None, source: FromOpt = None) -> None:
    """Reject a suggested code: it is not suggested again and teaches the model; with
    --from, many."""
    _one_or_many("rejected", segment, code, source, project, coder, memo, None)


@code_app.command("remove")
def code_remove(segment: SegmentArg, code: CodeArg, coder: CoderOpt,
                project: ProjectOpt = Path("."), memo: MemoOpt = None) -> None:
    """Undo a decision: the segment is undecided again for that code."""
    from coding import codes as codes_mod
    from coding import codings as codings_mod
    from people.identity import coder_for


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
    from coding.rounds import mark_done
    from people.identity import coder_for

    with user_errors(), opened(project).transaction() as session:
        coder = coder_for(session, coder)
        if not mark_done(session, segment, coder):
            raise QdaError(f"segment {segment} is not an open, undecided unit of {coder} "
                           "in any round", None, "E366")
    console.print(f"segment {segment}: done for {coder}, no code", highlight=False)


@code_app.command("skip")
def code_skip(segment: SegmentArg, coder: CoderOpt, project: ProjectOpt = Path("."),
              memo: MemoOpt = None) -> None:
    """Mark a unit not relevant (inte relevant): no code applies to it at all, e.g. a
    moderator's question or a heading. It leaves your queue and is counted apart from
    the uncoded units; `qda code unskip` takes it back."""
    from coding.relevance import mark_not_relevant
    from people.identity import coder_for

    with user_errors(), opened(project).transaction() as session:
        coder = coder_for(session, coder)
        mark_not_relevant(session, segment, coder, actor(coder), memo=memo)
    console.print(f"segment {segment}: not relevant for {coder}", highlight=False)


@code_app.command("unskip")
def code_unskip(segment: SegmentArg, coder: CoderOpt, project: ProjectOpt = Path("."),
                memo: MemoOpt = None) -> None:
    """Take back 'not relevant': the unit is in your queue again."""
    from coding.relevance import mark_relevant
    from people.identity import coder_for

    with user_errors(), opened(project).transaction() as session:
        coder = coder_for(session, coder)
        mark_relevant(session, segment, coder, actor(coder), memo=memo)
    console.print(f"segment {segment}: relevant again for {coder}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(suggest)
    app.add_typer(code_app, name="code")
