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


AUDIT_COLUMNS = ["Id", "Tid (UTC)", "Vem", "Händelse", "Beskrivning", "Objekt", "Objekt-id",
                 "Före", "Efter", "Memo", "Kanal", "OS-användare"]

# What each event is, in the report's language: the log's own names ("coding.accept",
# "study.add") are for replaying it; a reviewer reads these (a test checks every Action
# has one)
DESCRIPTIONS: dict[str, str] = {
    Action.SOURCE_INGEST: "fil importerad", Action.SOURCE_REPLACE: "fil ersatt",
    Action.WORKSHOP_CREATE: "workshop registrerad",
    Action.WORKSHOP_UPDATE: "workshop ändrad",
    Action.STUDY_ADD: "område, grupp eller format tillagt",
    Action.STUDY_RENAME: "område, grupp eller format omdöpt",
    Action.STUDY_UPDATE: "område, grupp eller format ändrat",
    Action.STUDY_ORDER: "ordningen på områden, grupper eller format ändrad",
    Action.STUDY_MERGE: "områden, grupper eller format sammanslagna",
    Action.STUDY_DELETE: "område, grupp eller format borttaget",
    Action.STUDY_SETTINGS: "studiens inställningar ändrade",
    Action.CODE_ADD: "kod tillagd", Action.CODE_UPDATE: "kod ändrad",
    Action.CODE_RENAME: "kod omdöpt", Action.CODE_MOVE: "kod flyttad",
    Action.CODE_MERGE: "koder sammanslagna", Action.CODE_DELETE: "kod borttagen",
    Action.CODING_ACCEPT: "kodning gjord", Action.CODING_REJECT: "kod avvisad",
    Action.CODING_REMOVE: "kodning borttagen", Action.CODINGS_IMPORT: "kodningar importerade",
    Action.UNIT_NOT_RELEVANT: "enhet markerad inte relevant",
    Action.UNIT_RELEVANT: "enhet relevant igen",
    Action.MEMO_ADD: "memo skrivet", Action.MEMO_EDIT: "memo ändrat",
    Action.SUGGEST_RUN: "förslag beräknade",
    Action.ROUND_CREATE: "kodningsomgång skapad",
    Action.ROUND_CLOSE: "kodningsomgång stängd",
    Action.CONSENSUS_ADOPT: "samstämmiga kodningar förda till konsensus",
    Action.CONSENSUS_RESOLVE: "konsensusbeslut",
    Action.QUOTE_EDIT: "citat kortat eller förtydligat",
    Action.QUOTE_RESET: "citat återställt",
    Action.MERGE_ACCEPT: "lappar sammanslagna till en rad i bilaga 2",
    Action.MERGE_REFUSE: "lappar hålls isär i bilaga 2",
    Action.MERGE_FORGET: "beslut om bilaga 2-rad ångrat",
    Action.PSEUDONYM_MASK: "namn maskerat", Action.PSEUDONYM_KEEP: "ord behållet (inget namn)",
    Action.IMPORT_QDPX: "projekt importerat (.qdpx)",
    Action.USER_ADD: "användare tillagd", Action.USER_ROLE: "användarens roll ändrad",
    Action.USER_DISABLE: "användare spärrad", Action.USER_ENABLE: "användare återaktiverad",
    Action.USER_RESET_PASSWORD: "lösenord återställt",
    Action.USER_SSO: "inloggning via organisationens konto kopplad",
    Action.USER_PASSWORD: "användaren bytte lösenord",
    Action.AUTH_LOGIN: "inloggning", Action.AUTH_LOGIN_FAILED: "misslyckad inloggning",
    Action.AUTH_INVITATION: "inbjudan använd",
    Action.AUTH_SSO_REFUSED: "inloggning via organisationens konto nekad",
    Action.AUTH_LOGOUT: "utloggning",
    Action.DELPHI_STUDY_CREATE: "Delphistudie skapad",
    Action.DELPHI_ITEM_ADD: "Delphipåstående tillagt",
    Action.DELPHI_ITEM_EDIT: "Delphipåstående ändrat",
    Action.DELPHI_ITEM_MERGE: "Delphipåståenden sammanslagna",
    Action.DELPHI_ITEM_REMOVE: "Delphipåstående borttaget",
    Action.DELPHI_PANELIST_ADD: "paneldeltagare tillagd",
    Action.DELPHI_PANELIST_REVOKE: "paneldeltagarens länk återkallad",
    Action.DELPHI_ROUND_OPEN: "Delphiomgång öppnad",
    Action.DELPHI_ROUND_CLOSE: "Delphiomgång stängd",
    Action.DELPHI_ANSWER: "Delphisvar",
}


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

    rows = [[e.id, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action,
             DESCRIPTIONS.get(e.action, ""), e.entity,
             e.entity_id, *((SEALED, SEALED) if e.entity in SEALED_ENTITIES
                            else (dump(e.before), dump(e.after))), e.memo or "",
             e.channel or "", e.os_user or ""]
            for e in session.scalars(query)]
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
