"""Logging in to the app: who the actor is on every rerun, or the login page and a stop.

A project without users is one researcher's: the coder is a name picked in the sidebar
and may do everything (blind rounds still hide what they hide). Once the project has
users, every page needs a login. The browser keeps an opaque session token in a cookie
(SameSite=Strict; Secure over HTTPS), which survives a reload; the server keeps only its
hash, ends it on *Logga ut*, after the idle time (`[app] idle_hours` in qda.toml, 8 by
default) or when the user is disabled.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import streamlit as st

from corpus.errors import QdaError
from corpus.project import Project, read_config
from people import accounts
from people.accounts import Actor, LoginRefused, Role

COOKIE = "qda_session"
TOKEN_KEY = "auth_token"
ACTOR_KEY = "auth_actor"
AFTER_LOGIN = "auth_after_login"
accounts.warm_up()      # the server's first refused login takes as long as any other


def idle_time(proj: Project) -> dt.timedelta:
    hours = read_config(proj.root).get("app", {}).get("idle_hours", 8)
    return dt.timedelta(hours=float(hours))


@st.cache_data(ttl=5, show_spinner=False)
def _has_users(root: str, _proj: Project) -> bool:
    """Cached per project folder (the project itself is not hashed)."""
    with _proj.session() as session:
        return accounts.has_users(session)


def has_users(proj: Project) -> bool:
    return _has_users(str(proj.root), proj)


def _set_cookie(token: str | None, max_age: int) -> None:
    """The browser keeps the token: a same-origin component writes the cookie (Streamlit
    has no server-side Set-Cookie for a script)."""
    value = token or ""
    secure = "; Secure" if st.context.url.startswith("https") else ""
    st.iframe("<script>window.parent.document.cookie = "
              f"{json.dumps(f'{COOKIE}={value}; Path=/; SameSite=Strict; Max-Age={max_age}')}"
              f" + {json.dumps(secure)};</script>", height=1)


def _cookie_token() -> str | None:
    try:
        return st.context.cookies.get(COOKIE) or None
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        return None


def current(proj: Project) -> Actor | None:
    """The logged-in actor, re-checked against the store on every rerun (a disabled user
    or an ended session is logged out at once)."""
    token = st.session_state.get(TOKEN_KEY) or _cookie_token()
    if not token:
        return None
    with proj.transaction() as session:
        actor = accounts.resume_session(session, token, idle_time(proj))
    if actor is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(ACTOR_KEY, None)
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state[ACTOR_KEY] = actor
    return actor


def _logged_in(proj: Project, actor: Actor) -> None:
    with proj.transaction() as session:
        token = accounts.start_session(session, actor)
    st.session_state[TOKEN_KEY] = token
    st.session_state[ACTOR_KEY] = actor
    st.session_state["auth_cookie"] = token


def client_address(proj: Project) -> str | None:
    """The browser's address, which failed logins are counted by. Behind a reverse proxy
    every browser has the proxy's address: `[app] client_header = "X-Forwarded-For"` in
    qda.toml then names the header the proxy sets (its last address is the proxy's own
    view of the client; a header a browser sends itself comes before it)."""
    header = read_config(proj.root).get("app", {}).get("client_header")
    try:
        if header:
            value = st.context.headers.get(header) or ""
            if value.strip():
                return value.split(",")[-1].strip()[:64]
        # Streamlit gives no address for a browser on this machine
        return (st.context.ip_address or "localhost")[:64]
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        return None


def _refused(exc: QdaError) -> str:
    if exc.code == "E611":
        wait = re.search(r"wait (\d+) seconds", exc.reason)
        return ("För många misslyckade inloggningar härifrån. Vänta "
                + (f"{wait.group(1)} sekunder" if wait else "en stund") + " och försök igen.")
    if exc.code in ("E630", "E631"):
        return "För många misslyckade inloggningar. Vänta en minut och försök igen."
    if exc.code == "E612":
        return "Fel inloggningsnamn eller inbjudningskod."
    if exc.code == "E603":
        return f"Lösenordet måste ha minst {accounts.MIN_PASSWORD} tecken."
    if exc.code == "E632":
        return ("Lösenordet är för lätt att gissa (vanligt lösenord, upprepning eller "
                "mönster). Välj några orelaterade ord.")
    if exc.code == "E633":
        return "Det nuvarande lösenordet är fel."
    return "Fel inloggningsnamn eller lösenord."


def login_page(proj: Project) -> None:
    """The only thing an anonymous visitor sees: no project name, no data."""
    st.title("Logga in")
    tab_pw, tab_invite = st.tabs(["Lösenord", "Jag har en inbjudningskod"])
    with tab_pw, st.form("login", border=True):
        login = st.text_input("Användarnamn", key="li_login", autocomplete="username")
        password = st.text_input("Lösenord", type="password", key="li_password",
                                 autocomplete="current-password")
        if st.form_submit_button("Logga in", type="primary"):
            with proj.transaction() as session:
                actor = accounts.authenticate(session, login, password, client_address(proj))
            if isinstance(actor, LoginRefused):
                st.error(_refused(actor))
            else:
                _logged_in(proj, actor)
                st.rerun()
    with tab_invite, st.form("invite", border=True):
        login = st.text_input("Användarnamn", key="iv_login")
        code = st.text_input("Inbjudningskod", key="iv_code")
        first = st.text_input("Välj lösenord", type="password", key="iv_pw1",
                              autocomplete="new-password")
        again = st.text_input("Lösenordet igen", type="password", key="iv_pw2",
                              autocomplete="new-password")
        if st.form_submit_button("Spara lösenord och logga in", type="primary"):
            if first != again:
                st.error("Lösenorden är inte lika.")
            else:
                try:
                    with proj.transaction() as session:
                        actor = accounts.redeem_invitation(session, login, code, first,
                                                           client_address(proj))
                except QdaError as exc:       # a password too short: nothing tried
                    actor = exc
                if isinstance(actor, QdaError):
                    st.error(_refused(actor))
                else:
                    _logged_in(proj, actor)
                    st.rerun()
    sso_button(proj)


def password_form(proj: Project, actor: Actor) -> None:
    """Change one's own password (the current one is asked for); the user's other
    sessions end, this one goes on."""
    with st.expander("Byt lösenord"), st.form("change_pw", clear_on_submit=True):
        old = st.text_input("Nuvarande lösenord", type="password", key="pw_old",
                            autocomplete="current-password")
        new = st.text_input("Nytt lösenord", type="password", key="pw_new",
                            autocomplete="new-password")
        again = st.text_input("Nya lösenordet igen", type="password", key="pw_again",
                              autocomplete="new-password")
        if not st.form_submit_button("Byt lösenord"):
            return
        if new != again:
            st.error("De nya lösenorden är inte lika.")
            return
        try:
            with proj.transaction() as session:
                refused = accounts.change_password(session, actor, old, new,
                                                   st.session_state.get(TOKEN_KEY),
                                                   client_address(proj))
        except QdaError as exc:           # too short, too easy: nothing changed
            refused = exc
        if refused is None:
            st.success("Lösenordet är bytt. Dina andra inloggningar är avslutade.")
        else:
            st.error(_refused(refused))


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def sso_button(proj: Project) -> None:
    """Single sign-on through Streamlit's `st.login` (OpenID Connect), when the server's
    secrets.toml has an [auth] section; the provider's user must be mapped to a project
    user (`qda users link-sso`)."""
    if not sso_configured():
        return
    st.divider()
    if not st.user.is_logged_in:
        st.button("Logga in med organisationens konto", on_click=st.login)
        return
    subject = st.user.get("email") or st.user.get("sub")
    with proj.transaction() as session:
        actor = accounts.sso_actor(session, subject)
    if isinstance(actor, LoginRefused):
        st.error(f"{subject} är inte användare i det här projektet. Be projektledaren "
                 "lägga till dig.")
        st.button("Logga ut från organisationens konto", on_click=st.logout)
        return
    _logged_in(proj, actor)
    st.rerun()


def gate(proj: Project) -> Actor | None:
    """Who may see this rerun: the logged-in actor, or (no users) None; otherwise the
    login page is drawn and the script stops here."""
    if not has_users(proj):
        return None
    actor = current(proj)
    if actor is None:
        # the page asked for, to go on to once logged in (the login draws no navigation)
        st.session_state.setdefault(AFTER_LOGIN, urlsplit(st.context.url).path.strip("/"))
        login_page(proj)
        st.stop()
    return actor


def write_cookie(proj: Project) -> None:
    """Hand a new session token to the browser. Called once the run is sure to finish
    drawing (after any page switch), or the cookie component would be thrown away."""
    if token := st.session_state.pop("auth_cookie", None):
        _set_cookie(token, int(idle_time(proj).total_seconds()))


def logout(proj: Project) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    with proj.transaction() as session:
        accounts.end_session(session, token)
    st.session_state["auth_clear_cookie"] = True


def clear_cookie_if_asked() -> None:
    if st.session_state.pop("auth_clear_cookie", False):
        _set_cookie(None, 0)


def single_user_actor(coder: str | None) -> Actor | None:
    """A project without users: the researcher at this machine may do everything."""
    return Actor(coder, Role.LEAD) if coder else None
