"""Theme tables and their writers: bilaga 2 groups and merges as the report prints it, files
re-read with openpyxl, formulas never evaluated, layers chosen explicitly."""

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from coding import codes, codings
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import Segment
from corpus.readers import ReadOptions
from corpus.workshops import add_workshop
from qda import app
from reports.run import export
from tests.conftest import BILAGA2_COLUMNS, agreed
from themes import tables
from themes.layers import resolve_layer

from .conftest import SMALL_BOOK, THEMED_NOTES, acting

BOOK = SMALL_BOOK
NOTES = THEMED_NOTES
def test_bilaga2_groups_in_codebook_order_and_merges_the_same_notes(coded):
    with coded.session() as s:
        table = tables.bilaga2(s, resolve_layer(s))[2]
    assert list(table.columns[:8]) == BILAGA2_COLUMNS
    rows = table[BILAGA2_COLUMNS].values.tolist()
    assert rows == [
        ["Samverkan", "SIP", "Antal SIP per 1000 invånare", "x", "", "x", "", ""],
        ["Samverkan", "SIP", "Andel SIP med uppföljningsdatum", "", "", "", "x", ""],
        ["Samverkan", "Tillit", "=Tillit mellan huvudmännen", "", "", "x", "", ""],
        ["Tillgänglighet", "", "Telefontillgänglighet", "", "", "x", "", ""],
        ["Tillgänglighet", "Primärvården",
         "Väntetider till vårdcentralen; Väntetid till vårdcentralen", "", "x", "", "", "x"],
    ]
    assert table["antal"].tolist() == [2, 1, 1, 1, 3]   # the x2 mark is kept as a count
    with coded.session() as s:
        strict = tables.bilaga2(s, resolve_layer(s), threshold=1.0)[2]
    assert len(strict) == 6   # only the exact (normalised) duplicate is merged
    with coded.session() as s:
        loose = tables.bilaga2(s, resolve_layer(s), threshold=0.0)[2]
    assert loose["Inlägg"].tolist()[0] == "Antal SIP per 1000 invånare; " \
        "Andel SIP med uppföljningsdatum"   # merging never crosses a sub-theme


def test_bilaga2_xlsx_merges_groups_centres_marks_and_never_writes_a_formula(coded, tmp_path):
    path = export(coded, "bilaga2", out=tmp_path / "b2.xlsx").path
    ws = load_workbook(path)["Fråga 2"]
    assert ws["A1"].value == "Fråga 2"     # the CSV states no question text
    assert [c.value for c in ws[2]] == BILAGA2_COLUMNS
    assert all(c.font.bold for c in ws[2]) and ws.freeze_panes == "A3"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A5", "B3:B4", "A6:A7"} <= merged
    assert ws["D3"].value == "x" and ws["D3"].alignment.horizontal == "center"
    assert ws["C5"].value == "=Tillit mellan huvudmännen" and ws["C5"].data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert ws["C3"].alignment.wrap_text and ws.page_setup.orientation == "landscape"


def test_csv_has_a_bom_and_neutralised_cells_and_md_prints_groups_once(coded, tmp_path):
    csv = export(coded, "bilaga2", out=tmp_path / "b2.csv").path
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "Fråga,Huvudtema,Subtema,Inlägg,Borås,Fyrbodal,GR,Skaraborg,VGR"
    assert "'=Tillit mellan huvudmännen" in text
    md = export(coded, "bilaga2", "md", out=tmp_path / "b2.md").path.read_text("utf-8")
    lines = [line for line in md.splitlines() if line.startswith("| ")]
    assert lines[1].startswith("| Samverkan | SIP | Antal SIP per 1000 invånare | x |")
    assert lines[2].startswith("|  |  | Andel SIP") and lines[3].startswith("|  | Tillit |")


def test_theme_counts_and_quotes(coded):
    with coded.session() as s:
        layer = resolve_layer(s)
        counts = tables.theme_counts(s, layer, "area")
        quoted = tables.quotes(s, layer)
    samverkan = counts[(counts.Huvudtema == "Samverkan") & (counts.Subtema == "")].iloc[0]
    assert samverkan["Totalt"] == 4 and samverkan["GR"] == 2
    assert samverkan["Andel"] == round(4 / 7, 4)
    sip = counts[counts.Subtema == "SIP"].iloc[0]
    assert (sip["Borås"], sip["GR"], sip["VGR"], sip["Skaraborg"]) == (1, 1, 0, 1)
    assert quoted[["Citat", "Källa", "Fråga"]].values.tolist() == [
        ["Andel SIP med uppföljningsdatum", "Deltagare Skaraborg", 2]]


