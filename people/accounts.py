"""Accounts: who may use a project, in which role, and how they prove it.

A project without users is a single researcher's (the app on loopback, a typed coder
name). Once a user exists, the app asks everyone to log in. Passwords are kept as argon2id
hashes; a one-time invitation code lets the person choose their own password. Browser
sessions are opaque random tokens, stored only as their SHA-256, ended by logging out or
after an idle time. Failed logins slow down guessing without handing anyone a way to
lock a user out (`authenticate`).

Roles and what each may do are declared once in `corpus.roles` (`GRANTS`); `coding.access`
adds what a blind round hides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from corpus.actors import (  # noqa: F401 (part of this API)
    LIBRARY,
    Actor,
    NotAnActor,
    actor_name,
    checked,
    system_actor,
)
from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import LoginAttempt, User, UserSession, utcnow
from corpus.roles import GRANTS, ROLE_LABELS, Can, Role  # noqa: F401 (part of this API)
from corpus.vocabulary import Action

from .identity import is_reserved

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
MIN_PASSWORD = 10
MIN_SCORE = 3            # zxcvbn's 0-4: 3 is "safely unguessable" for an online attack
# Failed logins: after FREE_FAILURES for one login from one client within WINDOW, each
# further try from that client waits twice as long as the last (2 s, 4 s … MAX_DELAY);
# the same login from another client is not slowed. A client with CLIENT_PER_MINUTE
# failures (any logins) waits for the minute to pass; with GLOBAL_PER_MINUTE failures in
# all, only clients that logged in successfully before may try until it has passed.
FREE_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
MAX_DELAY = 300
CLIENT_PER_MINUTE = 20
GLOBAL_PER_MINUTE = 100
KNOWN_CLIENT = dt.timedelta(days=30)
UNKNOWN_LOGIN = "?"      # what the audit log keeps of a login name nobody has
IDLE_DEFAULT = dt.timedelta(hours=8)
INVITATION_VALID = dt.timedelta(days=7)

_hasher = PasswordHasher()


@cache
def _dummy() -> str:
    """Verified against when the login does not exist, so a wrong login costs the same
    time as a wrong password and the answer tells nothing. Hashed on first use, not at
    import (a hash costs ~0.2 s and most commands never verify a password); the app
    hashes it when it starts (`warm_up`), so even its first refusal takes no longer."""
    return _hasher.hash("no such user, no such password")


def warm_up() -> None:
    _dummy()


class AccessError(QdaError):
    """The actor's role does not allow this."""


def require_role(actor: Actor, what: Can) -> None:
    """Refuse unless the actor's role grants `what` (a system actor, the command line or
    the library, is refused nothing; a plain name is no actor and raises E614)."""
    if not checked(actor).may(what):
        raise AccessError(f"{actor.login} ({ROLE_LABELS[actor.role]}) may not {what.value}",
                          None, "E600")


def parse_role(value: str) -> Role:
    folded = value.strip().casefold()
    for role, label in ROLE_LABELS.items():
        if folded in (role.value, label):
            return role
    names = ", ".join(f"{label} ({role.value})" for role, label in ROLE_LABELS.items())
    raise QdaError(f"unknown role {value!r}; roles: {names}", None, "E601")


def normal_login(login: str) -> str:
    login = (login or "").strip().casefold()
    if not LOGIN_PATTERN.match(login):
        raise QdaError(f"login {login!r} must be 1-100 of a-z, 0-9, '.', '_', '-' and start "
                       "with a letter or digit", None, "E602")
    if is_reserved(login):
        raise QdaError(f"login {login!r} is reserved for the tool's own coding layers",
                       None, "E602")
    return login


def check_password(password: str, *known: str) -> str:
    """At least MIN_PASSWORD characters, and not easy to guess: zxcvbn (Dropbox's
    estimator, with its lists of common passwords, names and words, and of patterns such
    as "aaaaaaaaaa" or "sommar2024") must score it MIN_SCORE of 4 or more; `known` are
    the user's own login and name, which a password should not be made of."""
    if len(password or "") < MIN_PASSWORD:
        raise QdaError(f"a password needs at least {MIN_PASSWORD} characters", None, "E603")
    from zxcvbn import zxcvbn  # here: its word lists load in a moment most commands skip

    found = zxcvbn(password[:100], user_inputs=[k for k in known if k])
    if found["score"] < MIN_SCORE:
        hint = found["feedback"].get("warning") or "it is a common pattern"
        raise QdaError(f"the password is too easy to guess ({hint}); use a few unrelated "
                       "words", None, "E632")
    return password


