"""The app's entry point: login, page navigation, the open project and who is acting.

Started by `qda app [PROJECT]`; one file per page beside this one. On a project with
users nothing but the login page is drawn until someone logs in, and each role sees the
pages it may use.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app import auth, state, ui
from corpus.errors import ERRORS, QdaError
from people.accounts import ROLE_LABELS, Actor, Can

HERE = Path(__file__).parent
PANEL_PARAM = "delphi"     # ?delphi=CODE: a Delphi panelist's invitation link
# No page icons: Streamlit fetches a page's icon for the favicon from Google's font CDN,
# and the app must not reach the network. Each page with what its role must grant
# (None: every role; the page itself refuses what a blind round hides).
PAGES = [("projekt.py", "Projekt", None), ("kodbok.py", "Kodbok", Can.READ_SEGMENTS),
         ("kodning.py", "Kodning", Can.CODE), ("transkript.py", "Transkript",
                                               Can.READ_SEGMENTS),
         ("teman.py", "Teman", Can.READ_THEMES),
         ("bilaga.py", "Bilaga 2", Can.READ_THEMES),
         ("samstammighet.py", "Samstämmighet", Can.READ_AGREEMENT),
         ("konsensus.py", "Konsensus", Can.READ_AGREEMENT),
         ("export.py", "Export", Can.READ_THEMES),
         ("delphi_page.py", "Delphi", Can.MANAGE_DELPHI),
         ("anvandare.py", "Användare", Can.MANAGE_USERS)]


def coder_picker() -> None:
    """A project without users: the researcher picks or types the name they code under."""
    proj = state.project()
    known = state.known_coders(proj)
    current = state.coder()
    choices = sorted(set(known) | ({current} if current else set()))
    picked = st.selectbox("Kodare", choices, index=choices.index(current) if current
                          else None, placeholder="Välj ditt namn …", accept_new_options=True,
                          key="coder_picker",
                          help="Skriv ett nytt namn för att börja som ny kodare.")
    if picked and picked != current:
        try:
            state.set_coder(picked)
            st.rerun()
        except QdaError:
            st.error(f"Namnet {ui.text(repr(picked))} är reserverat eller tomt; välj ett annat.")


def sidebar(actor: Actor | None) -> None:
    proj = state.project()
    with st.sidebar:
        if proj is None:
            st.caption("Inget projekt öppet")
            return
        st.caption(f"Projekt: **{ui.text(proj.root.name)}**")
        if actor is None or not state.accounts_on(proj):
            coder_picker()
            return
        st.markdown(f"Inloggad: **{ui.text(actor.name or actor.login)}**  \n"
                    f"Roll: {ROLE_LABELS[actor.role]}")
        if st.button("Logga ut", key="logout"):
            auth.logout(proj)
            st.rerun()
        if actor.user_id is not None:
            auth.password_form(proj, actor)


def main() -> None:
    code = st.query_params.get(PANEL_PARAM)
    if code:        # a Delphi panelist's invitation link: their page alone, no login
        st.set_page_config(page_title="Delphi", layout="centered")
        ui.swedish_chrome()
        proj = state.project()
        if proj is None:
            st.error("Inget projekt är öppet på servern.")
            return
        from app import delphi_svar

        delphi_svar.render(proj, code)
        return
    st.set_page_config(page_title="workshop-qda", layout="wide")
    ui.swedish_chrome()
    auth.clear_cookie_if_asked()
    proj = state.project()
    actor = auth.gate(proj) if proj is not None else None
    sidebar(actor if actor is not None else state.actor())
    users = proj is not None and state.accounts_on(proj)
    shown = [(f, t) for f, t, need in PAGES
             if not users or need is None or actor.may(need)]
    start = "kodning.py" if proj is not None and any(f == "kodning.py" for f, _ in shown) \
        else "projekt.py"
    pages = [st.Page(str(HERE / f), title=t, default=f == start) for f, t in shown]
    current = st.navigation(pages)
    wanted = st.session_state.pop(auth.AFTER_LOGIN, None) if actor is not None else None
    target = next((p for p in pages if wanted and p.url_path == wanted), None)
    if target is not None and target.url_path != current.url_path:
        st.switch_page(target)        # back to the page asked for before logging in
    if actor is not None:
        auth.write_cookie(proj)
    current.run()



RETRIED_KEY = "_database_retried"


def run_page() -> None:
    """The page, drawn again once when the database connection was lost on the way (a
    server restart), else a Swedish message instead of a traceback; the page's actions
    themselves are single transactions (Project.retried), so nothing is half-done."""
    from corpus.store import RETRY_AFTER_S, is_transient

    try:
        main()
    except Exception as exc:
        if not is_transient(exc):
            raise
        if not st.session_state.get(RETRIED_KEY):
            st.session_state[RETRIED_KEY] = True
            time.sleep(RETRY_AFTER_S)
            st.rerun()
        st.session_state.pop(RETRIED_KEY, None)
        st.error(DATABASE_AWAY)
        st.button("Försök igen", key="database_retry")
        return
    st.session_state.pop(RETRIED_KEY, None)


DATABASE_AWAY = ERRORS["E074"][1]


# A worker process the app starts (the retrainer, by spawn) imports this script again as
# __mp_main__: it must not draw the app, or stop at the login page, in there.
if __name__ != "__mp_main__":
    run_page()
