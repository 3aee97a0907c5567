"""What an actor may see and do right now: their role (`accounts.GRANTS`) and, while they
code in an open blind round, what that round hides.

Library functions that reveal or change protected data call `require` with the actor the
app authenticated; the CLI passes a plain name (the administrator's tool). A coder in a
blind round sees only their own units, codings and suggestions: every coder's codings,
theme tables, agreement and the audit log stay hidden until the lead closes the round.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import rounds
from .accounts import AccessError, Actor, Can, actor_name, require_role
from .identity import CONSENSUS, FINAL, check_coder

HIDDEN_WHEN_BLIND = frozenset({Can.READ_THEMES, Can.READ_CODINGS, Can.READ_AGREEMENT,
                               Can.READ_AUDIT})


def blind(session: Session, actor: Actor | str | None) -> rounds.RoundInfo | None:
    """The open blind round the actor codes in, if any."""
    return rounds.blind_round(session, actor_name(actor))


def allowed(session: Session, actor: Actor | str | None, what: Can) -> bool:
    try:
        require(session, actor, what)
    except AccessError:
        return False
    return True


def require(session: Session, actor: Actor | str | None, what: Can) -> None:
    """Refuse what the role does not grant, and what a blind round hides. A trusted
    caller (a plain name, or None) is refused nothing."""
    if not isinstance(actor, Actor):
        return
    require_role(actor, what)
    if what in HIDDEN_WHEN_BLIND and (found := blind(session, actor)) is not None:
        raise AccessError(f"{actor.login} codes blind in {found.name!r}: other coders' work "
                          "stays hidden until the round is closed", None, "E606")


def require_coder(session: Session, actor: Actor | str | None, coder: str,
                  what: Can = Can.CODE) -> str:
    """The coder name an action runs under: an authenticated actor acts only as
    themselves (never as another coder, never as the consensus layer)."""
    coder = check_coder(coder)
    if isinstance(actor, Actor):
        require_role(actor, what)
        if coder != actor.login:
            raise AccessError(f"{actor.login} may not act as coder {coder!r}", None, "E607")
    return coder


def require_layer(session: Session, actor: Actor | str | None, layer: str | None) -> None:
    """Reading a coding layer for theme tables: the final layer (the default, None) and
    the consensus are the project's result and need the right to read themes; another
    coder's own layer needs the right to read every coding. A blind round hides both."""
    if not isinstance(actor, Actor):
        return
    require(session, actor, Can.READ_THEMES)
    if layer not in (None, FINAL, CONSENSUS, actor.login):
        require(session, actor, Can.READ_CODINGS)