def has_users(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(User)).scalar_one() > 0


def get_user(session: Session, login: str) -> User:
    user = session.scalars(select(User).where(User.login == login.strip().casefold())).first()
    if user is None:
        raise QdaError(f"no user {login!r}", None, "E604")
    return user


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.login)))


def actor_of(user: User) -> Actor:
    return Actor(user.login, Role(user.role), user.display_name, user.id)


def _new_invitation(user: User) -> str:
    code = "-".join(secrets.token_hex(3) for _ in range(3))
    user.invitation_hash = _hasher.hash(code)
    user.invitation_expires = utcnow() + INVITATION_VALID
    return code


def add_user(session: Session, login: str, role: Role | str, actor: Actor,
             name: str | None = None, password: str | None = None,
             sso_subject: str | None = None) -> tuple[User, str | None]:
    """A new user with a password, or (no password) a one-time invitation code that is
    returned once and stored only as a hash."""
    require_role(actor, Can.MANAGE_USERS)
    login = normal_login(login)
    role = parse_role(role) if isinstance(role, str) else role
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise QdaError(f"a user {login!r} exists already", None, "E605")
    if role is not Role.LEAD and not has_users(session):
        raise QdaError("the first user must be a projektledare (lead): once a project has "
                       "users, only a lead can manage them", None, "E609")
    user = User(login=login, display_name=(name or login).strip(), role=role.value,
                sso_subject=sso_subject.strip().casefold() if sso_subject else None)
    code = None
    if password is not None:
        user.password_hash = _hasher.hash(check_password(password, login,
                                                         user.display_name))
    elif sso_subject is None:
        code = _new_invitation(user)
    session.add(user)
    session.flush()
    record(session, actor_name(actor), Action.USER_ADD, "user", user.id, None,
           {"login": login, "role": role.value, "name": user.display_name,
            "sso": user.sso_subject, "invited": code is not None})
    return user, code


def _keep_a_lead(session: Session, user: User) -> None:
    """Refuse what would leave the project without an enabled lead: nobody could manage
    users or rounds in the app any more."""
    leads = session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.LEAD.value, User.disabled_at.is_(None), User.id != user.id))
    if user.role == Role.LEAD.value and user.disabled_at is None and not leads:
        raise QdaError(f"{user.login} is the only enabled projektledare; make someone else "
                       "lead first", None, "E609")


def set_role(session: Session, login: str, role: Role | str, actor: Actor) -> User:
    require_role(actor, Can.MANAGE_USERS)
    user = get_user(session, login)
    role = parse_role(role) if isinstance(role, str) else role
    if role is not Role.LEAD:
        _keep_a_lead(session, user)
    before = user.role
    user.role = role.value
    record(session, actor_name(actor), Action.USER_ROLE, "user", user.id, {"role": before},
           {"role": role.value})
    return user


def disable_user(session: Session, login: str, actor: Actor) -> User:
    """No more logins, and every open session ends; the user's codings and audit events
    stay as they are."""
    require_role(actor, Can.MANAGE_USERS)
    user = get_user(session, login)
    if user.disabled_at is None:
        _keep_a_lead(session, user)
        user.disabled_at = utcnow()
        session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                  UserSession.ended_at.is_(None))
                        .values(ended_at=utcnow()))
        record(session, actor_name(actor), Action.USER_DISABLE, "user", user.id, None,
               {"disabled_at": user.disabled_at.isoformat()})
    return user


def enable_user(session: Session, login: str, actor: Actor) -> User:
    require_role(actor, Can.MANAGE_USERS)
    user = get_user(session, login)
    if user.disabled_at is not None:
        user.disabled_at = None
        record(session, actor_name(actor), Action.USER_ENABLE, "user", user.id)
    return user


def reset_password(session: Session, login: str, actor: Actor,
                   password: str | None = None) -> str | None:
    """Set a new password, or (none given) clear it and return a new invitation code.
    Either way the user's open sessions end."""
    require_role(actor, Can.MANAGE_USERS)
    user = get_user(session, login)
    code = None
    if password is not None:
        user.password_hash = _hasher.hash(check_password(password, user.login,
                                                         user.display_name))
        user.invitation_hash = user.invitation_expires = None
    else:
        user.password_hash = None
        code = _new_invitation(user)
    session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))
    record(session, actor_name(actor), Action.USER_RESET_PASSWORD, "user", user.id, None,
           {"invited": code is not None})
    return code


