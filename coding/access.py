"""What an actor may see and do right now: their role (`accounts.GRANTS`) and, while they
code in an open blind round, what that round hides.

Library functions that reveal or change protected data call `require` with the actor
acting: the user the app authenticated, or a system actor (`corpus.actors`: the command
line, an import, the library), which is refused nothing. A plain name is no actor: it
raises E614. Where a reading function takes `actor: Actor | None = None`, None means the
library reading for itself (a notebook, a table built inside the library) and is treated
as `LIBRARY`. A coder in a
blind round sees only their own units, codings and suggestions: every coder's codings,
theme tables, agreement and the audit log stay hidden until the lead closes the round.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from people.accounts import LIBRARY, AccessError, Actor, Can, actor_name, checked, require_role
from people.identity import CONSENSUS, FINAL, check_coder

from . import rounds

HIDDEN_WHEN_BLIND = frozenset({Can.READ_THEMES, Can.READ_CODINGS, Can.READ_AGREEMENT,
                               Can.READ_AUDIT})


def blind(session: Session, actor: Actor | None) -> rounds.RoundInfo | None:
    """The open blind round the actor codes in, if any."""
    return rounds.blind_round(session, actor_name(actor))


def allowed(session: Session, actor: Actor | None, what: Can) -> bool:
    try:
        require(session, actor, what)
    except AccessError:
        return False
    return True


def require(session: Session, actor: Actor | None, what: Can) -> None:
    """Refuse what the role does not grant, and what a blind round hides. A system actor
    (and None, the library) is refused nothing; a plain name raises E614."""
    actor = LIBRARY if actor is None else checked(actor)
    if actor.system:
        return
    require_role(actor, what)
    if what in HIDDEN_WHEN_BLIND and (found := blind(session, actor)) is not None:
        raise AccessError(f"{actor.login} codes blind in {found.name!r}: other coders' work "
                          "stays hidden until the round is closed", None, "E606")


def require_coder(session: Session, actor: Actor | None, coder: str,
                  what: Can = Can.CODE) -> str:
    """The coder name an action runs under: an authenticated actor acts only as
    themselves (never as another coder, never as the consensus layer)."""
    coder = check_coder(coder)
    actor = LIBRARY if actor is None else checked(actor)
    if not actor.system:
        require_role(actor, what)
        if coder != actor.login:
            raise AccessError(f"{actor.login} may not act as coder {coder!r}", None, "E607")
    return coder


def require_layer(session: Session, actor: Actor | None, layer: str | None) -> None:
    """Reading a coding layer for theme tables: the final layer (the default, None) and
    the consensus are the project's result and need the right to read themes; another
    coder's own layer needs the right to read every coding. A blind round hides both."""
    actor = LIBRARY if actor is None else checked(actor)
    if actor.system:
        return
    require(session, actor, Can.READ_THEMES)
    if layer not in (None, FINAL, CONSENSUS, actor.login):
        require(session, actor, Can.READ_CODINGS)
