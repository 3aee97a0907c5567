"""The coding half of the demo: the study's codebook and a first round of suggestions."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from corpus.demo import DEMO, MATERIAL, build_demo, demo_notes
from corpus.models import Segment, Source
from corpus.project import Project
from corpus.tabular import write_table

from .codebook import read_codebook
from .codes import import_doc
from .exchange import ImportReport, import_codings
from .suggestions import suggest

DEMO_CODEBOOK = "forstudie-postits"


def build_coded_demo(path: Path | str, force: bool = False,
                     log: Callable[[str], None] = lambda _: None,
                     url: str | None = None) -> Project:
    """The demo project with its material ingested, a codebook, the demo study's agreed
    themes for its post-its (layer "konsensus", so bilaga 2 can be exported at once) and
    suggestions for every segment; on the server `url` names, else in project.sqlite."""
    project = build_demo(path, force=force, log=log, url=url)
    doc = read_codebook(DEMO_CODEBOOK)
    with project.transaction() as session:
        stats = import_doc(session, doc, actor=DEMO)
    log(f"codebook {doc.name}: {stats['added']} codes")
    themes = pd.DataFrame([{"text": text, "code": theme}
                           for q in demo_notes().values() for _, text, _, theme in q["notes"]])
    themes = themes.drop_duplicates().reset_index(drop=True)
    # the demo study chose the most telling (here: the longest) note of each main theme
    # as a quote for the report
    main = themes.code.str.split(" > ").str[0]
    longest = themes.text.str.len().groupby(main).idxmax()
    themes["citat"] = ["x" if i in set(longest) else "" for i in themes.index]
    table = write_table(themes, Path(project.root) / "material" /
                        "konsensus.tsv")
    imported = import_codings(project, table, coder="konsensus", actor=DEMO)
    log(f"konsensus codings of the post-its: {imported.codings} "
        f"({len(imported.created_codes)} emergent codes the demo study added, "
        f"{len(imported.unmatched)} unmatched)")
    talk = code_the_discussions(project)
    log(f"konsensus codings of the discussions and the Padlet: {talk.codings}")
    report = suggest(project, actor=DEMO)
    log(f"suggestions: {report.suggestions} for {report.segments} segments, "
        f"{report.flagged} flagged 'passar ingen befintlig kod'")
    return project


def code_the_discussions(project: Project) -> ImportReport:
    """The demo study's consensus on its transcript sentences and Padlet notes, so a new
    user sees discussions in the themes, quotes and bilaga 2 too. The plan names each unit
    by words it contains (its text after pseudonymisation); a phrase that finds no unit or
    several is an error, so the plan cannot drift from the material unseen. A phrase in a
    turn codes the sentences it runs over, not the turn: a turn with sentences is no unit
    (E336)."""
    plan = pd.read_csv(MATERIAL / "konsensus_samtal.tsv", sep="\t", dtype=str,
                       keep_default_na=False)
    with project.session() as session:
        units = session.execute(select(Segment.id, Segment.text)
                                .join(Source, Source.id == Segment.source_id)
                                .where(Source.kind.in_(("transcript", "padlet")),
                                       Segment.kind.in_(("turn", "note")))).all()
        sentences: dict[int | None, list[str]] = {}
        ids: dict[tuple[int | None, str], int] = {}
        for sid, turn, text in session.execute(select(
                Segment.id, Segment.parent_id, Segment.text).where(Segment.kind == "sentence")
                .order_by(Segment.position)):
            sentences.setdefault(turn, []).append(text)
            ids.setdefault((turn, text), sid)
    rows = []
    for phrase, code, citat in plan.itertuples(index=False):
        found = [unit for unit, text in units if phrase in text]
        if len(found) != 1:
            raise ValueError(f"konsensus_samtal.tsv: {phrase!r} is in {len(found)} units, "
                             "not one")
        parts = [p for p in re.split(r"(?<=[.!?])\s+", phrase) if p]
        touched = [ids[found[0], s] for s in sentences.get(found[0], [])
                   if any(p in s or s in p for p in parts)] or found
        rows += [{"segment": unit, "code": code, "citat": citat} for unit in touched]
    table = write_table(pd.DataFrame(rows), Path(project.root) / "material" /
                        "konsensus_samtal.tsv")
    return import_codings(project, table, coder="konsensus", actor=DEMO)
