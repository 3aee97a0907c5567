"""Suggestions in a project: train the engine on the project's decisions, score segments,
store the ranked suggestions (coder `förslag`), and order the review queue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from corpus.actors import LIBRARY, Actor, actor_name, checked
from corpus.audit import record
from corpus.models import Coding, Segment, TextVector, utcnow
from corpus.project import Project
from corpus.store import (
    bulk_insert,
    bulk_insert_batches,
    checkpoint,
    insert_new,
    refresh_statistics,
)
from corpus.vocabulary import DECISIONS, Action, Status
from people.identity import human, suggestion_layer

from .codebook import Codebook
from .codes import load_codebook, secret_codes
from .queue import CODABLE, Filters, queue_page, scope
from .suggest import embed
from .suggest.engine import Engine, Example, Scored
from .unit_view import SHOWN_ORDER

KEEP = 9          # suggestions stored per segment: keys 1-9 on the coding page
BATCH = 2000
SHORT_BATCH = 50    # background rescoring: short write transactions between coders' clicks
ANALYZE_AFTER = 5000  # rows scored: a run this large refreshes PostgreSQL's statistics


def examples(session: Session, coder: str | None = None) -> list[Example]:
    """Decided codings grouped per segment: what was accepted and what was rejected."""
    query = (select(Coding.segment_id, Coding.code_id, Coding.status, Segment.text)
             .join(Segment, Segment.id == Coding.segment_id)
             .where(Coding.status.in_(DECISIONS),
                    human(Coding.coder)))
    if coder:
        query = query.where(Coding.coder == coder)
    # a fixed order: the same decisions train the same model on either store
    query = query.order_by(Coding.segment_id, Coding.code_id, Coding.coder)
    grouped: dict[int, Example] = {}
    for segment_id, code_id, status, text in session.execute(query):
        ex = grouped.setdefault(segment_id, Example(text, set(), set()))
        (ex.codes if status == Status.ACCEPTED else ex.rejected).add(code_id)
    for ex in grouped.values():
        ex.rejected -= ex.codes
    return [ex for ex in grouped.values() if ex.codes or ex.rejected]


def rejected_by(session: Session, segment_ids: Sequence[int], coder: str | None
                ) -> dict[int, set[int]]:
    query = select(Coding.segment_id, Coding.code_id).where(
        Coding.status == Status.REJECTED, Coding.segment_id.in_(segment_ids))
    if coder:
        query = query.where(Coding.coder == coder)
    out: dict[int, set[int]] = {}
    for segment_id, code_id in session.execute(query):
        out.setdefault(segment_id, set()).add(code_id)
    return out


class ProjectVectors:
    """The project's store of text vectors (table text_vector, both stores): read and
    written in short transactions of their own, so that embedding never holds a lock
    while the model works."""

    CHUNK = 500

    def __init__(self, project: Project) -> None:
        self.project = project
        self.key = project.url

    def get(self, keys: Sequence[str]) -> dict:
        out: dict[str, Any] = {}
        with self.project.session() as session:
            for start in range(0, len(keys), self.CHUNK):
                rows = session.execute(select(TextVector.text_hash, TextVector.vector).where(
                    TextVector.model == embed.MODEL,
                    TextVector.text_hash.in_(keys[start:start + self.CHUNK])))
                out.update((key, embed.from_bytes(blob)) for key, blob in rows)
        return out

    def put(self, vectors: dict) -> None:
        if not vectors:
            return
        rows = [{"text_hash": key, "model": embed.MODEL, "vector": embed.to_bytes(vec)}
                for key, vec in vectors.items()]
        with self.project.transaction() as session:
            # another process (the background worker, `qda suggest`) may have stored the
            # same text meanwhile: keep the first vector, it is the same
            insert_new(session, TextVector.__table__, rows, self.CHUNK)


def project_embedder(project: Project) -> embed.Embedder | None:
    """The meaning signal over the project's stored vectors, or None without the extra."""
    return embed.load(ProjectVectors(project))