def test_report_units_and_shares_speak_the_report_s_words(coded, tmp_path):
    """For notebooks: areas by their labels and long names, questions as integers, and
    each theme's share of an area's coded units without computing it by hand."""
    (tmp_path / "samtal.txt").write_text(
        "Talare 1  00:00:01\nVi behöver gemensam SIP för de äldre.\n", encoding="utf-8")
    ingest_file(coded, tmp_path / "samtal.txt", ReadOptions())
    with coded.transaction() as s:
        turn = s.scalar(select(Segment.id).where(Segment.kind == "sentence"))
        agreed(s, turn, codes.find_code(s, "Samverkan > SIP").id)
    with coded.session() as s:
        layer = resolve_layer(s)
        units = tables.report_units(s, layer)
        keyed = tables.themed_units(s, layer)
        counts = tables.theme_counts(s, layer, "area")
        shares = tables.theme_counts(s, layer, "area", shares=True)
    assert str(units["Fråga"].dtype) == "Int64"
    assert set(units["Fråga"].dropna()) == {int(q) for q in keyed.question.dropna()}
    assert units["Fråga"].isna().sum() == 1 and set(units.Typ) == {"Inlägg", "Transkript"}
    assert set(units["Område"].dropna()) <= {"Borås", "Fyrbodal", "GR", "Skaraborg", "VGR"}
    assert "Göteborgsregionen" in set(units["Område (långt namn)"])
    assert len(units) == len(keyed)
    # a share is the count over the column's coded units, counted here from the units
    per_area = units.groupby(units["Område"].fillna("Inget område")).segment_id.nunique()
    for area, base in per_area.items():
        expected = (counts[area] / base).round(4).tolist()
        assert shares[area].tolist() == expected, area
    assert shares["Totalt"].tolist() == counts["Totalt"].tolist()


def test_per_question_columns_add_up_to_the_total_with_transcripts_of_no_question(
        coded, tmp_path):
    (tmp_path / "samtal.txt").write_text(
        "Talare 1  00:00:01\nVi behöver gemensam SIP för de äldre.\n", encoding="utf-8")
    ingest_file(coded, tmp_path / "samtal.txt", ReadOptions())
    with coded.transaction() as s:
        sentence = s.scalar(select(Segment.id).where(Segment.kind == "sentence"))
        agreed(s, sentence, codes.find_code(s, "Samverkan > SIP").id)
    with coded.session() as s:
        counts = tables.theme_counts(s, resolve_layer(s), "question")
        by_area = tables.theme_counts(s, resolve_layer(s), "area")
    assert list(counts.columns) == ["Huvudtema", "Subtema", "Fråga 2", "Ingen fråga",
                                    "Totalt", "Andel"]
    assert (counts["Fråga 2"] + counts["Ingen fråga"] == counts["Totalt"]).all()
    sip = counts[counts.Subtema == "SIP"].iloc[0]
    assert (sip["Fråga 2"], sip["Ingen fråga"], sip["Totalt"]) == (3, 1, 4)
    areas = [c for c in by_area.columns if c not in ("Huvudtema", "Subtema", "Totalt", "Andel")]
    assert "Inget område" in areas
    assert (by_area[areas].sum(axis=1) == by_area["Totalt"]).all()


