"""What a project holds: sources, segments per kind/question/area, codings. Plain tables
(for the command line, which should not wait for pandas) and DataFrames built from them.

The counts are Core queries over light table clauses, not the ORM models: `qda status`
then answers without importing the ORM and building its 21 mappers (a quarter of a second
of its start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, DateTime, column, exists, func, select, table

from .project import Project
from .vocabulary import DECISIONS, SUGGESTER, Status, human, person

if TYPE_CHECKING:
    import pandas as pd

_source = table("source", column("id"), column("original_name"), column("kind"),
                column("file_format"), column("question"), column("area"),
                column("imported_at", DateTime))
_segment = table("segment", column("id"), column("source_id"), column("kind"),
                 column("question"), column("area"))
_coding = table("coding", column("segment_id"), column("coder"), column("status"))
_not_relevant = table("not_relevant", column("segment_id"), column("coder"))
UNIT_KINDS = ("note", "sentence")
_workshop = table("workshop")
_value = table("study_value", column("dimension"), column("key"), column("label"),
               column("sort_order"), column("id"))

UNKNOWN = "okänt"
KIND_ORDER = ["note", "turn", "sentence"]
SOURCE_COLUMNS = ["id", "file", "kind", "format", "question", "area", "units", "imported"]


def area_labels(connection) -> dict[str, str]:
    """The project's areas (key -> label) in its order, through Core (see above)."""
    v = _value.c
    return dict(connection.execute(select(v.key, v.label).where(v.dimension == "area")
                                   .order_by(v.sort_order, v.id)).all())


def source_rows(project: Project) -> list[dict[str, Any]]:
    """One row per source; its area is the areas its units have, in the project's order
    (a workbook with notes of four areas is not the area its file name suggests)."""
    seg, src = _segment.c, _source.c
    with project.engine.connect() as connection:
        areas = area_labels(connection)
        counts: dict[int, int] = {}
        held: dict[int, set[str]] = {}
        # one pass for both (a sentence has its turn's area)
        for source_id, area, n in connection.execute(
                select(seg.source_id, seg.area, func.count()).where(seg.kind != "sentence")
                .group_by(seg.source_id, seg.area)):
            counts[source_id] = counts.get(source_id, 0) + n
            if area is not None:
                held.setdefault(source_id, set()).add(area)
        order = {key: i for i, key in enumerate(areas)}

        def area_of(source_id: int, own: str | None) -> str | None:
            keys = sorted(held.get(source_id) or ({own} if own else set()),
                          key=lambda k: (order.get(k, len(order)), k))
            return ", ".join(areas.get(k, k) for k in keys) or None

        return [{"id": s.id, "file": s.original_name, "kind": s.kind, "format": s.file_format,
                 "question": s.question, "area": area_of(s.id, s.area),
                 "units": counts.get(s.id, 0), "imported": s.imported_at}
                for s in connection.execute(  # not the transcripts' texts: tens of MB at 100x
                    select(src.id, src.original_name, src.kind, src.file_format, src.question,
                           src.area, src.imported_at).order_by(src.id))]


def source_names(project: Project) -> dict[int, str]:
    """Each source's file name by id, for a picker: far quicker than `source_rows`,
    which counts their units (BENCHMARKS.md)."""
    src = _source.c
    with project.engine.connect() as connection:
        return dict(connection.execute(select(src.id, src.original_name).order_by(src.id))
                    .all())


def segment_table(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Segments per kind and question (rows; the question a number, None for none) and
    area (columns, then "total")."""
    seg = _segment.c
    with project.engine.connect() as connection:
        found = connection.execute(select(seg.kind, seg.question, seg.area, func.count())
                                   .group_by(seg.kind, seg.question, seg.area)).all()
        areas_known = area_labels(connection)
    cells: dict[tuple[str, int | None], dict[str, int]] = {}
    for kind, question, area, n in found:
        key = (kind, int(question) if question is not None else None)
        label = areas_known.get(area, UNKNOWN)
        cells.setdefault(key, {})[label] = cells.setdefault(key, {}).get(label, 0) + n
    used = {label for row in cells.values() for label in row}
    areas = [label for label in [*areas_known.values(), UNKNOWN] if label in used]
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    rows = [{"kind": kind, "question": question,
             **{a: row.get(a, 0) for a in areas}, "total": sum(row.values())}
            for (kind, question), row in sorted(cells.items(), key=lambda kv: (
                order.get(kv[0][0], len(order)), kv[0][1] is None, kv[0][1] or 0))]
    return [*areas, "total"] if rows else [], rows


def coding_table(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Codings per coder (rows) and status (columns)."""
    cod = _coding.c
    with project.engine.connect() as connection:
        found = connection.execute(select(cod.coder, cod.status, func.count())
                                   .group_by(cod.coder, cod.status)).all()
    statuses = sorted({status for _, status, _ in found})
    per: dict[str, dict[str, int]] = {}
    for coder, status, n in found:
        per.setdefault(coder, {})[status] = n
    return statuses, [{"coder": coder, **{s: row.get(s, 0) for s in statuses}}
                      for coder, row in sorted(per.items())]


def sources_frame(project: Project) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(source_rows(project), columns=SOURCE_COLUMNS)


def segment_counts(project: Project) -> pd.DataFrame:
    """Segments per kind and question (index) and area (columns), with totals."""
    import pandas as pd

    columns, rows = segment_table(project)
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).set_index(["kind", "question"])[columns]


