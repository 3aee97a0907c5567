"""The review queue as an indexed, paginated query, and what a coder sees of one segment.

The app and `qda code next` both read the queue here. Keyset pagination ("the next page
after this key") keeps every step one short query however large the project is, and a
segment that has just been decided simply drops out of the "to review" filter.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import String, exists, func, or_, select, text, tuple_, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from corpus.errors import QdaError
from corpus.models import Assignment, Coding, NotRelevant, Segment, Source
from corpus.vocabulary import DECISIONS, Status

from . import access, relevance, rounds
from .accounts import Actor, Can
from .codebook import Codebook
from .codings import accept, lock_coding, reject, remove
from .identity import human, suggestion_layer

ORDERS = ("active", "document")


class Queue(StrEnum):
    """Which units the review queue shows (Swedish labels in app/ui.py)."""

    TO_REVIEW = "to_review"      # the working queue: all this coder has not decided yet
    UNCODED = "uncoded"          # not decided, no suggestion in the layer
    SUGGESTED = "suggested"      # not decided, with suggestions
    DECIDED = "decided"
    ALL = "all"


STATUSES = tuple(Queue)
CODABLE = ("note", "sentence")   # turns are coded as runs of their sentences


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = CODABLE
    questions: tuple[int, ...] = ()
    areas: tuple[str, ...] = ()
    source_ids: tuple[int, ...] = ()
    code_id: int | None = None
    status: Queue = Queue.TO_REVIEW
    round_id: int | None = None    # only the coder's units in this round of double coding
    search: str = ""               # words the text must hold (case and å/ä/ö folded)


@dataclass(frozen=True)
class Cursor:
    """Where a segment sits in the review order; the next page starts after it.

    Active order: (0, priority) for segments with suggestions, most informative first,
    then (1, 0.0) for segments not scored yet, in id order. Document order:
    (source_id, position)."""

    segment_id: int
    key: tuple[float | int, ...]


class _NoIndex(FunctionElement):
    """A column SQLite's planner must not choose an index for (see `_filtered`); other
    databases get the plain column, so their statistics still see what it selects."""

    type = String()
    inherit_cache = True


@compiles(_NoIndex)
def _column(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_NoIndex, "sqlite")
def _column_without_index(element, compiler, **kw) -> str:
    return f"({compiler.process(element.clauses, **kw)} || '')"


# Each role of the coding (and assignment) table in a queue query has its own alias, made
# once: building an alias costs more than compiling the query from SQLAlchemy's cache.
_DECIDED = aliased(Coding, name="decided")
_COUNTED = aliased(Coding, name="counted")
_WITH_CODE = aliased(Coding, name="with_code")
_TOP = aliased(Coding, name="top")
_HAS_TOP = aliased(Coding, name="has_top")
_ASSIGNED = aliased(Assignment, name="assigned")
_SKIPPED = aliased(NotRelevant, name="skipped")


def _decided_by(coder: str | None):
    """A decision on the unit: a code accepted or rejected, or 'not relevant'."""
    d, n = _DECIDED, _SKIPPED
    who = d.coder == coder if coder else human(d.coder)
    coded = exists().where(d.segment_id == Segment.id, d.status.in_(DECISIONS), who)
    skipped = exists().where(n.segment_id == Segment.id,
                             *((n.coder == coder,) if coder else ()))
    return coded | skipped


# Search folds case and the Swedish letters, so that "vardcentral", "VÅRDCENTRAL" and
# "vårdcentral" find the same units: the same replacements on both stores (PostgreSQL's
# lower() folds å/ä/ö only under a Unicode collation, SQLite's never), then lower() for
# ASCII. Each word of the query must occur, inside a word too ("vård" in "vårdcentral").
FOLD = (("å", "a"), ("ä", "a"), ("ö", "o"), ("Å", "a"), ("Ä", "a"), ("Ö", "o"),
        ("é", "e"), ("É", "e"), ("ü", "u"), ("Ü", "u"))


def fold(value: str) -> str:
    """The search's folding in Python (the same as `_folded` in SQL)."""
    for a, b in FOLD:
        value = value.replace(a, b)
    return value.lower()


def search_words(query: str) -> list[str]:
    return [w for w in fold(query).split() if w]


def _folded(column):
    for a, b in FOLD:
        column = func.replace(column, a, b)
    return func.lower(column)


def search_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's words occur in a text (folded the same way): for highlighting.
    Folding keeps every character's position (one letter for one)."""
    folded = fold(text)
    spans = []
    for word in search_words(query):
        start = folded.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = folded.find(word, start + len(word))
    return sorted(spans)


