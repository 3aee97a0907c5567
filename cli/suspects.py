"""`qda suspects`: the words ingest left in place that may be names; mask or keep each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import ProjectOpt, actor, console, group_project, opened, user_errors

suspects_app = typer.Typer(help="Words that may be a person's name, left as they were at "
                           "ingest: list them, then mask or keep each.",
                           invoke_without_command=True)
SourceArg = Annotated[int, typer.Argument(help="The source id (see `qda suspects`).")]
WordArg = Annotated[str, typer.Argument(
    help="The word as listed; to mask, also any word or name in the source that ingest "
         "missed (quote a full name: \"Kjelle Mäkitalo\").")]


@suspects_app.callback()
def suspects_list(ctx: typer.Context, project: ProjectOpt = Path(".")) -> None:
    """List the undecided suspects with an example of each."""
    if ctx.invoked_subcommand is not None:
        return
    from coding import suspects as suspects_mod

    with user_errors(), opened(project).session() as session:
        found = suspects_mod.suspects(session)
    table = Table("source", "file", "word", "times", "example")
    for s in found:
        # the example holds pseudonyms ("[namn]"): text, not markup
        table.add_row(str(s.source_id), escape(s.file), escape(s.word), str(s.count),
                      escape(s.example))
    console.print(table)
    console.print(f"{len(found)} suspect(s) to decide", highlight=False)


def _decide(source: int, word: str, project: Path, mask: bool) -> None:
    from coding import suspects as suspects_mod

    with user_errors(), opened(project).transaction() as session:
        changed = suspects_mod.decide(session, source, word, mask, actor())
    console.print(f"{word!r} in source {source}: "
                  + (f"masked in {changed} place(s)" if mask else "kept"), highlight=False)


@suspects_app.command("mask")
def suspects_mask(ctx: typer.Context, source: SourceArg, word: WordArg,
                   project: ProjectOpt = Path(".")) -> None:
    """Replace the word by [namn] everywhere in the source: a listed suspect, or a name
    ingest did not recognise at all."""
    _decide(source, word, group_project(ctx, project), True)


@suspects_app.command("keep")
def suspects_keep(ctx: typer.Context, source: SourceArg, word: WordArg,
                   project: ProjectOpt = Path(".")) -> None:
    """Keep the word: it is not a name here."""
    _decide(source, word, group_project(ctx, project), False)


def register(app: typer.Typer) -> None:
    app.add_typer(suspects_app, name="suspects")