def build_engine(project: Project, coder: str | None = None) -> tuple[Engine, Codebook]:
    """An engine fitted on the project's texts (vocabulary) and decisions; with the embed
    extra installed (and QDA_EMBED not 0) it has the meaning signal, its vectors computed
    on first use and kept in the project."""
    with project.session() as session:
        # codes added in an open blind round are suggested to their creator's layer only
        codebook = load_codebook(session, secret_codes(session, coder))
        corpus = list(session.scalars(select(Segment.text).where(Segment.kind != "turn")))
        train = examples(session, coder)
    embedder = project_embedder(project)
    engine = Engine(codebook, corpus=corpus, embedder=embedder).fit(train)
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
            actor: Actor = LIBRARY, engine: Engine | None = None,
            progress: Callable[[int, int], None] | None = None,
            segment_ids: Sequence[int] | None = None,
            per_batch: bool = False) -> SuggestReport:
    """Score segments and replace their stored suggestions.

    One transaction for the whole run; with `per_batch`, one short transaction per batch
    instead, so that a background retrain never holds the write lock for long while a
    coder is working."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    if engine is None:
        with project.session() as session:
            codes = len(load_codebook(session, secret_codes(session, coder)).codes)
            material = session.scalar(select(Segment.id).limit(1)) is not None
        if not codes or not material:       # nothing to learn words from or to score
            return SuggestReport(codes=codes)
        engine, codebook = build_engine(project, coder)
    codebook = engine.codebook
    report = SuggestReport(trained_on=engine.n_examples, codes=len(codebook.codes),
                           blend_learned=engine.blend_learned)
    if not codebook.codes:
        return report
    who = suggestion_layer(coder)
    query = select(Segment.id, Segment.text).order_by(Segment.id)
    if source_ids:
        query = query.where(Segment.source_id.in_(list(source_ids)))
    if kinds:
        query = query.where(Segment.kind.in_(list(kinds)))
    if engine.embedder is not None:
        # the meaning signal's vectors before any write lock is taken: computed once per
        # text (on first use, here or in the background worker) and kept in the project
        with project.session() as reader:
            engine.embedder.vectors([t for _, t in _select_rows(reader, query, segment_ids)])
    if per_batch:
        with project.session() as reader:
            rows = _select_rows(reader, query, segment_ids)
        for chunk in _batches(rows, report, progress, SHORT_BATCH):
            # score outside the write lock; the write itself is a few milliseconds
            with project.session() as reader:
                scored = _score(reader, engine, chunk, coder)
            with project.transaction() as session:
                _store(session, chunk, scored, coder, who, report)
            # fold the batch into the database file now, so that a coder's next
            # commit never has to checkpoint a WAL this run has grown
            checkpoint(project.engine)
        with project.transaction() as session:
            _record_run(session, actor, who, report)
    else:
        with project.transaction() as session:
            rows = _select_rows(session, query, segment_ids)
            ids = [r[0] for r in rows]
            # the database work first, so that the loop below only scores and makes rows
            # while the batch before is written (PostgreSQL: from a second thread)
            banned = _rejected(session, ids, coder)
            for part in _parts(ids):
                _forget(session, part, who)
            dialect = session.get_bind().dialect
            bulk_insert_batches(session, (
                [(Coding.__table__, _scored_rows(engine, chunk, banned, who, report, dialect))]
                for chunk in _batches(rows, report, progress)))
            _late_rejections(session, engine, rows, banned, coder, who, report)
            _record_run(session, actor, who, report)
    if len(rows) >= ANALYZE_AFTER:
        refresh_statistics(project.engine, ("coding",))
    return report


def _batches(rows: list, report: SuggestReport,
             progress: Callable[[int, int], None] | None, size: int | None = None
             ) -> Iterator[list]:
    size = size or BATCH
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        yield chunk
        report.segments += len(chunk)
        if progress:
            progress(report.segments, len(rows))


def _record_run(session: Session, actor: Actor, who: str, report: SuggestReport) -> None:
    record(session, actor_name(actor), Action.SUGGEST_RUN, "segment", None, None,
           {"segments": report.segments, "suggestions": report.suggestions,
            "flagged": report.flagged, "trained_on": report.trained_on, "coder": who})


def _select_rows(session: Session, query, segment_ids: Sequence[int] | None) -> list:
    if segment_ids is None:
        return list(session.execute(query).all())
    rows: list[Any] = []
    for part in _parts(list(segment_ids)):
        rows.extend(session.execute(query.where(Segment.id.in_(part))))
    return sorted(rows)


def ranked(engine: Engine, texts: list[str], banned: list[set[int]] | None = None,
           explain: bool = True) -> list[Scored]:
    """What the store keeps of a text: the KEEP numbered suggestions, sub-themes before
    the main themes they imply, so that one key codes a unit (`Engine.score`). The
    session replay (`session_eval`) calls it too, so it counts what the coder is shown."""
    return engine.score(texts, banned, limit=KEEP, explain=explain, finest=True)


def _score(session: Session, engine: Engine, chunk: list, coder: str | None) -> list[Scored]:
    ids = [r[0] for r in chunk]
    banned = rejected_by(session, ids, coder)
    return ranked(engine, [r[1] for r in chunk], [banned.get(i, set()) for i in ids])


def _store(session: Session, chunk: list, scored: list[Scored], coder: str | None, who: str,
           report: SuggestReport) -> None:
    ids = [r[0] for r in chunk]
    # a rejection made while the batch was scored still wins
    banned = rejected_by(session, ids, coder)
    _forget(session, ids, who)
    new = _new_rows(ids, scored, banned, who, report)
    if new:
        bulk_insert(session, Coding.__table__, _plain(new, session.get_bind().dialect))


def _forget(session: Session, ids: Sequence[int], who: str) -> int:
    """Remove the layer's stored suggestions on these segments; how many there were."""
    return cast(CursorResult, session.execute(delete(Coding).where(
        Coding.coder == who, Coding.segment_id.in_(ids)))).rowcount


def _parts(ids: list[int]) -> Iterator[list[int]]:
    """`ids` in slices of BATCH: IN lists of a bounded size."""
    return (ids[start:start + BATCH] for start in range(0, len(ids), BATCH))


