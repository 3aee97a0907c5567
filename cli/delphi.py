"""`qda delphi`: a Delphi panel on the candidate indicators (studies, items, panel,
rounds, results)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import JsonOpt, ProjectOpt, actor, cell, console, opened, user_errors

delphi_app = typer.Typer(help="Delphi rounds: rate the candidate indicators over rounds "
                              "until the panel agrees.", no_args_is_help=True)
items_app = typer.Typer(help="The study's items: from bilaga 2, by hand, edit, merge, "
                             "remove.", no_args_is_help=True)
panel_app = typer.Typer(help="The panel: members by group and area, invitation codes.",
                        no_args_is_help=True)
round_app = typer.Typer(help="Open and close rounds; response rates per group.",
                        no_args_is_help=True)
delphi_app.add_typer(items_app, name="items")
delphi_app.add_typer(panel_app, name="panel")
delphi_app.add_typer(round_app, name="round")

StudyArg = Annotated[str, typer.Argument(help="The study's name.")]


def _study_id(session, name: str) -> int:
    from delphi import items

    return items.study(session, name).id


@delphi_app.command("create")
def create(
    name: StudyArg,
    project: ProjectOpt = Path("."),
    description: Annotated[str, typer.Option(help="What the panel is asked.")] = "",
    rule: Annotated[str, typer.Option(
        help="rand-ucla (appropriate / uncertain / inappropriate by median and "
             "disagreement) or share (the share rule below).")] = "rand-ucla",
    share: Annotated[float, typer.Option(help="Share rule: share of ratings in one third "
                                         "of the scale.")] = 0.75,
    include_median: Annotated[float, typer.Option(help="Share rule: included at this "
                                                  "median or above.")] = 7.0,
    exclude_median: Annotated[float, typer.Option(help="Share rule: excluded at this "
                                                  "median or below.")] = 3.0,
    min_ratings: Annotated[int | None, typer.Option(
        help="Quorum: ratings an item needs (default: --quorum-share of the round's "
             "panel); below it an item has 'too few ratings'.")] = None,
    quorum_share: Annotated[float, typer.Option(
        help="Default quorum as a share of the round's panel, rounded up.")] = 0.5,
    disagreement: Annotated[str, typer.Option(
        help="ipras (IPR > IPRAS) or count (the classic rule for nine ratings: at least "
             "three in 1-3 and three in 7-9; IPR/IPRAS for other numbers).")] = "ipras",
    feasibility: Annotated[bool, typer.Option(help="Ask feasibility besides "
                                              "relevance.")] = False,
) -> None:
    """A new Delphi study with its rule (RAND/UCLA by default) and quorum."""
    from delphi import items
    from delphi.statistics import ConsensusRule

    with user_errors():
        try:
            made_rule = ConsensusRule(share, include_median, exclude_median, min_ratings,
                                      rule, quorum_share, disagreement)
        except ValueError as exc:
            from corpus.errors import QdaError

            raise QdaError(str(exc), None, "E712") from None
        with opened(project).transaction() as session:
            made = items.create_study(session, name, actor(), description, made_rule,
                                      feasibility)
            shown = made.name
    console.print(f"study {shown!r} created", highlight=False)


@delphi_app.command("list")
def list_studies(project: ProjectOpt = Path(".")) -> None:
    """The project's Delphi studies with their items, panel and rounds."""
    from delphi import items, panel, rounds

    with user_errors(), opened(project).session() as session:
        rows = [(s.name, len(items.list_items(session, s.id)),
                 len(panel.panel(session, s.id)), rounds.rounds(session, s.id))
                for s in items.studies(session)]
    table = Table("study", "items", "panel", "rounds")
    for name, n_items, n_panel, done in rows:
        table.add_row(escape(name), str(n_items), str(n_panel),
                      ", ".join(f"{r.number} ({r.status})" for r in done) or "–")
    console.print(table)


@items_app.command("list")
def items_list(study: StudyArg, project: ProjectOpt = Path("."),
               include_removed: Annotated[bool, typer.Option(
                   "--all", help="Show removed and merged items too.")] = False,
               as_json: JsonOpt = False) -> None:
    """The items in order, in their current wording."""
    from dataclasses import asdict

    from corpus.study import load as load_study
    from delphi import items

    with user_errors(), opened(project).session() as session:
        listed = items.list_items(session, _study_id(session, study), include_removed)
        areas = load_study(session).areas
    if as_json:
        print(json.dumps([asdict(i) for i in listed], ensure_ascii=False))
        return
    table = Table("id", "question", "Huvudtema", "Subtema", "wording", "v", "notes", "areas")
    for i in listed:
        table.add_row(str(i.id), cell(i.question), escape(i.theme), escape(i.subtheme),
                      escape(i.wording) + (" (removed)" if i.removed else ""), str(i.version),
                      str(i.notes), ", ".join(areas.label(a) for a in i.areas))
    console.print(table)


