"""Download buttons, generated from the export registry (reports.catalogue): any page offers
an export with the choices on its screen (layer, round, coders …) as one ExportOptions."""

from __future__ import annotations

import logging
from dataclasses import replace

import streamlit as st

from app import state, ui
from coding.exporting import Export, ExportOptions
from corpus.errors import QdaError
from reports.run import export_bytes


def offer(spec: Export, prefix: str, options: ExportOptions | None = None, *,
          about: bool = True) -> None:
    """A bordered row: title and description, format, "Skapa fil", then the download and
    what the file holds. `options` are passed to the export (choices it does not read are
    ignored). Widget keys are PREFIX_fmt_NAME, PREFIX_make_NAME, PREFIX_dl_NAME."""
    ss = st.session_state
    fmt_key, make, dl, file = (f"{prefix}_{part}_{spec.name}"
                               for part in ("fmt", "make", "dl", "file"))
    with st.container(border=True):
        a, b, c = st.columns([3, 2, 2], vertical_alignment="center")
        a.markdown(f"**{spec.title}**" + (f"  \n{spec.about}" if about else ""))
        fmt = b.selectbox("Format", spec.formats, key=fmt_key,
                          label_visibility="collapsed")
        if c.button("Skapa fil", key=make):
            bar = a.empty()
            try:
                with st.spinner(f"Skapar {spec.title} …"):
                    told = replace(options or ExportOptions(), progress=_bar(bar))
                    ss[file] = export_bytes(state.require_project(), spec.name, fmt, told,
                                            actor=state.actor())
                    ss[f"{file}_fmt"] = fmt
            except QdaError as exc:
                ss.pop(file, None)
                st.error(f"{spec.title} kunde inte skapas: {ui.reason(exc)}")
            except Exception:   # a bug: a Swedish line on screen, the traceback in the log
                ss.pop(file, None)
                logging.getLogger(__name__).exception("export %s (%s) failed", spec.name, fmt)
                st.error(f"{spec.title} kunde inte skapas: ett oväntat fel i programmet "
                         "(detaljerna finns i serverns logg). Försök med ett annat format "
                         "och rapportera felet.")
            finally:
                bar.empty()
        made = ss.get(file)
        if made is None or ss.get(f"{file}_fmt") != fmt:
            return         # nothing made yet, or made in another format than now chosen
        c.download_button(f"Ladda ner {ui.text(made.file_name)}", made.data, made.file_name,
                          made.mime, key=dl, type="primary")
        if made.report.layer:
            a.caption(f"Lager: {ui.text(made.report.layer_sv or made.report.layer)}")
        if made.report.given:
            a.caption("Hämtat ur: " + ui.text(", ".join(f"{k} {ui.count(v, 'enhet', 'enheter')}"
                                                        for k, v in made.report.given.items())))
        if made.report.units:
            a.caption(ui.unit_states(made.report.units))
        if made.report.unresolved:
            a.warning(ui.unresolved_warning(made.report.unresolved))
        if made.report.left_out:
            a.warning("Lager som inte räknas i filen: " + ui.text(", ".join(
                f"{k} ({ui.count(v, 'enhet', 'enheter')})"
                for k, v in made.report.left_out.items()))
                + ". Standardlagret slutlig bygger på alla.")
        if made.report.renamed:
            a.caption("Omdöpta koder: " + ui.text("; ".join(
                f"{path} → {name}" for path, name in made.report.renamed.items())))
        if spec.name == "tabell1" and not made.report.rows:
            a.warning("Inga workshops är registrerade: Tabell 1 har bara rubriker. Lägg "
                      "till workshopparna under Projekt → Workshops.")
        if spec.name == "quotes" and not made.report.rows:
            a.warning("Inga enheter i lagret är markerade som citat: filen har bara "
                      "rubriker. Markera citat på sidan Kodning eller Konsensus.")
        if made.report.untitled:
            a.warning("Ingen frågetext i arbetsboken eller i qda.toml för fråga "
                      f"{', '.join(map(str, made.report.untitled))}: rubriken blir "
                      "bara ”Fråga N”. Ange texten under [questions] i qda.toml.")


def _bar(slot):
    """A progress bar in `slot` (under the spinner's "Skapar …") for an export that tells
    how far it is (the qdpx: per source); redrawn at each whole per cent, not at every
    source."""
    shown = [-1]

    def told(done: int, total: int | None, what: str | None = None) -> None:
        if not total:
            return
        percent = 100 * done // total
        if percent != shown[0]:
            shown[0] = percent
            slot.progress(percent / 100, text=f"{done} av {total}" + (f": {what}" if what else ""))

    return told
