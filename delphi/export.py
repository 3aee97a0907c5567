"""Builders of the Delphi exports (declared in delphi.exports): tables in the report's
style (xlsx, docx, md), the distribution chart, the method paragraph. None holds a single
panelist's answers: the panel appears as counts and aggregates only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coding.exporting import Export, ExportOptions, ExportReport
from corpus.errors import QdaError
from corpus.project import Project
from themes import word, writers

from . import chart, items, tables


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
        return word.frames_docx(title, shown, out, intro=intro)
    text = f"# {title}\n\n" + (f"{intro}\n\n" if intro else "") + "\n\n".join(
        f"## {name}\n\n{writers.markdown(frame) if len(frame) else '–'}"
        for name, frame in shown.items())
    return writers.write_text(out, text + "\n")


def results(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
            actor) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        frames = tables.results_frames(session, study.id)
        name = study.name
    if not frames:
        raise QdaError(f"{name}: no round yet", out, "E707")
    _write(frames, fmt, out, f"{name}: resultat per runda")
    return ExportReport(spec.name, out, rows=sum(len(f) for f in frames.values()),
                        details={k: len(f) for k, f in frames.items()})


def final(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
          actor) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        frame = tables.final_frame(session, study.id)
        name = study.name
    report = ExportReport(spec.name, out, rows=len(frame))
    if frame.empty:
        report.warnings.append("no closed round has included an indicator yet")
    _write({"Inkluderade indikatorer": frame}, fmt, out, f"{name}: inkluderade indikatorer")
    return report


def chart_(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
           actor) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        chart.write(session, study.id, out, f"{study.name}: betyg per runda")
        n = len(chart.rows(session, study.id))
    return ExportReport(spec.name, out, rows=n)


def method(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
           actor) -> ExportReport:
    with project.session() as session:
        study = _study(session, options)
        found = tables.method(session, study.id)
        name = study.name
    _write({"Panelen per grupp och område": found.panel,
            "Svarsfrekvens per runda och grupp": found.response}, fmt, out,
           f"{name}: metod", intro=found.paragraph)
    return ExportReport(spec.name, out, rows=len(found.response))