def test_layers_are_explicit_when_the_choice_is_not_obvious(project, coded):
    with coded.transaction() as s:
        codings.accept(s, 2, codes.find_code(s, "Samverkan > Tillit").id, "bertil")
    with coded.session() as s:
        assert resolve_layer(s).coder == "slutlig"
        assert resolve_layer(s, "konsensus").coder == "konsensus"
        assert resolve_layer(s, "bertil").coder == "bertil"
        with pytest.raises(QdaError, match="no accepted codings by 'cecilia'"):
            resolve_layer(s, "cecilia")
    result = CliRunner().invoke(app, ["export", "bilaga2", "-p", str(coded.root),
                                      "--layer", "cecilia"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    bad = CliRunner().invoke(app, ["export", "bilaga2", "-p", str(coded.root), "-f", "pdf"])
    assert bad.exit_code == 1 and "bilaga2 can be written as xlsx, docx, csv, md" in bad.output


def test_the_final_layer_is_the_default_with_one_coder_or_two(project, tmp_path):
    """Issue 40 (3): no --layer needed with one coder or with two and no konsensus."""
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP\nVGR,Väntetid\n",
                                    encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, BOOK, acting("anna"))
        with pytest.raises(QdaError, match="no accepted codings yet"):
            resolve_layer(s)
        codings.accept(s, 1, codes.find_code(s, "Samverkan > SIP").id, "anna")
        assert resolve_layer(s).given == {"anna": 1}
        codings.accept(s, 2, codes.find_code(s, "Samverkan").id, "bertil")
        assert resolve_layer(s).given == {"anna": 1, "bertil": 1}
        with pytest.raises(QdaError, match="no konsensus layer yet"):
            resolve_layer(s, "konsensus")


def test_a_word_file_says_in_swedish_which_layers_it_drew_on(project, tmp_path):
    """The report's files speak Swedish: the note on which layer they come from too."""
    from docx import Document

    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP\n", encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, BOOK, acting("anna"))
        codings.accept(s, 1, codes.find_code(s, "Samverkan > SIP").id, "anna", is_quote=True)
    for what in ("quotes", "themes"):
        report = export(project, what, "docx", out=tmp_path / f"{what}.docx")
        text = "\n".join(p.text for p in Document(str(report.path)).paragraphs)
        assert "Kodningslager: slutlig (anna: 1 enhet)." in text
        assert "unit" not in text
        assert report.layer == "slutlig (anna: 1 unit)"     # the CLI's
        assert report.layer_sv == "slutlig (anna: 1 enhet)"
        assert report.given == {"anna": 1}


def test_tabell1_has_a_row_per_workshop_as_the_report_prints_it(project, tmp_path):
    """Two digital workshops of one area are two rows (they were summed into one, and a
    politicians-only workshop disappeared); areas by their long names, each once on the
    page, blanks for zero, a caption above and a comment line below."""
    add_workshop(project, label="GR digital", area="gr", format="digital", politicians=2,
                 officials=5)
    add_workshop(project, label="GR politiker", area="gr", format="digital", politicians=3)
    add_workshop(project, label="Borås fysisk", area="boras", format="fysisk",
                 first_line_managers=4)
    with project.session() as s:
        frame = tables.tabell1(s)
    assert frame[["Område", "Workshop", "Politiker", "Tjänstepersoner", "1:a linjens chefer",
                  "Totalt"]].values.tolist() == [
        ["Boråsregionen", "Fysisk", 0, 0, 4, 4],
        ["Göteborgsregionen", "Digital (GR digital)", 2, 5, 0, 7],
        ["Göteborgsregionen", "Digital (GR politiker)", 3, 0, 0, 3],
        ["Totalt", "", 5, 5, 4, 14]]
    shown = tables.tabell1_printed(frame)
    assert shown[["Område", "Politiker", "Totalt"]].values.tolist() == [
        ["Boråsregionen", "", 4], ["Göteborgsregionen", 2, 7], ["", 3, 3], ["Totalt", 5, 14]]
    md = export(project, "tabell1", "md", out=tmp_path / "t.md").path.read_text("utf-8")
    lines = md.splitlines()
    assert lines[0] == "**Tabell 1. Deltagare per område, workshop och deltagargrupp.**"
    assert lines[2].startswith("| Område | Workshop | Politiker |")
    assert "|  | Digital (GR politiker) | 3 |  |" in md
    assert lines[-1] == "*Kommentar: 3 workshoppar. En tom cell: ingen deltagare ur gruppen.*"
    csv = export(project, "tabell1", "csv", out=tmp_path / "t.csv").path.read_text("utf-8-sig")
    assert "Göteborgsregionen,Digital (GR politiker),3,0,0,3" in csv   # the data form
    sheet = load_workbook(export(project, "tabell1", "xlsx", out=tmp_path / "t.xlsx").path)
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][0].startswith("Tabell 1.") and rows[1][:3] == ("Område", "Workshop",
                                                                  "Politiker")
    assert rows[4][:3] == (None, "Digital (GR politiker)", 3) and rows[4][3] is None
    assert rows[-1][0].startswith("Kommentar: 3 workshoppar")
    doc = Document(str(export(project, "tabell1", "docx", out=tmp_path / "t.docx").path))
    assert doc.paragraphs[0].text.startswith("Tabell 1.") \
        and doc.paragraphs[0].style.name == "Caption"
    assert doc.paragraphs[-1].text.startswith("Kommentar:")
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[3][:3] == ["", "Digital (GR politiker)", "3"] and cells[1][2] == ""


def test_tabell1_names_the_workshops_without_participants(project):
    add_workshop(project, label="Lerum", area="gr", format="digital")
    with project.session() as s:
        frame = tables.tabell1(s)
    assert tables.tabell1_comment(frame).endswith(
        "Utan registrerade deltagare: Göteborgsregionen Digital.")


def test_tabell1_without_workshops_says_so_in_the_cli_and_the_report(project, tmp_path):
    """Tabell 1 counts registered workshops: with none, the file has headings only and the
    export says why instead of writing an empty table without a word."""
    report = export(project, "tabell1", "xlsx", out=tmp_path / "t.xlsx")
    assert report.rows == 0
    assert any("no workshops registered" in w for w in report.warnings)
    out = CliRunner().invoke(app, ["export", "tabell1", "-f", "md", "-o",
                                   str(tmp_path / "t.md"), "-p", str(project.root)])
    assert out.exit_code == 0 and "qda workshops add" in out.output, out.output
    add_workshop(project, acting("lena"), label="GR digital", area="gr", format="digital",
                 politicians=2)
    assert not export(project, "tabell1", "xlsx", out=tmp_path / "u.xlsx").warnings
