"""Delphi rounds: the lead opens a round on the items still without consensus, panelists
rate them (each answer saved at once, changeable while the round is open), the lead
closes it. From round 2 a panelist sees per item the group's previous median and
distribution, their own previous rating and the comments, never who said what; the lead
sees response rates per group, never who answered what."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corpus import audit
from corpus.errors import QdaError
from corpus.models import (
    DelphiAnswer,
    DelphiItem,
    DelphiItemVersion,
    DelphiPanelist,
    DelphiRound,
    DelphiRoundItem,
    utcnow,
)
from corpus.pseudonymise import Pseudonymiser
from corpus.vocabulary import Action
from people.accounts import Actor

from .items import current_version, lead, rule_of, study
from .statistics import DECIDED, SCALE, ItemStatistics, item_statistics

OPEN, CLOSED = "open", "closed"


def rounds(session: Session, study_id: int) -> list[DelphiRound]:
    return list(session.scalars(select(DelphiRound).where(DelphiRound.study_id == study_id)
                                .order_by(DelphiRound.number)))


def open_round(session: Session, study_id: int, actor: Actor,
               keep_decided: bool = False) -> DelphiRound:
    """The next round, on every listed item in its current wording; items whose latest
    round decided them (reached consensus: included, excluded or agreed middle under the
    share rule; appropriate or inappropriate under RAND/UCLA) leave, unless
    `keep_decided`. "Too few ratings" and undecided items are asked again."""
    name = lead(session, actor)
    the_study = study(session, study_id)
    earlier = rounds(session, study_id)
    if any(r.status == OPEN for r in earlier):
        raise QdaError("a round is open already: close it first", None, "E706")
    decided: set[int] = set()
    if not keep_decided:      # by each item's latest round
        decided = {item for item, (_, stats) in latest_outcomes(session, study_id).items()
                   if stats.outcome in DECIDED}
    items = [i for i in session.scalars(select(DelphiItem).where(
        DelphiItem.study_id == study_id, DelphiItem.removed.is_(False))
        .order_by(DelphiItem.position)) if i.id not in decided]
    if not items:
        raise QdaError("no items to ask about", None, "E711")
    new = DelphiRound(study_id=the_study.id, number=len(earlier) + 1, status=OPEN)
    session.add(new)
    session.flush()
    versions = [current_version(session, i.id).id for i in items]
    session.add_all(DelphiRoundItem(round_id=new.id, item_version_id=v) for v in versions)
    audit.record(session, name, Action.DELPHI_ROUND_OPEN, "delphi_round", new.id,
                 after={"number": new.number, "item_versions": versions})
    return new


def _round(session: Session, round_id: int) -> DelphiRound:
    found = session.get(DelphiRound, round_id)
    if found is None:
        raise QdaError(f"no Delphi round {round_id}", None, "E707")
    return found


def close_round(session: Session, round_id: int, actor: Actor) -> DelphiRound:
    name = lead(session, actor)
    found = _round(session, round_id)
    if found.status != OPEN:
        raise QdaError(f"round {found.number} is closed already", None, "E708")
    rates = response_rates(session, round_id)
    found.status, found.closed_at = CLOSED, utcnow()
    # frozen: members added or revoked later never change what this round was
    found.response = json.dumps([asdict(r) for r in rates])
    audit.record(session, name, Action.DELPHI_ROUND_CLOSE, "delphi_round", round_id,
                 after={"number": found.number, "response": [asdict(r) for r in rates]})
    return found


def round_number(session: Session, study_id: int, number: int | None = None) -> DelphiRound:
    """A round by number, or the latest."""
    found = rounds(session, study_id)
    chosen = [r for r in found if number is None or r.number == number]
    if not chosen:
        raise QdaError(f"no round {number}" if number else "no round yet", None, "E707")
    return chosen[-1]


def open_round_of(session: Session, study_id: int) -> DelphiRound:
    found = session.scalar(select(DelphiRound).where(DelphiRound.study_id == study_id,
                                                     DelphiRound.status == OPEN))
    if found is None:
        raise QdaError("no open round", None, "E707")
    return found


def _rating(value: int | None, cannot_judge: bool) -> int | None:
    if cannot_judge or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise QdaError(f"{value!r} is not a rating 1-9", None, "E710")
    return value


def answer(session: Session, round_id: int, panelist: DelphiPanelist, item_version_id: int,
           relevance: int | None, feasibility: int | None = None, cannot_judge: bool = False,
           comment: str = "") -> DelphiAnswer:
    """Save (or change) one answer at once; refused when the round is closed, the member
    revoked or the item not in the round. Audited under the member's pseudonym."""
    found = _round(session, round_id)
    if found.status != OPEN:
        raise QdaError(f"round {found.number} is closed: its answers cannot change", None,
                       "E708")
    if panelist.revoked_at is not None or panelist.study_id != found.study_id:
        raise QdaError("the invitation code is not valid", None, "E705")
    if session.get(DelphiRoundItem, (round_id, item_version_id)) is None:
        raise QdaError(f"item version {item_version_id} is not in round {found.number}",
                       None, "E709")
    relevance = _rating(relevance, cannot_judge)
    feasibility = _rating(feasibility, cannot_judge)
    if relevance is None and not cannot_judge:
        raise QdaError("give a rating 1-9 or 'kan inte bedöma'", None, "E710")
    row = session.scalar(select(DelphiAnswer).where(
        DelphiAnswer.round_id == round_id, DelphiAnswer.item_version_id == item_version_id,
        DelphiAnswer.panelist_id == panelist.id))
    before = None
    if row is None:
        row = DelphiAnswer(round_id=round_id, item_version_id=item_version_id,
                           panelist_id=panelist.id)
        session.add(row)
    else:
        before = {"relevance": row.relevance, "feasibility": row.feasibility,
                  "cannot_judge": row.cannot_judge, "comment": row.comment}
    row.relevance, row.feasibility, row.cannot_judge = relevance, feasibility, cannot_judge
    # a comment reaches the whole panel: pseudonymised as ingest does every other text
    row.comment, row.updated_at = Pseudonymiser().text(comment.strip()), utcnow()
    session.flush()
    audit.record(session, panelist.pseudonym, Action.DELPHI_ANSWER, "delphi_answer", row.id,
                 before=before, after={"relevance": relevance, "feasibility": feasibility,
                                       "cannot_judge": cannot_judge,
                                       "comment": row.comment})
    return row


