"""The export runner: check who may read it, choose the format and the path, then call the
builder declared for it (reports.catalogue) with the one options object, ExportOptions,
that the CLI and the app build from their flags and widgets.

The builders live in the packages that know the material (themes.builders, refi.writer,
delphi.builders) and are imported here like any module: this package sits above them.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from coding import access
from coding.exporting import Export, ExportOptions, ExportReport
from corpus.actors import Actor
from corpus.project import Project
from delphi import builders as delphi_builders
from refi import writer as refi_writer
from themes import builders as theme_builders

from .catalogue import MIME, choose_format, get

Builder = Callable[[Project, Export, str, Path, ExportOptions, Actor | None], ExportReport]

# each declared export's builder, by the export's name
BUILDERS: dict[str, Builder] = {
    "bilaga2": theme_builders.bilaga2,
    "themes": theme_builders.theme_counts,
    "quotes": theme_builders.quotes,
    "chapter": theme_builders.chapter,
    "report": theme_builders.report,
    "tabell1": theme_builders.tabell1,
    "heatmap": theme_builders.heatmap,
    "agreement": theme_builders.agreement,
    "audit": theme_builders.audit,
    "metodbilaga": theme_builders.metodbilaga,
    "qdpx": refi_writer.write_project,
    "qdc": refi_writer.write_codebook,
    "delphi-results": delphi_builders.results,
    "delphi-final": delphi_builders.final,
    "delphi-chart": delphi_builders.chart_,
    "delphi-method": delphi_builders.method,
}


@dataclass
class Download:
    file_name: str
    data: bytes
    mime: str
    report: ExportReport


def builder(spec: Export) -> Builder:
    return BUILDERS[spec.name]


def export(project: Project, what: str, fmt: str | None = None, out: Path | None = None,
           options: ExportOptions | None = None, actor: Actor | None = None) -> ExportReport:
    """Build an export from the project and write it (default: PROJECT/exports/WHAT.FMT).
    Choices the export does not read are ignored; a logged-in actor must be allowed it.
    `options.progress(done, total, what)` is told as a long export goes, where it can tell."""
    spec = get(what)
    fmt = choose_format(what, fmt, out)
    if actor is not None:
        with project.session() as session:
            access.require(session, actor, spec.needs)
    out = Path(out) if out else project.root / "exports" / f"{what}.{fmt}"
    if out.suffix.lower() != f".{fmt}":
        out = out.with_name(out.name + f".{fmt}")
    return builder(spec)(project, spec, fmt, out, (options or ExportOptions()).for_export(spec),
                         actor)


def export_bytes(project: Project, what: str, fmt: str | None = None,
                 options: ExportOptions | None = None,
                 actor: Actor | None = None) -> Download:
    """An export as bytes to hand to a browser: written to a scratch folder by the same
    builders as `export`; several files (csv of several tables) come zipped."""
    fmt = choose_format(what, fmt, None)
    with tempfile.TemporaryDirectory(prefix="qda-export-") as tmp:
        report = export(project, what, fmt, Path(tmp) / f"{what}.{fmt}", options, actor)
        paths = [report.path, *report.extra_paths]
        if len(paths) == 1:
            data = report.path.read_bytes()
            return Download(report.path.name, data, MIME[fmt], _detached(report))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.name)
        return Download(f"{what}-{fmt}.zip", buffer.getvalue(), MIME["zip"],
                        _detached(report))


def _detached(report: ExportReport) -> ExportReport:
    """The report without paths into the scratch folder, which is gone."""
    return replace(report, path=Path(report.path.name),
                   extra_paths=[Path(p.name) for p in report.extra_paths])
