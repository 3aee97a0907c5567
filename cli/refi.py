"""`qda import-qdpx`: a project from NVivo, ATLAS.ti, MAXQDA, QualCoder (or our own export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import actor, console, count, user_errors


def import_qdpx_command(
    file: Annotated[Path, typer.Argument(help="The .qdpx file another tool exported.")],
    project: Annotated[Path, typer.Argument(help="A new folder for the project.")],
    pseudonymise: Annotated[bool, typer.Option(
        "--pseudonymise", help="Mask names, e-mail addresses, phone and personal identity "
        "numbers in the texts as ingest does (default: keep the texts as the file has "
        "them).")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Import nothing if any source cannot be read (default: skip it "
        "and report it).")] = False,
) -> None:
    """Create a new project from a REFI-QDA .qdpx: codes with hierarchy, descriptions and
    colours, text sources, users and their codings (see docs/refi-qda.md)."""
    from refi.importer import import_qdpx

    with user_errors():
        report = import_qdpx(file, project, actor(), pseudonymise=pseudonymise,
                             strict=strict)
    console.print(f"imported {report.path} ({report.origin or 'unknown tool'}) → "
                  f"{report.project}: {report.codes} codes, {report.sources} sources, "
                  f"{report.segments} segments, {_codings(report)} by "
                  f"{report.users} coders", highlight=False)
    if report.pseudonymised is None:
        console.print("  texts kept as they are in the file (not pseudonymised; "
                      "--pseudonymise masks names, e-mail addresses, phone and personal "
                      "identity numbers)", highlight=False)
    else:
        done = ", ".join(count(n, what.replace("_", " ")) for what, n in
                         report.pseudonymised.items()) or "nothing found to mask"
        console.print(f"  pseudonymised: {done}", highlight=False)
    for name, reason in report.skipped_sources:
        console.print(f"  skipped source {name!r}: {reason}", highlight=False)
    for name, where in report.textless:
        console.print(f"  source {name!r}: its text is not in the file ({where}): imported "
                      "empty, its codings reported as unplaceable", highlight=False)
    kinds = {"journal": "journal entries or project notes", "annotation": "annotations"}
    for kind, n in report.memos.items():
        console.print(f"  kept as memos: {n} {kinds.get(kind, kind)}", highlight=False)
    if report.on_spans:
        console.print(f"  {report.on_spans} selections cover part of a unit or several: "
                      "each keeps its exact span and counts for the units it overlaps",
                      highlight=False)
    if report.not_codable:
        console.print(f"  {len(report.not_codable)} codes marked not codable in the file "
                      f"(isCodable=false), imported as codable: "
                      f"{', '.join(report.not_codable)}", highlight=False)
    for item in report.skipped:
        console.print(f"  skipped: {item}", highlight=False)
    console.print("  in the file / imported / skipped (why):", highlight=False)
    for kind, tally in report.tally.items():
        if not tally.in_file:
            continue
        why = "; ".join(f"{n} {reason}" for reason, n in tally.skipped.items())
        console.print(f"    {kind}: {tally.in_file} / {tally.imported} / "
                      f"{sum(tally.skipped.values())}{f' ({why})' if why else ''}",
                      highlight=False)


def _codings(report) -> str:
    """The file's codings that came in, and the units they code where that differs (a
    selection over several sentences codes each)."""
    n = report.tally["codings"].imported
    units = f" (as {report.codings} unit codings)" if report.codings != n else ""
    return f"{count(n, 'codings')}{units}"


def register(app: typer.Typer) -> None:
    app.command("import-qdpx")(import_qdpx_command)
