"""Memos on a whole source or a whole workshop: what the team noticed about a discussion
as a whole ("the group drifted to staffing", "the recording breaks off at 40 min").

Stored beside the memos other tools bring (corpus.models.Memo: kind "source" with the
source, kind "workshop" with the workshop), written back to a .qdpx (a source's memo as
a note on that source, a workshop's as a project note), and audited: adding and editing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import Memo, Source, Workshop
from corpus.vocabulary import Action
from people.accounts import Actor, Can, actor_name

from . import access


def _snapshot(memo: Memo) -> dict:
    return {"kind": memo.kind, "source_id": memo.source_id, "workshop_id": memo.workshop_id,
            "title": memo.title, "text": memo.text, "author": memo.author}


def _workshop(session: Session, ref: int | str) -> Workshop:
    found = session.get(Workshop, ref) if isinstance(ref, int) or str(ref).isdigit() \
        else None
    if found is None:
        found = session.scalars(select(Workshop).where(Workshop.label == str(ref))).first()
    if found is None:
        raise QdaError(f"no workshop {ref!r} (qda workshops list)", None, "E255")
    return found


def workshop_id(session: Session, ref: int | str) -> int:
    """A workshop's id from its id or label."""
    return _workshop(session, ref).id


def workshop_of(session: Session, source_id: int) -> int | None:
    """The workshop a source belongs to, if any."""
    return session.scalar(select(Source.workshop_id).where(Source.id == source_id))


def add_memo(session: Session, text: str, actor: Actor, *,
             source_id: int | None = None, workshop: int | str | None = None,
             title: str = "") -> Memo:
    """A memo on one source or one workshop (exactly one of them)."""
    access.require(session, actor, Can.CODE)
    text = (text or "").strip()
    if not text:
        raise QdaError("a memo needs text", None, "E253")
    if (source_id is None) == (workshop is None):
        raise QdaError("a memo is on one source or one workshop: give one of them",
                       None, "E254")
    if source_id is not None:
        source = session.get(Source, source_id)
        if source is None:
            raise QdaError(f"no source {source_id} (qda sources)", None, "E255")
        memo = Memo(kind="source", source_id=source.id, text=text,
                    title=title or source.original_name, author=actor_name(actor))
    else:
        assert workshop is not None         # one of the two (E254 above)
        found = _workshop(session, workshop)
        memo = Memo(kind="workshop", workshop_id=found.id, text=text,
                    title=title or f"Workshop: {found.label}", author=actor_name(actor))
    session.add(memo)
    session.flush()
    record(session, actor_name(actor), Action.MEMO_ADD, "memo", memo.id, None,
           _snapshot(memo))
    return memo


def edit_memo(session: Session, memo_id: int, text: str, actor: Actor) -> Memo:
    """Change a memo's text (the old text stays in the audit log)."""
    access.require(session, actor, Can.CODE)
    memo = session.get(Memo, memo_id)
    if memo is None:
        raise QdaError(f"no memo {memo_id}", None, "E256")
    text = (text or "").strip()
    if not text:
        raise QdaError("a memo needs text", None, "E253")
    before = _snapshot(memo)
    memo.text = text
    session.flush()
    record(session, actor_name(actor), Action.MEMO_EDIT, "memo", memo.id, before,
           _snapshot(memo))
    return memo


def memos_on(session: Session, source_id: int | None = None,
             workshop_id: int | None = None) -> list[Memo]:
    """The memos on a whole source and/or a workshop, oldest first (not annotations on a
    stretch of text)."""
    clauses: list[ColumnElement[bool]] = []
    if source_id is not None:
        clauses.append((Memo.source_id == source_id) & Memo.segment_id.is_(None)
                       & (Memo.kind == "source"))
    if workshop_id is not None:
        clauses.append(Memo.workshop_id == workshop_id)
    if not clauses:
        return []
    return list(session.scalars(select(Memo).where(or_(*clauses)).order_by(Memo.id)))


def all_memos(session: Session) -> list[Memo]:
    """Every memo of the project, of every kind (journal, source, workshop, annotation,
    those a .qdpx brought), oldest first."""
    return list(session.scalars(select(Memo).order_by(Memo.id)))