@dataclass
class ItemResult:
    item_id: int
    item_version_id: int
    wording: str
    theme: str
    subtheme: str
    stats: ItemStatistics
    feasibility: ItemStatistics | None
    comments: list[str] = field(default_factory=list)     # anonymised, in no fixed order


def answers_by_item(session: Session, round_id: int) -> dict[int, dict[int, int | None]]:
    """Item id -> panelist id -> relevance (None: kan inte bedöma), for stability between
    rounds; never shown as such."""
    out: dict[int, dict[int, int | None]] = {}
    for a, item_id in session.execute(
            select(DelphiAnswer, DelphiItemVersion.item_id)
            .join(DelphiItemVersion, DelphiItemVersion.id == DelphiAnswer.item_version_id)
            .where(DelphiAnswer.round_id == round_id)).all():
        out.setdefault(item_id, {})[a.panelist_id] = a.relevance
    return out


def _round_items(session: Session, round_id: int) -> list[tuple[DelphiItem, DelphiItemVersion]]:
    return list(session.execute(
        select(DelphiItem, DelphiItemVersion)
        .join(DelphiItemVersion, DelphiItemVersion.item_id == DelphiItem.id)
        .join(DelphiRoundItem, DelphiRoundItem.item_version_id == DelphiItemVersion.id)
        .where(DelphiRoundItem.round_id == round_id).order_by(DelphiItem.position)).all())


def results(session: Session, round_id: int) -> list[ItemResult]:
    """Per item of the round: the statistics under the study's consensus rule, with the
    quorum taken from the round's panel (frozen at close)."""
    found = _round(session, round_id)
    rule = rule_of(study(session, found.study_id))
    panel = sum(r.invited for r in response_rates(session, round_id))
    asks_feasibility = study(session, found.study_id).ask_feasibility
    answers: dict[int, list[DelphiAnswer]] = {}
    for a in session.scalars(select(DelphiAnswer).where(DelphiAnswer.round_id == round_id)
                             .order_by(DelphiAnswer.comment)):   # not in panelist order
        answers.setdefault(a.item_version_id, []).append(a)
    out = []
    for item, version in _round_items(session, round_id):
        given = answers.get(version.id, [])
        out.append(ItemResult(
            item.id, version.id, version.wording, item.theme, item.subtheme,
            item_statistics([a.relevance for a in given], rule, panel),
            item_statistics([a.feasibility for a in given], rule, panel) if asks_feasibility
            else None,
            sorted(a.comment for a in given if a.comment)))
    return out


