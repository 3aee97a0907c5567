"""`qda export` and `qda audit export`: the report's tables as files that need no
hand-editing, and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import ProjectOpt, console, count, opened, progress_bar, split_list, user_errors

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)

NEAR_DUPLICATE = 0.85   # themes.choices.NEAR_DUPLICATE; a test keeps them equal


def export_command(
    what: Annotated[str, typer.Argument(
        help="What to export (see the list above).", metavar="WHAT",
        show_default=False)],
    project: ProjectOpt = Path("."),
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="xlsx, docx, csv, md; png or svg for the heatmap (default: "
        "from -o, else the first one the export offers).")] = None,
    layer: Annotated[str | None, typer.Option(
        help="Coding layer: slutlig (default: the consensus where it decided, the coders' "
        "agreed coding, else the one coder's), konsensus, or a coder's name.")] = None,
    out: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File to write (default: PROJECT/exports/WHAT.FORMAT).")] = None,
    threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Bilaga 2: notes at least this alike (cosine of character "
        "n-grams) are merged into one row.")] = NEAR_DUPLICATE,
    by: Annotated[str, typer.Option(
        help="Bilaga 2, theme tables, heatmap: columns per area, group (participant "
        "group) or format; the heatmap also per question.")] = "area",
    round: Annotated[str | None, typer.Option(
        "--round", help="Agreement, metodbilaga: a round's name (default: the newest).")]
    = None,
    coders: Annotated[str | None, typer.Option(
        "--coders", help="Agreement: comma-separated coders (default: all).")] = None,
    unique_names: Annotated[bool, typer.Option(
        "--unique-names", help="qdpx, qdc: a code whose name repeats under another parent "
        "gets its parent's name, 'SIP (Samverkan)', for tools that need unique names "
        "(QualCoder).")] = False,
    study: Annotated[str | None, typer.Option(
        "--study", help="delphi-*: the Delphi study (default: the only one).")] = None,
) -> None:
    """Write a report table, a figure, or the project for another QDA tool."""
    from coding.exporting import ExportOptions
    from reports.run import export

    with user_errors(), progress_bar(f"Writing {what}") as update:
        # one option per ExportOptions field a declaration reads (tests/test_exporting.py)
        options = ExportOptions(layer=layer, threshold=threshold, by=by, round=round,
                                coders=split_list(coders), unique_names=unique_names,
                                study=study, progress=lambda done, total, name: update(
                                    done, total, f"Writing {what}: {name}" if name else None))
        report = export(opened(project), what, fmt, out, options)
    layer_note = f" from layer {report.layer}" if report.layer else ""
    details = "; ".join(f"{k}: {v} {'row' if v == 1 else 'rows'}"
                        for k, v in report.details.items())
    console.print(f"{report.what}: {count(report.rows, report.unit)}{layer_note} → {report.path}"
                  + (f" ({details})" if details else ""), highlight=False, markup=False)
    if report.given:
        console.print("  drew on: " + ", ".join(f"{k} {count(v, 'units')}"
                                               for k, v in report.given.items()),
                      highlight=False, markup=False)
    if report.units:
        console.print("  units: " + ", ".join(f"{v} {k}" for k, v in report.units.items()),
                      highlight=False, markup=False)
    for extra in report.extra_paths:
        console.print(f"  also → {extra}", highlight=False)
    for path, name in report.renamed.items():
        console.print(f"  renamed: {path} → {name}", highlight=False, markup=False)
    for warning in report.warnings:
        console.print(f"  warning: {warning}", highlight=False, markup=False)


def _help() -> str:
    """The command's help lists every declared export (read when help is asked for)."""
    from reports.catalogue import exports

    lines = "\n\n".join(f"{spec.name} ({', '.join(spec.formats)}): {spec.help}"
                        for spec in exports().values())
    return ("Write a report table, a figure, or the project for another QDA tool.\n\n"
            + lines)


@audit_app.command("export")
def audit_export(out: Annotated[Path, typer.Option("-o", "--output")] = Path("audit.xlsx"),
                 project: ProjectOpt = Path(".")) -> None:
    """The whole audit log as xlsx, csv or md."""
    from reports.run import export

    with user_errors():
        report = export(opened(project), "audit", None, out)
    console.print(f"audit: {report.rows} events → {report.path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("export", help=_help())(export_command)
    app.add_typer(audit_app, name="audit")
