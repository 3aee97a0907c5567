"""The coder's actions on a segment (accept, reject, remove, no code, not relevant,
annotate), each returning what undo needs, and undo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus.models import Coding
from corpus.vocabulary import Status
from people.accounts import Actor

from . import access, relevance, rounds
from .codings import accept, lock_coding, reject, remove


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
