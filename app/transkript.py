"""Transkript: read a whole transcript turn by turn, coded sentences coloured by code with
the codes in the margin; pick a run of sentences inside a turn and code it, or code an
exact stretch of words (a part of a sentence, or over several)."""

from __future__ import annotations

import html

import streamlit as st
from sqlalchemy import select

from app import state, ui
from coding.transcript import code_sentences, code_span, transcript_view, transcripts
from corpus.errors import QdaError
from corpus.models import Code as CodeRow
from corpus.models import Source
from corpus.roles import Can
from refi.writer import source_layout

proj = state.require_project()
state.require(Can.READ_SEGMENTS)
coder = state.coder() or state.require_coder()
actor = state.actor()
book = state.codebook(proj)
ss = st.session_state
st.title("Transkript")

with proj.session() as session:
    available = transcripts(session)
    colours = {cid: ui.code_colour(cid, colour) for cid, colour in
               session.execute(select(CodeRow.id, CodeRow.colour))}
if not available:
    st.info("Projektet har inga transkript ännu. Importera dem på sidan **Projekt**.")
    st.stop()

names = {sid: f"{name} ({state.area_label(area)})" for sid, name, area in available}
c1, c2 = st.columns([3, 2])
source_id = c1.selectbox("Transkript", list(names), format_func=names.get, key="t_source")
layers = sorted(set(state.known_coders(proj)) | {coder}) if state.may(Can.READ_CODINGS) \
    else [coder]                 # blind (or a role that may not): only your own codings
layer = c2.selectbox("Visa kodningar av", layers, index=layers.index(coder), key="t_layer")

with proj.session() as session:
    turns = transcript_view(session, source_id, layer, actor)
if not turns:
    st.warning("Transkriptet har inga repliker.")
    st.stop()


def label(i: int) -> str:
    t = turns[i]
    head = " · ".join(x for x in (t.speaker, t.location) if x)
    return f"Tur {i + 1} · {head} · {t.text[:60]}{'…' if len(t.text) > 60 else ''}"


# ---- code a run of sentences -------------------------------------------------------------
turn_index, first, last = -1, 1, 0        # no run chosen (a role that may not code)
if state.may(Can.CODE):
    with st.container(border=True):
        st.markdown("**Koda en följd av meningar**" + ("" if layer == coder else
                    f" (du kodar som {ui.text(coder)}; visar {ui.text(layer)})"))
        k1, k2 = st.columns([3, 2])
        turn_index = k1.selectbox("Tur", range(len(turns)), format_func=label, key="t_turn")
        turn = turns[turn_index]
        n = len(turn.sentences)
        if n > 1:
            first, last = k2.select_slider(
                "Meningar", options=list(range(1, n + 1)), value=(1, n), key=f"t_run_{turn_index}")
        else:
            first = last = 1
            k2.caption("Turen har en mening.")
        chosen = turn.sentences[first - 1:last] if n else []
        if chosen:
            st.caption("Markerat: " + ui.safe(turn.text[chosen[0].start:chosen[-1].end]),
                       unsafe_allow_html=True)
        k3, k4 = st.columns([3, 1], vertical_alignment="bottom")
        code_id = k3.selectbox("Kod", list(book.codes), index=None, key="t_code",
                               format_func=lambda c: book.codes[c].label,
                               placeholder="Skriv för att söka …")
        if k4.button("Koda meningarna", key="t_apply", type="primary",
                     disabled=code_id is None or not chosen):
            try:
                done = proj.retried(lambda session: code_sentences(
                    session, turn, first - 1, last - 1, code_id, coder, actor))
                state.retrainer(proj).notify(len(done))
                ss.t_message = (f"{ui.count(len(done), 'mening kodad', 'meningar kodade')} med "
                                f"{ui.text(book.codes[code_id].label)}.")
                st.rerun()
            except QdaError as exc:
                st.error(f"Kodningen sparades inte: {ui.reason(exc)}")
        w1, w2 = st.columns([3, 1], vertical_alignment="bottom")
        words = w1.text_input("… eller koda exakt dessa ord ur turen (en del av en mening, "
                              "eller över flera)", key=f"t_words_{turn_index}")
        if w2.button("Koda orden", key="t_apply_span",
                     disabled=code_id is None or not words.strip()):
            at = turn.text.find(words.strip())
            if at < 0:
                st.error("Orden finns inte i turen: skriv eller klistra in dem som de står.")
            else:
                try:
                    with proj.transaction() as session:
                        offset = next(u.start for u in source_layout(
                            session, session.get(Source, source_id)).units
                            if u.segment.id == turn.segment_id)
                        done = code_span(session, turn, at, at + len(words.strip()),
                                         code_id, coder, offset, actor)
                    state.retrainer(proj).notify(len(done))
                    ss.t_message = (f"Orden kodade med {book.codes[code_id].label}; de räknas "
                                    f"för {ui.count(len(done), 'mening', 'meningar')}.")
                    st.rerun()
                except QdaError as exc:
                    st.error(f"Kodningen sparades inte: {ui.reason(exc)}")
if ss.get("t_message"):
    st.success(ss.pop("t_message"))


# ---- the transcript ------------------------------------------------------------------
def sentence_html(t, index: int) -> str:
    parts, cursor = [], 0
    for j, s in enumerate(t.sentences):
        parts.append(ui.safe(t.text[cursor:s.start]))
        body = ui.safe(t.text[s.start:s.end])
        style = ""
        if s.codes:
            colour = colours.get(s.codes[0], ui.PALETTE[0])
            style += f"background:{colour}33;border-bottom:3px solid {colour};"
        if index == turn_index and first - 1 <= j <= last - 1:
            style += "outline:2px dashed #444;"
        tip = "; ".join(book.codes[c].label for c in s.codes if c in book.codes)
        parts.append(f'<span style="{style}" title="{html.escape(tip)}">{body}</span>'
                     if style else body)
        cursor = s.end
    parts.append(ui.safe(t.text[cursor:]))
    return "".join(parts)


rows = []
for i, t in enumerate(turns):
    head = ui.safe(" · ".join(x for x in (t.speaker, t.location) if x))
    margin = "".join(ui.chip(book.codes[c].label.split(" > ")[-1], colours.get(c, "#999"))
                     for c in t.all_codes() if c in book.codes)
    rows.append(f'<tr><td style="vertical-align:top;padding:6px 10px;width:72%">'
                f'<div style="font-size:0.8em;color:#666">Tur {i + 1} · {head}</div>'
                f'{sentence_html(t, i)}</td>'
                f'<td style="vertical-align:top;padding:6px;border-left:1px solid #ddd">'
                f'{margin}</td></tr>')
st.markdown('<table class="transcript" style="width:100%;border-collapse:collapse">'
            + "".join(rows) + "</table>", unsafe_allow_html=True)
