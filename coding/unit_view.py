"""What a coder sees of one segment: its text, context, suggestions and their own codes,
and the order of the code picker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corpus.errors import QdaError
from corpus.models import Coding, Segment, Source
from corpus.vocabulary import Status
from people.accounts import Actor
from people.identity import suggestion_layer

from . import relevance
from .codebook import Codebook
from .queue import Filters, scope

# the stored suggestions as the engine ranked them (codes in use first, sub-themes before
# the main themes they imply: `Engine.score`), not by score alone, which would undo that
# ranking between the store and the coder; rows without a rank after them
SHOWN_ORDER = (Coding.rank.is_(None), Coding.rank, Coding.score.desc(), Coding.code_id)


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
        .order_by(*SHOWN_ORDER)).all()
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


def behind_its_sub_themes(suggestions: list[Suggested], codebook: Codebook
                          ) -> tuple[str, int] | None:
    """The first main theme listed after sub-themes of its own that the coder has not
    rejected, and how many stand before it: it scores at least its best sub-theme, so a
    coder may wonder why it comes later (`Engine.score(finest=True)` put it there)."""
    for i, sug in enumerate(suggestions):
        before = [s for s in suggestions[:i] if s.code_id in codebook.codes
                  and codebook.codes[s.code_id].parent_id == sug.code_id
                  and s.decision != Status.REJECTED]
        if before:
            return sug.label, len(before)
    return None


# the coding page's keys for the themes of the suggestions, in their order: the home row
# right of "A" ("S" for the first, "subteman"), without "K", the picker's key
THEME_KEYS = "SDFGHJL"


def sub_theme_lists(suggested: list[int], codebook: Codebook, limit: int = 9
                    ) -> list[tuple[int, list[int]]]:
    """Per theme of the suggestions (a suggested code's parent, or a suggested code with
    codes under it), in the order the suggestions name them: the codes under it, the
    suggested ones first in their order and the others in the codebook's, at most
    `limit` - 1, then the theme itself (a unit about the theme as a whole). The coding
    page opens the first ones by a letter (`THEME_KEYS`) and numbers their codes: when
    the suggestions find the main theme but not its sub-theme, the right one is one of a
    few siblings, two keys away instead of a search in the picker (BENCHMARKS.md)."""
    under: dict[int, list[int]] = {}
    for code in codebook.codes.values():
        if code.parent_id is not None:
            under.setdefault(code.parent_id, []).append(code.id)
    out: list[tuple[int, list[int]]] = []
    for code_id in suggested:
        if code_id not in codebook.codes:
            continue
        theme = code_id if code_id in under else codebook.codes[code_id].parent_id
        if theme is None or any(theme == t for t, _ in out):
            continue
        first = [c for c in suggested if c in under[theme]]
        rest = [c for c in under[theme] if c not in first]
        out.append((theme, [*[*first, *rest][:limit - 1], theme]))
    return out


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
