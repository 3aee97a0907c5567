"""From independent codings to the consensus layer (coder "konsensus") that the theme
tables and bilaga 2 count by default.

- `adopt_agreed`: every code all coders of a unit applied (or the one coder of a unit
  coded once) goes into the consensus layer as it is;
- `disagreements`: unit x code where the coders differ, for the consensus meeting;
- `resolve`: the meeting's decision on a unit, its final codes and a memo saying why.
Each is one transaction and one audit event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import Code as CodeRow
from corpus.models import Coding, Segment, utcnow
from corpus.vocabulary import Action, Status
from people.accounts import Actor, Can, actor_name
from people.identity import CONSENSUS, human

from . import access
from .agreement import UNIT_KINDS, collect


@dataclass
class Disagreement:
    segment_id: int
    code_id: int
    code: str
    yes: list[str]                 # coders who applied the code
    no: list[str]                  # coders who coded the unit without it
    kind: str
    area: str | None
    question: int | None
    text: str
    decision: str | None           # the consensus layer's: "accepted", "rejected" or None
    memo: str | None

    @property
    def resolved(self) -> bool:
        return self.decision is not None


def _consensus(session: Session, units: Sequence[int]) -> dict[tuple[int, int], Coding]:
    out: dict[tuple[int, int], Coding] = {}
    ids = list(units)
    for start in range(0, len(ids), 900):
        for c in session.scalars(select(Coding).where(
                Coding.coder == CONSENSUS, Coding.segment_id.in_(ids[start:start + 900]),
                Coding.status.in_((Status.ACCEPTED, Status.REJECTED)))):
            out[(c.segment_id, c.code_id)] = c
    return out


def disagreements(session: Session, coders: Sequence[str] | None = None,
                  round: int | str | None = None, code_id: int | None = None,
                  unresolved: bool = False,
                  actor: Actor | None = None) -> list[Disagreement]:
    """Units where the coders differ on a code, grouped by code (codebook path order)."""
    access.require(session, actor, Can.READ_AGREEMENT)
    found = collect(session, coders, "kod", round)
    observers: dict[int, list[str]] = defaultdict(list)
    for coder in found.coders:
        for unit in found.coverage[coder]:
            observers[unit].append(coder)
    pairs: list[tuple[int, int, list[str], list[str]]] = []
    for unit, who in observers.items():
        if len(who) < 2:
            continue
        codes = set().union(*(found.applied.get((c, unit), set()) for c in who))
        for code in codes:
            if code_id is not None and code != code_id:
                continue
            yes = [c for c in who if code in found.applied.get((c, unit), set())]
            if len(yes) < len(who):
                pairs.append((unit, code, yes, [c for c in who if c not in yes]))
    units = sorted({p[0] for p in pairs})
    segments = {s.id: s for s in session.scalars(select(Segment).where(Segment.id.in_(units)))} \
        if units else {}
    decided = _consensus(session, units)
    out = []
    for unit, code, yes, no in pairs:
        seg = segments[unit]
        final = decided.get((unit, code))
        if unresolved and final is not None:
            continue
        out.append(Disagreement(unit, code, found.labels[code], yes, no, seg.kind, seg.area,
                                seg.question, seg.text, final.status if final else None,
                                final.memo if final else None))
    return sorted(out, key=lambda d: (d.code, d.segment_id))


def codes_on(session: Session, segment_id: int,
             actor: Actor | None = None) -> dict[str, set[int]]:
    """Each coder's accepted codes on a unit (the consensus layer included)."""
    access.require(session, actor, Can.READ_AGREEMENT)
    out: dict[str, set[int]] = {}
    for coder, code_id in session.execute(select(Coding.coder, Coding.code_id).where(
            Coding.segment_id == segment_id, Coding.status == Status.ACCEPTED,
            human(Coding.coder))):
        out.setdefault(coder, set()).add(code_id)
    return out


