"""`qda users`: accounts and roles of a project (the administrator's tool)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import JsonOpt, ProjectOpt, actor, console, opened, user_errors

users_app = typer.Typer(help="Accounts: who may log in to the app, and in which role "
                        "(projektledare, kodare, granskare, läsare).", no_args_is_help=True)

RoleArg = Annotated[str, typer.Option("--role", help="projektledare (lead), kodare (coder), "
                                      "granskare (reviewer) or läsare (reader).")]
InviteOpt = Annotated[bool, typer.Option(
    "--invite", help="Print a one-time invitation code instead of asking for a password; "
    "the person chooses their password at first login (valid 7 days).")]
StdinOpt = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input "
    "(for scripts).")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _print_code(login: str, code: str) -> None:
    console.print(f"invitation code for {login}: [bold]{code}[/bold] (once; valid 7 days). "
                  "The person logs in with it in the app and chooses a password.",
                  highlight=False)


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(help="Login name (lower case a-z, 0-9, . _ -); it "
                                         "is also the coder name in every coding.")],
    role: RoleArg,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    invite: InviteOpt = False,
    password_stdin: StdinOpt = False,
    sso: Annotated[str | None, typer.Option(help="The identity provider's user (e-mail) "
                                            "for single sign-on; no password needed.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a user: asks for the password twice, or prints an invitation code."""
    from people import accounts

    with user_errors():
        accounts.normal_login(login)
        accounts.parse_role(role)
        secret = None if invite or sso else accounts.check_password(_password(password_stdin))
        with opened(project).transaction() as session:
            user, code = accounts.add_user(session, login, role, actor(), name, secret, sso)
    console.print(f"added {user.login} ({accounts.ROLE_LABELS[accounts.Role(user.role)]})",
                  highlight=False)
    if code:
        _print_code(user.login, code)


@users_app.command("list")
def users_list(project: ProjectOpt = Path("."),
               as_json: JsonOpt = False) -> None:
    """The project's users, their roles and state."""
    from people import accounts

    with user_errors(), opened(project).session() as session:
        rows = [{"login": u.login, "name": u.display_name, "role": u.role,
                 "role_sv": accounts.ROLE_LABELS[accounts.Role(u.role)],
                 "state": "disabled" if u.disabled_at else
                 ("invited" if u.password_hash is None and u.sso_subject is None
                  else "active"),
                 "sso": u.sso_subject, "created": u.created_at.isoformat(timespec="seconds")}
                for u in accounts.users(session)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("no users: the app runs for one researcher on this machine "
                      "(add a projektledare first: qda users add LOGIN --role projektledare)")
    for r in rows:
        console.print(f"{r['login']:<16} {r['role_sv']:<14} {r['state']:<9} {r['name']}"
                      + (f"  sso: {r['sso']}" if r["sso"] else ""), highlight=False)


@users_app.command("set-role")
def users_set_role(login: str, role: Annotated[str, typer.Argument(help="The new role.")],
                   project: ProjectOpt = Path(".")) -> None:
    """Change a user's role."""
    from people import accounts

    with user_errors(), opened(project).transaction() as session:
        user = accounts.set_role(session, login, role, actor())
    console.print(f"{user.login} is now {accounts.ROLE_LABELS[accounts.Role(user.role)]}")


@users_app.command("disable")
def users_disable(login: str, project: ProjectOpt = Path(".")) -> None:
    """Stop a user logging in (their sessions end; their codings and history stay)."""
    from people import accounts

    with user_errors(), opened(project).transaction() as session:
        user = accounts.disable_user(session, login, actor())
    console.print(f"{user.login} is disabled")


@users_app.command("enable")
def users_enable(login: str, project: ProjectOpt = Path(".")) -> None:
    """Let a disabled user log in again."""
    from people import accounts

    with user_errors(), opened(project).transaction() as session:
        user = accounts.enable_user(session, login, actor())
    console.print(f"{user.login} is enabled")


@users_app.command("reset-password")
def users_reset_password(login: str, invite: InviteOpt = False,
                         password_stdin: StdinOpt = False,
                         project: ProjectOpt = Path(".")) -> None:
    """Set a new password (or a new invitation code); the user's sessions end."""
    from people import accounts

    with user_errors():
        secret = None if invite else accounts.check_password(_password(password_stdin))
        with opened(project).transaction() as session:
            code = accounts.reset_password(session, login, actor(), secret)
    console.print(f"password of {login} reset")
    if code:
        _print_code(login, code)


@users_app.command("link-sso")
def users_link_sso(login: str,
                   subject: Annotated[str | None, typer.Argument(
                       help="The identity provider's e-mail or subject; empty to unlink.")]
                   = None,
                   project: ProjectOpt = Path(".")) -> None:
    """Map a user to the organisation's single sign-on account."""
    from people import accounts

    with user_errors(), opened(project).transaction() as session:
        user = accounts.link_sso(session, login, subject, actor())
    console.print(f"{user.login}: single sign-on {user.sso_subject or 'off'}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
