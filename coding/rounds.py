"""Rounds of double coding: the project lead assigns the same units to two or more coders,
all of them or a sample stratified by source kind and area, blind or open.

A unit is a note or a transcript sentence. Transcripts are sampled by turn (every
sentence of a sampled turn is assigned), so a coder always reads a whole utterance.
In a blind round a coder sees neither the others' codings nor suggestions learnt from
them; `blind_round` tells the app and the suggestion layer when that applies.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import Assignment, Coding, NotRelevant, Round, Segment, utcnow
from corpus.vocabulary import DECISIONS, Action
from people.accounts import Actor, Can, actor_name, require_role
from people.identity import coder_for

KINDS = ("note", "transcript")


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    blind: bool
    share: float
    coders: tuple[str, ...]
    units: int
    done: dict[str, int]          # coder -> units decided
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


def _strata(session: Session, kinds: Sequence[str]) -> dict[tuple[str, str], list[list[int]]]:
    """Sampling groups per (source kind, area): each item is the units sampled together
    (one note, or the sentences of one turn)."""
    groups: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    if "note" in kinds:
        for seg_id, area in session.execute(select(Segment.id, Segment.area)
                                            .where(Segment.kind == "note")
                                            .order_by(Segment.id)):
            groups[("note", area or "")].append([seg_id])
    if "transcript" in kinds:
        turns: dict[int, list[int]] = defaultdict(list)
        areas: dict[int, str] = {}
        for seg_id, parent, area in session.execute(
                select(Segment.id, Segment.parent_id, Segment.area)
                .where(Segment.kind == "sentence").order_by(Segment.id)):
            turns[parent or seg_id].append(seg_id)
            areas.setdefault(parent or seg_id, area or "")
        for turn, ids in turns.items():
            groups[("transcript", areas[turn])].append(ids)
    return groups


def create_round(session: Session, coders: Sequence[str], actor: Actor, *,
                 share: float = 1.0, units: int | None = None, blind: bool = True,
                 name: str | None = None, seed: int = 1,
                 kinds: Sequence[str] = KINDS) -> RoundInfo:
    """Assign units to every coder in `coders`: all (`share` 1.0), a share, or about
    `units` of them, drawn per stratum in proportion to its size (at least one each).

    The round's share is the one drawn, of units (a turn's sentences come together, so
    "12 units" may draw 18); a unit a coder had decided before the round counts as done
    for them, with that decision (made outside the round, which the audit event says)."""
    require_role(actor, Can.MANAGE_ROUNDS)
    names = list(dict.fromkeys(coder_for(session, c) for c in coders))
    if len(names) < 2:
        raise QdaError("a round of double coding needs at least two coders", None, "E360")
    if units is None and not 0 < share <= 1:
        raise QdaError(f"share must be above 0 and at most 1, not {share}", None, "E361")
    bad = set(kinds) - set(KINDS)
    if bad:
        raise QdaError(f"kinds are {', '.join(KINDS)}, not {', '.join(sorted(bad))}",
                       None, "E361")
    strata = _strata(session, kinds)
    total = sum(len(items) for items in strata.values())
    if not total:
        raise QdaError("nothing to assign: the project has no notes or transcript "
                       "sentences of those kinds", None, "E362")
    if units is not None:
        if units < 1:
            raise QdaError(f"units must be at least 1, not {units}", None, "E361")
        share = min(1.0, units / total)
    name = name or f"Omgång {(session.scalar(select(func.count()).select_from(Round)) or 0) + 1}"
    if session.scalar(select(Round.id).where(Round.name == name)) is not None:
        raise QdaError(f"a round named {name!r} exists already", None, "E363")
    rng = random.Random(seed)
    chosen: list[int] = []
    for key in sorted(strata):
        items = strata[key]
        k = len(items) if share >= 1 else max(1, math.floor(len(items) * share + 0.5))
        for item in rng.sample(items, min(k, len(items))):
            chosen.extend(item)
    all_units = sum(len(item) for items in strata.values() for item in items)
    row = Round(name=name, blind=blind, share=len(chosen) / all_units, seed=seed,
                created_by=actor_name(actor))
    session.add(row)
    session.flush()
    session.execute(Assignment.__table__.insert(), [
        {"round_id": row.id, "segment_id": seg, "coder": coder}
        for seg in sorted(chosen) for coder in names])
    before = {}
    for coder in names:
        decided = _decided(session, coder, chosen)
        for start in range(0, len(decided), 900):
            session.execute(update(Assignment).where(
                Assignment.round_id == row.id, Assignment.coder == coder,
                Assignment.segment_id.in_(decided[start:start + 900])).values(done_at=utcnow()))
        if decided:
            before[coder] = len(decided)
    record(session, actor_name(actor), Action.ROUND_CREATE, "round", row.id, None,
           {"name": name, "coders": names, "blind": blind, "share": round(share, 4),
            "seed": seed, "units": len(chosen), "kinds": list(kinds),
            "decided before the round": before})
    return round_info(session, row.id)


def _decided(session: Session, coder: str, units: list[int]) -> list[int]:
    """Of `units`, those `coder` has decided already (a code accepted or rejected, or
    'not relevant')."""
    wanted = set(units)
    coded = session.scalars(select(Coding.segment_id).where(
        Coding.coder == coder, Coding.status.in_(list(DECISIONS))).distinct())
    skipped = session.scalars(select(NotRelevant.segment_id).where(NotRelevant.coder == coder))
    return sorted(wanted & {*coded, *skipped})


def round_info(session: Session, ref: int | str) -> RoundInfo:
    row = session.get(Round, ref) if isinstance(ref, int) else \
        session.scalars(select(Round).where(Round.name == ref)).first()
    if row is None:
        raise QdaError(f"no round {ref!r}", None, "E364")
    counts = session.execute(
        select(Assignment.coder, func.count(), func.count(Assignment.done_at))
        .where(Assignment.round_id == row.id).group_by(Assignment.coder)).all()
    return RoundInfo(row.id, row.name, row.blind, row.share,
                     tuple(sorted(c for c, _, _ in counts)),
                     max((n for _, n, _ in counts), default=0),
                     {c: done for c, _, done in counts}, row.created_by, row.created_at,
                     row.closed_at)


def rounds(session: Session) -> list[RoundInfo]:
    return [round_info(session, i) for i in session.scalars(select(Round.id).order_by(Round.id))]


def newest(session: Session) -> str | None:
    """The newest round's name: the default set of units for agreement and consensus."""
    return session.scalar(select(Round.name).order_by(Round.id.desc()).limit(1))


