"""'Not relevant' (inte relevant): a coder's decision that a unit needs no code at all.

A moderator's question or a heading is decided this way outside rounds (the `0` key on
Kodning, `qda code skip`): it leaves the coder's queue, counts apart from "uncoded" in
status and exports, and the final layer counts it as not relevant when every coder of
the unit said so. Reversible (`qda code unskip`, undo), and coding the unit undoes it;
each change is one audit event. In a round it also marks the unit done, as "no code".
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import Coding, NotRelevant, Segment
from corpus.vocabulary import Action, Status
from people.accounts import Actor, actor_name

from . import access, rounds


def require_unit(session: Session, segment_id: int) -> None:
    """A transcript turn with sentences is not a unit: coding or skipping it beside its
    sentences would count the same words twice in the theme tables (and leave them in the
    queue). A turn without sentences is its own unit."""
    kind = session.scalar(select(Segment.kind).where(Segment.id == segment_id))
    if kind != "turn":
        return
    ids = list(session.scalars(select(Segment.id).where(Segment.parent_id == segment_id)
                               .order_by(Segment.position)))
    if ids:
        shown = ", ".join(map(str, ids[:8])) + (" …" if len(ids) > 8 else "")
        raise QdaError(f"segment {segment_id} is a turn: decide its sentences ({shown})",
                       None, "E336")


def is_not_relevant(session: Session, segment_id: int, coder: str) -> bool:
    return session.scalar(select(NotRelevant.id).where(
        NotRelevant.segment_id == segment_id, NotRelevant.coder == coder)) is not None


def mark_not_relevant(session: Session, segment_id: int, coder: str,
                      actor: Actor | None = None, memo: str | None = None) -> None:
    """The coder decides that no code applies to the unit (refused while they have a code
    on it: remove it first, so that the decision is never both)."""
    coder = access.require_coder(session, actor, coder)
    if session.get(Segment, segment_id) is None:
        raise QdaError(f"no segment {segment_id}", None, "E332")
    require_unit(session, segment_id)
    if is_not_relevant(session, segment_id, coder):
        raise QdaError(f"segment {segment_id} is marked not relevant by {coder} already",
                       None, "E251")
    coded = session.scalar(select(func.count()).select_from(Coding).where(
        Coding.segment_id == segment_id, Coding.coder == coder,
        Coding.status == Status.ACCEPTED)) or 0
    if coded:
        raise QdaError(f"segment {segment_id} has {coded} code(s) by {coder}: remove them "
                       "before marking it not relevant", None, "E250")
    row = NotRelevant(segment_id=segment_id, coder=coder, memo=(memo or "").strip() or None)
    session.add(row)
    session.flush()
    record(session, actor_name(actor) or coder, Action.UNIT_NOT_RELEVANT,
           "segment", segment_id, None, {"coder": coder, "not_relevant": True}, row.memo)
    rounds.mark_done(session, segment_id, coder)


def mark_relevant(session: Session, segment_id: int, coder: str,
                  actor: Actor | None = None, memo: str | None = None,
                  missing_ok: bool = False) -> bool:
    """Undo 'not relevant': the unit is undecided (back in the queue) for the coder."""
    coder = access.require_coder(session, actor, coder)
    gone = cast(CursorResult, session.execute(delete(NotRelevant).where(
        NotRelevant.segment_id == segment_id, NotRelevant.coder == coder))).rowcount or 0
    if not gone:
        if missing_ok:
            return False
        raise QdaError(f"segment {segment_id} is not marked not relevant by {coder}",
                       None, "E252")
    record(session, actor_name(actor) or coder, Action.UNIT_RELEVANT, "segment",
           segment_id, {"coder": coder, "not_relevant": True},
           {"coder": coder, "not_relevant": False}, memo)
    return True


def count_not_relevant(session: Session, coder: str | None = None) -> int:
    """Units marked not relevant (by this coder, or by anyone)."""
    query = select(func.count(func.distinct(NotRelevant.segment_id)))
    if coder:
        query = query.where(NotRelevant.coder == coder)
    return session.scalar(query) or 0