def link_sso(session: Session, login: str, subject: str | None, actor: Actor) -> User:
    """Map the identity provider's user (e-mail or subject) to a project user."""
    require_role(actor, Can.MANAGE_USERS)
    user = get_user(session, login)
    before = user.sso_subject
    user.sso_subject = subject.strip().casefold() if subject else None
    record(session, actor_name(actor), Action.USER_SSO, "user", user.id, {"sso": before},
           {"sso": user.sso_subject})
    return user


# ---- logging in ---------------------------------------------------------------------------

class LoginRefused(QdaError):
    """Wrong login or password, a disabled user, or too many attempts: the message never
    says which login exists."""


def _verify(hashed: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(hashed or _dummy(), secret) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def _failures(session: Session, since: dt.datetime, *where) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ok.is_(False), LoginAttempt.at >= since, *where)) or 0


def throttled(session: Session, login: str, client: str | None,
              now: dt.datetime | None = None) -> LoginRefused | None:
    """Why an attempt must wait now, if it must (see FREE_FAILURES): checked before the
    password, so a guess that waits tells nothing and costs nothing. Only failures from
    the same client slow a login down: a wrong password typed elsewhere never keeps its
    owner out."""
    now = now or utcnow()
    minute = now - dt.timedelta(minutes=1)
    if client is not None and _failures(session, minute, LoginAttempt.client == client) \
            >= CLIENT_PER_MINUTE:
        return LoginRefused("too many failed logins from this client; wait a minute", None,
                            "E630")
    if _failures(session, minute) >= GLOBAL_PER_MINUTE and (client is None or not session.scalar(
            select(LoginAttempt.id).where(LoginAttempt.client == client,
                                          LoginAttempt.ok.is_(True),
                                          LoginAttempt.at >= now - KNOWN_CLIENT).limit(1))):
        return LoginRefused("too many failed logins on this server; only clients that have "
                            "logged in before may try until the minute has passed", None,
                            "E631")
    mine = [LoginAttempt.login == login, LoginAttempt.client.is_(client) if client is None
            else LoginAttempt.client == client]
    failed = _failures(session, now - WINDOW, *mine)
    if failed < FREE_FAILURES:
        return None
    last = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.ok.is_(False), *mine))
    wait = min(2 ** (failed - FREE_FAILURES + 1), MAX_DELAY)
    left = wait - (now - last).total_seconds() if last is not None else 0
    if left > 0:
        return LoginRefused(f"too many failed logins; wait {math.ceil(left)} seconds", None,
                            "E611")
    return None


def _bucket(typed: str, user: User | None) -> str:
    """What the throttle counts an attempt under: the login, or for a name nobody has
    "?" and a digest of it (each unknown name slowed on its own, as a real one would be,
    so the throttle does not tell which logins exist; the typed text is not kept)."""
    return user.login if user else \
        UNKNOWN_LOGIN + hashlib.sha256(typed.encode()).hexdigest()[:32]


def _attempt(session: Session, typed: str, user: User | None, ok: bool, why: str,
             client: str | None) -> None:
    """The attempt, for the throttle, and a failure in the audit log, where a login
    nobody has is "?": what a stranger types never enters the append-only log."""
    session.add(LoginAttempt(login=_bucket(typed, user), ok=ok, client=client))
    if not ok:
        login = user.login if user else UNKNOWN_LOGIN
        record(session, login, Action.AUTH_LOGIN_FAILED, "user", user.id if user else None,
               None, {"login": login, "reason": why if user else "unknown_login",
                      "client": client})


