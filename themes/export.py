"""One entry point for every export: which table, which format, which layer, where."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coding import access
from coding.accounts import Actor, Can
from corpus.errors import QdaError
from corpus.project import Project

from . import heatmap, tables, word, writers
from .layers import resolve_layer
from .questions import question_texts

# what -> formats it can be written as (the first is the default)
EXPORTS: dict[str, tuple[str, ...]] = {
    "bilaga2": ("xlsx", "docx", "csv", "md"),
    "themes": ("xlsx", "docx", "csv", "md"),
    "quotes": ("xlsx", "docx", "csv", "md"),
    "tabell1": ("xlsx", "docx", "csv", "md"),
    "heatmap": ("png", "svg"),
    "qdpx": ("qdpx",),
    "qdc": ("qdc",),
    "agreement": ("xlsx", "csv", "md"),
    "audit": ("xlsx", "csv", "md"),
    "metodbilaga": ("docx", "md"),
}
PROCESS = ("agreement", "audit", "metodbilaga")   # about the coding, not a coding layer
# what an actor must be allowed to read for each export (a blind round hides all but qdc)
NEEDS: dict[str, Can] = {"bilaga2": Can.READ_THEMES, "themes": Can.READ_THEMES,
                         "quotes": Can.READ_THEMES, "tabell1": Can.READ_THEMES,
                         "heatmap": Can.READ_THEMES, "qdpx": Can.READ_CODINGS,
                         "qdc": Can.READ_THEMES, "agreement": Can.READ_AGREEMENT,
                         "audit": Can.READ_AUDIT, "metodbilaga": Can.READ_AUDIT}
COUNTS_BY = {"område": "area", "fråga": "question", "källa": "kind"}
HEATMAP_BY = {"area": "område", "question": "fråga"}


@dataclass
class ExportReport:
    what: str
    path: Path
    layer: str = ""
    extra_paths: list[Path] = field(default_factory=list)
    rows: int = 0
    details: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    untitled: list[int] = field(default_factory=list)     # questions headed "Fråga N" only


def choose_format(what: str, fmt: str | None, out: Path | None) -> str:
    if what not in EXPORTS:
        raise QdaError(f"unknown export {what!r}; choose one of {', '.join(EXPORTS)}",
                       None, "E402")
    fmt = (fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "")
           or EXPORTS[what][0]).lower()
    if fmt not in EXPORTS[what]:
        raise QdaError(f"{what} can be written as {', '.join(EXPORTS[what])}, not {fmt!r}",
                       out, "E403")
    return fmt


def export(project: Project, what: str, fmt: str | None = None, layer: str | None = None,
           out: Path | None = None, threshold: float = tables.NEAR_DUPLICATE,
           by: str = "area", actor: Actor | str | None = None, *,
           round: str | None = None, coders: Sequence[str] | None = None,
           all_units: bool = False) -> ExportReport:
    """Build the table(s) from the project and write them; returns what was written.
    Agreement and metodbilaga use `round` (default: the newest; `all_units`: every unit
    two coders coded) and, for agreement, `coders` (default: all), as the page shows."""
    fmt = choose_format(what, fmt, out)
    if isinstance(actor, Actor):
        with project.session() as session:
            access.require(session, actor, NEEDS[what])
    out = Path(out) if out else project.root / "exports" / f"{what}.{fmt}"
    if out.suffix.lower() != f".{fmt}":
        out = out.with_name(out.name + f".{fmt}")
    if what in ("qdpx", "qdc"):
        from refi import export as refi_export

        return refi_export.write(project, what, out)
    with project.session() as session:
        if what in PROCESS:
            return _process(session, what, fmt, out, round, coders, all_units)
        if what == "tabell1":
            frame = tables.tabell1(session)
            _write_frames({"Tabell 1": frame}, fmt, out)
            return ExportReport(what, out, rows=len(frame))
        chosen = resolve_layer(session, layer, actor)
        report = ExportReport(what, out, chosen.describe())
        if what == "bilaga2":
            per_question = tables.bilaga2(session, chosen, threshold)
            stated = question_texts(session, project.root)
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
        elif what == "themes":
            frames = {f"Per {label}": tables.theme_counts(session, chosen, key)
                      for label, key in COUNTS_BY.items()}
            if fmt == "docx":
                quoted = tables.quotes(session, chosen)
                word.summary_docx(frames["Per område"], quoted, out, chosen.describe())
            else:
                report.extra_paths = _write_frames(frames, fmt, out)[1:]
            report.rows = len(next(iter(frames.values())))
        elif what == "heatmap":
            if by not in HEATMAP_BY:
                raise QdaError(f"a heatmap is by {' or '.join(HEATMAP_BY)}, not {by!r}",
                               None, "E405")
            matrix = heatmap.main_theme_matrix(tables.theme_counts(session, chosen, by))
            heatmap.write(matrix, out, f"Huvudtema × {HEATMAP_BY[by]}")
            report.rows = len(matrix)
        else:
            frame = tables.quotes(session, chosen).drop(columns="segment_id")
            if fmt == "docx":
                word.quotes_docx(frame, out, chosen.describe())
            else:
                _write_frames({"Citat": frame}, fmt, out)
            report.rows = len(frame)
            if frame.empty:
                report.warnings.append(f"no unit in layer {chosen.describe()} is marked as a "
                                       "quote (citat): the file has headings only")
    return report


def _process(session, what: str, fmt: str, out: Path, round: str | None = None,
             coders: Sequence[str] | None = None, all_units: bool = False) -> ExportReport:
    """Agreement (both levels), the audit log, the method appendix: how the coding was
    done rather than what it found."""
    from coding import agreement, rounds
    from corpus.audit import audit_frame

    from . import metodbilaga

    if what == "audit":
        frame = audit_frame(session)
        _write_frames({"Granskningslogg": frame}, fmt, out)
        return ExportReport(what, out, rows=len(frame))
    chosen = None if all_units else (round or rounds.newest(session))
    if what == "metodbilaga":
        method = metodbilaga.build(session, chosen)
        (metodbilaga.write_docx if fmt == "docx" else metodbilaga.write_md)(method, out)
        return ExportReport(what, out, rows=method.double_coded)
    frames = {level.capitalize(): agreement.compute(session, coders, level=level,
                                                    round=chosen).frame()
              for level in ("huvudtema", "subtema")}
    report = ExportReport(what, out, rows=sum(len(f) for f in frames.values()))
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


MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "csv": "text/csv", "md": "text/markdown", "png": "image/png", "svg": "image/svg+xml",
        "qdpx": "application/zip", "qdc": "application/xml", "zip": "application/zip"}


@dataclass
class Download:
    file_name: str
    data: bytes
    mime: str
    report: ExportReport


def export_bytes(project: Project, what: str, fmt: str | None = None,
                 layer: str | None = None, threshold: float = tables.NEAR_DUPLICATE,
                 by: str = "area", actor: Actor | str | None = None,
                 **choices: Any) -> Download:
    """An export as bytes to hand to a browser: written to a scratch folder by the same
    writers as `export`; several files (csv of several tables) come zipped."""
    fmt = choose_format(what, fmt, None)
    with tempfile.TemporaryDirectory(prefix="qda-export-") as tmp:
        report = export(project, what, fmt, layer, Path(tmp) / f"{what}.{fmt}", threshold, by,
                        actor, **choices)
        paths = [report.path, *report.extra_paths]
        if len(paths) == 1:
            return Download(report.path.name, report.path.read_bytes(), MIME[fmt], report)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.name)
        return Download(f"{what}-{fmt}.zip", buffer.getvalue(), MIME["zip"], report)
