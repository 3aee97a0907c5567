"""Segments and codings out as tables, codings in from Excel and other tools."""

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coding import codes
from coding.codebook import read_codebook
from coding.exchange import codings_frame, export_codings, export_segments, import_codings
from corpus.errors import InputError
from corpus.ingest import ingest_file
from corpus.models import Coding
from corpus.readers import ReadOptions

from .conftest import acting


@pytest.fixture
def notes(project, tmp_path):
    (tmp_path / "n.csv").write_text(
        "Område,Inlägg\nGR,Kostnad per brukare\nVGR,Kostnad per brukare\nGR,=SUMMA(A1)\n"
        "Skaraborg,Antal SIP per år\n", encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    return project


def test_segments_export_xlsx_is_readable_and_formula_safe(notes, tmp_path):
    out = export_segments(notes, tmp_path / "seg.xlsx")
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("segment", "source", "kind", "question", "area", "group", "speaker",
                       "duplicates", "text")
    assert len(rows) == 5
    assert [r[7] for r in rows[1:]] == [1, 1, 1, 1]          # no duplicate marks
    texts = [r[8] for r in rows[1:]]
    assert "'=SUMMA(A1)" in texts and all(not str(t).startswith("=") for t in texts)
    assert ws.freeze_panes == "A2"


def test_import_by_text_and_theme_columns_creates_emergent_codes(notes, tmp_path):
    with notes.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("lead"))
    (tmp_path / "c.tsv").write_text(
        "text\thuvudtema\tsubtema\n"
        "Kostnad per brukare\tResursfördelning\tKostnader\n"
        "Antal SIP per år\tSamverkan\tNytt subtema\n"
        "Finns inte\tSamverkan\tSIP\n", encoding="utf-8")
    report = import_codings(notes, tmp_path / "c.tsv", coder="anna")
    assert report.codings == 3   # the first text is on two segments
    assert report.created_codes == ["Samverkan > Nytt subtema"]
    assert report.unmatched == ["row 4: no segment with that text"]
    frame = codings_frame(notes)
    assert sorted(frame["code"]) == ["Resursfördelning > Kostnader"] * 2 + [
        "Samverkan > Nytt subtema"]
    assert set(frame["coder"]) == {"anna"}
    with notes.session() as s:
        assert codes.find_code(s, "Samverkan > Nytt subtema").origin == "emergent"


def test_a_misspelled_code_or_a_file_naming_no_unit_is_refused_whole(notes, tmp_path):
    """'Samverkan > SIPP' became a new emergent code beside SIP, and a file whose rows
    named no unit exited 0 with '0 codings': both are refused, nothing written."""
    with notes.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("lead"))
        before = s.scalar(select(func.count()).select_from(codes.CodeRow))
    (tmp_path / "typo.tsv").write_text(
        "segment\tcode\tcoder\n4\tSamverkan > SIP\tanna\n1\tSamverkan > SIPP\tanna\n",
        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_codings(notes, tmp_path / "typo.tsv")
    assert caught.value.code == "E344" and str(caught.value).startswith(
        "typo.tsv: row 3: the code 'Samverkan > SIPP' is not in the codebook and reads like "
        "'Samverkan > SIP' misspelled")
    (tmp_path / "none.tsv").write_text("segment\tcode\tcoder\n98\tSamverkan > SIP\tanna\n"
                                       "99\tSamverkan\tanna\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"none.tsv: no row names a unit of the project "
                                         r"\(row 2: no segment 98\); nothing was imported"):
        import_codings(notes, tmp_path / "none.tsv")
    with notes.session() as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == 0
        assert s.scalar(select(func.count()).select_from(codes.CodeRow)) == before


def test_export_then_import_round_trips(notes, tmp_path):
    (tmp_path / "c.csv").write_text("segment,code,coder,citat\n1,A > B,anna,x\n4,C,bo,\n",
                                    encoding="utf-8")
    import_codings(notes, tmp_path / "c.csv")
    out = export_codings(notes, tmp_path / "out.xlsx")
    before = codings_frame(notes)
    with notes.transaction() as s:
        s.query(Coding).delete()
    report = import_codings(notes, out)
    assert report.codings == 2
    after = codings_frame(notes)
    assert after.to_dict("records") == before.to_dict("records")
    assert list(after["citat"]) == ["x", ""]


def test_bad_codings_file_writes_nothing(notes, tmp_path):
    (tmp_path / "bad.tsv").write_text("foo\tbar\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.tsv: needs a 'segment' or a 'text' column"):
        import_codings(notes, tmp_path / "bad.tsv", coder="anna")
    (tmp_path / "nocoder.tsv").write_text("segment\tcode\n1\tA\n", encoding="utf-8")
    with pytest.raises(InputError, match="give --coder"):
        import_codings(notes, tmp_path / "nocoder.tsv")
    with notes.session() as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == 0


def test_codings_csv_saved_by_excel_in_cp1252_imports(notes, tmp_path):
    (tmp_path / "excel.csv").write_bytes(
        "text,huvudtema,subtema,coder\nKostnad per brukare,Resursfördelning,Kostnader,åsa\n"
        .encode("cp1252"))
    report = import_codings(notes, tmp_path / "excel.csv")
    assert report.codings == 2 and report.coders == ["åsa"]
    assert set(codings_frame(notes)["code"]) == {"Resursfördelning > Kostnader"}


def test_codings_csv_from_swedish_excel_with_semicolons_imports(notes, tmp_path):
    # Swedish Excel writes ";" between the fields of a .csv
    (tmp_path / "svensk.csv").write_bytes(
        "text;huvudtema;subtema;coder\nKostnad per brukare;Resursfördelning;Kostnader;åsa\n"
        .encode("cp1252"))
    report = import_codings(notes, tmp_path / "svensk.csv")
    assert report.codings == 2 and report.coders == ["åsa"]


def test_a_turn_is_no_unit_for_an_import(project, tmp_path):
    """A one-sentence turn has the text of its sentence: only the sentence is coded (both
    would count the words twice); a turn named by id codes its sentences, as the app's run
    of sentences does."""
    (tmp_path / "t.txt").write_text("Moderator: Vad saknas?\nDeltagare: Tid. Och pengar.\n",
                                    encoding="utf-8")
    ingest_file(project, tmp_path / "t.txt", ReadOptions(question=1))
    with project.session() as s:
        from corpus.models import Segment

        turn = s.scalars(select(Segment).where(Segment.kind == "turn",
                                               Segment.text == "Tid. Och pengar.")).one()
    (tmp_path / "c.csv").write_text(f"text,segment,code\nVad saknas?,,Fråga\n,{turn.id},Tid\n",
                                    encoding="utf-8")
    report = import_codings(project, tmp_path / "c.csv", coder="anna")
    assert report.codings == 3 and report.unmatched == []
    frame = codings_frame(project)
    assert set(frame["kind"]) == {"sentence"}
    assert sorted(frame["text"]) == ["Och pengar.", "Tid.", "Vad saknas?"]
    # nor is it for a notebook's or the app's decision: the library refuses it too
    from coding.codings import accept
    from corpus.errors import QdaError

    with pytest.raises(QdaError, match="is a turn: decide its sentences") as refused, \
            project.transaction() as s:
        accept(s, turn.id, codes.find_code(s, "Fråga").id, "anna")
    assert refused.value.code == "E336"
    assert len(codings_frame(project)) == 3
