"""`qda round`, `qda agreement`, `qda disagreements` and `qda consensus`: double coding
and the way to one consensus layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from corpus.errors import QdaError

from .common import ProjectOpt, actor, console, count, opened, split_list, user_errors

consensus_app = typer.Typer(help="The consensus layer: adopt what coders agree on, record "
                                 "the meeting's decisions.", no_args_is_help=True)

CodersOpt = Annotated[str | None, typer.Option(
    "--coders", help="Comma-separated coders (default: every coder, or the round's).")]
BOOTSTRAP = 1000     # coding.agreement.BOOTSTRAP; a test keeps them equal
RoundOpt = Annotated[str | None, typer.Option(
    "--round", help="A round's name (default: the newest round, if there is one).")]


def _round(session, value: str | None) -> str | None:
    from coding.rounds import newest

    return value or newest(session)


def _which(round: str | None) -> str:
    """Which units a round-aware command used, for its last line."""
    return f"round {round}" if round else "no round: every unit two coders coded"


def agreement_command(
    project: ProjectOpt = Path("."),
    coders: CodersOpt = None,
    level: Annotated[str, typer.Option(
        help="both (main themes and sub-themes side by side), huvudtema, subtema or kod.")]
    = "both",
    round: RoundOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the 95 % "
                                           "intervals (0: none).")] = BOOTSTRAP,
) -> None:
    """Agreement between independent coders: per code and pooled, percent agreement
    (share of agreeing pairs), Cohen's kappa (two coders), Fleiss' kappa (three or more),
    Krippendorff's alpha, bootstrap 95 % intervals."""
    from coding import agreement as agreement_mod

    with user_errors(), opened(project).session() as session:
        results = agreement_mod.compute_levels(session, split_list(coders), level,
                                               _round(session, round), bootstrap)
    first = results[0]
    if as_json:
        out = first.to_json() if level != agreement_mod.BOTH else {
            "coders": first.coders, "round": first.round, "level": level,
            "levels": {r.level: r.to_json() for r in results}}
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    frame = agreement_mod.levels_frame(results, decimal=".")
    table = Table(*[str(c) for c in frame.columns],
                  title=f"{', '.join(r.level for r in results)}, {', '.join(first.coders)}"
                        + (f", {first.round}" if first.round else ""))
    for row in frame.itertuples(index=False):
        table.add_row(*["" if v is None or v != v else escape(str(v)) for v in row])
    console.print(table)
    console.print(f"units: {first.units_note()}", highlight=False)
    console.print("alpha ≥ 0.800 god, 0.667–0.800 preliminär, < 0.667 otillräcklig (per "
                  "code; figures cut, not rounded, to 3 decimals). The pooled row is not a "
                  "reliability reading: see the per-code range beside it.", highlight=False)


def disagreements_command(
    project: ProjectOpt = Path("."),
    coders: CodersOpt = None,
    round: RoundOpt = None,
    code: Annotated[str | None, typer.Option(help="Only this code (id or path).")] = None,
    unresolved: Annotated[bool, typer.Option(help="Only those not yet decided.")] = False,
) -> None:
    """Units where the coders differ, grouped by code, with the consensus decision."""
    from coding import consensus as consensus_mod
    from coding.codes import get_code

    with user_errors(), opened(project).session() as session:
        code_id = get_code(session, code).id if code else None
        chosen = _round(session, round)
        found = consensus_mod.disagreements(session, split_list(coders), chosen, code_id,
                                            unresolved)
        # the whole count beside the open ones ("0 disagreements, 0 resolved" hid 37)
        every = consensus_mod.disagreements(session, split_list(coders), chosen, code_id) \
            if unresolved else found
    current = None
    for d in found:
        if d.code != current:
            current = d.code
            console.print(f"[bold]{escape(d.code)}[/bold] (code {d.code_id})",
                          highlight=False)
        state = {"accepted": "consensus: yes", "rejected": "consensus: no"}.get(
            d.decision or "", "unresolved")
        console.print(f"  segment {d.segment_id}: yes {', '.join(d.yes)} · no "
                      f"{', '.join(d.no)} · {state}", highlight=False)
        console.print(f"    {d.text}", highlight=False, markup=False)
    summary = f"{count(len(every), 'disagreements')}, {sum(d.resolved for d in every)} resolved"
    if unresolved:
        summary = f"{len(found)} unresolved shown of {summary}"
    console.print(f"{summary} ({_which(chosen)})", highlight=False)


@consensus_app.command("adopt")
def consensus_adopt(project: ProjectOpt = Path("."), coders: CodersOpt = None,
                    round: RoundOpt = None) -> None:
    """Put the codes every coder of a unit applied into the consensus layer."""
    from coding import consensus as consensus_mod

    with user_errors(), opened(project).transaction() as session:
        chosen = _round(session, round)
        done = consensus_mod.adopt_agreed(session, actor(), split_list(coders), chosen)
    console.print(f"{done.codings} codings on {done.units} units adopted "
                  f"({done.single} coded by one coder only; {_which(chosen)})",
                  highlight=False)


@consensus_app.command("resolve")
def consensus_resolve(
    segment: Annotated[int, typer.Argument(help="The unit (segment id).")],
    memo: Annotated[str, typer.Option("--memo", help="Why the meeting decided so.")],
    code: Annotated[list[str] | None, typer.Option(
        "--code", help="A final code (id or path), repeatable.")] = None,
    no_code: Annotated[bool, typer.Option(
        "--no-code", help="The meeting decided that no code applies (every code the "
        "coders gave is rejected).")] = False,
    project: ProjectOpt = Path("."),
) -> None:
    """Record the consensus meeting's final codes for one unit."""
    from coding import consensus as consensus_mod
    from coding.codes import get_code

    with user_errors(), opened(project).transaction() as session:
        if bool(code) == no_code:       # forgetting --code must not reject agreed codes
            raise QdaError("give the final codes (--code, repeatable) or --no-code, "
                           "one of them", None, "E353")
        ids = [get_code(session, c).id for c in code or []]
        after = consensus_mod.resolve(session, segment, ids, memo, actor())
    console.print(f"segment {segment}: {count(len(after['codes']), 'codes')}, "
                  f"{len(after['rejected'])} rejected", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("agreement")(agreement_command)
    app.command("disagreements")(disagreements_command)
    app.add_typer(consensus_app, name="consensus")