def coding_counts(project: Project) -> pd.DataFrame:
    import pandas as pd

    statuses, rows = coding_table(project)
    if not rows:
        return pd.DataFrame(columns=["coder", "status", "n"])
    return pd.DataFrame(rows).set_index("coder")[statuses]


def totals(project: Project, own: str | None = None) -> dict[str, int]:
    """Codings are decisions (a coder's or the consensus meeting's), suggestions apart;
    coders are the people who decided, not the suggestion or consensus layers: one
    researcher with 4 codes read "123 codings, 2 coders" before. Units marked not
    relevant are counted apart from the uncoded ones (no decision, suggestions aside).
    With `own` (a coder in an open blind round), only that coder's decisions, suggestions
    and units count: the project's totals would let them follow another coder's
    progress."""
    cod = _coding.c
    decided: ColumnElement[bool] = cod.status.in_(DECISIONS)
    if own is not None:
        decided = decided & (cod.coder == own)
    with project.engine.connect() as connection:
        def count(clause, *where) -> int:
            return connection.scalar(select(func.count()).select_from(clause)
                                     .where(*where)) or 0

        return {"workshops": count(_workshop), "sources": count(_source),
                "segments": count(_segment), "codings": count(_coding, decided),
                "suggestions": count(_coding, cod.status == Status.SUGGESTED, *(
                    () if own is None else (cod.coder == f"{SUGGESTER}:{own}",))),
                "coders": connection.scalar(select(func.count(func.distinct(cod.coder))).where(
                    decided, person(cod.coder))) or 0,
                **unit_states(connection, own)}


def suggestion_layers(project: Project) -> dict[str, int]:
    """Suggestions per suggestion layer (the shared `förslag`, each blind coder's
    `förslag:NAME`): what the total "suggestions" adds up."""
    cod = _coding.c
    with project.engine.connect() as connection:
        return dict(sorted(connection.execute(
            select(cod.coder, func.count()).where(cod.status == Status.SUGGESTED)
            .group_by(cod.coder)).all()))


def unit_states(connection, own: str | None = None) -> dict[str, int]:
    """Codable units (notes, transcript sentences) marked not relevant by some coder (or
    by `own`), and those nobody (or `own`) has decided at all."""
    seg, cod, nr = _segment.c, _coding.c, _not_relevant.c
    mine = () if own is None else (cod.coder == own,)
    skipped = exists().where(nr.segment_id == seg.id,
                             *(() if own is None else (nr.coder == own,)))
    decided = exists().where(cod.segment_id == seg.id, cod.status.in_(DECISIONS),
                             human(cod.coder), *mine)
    units = select(func.count()).select_from(_segment).where(seg.kind.in_(UNIT_KINDS))
    not_relevant = connection.scalar(units.where(skipped, ~decided)) or 0
    uncoded = connection.scalar(units.where(~skipped, ~decided)) or 0
    return {"not_relevant": not_relevant, "uncoded": uncoded}


def memos_frame(project: Project) -> pd.DataFrame:
    """Journal entries, project notes and annotations kept from other tools."""
    import pandas as pd

    from .models import Memo, Source

    with project.session() as session:
        names: dict[int | None, str] = dict(
            session.execute(select(Source.id, Source.original_name)).all())
        rows = [{"kind": m.kind, "source": names.get(m.source_id, ""), "title": m.title,
                 "text": m.text, "author": m.author or "", "created": m.created_at}
                for m in session.scalars(select(Memo).order_by(Memo.id))]
    return pd.DataFrame(rows, columns=["kind", "source", "title", "text", "author", "created"])

