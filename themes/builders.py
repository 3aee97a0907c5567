"""Builders of the report exports (declared in reports.catalogue): which tables, written
how. `reports.run.export` runs them after checking who may read what."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from coding.exporting import Export, ExportOptions, ExportReport
from corpus.actors import Actor
from corpus.errors import QdaError
from corpus.project import Project
from corpus.vocabulary import FINAL

from . import heatmap as heatmap_mod
from . import tables, word, writers
from .choices import BY, HEATMAP_BY, NEAR_DUPLICATE
from .layers import Layer, resolve_layer
from .questions import question_texts

COUNTS_BY = {"fråga": "question", "källa": "kind"}   # besides the study's dimension


def _study_by(options: ExportOptions, what: str) -> str:
    """The study's dimension a table puts in its columns: area, group or format."""
    if options.by not in tables.BY:
        raise QdaError(f"{what} has columns by {', '.join(tables.BY)}, not {options.by!r}",
                       None, "E189")
    return options.by


def _layer(session: Session, options: ExportOptions, actor: Actor | None) -> Layer:
    return resolve_layer(session, options.layer, actor)


SHOWN = 10   # unresolved units named in the warning


def _report(session: Session, spec: Export, out: Path, chosen: Layer) -> ExportReport:
    """The export's report with what the layer drew on: units per layer, units by state
    (final layer), and a warning for units left unresolved or layers left out."""
    from coding.final import codable_units

    report = ExportReport(spec.name, out, chosen.describe(), chosen.describe_sv(),
                          given=dict(chosen.given))
    final = chosen.final
    if final is not None:
        settled = len(set(final.codes) - set(final.unresolved))
        report.units = {"coded": settled, "not relevant": len(final.not_relevant),
                        "unresolved": len(final.unresolved),
                        "uncoded": max(0, codable_units(session) - settled
                                       - len(final.not_relevant) - len(final.unresolved))}
        report.unresolved = sorted(final.unresolved)
        if final.unresolved:
            ids = report.unresolved
            shown = ", ".join(map(str, ids[:SHOWN])) + (" …" if len(ids) > SHOWN else "")
            report.warnings.append(
                f"{len(ids)} unit{'' if len(ids) == 1 else 's'} coded differently with no "
                "consensus decision yet: the codes in dispute are left out (segment"
                f"{'' if len(ids) == 1 else 's'} {shown}); decide them on the "
                "Konsensus page or with `qda consensus resolve`")
    report.left_out = dict(chosen.left_out)
    if chosen.left_out:
        report.warnings.append(
            "layers left out: " + ", ".join(f"{k} ({v} unit{'' if v == 1 else 's'})"
                                            for k, v in chosen.left_out.items())
            + f"; the default layer {FINAL} draws on all of them")
    return report


