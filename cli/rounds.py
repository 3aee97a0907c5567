"""`qda round`: rounds of double coding (who codes which units, blind or open)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import ProjectOpt, actor, console, opened, progress_bar, split_list, user_errors

round_app = typer.Typer(help="Rounds of double coding: assign units to coders, blind or "
                             "open; list; close.", no_args_is_help=True)


@round_app.command("create")
def round_create(
    coders: Annotated[str, typer.Option("--coders", help="Comma-separated, two or more.")],
    project: ProjectOpt = Path("."),
    share: Annotated[float, typer.Option(help="Share of the units, 1.0 = all.")] = 1.0,
    units: Annotated[int | None, typer.Option(help="About this many units instead of a "
                                              "share.")] = None,
    blind: Annotated[bool, typer.Option(help="Coders see neither each other's codings nor "
                                        "suggestions learnt from them.")] = True,
    name: Annotated[str | None, typer.Option(help="Default: Omgång N.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the stratified draw.")] = 1,
    suggest: Annotated[bool, typer.Option(help="A blind round: compute each coder's own "
                                          "suggestions now (as `qda suggest --coder`), "
                                          "so nobody starts on an empty layer.")] = True,
) -> None:
    """Assign the same units (all, or a sample stratified by source kind and area)."""
    from coding import rounds as rounds_mod

    with user_errors():
        opened_project = opened(project)
        with opened_project.transaction() as session:
            info = rounds_mod.create_round(session, split_list(coders) or [], actor(),
                                           share=share, units=units, blind=blind, name=name,
                                           seed=seed)
        console.print(f"{info.name}: {info.units} units to {', '.join(info.coders)} "
                      f"({'blind' if info.blind else 'open'})"
                      + (f"; {units} asked: a transcript turn's sentences are drawn together"
                         if units is not None and units != info.units else ""),
                      highlight=False)
        for coder, n in info.done.items():
            if n:
                console.print(f"{coder} had decided {n} of them before the round: those "
                              "decisions count in it", highlight=False)
        if info.blind and suggest:
            from coding.suggestions import suggest as suggest_for

            for coder in info.coders:
                with progress_bar(f"Suggestions for {coder}") as update:
                    report = suggest_for(opened_project, coder=coder, actor=actor(),
                                         progress=lambda done, total: update(done, total))
                console.print(f"suggestions for {coder}: {report.suggestions} on "
                              f"{report.segments} segments (layer förslag:{coder})",
                              highlight=False)
        opened_project.close()


@round_app.command("list")
def round_list(project: ProjectOpt = Path(".")) -> None:
    """Rounds with their coders and progress."""
    from coding import rounds as rounds_mod

    with user_errors(), opened(project).session() as session:
        listed = rounds_mod.rounds(session)
    table = Table("round", "blind", "units", "done", "closed")
    for r in listed:
        table.add_row(r.name, "yes" if r.blind else "no", str(r.units),
                      ", ".join(f"{c} {n}" for c, n in sorted(r.done.items())),
                      r.closed_at.strftime("%Y-%m-%d %H:%M") if r.closed_at else "open")
    console.print(table)


@round_app.command("close")
def round_close(name: Annotated[str, typer.Argument(help="The round's name.")],
                project: ProjectOpt = Path(".")) -> None:
    """End a round: its coders see each other's work again."""
    from coding import rounds as rounds_mod

    with user_errors(), opened(project).transaction() as session:
        info = rounds_mod.close_round(session, name, actor())
    console.print(f"{info.name} closed", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(round_app, name="round")
