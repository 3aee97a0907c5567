"""The append-only audit log: every change is a row saying who, what, when and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEvent


def record(session: Session, actor: str, action: str, entity: str, entity_id: int | None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           memo: str | None = None) -> AuditEvent:
    """Add an event to the caller's transaction, so it commits or rolls back with the change."""
    event = AuditEvent(actor=actor, action=action, entity=entity, entity_id=entity_id,
                       before=before, after=after, memo=memo)
    session.add(event)
    return event