@dataclass(frozen=True)
class Rate:
    group: str
    invited: int
    answered: int        # gave at least one answer
    completed: int       # answered every item of the round


def latest_outcomes(session: Session, study_id: int) -> dict[int, tuple[int, ItemStatistics]]:
    """Item id -> (number, statistics) of the latest closed round that asked it: what the
    final table and the method paragraph report."""
    out: dict[int, tuple[int, ItemStatistics]] = {}
    for closed in rounds(session, study_id):
        if closed.status == CLOSED:
            for r in results(session, closed.id):
                out[r.item_id] = (closed.number, r.stats)
    return out


def response_rates(session: Session, round_id: int) -> list[Rate]:
    """Per panel group: how many were invited, answered anything, answered everything.
    Counts only: who answered what is not shown. A closed round's rates are those frozen
    when it closed. Revocation ends an invitation, not the past: a revoked member's
    answers count in the rounds they gave them, and they stay invited there; in a round
    they never answered, a member revoked before it closed is not invited."""
    found = _round(session, round_id)
    if found.response:
        return [Rate(**r) for r in json.loads(found.response)]
    n_items = session.scalar(select(func.count()).select_from(DelphiRoundItem)
                             .where(DelphiRoundItem.round_id == round_id)) or 0
    per_member = dict(session.execute(
        select(DelphiAnswer.panelist_id, func.count()).where(DelphiAnswer.round_id == round_id)
        .group_by(DelphiAnswer.panelist_id)).all())
    groups: dict[str, list[int]] = {}
    until = found.closed_at      # a round closed before rates were frozen (before 0012)
    for member in session.scalars(select(DelphiPanelist).where(
            DelphiPanelist.study_id == found.study_id)):
        if until is not None and member.created_at > until:
            continue
        revoked = member.revoked_at is not None and (until is None
                                                     or member.revoked_at <= until)
        if not revoked or member.id in per_member:
            groups.setdefault(member.panel_group, []).append(per_member.get(member.id, 0))
    return [Rate(group, len(counts), sum(c > 0 for c in counts),
                 sum(c >= n_items > 0 for c in counts)) for group, counts in groups.items()]


@dataclass
class Feedback:
    """What a panelist sees for one item of the open round."""

    item_id: int
    item_version_id: int
    wording: str
    description: str
    theme: str
    mine: DelphiAnswer | None                 # this round's answer so far
    previous: ItemStatistics | None           # the group in the previous round
    my_previous: int | None
    previous_comments: list[str]


def for_panelist(session: Session, panelist: DelphiPanelist) -> tuple[DelphiRound,
                                                                     list[Feedback]]:
    """The open round as one panelist sees it: their own answers only, and from round 2
    the group's aggregates and anonymised comments of the round before."""
    if panelist.revoked_at is not None:
        raise QdaError("the invitation code is not valid", None, "E705")
    current = open_round_of(session, panelist.study_id)
    earlier = [r for r in rounds(session, panelist.study_id) if r.number < current.number]
    before = {r.item_id: r for r in results(session, earlier[-1].id)} if earlier else {}
    mine_before: dict[int, int | None] = {}
    if earlier:
        for a, item_id in session.execute(
                select(DelphiAnswer, DelphiItemVersion.item_id)
                .join(DelphiItemVersion, DelphiItemVersion.id == DelphiAnswer.item_version_id)
                .where(DelphiAnswer.round_id == earlier[-1].id,
                       DelphiAnswer.panelist_id == panelist.id)).all():
            mine_before[item_id] = a.relevance
    mine = {a.item_version_id: a for a in session.scalars(select(DelphiAnswer).where(
        DelphiAnswer.round_id == current.id, DelphiAnswer.panelist_id == panelist.id))}
    out = []
    for item, version in _round_items(session, current.id):
        prev = before.get(item.id)
        out.append(Feedback(item.id, version.id, version.wording, version.description, item.theme,
                            mine.get(version.id), prev.stats if prev else None,
                            mine_before.get(item.id), prev.comments if prev else []))
    return current, out
