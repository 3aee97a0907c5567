"""Coders' decisions: accept or reject a suggestion, code by hand, remove; each one a
transaction with its audit event. Suggestions live under the coder `förslag`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus.actors import Actor, actor_name
from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import Code as CodeRow
from corpus.models import Coding, Segment
from corpus.store import lock_for_transaction
from corpus.vocabulary import DECISIONS, Action, Status
from people.identity import CONSENSUS, SUGGESTER, check_coder, suggestion_layer

from . import rounds
from .relevance import mark_relevant, require_unit  # a code makes the unit relevant again


def _snapshot(c: Coding) -> dict[str, Any]:
    return {"segment_id": c.segment_id, "code_id": c.code_id, "coder": c.coder,
            "status": c.status, "memo": c.memo, "is_quote": c.is_quote}


def lock_coding(session: Session, segment_id: int, code_id: int, coder: str) -> None:
    """Serialise concurrent changes of one segment x code x coder until the transaction
    ends, so that two coders' processes changing the same coding apply one after the
    other (the later wins, both are logged) instead of one failing on the unique key.
    SQLite needs nothing: a write transaction there holds the database's write lock."""
    lock_for_transaction(session, f"{segment_id}:{code_id}:{coder}")


def decide(session: Session, segment_id: int, code_id: int, coder: str, status: str,
           memo: str | None = None, is_quote: bool | None = None,
           actor: Actor | None = None, imported_consensus: bool = False) -> Coding:
    """Record a coder's decision on segment x code; a suggestion's score and evidence are
    kept on the decision, so it is visible later why the code was proposed.

    `actor` is who decides (None: the coder themself, as the audit log records it).
    The consensus layer is written by `consensus.resolve` and `adopt_agreed`; only an
    import of a consensus reached elsewhere (`imported_consensus`) writes it here."""
    coder = CONSENSUS if imported_consensus and coder == CONSENSUS else check_coder(coder)
    if status not in DECISIONS:
        raise QdaError(f"status must be one of {', '.join(DECISIONS)}", None, "E331")
    if session.get(Segment, segment_id) is None:
        raise QdaError(f"no segment {segment_id}", None, "E332")
    if session.get(CodeRow, code_id) is None:
        raise QdaError(f"no code {code_id}", None, "E320")
    require_unit(session, segment_id)       # the app, the CLI, an import, a notebook alike
    lock_coding(session, segment_id, code_id, coder)
    coding = session.scalars(select(Coding).where(
        Coding.segment_id == segment_id, Coding.code_id == code_id,
        Coding.coder == coder)).first()
    before = _snapshot(coding) if coding else None
    if coding is None:
        # the coder's own (blind) suggestion if there is one, else the shared one, which
        # a coder in a blind round must not get: it was learnt from the others' codings
        layers = (suggestion_layer(coder),) if rounds.blind_round(session, coder) else \
            (suggestion_layer(coder), SUGGESTER)
        suggestion = session.scalars(select(Coding).where(
            Coding.segment_id == segment_id, Coding.code_id == code_id,
            Coding.coder.in_(layers)).order_by(Coding.coder.desc())).first()
        coding = Coding(segment_id=segment_id, code_id=code_id, coder=coder, status=status,
                        score=suggestion.score if suggestion else None,
                        evidence=suggestion.evidence if suggestion else None,
                        is_quote=bool(is_quote))
        session.add(coding)
    coding.status = status
    coding.spans = None     # a decision on the unit is on the whole unit
    if memo is not None:
        coding.memo = memo or None
    if is_quote is not None:
        coding.is_quote = bool(is_quote)
    session.flush()
    after = _snapshot(coding)
    if after != before:     # the same decision again (a code re-picked) is no new event
        action = Action.CODING_ACCEPT if status == Status.ACCEPTED else Action.CODING_REJECT
        record(session, actor_name(actor) or coder, action, "coding", coding.id, before, after,
               memo)
    rounds.mark_done(session, segment_id, coder)
    if status == Status.ACCEPTED and coder != CONSENSUS:
        mark_relevant(session, segment_id, coder, None, "kodad", missing_ok=True)
    return coding


def accept(session: Session, segment_id: int, code_id: int, coder: str, **kw: Any) -> Coding:
    return decide(session, segment_id, code_id, coder, Status.ACCEPTED, **kw)


def reject(session: Session, segment_id: int, code_id: int, coder: str, **kw: Any) -> Coding:
    return decide(session, segment_id, code_id, coder, Status.REJECTED, **kw)


def remove(session: Session, segment_id: int, code_id: int, coder: str,
           memo: str | None = None) -> bool:
    """Undo a decision entirely (the segment is again undecided for this code)."""
    lock_coding(session, segment_id, code_id, check_coder(coder))
    coding = session.scalars(select(Coding).where(
        Coding.segment_id == segment_id, Coding.code_id == code_id,
        Coding.coder == check_coder(coder))).first()
    if coding is None:
        return False
    record(session, coder, Action.CODING_REMOVE, "coding", coding.id, _snapshot(coding), None, memo)
    session.delete(coding)
    session.flush()
    return True
