"""Samstämmighet: rounds of (blind) double coding, and agreement between the coders, per
code and overall, with the usual reading of alpha and the table as a download."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from app.downloads import offer
from coding import agreement, rounds
from coding.exporting import ExportOptions
from corpus import numbers
from corpus.errors import QdaError
from corpus.roles import Can
from reports.catalogue import get as export_spec

proj = state.require_project()
state.require(Can.READ_AGREEMENT)
actor = state.actor()
lead = state.acting()
manage = state.may(Can.MANAGE_ROUNDS)
ss = st.session_state
KINDS = {"note": "Inlägg", "transcript": "Transkript (hela repliker)"}
st.title("Samstämmighet")

with proj.session() as session:
    listed = rounds.rounds(session)
    coders = agreement.human_coders(session)

# ---- rounds ------------------------------------------------------------------------------
st.subheader("Kodningsomgångar")
if listed:
    st.dataframe([{
        "Omgång": r.name, "Blind": "ja" if r.blind else "nej", "Enheter": r.units,
        "Kodare": ", ".join(r.coders),
        "Klara": ", ".join(f"{c}: {n}" for c, n in sorted(r.done.items())),
        "Status": "pågår" if r.open else f"avslutad {r.closed_at:%Y-%m-%d}"}
        for r in listed], hide_index=True, key="sa_rounds")
open_rounds = [r.name for r in listed if r.open] if manage else []
if open_rounds:
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    closing = c1.selectbox("Avsluta omgång", open_rounds, key="sa_close_pick")
    if c2.button("Avsluta", key="sa_close"):
        try:
            proj.retried(lambda session: rounds.close_round(session, closing, lead))
            st.rerun()
        except QdaError as exc:
            st.error(f"Omgången kunde inte avslutas: {ui.reason(exc)}")

if manage:
    with st.expander("Ny omgång: tilldela samma enheter till flera kodare",
                     expanded=not listed):
        who = st.multiselect("Kodare", state.possible_coders(proj), key="sa_coders_new",
                             accept_new_options=not state.accounts_on(proj),
                             placeholder="Minst två kodare")
        c1, c2, c3, c4 = st.columns(4)
        kinds = c1.multiselect("Källtyper", list(KINDS), default=list(KINDS), key="sa_kinds",
                               format_func=KINDS.get)
        share = c2.slider("Andel av enheterna", 0.01, 1.0, 0.2, 0.01, key="sa_share",
                          help="Ett urval stratifierat per källtyp och område.")
        units = c3.number_input("… eller antal enheter", 0, 100_000, 0, key="sa_units",
                                help="0: använd andelen.")
        blind = c4.checkbox("Blind", True, key="sa_blind",
                            help="Kodarna ser varken varandras kodningar eller förslag "
                                 "lärda av dem.")
        if st.button("Skapa omgång", key="sa_create", type="primary"):
            try:
                made = proj.retried(lambda session: rounds.create_round(
                    session, who, lead, share=share, units=int(units) or None, blind=blind,
                    kinds=kinds))
                if made.blind:      # each coder's own suggestions, in the background
                    for coder in made.coders:
                        state.retrainer(proj, coder).retrain_now()
                st.success(f"{ui.text(made.name)}: {ui.count(made.units, 'enhet', 'enheter')} till "
                           f"{ui.text(', '.join(made.coders))}.")
                st.rerun()
            except QdaError as exc:
                st.error(f"Omgången kunde inte skapas: {ui.reason(exc)}")

# ---- agreement ---------------------------------------------------------------------------
st.subheader("Samstämmighet före konsensus")
if len(coders) < 2:
    st.info("Samstämmighet kräver minst två kodare med kodningar.")
    st.stop()
c1, c2, c3 = st.columns(3)
LEVELS = {agreement.BOTH: "Huvudtema och subtema", "huvudtema": "Huvudtema",
          "subtema": "Subtema"}
level = c1.radio("Nivå", list(LEVELS), horizontal=True, key="sa_level",
                 format_func=LEVELS.get)
round_names = [*[r.name for r in reversed(listed)], None]     # the newest round first
chosen_round = c2.selectbox("Enheter", round_names, key="sa_round",
                            format_func=lambda r: r or "Alla dubbelkodade enheter")
picked = c3.multiselect("Kodare", coders, key="sa_who", placeholder="Alla kodare")
try:
    with proj.session() as session:
        results = agreement.compute_levels(session, picked or None, level, chosen_round,
                                           actor=actor)
except QdaError as exc:
    st.warning(f"Samstämmigheten kan inte beräknas: {ui.reason(exc)}")
    st.stop()
first = results[0]
st.caption(f"Enheter: {first.units_note()}.")
m1, m2 = st.columns([1, 3])
m1.metric("Enheter", first.overall.n_units)
m2.markdown("  \n".join(
    f"**{r.level.capitalize()}:** {r.pooled_note()[0].upper()}{r.pooled_note()[1:]}"
    f"; sammanvägd alfa {agreement.shown(r.overall.alpha)}" for r in results))
shown = agreement.levels_frame(results)
shown = numbers.shown(shown)      # decimal commas, as the report prints them
st.dataframe(shown.where((shown != "") & shown.notna(), "–").astype(str), hide_index=True,
             key="sa_table")   # an undefined figure shows as a dash, not "None"
st.caption("Läsning per kod: alfa ≥ 0,800 god · 0,667–0,800 preliminär · under 0,667 "
           "otillräcklig (värdena är avkortade, inte avrundade, till tre decimaler). "
           "Den sammanvägda raden väger ihop alla beslut enhet × kod och är ingen "
           "tillförlitlighetsbedömning. Intervallen är bootstrap (95 %, enheter dras om).")
offer(export_spec("agreement"), "sa", ExportOptions(
    round=chosen_round, coders=picked or None, all_units=chosen_round is None), about=False)
