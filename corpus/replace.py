"""Replacing a source with a corrected file: the decisions on units that did not change
move to the new units, as do those on a unit whose text stayed while its area or question
was corrected (a code says what the words are about, not where they were written);
decisions on units that changed or went are listed (and kept in the audit event), never
dropped in silence. The report's own decisions on a unit (its quote as shortened, its
bilaga 2 merges) move with it too."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .models import Assignment, Code, Coding, NoteMerge, QuoteText, Segment, Source
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
    quotes: dict[int, dict[str, Any]] = field(default_factory=dict)
    merges: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Replaced:
    unchanged: int = 0
    relabelled: int = 0         # the same text, its area or question corrected
    new: int = 0
    gone: int = 0
    codings_kept: int = 0
    codings_dropped: list[dict[str, Any]] = field(default_factory=list)
    report_kept: int = 0        # shortened quotes and bilaga 2 merge decisions
    # those of units that changed or went: what it was and the unit's text
    report_dropped: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        out = {"unchanged": self.unchanged, "relabelled": self.relabelled, "new": self.new,
               "gone": self.gone,
               "codings kept": self.codings_kept, "codings dropped": len(self.codings_dropped)}
        if self.report_kept or self.report_dropped:
            out |= {"report decisions kept": self.report_kept,
                    "report decisions dropped": len(self.report_dropped)}
        return out


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
    for row in session.scalars(select(QuoteText).where(QuoteText.segment_id.in_(of_old))):
        carried.quotes[row.segment_id] = {"text": row.text, "edited_by": row.edited_by,
                                          "edited_at": row.edited_at}
    carried.merges = [
        {"segment_a": r.segment_a, "segment_b": r.segment_b, "merged": r.merged,
         "decided_by": r.decided_by, "decided_at": r.decided_at}
        for r in session.scalars(select(NoteMerge).where(
            NoteMerge.segment_a.in_(of_old) | NoteMerge.segment_b.in_(of_old)))]
    session.execute(delete(Source).where(Source.id == old.id))
    session.flush()
    return carried


def put_back(session: Session, source_id: int, carried: Carried) -> Replaced:
    """Move each old unit's codings and round assignments to the new unit with the same
    key (duplicates in order), then those of a unit of the same kind and text whose area or
    question changed; report what could not move."""
    queues = {key: deque(ids) for key, ids in carried.units.items()}
    report = Replaced()
    codings, assignments = [], []
    moved: dict[int, int] = {}
    fresh = session.execute(
        select(Segment.id, Segment.kind, Segment.question, Segment.area, Segment.text)
        .where(Segment.source_id == source_id).order_by(Segment.position)).all()
    unmatched = []
    for seg_id, kind, question, area, text in fresh:
        queue = queues.get(_key(kind, question, area, text))
        if queue:
            moved[queue.popleft()] = seg_id
            report.unchanged += 1
        else:
            unmatched.append((seg_id, kind, text))
    by_text: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for old, (kind, _question, _area, text) in sorted(
            (old, key) for key, queue in queues.items() for old in queue):
        by_text[kind, text].append(old)
    for seg_id, kind, text in unmatched:
        queue = by_text.get((kind, " ".join(text.split())))
        if queue:
            old = queue.popleft()
            moved[old] = seg_id
            report.relabelled += 1
        else:
            report.new += 1
    for key, queue in queues.items():       # what is left of each queue went
        queues[key] = deque(i for i in queue if i not in moved)
    for old in sorted(moved, key=lambda o: moved[o]):
        seg_id = moved[old]
        codings += [{**c, "segment_id": seg_id} for c in carried.codings.get(old, [])]
        assignments += [{**a, "segment_id": seg_id} for a in carried.assignments.get(old, [])]
    decided = [c for c in codings if c["status"] != Status.SUGGESTED]
    report.codings_kept = len(decided)
    if codings:
        session.execute(insert(Coding), codings)
    if assignments:
        session.execute(insert(Assignment), assignments)
    _put_back_report(session, carried, moved, report)
    names = dict(session.execute(select(Code.id, Code.name)).all())
    for queue in queues.values():
        for old in queue:
            report.gone += 1
            report.codings_dropped += [
                {"text": carried.texts[old], "code": names.get(c["code_id"], c["code_id"]),
                 "coder": c["coder"], "status": c["status"], "memo": c["memo"]}
                for c in carried.codings.get(old, []) if c["status"] != Status.SUGGESTED]
    return report


def _put_back_report(session: Session, carried: Carried, moved: dict[int, int],
                     report: Replaced) -> None:
    """The quotes as shortened and the bilaga 2 merges of units that stayed, on the new
    units; a merge's other unit may be in another source (kept as it is)."""
    quotes = [{**q, "segment_id": moved[old]} for old, q in carried.quotes.items()
              if old in moved]
    report.report_dropped = [{"what": "quote (shortened)", "text": carried.texts[old],
                              "printed": q["text"]}
                             for old, q in carried.quotes.items() if old not in moved]
    merges = []
    for m in carried.merges:
        a, b = (moved.get(m[k], m[k] if m[k] not in carried.texts else None)
                for k in ("segment_a", "segment_b"))
        if a is not None and b is not None and a != b:
            merges.append({**m, "segment_a": min(a, b), "segment_b": max(a, b)})
        else:
            gone = next(m[k] for k in ("segment_a", "segment_b")
                        if m[k] in carried.texts and m[k] not in moved)
            report.report_dropped.append({
                "what": "bilaga 2 merge" if m["merged"] else "bilaga 2 keep-apart",
                "text": carried.texts[gone], "pair": [m["segment_a"], m["segment_b"]]})
    if quotes:
        session.execute(insert(QuoteText), quotes)
    if merges:
        session.execute(insert(NoteMerge), merges)
    report.report_kept = len(quotes) + len(merges)
