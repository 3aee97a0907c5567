"""The chapter draft: every quantifier follows from its count by the stated thresholds,
quotes spread across areas, and the draft says what it is."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from docx import Document

from corpus.project import open_project
from themes import chapter
from themes.layers import resolve_layer

WORDS = re.compile(r"\b(samtliga|majoriteten av|ett par|några|flera|många|en|ett) "
                   r"([a-zåäö ]+?) \[(\d+)(?: av (\d+))?\]")
NOUNS = {n.plural: n for n in (chapter.AREA, chapter.DISCUSSION, chapter.WORKBOOK,
                               chapter.UNIT)} | \
    {n.singular: n for n in (chapter.AREA, chapter.DISCUSSION, chapter.WORKBOOK,
                             chapter.UNIT)} | \
    {n.definite_plural: n for n in (chapter.AREA, chapter.DISCUSSION, chapter.WORKBOOK,
                                    chapter.UNIT)}


@pytest.mark.parametrize(("n", "of", "expected"), [
    (1, None, "en diskussion [1]"), (2, None, "ett par diskussioner [2]"),
    (3, None, "några diskussioner [3]"), (5, None, "några diskussioner [5]"),
    (6, None, "flera diskussioner [6]"), (9, None, "flera diskussioner [9]"),
    (10, None, "många diskussioner [10]"), (4, 4, "samtliga diskussioner [4 av 4]"),
    (3, 5, "majoriteten av diskussionerna [3 av 5]"), (2, 4, "ett par diskussioner [2 av 4]"),
    (1, 1, "en diskussion [1 av 1]"), (2, 2, "samtliga diskussioner [2 av 2]")])
def test_quantifiers_follow_the_stated_thresholds(n, of, expected):
    assert chapter.quantified(n, chapter.DISCUSSION, of) == expected


def test_ett_for_neuter_nouns():
    assert chapter.quantified(1, chapter.AREA, 5) == "ett område [1 av 5]"


def test_quotes_spread_across_areas_and_sources():
    rows = [("GR", 1, "En lång och talande mening om SIP och samverkan mellan huvudmännen"),
            ("GR", 1, "En annan lång mening från samma samtal om SIP och planeringen"),
            ("GR", 2, "En tredje lång mening från ett annat samtal om SIP i kommunen"),
            ("Lerum", 3, "Kort om SIP"),
            ("Tjörn", 4, "Mm, ja.")]
    frame = pd.DataFrame([{"Text": t, "Område": a, "Citat": False, "source_id": s}
                          for a, s, t in rows])
    picked = chapter.pick_quotes(frame, k=3)
    # the filler is never a quote; the three areas with passages give three areas
    assert set(picked["Område"]) == {"GR", "Lerum"} and len(picked) == 3
    gr = picked[picked["Område"] == "GR"]
    assert gr.source_id.nunique() == len(gr)        # a second GR quote from another talk
    assert len(chapter.pick_quotes(frame, k=1)) == 1


def test_a_quote_names_no_one_masked_and_one_note_is_quoted_once():
    """'Ring [namn] på [telefonnummer]' says nothing in a report: it comes after every
    passage without a mask; a note written twice (punctuation aside) is quoted once."""
    rows = [("Berg", 1, "Ring [namn] på [telefonnummer] om ni vill veta mer om hur det går"),
            ("Berg", 2, "Korta beslutsvägar, alla känner alla här i kommunen och det hjälper"),
            ("Berg", 3, "Korta beslutsvägar – alla känner alla här i kommunen och det hjälper"),
            ("Berg", 4, "Elevhälsan når inte alla unga, särskilt inte på helger och lov")]
    frame = pd.DataFrame([{"Text": t, "Område": a, "Citat": False, "source_id": s}
                          for a, s, t in rows])
    picked = chapter.pick_quotes(frame, k=3)["Text"].tolist()
    assert len(picked) == 3 and picked[-1].startswith("Ring [namn]")
    assert sum(t.startswith("Korta beslutsvägar") for t in picked) == 1
    marked = frame.assign(Citat=[True, False, False, False])    # a coder's choice stands
    assert chapter.pick_quotes(marked, k=1)["Text"].tolist() == [rows[0][2]]


def test_the_demo_chapter_quantifiers_quotes_and_files(built, tmp_path):
    demo = open_project(built)
    with demo.session() as s:
        layer = resolve_layer(s)
        dossiers = chapter.build(s, layer)
        head = chapter.head(layer)
    assert dossiers and any(d.sub for d in dossiers) and any(not d.sub for d in dossiers)
    checked = 0
    for d in dossiers:
        for words, noun, n, of in WORDS.findall(" ".join(d.sentences)):
            phrase = f"{words} {noun} [{n}{f' av {of}' if of else ''}]"
            assert chapter.quantified(int(n), NOUNS[noun], int(of) if of else None) == phrase
            checked += 1
        # a quote set spans as many areas as it can: min(quotes asked, areas quoted from)
        assert len({q.attribution for q in d.quotes}) == min(len(d.quotes), len(d.areas))
        assert len(d.quotes) == min(chapter.QUOTES_PER_THEME, d.units)
        assert sum(map(len, d.passages.values())) <= d.units
        assert all(q.attribution.startswith("Deltagare") for q in d.quotes)
    assert checked > 3 * len(dossiers)
    assert "inget innehåll är påhittat" in head[1]
    md = chapter.write_md(dossiers, layer, tmp_path / "c.md").read_text("utf-8")
    assert md.startswith("# Resultat – utkast") and "> Deltagare " in md
    doc = Document(str(chapter.write_docx(dossiers, layer, tmp_path / "c.docx")))
    titles = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert [d.title for d in dossiers] == [t for t in titles if t not in (
        "Resultat – utkast", "Kodade avsnitt")]
    assert any(p.style.name == "Quote" for p in doc.paragraphs)
    demo.close()


def test_the_report_template_holds_method_tabell1_chapter_and_bilaga2(built, tmp_path):
    """One .docx to start writing in: portrait text, then bilaga 2 on landscape pages;
    rendered by LibreOffice as a real author would open it."""
    import shutil
    import subprocess

    from docx.enum.section import WD_ORIENT

    from corpus.workshops import add_workshop
    from reports.run import export

    demo = open_project(shutil.copytree(built, tmp_path / "demo"))
    add_workshop(demo, label="Extra", area="gr", format="fysisk", politicians=3)
    report = export(demo, "report", "docx", out=tmp_path / "r.docx")
    doc = Document(str(report.path))
    top = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert top == ["Rapport – utkast", "Metod", "Resultat", "Bilaga 2"]
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == ["Tabell 1. Deltagare per område, workshop och deltagargrupp."]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Materialet bestod av" in text and "inget innehåll är påhittat" in text
    assert "Fråga 1" in text and "Kommentar:" in text
    assert "se tabell" not in text           # the codebook's changes are the metodbilaga's
    assert len(doc.tables) == 1 + 3          # Tabell 1 and a bilaga 2 table per question
    pdf = subprocess.run(["libreoffice", "--headless",
                          f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                          "--outdir", str(tmp_path), str(report.path)],
                         capture_output=True, timeout=300)
    assert pdf.returncode == 0 and (tmp_path / "r.pdf").stat().st_size > 10_000
    pages = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                           text=True).stdout
    assert "Tabell 1. Deltagare" in pages and "Huvudtema" in pages
    demo.close()
