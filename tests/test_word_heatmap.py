"""docx and heatmap exports, re-read with python-docx and matplotlib's own image reader, and
rendered through LibreOffice and pdftoppm so the layout can be looked at."""

import shutil
import subprocess

import matplotlib.image as mpimg
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from coding import codings
from coding.exporting import ExportOptions
from corpus.errors import QdaError
from reports.run import export
from tests.conftest import BILAGA2_COLUMNS


def _rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_bilaga2_docx_is_landscape_with_question_headings_and_merged_groups(coded, tmp_path):
    path = export(coded, "bilaga2", fmt="docx", out=tmp_path / "b2.docx").path
    doc = Document(str(path))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Bilaga 2"
    assert headings[1] == "Fråga 2"       # the CSV states no question text
    (table,) = doc.tables
    assert table.style.name == "Table Grid"
    rows = _rows(table)
    assert rows[0] == BILAGA2_COLUMNS
    # merged cells repeat their text in python-docx's view; the XML says which are merged
    assert [r[:2] for r in rows[1:]] == [
        ["Samverkan", "SIP"], ["Samverkan", "SIP"], ["Samverkan", "Tillit"],
        ["Tillgänglighet", ""], ["Tillgänglighet", "Primärvården"]]
    assert rows[1][2:] == ["Antal SIP per 1000 invånare", "x", "", "x", "", ""]
    assert rows[5][2] == "Väntetider till vårdcentralen; Väntetid till vårdcentralen"
    merges = [[tc.vMerge for tc in tr.tc_lst[:2]] for tr in table._tbl.tr_lst[1:]]
    assert merges == [["restart", "restart"], ["continue", "continue"],
                      ["continue", None], ["restart", None], ["continue", None]]
    header = table._tbl.tr_lst[0]
    assert header.trPr.find(qn("w:tblHeader")) is not None   # repeats on every page
    assert table.rows[1].cells[3].paragraphs[0].alignment == 1   # "x" centred
    # no row splits over a page break; the five areas' headers fit written across
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in table._tbl.tr_lst[1:])
    assert not table._tbl.xpath(".//w:textDirection")


def test_many_long_mark_columns_are_headed_upright_and_leave_the_notes_room(tmp_path):
    """Four participant groups as columns took 14 cm of the landscape page and left the
    notes 6 cm, three lines each: their headers are set upright in 1 cm columns, the row
    as tall as the longest, and the notes keep at least NOTES_MIN_CM; rendered, every
    group's name is whole."""
    from themes import word

    groups = ["Undersköterskor", "Enhetschefer", "Anhöriga", "Förtroendevalda"]
    frame = pd.DataFrame([{"Huvudtema": "Gemenskap", "Subtema": "Träffpunkter",
                           "Inlägg": "Träffpunkterna med fika lockar fler än man tror " * 2,
                           **{g: "x" if k % 2 else "" for k, g in enumerate(groups)},
                           "antal": 1, "segment_ids": [1]}])
    path = word.bilaga2_docx({1: frame}, tmp_path / "b2.docx")
    (table,) = Document(str(path)).tables
    header = table._tbl.tr_lst[0]
    turned = [tc.tcPr.find(qn("w:textDirection")) for tc in header.tc_lst]
    assert [t is not None for t in turned] == [False, False, False, True, True, True, True]
    assert int(header.trPr.find(qn("w:trHeight")).get(qn("w:val"))) > 1000   # twips
    widths = [int(c.get(qn("w:w"))) / 1440 * 2.54 for c in table._tbl.tblGrid.gridCol_lst]
    assert widths[2] >= word.NOTES_MIN_CM and max(widths[3:]) < 1.5
    office = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", str(tmp_path / "b2.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert all(g in text for g in groups)


def test_question_texts_come_from_the_project_settings(coded, tmp_path):
    config = coded.root / "qda.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[questions]\n2 = "Vad saknas i uppföljningen?"\n', encoding="utf-8")
    doc = Document(str(export(coded, "bilaga2", fmt="docx", out=tmp_path / "b.docx").path))
    assert "Fråga 2: Vad saknas i uppföljningen?" in [p.text for p in doc.paragraphs]
    config.write_text('[questions]\nfel = "x"\n', encoding="utf-8")
    with pytest.raises(QdaError, match=r"qda.toml: \[questions\] must map question numbers"):
        export(coded, "bilaga2", fmt="md", out=tmp_path / "b.md")