def _check(filters: Filters, order: str | None = None) -> None:
    if filters.status not in STATUSES:
        raise QdaError(f"status must be one of {', '.join(STATUSES)}, not {filters.status!r}",
                       None, "E334")
    if order is not None and order not in ORDERS:
        raise QdaError(f"order must be one of {', '.join(ORDERS)}, not {order!r}", None, "E333")


def _filtered(query, coder: str | None, filters: Filters, layer: str, walk: bool = False):
    """The segment filters and the decision status (not the suggestion status).

    `walk`: the query walks an index in queue order and stops at its LIMIT; the kind
    filter (rarely selective) is then written so that SQLite cannot choose the kind
    index instead and sort every segment (without ANALYZE statistics it would). Only
    there: written so on PostgreSQL, the planner took the filter for a selective one and
    sorted every suggestion instead of walking the queue index (8 ms against 0.4 ms on
    3,600 notes)."""
    if filters.kinds:
        kind = _NoIndex(Segment.kind) if walk else Segment.kind
        query = query.where(kind.in_(filters.kinds))
    if filters.questions:
        query = query.where(Segment.question.in_(filters.questions))
    if filters.areas:
        query = query.where(Segment.area.in_(filters.areas))
    if filters.source_ids:
        query = query.where(Segment.source_id.in_(filters.source_ids))
    for word in search_words(filters.search):
        query = query.where(_folded(Segment.text).contains(word, autoescape=True))
    if filters.code_id is not None:
        c = _WITH_CODE
        mine = (c.coder == coder) if coder else human(c.coder)
        query = query.where(exists().where(
            c.segment_id == Segment.id, c.code_id == filters.code_id,
            or_(c.coder == layer, mine & (c.status == Status.ACCEPTED))))
    if filters.round_id is not None and coder:
        a = _ASSIGNED
        mine = exists().where(a.segment_id == Segment.id, a.round_id == filters.round_id,
                              a.coder == coder)
        if filters.status in (Queue.TO_REVIEW, Queue.UNCODED, Queue.SUGGESTED):
            mine = mine.where(a.done_at.is_(None))   # "no code applies" counts as decided
        query = query.where(mine)
    if filters.status in (Queue.TO_REVIEW, Queue.UNCODED, Queue.SUGGESTED):
        query = query.where(~_decided_by(coder))
    elif filters.status == Queue.DECIDED:
        query = query.where(_decided_by(coder))
    return query


def _scored(coder: str | None, filters: Filters, layer: str, after: Cursor | None, limit: int):
    """Segments with suggestions, walked down the (coder, rank, priority) index (sorting
    a question's scored units instead was slower: 26 against 9 ms on SQLite at 100x,
    and PostgreSQL then joined every suggestion)."""
    top = _TOP
    query = (select(Segment.id, top.priority).join(top, top.segment_id == Segment.id)
             .where(top.coder == layer, top.rank == 1))
    if after is not None:
        query = query.where(tuple_(top.priority, top.segment_id)
                            < tuple_(after.key[1], after.segment_id))
    query = _filtered(query, coder, filters, layer, walk=True)
    return query.order_by(top.priority.desc(), top.segment_id.desc()).limit(limit)


def _unscored(coder: str | None, filters: Filters, layer: str, after: Cursor | None,
              limit: int, few: bool = False):
    top = _HAS_TOP
    query = select(Segment.id).where(~exists().where(
        top.segment_id == Segment.id, top.coder == layer, top.rank == 1))
    if after is not None:
        query = query.where(Segment.id > after.segment_id)
    order = Segment.id + 0 if few else Segment.id
    return _filtered(query, coder, filters, layer, walk=not few).order_by(order).limit(limit)


def scope(session: Session, coder: str | None, filters: Filters, blind: bool,
          actor: Actor | None = None) -> tuple[Filters, bool]:
    """The queue a coder may see: in an open blind round only their own units of it, with
    suggestions from their own model, whatever the caller asked for."""
    if actor is not None:
        access.require_coder(session, actor, coder or "", Can.READ_SEGMENTS)
    found = rounds.blind_round(session, coder)
    if found is None:
        return filters, blind
    return dataclasses.replace(filters, round_id=found.id), True


