"""`qda merges`: bilaga 2's notes on the same topic, proposed as one row; the author
merges or keeps apart each proposal, and bilaga 2 prints what they decided."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import ProjectOpt, actor, console, group_project, opened, user_errors

merges_app = typer.Typer(help="Bilaga 2: notes on the same topic proposed as one row; merge "
                         "or keep apart each proposal.", invoke_without_command=True)
IdsArg = Annotated[list[int], typer.Argument(
    help="Unit (segment) ids of the notes, as `qda merges` lists them.", show_default=False)]


@merges_app.callback()
def merges_list(
    ctx: typer.Context,
    project: ProjectOpt = Path("."),
    question: Annotated[int | None, typer.Option(help="Only this question.")] = None,
    layer: Annotated[str | None, typer.Option(
        help="Coding layer (default: slutlig, as bilaga 2).")] = None,
    wording_only: Annotated[bool, typer.Option(
        "--wording-only", help="Propose by wording alone, even with the embedding extra "
        "installed.")] = False,
) -> None:
    """List the proposals: per question and theme row, notes alike enough to be one
    topic that bilaga 2 prints as separate rows today."""
    if ctx.invoked_subcommand is not None:
        return
    from coding.suggestions import project_embedder
    from corpus.vocabulary import FINAL
    from themes import merges as merges_mod
    from themes.layers import resolve_layer

    with user_errors():
        proj = opened(project)
        embedder = None if wording_only else project_embedder(proj)
        with proj.session() as session:
            found = merges_mod.proposals(session, resolve_layer(session, layer or FINAL,
                                                                actor()),
                                         embedder, question=question)
    table = Table("question", "theme", "ids", "notes", "areas", "score")
    for p in found:
        theme = p.main + (f" / {p.sub}" if p.sub else "")
        table.add_row(str(p.question), escape(theme), " ".join(map(str, p.segment_ids)),
                      escape("\n".join(p.texts)), escape(", ".join(p.areas)), f"{p.score:.2f}")
    console.print(table)
    signal = found[0].signal if found else ("ordval" if embedder is None
                                            else "betydelse och ordval")
    how = "wording" if signal == "ordval" else "meaning and wording"
    console.print(f"{len(found)} proposal(s) by {how}; "
                  "`qda merges accept IDS` prints them as one row, `qda merges refuse IDS` "
                  "keeps them apart", highlight=False, markup=False)


def _decide(ids: list[int], project: Path, merged: bool) -> None:
    from coding import note_merges

    with user_errors(), opened(project).transaction() as session:
        n = note_merges.decide(session, ids, merged, actor())
    what = "merged into one row" if merged else "kept apart"
    console.print(f"{len(set(ids))} notes {what} in bilaga 2 ({n} pair(s) decided)",
                  highlight=False)


@merges_app.command("accept")
def merges_accept(ctx: typer.Context, ids: IdsArg, project: ProjectOpt = Path(".")) -> None:
    """Print the notes as one row of bilaga 2 (their texts joined with "; ")."""
    _decide(ids, group_project(ctx, project), True)


@merges_app.command("refuse")
def merges_refuse(ctx: typer.Context, ids: IdsArg, project: ProjectOpt = Path(".")) -> None:
    """Keep the notes apart (each pair of them), however alike their wording."""
    _decide(ids, group_project(ctx, project), False)


@merges_app.command("forget")
def merges_forget(ctx: typer.Context, ids: IdsArg, project: ProjectOpt = Path(".")) -> None:
    """Undo the decisions on these notes' pairs (one id: every decision naming it)."""
    from coding import note_merges

    with user_errors(), opened(group_project(ctx, project)).transaction() as session:
        n = note_merges.forget(session, ids, actor())
    console.print(f"{n} decision(s) undone", highlight=False)


@merges_app.command("decided")
def merges_decided(ctx: typer.Context, project: ProjectOpt = Path(".")) -> None:
    """The decisions taken: notes merged into one row, and pairs kept apart."""
    from coding import note_merges

    with user_errors(), opened(group_project(ctx, project)).session() as session:
        rows = note_merges.decided_groups(session)
    table = Table("decision", "ids", "notes")
    for merged, ids, texts in rows:
        table.add_row("merged" if merged else "kept apart", " ".join(map(str, ids)),
                      escape("\n".join(texts)))
    console.print(table)
    console.print(f"{len(rows)} decision(s)", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(merges_app, name="merges")