def test_theme_summary_docx_has_counts_sub_themes_and_quotes(coded, tmp_path):
    doc = Document(str(export(coded, "themes", fmt="docx", out=tmp_path / "t.docx").path))
    texts = [p.text for p in doc.paragraphs]
    assert "Samverkan" in texts and "Tillgänglighet" in texts
    assert "4 kodade enheter (57,1\u00a0% av alla kodade)." in texts   # Samverkan: 4 of 7
    sub_rows = [r[0] for t in doc.tables for r in _rows(t)[1:]]
    # every theme its areas, the theme as a whole first (with the units coded with the
    # main theme alone, which no sub-theme row counts)
    assert sub_rows == ["Hela temat", "SIP", "Tillit", "Hela temat", "Primärvården"]
    whole = _rows(doc.tables[0])[1]
    assert whole[-1] == "4"
    quote = next(p for p in doc.paragraphs if p.style.name == "Quote")
    # a block quote, the attribution on its own line (the report's layout): "Deltagare
    # <område>" only, under the sub-theme it shows
    assert quote.text == "Andel SIP med uppföljningsdatum\nDeltagare Skaraborg"
    at = [p.text for p in doc.paragraphs].index(quote.text)
    assert [p.text for p in doc.paragraphs][at - 2:at] == ["Citat", "SIP"]


def test_tabell1_docx(coded, tmp_path):
    from corpus.workshops import add_workshop

    add_workshop(coded, label="GR digital", area="GR", format="digital", politicians=2,
                 officials=5)
    doc = Document(str(export(coded, "tabell1", fmt="docx", out=tmp_path / "t1.docx").path))
    rows = _rows(doc.tables[0])
    assert rows[1][:2] == ["Göteborgsregionen", "Digital"] and rows[-1][0] == "Totalt"
    assert rows[-1][-1] == "7"


def test_heatmap_png_and_svg(coded, tmp_path):
    png = export(coded, "heatmap", out=tmp_path / "h.png").path
    image = mpimg.imread(png)
    assert image.shape[0] > 300 and image.shape[1] > 600
    svg = export(coded, "heatmap", fmt="svg", out=tmp_path / "h.svg",
                 options=ExportOptions(by="question")).path
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Fråga 2" in text and "Samverkan" in text
    again = export(coded, "heatmap", fmt="svg", out=tmp_path / "h2.svg",
                   options=ExportOptions(by="question")).path
    assert again.read_bytes() == svg.read_bytes()   # no dates or random ids
    with pytest.raises(QdaError, match="E405|heatmap is by"):
        export(coded, "heatmap", out=tmp_path / "h3.png", options=ExportOptions(by="workshop"))


