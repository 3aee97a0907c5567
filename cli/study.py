"""`qda study`: the study's areas, participant groups and workshop formats — list, add,
rename, merge, order, long names, aliases, a closed or learning list, study profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .common import JsonOpt, MemoOpt, ProjectOpt, actor, console, opened, user_errors

study_app = typer.Typer(
    help="The study's dimensions: areas, participant groups (group) and workshop formats "
    "(format). Every table, quote and filter reads them; edits are audited.",
    no_args_is_help=True)

Dim = Annotated[str, typer.Argument(help="area, group or format.", metavar="DIMENSION")]


@study_app.command("show")
def show(dimension: Annotated[str | None, typer.Argument(
             help="area, group or format (default: all three).", metavar="[DIMENSION]")]
         = None,
         project: ProjectOpt = Path("."), as_json: JsonOpt = False) -> None:
    """List the values with their keys, long names, aliases and what uses them."""
    from corpus.dimensions import DIMENSIONS
    from corpus.study import load, said_uses, uses

    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            study = load(session)
            names = [dimension] if dimension else list(DIMENSIONS)
            if dimension and dimension not in DIMENSIONS:
                from corpus.errors import QdaError

                raise QdaError(f"unknown dimension {dimension!r}; use area, group or format",
                               None, "E182")
            rows: list[dict[str, Any]] = [{"dimension": d, "key": v.key, "label": v.label,
                     "long_name": v.long_name, "aliases": list(v.aliases),
                     "uses": uses(session, d, v.key)}
                    for d in names for v in study[d].values]
            flags = {d: {"fixed": study[d].fixed, "all_columns": study[d].all_columns}
                     for d in names}
    if as_json:
        print(json.dumps({"values": rows, "settings": flags}, ensure_ascii=False))
        return
    table = Table("dimension", "key", "label", "long name", "aliases", "used by")
    for row in rows:
        table.add_row(row["dimension"], row["key"], row["label"], row["long_name"] or "",
                      ", ".join(row["aliases"]),
                      said_uses(row["uses"]))
    console.print(table)
    for d, flag in flags.items():
        console.print(f"{d}: {'fixed list' if flag['fixed'] else 'learned from the material'}"
                      f", {'every value' if flag['all_columns'] else 'values in use'} "
                      "in tables", highlight=False)


@study_app.command("add")
def add(dimension: Dim,
        label: Annotated[str, typer.Argument(help="As printed in tables, e.g. 'Lerum'.")],
        long_name: Annotated[str | None, typer.Option(
            "--long-name", help="For quotes: 'Deltagare <long name>'.")] = None,
        alias: Annotated[list[str] | None, typer.Option(
            "--alias", help="Another way the material writes it (repeatable).")] = None,
        project: ProjectOpt = Path(".")) -> None:
    """Add an area, participant group or format."""
    from corpus.study import add_value

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            row = add_value(session, dimension, label, long_name=long_name,
                            aliases=alias or [], actor=actor())
        console.print(f"{dimension} {row.label!r} added (key {row.key})", highlight=False)


@study_app.command("rename")
def rename(dimension: Dim, old: Annotated[str, typer.Argument(help="Its label, key or alias.")],
           new: Annotated[str, typer.Argument(help="The new label.")],
           project: ProjectOpt = Path(".")) -> None:
    """Give a value a new label; the old one stays an alias. Every table shows it at once."""
    from corpus.study import rename_value

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            row = rename_value(session, dimension, old, new, actor=actor())
        console.print(f"{dimension} {old!r} is now {row.label!r}", highlight=False)


@study_app.command("merge")
def merge(dimension: Dim,
          names: Annotated[list[str], typer.Argument(
              help="The values to merge, then the one they merge into (last).")],
          memo: MemoOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Merge values: every note, transcript, workshop and Delphi panelist of the first
    ones moves to the last; their labels become its aliases."""
    from corpus.errors import QdaError
    from corpus.study import merge_values

    with user_errors():
        if len(names) < 2:
            raise QdaError("name at least two values: those to merge, then the target",
                           None, "E186")
        proj = opened(project)
        with proj.transaction() as session:
            moved = merge_values(session, dimension, names[:-1], names[-1], actor=actor(),
                                 memo=memo)
        what = ", ".join(f"{n} {t}" for t, n in moved.items()) or "nothing used them"
        console.print(f"merged {', '.join(map(repr, names[:-1]))} into {names[-1]!r} "
                      f"({what})", highlight=False)


