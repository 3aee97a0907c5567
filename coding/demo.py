"""The coding half of the demo: the study's codebook and a first round of suggestions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corpus.demo import build_demo
from corpus.project import Project

from .codebook import read_codebook
from .codes import import_doc
from .suggestions import suggest

DEMO_CODEBOOK = "forstudie-postits"


def build_coded_demo(path: Path | str, force: bool = False,
                     log: Callable[[str], None] = lambda _: None) -> Project:
    """The demo project with its material ingested, a codebook and suggestions for every
    segment: what a researcher sees on the first morning of coding."""
    project = build_demo(path, force=force, log=log)
    doc = read_codebook(DEMO_CODEBOOK)
    with project.transaction() as session:
        stats = import_doc(session, doc, actor="demo")
    log(f"codebook {doc.name}: {stats['added']} codes")
    report = suggest(project, actor="demo")
    log(f"suggestions: {report.suggestions} for {report.segments} segments, "
        f"{report.flagged} flagged 'passar ingen befintlig kod'")
    return project
