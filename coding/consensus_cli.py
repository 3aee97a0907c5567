"""`qda round`, `qda agreement`, `qda disagreements`, `qda consensus` and `qda audit`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corpus.console import ProjectOpt, actor, console, opened, user_errors

from . import agreement as agreement_mod
from . import consensus as consensus_mod
from . import rounds as rounds_mod
from .codes import get_code

round_app = typer.Typer(help="Rounds of double coding: assign units to coders, blind or "
                             "open; list; close.", no_args_is_help=True)
consensus_app = typer.Typer(help="The consensus layer: adopt what coders agree on, record "
                                 "the meeting's decisions.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)

CodersOpt = Annotated[str | None, typer.Option(
    "--coders", help="Comma-separated coders (default: every coder, or the round's).")]
RoundOpt = Annotated[str | None, typer.Option(
    "--round", help="A round's name (default: the newest round, if there is one).")]


def _coders(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def _round(session, value: str | None) -> str | None:
    return value or rounds_mod.newest(session)


def _which(round: str | None) -> str:
    """Which units a round-aware command used, for its last line."""
    return f"round {round}" if round else "no round: every unit two coders coded"


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
) -> None:
    """Assign the same units (all, or a sample stratified by source kind and area)."""
    with user_errors(), opened(project).transaction() as session:
        info = rounds_mod.create_round(session, _coders(coders) or [], actor(),
                                       share=share, units=units, blind=blind, name=name,
                                       seed=seed)
    console.print(f"{info.name}: {info.units} units to {', '.join(info.coders)} "
                  f"({'blind' if info.blind else 'open'})", highlight=False)


@round_app.command("list")
def round_list(project: ProjectOpt = Path(".")) -> None:
    """Rounds with their coders and progress."""
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
    with user_errors(), opened(project).transaction() as session:
        info = rounds_mod.close_round(session, name, actor())
    console.print(f"{info.name} closed", highlight=False)


def agreement_command(
    project: ProjectOpt = Path("."),
    coders: CodersOpt = None,
    level: Annotated[str, typer.Option(help="huvudtema, subtema or kod.")] = "subtema",
    round: RoundOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the 95 % "
                                           "intervals (0: none).")] = agreement_mod.BOOTSTRAP,
) -> None:
    """Agreement between independent coders: per code and overall, percent agreement,
    Cohen's kappa (two coders), Krippendorff's alpha, bootstrap 95 % intervals."""
    with user_errors(), opened(project).session() as session:
        result = agreement_mod.compute(session, _coders(coders), level,
                                       _round(session, round), bootstrap)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    frame = result.frame()
    table = Table(*[str(c) for c in frame.columns if c != "Nivå"],
                  title=f"{level}, {', '.join(result.coders)}"
                        + (f", {result.round}" if result.round else ""))
    for row in frame.drop(columns="Nivå").itertuples(index=False):
        table.add_row(*["" if v is None or v != v else str(v) for v in row])
    console.print(table)
    console.print("alpha ≥ 0.800 god, 0.667–0.800 preliminär, < 0.667 otillräcklig",
                  highlight=False)


def disagreements_command(
    project: ProjectOpt = Path("."),
    coders: CodersOpt = None,
    round: RoundOpt = None,
    code: Annotated[str | None, typer.Option(help="Only this code (id or path).")] = None,
    unresolved: Annotated[bool, typer.Option(help="Only those not yet decided.")] = False,
) -> None:
    """Units where the coders differ, grouped by code, with the consensus decision."""
    with user_errors(), opened(project).session() as session:
        code_id = get_code(session, code).id if code else None
        chosen = _round(session, round)
        found = consensus_mod.disagreements(session, _coders(coders), chosen, code_id,
                                            unresolved)
    current = None
    for d in found:
        if d.code != current:
            current = d.code
            console.print(f"[bold]{d.code}[/bold] (kod {d.code_id})", highlight=False)
        state = {"accepted": "konsensus: ja", "rejected": "konsensus: nej"}.get(
            d.decision or "", "ej avgjord")
        console.print(f"  segment {d.segment_id}: ja {', '.join(d.yes)} · nej "
                      f"{', '.join(d.no)} · {state}", highlight=False)
        console.print(f"    {d.text}", highlight=False, markup=False)
    console.print(f"{len(found)} disagreements, {sum(d.resolved for d in found)} resolved "
                  f"({_which(chosen)})", highlight=False)


@consensus_app.command("adopt")
def consensus_adopt(project: ProjectOpt = Path("."), coders: CodersOpt = None,
                    round: RoundOpt = None) -> None:
    """Put the codes every coder of a unit applied into the consensus layer."""
    with user_errors(), opened(project).transaction() as session:
        chosen = _round(session, round)
        done = consensus_mod.adopt_agreed(session, actor(), _coders(coders), chosen)
    console.print(f"{done.codings} codings on {done.units} units adopted "
                  f"({done.single} coded by one coder only; {_which(chosen)})",
                  highlight=False)


@consensus_app.command("resolve")
def consensus_resolve(
    segment: Annotated[int, typer.Argument(help="The unit (segment id).")],
    memo: Annotated[str, typer.Option("--memo", help="Why the meeting decided so.")],
    code: Annotated[list[str] | None, typer.Option(
        "--code", help="A final code (id or path), repeatable; none: no code applies.")]
    = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Record the consensus meeting's final codes for one unit."""
    with user_errors(), opened(project).transaction() as session:
        ids = [get_code(session, c).id for c in code or []]
        after = consensus_mod.resolve(session, segment, ids, memo, actor())
    console.print(f"segment {segment}: {len(after['codes'])} codes, "
                  f"{len(after['rejected'])} rejected", highlight=False)


@audit_app.command("export")
def audit_export(out: Annotated[Path, typer.Option("-o", "--output")] = Path("audit.xlsx"),
                 project: ProjectOpt = Path(".")) -> None:
    """The whole audit log as xlsx, csv or md."""
    from themes.export import export

    with user_errors():
        report = export(opened(project), "audit", None, None, out)
    console.print(f"audit: {report.rows} events → {report.path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(round_app, name="round")
    app.command("agreement")(agreement_command)
    app.command("disagreements")(disagreements_command)
    app.add_typer(consensus_app, name="consensus")
    app.add_typer(audit_app, name="audit")