def _rejected(session: Session, ids: list[int], coder: str | None) -> dict[int, set[int]]:
    return {k: v for part in _parts(ids) for k, v in rejected_by(session, part, coder).items()}


def _scored_rows(engine: Engine, chunk: list, banned: dict[int, set[int]], who: str,
                 report: SuggestReport, dialect: Dialect) -> list[dict]:
    """One batch scored and made into rows, without touching the database."""
    ids = [r[0] for r in chunk]
    scored = ranked(engine, [r[1] for r in chunk], [banned.get(i, set()) for i in ids])
    return _plain(_new_rows(ids, scored, banned, who, report), dialect)


def _late_rejections(session: Session, engine: Engine, rows: list,
                     banned: dict[int, set[int]], coder: str | None, who: str,
                     report: SuggestReport) -> None:
    """A code rejected while the run scored (by a coder on the team server) is still never
    suggested: those few segments are scored again with it excluded."""
    now = _rejected(session, [r[0] for r in rows], coder)
    again = [r for r in rows if now.get(r[0], set()) - banned.get(r[0], set())]
    if not again:
        return
    ids = {r[0] for r in again}
    report.suggestions -= _forget(session, list(ids), who)
    report.flagged_ids = [i for i in report.flagged_ids if i not in ids]
    report.flagged = len(report.flagged_ids)
    _store(session, again, ranked(engine, [r[1] for r in again],
                                   [now.get(r[0], set()) for r in again]),
           coder, who, report)


def _new_rows(ids: list[int], scored: list[Scored], banned: dict[int, set[int]], who: str,
              report: SuggestReport) -> list[dict]:
    new = []
    for segment_id, result in zip(ids, scored, strict=True):
        gone = banned.get(segment_id, set())
        if gone:
            result.suggestions = [s for s in result.suggestions if s.code_id not in gone]
        new.extend(_rows(segment_id, result, who))
        if result.flagged:
            report.flagged += 1
            report.flagged_ids.append(segment_id)
    report.suggestions += len(new)
    return new


def _plain(rows: list[dict], dialect: Dialect) -> list[dict]:
    """Suggestion rows as plain values for `bulk_insert` (COPY on PostgreSQL): the ORM's
    insert spent more time on per-row parameters and, on PostgreSQL, on a statement per
    row than the database spent storing them."""
    column = Coding.__table__.c.created_at.type.dialect_impl(dialect)
    stored = column.bind_processor(dialect)       # SQLite keeps a DateTime as text
    now = stored(utcnow()) if stored else utcnow()
    for row in rows:
        row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
        row["created_at"] = row["updated_at"] = now
    return rows


def _rows(segment_id: int, result: Scored, who: str) -> list[dict]:
    out = []
    for rank, s in enumerate(result.suggestions, start=1):
        evidence = s.evidence()
        evidence.update(rank=rank, no_fit=round(result.no_fit, 4), flagged=result.flagged,
                        priority=round(result.uncertainty, 4))
        out.append({"segment_id": segment_id, "code_id": s.code_id, "coder": who,
                    "status": Status.SUGGESTED, "score": round(s.score, 4), "evidence": evidence,
                    "is_quote": False, "rank": rank,
                    "priority": round(result.uncertainty, 4) if rank == 1 else None})
    return out


def queue(project: Project, order: str = "active", coder: str | None = None,
          kinds: Sequence[str] | None = None, blind: bool = False,
          limit: int | None = None, search: str = "") -> list[int]:
    """Segment ids still undecided (by `coder`, or by anyone), in review order.

    "active": most informative first (the engine's uncertainty, stored with the
    suggestions: the coder's own blind layer when `blind`); "document": source and
    position order. Without `kinds`, notes and sentences (turns are coded as runs of
    their sentences); `search`: only units holding every word (case and å/ä/ö folded).
    A thin wrapper over `coding.queue.queue_page`.
    """
    filters = Filters(kinds=tuple(kinds) if kinds else CODABLE, search=search)
    with project.session() as session:
        page = queue_page(session, coder, filters, order, None,
                          limit if limit is not None else 1 << 62, blind)
    return [c.segment_id for c in page]


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
            blind: bool = False, search: str = "") -> list[Pending]:
    """The next `limit` segments of the review queue with their suggestions (in an open
    blind round: the coder's own units, with their own model's suggestions)."""
    with project.session() as session:
        _, blind = scope(session, coder, Filters(), blind)
    ids = queue(project, order, coder, kinds, blind, limit, search)
    if not ids:
        return []
    layer = suggestion_layer(coder if blind else None)
    with project.session() as session:
        book = load_codebook(session)
        rows = {r.id: r for r in session.scalars(select(Segment).where(Segment.id.in_(ids)))}
        stored: dict[int, list[Coding]] = {}
        for c in session.scalars(select(Coding).where(
                Coding.coder == layer, Coding.status == Status.SUGGESTED,
                Coding.segment_id.in_(ids)).order_by(*SHOWN_ORDER)):
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
