"""How a quote is printed in the report: the author shortens it with "[...]" and adds a
clarification in brackets ("de [kommunerna] har"), as reports do, without touching the
unit's own text. What is printed is checked against the unit: every word kept is the
unit's, in its order, so a quote can be cut but never rewritten."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus.actors import Actor, actor_name
from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import QuoteText, Segment
from corpus.roles import Can
from corpus.vocabulary import Action

from . import access

_BRACKETS = re.compile(r"(\[[^\[\]]*\])")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _whole(source: str, text: str, at: int) -> bool:
    """Whether `text` at `at` in `source` ends on word boundaries: "ha" is not "har"."""
    before = source[at - 1] if at > 0 else " "
    after = source[at + len(text)] if at + len(text) < len(source) else " "
    return not (before.isalnum() and text[0].isalnum()) and \
        not (after.isalnum() and text[-1].isalnum())


def _find_whole(source: str, text: str, start: int) -> int:
    at = source.find(text, start)
    while at >= 0 and not _whole(source, text, at):
        at = source.find(text, at + 1)
    return at


def check(original: str, printed: str) -> None:
    """Raise E367 unless `printed` is `original` cut with "[...]" and clarified in
    brackets. A quote may start and end anywhere in the unit (it is an excerpt); between
    two kept parts with no "[...]" the text must run on. Brackets the unit itself has
    ("[Deltagare 3]", "[namn]") are kept text, not additions."""
    source = _flat(original)
    pos, cut, first, kept = 0, False, True, 0
    for piece in _BRACKETS.split(printed):
        if piece.startswith("[") and piece.endswith("]"):
            inner = piece[1:-1].strip()
            if inner in ("...", "…", ""):
                cut = True
                continue
            rest = source[pos:].lstrip()
            if rest.startswith(piece) and not first and not cut:
                pos = len(source) - len(rest) + len(piece)
                kept += 1
                first = False
            continue                    # a clarification of the author's: not the unit's
        text = _flat(piece)
        if not text:
            continue
        if first or cut:
            at = _find_whole(source, text, pos)
        else:
            rest = source[pos:].lstrip()
            at = len(source) - len(rest)
            if not (rest.startswith(text) and _whole(source, text, at)):
                at = -1
        if at < 0:
            raise QdaError(f"the quote's text {text[:60]!r} is not the unit's, in its order "
                           "(cut with [...], add in brackets)", None, "E367",
                           detail_sv=f"”{text[:60]}” står inte i enheten på det stället")
        pos, cut, first = at + len(text), False, False
        kept += 1
    if not kept:
        raise QdaError("a quote keeps at least some of the unit's words", None, "E367",
                       detail_sv="citatet måste behålla något av enhetens text")


def set_text(session: Session, segment_id: int, printed: str, actor: Actor) -> None:
    """Print unit `segment_id` as `printed` in the report's quotes (checked, audited).
    An empty text, or the unit's own, prints the unit as it is."""
    access.require(session, actor, Can.CODE)
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise QdaError(f"no segment {segment_id}", None, "E332",
                       detail_sv=f"enhet {segment_id} finns inte")
    printed = _flat(printed or "")
    row = session.get(QuoteText, segment_id)
    before = {"text": row.text} if row else None
    if not printed or printed == _flat(segment.text):
        if row is not None:
            session.delete(row)
            record(session, actor_name(actor), Action.QUOTE_RESET, "quote_text", segment_id,
                   before, None)
        return
    check(segment.text, printed)
    if row is None:
        session.add(QuoteText(segment_id=segment_id, text=printed,
                              edited_by=actor_name(actor)))
    else:
        row.text, row.edited_by = printed, actor_name(actor)
    record(session, actor_name(actor), Action.QUOTE_EDIT, "quote_text", segment_id, before,
           {"text": printed})


def printed(session: Session, segment_ids: list[int] | None = None) -> dict[int, str]:
    """Unit id -> its quote as printed, for the units that have been shortened."""
    query = select(QuoteText.segment_id, QuoteText.text)
    if segment_ids is not None:
        query = query.where(QuoteText.segment_id.in_(segment_ids))
    return dict(session.execute(query).all())