@items_app.command("from-bilaga2")
def items_from_bilaga2(
    study: StudyArg, project: ProjectOpt = Path("."),
    question: Annotated[list[int] | None, typer.Option(
        help="Only this question (repeat for more).")] = None,
    layer: Annotated[str | None, typer.Option(help="Coding layer (default: slutlig).")]
    = None,
    theme: Annotated[list[str] | None, typer.Option(
        help="Only rows of this Huvudtema (repeat for more).")] = None,
) -> None:
    """One item per merged bilaga 2 row, linked to its notes (rows taken before are
    skipped)."""
    from delphi import items

    with user_errors(), opened(project).transaction() as session:
        made = items.items_from_bilaga2(session, _study_id(session, study), actor(),
                                        question or None, layer, theme or None)
    console.print(f"{len(made)} items added", highlight=False)


@items_app.command("add")
def items_add(
    study: StudyArg,
    wording: Annotated[str, typer.Argument(help="The indicator as the panel reads it.")],
    project: ProjectOpt = Path("."),
    theme: Annotated[str, typer.Option(help="Huvudtema.")] = "",
    subtheme: Annotated[str, typer.Option(help="Subtema.")] = "",
    description: Annotated[str, typer.Option(help="A line that explains it.")] = "",
    question: Annotated[int | None, typer.Option(help="The workshop question.")] = None,
) -> None:
    """An item written by hand."""
    from delphi import items

    with user_errors(), opened(project).transaction() as session:
        made = items.add_item(session, _study_id(session, study), wording, actor(), theme,
                              subtheme, description, question)
        item_id = made.id
    console.print(f"item {item_id} added", highlight=False)


@items_app.command("edit")
def items_edit(
    item: Annotated[int, typer.Argument(help="Item id.")],
    project: ProjectOpt = Path("."),
    wording: Annotated[str | None, typer.Option(help="New wording.")] = None,
    description: Annotated[str | None, typer.Option(help="New description.")] = None,
) -> None:
    """A new version of an item (answers keep the wording they rated)."""
    from delphi import items

    with user_errors(), opened(project).transaction() as session:
        version = items.edit_item(session, item, actor(), wording, description).version
    console.print(f"item {item} is now version {version}", highlight=False)


@items_app.command("merge")
def items_merge(
    keep: Annotated[int, typer.Argument(help="The item that stays.")],
    others: Annotated[list[int], typer.Argument(help="Items merged into it.")],
    project: ProjectOpt = Path("."),
    wording: Annotated[str | None, typer.Option(help="The merged item's wording.")] = None,
) -> None:
    """Join items that say the same; their notes move to the kept item."""
    from delphi import items

    with user_errors(), opened(project).transaction() as session:
        items.merge_items(session, keep, others, actor(), wording)
    console.print(f"merged {', '.join(map(str, others))} into {keep}", highlight=False)


@items_app.command("remove")
def items_remove(item: Annotated[int, typer.Argument(help="Item id.")],
                 project: ProjectOpt = Path("."),
                 restore: Annotated[bool, typer.Option(help="Put it back.")] = False) -> None:
    """Take an item off the list (its answers stay), or back with --restore."""
    from delphi import items

    with user_errors(), opened(project).transaction() as session:
        items.remove_item(session, item, actor(), removed=not restore)
    console.print(f"item {item} {'restored' if restore else 'removed'}", highlight=False)


@panel_app.command("add")
def panel_add(
    study: StudyArg,
    group: Annotated[str, typer.Option(help="Their participant group: one of the project's "
                                            "(`qda study show group`), or a new one.")],
    project: ProjectOpt = Path("."),
    area: Annotated[str | None, typer.Option(help="Their area: one of the project's "
                                                  "(`qda study show area`), or a new one.")]
    = None,
    contact: Annotated[str | None, typer.Option(help="How to reach them (the lead's "
                                                "eyes only; never exported).")] = None,
) -> None:
    """Register a panel member; prints their invitation code once."""
    from delphi import panel

    with user_errors(), opened(project).transaction() as session:
        invitation = panel.add_panelist(session, _study_id(session, study), group, actor(),
                                        area, contact)
    console.print(f"{invitation.pseudonym}: invitation code {invitation.code} "
                  "(shown once: give it to the panelist)", highlight=False)


