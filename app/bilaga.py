"""Bilaga 2: notes on the same topic proposed as one row (themes.merges); the author merges
or keeps apart each proposal, undoes a decision, and sees the question's table as the
export prints it."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from coding import note_merges
from coding.suggest import embed
from coding.suggestions import project_embedder
from corpus import numbers
from corpus.errors import QdaError
from corpus.roles import Can
from corpus.vocabulary import FINAL
from themes import merges, tables, writers
from themes.choices import NEAR_DUPLICATE
from themes.layers import readable_layers, resolve_layer

MAX_ROWS = 300     # rows of the question's table the page prints (the export has all)

proj = state.require_project()
st.title("Bilaga 2: inlägg om samma sak")
state.require(Can.READ_THEMES)
actor = state.actor()
ss = st.session_state

with proj.session() as session:
    known = readable_layers(session, actor)
if not known:
    st.info("Inga kodningar ännu: koda på sidan **Kodning** först.")
    st.stop()
st.caption("Rapportens bilaga 2 slår ihop lappar om samma sak till en rad. Verktyget slår "
           "själv ihop lappar med nästan samma ordalydelse; här föreslås lappar under samma "
           "subtema som liknar varandra till innehållet. Inget slås ihop förrän du säger "
           "det, och en lapp du håller isär föreslås inte igen.")
c1, c2, c3 = st.columns([2, 1, 2])
layer_name = c1.selectbox("Kodningslager", known, index=known.index(FINAL), key="b2_layer")
meaning_on = embed.available()
meaning = c3.toggle("Jämför även betydelse", value=meaning_on, disabled=not meaning_on,
                    key="b2_meaning",
                    help="Med tillägget workshop-qda[embed] jämförs lapparnas betydelse "
                         "(en språkmodell som körs på den här datorn), annars bara ordvalet.")

# the rows of bilaga 2 as exported at the standard threshold (the Export page can move it)
threshold = NEAR_DUPLICATE
try:
    with st.spinner("Jämför lapparna …"):
        embedder = project_embedder(proj) if meaning else None
        with proj.session() as session:
            layer = resolve_layer(session, layer_name, actor)
            table = tables.bilaga2(session, layer, threshold)
            found = merges.proposals(session, layer, embedder, near=threshold)
            decided = note_merges.decided_groups(session)
except QdaError as exc:
    st.error(f"Förslagen kunde inte tas fram: {ui.reason(exc)}")
    st.stop()
if not table:
    st.info("Inga kodade lappar med fråga i det här lagret.")
    st.stop()
questions = sorted(table)
question = c2.selectbox("Fråga", questions, key="b2_question",
                        format_func=lambda q: f"Fråga {q}")
editable = state.may(Can.CODE)


def merge(p: merges.Proposal, chosen: list[int], left: list[int]) -> None:
    """The ticked notes become one row; an unticked note is kept apart from them (unless
    it prints in one row with them already, as a near-copy does)."""
    def change(session) -> None:
        who = state.acting()
        note_merges.decide(session, chosen, True, who)
        apart = p.across(chosen, left)
        if apart:
            note_merges.decide(session, [*chosen, *left], False, who, only=apart)
    state.act(proj, change)


def keep_apart(p: merges.Proposal) -> None:
    """The proposal's notes stay in the rows they print in today."""
    state.act(proj, lambda s: note_merges.decide(s, list(p.segment_ids), False,
                                                 state.acting(), only=p.across()))


shown = [p for p in found if p.question == question]
st.subheader(f"Förslag ({len(shown)})")
if not shown:
    st.success("Inga fler förslag för frågan.")
for n, p in enumerate(shown):
    with st.container(border=True):
        st.markdown(f"**{ui.safe(p.main)}**" + (f" › {ui.safe(p.sub)}" if p.sub else "")
                    + f" · skrivs i dag som {p.rows} rader · likhet "
                      f"{numbers.decimal(p.score, 2)} ({p.signal})",
                    unsafe_allow_html=True)
        ticked = []
        for unit, text, area in zip(p.segment_ids, p.texts, p.areas, strict=True):
            label = f"{ui.text(text)} — *{ui.text(area or 'okänt område')}*"
            if st.checkbox(label, value=True, key=f"b2_pick_{question}_{n}_{unit}",
                           disabled=not editable):
                ticked.append(unit)
        if not editable:
            continue
        b1, b2, _ = st.columns([1, 1, 2])
        rest = [u for u in p.segment_ids if u not in ticked]
        if b1.button("Slå ihop till en rad", key=f"b2_merge_{question}_{n}",
                     disabled=len(ticked) < 2, type="primary"):
            merge(p, ticked, rest)
        if b2.button("Håll isär", key=f"b2_apart_{question}_{n}"):
            keep_apart(p)

st.subheader("Beslut")
in_question = {int(i) for ids in table[question].segment_ids for i in ids}
mine = [(m, ids, texts) for m, ids, texts in decided if set(ids) & in_question]
if not mine:
    st.caption("Inga beslut för frågan ännu.")
for k, (merged, ids, texts) in enumerate(mine):
    with st.container(border=True):
        st.markdown(("**En rad:** " if merged else "**Hålls isär:** ")
                    + " · ".join(ui.safe(t) for t in texts), unsafe_allow_html=True)
        if editable and st.button("Ångra", key=f"b2_undo_{question}_{k}"):
            state.act(proj, lambda s, ids=ids: note_merges.forget(s, ids, state.acting()))

st.subheader(f"Bilaga 2, fråga {question}")
printed = writers.printed_once(table[question])   # a theme once, as the export merges it
shown_rows = printed.head(MAX_ROWS)
st.caption(f"Som exporten skriver den vid standardtröskeln {numbers.decimal(threshold, 2)} "
           "för lappar med nästan samma ordalydelse"
           + (f"; de första {MAX_ROWS} av {len(printed)} raderna, hela tabellen finns på "
              "sidan **Export**." if len(printed) > MAX_ROWS else "."))
# a static table wraps every note in full (a data grid cuts long ones off); its cells
# render Markdown, so the material's words are escaped
st.table(shown_rows.rename(columns=ui.text).map(
    lambda v: ui.text(v) if isinstance(v, str) and v else ""), hide_index=True)
