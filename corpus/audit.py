"""The append-only audit log: every change is a row saying who, what, when and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .models import AuditEvent
from .vocabulary import Action


def record(session: Session, name: str, action: Action, entity: str, entity_id: int | None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           memo: str | None = None, channel: str | None = None) -> None:
    """Write an event in the caller's transaction, so it commits or rolls back with the
    change. `name` is who the log says acted: the login of the `Actor` the entry point
    was given (`corpus.actors.actor_name`), or what an event without one names (a failed
    login, a Delphi panelist's pseudonym). The action must be one of `Action` (a misspelt
    one raises here, not in a report). The channel (app, cli, library;
    `channel="import"` for what an import writes) and the operating-system user come with
    the session (`Project.channel`).
    A Core insert, not an ORM object: a folder's import writes one a file, and the unit
    of work cost more for each (BENCHMARKS.md)."""
    if not isinstance(name, str):     # an Actor itself: its login is what the log keeps
        raise TypeError(f"the audit log records a name, not {type(name).__name__}")
    session.execute(insert(AuditEvent.__table__),
                    {"actor": name, "action": str(Action(action)), "entity": entity,
                     "entity_id": entity_id, "before": before, "after": after, "memo": memo,
                     "channel": channel or session.info.get("channel"),
                     "os_user": session.info.get("os_user")})


AUDIT_COLUMNS = ["Id", "Tid (UTC)", "Vem", "Händelse", "Objekt", "Objekt-id", "Före", "Efter",
                 "Memo", "Kanal", "OS-användare"]


# A Delphi answer is logged with its rating (the log replays to the stored answers), but
# the log as people read it shows only that a panelist answered: the lead, who knows
# whom each pseudonym stands for, must never see who answered what.
SEALED_ENTITIES = frozenset({"delphi_answer"})
SEALED = "(Delphisvar: visas inte)"


def audit_frame(session: Session, entity: str | None = None):
    """The whole log as a table (before/after as JSON text), oldest first."""
    import json

    import pandas as pd
    from sqlalchemy import select

    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity:
        query = query.where(AuditEvent.entity == entity)

    def dump(value: Any) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    rows = [[e.id, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, e.entity,
             e.entity_id, *((SEALED, SEALED) if e.entity in SEALED_ENTITIES
                            else (dump(e.before), dump(e.after))), e.memo or "",
             e.channel or "", e.os_user or ""]
            for e in session.scalars(query)]
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
