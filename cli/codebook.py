"""`qda codebook`: list, add, rename, move, merge, delete, import and export codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import JsonOpt, MemoOpt, ProjectOpt, actor, console, opened, user_errors

codebook_app = typer.Typer(help="The codebook: list, add, rename, move, merge, delete, "
                                "import and export (YAML).", no_args_is_help=True)


@codebook_app.command("list")
def codebook_list(project: ProjectOpt = Path("."),
                  as_json: JsonOpt = False) -> None:
    """The code tree with coding counts."""
    from coding import codes as codes_mod
    from coding.codebook import bundled_names

    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            frame = codes_mod.codebook_frame(session)
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False))
        return
    if frame.empty:
        console.print("The codebook is empty. Try: qda codebook import fardplan  (bundled: "
                      + ", ".join(bundled_names()) + ")")
        return
    table = Table("id", "code", "origin", "keywords", "accepted", "suggested", "rejected")
    for row in frame.itertuples(index=False):
        name = "    " * row.depth + row.code.split(" > ")[-1]
        table.add_row(str(row.id), escape(name), row.origin, str(row.keywords), str(row.accepted),
                      str(row.suggested), str(row.rejected))
    console.print(table)


@codebook_app.command("import")
def codebook_import(
    source: Annotated[str, typer.Argument(
        help="A bundled codebook name, or a file: YAML, REFI-QDA .qdc or .qdpx (NVivo, "
        "ATLAS.ti, MAXQDA, QualCoder, Taguette), or Taguette's CSV (tag, description).")],
    project: ProjectOpt = Path("."),
) -> None:
    """Add a codebook's codes and merge it into those already there: texts the file gives
    replace the old, its keywords and examples are added; nothing it leaves out is lost."""
    from coding import codes as codes_mod
    from refi.codebooks import read_any as read_codebook


    with user_errors():
        doc = read_codebook(source)
        proj = opened(project)
        with proj.transaction() as session:
            stats = codes_mod.import_doc(session, doc, actor())
        console.print(f"Codebook {doc.name}: {stats['added']} codes added, "
                      f"{stats['updated']} updated", highlight=False)
        for path, fields in stats["changed"].items():
            console.print(f"  {path}: {', '.join(fields)}", highlight=False, markup=False)


@codebook_app.command("export")
def codebook_export(
    out: Annotated[Path | None, typer.Option("-o", "--output", help="YAML file (default: "
                                             "print).")] = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Write the project's codebook as YAML (the schema in docs/codebook.md)."""
    from coding import codes as codes_mod


    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            text = codes_mod.export_doc(session, proj.root.name).to_yaml()
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")


@codebook_app.command("add")
def codebook_add(
    path: Annotated[str, typer.Argument(help="'Huvudtema' or 'Huvudtema > Subtema'.")],
    definition: Annotated[str | None, typer.Option(help="What the code means.")] = None,
    keyword: Annotated[list[str] | None, typer.Option("--keyword", "-k",
                                                      help="A keyword (repeatable).")] = None,
    example: Annotated[list[str] | None, typer.Option("--example", help="An example text "
                                                      "(repeatable).")] = None,
    origin: Annotated[str, typer.Option(help="fardplan or emergent.")] = "emergent",
    colour: Annotated[str | None, typer.Option(help="e.g. '#1f77b4'.")] = None,
    memo: MemoOpt = None,
    project: ProjectOpt = Path("."),
) -> None:
    """Add a code; a missing parent ('Huvudtema' of 'Huvudtema > Subtema') is created
    too, as the app's code picker does."""
    from coding import codes as codes_mod
    from coding.codebook import split_path

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            parts = split_path(path)
            missing = [" > ".join(parts[:k]) for k in range(1, len(parts))
                       if codes_mod.find_code(session, parts[:k]) is None]
            row = codes_mod.add_code(session, path, actor(), create_parents=True, memo=memo,
                                     definition=definition, keywords=keyword or [],
                                     examples=example or [], origin=origin, colour=colour)
            code_id = row.id
        for parent in missing:
            console.print(f"Added parent code: {parent}", highlight=False)
        console.print(f"Added code {code_id}: {path}", highlight=False)


@codebook_app.command("rename")
def codebook_rename(code: Annotated[str, typer.Argument(help="Code id or path.")],
                    new_name: Annotated[str, typer.Argument()], memo: MemoOpt = None,
                    project: ProjectOpt = Path(".")) -> None:
    """Rename a code; its codings stay with it."""
    from coding import codes as codes_mod


    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            codes_mod.rename_code(session, code, new_name, actor(), memo)
        console.print(f"Renamed {code} to {new_name}", highlight=False)


@codebook_app.command("move")
def codebook_move(code: Annotated[str, typer.Argument(help="Code id or path.")],
                  parent: Annotated[str, typer.Argument(help="New parent (id or path), or '' "
                                                         "for the top level.")],
                  memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Move a code (with its sub-codes and codings) under another parent."""
    from coding import codes as codes_mod


    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            codes_mod.move_code(session, code, parent or None, actor(), memo)
        console.print(f"Moved {code} under {parent or 'the top level'}", highlight=False)


@codebook_app.command("merge")
def codebook_merge(source: Annotated[str, typer.Argument(help="Code to fold in (id or path).")],
                   target: Annotated[str, typer.Argument(help="Code that remains.")],
                   memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Merge one code into another: codings and sub-codes follow, one audit event."""
    from coding import codes as codes_mod


    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            stats = codes_mod.merge_codes(session, source, target, actor(), memo)
        console.print(f"Merged {source} into {target}: {stats['moved']} codings moved, "
                      f"{stats['dropped']} already there, {stats['children']} sub-codes moved",
                      highlight=False)


@codebook_app.command("delete")
def codebook_delete(code: Annotated[str, typer.Argument(help="Code id or path.")],
                    force: Annotated[bool, typer.Option(help="Also delete its codings.")] = False,
                    memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Delete a code and its sub-codes (refused while coders have used it, unless --force)."""
    from coding import codes as codes_mod


    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            removed = codes_mod.delete_code(session, code, actor(), force, memo)
        console.print(f"Deleted {code} ({removed} codings removed)", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(codebook_app, name="codebook")