def close_round(session: Session, ref: int | str, actor: Actor) -> RoundInfo:
    """End a round: its coders see each other's work again; agreement is computed on it."""
    require_role(actor, Can.MANAGE_ROUNDS)
    info = round_info(session, ref)
    if not info.open:
        raise QdaError(f"round {info.name!r} is closed already", None, "E365")
    session.execute(update(Round).where(Round.id == info.id).values(closed_at=utcnow()))
    record(session, actor_name(actor), Action.ROUND_CLOSE, "round", info.id, {"closed_at": None},
           {"done": info.done})
    return round_info(session, info.id)


def blind_round(session: Session, coder: str | None) -> RoundInfo | None:
    """The open blind round `coder` is assigned to, if any (the newest)."""
    if not coder:
        return None
    found = session.scalar(
        select(Round.id).join(Assignment, Assignment.round_id == Round.id)
        .where(Assignment.coder == coder, Round.blind.is_(True), Round.closed_at.is_(None))
        .order_by(Round.id.desc()).limit(1))
    return round_info(session, found) if found is not None else None


def mark_done(session: Session, segment_id: int, coder: str) -> int:
    """The coder has decided this unit (in every open round that assigns it to them)."""
    open_rounds = select(Round.id).where(Round.closed_at.is_(None))
    result = session.execute(
        update(Assignment).where(Assignment.segment_id == segment_id,
                                 Assignment.coder == coder, Assignment.done_at.is_(None),
                                 Assignment.round_id.in_(open_rounds))
        .values(done_at=utcnow()))
    return cast(CursorResult, result).rowcount or 0


def assigned(session: Session, round_id: int, coder: str | None = None) -> list[int]:
    query = select(Assignment.segment_id).where(Assignment.round_id == round_id)
    if coder:
        query = query.where(Assignment.coder == coder)
    return sorted(set(session.scalars(query)))
