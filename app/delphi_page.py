"""Delphi: the lead builds a Delphi study from the coded notes (items from bilaga 2, edited,
merged, added by hand), registers the panel and hands out invitation links, opens and
closes rounds, follows response rates per group, and reads and downloads the results
(`qda delphi` does the same from the command line)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import matplotlib.pyplot as plt
import pandas as pd
import streamlit as st

from app import state, ui
from app.downloads import offer
from coding.exporting import ExportOptions
from corpus.roles import Can
from delphi import chart, items, panel, rounds, tables
from delphi.statistics import COUNT, IPRAS, RAND_UCLA, SHARE, ConsensusRule
from reports.catalogue import exports

proj = state.require_project()
st.title("Delphi")
state.require(Can.MANAGE_DELPHI)
actor = state.acting()
ss = st.session_state


def change(label: str, fn, *args, **kwargs):
    return ui.apply(proj, label, "d_message", fn, *args, **kwargs)


def link(code: str) -> str:
    """The invitation link: this server's address with ?delphi=CODE."""
    url = urlsplit(st.context.url or "http://127.0.0.1:8501/")
    return urlunsplit((url.scheme, url.netloc, "/", f"delphi={code}", ""))


if ss.get("d_message"):
    st.success(ss.pop("d_message"))
if ss.get("d_invited"):
    pseudonym, code = ss.pop("d_invited")
    st.info(f"Inbjudan till **{pseudonym}** (visas bara nu: skicka länken till personen; "
            "den kan återkallas under Panel).")
    st.code(link(code), language=None)

with proj.session() as session:
    known = items.studies(session)

with st.expander("Ny Delphistudie", expanded=not known), st.form("d_new", clear_on_submit=True):
    name = st.text_input("Namn", placeholder="t.ex. Indikatorer för uppföljning")
    about = st.text_area("Fråga till panelen", placeholder="Hur relevant är indikatorn "
                         "för att följa omställningen?")
    r1, r2, r3 = st.columns(3)
    kind = r1.radio("Regel", [RAND_UCLA, SHARE], key="d_rule",
                    format_func={RAND_UCLA: "RAND/UCLA (lämplig/osäker/olämplig)",
                                 SHARE: "Andelsregel"}.get,
                    help="RAND/UCLA: median 7–9 utan oenighet är lämplig, 1–3 utan oenighet "
                         "olämplig, annars osäker. Andelsregeln: en andel av svaren i samma "
                         "tredjedel, medianen där och ingen oenighet.")
    quorum = r2.number_input("Kvorum: minsta antal betyg per indikator", 0, 1000, 0,
                             key="d_quorum",
                             help="0: hälften av rundans panel (avrundat uppåt). Med färre "
                                  "betyg får indikatorn ”för få svar” och inkluderas aldrig.")
    disagreement = r3.radio("Oenighet", [IPRAS, COUNT], key="d_disagreement",
                            format_func={IPRAS: "IPR > IPRAS",
                                         COUNT: "Räkneregeln (paneler om nio)"}.get)
    c1, c2, c3 = st.columns(3)
    share = c1.slider("Andelsregel: andel i samma tredjedel", 0.55, 1.0, 0.75, 0.05)
    include = c2.number_input("Inkluderas vid median ≥", 4.0, 9.0, 7.0, 0.5)
    exclude = c3.number_input("Exkluderas vid median ≤", 1.0, 6.0, 3.0, 0.5)
    feasible = st.checkbox("Fråga också om genomförbarhet")
    if st.form_submit_button("Skapa", type="primary"):
        made = change("Den nya studien", items.create_study, name, actor, about,
                      ConsensusRule(share, include, exclude, int(quorum) or None, kind,
                                    disagreement=disagreement), feasible)
        if made is not None:
            ss.d_study = made.name
            st.rerun()

if not known:
    st.info("Skapa en Delphistudie för att börja. Indikatorerna hämtas ur de kodade "
            "lapparna (bilaga 2) och kan sedan ändras.")
    st.stop()

names = [s.name for s in known]
if ss.get("d_study") not in names:
    ss.d_study = names[-1]
