"""Suggestions in a project: train the engine on the project's decisions, score segments,
store the ranked suggestions (coder `förslag`), and order the review queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import Coding, Segment
from corpus.project import Project

from .codebook import Codebook
from .codes import load_codebook
from .codings import SUGGESTER, suggester_for
from .suggest.engine import Engine, Example, Scored

KEEP = 5          # suggestions stored per segment
ORDERS = ("active", "document")
BATCH = 2000


def examples(session: Session, coder: str | None = None) -> list[Example]:
    """Decided codings grouped per segment: what was accepted and what was rejected."""
    query = (select(Coding.segment_id, Coding.code_id, Coding.status, Segment.text)
             .join(Segment, Segment.id == Coding.segment_id)
             .where(Coding.status.in_(("accepted", "rejected")),
                    ~Coding.coder.startswith(SUGGESTER)))
    if coder:
        query = query.where(Coding.coder == coder)
    grouped: dict[int, Example] = {}
    for segment_id, code_id, status, text in session.execute(query):
        ex = grouped.setdefault(segment_id, Example(text, set(), set()))
        (ex.codes if status == "accepted" else ex.rejected).add(code_id)
    for ex in grouped.values():
        ex.rejected -= ex.codes
    return [ex for ex in grouped.values() if ex.codes or ex.rejected]


def rejected_by(session: Session, segment_ids: Sequence[int], coder: str | None
                ) -> dict[int, set[int]]:
    query = select(Coding.segment_id, Coding.code_id).where(
        Coding.status == "rejected", Coding.segment_id.in_(segment_ids))
    if coder:
        query = query.where(Coding.coder == coder)
    out: dict[int, set[int]] = {}
    for segment_id, code_id in session.execute(query):
        out.setdefault(segment_id, set()).add(code_id)
    return out


def build_engine(project: Project, coder: str | None = None) -> tuple[Engine, Codebook]:
    """An engine fitted on the project's texts (vocabulary) and decisions."""
    with project.session() as session:
        codebook = load_codebook(session)
        corpus = list(session.scalars(select(Segment.text).where(Segment.kind != "turn")))
        train = examples(session, coder)
    engine = Engine(codebook, corpus=corpus).fit(train)
    return engine, codebook


@dataclass
class SuggestReport:
    segments: int = 0
    suggestions: int = 0
    flagged: int = 0
    trained_on: int = 0
    codes: int = 0
    blend_learned: bool = False
    flagged_ids: list[int] = field(default_factory=list)


def suggest(project: Project, source_ids: Sequence[int] | None = None,
            kinds: Sequence[str] | None = None, coder: str | None = None,
            actor: str = "qda", engine: Engine | None = None,
            progress: Callable[[int, int], None] | None = None) -> SuggestReport:
    """Score segments and replace their stored suggestions, in one transaction."""
    if engine is None:
        engine, codebook = build_engine(project, coder)
    codebook = engine.codebook
    report = SuggestReport(trained_on=engine.n_examples, codes=len(codebook.codes),
                           blend_learned=engine.blend_learned)
    if not codebook.codes:
        return report
    who = suggester_for(coder)
    with project.transaction() as session:
        query = select(Segment.id, Segment.text).order_by(Segment.id)
        if source_ids:
            query = query.where(Segment.source_id.in_(list(source_ids)))
        if kinds:
            query = query.where(Segment.kind.in_(list(kinds)))
        rows = session.execute(query).all()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            ids = [r[0] for r in chunk]
            banned = rejected_by(session, ids, coder)
            scored = engine.score([r[1] for r in chunk], [banned.get(i, set()) for i in ids],
                                  limit=KEEP)
            session.execute(delete(Coding).where(Coding.coder == who,
                                                 Coding.segment_id.in_(ids)))
            new = []
            for segment_id, result in zip(ids, scored, strict=True):
                new.extend(_rows(segment_id, result, who))
                if result.flagged:
                    report.flagged += 1
                    report.flagged_ids.append(segment_id)
            if new:
                session.execute(insert(Coding), new)
            report.segments += len(chunk)
            report.suggestions += len(new)
            if progress:
                progress(report.segments, len(rows))
        record(session, actor, "suggest.run", "segment", None, None,
               {"segments": report.segments, "suggestions": report.suggestions,
                "flagged": report.flagged, "trained_on": report.trained_on, "coder": who})
    return report


