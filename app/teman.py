"""Teman: heatmap of main themes × area (or × question), counts of notes and transcript
units per theme and sub-theme, and drill-down to the coded segments and quotes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import streamlit as st

from app import state, ui
from coding import quote_texts
from corpus import numbers
from corpus.errors import QdaError
from corpus.roles import Can
from corpus.vocabulary import FINAL
from themes import heatmap, tables
from themes.choices import HEATMAP_BY
from themes.layers import readable_layers, resolve_layer

proj = state.require_project()
st.title("Teman")
state.require(Can.READ_THEMES)
actor = state.actor()

with proj.session() as session:
    known = readable_layers(session, actor)
if not known:
    st.info("Inga kodningar ännu (eller inget konsensuslager): koda på sidan **Kodning**, "
            "för över samstämmiga koder på **Konsensus** eller importera kodningar.")
    st.stop()
c1, c2 = st.columns(2)
layer_name = c1.selectbox("Kodningslager", known, index=known.index(FINAL), key="th_layer",
                          help="Slutlig: konsensusbeslut där enheter dubbelkodats, samstämmig "
                               "kodning där kodarna var eniga, annars den enda kodarens "
                               "beslut. Eller ett enskilt lager.")
by = c2.radio("Huvudtema ×", list(HEATMAP_BY), format_func=HEATMAP_BY.get, horizontal=True,
              key="th_by")

try:
    # the tables and the figure take seconds on a large project: say so meanwhile
    with st.spinner("Beräknar teman …"), proj.session() as session:
        layer = resolve_layer(session, layer_name, actor)
        counts = tables.theme_counts(session, layer, by)
        per_kind = tables.theme_counts(session, layer, "kind")
        units = tables.themed_units(session, layer)
        quoted = tables.quotes(session, layer)
        fig = heatmap.figure(heatmap.main_theme_matrix(counts),
                             f"Huvudtema × {HEATMAP_BY[by]} ({layer.coder})")
except QdaError as exc:
    st.error(f"Tabellerna kunde inte byggas: {ui.reason(exc)}")
    st.stop()

if layer.final is not None:
    st.caption("Hämtat ur: " + (", ".join(f"{k} {ui.count(v, 'enhet', 'enheter')}"
                                          for k, v in layer.given.items()) or "–"))
    if layer.final.unresolved:
        st.warning(ui.unresolved_warning(sorted(layer.final.unresolved)))
st.pyplot(fig, width="content")
plt.close(fig)

st.subheader("Antal per tema och källa")
st.dataframe(numbers.shown(per_kind), hide_index=True)    # "6,3 %", as the exports

st.subheader("Fördjupning")
mains = list(dict.fromkeys(units.Huvudtema))
d1, d2 = st.columns(2)
main = d1.selectbox("Huvudtema", mains, key="th_main")
subs = [s for s in dict.fromkeys(units.loc[units.Huvudtema == main, "Subtema"]) if s]
sub = d2.selectbox("Subtema", [None, *subs], key="th_sub",
                   format_func=lambda s: s or "Alla subteman")
chosen = units[(units.Huvudtema == main) & ((units.Subtema == sub) if sub else True)]
st.caption(ui.count(chosen.segment_id.nunique(), "kodad enhet", "kodade enheter"))
# the project's labels, as every other table prints them (not its keys, "None", "note")
shown = chosen.assign(
    Citat=chosen.is_quote.astype(bool), area=chosen.area.map(state.area_label),
    question=[f"Fråga {int(q)}" if q == q and q is not None else "–" for q in chosen.question],
    kind=chosen.kind.map(lambda k: ui.KIND_LABELS.get(k, k)))
st.dataframe(shown[
    ["Subtema", "text", "area", "question", "kind", "Citat", "segment_id"]].rename(
    columns={"text": "Text", "area": "Område", "question": "Fråga", "kind": "Typ",
             "segment_id": "Segment"}), hide_index=True)
q = quoted[(quoted.Huvudtema == main) & ((quoted.Subtema == sub) if sub else True)]
if len(q):
    st.markdown("**Citat**")
    editable = state.may(Can.CODE)
    texts = dict(zip(units.segment_id, units.text, strict=True))
    for _, row in q.drop_duplicates("segment_id").iterrows():
        st.markdown(f"> {ui.safe(row.Citat)}<br><br>— *{ui.safe(row.Källa)}*",
                    unsafe_allow_html=True)
        if not editable:
            continue
        unit = int(row.segment_id)
        with st.expander("Korta eller förtydliga citatet"):
            st.caption("Stryk med [...] och lägg till förtydliganden inom hakparentes, "
                       "t.ex. ”de [kommunerna] har”. Enhetens egen text ändras inte; "
                       "rapportens citat, kapitelutkast och temasammanfattning skriver "
                       "citatet så här.")
            st.markdown(f"Enhetens text: {ui.safe(texts.get(unit, ''))}",
                        unsafe_allow_html=True)
            printed = st.text_area("Citatet i rapporten", value=row.Citat,
                                   key=f"th_quote_{unit}")
            b1, b2 = st.columns(2)
            if b1.button("Spara citatet", key=f"th_quote_save_{unit}"):
                state.act(proj, lambda s, u=unit, p=printed: quote_texts.set_text(
                    s, u, p, state.acting()))
            if b2.button("Återställ enhetens text", key=f"th_quote_reset_{unit}"):
                state.act(proj, lambda s, u=unit: quote_texts.set_text(
                    s, u, "", state.acting()))
