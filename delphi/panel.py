"""The Delphi panel: members registered with their group and area, each with a personal
invitation code (no password; the lead can revoke it). Answers and exports know a member
only by pseudonym ("P07"); the code itself is shown once and kept as its hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corpus import audit
from corpus.errors import QdaError
from corpus.models import DelphiPanelist, utcnow
from corpus.study import Resolver, load
from corpus.vocabulary import Action
from people.accounts import Actor

from .items import lead


def groups(session: Session) -> dict[str, str]:
    """The panel's groups: the project's participant groups (key -> label)."""
    return load(session).groups.labels()


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    panelist_id: int
    pseudonym: str
    code: str          # shown once: give it to the panelist, it is not stored


def add_panelist(session: Session, study_id: int, group: str, actor: Actor,
                 area: str | None = None, contact: str | None = None) -> Invitation:
    name = lead(session, actor)
    # the project's participant groups and areas (a new one is learned, unless the
    # project's list is fixed)
    resolver = Resolver(session, actor)
    if not str(group or "").strip():
        raise QdaError("a panel member needs a group", None, "E704")
    group_key = resolver.key("group", group, "panel member")
    assert group_key is not None        # the group is not blank
    group = group_key
    key = resolver.key("area", area, "panel member") if area else None
    count = session.scalar(select(func.count()).select_from(DelphiPanelist)
                           .where(DelphiPanelist.study_id == study_id)) or 0
    pseudonym = f"P{count + 1:02d}"
    code = secrets.token_urlsafe(16)
    member = DelphiPanelist(study_id=study_id, pseudonym=pseudonym, panel_group=group,
                            area=key, contact=contact, code_hash=_hash(code))
    session.add(member)
    session.flush()
    audit.record(session, name, Action.DELPHI_PANELIST_ADD, "delphi_panelist", member.id,
                 after={"pseudonym": pseudonym, "group": group, "area": key})
    return Invitation(member.id, pseudonym, code)


def panelist_for_code(session: Session, code: str) -> DelphiPanelist:
    """The panel member an invitation code belongs to; a wrong or revoked code is refused
    the same way, so a guess learns nothing."""
    member = session.scalar(select(DelphiPanelist).where(DelphiPanelist.code_hash == _hash(code)))
    if member is None or member.revoked_at is not None:
        raise QdaError("the invitation code is not valid", None, "E705")
    return member


def by_pseudonym(session: Session, study_id: int, pseudonym: str) -> DelphiPanelist:
    member = session.scalar(select(DelphiPanelist).where(
        DelphiPanelist.study_id == study_id, DelphiPanelist.pseudonym == pseudonym.strip()))
    if member is None:
        raise QdaError(f"no panelist {pseudonym!r} in the study", None, "E713")
    return member


def revoke(session: Session, panelist_id: int, actor: Actor) -> None:
    name = lead(session, actor)
    member = session.get(DelphiPanelist, panelist_id)
    if member is None:
        raise QdaError(f"no panelist {panelist_id}", None, "E713")
    if member.revoked_at is None:
        member.revoked_at = utcnow()
        audit.record(session, name, Action.DELPHI_PANELIST_REVOKE, "delphi_panelist",
                     panelist_id, after={"pseudonym": member.pseudonym})


def panel(session: Session, study_id: int) -> list[DelphiPanelist]:
    return list(session.scalars(select(DelphiPanelist).where(
        DelphiPanelist.study_id == study_id).order_by(DelphiPanelist.id)))
