"""The question texts above bilaga 2's tables come from the project: qda.toml, then the
workbook's own headings; the bundled study's texts only in a project that is that study."""

from __future__ import annotations

import pytest
from docx import Document
from sqlalchemy import select
from typer.testing import CliRunner

from coding import codes
from corpus.ingest import ingest_file
from corpus.models import Segment
from corpus.question_texts import stripped
from corpus.readers import ReadOptions
from qda import app
from reports.run import export
from themes.questions import STUDY_QUESTIONS

from .conftest import SMALL_BOOK, acting, agreed, write_xlsx

OWN_QUESTION = "Vad fungerar bra i samverkan mellan kommun och region?"


@pytest.fixture
def own(sqlite_project, tmp_path):
    """A project of another study: a workbook whose sheet states its own question 1, and
    a CSV for question 2 that states none; every note coded in konsensus."""
    project = sqlite_project
    write_xlsx(tmp_path / "egen.xlsx", {"Blad1": [
        [f"Fråga 1: {OWN_QUESTION}", None],
        ["GR", "Borås"],
        ["Gemensam SIP-mall", "Tillit mellan cheferna"]]})
    (tmp_path / "f2.csv").write_text("Område,Inlägg\nGR,Väntetider i primärvården\n",
                                     encoding="utf-8")
    ingest_file(project, tmp_path / "egen.xlsx", ReadOptions())
    ingest_file(project, tmp_path / "f2.csv", ReadOptions(question=2))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("lead"))
        sip = codes.find_code(s, "Samverkan > SIP").id
        for seg in s.scalars(select(Segment.id)):
            agreed(s, seg, sip)
    return project


def headings(path) -> list[str]:
    return [line[3:] for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("## ")]


def test_the_workbooks_own_question_wins_over_the_bundled_study(own, tmp_path):
    report = export(own, "bilaga2", "md", out=tmp_path / "b.md")
    assert headings(tmp_path / "b.md") == [f"Fråga 1: {OWN_QUESTION}", "Fråga 2"]
    assert not any(STUDY_QUESTIONS[1][:30] in h for h in headings(tmp_path / "b.md"))
    assert report.untitled == [2] and "fråga 2: no question text" in report.warnings[0]
    doc = Document(str(export(own, "bilaga2", "docx", out=tmp_path / "b.docx").path))
    assert f"Fråga 1: {OWN_QUESTION}" in [p.text for p in doc.paragraphs]


def test_qda_toml_overrides_the_workbook_and_the_cli_warns(own, tmp_path):
    config = own.root / "qda.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[questions]\n2 = "Vad saknas i uppföljningen?"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "bilaga2", "-f", "md", "-o",
                                      str(tmp_path / "b.md"), "-p", str(own.root)])
    assert result.exit_code == 0, result.output
    assert headings(tmp_path / "b.md") == [f"Fråga 1: {OWN_QUESTION}",
                                          "Fråga 2: Vad saknas i uppföljningen?"]
    assert "warning" not in result.output
    config.write_text(config.read_text(encoding="utf-8").replace("[questions]\n2", "[x]\n2"),
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "bilaga2", "-f", "md", "-o",
                                      str(tmp_path / "b.md"), "-p", str(own.root)])
    assert "warning: fråga 2: no question text" in result.output


def test_the_bundled_texts_only_in_the_study_itself(own, tmp_path):
    config = own.root / "qda.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[study]\nname = "forstudie"\n',
                      encoding="utf-8")
    export(own, "bilaga2", "md", out=tmp_path / "b.md")
    assert headings(tmp_path / "b.md") == [f"Fråga 1: {OWN_QUESTION}",
                                          f"Fråga 2: {STUDY_QUESTIONS[2]}"]


@pytest.mark.parametrize("heading, text", [
    ("Fråga 1: Vad fungerar?", "Vad fungerar?"),
    ("Fråga 2 – Vad saknas?", "Vad saknas?"),
    ("FRÅGA 3. Nya  nyckeltal", "Nya nyckeltal"),
    ("Fråga 1", ""),
    ("Vad fungerar?", "Vad fungerar?"),
    # a sheet's title before the mark is not part of the question (it was printed
    # "Fråga 1: Workshop om klimat – Fråga 1: Vilka risker …?")
    ("Workshop om klimat – Fråga 1: Vilka risker ser ni?", "Vilka risker ser ni?"),
    ("Vilka risker ser ni? (fråga 1)", "Vilka risker ser ni?"),
    ("Om frågan i stort", "Om frågan i stort"),
])
def test_a_heading_loses_its_fråga_n_prefix(heading, text):
    assert stripped(heading) == text