def bilaga2(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
            actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        chosen = _layer(session, options, actor)
        threshold = NEAR_DUPLICATE if options.threshold is None else options.threshold
        per_question = tables.bilaga2(session, chosen, threshold, _study_by(options,
                                                                            "bilaga 2"))
        stated = question_texts(session, project.root)
        report = _report(session, spec, out, chosen)
    questions = stated.texts
    report.warnings += stated.warnings(per_question)
    report.untitled = stated.untitled(per_question)
    if fmt == "xlsx":
        writers.bilaga2_xlsx(per_question, out, questions)
    elif fmt == "docx":
        word.bilaga2_docx(per_question, out, questions)
    elif fmt == "csv":
        writers.bilaga2_csv(per_question, out)
    else:
        writers.bilaga2_md(per_question, out, questions)
    report.rows = sum(len(f) for f in per_question.values())
    report.details = {f"fråga {q}": len(f) for q, f in per_question.items()}
    return report


def theme_counts(project: Project, spec: Export, fmt: str, out: Path,
                 options: ExportOptions, actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        chosen = _layer(session, options, actor)
        by = _study_by(options, "the theme tables")
        frames = {f"Per {label}": tables.theme_counts(session, chosen, key)
                  for label, key in {BY[by]: by, **COUNTS_BY}.items()}
        quoted = tables.quotes(session, chosen) if fmt == "docx" else None
        report = _report(session, spec, out, chosen)
    if quoted is not None:
        word.summary_docx(frames[f"Per {BY[by]}"], quoted, out, chosen.describe_sv())
    else:
        report.extra_paths = _write_frames(frames, fmt, out)[1:]
    report.rows = len(next(iter(frames.values())))
    return report


def quotes(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
           actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        chosen = _layer(session, options, actor)
        frame = tables.quotes(session, chosen).drop(columns="segment_id")
        report = _report(session, spec, out, chosen)
    if fmt == "docx":
        word.quotes_docx(frame, out, chosen.describe_sv())
    else:
        _write_frames({"Citat": frame}, fmt, out)
    report.rows = len(frame)
    if frame.empty:
        report.warnings.append(f"no unit in layer {chosen.describe()} is marked as a "
                               "quote (citat): the file has headings only")
    return report


def chapter(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
            actor: Actor | None = None) -> ExportReport:
    from . import chapter as chapter_mod

    with project.session() as session:
        chosen = _layer(session, options, actor)
        dossiers = chapter_mod.build(session, chosen)
        report = _report(session, spec, out, chosen)
    (chapter_mod.write_docx if fmt == "docx" else chapter_mod.write_md)(dossiers, chosen, out)
    report.rows = len(dossiers)
    if not dossiers:
        report.warnings.append(f"layer {chosen.describe()} has no coded units: the draft "
                               "has its head only")
    return report


def report(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
           actor: Actor | None = None) -> ExportReport:
    """The report template: method text, Tabell 1, the chapter draft and bilaga 2."""
    from . import chapter as chapter_mod
    from . import metodbilaga as method_mod
    from .report import report_docx

    with project.session() as session:
        chosen = _layer(session, options, actor)
        dossiers = chapter_mod.build(session, chosen)
        method = method_mod.build(session, options.round)
        frame = tables.tabell1(session)
        threshold = NEAR_DUPLICATE if options.threshold is None else options.threshold
        per_question = tables.bilaga2(session, chosen, threshold)
        stated = question_texts(session, project.root)
        done = _report(session, spec, out, chosen)
    report_docx(out, method, dossiers, chosen, frame, per_question, stated.texts)
    done.rows = len(dossiers)
    done.warnings += stated.warnings(per_question)
    if frame.empty:
        done.warnings.append("no workshops registered: the report has no Tabell 1; add the "
                             "workshops with `qda workshops add` (or on Projekt → Workshops)")
    return done


def tabell1(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
            actor: Actor | None = None) -> ExportReport:
    with project.session() as session:
        frame = tables.tabell1(session)
    if fmt == "csv":              # the data: every row names its area, zeros are 0
        writers.frame_csv(frame, out)
    else:                         # the page: caption, areas once, blanks, comment line
        shown, comment = tables.tabell1_printed(frame), tables.tabell1_comment(frame)
        if fmt == "docx":
            word.captioned_docx(shown, out, tables.TABELL1_CAPTION, comment)
        elif fmt == "md":
            writers.write_text(out, writers.captioned_markdown(shown, tables.TABELL1_CAPTION,
                                                               comment))
        else:
            writers.captioned_xlsx(shown, out, "Tabell 1", tables.TABELL1_CAPTION, comment)
    report = ExportReport(spec.name, out, rows=len(frame))
    if frame.empty:     # the table counts registered workshops, not the material
        report.warnings.append("no workshops registered: Tabell 1 has headings only; add "
                               "the workshops with `qda workshops add` (or on Projekt → "
                               "Workshops)")
    return report


def heatmap(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
            actor: Actor | None = None) -> ExportReport:
    if options.by not in HEATMAP_BY:
        raise QdaError(f"a heatmap is by {' or '.join(HEATMAP_BY)}, not {options.by!r}",
                       None, "E405")
    with project.session() as session:
        chosen = _layer(session, options, actor)
        matrix = heatmap_mod.main_theme_matrix(tables.theme_counts(session, chosen,
                                                                   options.by))
        report = _report(session, spec, out, chosen)
    heatmap_mod.write(matrix, out, f"Huvudtema × {HEATMAP_BY[options.by]}")
    report.rows = len(matrix)
    return report


def audit(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
          actor: Actor | None = None) -> ExportReport:
    from corpus.audit import audit_frame

    with project.session() as session:
        frame = audit_frame(session)
    _write_frames({"Granskningslogg": frame}, fmt, out)
    return ExportReport(spec.name, out, rows=len(frame))


def _round(session: Session, options: ExportOptions) -> str | None:
    from coding import rounds

    return None if options.all_units else (options.round or rounds.newest(session))


def metodbilaga(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
                actor: Actor | None = None) -> ExportReport:
    from . import metodbilaga as method_mod

    with project.session() as session:
        method = method_mod.build(session, _round(session, options))
    (method_mod.write_docx if fmt == "docx" else method_mod.write_md)(method, out)
    return ExportReport(spec.name, out, rows=method.double_coded)


def agreement(project: Project, spec: Export, fmt: str, out: Path, options: ExportOptions,
              actor: Actor | None = None) -> ExportReport:
    """Both levels, for the round and coders chosen (as the Samstämmighet page shows)."""
    from coding import agreement as agreement_mod

    with project.session() as session:
        chosen = _round(session, options)
        frames = {level.capitalize(): agreement_mod.compute(session, options.coders,
                                                            level=level, round=chosen)
                  .frame("." if fmt == "csv" else ",")
                  for level in ("huvudtema", "subtema")}
    report = ExportReport(spec.name, out, rows=sum(len(f) for f in frames.values()))
    report.extra_paths = _write_frames(frames, fmt, out)[1:]
    return report


def _write_frames(frames: dict[str, pd.DataFrame], fmt: str, out: Path) -> list[Path]:
    """xlsx: a sheet per table; md: a section per table; csv: a file per table (the first
    at `out`, the others beside it named after the table)."""
    if fmt == "xlsx":
        return [writers.frame_xlsx(frames, out)]
    if fmt == "docx":
        return [word.tables_docx(frames, out)]
    if fmt == "md":
        text = "\n\n".join(f"## {name}\n\n{writers.markdown(frame)}"
                            for name, frame in frames.items())
        return [writers.write_text(out, text + "\n")]
    paths = []
    for i, (name, frame) in enumerate(frames.items()):
        slug = name.lower().replace(" ", "-")
        paths.append(writers.frame_csv(frame, out if i == 0 else out.with_name(
            f"{out.stem}-{slug}{out.suffix}")))
    return paths