def queue_page(session: Session, coder: str | None = None, filters: Filters = Filters(),
               order: str = "active", after: Cursor | None = None, limit: int = 50,
               blind: bool = False, actor: Actor | None = None) -> list[Cursor]:
    """The next `limit` segments of the queue after `after` (from the start when None).

    Each page is one or two indexed queries that stop after `limit` rows, so a step costs
    the same on 50 000 segments as on 500."""
    _check(filters, order)
    filters, blind = scope(session, coder, filters, blind, actor)
    return _page(session, coder, filters, order, after, limit, blind)


def _page(session: Session, coder: str | None, filters: Filters, order: str,
          after: Cursor | None, limit: int, blind: bool) -> list[Cursor]:
    """`queue_page` within a scope already found."""
    layer = suggestion_layer(coder if blind else None)
    if order == "document":
        query = select(Segment.id, Segment.source_id, Segment.position)
        if after is not None:
            query = query.where(tuple_(Segment.source_id, Segment.position)
                                > tuple_(*after.key))
        # Walk the (source, position) index and stop at the LIMIT, unless a question or
        # area filter leaves few units: those may all lie at the end of the walk (the
        # notes after 2,300 transcripts: 0.4 s a page), so find them by the kind index
        # and sort them instead (`+ 0`: the order is then not the index's). The same for
        # the units without suggestions in active order, walked in id order.
        few = _few(session, filters)
        source_order = Segment.source_id + 0 if few else Segment.source_id
        query = _by_suggestions(_filtered(query, coder, filters, layer, walk=not few),
                                filters, layer).order_by(
            source_order, Segment.position).limit(limit)
        return [Cursor(r.id, (r.source_id, r.position)) for r in session.execute(query)]
    out: list[Cursor] = []
    if filters.status != Queue.UNCODED and (after is None or after.key[0] == 0):
        out = [Cursor(r.id, (0, float(r.priority))) for r in session.execute(
            _scored(coder, filters, layer, after, limit))]
    if len(out) < limit and filters.status != Queue.SUGGESTED:
        start = after if after is not None and after.key[0] == 1 else None
        few = _few(session, filters)
        with _serial(session, few):
            out += [Cursor(sid, (1, 0.0)) for sid in session.scalars(
                _unscored(coder, filters, layer, start, limit - len(out), few))]
    return out


@contextmanager
def _serial(session: Session, few: bool):
    """The units without suggestions among a few, on PostgreSQL without parallel workers:
    for the 12,000 notes of fråga 2 at 100x the planner starts two (10 ms before the first
    row on this machine) for a 2 ms sort, and the page took 36 against 22 ms. Only for
    that statement: a count over every segment still gains from them, and the document
    order's sort is planned serial already (the two SETs would only add their trips)."""
    if not few or session.get_bind().dialect.name != "postgresql":
        yield
        return
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    yield       # a failed statement aborts the transaction, and its rollback undoes this
    session.execute(text("SET LOCAL max_parallel_workers_per_gather TO DEFAULT"))


SORT_AT_MOST = 50_000   # units of a question or area a document-order page sorts


def _few(session: Session, filters: Filters) -> bool:
    """Does a question or area filter leave fewer than SORT_AT_MOST units of the kinds
    asked for? Counted on the kind index and stopped there: a few milliseconds."""
    if not (filters.questions or filters.areas):
        return False
    only = Filters(kinds=filters.kinds, questions=filters.questions, areas=filters.areas,
                   status=Queue.ALL)
    query = _filtered(select(Segment.id), None, only, "")
    found = session.scalar(select(func.count()).select_from(
        query.limit(SORT_AT_MOST).subquery()))
    return (found or 0) < SORT_AT_MOST


def queue_count(session: Session, coder: str | None = None, filters: Filters = Filters(),
                blind: bool = False, actor: Actor | None = None) -> int:
    """How many segments the queue holds. The working queue is counted as all filtered
    segments minus the decided ones: two index counts instead of a check per segment."""
    _check(filters)
    filters, blind = scope(session, coder, filters, blind, actor)
    layer = suggestion_layer(coder if blind else None)
    if filters.status == Queue.TO_REVIEW and filters.round_id is None:
        everything = dataclasses.replace(filters, status=Queue.ALL)
        total = _filtered(select(func.count()).select_from(Segment), coder, everything, layer)
        d = _COUNTED
        who = d.coder == coder if coder else human(d.coder)
        skipped = select(NotRelevant.segment_id.label("sid"))
        if coder:
            skipped = skipped.where(NotRelevant.coder == coder)
        ids = union(select(d.segment_id.label("sid")).where(who, d.status.in_(DECISIONS)),
                    skipped).subquery("decided_ids")
        decided = _filtered(select(func.count()).select_from(ids)
                            .join(Segment, Segment.id == ids.c.sid), coder, everything,
                            layer)
        return (session.scalar(total) or 0) - (session.scalar(decided) or 0)
    query = _filtered(select(func.count()).select_from(Segment), coder, filters, layer)
    return session.scalar(_by_suggestions(query, filters, layer)) or 0