@pytest.mark.slow
def test_docx_renders_through_libreoffice_to_png(coded, tmp_path):
    """The layout check: LibreOffice must lay bilaga 2 out on landscape pages; the PNG
    pages are kept in the test's folder to look at."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is needed (scripts/test.sh installs libreoffice-writer-nogui)"
    assert shutil.which("pdftoppm"), "pdftoppm is needed (poppler-utils)"
    path = export(coded, "bilaga2", fmt="docx", out=tmp_path / "b2.docx").path
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "b2.pdf"
    assert pdf.stat().st_size > 1000
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    page = mpimg.imread(tmp_path / "page-1.png")
    assert page.shape[1] > page.shape[0]   # landscape


def test_theme_counts_xlsx_shows_shares_as_percentages(coded, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(export(coded, "themes", out=tmp_path / "t.xlsx").path)["Per område"]
    header = [c.value for c in ws[1]]
    share = ws.cell(row=2, column=header.index("Andel") + 1)
    assert share.number_format == "0.0%" and 0 < share.value <= 1


def test_quotes_docx_and_a_layer_without_quotes_says_so(coded, tmp_path):
    report = export(coded, "quotes", fmt="docx", out=tmp_path / "c.docx")
    doc = Document(str(report.path))
    quote = next(p for p in doc.paragraphs if p.style.name == "Quote")
    assert quote.text == "Andel SIP med uppföljningsdatum\nDeltagare Skaraborg"
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == ["Samverkan", "SIP"]     # main theme, then its sub-theme
    assert report.rows == 1 and not report.warnings
    with coded.transaction() as s:
        codings.accept(s, 3, 4, "bertil")       # a layer with no quote
    empty = export(coded, "quotes", fmt="xlsx", out=tmp_path / "c.xlsx",
                   options=ExportOptions(layer="bertil"))
    assert empty.rows == 0 and "no unit in layer bertil is marked as a quote" in \
        " ".join(empty.warnings)


def test_a_long_compound_word_is_never_broken_inside_a_narrow_column(tmp_path):
    from themes import word
    frame = pd.DataFrame({"Huvudtema": ["Kompetensförsörjningsfrågor"],
                          "Subtema": ["Läkemedelsgenomgångsuppföljning"],
                          "Inlägg": ["Kort text " * 12], "GR": ["x"]})
    widths = word.fit_widths(frame, [3.5, 4.0, 10.8, 1.6])
    assert sum(widths) == pytest.approx(3.5 + 4.0 + 10.8 + 1.6)
    assert widths[0] > 3.5 and widths[1] > 4.0 and widths[2] < 10.8
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office and shutil.which("pdftotext"), "LibreOffice and poppler-utils are needed"
    doc = word._new_document("Prov", landscape=True)
    word._table(doc, frame, [3.5, 4.0, 10.8, 1.6], centred_from=3)
    word.save(doc, tmp_path / "w.docx")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "w.docx")],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "w.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Kompetensförsörjningsfrågor" in text and "Läkemedelsgenomgångsuppföljning" in text


def test_quotes_docx_with_a_transcript_quote_has_no_question(coded, tmp_path):
    """A transcript's units have no question: the quote is listed without "fråga" (it
    crashed on int(''))."""
    from coding import codes
    from corpus.ingest import ingest_file
    from corpus.models import Segment
    from tests.conftest import agreed

    (tmp_path / "t.txt").write_text("Talare 1  00:00:05\nVi följer upp SIP varje månad.\n",
                                    encoding="utf-8")
    ingest_file(coded, tmp_path / "t.txt")
    with coded.transaction() as s:
        turn = s.query(Segment).filter(Segment.text.like("Vi följer%")).first()
        agreed(s, turn.id, codes.find_code(s, "Samverkan > SIP").id, is_quote=True)
    report = export(coded, "quotes", fmt="docx", out=tmp_path / "q.docx")
    quotes = [p.text for p in Document(str(report.path)).paragraphs if p.style.name == "Quote"]
    assert "Vi följer upp SIP varje månad.\nDeltagare" in quotes
    assert "Andel SIP med uppföljningsdatum\nDeltagare Skaraborg" in quotes


def test_headers_that_cannot_all_fit_at_9_pt_are_set_smaller_never_broken(tmp_path):
    """Tabell 1's eight columns on a portrait page: at 9 pt the headers' words side by
    side are wider than the page ("Tjänstepe rsoner" broke), so the table is set smaller;
    rendered by LibreOffice, every header word is whole."""
    from themes import word
    headers = ["Område", "Workshop", "Politiker", "2:a linjens chefer", "1:a linjens chefer",
               "Tjänstepersoner", "Vårdpersonal", "Totalt"]
    frame = pd.DataFrame([["Skaraborg", "Digital", 1, 9, 10, 11, 7, 38]], columns=headers)
    widths = [3.0, 3.0, *[11.0 / 6] * 6]
    size = word.table_font(frame, widths)
    assert word.MIN_FONT_PT <= size < word.FONT_PT
    fitted = word.fit_widths(frame, widths, size)
    assert sum(fitted) == pytest.approx(17.0)
    assert all(w + 1e-6 >= word.word_cm(h.split()[-1]) * size / word.FONT_PT
               for w, h in zip(fitted, headers, strict=True))
    path = word.tables_docx({"Tabell 1": frame}, tmp_path / "t1.docx")
    office = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "t1.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    for header in ("Område", "Workshop", "Politiker", "Tjänstepersoner", "Vårdpersonal"):
        assert header in text, text
