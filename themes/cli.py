"""`qda export`: the report's tables as files that need no hand-editing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corpus.console import ProjectOpt, console, opened, user_errors

from .export import EXPORTS
from .tables import NEAR_DUPLICATE


def export_command(
    what: Annotated[str, typer.Argument(help=f"What to export: {', '.join(EXPORTS)}.")],
    project: ProjectOpt = Path("."),
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="xlsx, docx, csv, md; png or svg for the heatmap (default: "
        "from -o, else the first one the export offers).")] = None,
    layer: Annotated[str | None, typer.Option(
        help="Coding layer: konsensus (default) or a coder's name.")] = None,
    out: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File to write (default: PROJECT/exports/WHAT.FORMAT).")] = None,
    threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Bilaga 2: notes at least this alike (cosine of character "
        "n-grams) are merged into one row.")] = NEAR_DUPLICATE,
    by: Annotated[str, typer.Option(
        help="Heatmap: main themes against area or question.")] = "area",
    round: Annotated[str | None, typer.Option(
        "--round", help="Agreement, metodbilaga: a round's name (default: the newest).")]
    = None,
    coders: Annotated[str | None, typer.Option(
        "--coders", help="Agreement: comma-separated coders (default: all).")] = None,
) -> None:
    """Write bilaga 2, theme counts (docx: a summary with quotes), quotes, Tabell 1, a theme
    heatmap, or the whole project (qdpx) or codebook (qdc) for other QDA tools."""
    from .export import export

    with user_errors():
        report = export(opened(project), what, fmt, layer, out, threshold, by, round=round,
                        coders=[c.strip() for c in coders.split(",") if c.strip()]
                        if coders else None)
    layer_note = f" from layer {report.layer}" if report.layer else ""
    details = "; ".join(f"{k}: {v} rows" for k, v in report.details.items())
    console.print(f"{report.what}: {report.rows} rows{layer_note} → {report.path}"
                  + (f" ({details})" if details else ""), highlight=False)
    for extra in report.extra_paths:
        console.print(f"  also → {extra}", highlight=False)
    for warning in report.warnings:
        console.print(f"  warning: {warning}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