chosen = st.selectbox("Studie", names, key="d_study")
study = next(s for s in known if s.name == chosen)
st.caption(tables.rule_text(items.rule_of(study)) + (" Relevans och genomförbarhet." if
                                                     study.ask_feasibility else ""))

# a keyed choice, not st.tabs: the section stays open across the reruns its buttons cause
view = st.radio("Visa", ["Indikatorer", "Panel", "Rundor", "Resultat"], horizontal=True,
                key="d_view", label_visibility="collapsed")

if view == "Indikatorer":
    with proj.session() as session:
        listed = items.list_items(session, study.id, include_removed=True)
    active = [i for i in listed if not i.removed]
    with st.container(border=True):
        st.markdown("**Hämta från bilaga 2** (en indikator per sammanslagen rad, med "
                    "länk till lapparna; rader som redan hämtats hoppas över)")
        c1, c2, c3 = st.columns([2, 3, 1], vertical_alignment="bottom")
        questions = c1.multiselect("Frågor", [1, 2, 3], key="d_questions",
                                   format_func=lambda q: f"Fråga {q}")
        themes_text = c2.text_input("Bara huvudtemana (kommaseparerade, tomt = alla)",
                                    key="d_themes")
        if c3.button("Hämta", key="d_fetch", type="primary"):
            wanted = [t.strip() for t in themes_text.split(",") if t.strip()] or None
            made = change("Hämtningen", items.items_from_bilaga2, study.id, actor,
                          questions or None, None, wanted)
            if made is not None:
                ss.d_message = f"{ui.count(len(made), 'indikator', 'indikatorer')} hämtade."
                st.rerun()
    if listed:
        st.dataframe(pd.DataFrame([{
            "Id": i.id, "Fråga": i.question, "Huvudtema": i.theme, "Subtema": i.subtheme,
            "Indikator": i.wording, "Version": i.version, "Lappar": i.notes,
            "Områden": ", ".join(state.area_label(a) for a in i.areas),
            "Status": "borttagen" if i.removed else ""} for i in listed]),
            hide_index=True, key="d_items_table")
    label = {i.id: f"{i.id}: {i.wording[:80]}" for i in listed}
    with st.expander("Ändra formulering eller beskrivning"):
        pick = st.selectbox("Indikator", [i.id for i in active], format_func=label.get,
                            key="d_edit_item", index=None)
        if pick is not None:
            current = next(i for i in active if i.id == pick)
            wording = st.text_area("Formulering", current.wording, key=f"d_w_{pick}")
            description = st.text_area("Beskrivning", current.description, key=f"d_ds_{pick}")
            if st.button("Spara som ny version", key="d_edit") and \
                    change("Ändringen", items.edit_item, pick, actor, wording,
                          description) is not None:
                st.rerun()
    with st.expander("Slå ihop indikatorer som säger samma sak"):
        keep = st.selectbox("Behåll", [i.id for i in active], format_func=label.get,
                            key="d_keep", index=None)
        others = st.multiselect("Slå in dessa", [i.id for i in active if i.id != keep],
                                format_func=label.get, key="d_others")
        merged_wording = st.text_input("Ny formulering (tomt = behåll)", key="d_mw")
        if st.button("Slå ihop", key="d_merge", disabled=keep is None or not others) and \
                change("Sammanslagningen", items.merge_items, keep, others, actor,
                      merged_wording or None) is not None:
            st.rerun()
    with st.expander("Lägg till för hand"), st.form("d_hand", clear_on_submit=True):
        wording = st.text_area("Indikator")
        c1, c2 = st.columns(2)
        theme = c1.text_input("Huvudtema")
        subtheme = c2.text_input("Subtema")
        description = st.text_input("Beskrivning")
        if st.form_submit_button("Lägg till") and \
                    change("Indikatorn", items.add_item, study.id, wording, actor, theme,
                      subtheme, description) is not None:
            st.rerun()
    with st.expander("Ta bort eller återställ"):
        pick = st.selectbox("Indikator", [i.id for i in listed], format_func=lambda i: (
            label[i] + (" (borttagen)" if next(x for x in listed if x.id == i).removed
                        else "")), key="d_remove_item", index=None)
        if pick is not None:
            removed = next(x for x in listed if x.id == pick).removed
            if st.button("Återställ" if removed else "Ta bort", key="d_remove") and \
                    change("Ändringen", items.remove_item, pick, actor,
                          not removed) is not None:
                st.rerun()

