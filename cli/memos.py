"""`qda memo`: memos on a whole source or a whole workshop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import ProjectOpt, actor, console, opened, user_errors

memo_app = typer.Typer(help="Memos on a whole source or workshop (audited; written to "
                            ".qdpx).", no_args_is_help=True)
SourceOpt = Annotated[int | None, typer.Option("--source", help="Source id (qda status).",
                                               show_default=False)]
WorkshopOpt = Annotated[str | None, typer.Option(
    "--workshop", help="Workshop id or label (qda workshops list).", show_default=False)]


@memo_app.command("add")
def memo_add(text: Annotated[str, typer.Argument(help="The memo's text.")],
             source: SourceOpt = None, workshop: WorkshopOpt = None,
             title: Annotated[str, typer.Option(help="A title (default: the source's file "
                                                "or the workshop's label).")] = "",
             project: ProjectOpt = Path(".")) -> None:
    """Add a memo on one source (--source) or one workshop (--workshop)."""
    from coding.memos import add_memo

    with user_errors(), opened(project).transaction() as session:
        memo = add_memo(session, text, actor(), source_id=source, workshop=workshop,
                        title=title)
        memo_id, shown = memo.id, memo.title
    console.print(f"memo {memo_id}: {shown}", highlight=False, markup=False)


@memo_app.command("edit")
def memo_edit(memo_id: Annotated[int, typer.Argument(help="The memo's id (qda memo list).")],
              text: Annotated[str, typer.Argument(help="The new text.")],
              project: ProjectOpt = Path(".")) -> None:
    """Replace a memo's text (the old one stays in the audit log)."""
    from coding.memos import edit_memo

    with user_errors(), opened(project).transaction() as session:
        edit_memo(session, memo_id, text, actor())
    console.print(f"memo {memo_id} changed", highlight=False)


@memo_app.command("list")
def memo_list(source: SourceOpt = None, workshop: WorkshopOpt = None,
              project: ProjectOpt = Path(".")) -> None:
    """The memos on a source or workshop (both: each); without either, every memo of the
    project with its kind and place (annotations and imported ones too), oldest first."""
    from coding.memos import all_memos, memos_on, workshop_id

    with user_errors(), opened(project).session() as session:
        if source is None and workshop is None:
            lines = [f"{m.id}\t{m.kind}\t{_place(m)}\t{m.title}\t{m.author or ''}\t{m.text}"
                     for m in all_memos(session)]
        else:
            found = memos_on(session, source, workshop_id(session, workshop)
                             if workshop is not None else None)
            lines = [f"{m.id}\t{m.title}\t{m.author or ''}\t{m.text}" for m in found]
    for line in lines:
        console.print(line, highlight=False, markup=False)
    if not lines:
        console.print("no memos", highlight=False)


def _place(memo) -> str:
    """Where a memo hangs: its segment, source or workshop, or the project."""
    if memo.segment_id is not None:
        return f"segment {memo.segment_id}"
    if memo.source_id is not None:
        return f"source {memo.source_id}"
    if memo.workshop_id is not None:
        return f"workshop {memo.workshop_id}"
    return "project"


def register(app: typer.Typer) -> None:
    app.add_typer(memo_app, name="memo")
