"""`qda import-qdpx`: a project from NVivo, ATLAS.ti, MAXQDA, QualCoder (or our own export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import actor, console, user_errors


def import_qdpx_command(
    file: Annotated[Path, typer.Argument(help="The .qdpx file another tool exported.")],
    project: Annotated[Path, typer.Argument(help="A new folder for the project.")],
) -> None:
    """Create a new project from a REFI-QDA .qdpx: codes with hierarchy, descriptions and
    colours, text sources, users and their codings (see docs/refi-qda.md)."""
    from refi.importer import import_qdpx

    with user_errors():
        report = import_qdpx(file, project, actor())
    console.print(f"imported {report.path} ({report.origin or 'unknown tool'}) → "
                  f"{report.project}: {report.codes} codes, {report.sources} sources, "
                  f"{report.segments} segments, {report.codings} codings by "
                  f"{report.users} coders", highlight=False)
    kinds = {"journal": "journal entries or project notes", "annotation": "annotations"}
    for kind, n in report.memos.items():
        console.print(f"  kept as memos: {n} {kinds.get(kind, kind)}", highlight=False)
    for kind, n in report.empty.items():
        console.print(f"  not kept: {n} empty {kinds.get(kind, kind)} (no text, or only "
                      "the marks of our own export)", highlight=False)
    if report.widened:
        console.print(f"  {report.widened} selections covered part of a sentence or several "
                      "sentences: each sentence they touch is coded whole", highlight=False)
    for item in report.skipped:
        console.print(f"  skipped: {item}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("import-qdpx")(import_qdpx_command)