def authenticate(session: Session, login: str, password: str,
                 client: str | None = None) -> Actor | LoginRefused:
    """The actor for a correct login and password, else the refusal (one message for
    every wrong password, login or disabled user), returned rather than raised so that
    the caller commits the attempt: the throttle and the audit log must see failures.
    `client` is the browser's address; `throttled` says when an attempt must wait (it
    is then refused unchecked and unrecorded, so a flood adds no rows)."""
    login = (login or "").strip().casefold()[:100]
    user = session.scalars(select(User).where(User.login == login)).first()
    waiting = throttled(session, _bucket(login, user), client)
    if waiting is not None:
        return waiting
    ok = _verify(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled_at is not None:
        _attempt(session, login, user, False,
                 "disabled" if ok and user is not None else "wrong_password", client)
        return LoginRefused("wrong login or password", None, "E610")
    _attempt(session, login, user, True, "ok", client)
    record(session, user.login, Action.AUTH_LOGIN, "user", user.id)
    return actor_of(user)


def redeem_invitation(session: Session, login: str, code: str, password: str,
                      client: str | None = None) -> Actor | LoginRefused:
    """Turn a one-time invitation code into the user's own password (a refusal is
    returned, like `authenticate`'s; a too short password raises)."""
    login = (login or "").strip().casefold()[:100]
    check_password(password, login)
    user = session.scalars(select(User).where(User.login == login)).first()
    waiting = throttled(session, _bucket(login, user), client)
    if waiting is not None:
        return waiting
    valid = user is not None and user.disabled_at is None and \
        user.invitation_expires is not None and user.invitation_expires > utcnow()
    if not _verify(user.invitation_hash if valid and user is not None else None,
                   (code or "").strip()):
        _attempt(session, login, user, False, "bad_invitation", client)
        return LoginRefused("wrong login or invitation code", None, "E612")
    assert user is not None             # _verify refuses without one
    user.password_hash = _hasher.hash(password)
    user.invitation_hash = user.invitation_expires = None
    _attempt(session, login, user, True, "invitation", client)
    record(session, user.login, Action.AUTH_INVITATION, "user", user.id)
    return actor_of(user)


def change_password(session: Session, actor: Actor, old: str, new: str,
                    keep: str | None = None, client: str | None = None
                    ) -> LoginRefused | None:
    """A logged-in user's new password, given their current one (a stolen session alone
    cannot take over the account); a wrong current password counts as a failed login
    and is returned, like `authenticate`'s refusals, for the caller to commit. Every
    other session of the user ends; `keep` is the token of the one in use."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or user.disabled_at is not None:
        raise AccessError(f"{actor.login} has no account to change", None, "E608")
    check_password(new, user.login, user.display_name)
    waiting = throttled(session, user.login, client)
    if waiting is not None:
        return waiting
    if not _verify(user.password_hash, old or ""):
        _attempt(session, user.login, user, False, "wrong_current_password", client)
        return LoginRefused("the current password is wrong", None, "E633")
    user.password_hash = _hasher.hash(new)
    kept = _digest(keep) if keep else None
    session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.ended_at.is_(None),
                                              UserSession.token_hash != (kept or ""))
                    .values(ended_at=utcnow()))
    record(session, user.login, Action.USER_PASSWORD, "user", user.id)
    return None


def sso_actor(session: Session, subject: str | None) -> Actor | LoginRefused:
    """The project user mapped to the identity provider's user; refused when unmapped or
    disabled (a person known to the region is not thereby a member of the project)."""
    subject = (subject or "").strip().casefold()
    user = session.scalars(select(User).where(User.sso_subject == subject)).first() \
        if subject else None
    if user is None or user.disabled_at is not None:
        record(session, subject or "(okänd)", Action.AUTH_SSO_REFUSED, "user",
               user.id if user else None, None, {"subject": subject})
        return LoginRefused(f"{subject or 'the signed-in user'} is not a user of this project",
                            None, "E613")
    record(session, user.login, Action.AUTH_LOGIN, "user", user.id, None, {"sso": subject})
    return actor_of(user)


# ---- browser sessions ---------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, actor: Actor) -> str:
    """A new session token for a logged-in actor (returned once, stored as a hash)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=actor.user_id, token_hash=_digest(token)))
    return token


def resume_session(session: Session, token: str | None,
                   idle: dt.timedelta = IDLE_DEFAULT) -> Actor | None:
    """The actor of a live session token (touching it), or None: unknown, ended, idle for
    longer than `idle`, or its user disabled since."""
    if not token:
        return None
    row = session.scalars(select(UserSession).where(
        UserSession.token_hash == _digest(token))).first()
    now = utcnow()
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None or now - row.last_seen > idle:
        row.ended_at = row.ended_at or now
        return None
    if now - row.last_seen > dt.timedelta(seconds=30):   # not a write per page rerun
        row.last_seen = now
    return actor_of(user)


def end_session(session: Session, token: str | None) -> None:
    if not token:
        return
    row = session.scalars(select(UserSession).where(
        UserSession.token_hash == _digest(token))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        user = session.get(User, row.user_id)
        record(session, user.login if user else "?", Action.AUTH_LOGOUT, "user", row.user_id)