def resolve(session: Session, segment_id: int, code_ids: Sequence[int], memo: str,
            actor: Actor) -> dict[str, list[int]]:
    """The consensus meeting's decision on one unit: exactly `code_ids` apply. Codes any
    coder applied that are not chosen are recorded as rejected, so the disagreement shows
    as resolved; the memo is kept on each consensus coding and in the audit event."""
    access.require(session, actor, Can.DECIDE_CONSENSUS)
    name = actor_name(actor)
    memo = (memo or "").strip()
    if not memo:
        raise QdaError("a consensus decision needs a memo saying why", None, "E352")
    seg = session.get(Segment, segment_id)
    if seg is None or seg.kind not in UNIT_KINDS:
        raise QdaError(f"no note or transcript sentence {segment_id}", None, "E332")
    chosen = list(dict.fromkeys(int(c) for c in code_ids))
    known = set(session.scalars(select(CodeRow.id).where(CodeRow.id.in_(chosen)))) \
        if chosen else set()
    if missing := [c for c in chosen if c not in known]:
        raise QdaError(f"no code {missing[0]}", None, "E320")
    rows = session.scalars(select(Coding).where(
        Coding.segment_id == segment_id, Coding.status == Status.ACCEPTED,
        human(Coding.coder))).all()
    applied = {c.code_id for c in rows if c.coder != CONSENSUS}
    quoted = {c.code_id for c in rows if c.is_quote and c.coder != CONSENSUS}
    mine = {c.code_id: c for c in session.scalars(select(Coding).where(
        Coding.segment_id == segment_id, Coding.coder == CONSENSUS))}
    before = sorted(k for k, c in mine.items() if c.status == Status.ACCEPTED)
    dropped = sorted((applied | set(before)) - set(chosen))
    for code, status in [*((k, Status.ACCEPTED) for k in chosen),
                         *((k, Status.REJECTED) for k in dropped)]:
        row = mine.get(code)
        if row is None:
            row = Coding(segment_id=segment_id, code_id=code, coder=CONSENSUS,
                         is_quote=code in quoted and status == Status.ACCEPTED)
            session.add(row)
        row.status, row.memo = status, memo
        row.evidence = {"resolved": True, "by": name}
    session.flush()
    after = {"codes": chosen, "rejected": dropped}
    record(session, name, Action.CONSENSUS_RESOLVE, "segment", segment_id, {"codes": before},
           after, memo)
    return after


@dataclass
class Adopted:
    units: int = 0
    codings: int = 0
    single: int = 0          # units only one coder coded: taken over as they are


def adopt_agreed(session: Session, actor: Actor, coders: Sequence[str] | None = None,
                 round: int | str | None = None) -> Adopted:
    """Put into the consensus layer every code that all coders of a unit applied; a
    decision already in the layer (a resolution) is never overwritten."""
    access.require(session, actor, Can.DECIDE_CONSENSUS)
    name = actor_name(actor)
    found = collect(session, coders, "kod", round)
    observers: dict[int, list[str]] = defaultdict(list)
    for coder in found.coders:
        for unit in found.coverage[coder]:
            observers[unit].append(coder)
    report = Adopted()
    agreed: dict[int, set[int]] = {}
    for unit, who in observers.items():
        codes = set.intersection(*(found.applied.get((c, unit), set()) for c in who))
        if codes:
            agreed[unit] = codes
            report.single += len(who) == 1
    existing = _consensus(session, list(agreed))
    new: list[dict[str, Any]] = []
    for unit, codes in sorted(agreed.items()):
        fresh = [k for k in sorted(codes) if (unit, k) not in existing]
        report.units += bool(fresh)
        new.extend({"segment_id": unit, "code_id": k, "coder": CONSENSUS,
                    "status": Status.ACCEPTED, "is_quote": (unit, k) in found.quotes,
                    "evidence": {"agreed_by": observers[unit]}} for k in fresh)
    if new:
        now = utcnow()
        session.execute(Coding.__table__.insert(),
                        [{**row, "created_at": now, "updated_at": now} for row in new])
    report.codings = len(new)
    record(session, name, Action.CONSENSUS_ADOPT, "coding", None, None,
           {"units": report.units, "codings": report.codings, "single": report.single,
            "coders": found.coders, "round": found.round})
    return report

