"""Export: every export the library offers (themes.export.EXPORTS), as downloads."""

from __future__ import annotations

import streamlit as st

from app import state
from coding.accounts import Can
from coding.identity import CONSENSUS
from corpus.errors import QdaError
from themes.export import EXPORTS, HEATMAP_BY, NEEDS, export_bytes
from themes.layers import readable_layers
from themes.tables import NEAR_DUPLICATE

TITLES = {"bilaga2": ("Bilaga 2", "En tabell per fråga: huvudtema, subtema, inlägg och "
                      "områden; liknande lappar sammanslagna."),
          "themes": ("Tematabeller", "Antal och andel per tema × område, fråga och källa; "
                     "som Word en temasammanfattning med citat."),
          "quotes": ("Citat", "Alla segment markerade som citat, per tema, "
                     "\"Deltagare <område>\"."),
          "tabell1": ("Tabell 1", "Deltagare per område, format och roll."),
          "heatmap": ("Värmekarta", "Huvudtema × område eller fråga."),
          "qdpx": ("REFI-QDA-projekt (.qdpx)", "Hela projektet till NVivo, ATLAS.ti, MAXQDA, "
                   "QualCoder."),
          "qdc": ("REFI-QDA-kodbok (.qdc)", "Kodboken till andra verktyg."),
          "agreement": ("Samstämmighet", "Per kod och totalt, huvudtema och subtema: "
                        "överensstämmelse, kappa, alfa med 95 % KI."),
          "audit": ("Granskningslogg", "Varje ändring av koder och kodningar: vem, när, "
                    "före, efter, memo."),
          "metodbilaga": ("Metodbilaga", "Kodare, dubbelkodade enheter, samstämmighet före "
                          "konsensus per huvudtema, lösta oenigheter, kodbokens ändringar.")}
NEEDS_LAYER = {"bilaga2", "themes", "quotes", "heatmap"}

proj = state.require_project()
ss = st.session_state
st.title("Export")
state.require(Can.READ_THEMES)
actor = state.actor()

with proj.session() as session:
    known = readable_layers(session, actor)
c1, c2, c3 = st.columns(3)
layers = [None, *[k for k in known if k != CONSENSUS]]
layer = c1.selectbox("Kodningslager", layers, key="e_layer",
                     format_func=lambda x: x or "Standard (konsensus)")
threshold = c2.slider("Likhetströskel för att slå ihop lappar", 0.5, 1.0, NEAR_DUPLICATE,
                      0.01, key="e_threshold")
by = c3.radio("Värmekarta per", list(HEATMAP_BY), format_func=HEATMAP_BY.get,
              horizontal=True, key="e_by")

for what, formats in EXPORTS.items():
    if not state.may(NEEDS[what]):
        continue
    title, about = TITLES.get(what, (what, ""))
    with st.container(border=True):
        a, b, c = st.columns([3, 2, 2], vertical_alignment="center")
        a.markdown(f"**{title}**  \n{about}")
        fmt = b.selectbox("Format", formats, key=f"e_fmt_{what}", label_visibility="collapsed")
        if c.button("Skapa fil", key=f"e_make_{what}"):
            try:
                ss[f"e_file_{what}"] = export_bytes(
                    proj, what, fmt, layer if what in NEEDS_LAYER else None, threshold, by,
                    actor)
            except QdaError as exc:
                ss.pop(f"e_file_{what}", None)
                st.error(f"{title} kunde inte skapas: {exc.reason}")
        made = ss.get(f"e_file_{what}")
        if made is not None:
            c.download_button(f"Ladda ner {made.file_name}", made.data, made.file_name,
                              made.mime, key=f"e_dl_{what}", type="primary")
            if made.report.layer:
                a.caption(f"Lager: {made.report.layer}")
            if what == "quotes" and not made.report.rows:
                a.warning("Inga enheter i lagret är markerade som citat: filen har bara "
                          "rubriker. Markera citat på sidan Kodning eller Konsensus.")
            if made.report.untitled:
                a.warning("Ingen frågetext i arbetsboken eller i qda.toml för fråga "
                          f"{', '.join(map(str, made.report.untitled))}: rubriken blir "
                          "bara ”Fråga N”. Ange texten under [questions] i qda.toml.")