def _rows(segment_id: int, result: Scored, who: str) -> list[dict]:
    out = []
    for rank, s in enumerate(result.suggestions, start=1):
        evidence = s.evidence()
        evidence.update(rank=rank, no_fit=round(result.no_fit, 4), flagged=result.flagged,
                        priority=round(result.uncertainty, 4))
        out.append({"segment_id": segment_id, "code_id": s.code_id, "coder": who,
                    "status": "suggested", "score": round(s.score, 4), "evidence": evidence,
                    "is_quote": False})
    return out


def queue(project: Project, order: str = "active", coder: str | None = None,
          kinds: Sequence[str] | None = None, blind: bool = False) -> list[int]:
    """Segment ids still undecided (by `coder`, or by anyone), in review order.

    "active": most informative first (the engine's uncertainty, stored with the
    suggestions: the coder's own blind layer when `blind`); "document": source and
    position order.
    """
    if order not in ORDERS:
        raise QdaError(f"order must be one of {', '.join(ORDERS)}, not {order!r}", None, "E333")
    with project.session() as session:
        decided_q = select(Coding.segment_id).where(Coding.status.in_(("accepted", "rejected")))
        if coder:
            decided_q = decided_q.where(Coding.coder == coder)
        else:
            decided_q = decided_q.where(~Coding.coder.startswith(SUGGESTER))
        decided = set(session.scalars(decided_q))
        query = select(Segment.id, Segment.source_id, Segment.position).order_by(
            Segment.source_id, Segment.position, Segment.id)
        if kinds:
            query = query.where(Segment.kind.in_(list(kinds)))
        todo = [r for r in session.execute(query) if r[0] not in decided]
        if order == "document":
            return [r[0] for r in todo]
        priority = {}
        for segment_id, evidence in session.execute(
                select(Coding.segment_id, Coding.evidence).where(
                    Coding.coder == suggester_for(coder if blind else None),
                    Coding.status == "suggested")):
            if evidence and evidence.get("rank") == 1:
                priority[segment_id] = float(evidence.get("priority", 0.0))
    # unscored segments first: nothing is known about them yet
    return sorted((r[0] for r in todo), key=lambda i: -priority.get(i, 2.0))


@dataclass
class Pending:
    """A segment waiting for a decision, with its stored suggestions best first."""

    segment_id: int
    kind: str
    area: str | None
    question: int | None
    text: str
    suggestions: list[tuple[int, str, float, list[str]]]  # code id, path, score, reasons
    flagged: bool


def pending(project: Project, coder: str | None = None, order: str = "active",
            limit: int = 10, kinds: Sequence[str] | None = None,
            blind: bool = False) -> list[Pending]:
    """The next `limit` segments of the review queue with their suggestions."""
    ids = queue(project, order, coder, kinds, blind)[:limit]
    if not ids:
        return []
    layer = suggester_for(coder if blind else None)
    with project.session() as session:
        book = load_codebook(session)
        rows = {r.id: r for r in session.scalars(select(Segment).where(Segment.id.in_(ids)))}
        stored: dict[int, list[Coding]] = {}
        for c in session.scalars(select(Coding).where(
                Coding.coder == layer, Coding.status == "suggested",
                Coding.segment_id.in_(ids)).order_by(Coding.score.desc(), Coding.code_id)):
            stored.setdefault(c.segment_id, []).append(c)
        out = []
        for segment_id in ids:
            seg = rows[segment_id]
            found = stored.get(segment_id, [])
            out.append(Pending(
                segment_id, seg.kind, seg.area, seg.question, seg.text,
                [(c.code_id, book.codes[c.code_id].label if c.code_id in book.codes else "?",
                  float(c.score or 0.0), list((c.evidence or {}).get("reasons", [])))
                 for c in found],
                bool(found and (found[0].evidence or {}).get("flagged"))))
    return out