@panel_app.command("list")
def panel_list(study: StudyArg, project: ProjectOpt = Path(".")) -> None:
    """The panel by pseudonym, group and area."""
    from corpus.study import load as load_study
    from delphi import panel

    with user_errors(), opened(project).session() as session:
        members = panel.panel(session, _study_id(session, study))
        known = load_study(session)
        rows = [(m.pseudonym, known.groups.label(m.panel_group),
                 known.areas.label(m.area) if m.area else "",
                 m.contact or "", "revoked" if m.revoked_at else "active") for m in members]
    table = Table("pseudonym", "group", "area", "contact", "invitation")
    for row in rows:
        table.add_row(*map(escape, row))
    console.print(table)


@panel_app.command("revoke")
def panel_revoke(study: StudyArg,
                 pseudonym: Annotated[str, typer.Argument(help="E.g. P03.")],
                 project: ProjectOpt = Path(".")) -> None:
    """Revoke a member's invitation code. Their answers given so far stay and count in
    their rounds; closed rounds never change; later rounds do not invite them."""
    from delphi import panel

    with user_errors(), opened(project).transaction() as session:
        member = panel.by_pseudonym(session, _study_id(session, study), pseudonym)
        panel.revoke(session, member.id, actor())
    console.print(f"{pseudonym}'s invitation revoked", highlight=False)


@round_app.command("open")
def round_open(study: StudyArg, project: ProjectOpt = Path("."),
               keep_decided: Annotated[bool, typer.Option(
                   help="Ask again about items that reached consensus.")] = False) -> None:
    """Open the next round on the items without consensus."""
    from delphi import rounds

    with user_errors(), opened(project).transaction() as session:
        made = rounds.open_round(session, _study_id(session, study), actor(), keep_decided)
        number, n = made.number, len(rounds.results(session, made.id))
    console.print(f"round {number} open with {n} items", highlight=False)


@round_app.command("close")
def round_close(study: StudyArg, project: ProjectOpt = Path(".")) -> None:
    """Close the open round: its answers are final."""
    from delphi import rounds

    with user_errors(), opened(project).transaction() as session:
        current = rounds.open_round_of(session, _study_id(session, study))
        rounds.close_round(session, current.id, actor())
        number = current.number
    console.print(f"round {number} closed", highlight=False)


@round_app.command("status")
def round_status(study: StudyArg, project: ProjectOpt = Path("."),
                 number: Annotated[int | None, typer.Option(
                     "--round", help="Round number (default: the latest).")] = None) -> None:
    """Response rates per panel group (who answered what is never shown)."""
    from delphi import panel, rounds

    with user_errors(), opened(project).session() as session:
        chosen = rounds.round_number(session, _study_id(session, study), number)
        rates = rounds.response_rates(session, chosen.id)
        label = f"Round {chosen.number} ({chosen.status})"
        groups = panel.groups(session)
    table = Table("group", "invited", "answered", "completed", title=label)
    for r in rates:
        table.add_row(groups.get(r.group, r.group), str(r.invited), str(r.answered),
                      str(r.completed))
    console.print(table)


@delphi_app.command("results")
def results(study: StudyArg, project: ProjectOpt = Path("."),
            number: Annotated[int | None, typer.Option(
                "--round", help="Round number (default: the latest).")] = None,
            as_json: JsonOpt = False) -> None:
    """Per item: median, IQR, shares rating 7-9 and 1-3, disagreement, outcome."""
    from dataclasses import asdict

    from delphi import items, rounds
    from delphi.tables import disagreement_text

    with user_errors(), opened(project).session() as session:
        study_id = _study_id(session, study)
        chosen = rounds.round_number(session, study_id, number)
        found = rounds.results(session, chosen.id)
        rule = items.rule_of(items.study(session, study_id))
    if as_json:
        print(json.dumps({"round": chosen.number, "status": chosen.status, "rule": rule.kind,
                          "items": [{**asdict(r.stats), "item": r.item_id,
                                     "wording": r.wording, "theme": r.theme,
                                     "subtheme": r.subtheme} for r in found]},
                         ensure_ascii=False))
        return
    table = Table("item", "formulering", "n", "median", "IQR", "7-9", "1-3", "DI",
                  "disagreement", "RAND/UCLA", f"outcome ({rule.kind})",
                  title=f"Round {chosen.number} ({chosen.status})")
    def pct(value: float | None) -> str:
        return "" if value is None else f"{value:.0%}"

    for r in found:
        s = r.stats
        table.add_row(str(r.item_id), escape(r.wording), str(s.n), cell(s.median),
                      cell(s.iqr), pct(s.share_high), pct(s.share_low),
                      "" if s.disagreement_index is None else f"{s.disagreement_index:.2f}",
                      escape(disagreement_text(s)), s.rand_ucla, s.outcome)
    console.print(table)
    console.print(f"quorum: {found[0].stats.quorum if found else '–'} ratings; percentiles: "
                  "Hyndman & Fan definition 7 (definition 6 shown where it differs)",
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(delphi_app, name="delphi")
