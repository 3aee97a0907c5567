"""Broken and awkward input, through `qda ingest` as a user runs it: each file (written
into tests/data/bad/ by this module) gives its clear one-line error naming the file, or
a correct import, never a traceback; a refused file changes nothing."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Cm
from hypothesis import given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from corpus.errors import InputError
from corpus.models import Segment, Source
from corpus.readers import read_file
from qda import app

from .conftest import row_counts, write_xlsx

BAD = Path(__file__).parent / "data" / "bad"


def workbook_bytes(build: Callable[[Workbook], None]) -> bytes:
    wb = Workbook()
    build(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet(rows: list[list], title: str = "Fråga 1") -> Callable[[Workbook], None]:
    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.title = title
        for row in rows:
            ws.append(row)
    return build


def encrypted(path: Path) -> bytes:
    plain = write_xlsx(path.with_suffix(".plain.xlsx"), {"Fråga 1": [["GR"], ["Lapp"]]})
    out = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt("hemligt", out)
    plain.unlink()
    return out.getvalue()


def hidden_sheet(wb: Workbook) -> None:
    sheet([["GR", "VGR"], ["Synlig lapp", "Annan synlig lapp"]])(wb)
    hidden = wb.create_sheet("Fråga 2")
    hidden.append(["GR"])
    hidden.append(["Dold lapp"])
    hidden.sheet_state = "hidden"


def merged_headers(wb: Workbook) -> None:
    ws = wb.active
    ws.title = "Fråga 1"
    ws.append(["Workshop om nyckeltal"])
    ws.merge_cells("A1:C1")
    ws.append(["GR", "Borås", "VGR"])
    ws.append(["Antal SIP", "Väntetider", "Tillit"])


def many_empty_rows(wb: Workbook) -> None:
    sheet([["GR"], ["Första lappen"], ["Andra lappen"]])(wb)
    wb.active.cell(100_003, 1).value = None       # the sheet claims 100 000 more rows
    wb.active.cell(100_003, 2).value = " "


def only_image(path: Path) -> bytes:
    doc = Document()
    from PIL import Image

    picture = path.with_suffix(".png")
    Image.new("RGB", (8, 8), "teal").save(picture)
    doc.add_picture(str(picture), width=Cm(2))
    picture.unlink()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


TRANSCRIPT = ("Anna Svensson   0:03\nVi behöver bättre samverkan kring SIP.\n\n"
              "Bo Ek   0:20\nJa, och tilliten mellan huvudmännen är avgörande.\n")


@dataclass
class Case:
    name: str                     # file name in tests/data/bad
    make: Callable[[Path], bytes]
    error: str | None = None      # regex of the one-line reason; None: it imports
    notes: int | None = None      # segments expected when it imports
    kind: str = "note"
    args: tuple[str, ...] = ("--question", "1")


CASES = [
    Case("korrupt_zip.xlsx", lambda p: b"PK\x03\x04" + b"\x00trasig" * 50,
         "corrupt or not Excel"),
    Case("losenord.xlsx", encrypted, "password-protected"),
    Case("tom.xlsx", lambda p: b"", "empty"),
    Case("tom.csv", lambda p: b"", "empty"),
    Case("tom.txt", lambda p: b"", "empty"),
    Case("bara_mellanslag.txt", lambda p: b"  \n\t\n  \n", "empty|no text|no turns"),
    Case("binar.txt", lambda p: bytes(range(256)) * 40, "binary"),
    Case("nollbytes.txt", lambda p: b"Anna: hej\x00\x00\x00\x00 ljud\x00\x00" * 30,
         "binary"),
    Case("utf16.txt", lambda p: TRANSCRIPT.encode("utf-16"), None, 2, "turn",
         ("--area", "GR")),
    Case("cp1252.txt", lambda p: TRANSCRIPT.encode("cp1252"), None, 2, "turn",
         ("--area", "GR")),
    Case("stor_cell.xlsx", lambda p: workbook_bytes(sheet([["GR"], ["lång " * 1_000_000]])),
         None, 1),
    Case("formler.xlsx", lambda p: workbook_bytes(sheet(
        [["GR", "VGR"], ["=SUMMA(A1:A3)", "=HYPERLINK(\"http://x\")"]])), None, 2),
    Case("dolt_blad.xlsx", lambda p: workbook_bytes(hidden_sheet), None, 2,
         args=()),
    Case("sammanslagen_rubrik.xlsx", lambda p: workbook_bytes(merged_headers), None, 3),
    Case("tomma_rader.xlsx", lambda p: workbook_bytes(many_empty_rows), None, 2),
    Case("trasig_tid.vtt", lambda p: b"WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nHej\n",
         "malformed VTT"),
    Case("bara_bild.docx", only_image, "no transcript text"),
    Case("zip_utan_dokument.docx", lambda p: zip_without_document(), "corrupt|not a Word"),
    Case("citattecken.csv", lambda p: 'Område,Inlägg\nGR,"Lapp utan slut\nVGR,"Annan\n'.encode(),
         "malformed CSV: .*quote"),
    Case("oavslutat_citat.csv", lambda p: 'Område,Inlägg\nGR,"Lapp utan slut\n'.encode(),
         "malformed CSV: a quote .* in row 2 is never closed"),
    Case("bara_rubrik.csv", lambda p: "Område,Inlägg\n".encode(), "no notes"),
    Case("gammal.xls", lambda p: b"\xd0\xcf\x11\xe0" + b"\x00" * 512, "save it as .xlsx"),
    Case("rapport.pdf", lambda p: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF is not read"),
    Case("inga_lappar.xlsx", lambda p: workbook_bytes(sheet([["GR", "VGR"]])),
         "no notes"),
    Case("utf16.csv", lambda p: "Område,Inlägg\nGR,Väntetider på vårdcentralen\n"
         .encode("utf-16"), None, 1),
]


def test_there_are_at_least_twenty_kinds():
    assert len(CASES) >= 20 and len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    BAD.mkdir(parents=True, exist_ok=True)
    made = {}
    for case in CASES:
        path = BAD / case.name
        path.write_bytes(case.make(path))
        made[case.name] = path
    return made


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_file_gives_its_error_or_imports(case, bad_files, project):
    path = bad_files[case.name]
    before = row_counts(project)
    result = CliRunner().invoke(app, ["ingest", str(path), "-p", str(project.root),
                                      *case.args])
    output = result.output
    assert "Traceback" not in output and not isinstance(result.exception, Exception) \
        or isinstance(result.exception, SystemExit), output
    if case.error:
        assert result.exit_code == 1, output
        lines = [line for line in output.strip().splitlines() if line.strip()]
        assert len(lines) == 1, output
        assert case.name in lines[0] and re.search(case.error, lines[0]), lines[0]
        assert row_counts(project) == before                  # nothing half-written
        assert not any(project.sources_dir.iterdir())
    else:
        assert result.exit_code == 0, output
        with project.session() as s:
            source = s.scalars(select(Source)).one()
            texts = list(s.scalars(select(Segment.text).where(
                Segment.source_id == source.id, Segment.kind == case.kind)))
        assert len(texts) == case.notes, texts[:5]
        if case.name == "formler.xlsx":              # kept as text, never evaluated
            assert "=SUMMA(A1:A3)" in texts
        if case.name == "cp1252.txt":
            assert any("tilliten mellan huvudmännen" in t for t in texts)
        if case.name == "dolt_blad.xlsx":
            assert "Dold lapp" not in texts


# ---- every transcript parser, random text -----------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=400)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@settings(max_examples=60, deadline=None)
@given(text=_text, suffix=st.sampled_from([".txt", ".vtt", ".srt", ".docx"]))
def test_transcript_parsers_never_fail_unexpectedly(text, suffix, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / f"t{suffix}"
    if suffix == ".docx":
        doc = Document()
        for line in _lines(text):
            doc.add_paragraph("".join(ch for ch in line if ch.isprintable()))
        doc.save(str(path))
    else:
        path.write_text(text, encoding="utf-8")
    try:
        result = read_file(path)
    except InputError as exc:            # a clear refusal is fine; anything else is not
        assert "\n" not in exc.line()
        return
    if suffix == ".txt":
        joined = "\n".join(t.text for t in result.turns)
        speakers = {t.speaker for t in result.turns}
        for line in _lines(text):
            assert line in joined or line in speakers or any(
                s and line.startswith(s) for s in speakers) or any(
                s and s in line for s in speakers), line