def _by_suggestions(query, filters: Filters, layer: str):
    """UNCODED: no suggestion in the layer yet; SUGGESTED: has some."""
    if filters.status not in (Queue.UNCODED, Queue.SUGGESTED):
        return query
    top = _HAS_TOP
    has = exists().where(top.segment_id == Segment.id, top.coder == layer, top.rank == 1)
    return query.where(~has if filters.status == Queue.UNCODED else has)


def cursor_of(session: Session, segment_id: int, order: str, coder: str | None = None,
              blind: bool = False) -> Cursor | None:
    """The key of one segment, so that "next" can continue from wherever the coder is."""
    if order == "document":
        row = session.execute(select(Segment.source_id, Segment.position)
                              .where(Segment.id == segment_id)).first()
        return Cursor(segment_id, (row.source_id, row.position)) if row else None
    prio = session.scalar(select(Coding.priority).where(
        Coding.segment_id == segment_id, Coding.rank == 1,
        Coding.coder == suggestion_layer(coder if blind else None)))
    return Cursor(segment_id, (0, float(prio)) if prio is not None else (1, 0.0))


@dataclass
class Suggested:
    code_id: int
    label: str
    score: float
    reasons: list[str]
    spans: list[tuple[int, int]]
    decision: str | None          # this coder's accepted / rejected, or None


@dataclass
class SegmentView:
    """Everything the coding page shows for one segment."""

    segment_id: int
    kind: str
    text: str
    source_id: int
    source_name: str
    question: int | None
    area: str | None
    sheet: str | None
    location: str | None
    speaker: str | None
    duplicate_count: int
    flagged: bool
    suggestions: list[Suggested]
    codes: list[tuple[int, str]]           # this coder's accepted codes
    rejected: list[tuple[int, str]]
    memo: str
    is_quote: bool
    context: list[dict[str, Any]] = field(default_factory=list)
    not_relevant: bool = False             # this coder marked it "inte relevant"


def segment_view(session: Session, segment_id: int, coder: str, codebook: Codebook,
                 blind: bool = False, context: int = 2,
                 actor: Actor | None = None) -> SegmentView:
    """One segment as `coder` sees it: their own codes and the suggestions of the layer
    they may see (their own model's in a blind round)."""
    _, blind = scope(session, coder, Filters(), blind, actor)
    # one query for the segment and its file, one for the coder's and the layer's codings:
    # each round trip counts on the team server
    found = session.execute(select(Segment, Source.original_name)
                            .join(Source, Source.id == Segment.source_id)
                            .where(Segment.id == segment_id)).first()
    if found is None:
        raise QdaError(f"no segment {segment_id}", None, "E332")
    seg, source_name = found[0], found[1] or ""
    layer = suggestion_layer(coder if blind else None)
    label = _labeller(codebook)
    both = session.scalars(select(Coding).where(
        Coding.segment_id == segment_id, Coding.coder.in_({coder, layer}))
        .order_by(Coding.score.desc(), Coding.code_id)).all()
    mine = {c.code_id: c for c in sorted(both, key=lambda c: c.id) if c.coder == coder}
    suggestions = []
    flagged = False
    for c in (c for c in both if c.coder == layer and c.status == Status.SUGGESTED
              and c.code_id in codebook.codes):      # not a code hidden from the coder
        ev = c.evidence or {}
        flagged = flagged or bool(ev.get("flagged"))
        decided = mine.get(c.code_id)
        suggestions.append(Suggested(c.code_id, label(c.code_id), float(c.score or 0.0),
                                     list(ev.get("reasons", [])),
                                     [tuple(s) for s in ev.get("spans", [])],
                                     decided.status if decided else None))
    accepted = [c for c in mine.values() if c.status == Status.ACCEPTED]
    return SegmentView(
        segment_id, seg.kind, seg.text, seg.source_id, source_name, seg.question, seg.area,
        seg.sheet, seg.location, seg.speaker, seg.duplicate_count or 1, flagged, suggestions,
        [(c.code_id, label(c.code_id)) for c in sorted(accepted, key=lambda c: c.id)],
        [(c.code_id, label(c.code_id)) for c in mine.values() if c.status == Status.REJECTED],
        next((c.memo for c in accepted if c.memo), "") or "",
        any(c.is_quote for c in accepted),
        _context(session, seg, context),
        not accepted and relevance.is_not_relevant(session, segment_id, coder))