if view == "Panel":
    with st.form("d_member", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        known = state.study(proj)
        group = c1.selectbox("Grupp", list(known.groups.labels().values()),
                             index=0 if known.groups.values else None,
                             accept_new_options=True, placeholder="Välj eller skriv en ny")
        area = c2.selectbox("Område", [None, *known.areas.labels().values()],
                            accept_new_options=True,
                            format_func=lambda a: a or "Inget område")
        contact = c3.text_input("Kontakt (syns bara här, exporteras aldrig)")
        if st.form_submit_button("Lägg till och skapa inbjudan", type="primary"):
            made = change("Deltagaren", panel.add_panelist, study.id, group or "", actor,
                          area, contact or None)
            if made is not None:
                ss.d_invited = (made.pseudonym, made.code)
                st.rerun()
    with proj.session() as session:
        members = panel.panel(session, study.id)
        known = state.study(proj)
        shown = [{"Deltagare": m.pseudonym, "Grupp": known.groups.label(m.panel_group),
                  "Område": known.areas.label(m.area) if m.area else "",
                  "Kontakt": m.contact or "",
                  "Inbjudan": "återkallad" if m.revoked_at else "giltig"} for m in members]
    if shown:
        st.dataframe(shown, hide_index=True, key="d_panel_table")
        valid = [m.pseudonym for m in members if m.revoked_at is None]
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        who = c1.selectbox("Återkalla inbjudan för", valid, index=None, key="d_revoke_who")
        if c2.button("Återkalla", key="d_revoke", disabled=who is None):
            member = next(m for m in members if m.pseudonym == who)
            if change("Återkallandet", panel.revoke, member.id, actor) is not None:
                st.rerun()
    else:
        st.info("Ingen i panelen än.")

if view == "Rundor":
    with proj.session() as session:
        done = rounds.rounds(session, study.id)
        current = next((r for r in done if r.status == rounds.OPEN), None)
        rates = rounds.response_rates(session, current.id) if current else []
        n_items = len(rounds.results(session, current.id)) if current else 0
    if current is not None:
        listed_items = ui.count(n_items, "indikator", "indikatorer")
        st.markdown(f"**Runda {current.number} är öppen** ({listed_items}).")
        st.dataframe([{"Grupp": state.study(proj).groups.label(r.group),
                       "Inbjudna": r.invited,
                       "Har svarat": r.answered, "Svarat på allt": r.completed}
                      for r in rates], hide_index=True, key="d_rates")
        st.caption("Bara antal per grupp visas, aldrig vem som svarat vad.")
        sure = st.checkbox(f"Svaren i runda {current.number} blir slutgiltiga", key="d_sure")
        if st.button(f"Stäng runda {current.number}", key="d_close", disabled=not sure) and \
                change("Stängningen", rounds.close_round, current.id, actor) is not None:
            st.rerun()
    else:
        number = len(done) + 1
        if done:
            st.markdown(f"Runda {done[-1].number} är stängd.")
        again = st.checkbox("Fråga igen om indikatorer som nått konsensus", key="d_again") \
            if done else False
        if st.button(f"Öppna runda {number}", key="d_open", type="primary") and \
                change("Öppnandet", rounds.open_round, study.id, actor, again) is not None:
            st.rerun()
        if done:
            st.caption("Indikatorer som inkluderats eller exkluderats i en tidigare runda "
                       "lämnar nästa runda.")

if view == "Resultat":
    with proj.session() as session:
        done = rounds.rounds(session, study.id)
        frames = tables.results_frames(session, study.id)
        data = chart.rows(session, study.id)
    if not done:
        st.info("Inga rundor än.")
    else:
        which = st.selectbox("Runda", list(frames), index=len(frames) - 1, key="d_round")
        st.dataframe(frames[which], hide_index=True, key="d_results",
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in tables.SHARE_COLUMNS})
        figure = chart.figure(data, f"{study.name}: betyg per runda")
        st.pyplot(figure)
        plt.close(figure)
        for spec in exports().values():
            if "study" in spec.reads and state.may(spec.needs):
                offer(spec, "d", ExportOptions(study=study.name))