@study_app.command("order")
def order(dimension: Dim,
          names: Annotated[list[str], typer.Argument(help="Values in the order wanted; "
                                                     "those not named follow.")],
          project: ProjectOpt = Path(".")) -> None:
    """Set the order of columns and rows in every table."""
    from corpus.study import load, reorder

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            reorder(session, dimension, names, actor=actor())
            labels = list(load(session)[dimension].labels().values())
        console.print(f"{dimension}: {', '.join(labels)}", highlight=False)


@study_app.command("long-name")
def long_name(dimension: Dim, name: Annotated[str, typer.Argument(help="The value.")],
              text: Annotated[str, typer.Argument(help="Its long name ('' to remove).")],
              project: ProjectOpt = Path(".")) -> None:
    """Set the long name quotes use: 'Deltagare Göteborgsregionen'."""
    from corpus.study import set_long_name

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            row = set_long_name(session, dimension, name, text, actor=actor())
        console.print(f"{row.label}: long name {row.long_name or '(none)'}", highlight=False)


@study_app.command("alias")
def alias(dimension: Dim, name: Annotated[str, typer.Argument(help="The value.")],
          text: Annotated[str, typer.Argument(help="Another way the material writes it.")],
          project: ProjectOpt = Path(".")) -> None:
    """Teach the project another spelling of a value (for the next imports)."""
    from corpus.study import add_alias

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            row = add_alias(session, dimension, name, text, actor=actor())
        console.print(f"{row.label}: aliases {', '.join(row.aliases)}", highlight=False)


@study_app.command("delete")
def delete(dimension: Dim, name: Annotated[str, typer.Argument(help="The value.")],
           project: ProjectOpt = Path(".")) -> None:
    """Delete a value nothing uses (merge one that is used)."""
    from corpus.study import delete_value

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            delete_value(session, dimension, name, actor=actor())
        console.print(f"{dimension} {name!r} deleted", highlight=False)


@study_app.command("fix")
def fix(dimension: Dim, learn: Annotated[bool, typer.Option(
            "--learn", help="Open the list again: new labels in the material become values.")]
        = False,
        project: ProjectOpt = Path(".")) -> None:
    """Close the list: an import naming an unknown value is then refused whole, with the
    sheet, the cell and the known values."""
    from corpus.study import set_flags

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            set_flags(session, dimension, fixed=not learn, actor=actor())
        console.print(f"{dimension}: {'learned from the material' if learn else 'fixed list'}",
                      highlight=False)


@study_app.command("columns")
def columns(dimension: Dim, which: Annotated[str, typer.Argument(
                help="'used': a column per value with units (default); 'all': every value, "
                "empty columns too.", metavar="used|all")],
            project: ProjectOpt = Path(".")) -> None:
    """Which values get a column in bilaga 2, the theme tables and Tabell 1."""
    from corpus.errors import QdaError
    from corpus.study import set_flags

    with user_errors():
        if which not in ("used", "all"):
            raise QdaError(f"choose used or all, not {which!r}", None, "E182")
        proj = opened(project)
        with proj.transaction() as session:
            set_flags(session, dimension, all_columns=which == "all", actor=actor())
        console.print(f"{dimension}: columns for {which} values", highlight=False)


@study_app.command("apply")
def apply(profile: Annotated[str, typer.Argument(
              help="A bundled study profile (vgr-forstudie) or a profile .toml file.")],
          project: ProjectOpt = Path(".")) -> None:
    """Add a study profile's areas, groups and formats (those the project has stay)."""
    from corpus.study import apply_profile

    with user_errors():
        proj = opened(project)
        with proj.transaction() as session:
            added = apply_profile(session, profile, actor=actor())
        console.print(f"{added} values added from {profile}", highlight=False)


@study_app.command("save")
def save(out: Annotated[Path, typer.Argument(help="The .toml file to write.")],
         project: ProjectOpt = Path(".")) -> None:
    """Write the project's study as a profile, for `qda init --study FILE` next time."""
    from corpus.dimensions import write_profile
    from corpus.study import load

    with user_errors():
        proj = opened(project)
        with proj.session() as session:
            study = load(session)
        write_profile(study, out, name=proj.root.name)
        console.print(f"study profile → {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(study_app, name="study")
