"""`qda segments` and `qda codings`: units and codings in and out as tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import ProjectOpt, actor, console, opened, user_errors

segments_app = typer.Typer(help="Segments out as a table (TSV/CSV/XLSX).", no_args_is_help=True)
codings_app = typer.Typer(help="Codings in and out as tables (TSV/CSV/XLSX).",
                          no_args_is_help=True)


@segments_app.command("export")
def segments_export(out: Annotated[Path, typer.Option("-o", "--output")] = Path("segments.tsv"),
                    project: ProjectOpt = Path(".")) -> None:
    """Every segment: id, source, kind, question, area, participant group, speaker
    pseudonym, duplicate marks, text."""
    from coding.exchange import export_segments


    with user_errors():
        written = export_segments(opened(project), out)
    console.print(f"Wrote {written}")


@codings_app.command("export")
def codings_export(out: Annotated[Path, typer.Option("-o", "--output")] = Path("codings.tsv"),
                   coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
                   project: ProjectOpt = Path(".")) -> None:
    """Decided codings, one row per segment x code x coder, in the import's shape."""
    from coding.exchange import export_codings


    with user_errors():
        written = export_codings(opened(project), out, coder)
    console.print(f"Wrote {written}")


@codings_app.command("import")
def codings_import(
    file: Annotated[Path, typer.Argument(help="TSV, CSV or XLSX with segment|text and "
                                         "code|huvudtema+subtema columns.")],
    coder: Annotated[str | None, typer.Option(help="Coder for rows without a coder "
                                              "column.")] = None,
    codebook: Annotated[str | None, typer.Option(help="Import this codebook (bundled name or "
                                                 "YAML) first.")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Bring in codings made elsewhere; unknown codes become emergent codes (reported),
    but one a letter or two off a code at the same place is refused as a typo, and so is
    a file none of whose rows names a unit."""
    from coding.exchange import import_codings
    from refi.codebooks import read_any as read_codebook


    with user_errors():
        doc = read_codebook(codebook) if codebook else None
        report = import_codings(opened(project), file, coder, doc, actor())
    console.print(f"{file.name}: {report.codings} codings from {report.rows} rows "
                  f"({report.unchanged} already there) by {', '.join(report.coders) or '-'}",
                  highlight=False)
    for code in report.created_codes:
        console.print(f"    new emergent code: {code}", highlight=False)
    for line in report.unmatched[:20]:
        console.print(f"    [yellow]skipped[/yellow] {line}", highlight=False)
    if len(report.unmatched) > 20:
        console.print(f"    … and {len(report.unmatched) - 20} more skipped rows")


def register(app: typer.Typer) -> None:
    app.add_typer(segments_app, name="segments")
    app.add_typer(codings_app, name="codings")