RECENT = 8   # codes the picker lists first


def recent_codes(session: Session, coder: str, limit: int = RECENT) -> list[int]:
    """The codes `coder` applied last, most recent first. The picker lists them before the
    others: a code just created, or in use on this question, is then 'K', '↓', Enter
    away, where the suggestions need several codings to learn it."""
    rows = session.execute(
        select(Coding.code_id).where(Coding.coder == coder, Coding.status == Status.ACCEPTED)
        .group_by(Coding.code_id)
        .order_by(func.max(Coding.updated_at).desc(), func.max(Coding.id).desc())
        .limit(limit))
    return list(rows.scalars())


def picker_order(codebook: Codebook, recent: list[int]) -> list[int]:
    """The picker's codes: the recent ones first, then the codebook's order."""
    first = list(dict.fromkeys(c for c in recent if c in codebook.codes))
    seen = set(first)
    return [*first, *(c for c in codebook.codes if c not in seen)]


def _labeller(codebook: Codebook):
    return lambda cid: codebook.codes[cid].label if cid in codebook.codes else f"kod {cid}"


def _context(session: Session, seg: Segment, n: int) -> list[dict[str, Any]]:
    """A sentence's or turn's neighbouring turns; a note's neighbours on its sheet."""
    if seg.kind in ("sentence", "turn"):
        turn_id = seg.parent_id if seg.kind == "sentence" else seg.id
        # a sentence's turn is found in the same statement: one round trip fewer on the
        # team server, where each costs about as much as the query
        at = seg.position if seg.kind == "turn" else select(Segment.position).where(
            Segment.id == turn_id).scalar_subquery()
        rows = session.scalars(select(Segment).where(
            Segment.source_id == seg.source_id, Segment.kind == "turn",
            Segment.position.between(at - n, at + n))
            .order_by(Segment.position)).all()
        return [{"speaker": r.speaker, "location": r.location, "text": r.text,
                 "current": r.id == turn_id,
                 "start": (seg.start_char - r.start_char) if r.id == turn_id  # type: ignore[operator]  # a sentence and its turn have offsets
                 and seg.kind == "sentence" else None,
                 "end": (seg.end_char - r.start_char) if r.id == turn_id  # type: ignore[operator]  # a sentence and its turn have offsets
                 and seg.kind == "sentence" else None} for r in rows]
    rows = session.scalars(select(Segment).where(
        Segment.source_id == seg.source_id, Segment.kind == seg.kind,
        Segment.sheet == seg.sheet if seg.sheet is not None else Segment.sheet.is_(None),
        Segment.area == seg.area if seg.area is not None else Segment.area.is_(None),
        Segment.position.between(seg.position - n, seg.position + n))
        .order_by(Segment.position)).all()
    return [{"speaker": r.speaker, "location": r.location, "text": r.text,
             "current": r.id == seg.id, "start": None, "end": None} for r in rows]


# ---- actions: each returns what undo needs -------------------------------------------

@dataclass(frozen=True)
class Action:
    """One coder action on one segment x code, with the state before it (None = no row)."""

    segment_id: int
    code_id: int
    coder: str
    before: tuple[str, str | None, bool] | None   # status, memo, is_quote


def _state(session: Session, segment_id: int, code_id: int, coder: str
           ) -> tuple[str, str | None, bool] | None:
    c = session.scalars(select(Coding).where(Coding.segment_id == segment_id,
                                             Coding.code_id == code_id,
                                             Coding.coder == coder)).first()
    return (c.status, c.memo, bool(c.is_quote)) if c else None


def _segment_notes(session: Session, segment_id: int, coder: str) -> tuple[str | None, bool]:
    """The memo and quote flag the coder has set on the segment (held on their codings)."""
    rows = session.execute(select(Coding.memo, Coding.is_quote).where(
        Coding.segment_id == segment_id, Coding.coder == coder,
        Coding.status == Status.ACCEPTED)).all()
    return next((m for m, _ in rows if m), None), any(q for _, q in rows)


def _act(session: Session, segment_id: int, code_id: int, coder: str, change,
         actor: Actor | None) -> Action:
    """Run `change(coder)` on segment x code, holding its lock, and remember the state
    before it for undo (exact, because of the lock)."""
    coder = access.require_coder(session, actor, coder)
    lock_coding(session, segment_id, code_id, coder)
    before = _state(session, segment_id, code_id, coder)
    change(coder)
    return Action(segment_id, code_id, coder, before)


