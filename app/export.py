"""Export: every export in the registry (reports.catalogue) that the user may read, with
the choices on the page as one ExportOptions."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app import state
from app.downloads import offer
from coding.exporting import ExportOptions
from corpus.roles import Can
from corpus.vocabulary import FINAL
from delphi import items as delphi_items
from reports.catalogue import exports
from themes.choices import BY, NEAR_DUPLICATE
from themes.layers import readable_layers

proj = state.require_project()
st.title("Export")
state.require(Can.READ_THEMES)
actor = state.actor()

with proj.session() as session:
    known = readable_layers(session, actor)
    studies = [s.name for s in delphi_items.studies(session)]
c1, c2, c3 = st.columns(3)
layers = [None, *[k for k in known if k != FINAL]]
layer = c1.selectbox("Kodningslager", layers, key="e_layer",
                     format_func=lambda x: x or f"Standard ({FINAL})",
                     help="Slutlig: konsensusbeslut där enheter dubbelkodats, samstämmig "
                          "kodning där kodarna var eniga, annars den enda kodarens beslut. "
                          "Koder som kodarna är oeniga om utan konsensusbeslut lämnas ute.")
threshold = c2.slider("Likhetströskel för att slå ihop lappar", 0.5, 1.0, NEAR_DUPLICATE,
                      0.01, key="e_threshold",
                      help="Bilaga 2 slår ihop lappar med minst så lik ordalydelse. Lappar "
                           "om samma sak i andra ord slår du ihop (eller håller isär) på "
                           "sidan Bilaga 2; de besluten gäller oavsett tröskeln.")
by = c3.radio("Kolumner per (bilaga 2, tematabeller, värmekarta)", list(BY),
              format_func=BY.get, horizontal=True, key="e_by",
              help="Fråga gäller bara värmekartan; bilaga 2 och tematabellerna visar då "
              "områden.")

unique = st.checkbox("Unika kodnamn i .qdpx och .qdc (för QualCoder, som slår ihop koder "
                     "med samma namn): ”Övrigt (Samverkan)”", key="e_unique")

study = st.selectbox("Delphistudie", studies, key="e_study") if len(studies) > 1 else \
    (studies[0] if studies else None)

options = ExportOptions(layer=layer, threshold=threshold, by=by, unique_names=unique,
                        study=study)
for spec in exports().values():
    if "study" in spec.reads and not studies:
        continue            # the Delphi exports once the project has a Delphi study
    if state.may(spec.needs):
        offer(spec, "e", options if spec.name == "heatmap" or by != "question" else
              replace(options, by="area"))
