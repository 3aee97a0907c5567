"""The bundled demo project: a fictional study written for workshop-qda.

Seven workshops in all five areas, a messy post-it workbook (three question sheets, 155
notes), a Padlet export, and four group-room transcripts (.txt twice, .docx, .vtt).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import yaml

from ..actors import system_actor
from ..errors import QdaError
from ..ingest import StoreOptions, ingest_file
from ..project import CONFIG_NAME, SQLITE_NAME, Project, init_project
from ..readers import ReadOptions
from ..workshops import import_workshops
from .transcripts import render
from .workbook import write_workbook

MATERIAL = resources.files(__package__) / "material"
WORKBOOK_NAME = "postits_workshops_2025.xlsx"
PADLET_NAME = "padlet_vgr_digital.csv"
PADLET_WORKSHOP = "VGR digital 2025-03-12"
DEMO_STUDY = "vgr-forstudie"     # the bundled study profile the demo study is

# The demo builds itself: its changes are recorded as "demo".
DEMO = system_actor("demo")


def demo_notes() -> dict[int, dict]:
    """The demo's notes per question, each with the theme the demo study gave it."""
    data = yaml.safe_load((MATERIAL / "notes.yaml").read_text(encoding="utf-8"))
    out = {}
    for q, block in data["questions"].items():
        notes = []
        for group in block["groups"]:
            for item in group["items"]:
                area, text, *rest = item
                notes.append((area, text, rest[0] if rest else 1, group["theme"]))
        out[int(q)] = {"text": block["text"], "notes": notes}
    return out


def write_material(folder: Path) -> list[tuple[Path, ReadOptions, str | None]]:
    """Write the raw files a researcher would start from; return what to ingest and how."""
    folder.mkdir(parents=True, exist_ok=True)
    notes = demo_notes()
    workbook = write_workbook(folder / WORKBOOK_NAME, {
        q: {"text": v["text"], "notes": [n[:3] for n in v["notes"]]} for q, v in notes.items()})
    jobs: list[tuple[Path, ReadOptions, str | None]] = [(workbook, ReadOptions(), None)]
    padlet = folder / PADLET_NAME
    padlet.write_bytes((MATERIAL / PADLET_NAME).read_bytes())
    jobs.append((padlet, ReadOptions(kind="padlet"), PADLET_WORKSHOP))
    for talk_file in sorted((MATERIAL / "talk").iterdir(), key=lambda p: p.name):
        if talk_file.name.endswith(".talk"):
            with resources.as_file(talk_file) as local:
                out, talk = render(Path(local), folder)
            jobs.append((out, ReadOptions(), talk.meta["workshop"]))
    return jobs


def build_demo(path: Path | str, force: bool = False,
               log: Callable[[str], None] = lambda _: None, url: str | None = None) -> Project:
    path = Path(path)
    if (path / CONFIG_NAME).exists() or (path / SQLITE_NAME).exists():
        if not force:
            raise QdaError("already holds a project; use --force to rebuild the demo", path,
                           "E160")
        shutil.rmtree(path)
    elif path.exists() and any(path.iterdir()):
        raise QdaError("the folder exists and is not empty; choose another", path, "E161")
    if url:
        from ..migrate_store import require_empty_database

        require_empty_database(url)
    project = init_project(path, url, study=DEMO_STUDY, actor=DEMO)
    config = path / CONFIG_NAME             # the demo is the study: its question texts
    config.write_text(config.read_text(encoding="utf-8") + '\n[study]\nname = "forstudie"\n',
                      encoding="utf-8")
    with resources.as_file(MATERIAL / "workshops.yaml") as workshops:
        import_workshops(project, Path(workshops), actor=DEMO)
    for file, options, workshop in write_material(path / "material"):
        report = ingest_file(project, file, options, store=StoreOptions(workshop=workshop),
                             actor=DEMO)
        units = ", ".join(f"{n} {k}s" for k, n in sorted(report.segments.items()))
        log(f"ingested {file.name}: {units}")
    return project