def accept_code(session: Session, segment_id: int, code_id: int, coder: str,
                actor: Actor | None = None) -> Action:
    """Accept a code; it inherits the memo and quote flag the segment already carries."""
    def change(who: str) -> None:
        memo, quote = _segment_notes(session, segment_id, who)
        accept(session, segment_id, code_id, who, memo=memo, is_quote=quote)
    return _act(session, segment_id, code_id, coder, change, actor)


def reject_code(session: Session, segment_id: int, code_id: int, coder: str,
                actor: Actor | None = None) -> Action:
    return _act(session, segment_id, code_id, coder,
                lambda who: reject(session, segment_id, code_id, who), actor)


def remove_code(session: Session, segment_id: int, code_id: int, coder: str,
                actor: Actor | None = None) -> Action:
    return _act(session, segment_id, code_id, coder,
                lambda who: remove(session, segment_id, code_id, who), actor)


def no_code(session: Session, segment_id: int, coder: str,
            actor: Actor | None = None) -> int:
    """In a round: the unit is decided with no code (it counts as "no" for every code)."""
    return rounds.mark_done(session, segment_id, access.require_coder(session, actor, coder))


@dataclass(frozen=True)
class Skipped:
    """'Not relevant' set on a unit (undo removes it)."""

    segment_id: int
    coder: str


def not_relevant(session: Session, segment_id: int, coder: str,
                 actor: Actor | None = None) -> Skipped:
    """Outside a round: no code applies to this unit at all (see coding.relevance)."""
    relevance.mark_not_relevant(session, segment_id, coder, actor)
    return Skipped(segment_id, access.require_coder(session, actor, coder))


def undo(session: Session, action: Action | Skipped,
         actor: Actor | None = None) -> None:
    """Put segment x code back as it was before `action` (itself an audited change)."""
    access.require_coder(session, actor, action.coder)
    if isinstance(action, Skipped):
        relevance.mark_relevant(session, action.segment_id, action.coder, actor, "ångra")
        return
    if action.before is None:
        remove(session, action.segment_id, action.code_id, action.coder, memo="ångra")
        return
    status, memo, quote = action.before
    (accept if status == Status.ACCEPTED else reject)(
        session, action.segment_id, action.code_id, action.coder, memo=memo or "",
        is_quote=quote)


def annotate(session: Session, segment_id: int, coder: str, memo: str | None = None,
             is_quote: bool | None = None, actor: Actor | None = None) -> int:
    """Set the segment's memo and/or quote flag on all the coder's accepted codings of it;
    returns how many codings carry it (0: code the segment first)."""
    coder = access.require_coder(session, actor, coder)
    rows = session.scalars(select(Coding).where(
        Coding.segment_id == segment_id, Coding.coder == coder,
        Coding.status == Status.ACCEPTED)).all()
    for c in rows:
        if (memo is None or (c.memo or "") == memo) and (
                is_quote is None or bool(c.is_quote) == is_quote):
            continue
        accept(session, segment_id, c.code_id, coder, memo=memo, is_quote=is_quote)
    return len(rows)


@dataclass
class FilterOptions:
    questions: list[int]
    areas: list[str]
    sources: list[tuple[int, str, str]]     # id, original name, kind


def filter_options(session: Session) -> FilterOptions:
    """What the queue can be filtered by in this project (distinct values present)."""
    questions = sorted(q for q in session.scalars(select(Segment.question).distinct())
                       if q is not None)
    areas = sorted(a for a in session.scalars(select(Segment.area).distinct()) if a)
    sources = [(r.id, r.original_name, r.kind) for r in session.execute(
        select(Source.id, Source.original_name, Source.kind).order_by(Source.id))]
    return FilterOptions(questions, areas, sources)


def next_segment(session: Session, current: int | None, coder: str | None,
                 filters: Filters = Filters(), order: str = "active",
                 blind: bool = False, actor: Actor | None = None) -> int | None:
    """The segment after `current` in the queue, wrapping round to the start; None when
    nothing but `current` is left."""
    _check(filters, order)
    filters, blind = scope(session, coder, filters, blind, actor)   # once for every page
    after = cursor_of(session, current, order, coder, blind) if current else None
    for start in (after, None):
        for c in _page(session, coder, filters, order, start, 2, blind):
            if c.segment_id != current:
                return c.segment_id
    return None
