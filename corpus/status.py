"""What a project holds, as DataFrames: sources, segments per kind/question/area, codings."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from .areas import AREAS
from .models import Coding, Memo, Segment, Source, Workshop
from .project import Project

UNKNOWN = "okänt"
KIND_ORDER = ["note", "turn", "sentence"]


def sources_frame(project: Project) -> pd.DataFrame:
    with project.session() as session:
        counts = dict(session.execute(select(Segment.source_id, func.count())
                                      .where(Segment.kind != "sentence")
                                      .group_by(Segment.source_id)).all())
        rows = [{"id": s.id, "file": s.original_name, "kind": s.kind, "format": s.file_format,
                 "question": s.question, "area": AREAS.get(s.area, s.area),
                 "units": counts.get(s.id, 0), "imported": s.imported_at}
                for s in session.scalars(select(Source).order_by(Source.id))]
    return pd.DataFrame(rows, columns=["id", "file", "kind", "format", "question", "area",
                                       "units", "imported"])


def segment_counts(project: Project) -> pd.DataFrame:
    """Segments per kind and question (rows) and area (columns), with totals."""
    with project.session() as session:
        rows = session.execute(select(Segment.kind, Segment.question, Segment.area, func.count())
                               .group_by(Segment.kind, Segment.question, Segment.area)).all()
    frame = pd.DataFrame(rows, columns=["kind", "question", "area", "n"])
    if frame.empty:
        return pd.DataFrame()
    frame["question"] = frame["question"].map(lambda q: f"fråga {int(q)}" if pd.notna(q) else "–")
    frame["kind"] = pd.Categorical(frame["kind"], categories=KIND_ORDER, ordered=True)
    frame["area"] = frame["area"].map(lambda a: AREAS.get(a, UNKNOWN))
    table = frame.pivot_table(index=["kind", "question"], columns="area", values="n",
                              aggfunc="sum", fill_value=0, observed=True)
    order = [label for label in [*AREAS.values(), UNKNOWN] if label in table.columns]
    table = table[order]
    table["totalt"] = table.sum(axis=1)
    return table.astype(int)


def coding_counts(project: Project) -> pd.DataFrame:
    with project.session() as session:
        rows = session.execute(select(Coding.coder, Coding.status, func.count())
                               .group_by(Coding.coder, Coding.status)).all()
    frame = pd.DataFrame(rows, columns=["coder", "status", "n"])
    if frame.empty:
        return frame
    return frame.pivot_table(index="coder", columns="status", values="n", fill_value=0).astype(int)


def totals(project: Project) -> dict[str, int]:
    with project.session() as session:
        def count(model) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return {"workshops": count(Workshop), "sources": count(Source),
                "segments": count(Segment), "codings": count(Coding),
                "coders": session.scalar(select(func.count(func.distinct(Coding.coder)))) or 0}


def memos_frame(project: Project) -> pd.DataFrame:
    """Journal entries, project notes and annotations kept from other tools."""
    with project.session() as session:
        names = dict(session.execute(select(Source.id, Source.original_name)).all())
        rows = [{"kind": m.kind, "source": names.get(m.source_id, ""), "title": m.title,
                 "text": m.text, "author": m.author or "", "created": m.created_at}
                for m in session.scalars(select(Memo).order_by(Memo.id))]
    return pd.DataFrame(rows, columns=["kind", "source", "title", "text", "author", "created"])

