"""Who is acting: one `Actor` for every library entry point that acts for someone.

There is one trusted path. The app passes the person who logged in (or, in a project
without users, the researcher at the machine under the coder name they picked); the
command line passes a *system actor* that names the login it acts for and the
operating-system user at the terminal (`system_actor`, channel "cli"); an import acts
with channel "import"; a notebook or the library itself acts as `LIBRARY`. A system actor
is refused nothing: whoever can run commands on the project's files or database can do
everything anyway. A plain string is never an actor: it raises `NotAnActor` (E614)
instead of silently getting every right. Only `coding.access.require` (and
`people.accounts.require_role` under it) decides what an actor may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

from .errors import QdaError
from .roles import GRANTS, ROLE_LABELS, Can, Role


@dataclass(frozen=True)
class Actor:
    """Who is acting: the login is the coder name, the audit log's "who". `system` marks
    the command line, an import or the library acting for `login` (refused nothing);
    `channel` and `os_user` say how and, from a terminal, who sat at it (the audit log
    takes both from the project it writes through, `Project.channel`)."""

    login: str
    role: Role
    name: str = ""
    user_id: int | None = None
    system: bool = False
    channel: str = "app"
    os_user: str | None = None

    def may(self, what: Can) -> bool:
        return self.system or what in GRANTS[self.role]

    @property
    def label(self) -> str:
        return f"{self.name or self.login} ({ROLE_LABELS[self.role]})"


class NotAnActor(QdaError, TypeError):
    """Something other than an `Actor` was passed as the one acting (a plain name)."""


def system_actor(login: str, channel: str = "library", os_user: str | None = None) -> Actor:
    """The command line (channel "cli", with the operating-system user), an import
    ("import") or the library ("library") acting for `login`: refused nothing."""
    return Actor(login, Role.LEAD, system=True, channel=channel, os_user=os_user)


# The library acting on its own behalf (a notebook, a default): recorded as "qda".
LIBRARY = system_actor("qda")


def checked(actor: object) -> Actor:
    """The actor, or NotAnActor (E614) for anything else: a plain name is no actor."""
    if not isinstance(actor, Actor):
        raise NotAnActor(f"the one acting must be an Actor, not {type(actor).__name__} "
                         f"{actor!r}: build one (corpus.actors.system_actor for a trusted "
                         "caller, accounts.actor_of for a user)", None, "E614")
    return actor


@overload
def actor_name(actor: Actor) -> str: ...
@overload
def actor_name(actor: None) -> None: ...
def actor_name(actor: Actor | None) -> str | None:
    """The name the audit log records for an actor (None for None); a plain string
    raises NotAnActor."""
    return None if actor is None else checked(actor).login
