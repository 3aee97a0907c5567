"""Builders of the Delphi exports (declared in reports.catalogue): tables in the report's
style (xlsx, docx, md), the distribution chart, the method paragraph. None holds a single
panelist's answers: the panel appears as counts and aggregates only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coding.exporting import Export, ExportOptions, ExportReport
from corpus.actors import Actor
from corpus.errors import QdaError
from corpus.project import Project
from themes import word, writers

from . import chart, items, tables

WORD_HEADERS = {"Kvartilavstånd": "Kvartil- avstånd", "Oenighetsindex": "Oenighets- index",
                "Genomförbarhet, median": "Genomför- barhet, median",
                "Förändring sedan förra rundan": "Förändring sedan förra rundan"}
WORD_WIDTHS = {"Tema": 3.1, "Huvudtema": 3.0, "Subtema": 3.0, "Indikator": 5.2,
               "Utfall": 2.4, "Utfall (RAND/UCLA)": 2.4, "Utfall (andelsregel)": 2.4,
               "RAND/UCLA": 2.2, "Oenighet": 2.2, "Historik": 4.0, "Områden": 3.0,
               "Grupp": 3.5, "Svar": 1.4, "Runda": 1.7,
               "Median": 2.0, "Kvartil- avstånd": 2.0, "Andel 7–9": 1.6, "Andel 1–3": 1.6,
               "Oenighets- index": 2.4, "Förändring sedan förra rundan": 2.4, "Stabil": 1.7,
               "Lappar": 1.8, "Inbjudna": 2.1, "Svarade": 2.1, "Svarade på allt": 2.1,
               "Totalt": 1.8}
# the study's own areas and groups are columns too: each as wide as its name needs
# (themes.word.frames_docx), never a width kept for one study's names


def _for_word(frame: pd.DataFrame) -> pd.DataFrame:
    """A results table narrow enough for a landscape page: the themes in one column and
    "kan inte bedöma" left to the Excel file (the intro says so)."""
    out = frame.rename(columns=WORD_HEADERS)
    if {"Huvudtema", "Subtema", "Kan inte bedöma"} <= set(out.columns):
        themes = [f"{h} – {s}" if s else h for h, s in zip(out.Huvudtema, out.Subtema,
                                                             strict=True)]
        out = out.drop(columns=["Huvudtema", "Subtema", "Kan inte bedöma"])
        out.insert(0, "Tema", themes)
    return out


def _study(session, options: ExportOptions):
    """The study asked for; the only one when there is one."""
    if options.study:
        return items.study(session, options.study)
    found = items.studies(session)
    if len(found) != 1:
        names = ", ".join(s.name for s in found) or "none yet"
        raise QdaError(f"choose a Delphi study with --study ({names})", None, "E700")
    return found[0]


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Shares as "80 %" and medians without ".0", for Word and Markdown."""
    out = frame.copy()
    for column in out.columns:
        if column in tables.SHARE_COLUMNS:
            out[column] = [("" if pd.isna(v) else f"{v:.0%}".replace("%", " %"))
                           for v in out[column]]
        elif out[column].dtype.kind == "f":
            out[column] = ["" if pd.isna(v) else f"{v:g}".replace(".", ",")
                           for v in out[column]]
    return out.fillna("")


def _write(frames: dict[str, pd.DataFrame], fmt: str, out: Path, title: str,
           intro: str = "") -> Path:
    if fmt == "xlsx":
        return writers.frame_xlsx(frames, out, percent=tables.SHARE_COLUMNS)
    shown = {name: _shown(frame) for name, frame in frames.items()}
    if fmt == "docx":
        # long words broken where Swedish breaks them, so narrow figure columns stay narrow
        shown = {name: _for_word(frame) for name, frame in shown.items()}
        return word.frames_docx(title, shown, out, intro=intro, widths=WORD_WIDTHS)
    text = f"# {title}\n\n" + (f"{intro}\n\n" if intro else "") + "\n\n".join(
        f"## {name}\n\n{writers.markdown(frame) if len(frame) else '–'}"
        for name, frame in shown.items())
    return writers.write_text(out, text + "\n")


def results(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
            actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        frames = tables.results_frames(session, study.id)
        name = study.name
        rule = tables.rule_text(items.rule_of(study))
    if not frames:
        raise QdaError(f"{name}: no round yet", out, "E707")
    _write(frames, fmt, out, f"{name}: resultat per runda",
           intro="Svar: antal betyg 1–9 (svaren ”kan inte bedöma” redovisas i Excelfilen). "
                 "Andelar av betygen. Oenighetsindex: IPR/IPRAS, över 1 betyder oenighet. "
                 f"{rule} Förändring: den andel av panelen som skulle behöva byta betyg "
                 "för att få förra rundans fördelning; under 15 % räknas som stabilt."
           if fmt != "xlsx" else "")
    return ExportReport(spec.name, out, rows=sum(len(f) for f in frames.values()),
                        details={k: len(f) for k, f in frames.items()})


def final(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
          actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        frame = tables.final_frame(session, study.id)
        name = study.name
    report = ExportReport(spec.name, out, rows=len(frame))
    if frame.empty:
        report.warnings.append("no closed round has included an indicator yet")
    _write({"Inkluderade indikatorer": frame}, fmt, out, f"{name}: inkluderade indikatorer",
           intro="En rad per indikator, med utfallet i den senaste rundan den bedömdes i "
                 "och dess historik." if fmt != "xlsx" else "")
    return report


def chart_(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
           actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        chart.write(session, study.id, out, f"{study.name}: betyg per runda")
        n = len(chart.rows(session, study.id))
    return ExportReport(spec.name, out, rows=n)


def method(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
           actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        found = tables.method(session, study.id)
        name = study.name
    _write({"Panelen per grupp och område": found.panel,
            "Svarsfrekvens per runda och grupp": found.response}, fmt, out,
           f"{name}: metod", intro=found.paragraph)
    return ExportReport(spec.name, out, rows=len(found.response))
