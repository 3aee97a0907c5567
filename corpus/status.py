"""What a project holds: sources, segments per kind/question/area, codings. Plain tables
(for the command line, which should not wait for pandas) and DataFrames built from them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from .areas import AREAS
from .models import Coding, Memo, Segment, Source, Workshop
from .project import Project

if TYPE_CHECKING:
    import pandas as pd

UNKNOWN = "okänt"
KIND_ORDER = ["note", "turn", "sentence"]
SOURCE_COLUMNS = ["id", "file", "kind", "format", "question", "area", "units", "imported"]


def source_rows(project: Project) -> list[dict[str, Any]]:
    with project.session() as session:
        counts = dict(session.execute(select(Segment.source_id, func.count())
                                      .where(Segment.kind != "sentence")
                                      .group_by(Segment.source_id)).all())
        return [{"id": s.id, "file": s.original_name, "kind": s.kind, "format": s.file_format,
                 "question": s.question, "area": AREAS.get(s.area, s.area),
                 "units": counts.get(s.id, 0), "imported": s.imported_at}
                for s in session.scalars(select(Source).order_by(Source.id))]


def segment_table(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Segments per kind and question (rows) and area (columns, then "totalt")."""
    with project.session() as session:
        found = session.execute(select(Segment.kind, Segment.question, Segment.area,
                                       func.count())
                                .group_by(Segment.kind, Segment.question, Segment.area)).all()
    cells: dict[tuple[str, int | None], dict[str, int]] = {}
    for kind, question, area, n in found:
        key = (kind, int(question) if question is not None else None)
        label = AREAS.get(area, UNKNOWN)
        cells.setdefault(key, {})[label] = cells.setdefault(key, {}).get(label, 0) + n
    used = {label for row in cells.values() for label in row}
    areas = [label for label in [*AREAS.values(), UNKNOWN] if label in used]
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    rows = [{"kind": kind, "question": f"fråga {question}" if question is not None else "–",
             **{a: row.get(a, 0) for a in areas}, "totalt": sum(row.values())}
            for (kind, question), row in sorted(cells.items(), key=lambda kv: (
                order.get(kv[0][0], len(order)), kv[0][1] is None, kv[0][1] or 0))]
    return [*areas, "totalt"] if rows else [], rows


def coding_table(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Codings per coder (rows) and status (columns)."""
    with project.session() as session:
        found = session.execute(select(Coding.coder, Coding.status, func.count())
                                .group_by(Coding.coder, Coding.status)).all()
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


def totals(project: Project) -> dict[str, int]:
    with project.session() as session:
        def count(model) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return {"workshops": count(Workshop), "sources": count(Source),
                "segments": count(Segment), "codings": count(Coding),
                "coders": session.scalar(select(func.count(func.distinct(Coding.coder)))) or 0}


def memos_frame(project: Project) -> pd.DataFrame:
    """Journal entries, project notes and annotations kept from other tools."""
    import pandas as pd

    with project.session() as session:
        names = dict(session.execute(select(Source.id, Source.original_name)).all())
        rows = [{"kind": m.kind, "source": names.get(m.source_id, ""), "title": m.title,
                 "text": m.text, "author": m.author or "", "created": m.created_at}
                for m in session.scalars(select(Memo).order_by(Memo.id))]
    return pd.DataFrame(rows, columns=["kind", "source", "title", "text", "author", "created"])

