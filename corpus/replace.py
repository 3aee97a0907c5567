"""Replacing a source with a corrected file: the decisions on units that did not change
move to the new units; decisions on units that changed or went are listed (and kept in the
audit event), never dropped in silence."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .models import Assignment, Code, Coding, Segment, Source
from .vocabulary import Status

# a unit is "the same" when its kind, place in the study and text are
Key = tuple[str, int | None, str | None, str]
_COPIED = ("code_id", "coder", "status", "score", "evidence", "memo", "is_quote", "rank",
           "priority", "created_at", "updated_at")


def _key(kind: str, question: int | None, area: str | None, text: str) -> Key:
    return kind, question, area, " ".join(text.split())


@dataclass
class Carried:
    """What an old source's units held, by unit key, in the order of the units."""

    source_id: int
    name: str
    units: dict[Key, list[int]] = field(default_factory=dict)
    codings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    assignments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)


@dataclass
class Replaced:
    unchanged: int = 0
    new: int = 0
    gone: int = 0
    codings_kept: int = 0
    codings_dropped: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"unchanged": self.unchanged, "new": self.new, "gone": self.gone,
                "codings kept": self.codings_kept, "codings dropped": len(self.codings_dropped)}


def take_out(session: Session, old: Source) -> Carried:
    """Read what hangs on the old source's units, then delete the source (cascading)."""
    carried = Carried(old.id, old.original_name)
    units: dict[Key, list[int]] = defaultdict(list)
    for seg_id, kind, question, area, text in session.execute(
            select(Segment.id, Segment.kind, Segment.question, Segment.area, Segment.text)
            .where(Segment.source_id == old.id).order_by(Segment.position)):
        units[_key(kind, question, area, text)].append(seg_id)
        carried.texts[seg_id] = text
    carried.units = dict(units)
    of_old = select(Segment.id).where(Segment.source_id == old.id)
    columns = [getattr(Coding, k) for k in _COPIED]
    for seg_id, *values in session.execute(select(Coding.segment_id, *columns)
                                           .where(Coding.segment_id.in_(of_old))):
        carried.codings.setdefault(seg_id, []).append(dict(zip(_COPIED, values, strict=True)))
    for seg_id, round_id, coder, done_at in session.execute(
            select(Assignment.segment_id, Assignment.round_id, Assignment.coder,
                   Assignment.done_at).where(Assignment.segment_id.in_(of_old))):
        carried.assignments.setdefault(seg_id, []).append(
            {"round_id": round_id, "coder": coder, "done_at": done_at})
    session.execute(delete(Source).where(Source.id == old.id))
    session.flush()
    return carried


def put_back(session: Session, source_id: int, carried: Carried) -> Replaced:
    """Move each old unit's codings and round assignments to the new unit with the same
    key (duplicates in order); report what could not move."""
    queues = {key: deque(ids) for key, ids in carried.units.items()}
    report = Replaced()
    codings, assignments = [], []
    for seg_id, kind, question, area, text in session.execute(
            select(Segment.id, Segment.kind, Segment.question, Segment.area, Segment.text)
            .where(Segment.source_id == source_id).order_by(Segment.position)):
        queue = queues.get(_key(kind, question, area, text))
        if not queue:
            report.new += 1
            continue
        old = queue.popleft()
        report.unchanged += 1
        codings += [{**c, "segment_id": seg_id} for c in carried.codings.get(old, [])]
        assignments += [{**a, "segment_id": seg_id} for a in carried.assignments.get(old, [])]
    decided = [c for c in codings if c["status"] != Status.SUGGESTED]
    report.codings_kept = len(decided)
    if codings:
        session.execute(insert(Coding), codings)
    if assignments:
        session.execute(insert(Assignment), assignments)
    names = dict(session.execute(select(Code.id, Code.name)).all())
    for queue in queues.values():
        for old in queue:
            report.gone += 1
            report.codings_dropped += [
                {"text": carried.texts[old], "code": names.get(c["code_id"], c["code_id"]),
                 "coder": c["coder"], "status": c["status"], "memo": c["memo"]}
                for c in carried.codings.get(old, []) if c["status"] != Status.SUGGESTED]
    return report
