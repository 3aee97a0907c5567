"""The export registry: every file the tool writes for a report or another tool, declared
once with its name, formats, Swedish title, the permission it needs, which choices it
reads (a coding layer, a round, coders, the merge threshold, the heatmap's axis) and the
function that builds it.

The command line (`qda export`), the app's Export page and the download buttons on other
pages are generated from these declarations. Packages declare their exports in a light
module (`themes.exports`, `refi.exports`, listed in PROVIDERS) that names its builders by
dotted path, so listing the exports loads neither pandas nor lxml.
"""

from __future__ import annotations

import importlib
import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.errors import QdaError
from corpus.roles import Can

if TYPE_CHECKING:
    from corpus.project import Project
    from people.accounts import Actor

# Modules that declare exports when imported (each calls `declare`).
PROVIDERS = ("themes.exports", "refi.exports", "delphi.exports")

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "csv": "text/csv", "md": "text/markdown", "png": "image/png", "svg": "image/svg+xml",
        "qdpx": "application/zip", "qdc": "application/xml", "zip": "application/zip"}


Progress = Callable[[int, int | None, str | None], None]   # (done, total, what)


@dataclass(frozen=True)
class Export:
    name: str                      # `qda export NAME`
    formats: tuple[str, ...]       # the first is the default
    title: str                     # Swedish, for the app
    about: str                     # Swedish, one line under the title
    help: str                      # English, for the CLI
    needs: Can                     # what the actor must be allowed (checked before building)
    build: str                     # "module:function" (project, spec, fmt, out, options, actor)
    layer: bool = False            # reads a coding layer: konsensus or a coder's
    round: bool = False            # reads a round of double coding (default: the newest)
    coders: bool = False           # can be limited to some coders
    threshold: bool = False        # merges near-duplicate notes
    by: bool = False               # heatmap axis: area or question
    unique_names: bool = False     # can give repeated code names a suffix (QualCoder)
    study: bool = False            # reads a Delphi study (default: the only one)


@dataclass(frozen=True)
class ExportOptions:
    """The choices a user can make; each export reads those its declaration names."""

    layer: str | None = None
    threshold: float | None = None       # None: the builder's default
    by: str = "area"
    round: str | None = None
    coders: Sequence[str] | None = None
    all_units: bool = False              # agreement without a round: every double-coded unit
    unique_names: bool = False           # "SIP (Samverkan)" for a name that repeats
    study: str | None = None             # a Delphi study's name
    progress: Progress | None = None     # told as a long export goes (the qdpx: per source)


@dataclass
class ExportReport:
    what: str
    path: Path
    layer: str = ""
    layer_sv: str = ""             # the same in Swedish, for the app
    extra_paths: list[Path] = field(default_factory=list)
    rows: int = 0
    unit: str = "rows"             # what `rows` counts, plural: "sources" for the .qdpx
    details: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    untitled: list[int] = field(default_factory=list)     # questions headed "Fråga N" only
    renamed: dict[str, str] = field(default_factory=dict)  # code path -> name written
    given: dict[str, int] = field(default_factory=dict)    # layer drawn on -> its units
    # the layer's units by state: coded, not relevant, unresolved, uncoded (final layer)
    units: dict[str, int] = field(default_factory=dict)
    unresolved: list[int] = field(default_factory=list)   # units left out, undecided
    left_out: dict[str, int] = field(default_factory=dict)  # layers not drawn on: units


@dataclass
class Download:
    file_name: str
    data: bytes
    mime: str
    report: ExportReport


_DECLARED: dict[str, Export] = {}
_loaded = False


def declare(spec: Export) -> Export:
    if spec.name in _DECLARED and _DECLARED[spec.name] != spec:
        raise ValueError(f"export {spec.name!r} declared twice")
    if not spec.formats or any(f not in MIME for f in spec.formats):
        raise ValueError(f"export {spec.name!r}: formats must be among {', '.join(MIME)}")
    _DECLARED[spec.name] = spec
    return spec


def exports() -> dict[str, Export]:
    """Every declared export, in the order the providers declare them."""
    global _loaded
    if not _loaded:
        for module in PROVIDERS:
            importlib.import_module(module)
        _loaded = True
    return dict(_DECLARED)


def get(name: str) -> Export:
    known = exports()
    if name not in known:
        raise QdaError(f"unknown export {name!r}; choose one of {', '.join(known)}",
                       None, "E402")
    return known[name]


def choose_format(what: str, fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the output file's suffix, else the export's first."""
    spec = get(what)
    fmt = (fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "")
           or spec.formats[0]).lower()
    if fmt not in spec.formats:
        raise QdaError(f"{what} can be written as {', '.join(spec.formats)}, not {fmt!r}",
                       out, "E403")
    return fmt


def builder(spec: Export) -> Callable[..., ExportReport]:
    module, function = spec.build.split(":")
    return getattr(importlib.import_module(module), function)


def export(project: Project, what: str, fmt: str | None = None, layer: str | None = None,
           out: Path | None = None, threshold: float | None = None, by: str = "area",
           actor: Actor | None = None, *, round: str | None = None,
           coders: Sequence[str] | None = None, all_units: bool = False,
           unique_names: bool = False, study: str | None = None,
           progress: Progress | None = None) -> ExportReport:
    """Build an export from the project and write it (default: PROJECT/exports/WHAT.FMT).
    Choices an export does not read are ignored; a logged-in actor must be allowed it.
    `progress(done, total, what)` is told as a long export goes, where it can tell."""
    from . import access

    spec = get(what)
    fmt = choose_format(what, fmt, out)
    if actor is not None:
        with project.session() as session:
            access.require(session, actor, spec.needs)
    out = Path(out) if out else project.root / "exports" / f"{what}.{fmt}"
    if out.suffix.lower() != f".{fmt}":
        out = out.with_name(out.name + f".{fmt}")
    options = ExportOptions(layer=layer if spec.layer else None, threshold=threshold,
                            by=by, round=round, coders=coders, all_units=all_units,
                            unique_names=unique_names and spec.unique_names,
                            study=study if spec.study else None, progress=progress)
    return builder(spec)(project, spec, fmt, out, options, actor)


def export_bytes(project: Project, what: str, fmt: str | None = None,
                 layer: str | None = None, threshold: float | None = None,
                 by: str = "area", actor: Actor | None = None,
                 **choices: Any) -> Download:
    """An export as bytes to hand to a browser: written to a scratch folder by the same
    builders as `export`; several files (csv of several tables) come zipped."""
    fmt = choose_format(what, fmt, None)
    with tempfile.TemporaryDirectory(prefix="qda-export-") as tmp:
        report = export(project, what, fmt, layer, Path(tmp) / f"{what}.{fmt}", threshold, by,
                        actor, **choices)
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
