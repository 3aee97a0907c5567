"""Fixtures: fresh projects in tmp_path and small files the tests write themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from sqlalchemy import func, select

from corpus.models import AuditEvent, PseudonymKey, Segment, Source
from corpus.project import Project, init_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    proj = init_project(tmp_path / "proj")
    yield proj
    proj.close()


def row_counts(project: Project) -> dict[str, int]:
    with project.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Source, Segment, PseudonymKey, AuditEvent)}


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]],
               merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    doc.save(str(path))
    return path
