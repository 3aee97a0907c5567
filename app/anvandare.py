"""Användare: the lead adds people with an invitation code, changes roles, disables and
re-invites (`qda users` does the same from the command line)."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from people import accounts
from people.accounts import ROLE_LABELS, Can, Role

proj = state.require_project()
state.require(Can.MANAGE_USERS)
actor = state.acting()
ss = st.session_state
st.title("Användare")
ROLES = list(ROLE_LABELS)


def change(label: str, fn, *args) -> str | None:
    # after a change the app's cached "has users" check must be asked again
    return ui.apply(proj, label, "u_message", fn, *args, after=st.cache_data.clear)


if ss.get("u_message"):
    st.success(ss.pop("u_message"))
if ss.get("u_code"):
    login, code = ss.pop("u_code")
    st.info(f"Inbjudningskod för **{login}**: `{code}` (visas bara nu, giltig i 7 dagar). "
            "Personen loggar in under *Jag har en inbjudningskod* och väljer ett lösenord.")

with proj.session() as session:
    people = accounts.users(session)
if not people:
    st.info("Projektet har inga användare: appen körs för en forskare på den här datorn. "
            "Lägg till dig själv som projektledare först; därefter kräver appen inloggning.")
st.dataframe([{"Användarnamn": u.login, "Namn": u.display_name,
               "Roll": ROLE_LABELS[Role(u.role)],
               "Status": "avstängd" if u.disabled_at else
               ("inbjuden" if u.password_hash is None and not u.sso_subject else "aktiv"),
               "Inloggning via organisationen": u.sso_subject or ""} for u in people],
             hide_index=True, key="u_table")

with st.form("u_add", clear_on_submit=True):
    first = not people      # the first user is the lead, with a password: once added, the
    st.markdown("**Ny användare** " + ("(du själv, som projektledare)" if first else
                                       "(får en inbjudningskod)"))   # app asks for login
    c1, c2, c3 = st.columns(3)
    login = c1.text_input("Användarnamn", placeholder="t.ex. anna")
    name = c2.text_input("Namn")
    role = c3.selectbox("Roll", [Role.LEAD] if first else ROLES, format_func=ROLE_LABELS.get,
                        index=0 if first else 1)
    password = again = None
    if first:
        p1, p2 = st.columns(2)
        password = p1.text_input("Lösenord", type="password")
        again = p2.text_input("Lösenordet igen", type="password")
    if st.form_submit_button("Lägg till", type="primary"):
        if first and password != again:
            st.error("Lösenorden är inte lika.")
        else:
            made = change("Den nya användaren", accounts.add_user, login, role, actor,
                          name or None, password or None)
            if made is not None:
                if made[1]:
                    ss.u_code = (made[0].login, made[1])
                st.rerun()

if people:
    st.subheader("Ändra")
    logins = [u.login for u in people]
    c1, c2 = st.columns([2, 3])
    who = c1.selectbox("Användare", logins, key="u_who")
    user = next(u for u in people if u.login == who)
    with c2:
        r1, r2 = st.columns([3, 1], vertical_alignment="bottom")
        new_role = r1.selectbox("Roll", ROLES, index=ROLES.index(Role(user.role)),
                                format_func=ROLE_LABELS.get, key=f"u_role_{who}")
        if r2.button("Byt roll", key="u_set_role") and change(
                "Rollbytet", accounts.set_role, who, new_role, actor) is not None:
            st.rerun()
        b1, b2 = st.columns(2)
        if user.disabled_at is None:
            if b1.button("Stäng av", key="u_disable", disabled=who == getattr(actor, "login",
                                                                                None),
                         help="Kan inte logga in; kodningar och historik finns kvar.") \
                    and change("Avstängningen", accounts.disable_user, who, actor):
                st.rerun()
        elif b1.button("Aktivera igen", key="u_enable") and change(
                "Aktiveringen", accounts.enable_user, who, actor):
            st.rerun()
        if b2.button("Ny inbjudningskod", key="u_reset",
                     help="Lösenordet slutar gälla och inloggningar avslutas.") and (
                code := change("Återställningen", accounts.reset_password, who, actor)):
            ss.u_code = (who, code)
            st.rerun()
