"""Who a coding layer belongs to: a human coder, a suggestion layer, or the consensus.

Every rule about coder names lives here, so that "is this a suggestion layer?" and "may
this name code?" are answered once. Suggestions are stored under `förslag` (shared) or
`förslag:NAME` (a blind coder's own model); the consensus meeting's decisions under
`konsensus`; the report's composed layer is `slutlig` (coding.final). These names are
reserved: no person can code under them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, SQLColumnExpression, select
from sqlalchemy.orm import Session

from corpus.errors import QdaError
from corpus.models import Assignment, Coding, NotRelevant, User
from corpus.vocabulary import CONSENSUS, FINAL, SUGGESTER  # the layers' names, as text


def suggestion_layer(coder: str | None = None) -> str:
    """The layer suggestions are stored in: shared, or (blind coding) one per coder, from
    a model of that coder's own decisions only."""
    return SUGGESTER if not coder else f"{SUGGESTER}:{coder}"


def is_suggestion_layer(name: str) -> bool:
    return name.startswith(SUGGESTER)


def is_reserved(name: str) -> bool:
    """Reserved for the tool's own layers, in any spelling ("Förslag", "KONSENSUS")."""
    folded = name.strip().casefold()
    return folded.startswith(SUGGESTER) or folded in (CONSENSUS, FINAL)


def human(column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the coder column names a person or the consensus, not a suggestion layer."""
    return ~column.startswith(SUGGESTER)


def person(column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the coder column names a person (neither suggestions nor the consensus)."""
    return human(column) & (column != CONSENSUS)


def check_coder(coder: str | None) -> str:
    """A name a person may code under: not empty, not a reserved layer."""
    coder = " ".join((coder or "").split())
    if not coder or is_reserved(coder):
        raise QdaError(f"coder name {coder!r} is empty or reserved (names starting with "
                       f"{SUGGESTER!r}, {CONSENSUS!r} and {FINAL!r} are the tool's own "
                       "layers)",
                       None, "E330")
    return coder


def known_people(session: Session) -> list[str]:
    """Everyone who has coded, marked a unit not relevant, or been assigned units (not
    the tool's layers)."""
    found = set(session.scalars(select(Coding.coder).where(person(Coding.coder)).distinct()))
    found |= set(session.scalars(select(Assignment.coder).distinct()))
    found |= set(session.scalars(select(NotRelevant.coder).distinct()))
    return sorted(c for c in found if not is_reserved(c))


def canonical_coder(session: Session, name: str | None,
                    known: Iterable[str] | None = None) -> str:
    """The stored spelling of a coder typed in any case ("Anna" is "anna" when "anna"
    has coded), so that one person never becomes two coders. A project with accounts
    resolves through them instead (`coder_for`)."""
    name = check_coder(name)
    folded = name.casefold()
    for existing in (known if known is not None else known_people(session)):
        if existing.casefold() == folded:
            return existing
    return name


def coder_for(session: Session, name: str | None) -> str:
    """The coder a name given on the command line or typed in the app stands for. With
    accounts it must be an enabled user's login (any case); without, the stored spelling
    of a known coder, so that "Anna" and "anna" stay one person."""
    name = check_coder(name)
    logins = {u.login: u for u in session.scalars(select(User))}
    if not logins:
        return canonical_coder(session, name)
    user = logins.get(name.casefold())
    if user is None or user.disabled_at is not None:
        raise QdaError(f"{name!r} is not an enabled user of this project (qda users list)",
                      None, "E608")
    return user.login
