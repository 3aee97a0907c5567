"""Projekt: open or create a project, register workshops, import files with a report."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app import state, ui
from coding import suspects
from corpus.dimensions import DIMENSIONS, NAMES_SV
from corpus.errors import QdaError
from corpus.ingest import IngestReport, StoreOptions, ingest_file
from corpus.project import init_project
from corpus.readers import SUFFIXES, ReadOptions
from corpus.speakers import SUFFIXES as SPEAKER_SUFFIXES
from corpus.speakers import read_speaker_list
from corpus.status import (
    memos_frame,
    segment_counts,
    source_names,
    sources_frame,
    suggestion_layers,
    totals,
)
from corpus.study import (
    add_value,
    merge_values,
    rename_value,
    reorder,
    said_uses,
    set_flags,
    set_long_name,
    uses,
)
from corpus.workshops import add_workshop, workshops_frame
from people.accounts import Can
from people.identity import suggestion_layer
from refi.importer import import_qdpx

SOURCE_KINDS = {None: "Känn igen automatiskt", "postits": "Lappar", "padlet": "Padlet",
                "survey": "Enkät"}

ss = st.session_state
st.title("Projekt")


def _import_qdpx(upload, folder: str, pseudonymise: bool = False):
    """A new project from an uploaded .qdpx, through the same importer as the CLI."""
    with tempfile.TemporaryDirectory(prefix="qda-qdpx-") as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return import_qdpx(path, folder, state.acting(), pseudonymise=pseudonymise)

# ---- open or create --------------------------------------------------------------------
if not state.accounts_on():    # with accounts the app serves one project
    with st.expander("Öppna eller skapa projekt", expanded=state.project() is None):
        folder = st.text_input("Projektmapp", value=state.project_root() or "", key="p_folder",
                               placeholder="/sökväg/till/projekt")
        c1, c2 = st.columns(2)
        if c1.button("Öppna", key="p_open", disabled=not folder):
            try:
                state.use_project(folder)
                st.rerun()
            except QdaError as exc:
                st.error(f"Projektet kunde inte öppnas: {ui.text(exc.line())}")
        if c2.button("Skapa nytt projekt", key="p_create", disabled=not folder):
            try:
                init_project(folder).close()
                state.use_project(folder)
                st.rerun()
            except (QdaError, OSError) as exc:
                st.error(f"Projektet kunde inte skapas: {ui.text(exc)}")
        qdpx = st.file_uploader("… eller skapa projektet i mappen från en REFI-QDA-fil (.qdpx) "
                                "från NVivo, ATLAS.ti, MAXQDA eller QualCoder", type=["qdpx"],
                                key="p_qdpx")
        masked = st.checkbox("Pseudonymisera texterna (namn, e-post, telefon- och "
                             "personnummer) som vid inläsning; annars behålls de som i filen",
                             key="p_qdpx_pseudonymise")
        if st.button("Importera som nytt projekt", key="p_import_qdpx",
                     disabled=not (folder and qdpx)):
            try:
                report = _import_qdpx(qdpx, folder, masked)
                state.use_project(folder)
                ss.p_qdpx_report = ui.import_report(report)
                st.rerun()
            except QdaError as exc:
                st.error(f"Filen {qdpx.name} importerades inte: {ui.reason(exc)}. Ingen "
                         "projektmapp skapades.")
        for line in ss.pop("p_qdpx_report", []):
            st.info(ui.text(line))

proj = state.require_project()
user = state.acting()
ingest = state.may(Can.INGEST)     # the lead's (or the one researcher's)

# a coder in an open blind round sees their own counts, not the other coders' progress
own = state.coder() if state.blind_round(proj, state.coder()) else None
t = totals(proj, own=own)
# the suggestion figure sums every suggestion layer (the shared one and each blind
# coder's own): say so, and list them (a blind coder: their own layer only)
per_layer = {k: v for k, v in suggestion_layers(proj).items()
             if own is None or k == suggestion_layer(own)}
HELP = {"suggestions": "Summan av alla förslagslager: " + ui.text(", ".join(
    f"{k} {v}" for k, v in per_layer.items()) or "inga förslag ännu") + "."}
m = st.columns(6)
for col, (label, key) in zip(m, [("Workshops", "workshops"), ("Källor", "sources"),
                                 ("Segment", "segments"), ("Kodningar", "codings"),
                                 ("Förslag (alla lager)", "suggestions"),
                                 ("Kodare", "coders")],
                             strict=True):
    col.metric(label, t[key], help=HELP.get(key))
if len(per_layer) > 1:
    st.caption("Förslag per lager: " + ui.text(" · ".join(f"{k}: {v}"
                                                          for k, v in per_layer.items())))
st.caption(f"Enheter: {t['uncoded']} okodade · {t['not_relevant']} inte relevanta "
           "(markerade med 0 på Kodning)")

with proj.session() as session:
    suspected = suspects.suspects(session) if ingest else []
memos = memos_frame(proj)
study = state.study(proj)
names_label = f"Möjliga namn ({len(suspected)})" if ingest else "Möjliga namn"
# after a decision the tab's label (its count) changes: open it again, not the first tab
tab_import, tab_sources, tab_workshops, tab_study, tab_names, tab_memos = st.tabs(
    ["Importera filer", "Källor", "Workshops", "Områden och grupper", names_label,
     f"Anteckningar ({len(memos)})"],
    default=names_label if ss.pop("p_names_again", False) else None)
if ss.get("p_names_done"):
    st.toast(ss.pop("p_names_done"))
if not ingest:
    tab_import.info("Projektledaren importerar material.")

# ---- import ----------------------------------------------------------------------------
if ingest:
    with tab_import:
        uploads = st.file_uploader("Filer att importera", accept_multiple_files=True,
                                   type=[s.lstrip(".") for s in sorted(SUFFIXES)], key="p_files",
                                   help="Lappar (.xlsx, .csv), Padlet, enkätsvar, transkript "
                                        "(.txt, .docx, .vtt, .srt). Varje fil importeras helt "
                                        "eller inte alls.")
        speaker_list = st.file_uploader(
            "Talarlista (valfri)", type=[s.lstrip(".") for s in SPEAKER_SUFFIXES],
            key="p_speakers",
            help="Två kolumner: talaren som den står i transkriptet och deltagargruppen. Varje "
                 "talares repliker får sin grupp (före Deltagargrupp nedan). Listan läses vid "
                 "importen men sparas aldrig: den innehåller namn.")
        with st.form("p_ingest_options", border=False):
            o1, o2, o3, o4, o5 = st.columns(5)
            kind = o1.selectbox("Källtyp", list(SOURCE_KINDS), format_func=SOURCE_KINDS.get)
            question = o2.number_input("Fråga", min_value=0, max_value=99, value=0,
                                       help="0 = läs frågan ur bladnamnet eller rubriken")
            area = o3.selectbox(
                "Område", [None, *study.areas.labels().values()], accept_new_options=True,
                format_func=lambda a: a or "Känn igen automatiskt",
                help="Ett område som projektet inte känner blir ett nytt område (om inte "
                     "listan är låst under Områden och grupper).")
            group = o4.selectbox(
                "Deltagargrupp", [None, *study.groups.labels().values()],
                accept_new_options=True, format_func=lambda g: g or "Ingen / ur filen",
                help="Gruppen för alla enheter i filen som inte själva anger en.")
            labels = workshops_frame(proj)["label"].tolist()
            workshop = o5.selectbox("Workshop", [None, *labels],
                                    format_func=lambda w: w or "Ingen")
            r1, r2 = st.columns(2)
            replace = r1.checkbox(
                "Ersätt tidigare import", key=f"p_replace_{ss.get('p_round', 0)}",
                help="För en rättad fil: ersätter källan med samma filnamn (eller exakt samma "
                     "fil). Kodningar på enheter vars text inte ändrats flyttas till den nya "
                     "källan; frågan, området och workshopen behålls om du inte väljer andra.")
            sources = source_names(proj)
            replaces = r2.selectbox(
                "Ersätter källan", [None, *sources], key=f"p_replaces_{ss.get('p_round', 0)}",
                format_func=lambda i: f"{i}: {sources[i]}" if i else "Den med samma filnamn",
                help="För en rättad fil som sparats under ett nytt namn: välj källan den "
                     "ersätter (en fil i taget).")
            go = st.form_submit_button("Importera", type="primary", disabled=not uploads)
        # the speaker list is read for this import only: never stored, it names people
        speakers, unread = None, None
        if go and uploads and speaker_list is not None:
            try:
                speakers = read_speaker_list(speaker_list.name, speaker_list.getvalue())
            except QdaError as exc:
                unread = exc
        if go and uploads and replaces is not None and len(uploads) > 1:
            why = ui.reason(QdaError("", code="E134"))
            st.error(f"{why[:1].upper()}{why[1:]}. Inget i projektet har ändrats.")
        elif go and uploads and unread is not None:
            st.error(f"Talarlistan {ui.text(speaker_list.name)} kunde inte läsas: "
                     f"{ui.reason(unread)}. Inget importerades.")
        elif go and uploads:
            options = ReadOptions(kind=kind, question=int(question) or None, area=area,
                                  group=group, speakers=speakers)
            bar = st.progress(0.0, text="Importerar …")
            reports: list[tuple[str, IngestReport | str]] = []
            with tempfile.TemporaryDirectory(prefix="qda-upload-") as tmp:
                for i, upload in enumerate(uploads):
                    bar.progress(i / len(uploads), text=f"Importerar {upload.name} …")
                    path = Path(tmp) / Path(upload.name).name
                    path.write_bytes(upload.getvalue())
                    try:
                        reports.append((upload.name, ingest_file(
                            proj, path, options, actor=user, store=StoreOptions(
                                workshop=workshop, replace=replace or replaces is not None,
                                replaces=replaces))))
                    except QdaError as exc:
                        reports.append((upload.name, ui.error_message(exc, upload.name)))
            bar.progress(1.0, text="Klart")
            ss.p_reports = reports
            if any(not isinstance(r, str) for _, r in reports):
                # a replace is for the files it was ticked for, and the replaced source is
                # gone: new keys give fresh boxes (the browser keeps a widget's old value)
                ss.p_round = ss.get("p_round", 0) + 1
            st.cache_data.clear()   # filter lists on other pages now include the new sources
            state.forget_study(proj)   # an import may have taught the study new areas
            st.rerun()              # the metrics above count the new material
        for name, report in ss.get("p_reports", []):
            if isinstance(report, str):
                st.error(report)
                continue
            counts = ", ".join(ui.units(n, k) for k, n in report.segments.items())
            st.success(f"{ui.text(name)}: importerad som källa {report.source_id} "
                       f"({ui.SOURCE_KIND_LABELS.get(report.kind, report.kind)}; {counts}).")
            if report.replaced:
                moved = report.replaced
                unchanged = ui.count(moved["unchanged"], "enhet oförändrad",
                                     "enheter oförändrade")
                kept = ui.count(moved["codings kept"], "beslutad kodning",
                                "beslutade kodningar")
                relabelled = (f"{moved['relabelled']} med samma text i ett annat område eller "
                              "en annan fråga, " if moved.get("relabelled") else "")
                st.info(f"Ersatte den tidigare källan: {unchanged}, {relabelled}"
                        f"{moved['new']} nya eller ändrade i den nya filen, "
                        f"{moved['gone']} finns inte kvar i den. {kept} flyttades med, "
                        f"{moved['codings dropped']} föll bort"
                        + (" (de står nedan och i loggen)." if moved["codings dropped"]
                           else "."))
            if report.title:
                st.caption(f"Rubriken ”{report.title}” blev källans titel, inte en enhet "
                           "att koda.")
            if report.sheets:
                st.dataframe(pd.DataFrame([{
                    "Blad": s["name"], "Layout": ui.LAYOUT_LABELS.get(s["layout"], s["layout"]),
                    "Fråga": ", ".join(map(str, s["questions"])),
                    "Lappar per område": ", ".join(f"{state.area_label(a)} {n}" for a, n in
                                                   s["notes_per_area"].items()),
                    "Dubblettmarkeringar": s["duplicate_marks"],
                    "Överhoppat": "; ".join(state.swedish(x) for x in s["skipped"])}
                    for s in report.sheets]),
                    hide_index=True)
            for line in report.learned:
                st.info(ui.safe(line[:1].upper() + line[1:]))
            if report.pseudonymised:
                st.info("Pseudonymiserat: " + ", ".join(
                    f"{ui.PSEUDONYM_LABELS.get(k, k)}: {v}"
                    for k, v in report.pseudonymised.items()))
            if report.suspects:
                st.warning(f"{len(report.suspects)} ord kan vara namn men lämnades orörda: "
                           "granska dem under fliken Möjliga namn.")
            for warning in report.warnings:
                note = state.swedish(warning)
                st.warning(ui.text(note[:1].upper() + note[1:]))

# ---- sources ---------------------------------------------------------------------------
with tab_sources:
    listed = sources_frame(proj).rename(columns={
        "id": "Id", "file": "Fil", "kind": "Typ", "format": "Format", "question": "Fråga",
        "area": "Område", "units": "Enheter", "imported": "Importerad"})
    listed["Typ"] = [ui.SOURCE_KIND_LABELS.get(k, k) for k in listed["Typ"]]
    listed["Fråga"] = [ui.question_label(q) for q in listed["Fråga"]]
    st.dataframe(listed, hide_index=True)
    counted = segment_counts(proj)
    if not counted.empty:
        counted = counted.reset_index().rename(
            columns={"kind": "Enhet", "question": "Fråga", "total": "Totalt"})
        counted["Enhet"] = [ui.KIND_LABELS.get(k, k) for k in counted["Enhet"]]
        counted["Fråga"] = [ui.question_label(q) for q in counted["Fråga"]]
        st.caption("Enheter per fråga och område")
        st.dataframe(counted, hide_index=True)

# ---- workshops -------------------------------------------------------------------------
with tab_workshops:
    st.dataframe(workshops_frame(proj), hide_index=True)
    if ingest:
        with st.form("p_workshop", clear_on_submit=True):
            st.markdown("**Registrera workshop** (samma benämning uppdaterar en befintlig)")
            w1, w2, w3, w4 = st.columns(4)
            label = w1.text_input("Benämning", key="p_ws_label")
            w_area = w2.selectbox("Område", list(study.areas.labels().values()),
                                  accept_new_options=True,
                                  index=0 if study.areas.values else None,
                                  placeholder="Välj eller skriv ett nytt")
            w_format = w3.selectbox("Format", list(study.formats.labels().values()),
                                    accept_new_options=True, index=None,
                                    placeholder="Välj eller skriv ett nytt")
            w_date = w4.date_input("Datum", value=None, min_value=dt.date(2000, 1, 1))
            groups = list(study.groups.labels().values())
            cols = st.columns(max(len(groups), 1) + 1)
            counts = {name: cols[i].number_input(name, min_value=0, value=0, step=1)
                      for i, name in enumerate(groups)}
            with cols[-1]:
                other = st.text_input("Annan grupp", placeholder="t.ex. Brukarföreträdare")
                other_n = st.number_input("Antal i den gruppen", min_value=0, value=0, step=1)
            if other.strip() and other_n:
                counts[other.strip()] = other_n
            if st.form_submit_button("Spara workshop"):
                try:
                    if not w_area:
                        raise QdaError("each workshop needs a label and an area", None, "E140")
                    add_workshop(proj, actor=user, label=label, area=w_area, format=w_format,
                                 date=w_date.isoformat() if w_date else None,
                                 counts={k: int(v) for k, v in counts.items() if v})
                    state.forget_study(proj)
                    st.rerun()
                except QdaError as exc:
                    st.error(f"Workshopen sparades inte: {ui.reason(exc)}")

# ---- the study's dimensions ----------------------------------------------------------------
with tab_study:
    st.caption("Studiens områden, deltagargrupper och workshopformat: kolumnerna i bilaga 2 "
               "och tematabellerna, raderna i Tabell 1 och citatens ”Deltagare <område>”. "
               "Nya namn i materialet läggs till vid import; här byter du namn, slår ihop, "
               "ordnar och låser listan.")
    with proj.session() as session:
        for dimension in DIMENSIONS:
            dim = study[dimension]
            one, many = NAMES_SV[dimension]
            st.subheader(many.capitalize())
            st.dataframe(pd.DataFrame([{
                "Namn i tabeller": v.label, "Långt namn (citat)": v.long_name or "",
                "Andra stavningar": ", ".join(v.aliases), "Nyckel": v.key,
                "Används av": said_uses(uses(session, dimension, v.key), swedish=True)}
                for v in dim.values], columns=["Namn i tabeller", "Långt namn (citat)",
                                               "Andra stavningar", "Nyckel", "Används av"]),
                hide_index=True)
            st.caption(("Låst lista: okända namn stoppar importen." if dim.fixed else
                        "Lär sig nya namn ur materialet.") + " " +
                       ("Tabellerna visar alla." if dim.all_columns else
                        "Tabellerna visar de som har enheter."))
            if not ingest:
                continue
            with st.expander(f"Ändra {many}"):
                labels = list(dim.labels().values())
                a1, a2 = st.columns(2)
                with a1.form(f"p_study_add_{dimension}", clear_on_submit=True, border=False):
                    new = st.text_input(f"Nytt {one}" if dimension != "group" else "Ny grupp",
                                        key=f"p_study_added_{dimension}")
                    long = st.text_input("Långt namn (för citat)") if dimension == "area" \
                        else None
                    if st.form_submit_button("Lägg till"):
                        state.act(proj, lambda s, d=dimension, n=new, lg=long: add_value(
                            s, d, n, long_name=lg, actor=user))
                with a2.form(f"p_study_rename_{dimension}", border=False):
                    old = st.selectbox("Byt namn på", labels, index=None,
                                       key=f"p_study_old_{dimension}", placeholder="Välj")
                    renamed = st.text_input("Nytt namn", key=f"p_study_new_{dimension}")
                    if st.form_submit_button("Byt namn") and old:
                        state.act(proj, lambda s, d=dimension, o=old, r=renamed: rename_value(
                            s, d, o, r, actor=user))
                b1, b2 = st.columns(2)
                with b1.form(f"p_study_merge_{dimension}", border=False):
                    merged = st.multiselect("Slå ihop", labels, key=f"p_study_merged_{dimension}",
                                            placeholder="Välj")
                    into = st.selectbox("… med", labels, index=None,
                                        key=f"p_study_into_{dimension}", placeholder="Välj")
                    if st.form_submit_button("Slå ihop") and merged and into:
                        state.act(proj, lambda s, d=dimension, m=merged, i=into: merge_values(
                            s, d, m, i, actor=user))
                with b2.form(f"p_study_order_{dimension}", border=False):
                    ordered = st.multiselect("Ordning i tabellerna (de valda först)", labels,
                                             default=labels)
                    if st.form_submit_button("Spara ordning") and ordered:
                        state.act(proj, lambda s, d=dimension, o=ordered: reorder(
                            s, d, o, actor=user))
                c1, c2 = st.columns(2)
                if dimension == "area":
                    with c1.form("p_study_long_area", border=False):
                        which = st.selectbox("Långt namn för", labels, index=None,
                                             key="p_study_long_which", placeholder="Välj")
                        text = st.text_input("Långt namn", placeholder="t.ex. "
                                             "Göteborgsregionen", key="p_study_long_text")
                        if st.form_submit_button("Spara långt namn") and which:
                            state.act(proj, lambda s, w=which, t=text: set_long_name(
                                s, "area", w, t, actor=user))
                with c2.form(f"p_study_flags_{dimension}", border=False):
                    fixed = st.checkbox("Låst lista", value=dim.fixed,
                                        key=f"p_study_fixed_{dimension}")
                    every = st.checkbox("Visa kolumner även utan enheter", value=dim.all_columns)
                    if st.form_submit_button("Spara inställningar"):
                        state.act(proj, lambda s, d=dimension, f=fixed, e=every: set_flags(
                            s, d, fixed=f, all_columns=e, actor=user))

# ---- possible names ----------------------------------------------------------------------
with tab_names:
    if not ingest:
        st.info("Projektledaren granskar möjliga namn.")
    elif not suspected:
        st.success("Inga ord att granska: allt som kan vara ett namn är maskerat eller "
                   "bedömt.")
    else:
        st.caption("Ord som kan vara en persons namn men också ett vanligt ord eller en ort "
                   "(till exempel ”Per” eller ”Lund”). Maskera ersätter ordet med [namn] i hela "
                   "källan; Behåll lämnar det. Båda besluten loggas.")
        for i, s in enumerate(suspected):
            with st.container(border=True):
                a, b, c = st.columns([5, 1, 1], vertical_alignment="center")
                times = "gång" if s.count == 1 else "gånger"
                a.markdown(f"**{ui.text(s.word)}** · {ui.text(s.file)} · {s.count} {times}  \n"
                           f"”{ui.text(s.example)}”")
                for col, mask, label in ((b, True, "Maskera"), (c, False, "Behåll")):
                    if col.button(label, key=f"p_suspect_{'m' if mask else 'k'}_{i}"):
                        try:
                            places = proj.retried(lambda session, s=s, mask=mask: (
                                suspects.decide(session, s.source_id, s.word, mask, user)))
                            st.cache_data.clear()
                            ss.p_names_again = True
                            ss.p_names_done = (
                                f"”{s.word}” maskerades på {places} "
                                f"{'ställe' if places == 1 else 'ställen'}." if mask
                                else f"”{s.word}” behålls.")
                            st.rerun()
                        except QdaError as exc:
                            st.error(f"Beslutet sparades inte: {ui.reason(exc)}")
    if ingest:
        named = source_names(proj)
        with st.expander("Maskera ett namn som inte hittades"), st.form("p_mask_word"):
            st.caption("Ett namn som importen inte kände igen (till exempel ett ovanligt "
                       "förnamn) ersätts med [namn] i hela källan. Beslutet loggas utan namnet.")
            m1, m2 = st.columns([2, 3])
            source_id = m1.selectbox("Källa", list(named), format_func=lambda i: (
                f"{i}: {named[i]}"), key="p_mask_source")
            word = m2.text_input("Ord eller namn", key="p_mask_word_text",
                                 placeholder="Förnamn Efternamn")
            if st.form_submit_button("Maskera") and source_id is not None and word.strip():
                try:
                    places = proj.retried(lambda session: suspects.decide(
                        session, source_id, word, True, user))
                    st.cache_data.clear()
                    st.success(f"Maskerat på {places} {'ställe' if places == 1 else 'ställen'}.")
                except QdaError as exc:
                    st.error(f"Inget maskerades: {ui.reason(exc)}")

# ---- memos from other tools --------------------------------------------------------------
with tab_memos:
    if memos.empty:
        st.caption("Dagboksanteckningar, projektanteckningar och anteckningar på text som "
                   "följer med en import från QualCoder, NVivo, MAXQDA eller ATLAS.ti visas "
                   "här; de följer med nästa export.")
    else:
        kinds = {"journal": "Dagbok/projekt", "annotation": "Anteckning på text",
                 "source": "Memo om källa", "workshop": "Memo om workshop"}
        st.dataframe(memos.assign(kind=memos["kind"].map(lambda k: kinds.get(k, k))).rename(
            columns={"kind": "Slag", "source": "Källa", "title": "Rubrik", "text": "Text",
                     "author": "Av", "created": "Skapad"}), hide_index=True)

