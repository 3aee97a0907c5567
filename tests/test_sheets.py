import io
from dataclasses import replace
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from corpus.errors import InputError
from corpus.readers import ReadOptions
from corpus.readers import read_file as read_as_written
from tests.conftest import FIRST_AREAS, write_xlsx


def read_file(path, options: ReadOptions | None = None):
    """Read as an ingest into a project of the first study does: the reader knows the
    project's areas, and the labels it returns as written become the project's keys."""
    result = read_as_written(path, replace(options or ReadOptions(), areas=FIRST_AREAS))
    for note in result.notes:
        note.area = FIRST_AREAS.key_of(note.area) if note.area else None
    return result


def wide_rows():
    return [
        ["Fråga 1: Ge exempel på befintliga nyckeltal", None, None, None],
        [None, None, None, None],
        [None, "Borås ", "Göteborgsregionen", "VGR"],
        [None, "Antal SIP x2", "Återinläggningar  ", "Undvikbar slutenvård"],
        [None, None, None, None],
        [None, "Fallskador   bland äldre", None, 1177],
        [None, None, "Väntetid (3)", None],
    ]


def test_wide_layout_with_merged_title_marks_blank_rows_and_numbers(tmp_path):
    path = write_xlsx(tmp_path / "lappar.xlsx", {"Blad1": wide_rows()}, {"Blad1": ["A1:D1"]})
    result = read_file(path)
    sheet = result.sheets[0]
    assert (sheet.layout, sheet.question) == ("wide", 1)
    assert sheet.question_text.startswith("Fråga 1")
    notes = {(n.area, n.text): n.duplicate_count for n in result.notes}
    assert notes == {
        ("boras", "Antal SIP"): 2, ("gr", "Återinläggningar"): 1,
        ("vgr", "Undvikbar slutenvård"): 1, ("boras", "Fallskador bland äldre"): 1,
        ("vgr", "1177"): 1, ("gr", "Väntetid"): 3,
    }
    assert sheet.notes_per_area == {"Borås": 2, "GR": 2, "VGR": 2}
    assert sheet.duplicate_marks == 2


def test_merged_area_header_names_every_column_it_spans(tmp_path):
    rows = [["Borås", None, "GR"], ["lapp ett", "lapp två", "lapp tre"]]
    path = write_xlsx(tmp_path / "f2.xlsx", {"Fråga 2": rows}, {"Fråga 2": ["A1:B1"]})
    notes = read_file(path).notes
    assert [(n.area, n.text, n.question) for n in notes] == [
        ("boras", "lapp ett", 2), ("boras", "lapp två", 2), ("gr", "lapp tre", 2)]


def test_a_count_column_reads_every_form_of_mark(tmp_path):
    """A count column as people type it: a number, "x2", "2 st", "(2)", "[3]", "2x",
    "(dubblett)": the same marks a note's own cell may carry."""
    rows = [["Område", "Inlägg", "Antal"],
            ["GR", "ett", "x2"], ["GR", "två", "(2)"], ["GR", "tre", "2 st"],
            ["GR", "fyra", "[3]"], ["GR", "fem", "2x"], ["GR", "sex", "4"],
            ["GR", "sju", "(två)"], ["GR", "åtta", "(dubblett)"], ["GR", "nio", "3.0"],
            ["GR", "tio", "tre"], ["GR", "elva", "många"], ["GR", "tolv", "?"]]
    path = write_xlsx(tmp_path / "antal.xlsx", {"F1": rows})
    result = read_file(path)
    assert [(n.text, n.duplicate_count) for n in result.notes] == [
        ("ett", 2), ("två", 2), ("tre", 2), ("fyra", 3), ("fem", 2), ("sex", 4), ("sju", 2),
        ("åtta", 2), ("nio", 3), ("tio", 3), ("elva", 1), ("tolv", 1)]
    # a count it cannot read is said, not silently one
    assert result.warnings == ["sheet 'F1', C12, C13: not a count, a whole number from 1 "
                               "('många', '?'); the note(s) count once"]


def test_long_layout_fills_merged_area_down_and_reads_counts_stored_as_text(tmp_path):
    rows = [
        ["Fråga 2 – vad saknas?"], [],
        ["Område", "Inlägg", "Antal"],
        ["Skaraborg", "Vårdtyngd", "2"],
        [None, "Kostnad per patient", None],
        [],
        ["Fyrbodal", "Gemensam data x3", None],
        ["Kungälv", "Okänt område", None],
    ]
    path = write_xlsx(tmp_path / "long.xlsx", {"F2": rows}, {"F2": ["A4:A5"]})
    result = read_file(path)
    assert result.sheets[0].layout == "long"
    got = [(n.area, n.text, n.duplicate_count, n.question) for n in result.notes]
    assert got == [("skaraborg", "Vårdtyngd", 2, 2), ("skaraborg", "Kostnad per patient", 1, 2),
                   ("fyrbodal", "Gemensam data", 3, 2), (None, "Okänt område", 1, 2)]
    # an area the project does not know is passed on as written (the ingest learns it,
    # or refuses the file where the project's list is fixed): the note is kept
    assert read_as_written(path).notes[-1].area == "Kungälv"
    assert result.sheets[0].notes_per_area["Kungälv"] == 1
    assert not any("Kungälv" in s for s in result.sheets[0].skipped)


def test_a_blank_area_cell_takes_the_area_above_and_says_so(tmp_path):
    """Grouped sheets write an area once per block: the notes below take it, and the
    reader names those cells, so a note whose area was forgotten is seen; a merged area
    cell is written, not blank."""
    rows = [["Område", "Inlägg"], ["GR", "ett"], [None, "två"], [None, "tre"],
            ["VGR", "fyra"], [None, "fem"], [None, "sex"]]
    path = write_xlsx(tmp_path / "block.xlsx", {"F1": rows}, {"F1": ["A5:A6"]})
    result = read_as_written(path)
    assert [(n.area, n.text) for n in result.notes] == [
        ("GR", "ett"), ("GR", "två"), ("GR", "tre"), ("VGR", "fyra"), ("VGR", "fem"),
        ("VGR", "sex")]
    assert result.warnings == [
        "sheet 'F1', A3, A4: no area written; the note(s) took GR, the area written above them",
        "sheet 'F1', A7: no area written; the note(s) took VGR, the area written above them"]
    assert result.warnings[1].swedish() == (
        "bladet F1, A7: inget område angivet; lapparna fick VGR, området som står ovanför dem")


def test_a_blank_area_where_every_row_writes_its_own_is_no_one_s(tmp_path):
    """A sheet that writes the kommun and the question on every row ("Örebro", "Örebro",
    …): a kommun left blank on a row that writes its question was left out, not "same as
    above"; the note has no area and the sheet says so. A bare row (every grouping cell
    blank) continues its block, though the group column repeats ("Chefer", "Chefer")."""
    rows = [["Kommun", "Fråga", "Lapp"], ["Örebro", 1, "ett"], ["Örebro", 1, "två"],
            [None, 2, "tre"], ["Lindesberg", 2, "fyra"], ["Lindesberg", 2, "fem"]]
    result = read_as_written(write_xlsx(tmp_path / "lappar.xlsx", {"Svar": rows}))
    assert [(n.area, n.question, n.text) for n in result.notes] == [
        ("Örebro", 1, "ett"), ("Örebro", 1, "två"), (None, 2, "tre"),
        ("Lindesberg", 2, "fyra"), ("Lindesberg", 2, "fem")]
    assert result.warnings == [
        "sheet 'Svar', A4: no area written in the area column (it is not \"same as above\" "
        "where the rows write their own): the note(s) have none; write it there"]
    blocks = [["Område", "Grupp", "Inlägg"], ["Kungälv", "Politiker", "a"], [None, None, "b"],
              ["Tjörn", "Chefer", "c"], ["Orust", "Chefer", "d"], [None, None, "e"]]
    notes = read_as_written(write_xlsx(tmp_path / "block.xlsx", {"Fråga 1": blocks})).notes
    assert [(n.area, n.group) for n in notes] == [
        ("Kungälv", "Politiker"), ("Kungälv", "Politiker"), ("Tjörn", "Chefer"),
        ("Orust", "Chefer"), ("Orust", "Chefer")]


@pytest.mark.parametrize(("header", "said"), [
    (["Komun", "Lap"], "cells A1, B1: the headers 'Komun', 'Lap' read like 'Kommun', 'Lapp'"),
    (["Kommun", "Lap"], "cell B1: the header 'Lap' reads like 'Lapp'"),
    (["Omrde", "Inlägg"], "cell A1: the header 'Omrde' reads like 'Område'")])
def test_a_misspelled_header_is_refused_naming_its_cell(tmp_path, header, said):
    """'Komun' and 'Lap' were read as two new areas, the kommun names as their notes
    (exit 0); a header a letter off a known one is refused, naming the cell (all of them
    at once); an inflected one ("Lappar") is read."""
    rows = [header, ["Örebro", "Fler träffpunkter"], ["Karlskoga", "Bättre anhörigstöd"]]
    path = write_xlsx(tmp_path / "lappar.xlsx", {"Fråga 1": rows})
    with pytest.raises(InputError) as caught:
        read_as_written(path)
    assert caught.value.code == "E117"
    assert f"lappar.xlsx: sheet 'Fråga 1', {said} misspelled" in str(caught.value)
    # areas a letter off a header, and inflected headers, are read as before
    fine = [["Kommunen", "Regionen"], ["Fler träffpunkter", "Bättre anhörigstöd"]]
    notes = read_as_written(write_xlsx(tmp_path / "w.xlsx", {"Fråga 1": fine})).notes
    assert [(n.area, n.text) for n in notes] == [("Kommunen", "Fler träffpunkter"),
                                                  ("Regionen", "Bättre anhörigstöd")]
    inflected = [["Kommunen", "Frågan", "Lappar"], ["Umeå", "2", "Längre öppettider"]]
    notes = read_as_written(write_xlsx(tmp_path / "b.xlsx", {"Blad1": inflected})).notes
    assert [(n.area, n.question, n.text) for n in notes] == [("Umeå", 2, "Längre öppettider")]
    if header == ["Komun", "Lap"]:     # --layout wide: the columns are areas, as said
        assert len(read_as_written(path, ReadOptions(layout="wide")).notes) == 4


def test_long_layout_with_a_question_column(tmp_path):
    rows = [["Fråga", "Område", "Text"], ["1", "GR", "a"], ["3.0", "VGR", "b"], [None, None, "c"]]
    notes = read_file(write_xlsx(tmp_path / "alla.xlsx", {"Data": rows})).notes
    assert [(n.question, n.area, n.text) for n in notes] == [
        (1, "gr", "a"), (3, "vgr", "b"), (3, "vgr", "c")]
    sheet = read_file(write_xlsx(tmp_path / "alla.xlsx", {"Fråga 1": rows})).sheets[0]
    assert (sheet.question, sheet.questions) == (1, [1, 3])   # the notes', not the name's
    # "F2" in the column is question 2 (a sheet's name says so too); a cell the reader
    # cannot read is refused, not given the question the file's name seemed to give
    path = tmp_path / "f10_lappar.csv"
    path.write_text("Fråga;Område;Text\nF2;GR;d\n", encoding="utf-8")
    assert [n.question for n in read_file(path).notes] == [2]
    path.write_text("Fråga;Område;Text\nse ovan;GR;d\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cell A2: the Fråga column says 'se ovan'"):
        read_file(path)


def test_one_workbook_three_question_sheets_and_an_instruction_sheet(tmp_path):
    sheets = {
        "Läs mig": [["Här finns lapparna från alla workshoppar, en per cell."]],
        "Fråga 1": [["Borås", "GR"], ["a", "b"]],
        "F2": [["Borås", "GR"], ["c", None]],
        "Q3": [["Borås", "GR"], [None, "d"]],
        "Tomt": [],
    }
    result = read_file(write_xlsx(tmp_path / "wb.xlsx", sheets))
    assert [(n.question, n.text) for n in result.notes] == [(1, "a"), (1, "b"), (2, "c"), (3, "d")]
    skipped = {s.name: s.skipped for s in result.sheets if s.layout == "skipped"}
    assert set(skipped) == {"Läs mig", "Tomt"}


def test_hidden_sheets_are_skipped_and_reported(tmp_path):
    sheets = {"Fråga 1": [["Borås"], ["a"]], "Fråga 2": [["GR"], ["gömd"]]}
    result = read_file(write_xlsx(tmp_path / "h.xlsx", sheets, hidden=("Fråga 2",)))
    assert [n.text for n in result.notes] == ["a"]
    assert result.sheets[1].skipped == ["hidden sheet"]


def test_overrides_question_area_and_list_layout(tmp_path):
    rows = [["Vårdtyngd"], ["Kontinuitet", "SIP x2"]]
    path = write_xlsx(tmp_path / "boras.xlsx", {"Blad1": rows})
    with pytest.raises(InputError, match="give --area"):
        read_file(path)
    result = read_file(path, ReadOptions(question=3, area="boras"))
    assert result.sheets[0].layout == "list"
    assert [(n.text, n.area, n.question, n.duplicate_count) for n in result.notes] == [
        ("Vårdtyngd", "boras", 3, 1), ("Kontinuitet", "boras", 3, 1), ("SIP", "boras", 3, 2)]


def test_a_sheet_without_a_question_asks_for_one(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"Blad1": [["Borås", "GR"], ["a", "b"]]})
    with pytest.raises(InputError, match="--question N") as info:
        read_file(path)
    assert info.value.line().startswith("x.xlsx: ")
    assert [n.question for n in read_file(path, ReadOptions(question=2)).notes] == [2, 2]


def test_a_question_sheet_with_headers_but_no_notes_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "tom.xlsx", {"Fråga 1": [["Borås", "GR", "VGR"]]})
    with pytest.raises(InputError, match="no notes below its headers"):
        read_file(path)


def test_csv_long_layout_with_semicolons_and_bom(tmp_path):
    path = tmp_path / "fraga3.csv"
    path.write_bytes("Område;Inlägg\nGR;Andel med fast läkarkontakt\nVGR;Tid på akuten x2\n"
                     .encode("utf-8-sig"))
    result = read_file(path)
    assert [(n.area, n.text, n.question, n.duplicate_count) for n in result.notes] == [
        ("gr", "Andel med fast läkarkontakt", 3, 1), ("vgr", "Tid på akuten", 3, 2)]


def test_padlet_export(tmp_path):
    path = tmp_path / "padlet.csv"
    path.write_text(
        "Subject,Body,Author,Section,Created At\n"
        "Vårdtyngd,Vi saknar ett mått på vårdtyngd,Lena Berg,Fråga 2 – Vad saknas?,2025-03-12\n"
        ",Antal SIP,Mats Öberg,Fråga 1,2025-03-12\n", encoding="utf-8")
    result = read_file(path)
    assert result.kind == "padlet"
    assert [(n.text, n.question, n.author) for n in result.notes] == [
        ("Vårdtyngd. Vi saknar ett mått på vårdtyngd", 2, "Lena Berg"),
        ("Antal SIP", 1, "Mats Öberg")]


def test_survey_comments_pick_the_free_text_column(tmp_path):
    rows = [["ID", "Starttid", "Område", "Vilken information saknar du (fråga 2)?"],
            [1, "2025-03-01", "Fyrbodal", "Uppgifter om anhörigas insatser"],
            [2, "2025-03-01", "GR", None],
            [3, "2025-03-02", "GR", "Kostnad per vårdkedja"]]
    result = read_file(write_xlsx(tmp_path / "enkat.xlsx", {"Svar": rows}))
    assert result.kind == "survey"
    assert [(n.area, n.text, n.question) for n in result.notes] == [
        ("fyrbodal", "Uppgifter om anhörigas insatser", 2), ("gr", "Kostnad per vårdkedja", 2)]


def test_a_survey_with_several_free_text_questions_reads_every_one(tmp_path):
    """A form export with two open questions: only the column with the most text was read
    and the other's answers were lost, unsaid; now each is a note of its question."""
    rows = [["ID", "Starttid", "Kommun", "Fråga 1: Vad fungerar bra i dag?",
             "Fråga 2: Vad behöver förändras?", "Övriga synpunkter"],
            [1, "2025-03-01", "Örebro", "Träffpunkterna", "Fler hembesök (2)", None],
            [2, "2025-03-01", "Örebro", None, "Tid för samtal", "Bra enkät"],
            [3, "2025-03-02", "Karlskoga", "Anhörigcaféet", None, None]]
    result = read_as_written(write_xlsx(tmp_path / "enkat.xlsx", {"Svar": rows}))
    # a column of answers without a question heading is not read, and said so
    assert result.warnings == [
        "sheet 'Svar', F1: column(s) with text not read as notes ('Övriga synpunkter'); a "
        "column of answers is read when its heading is a question ('Fråga N: …')"]
    assert result.kind == "survey"
    assert [(n.area, n.text, n.question, n.duplicate_count) for n in result.notes] == [
        ("Örebro", "Träffpunkterna", 1, 1), ("Örebro", "Fler hembesök", 2, 2),
        ("Örebro", "Tid för samtal", 2, 1), ("Karlskoga", "Anhörigcaféet", 1, 1)]
    assert result.sheets[0].question_texts == {1: "Fråga 1: Vad fungerar bra i dag?",
                                               2: "Fråga 2: Vad behöver förändras?"}


def test_a_column_per_question_takes_the_numbers_of_the_project_s_question_texts(tmp_path):
    """A summary sheet with a row per kommun and group and a column per question, headed
    by the question's words as qda.toml states them: every cell is a note of its question;
    without the texts the first unnumbered question is refused, naming its cell; a title
    merged over the columns is no question column."""
    asked = {1: "Vad fungerar bra i dag?", 2: "Vilka hinder ser ni?"}
    rows = [["Kommun", "Grupp", "Vad fungerar bra i dag?", "Vilka hinder ser ni?"],
            ["Örebro", "Anhöriga", "Grannar som ringer", None],
            ["Lindesberg", "Politiker", "Öppna träffar", "Långa avstånd"]]
    path = write_xlsx(tmp_path / "sammanstallning.xlsx", {"Sammanställning": rows})
    result = read_as_written(path, ReadOptions(questions=asked))
    assert result.sheets[0].layout == "questions" and result.kind == "postits"
    assert [(n.area, n.group, n.question, n.text) for n in result.notes] == [
        ("Örebro", "Anhöriga", 1, "Grannar som ringer"),
        ("Lindesberg", "Politiker", 1, "Öppna träffar"),
        ("Lindesberg", "Politiker", 2, "Långa avstånd")]
    with pytest.raises(InputError) as caught:
        read_as_written(path)
    assert caught.value.code == "E116" and "sheet 'Sammanställning', cells C1, D1: the " \
        "questions 'Vad fungerar bra i dag?', 'Vilka hinder ser ni?' have no number" \
        in str(caught.value)
    titled = [["Fråga 1: Vad fungerar bra i dag?", None, None], ["Område", "Inlägg", None],
              ["Lerum", "Fast vårdkontakt", None]]
    book = write_xlsx(tmp_path / "titel.xlsx", {"Fråga 1": titled}, {"Fråga 1": ["A1:C1"]})
    assert [(n.question, n.text) for n in read_as_written(book).notes] == [
        (1, "Fast vårdkontakt")]


@pytest.mark.parametrize("content,reason", [
    (b"PK\x03\x04 not really a zip", "corrupt or not Excel"),
    (b"just some text", "corrupt or not Excel"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 512, "old .xls"),
    (b"", "empty"),
])
def test_broken_workbooks_give_one_line(tmp_path, content, reason):
    path = tmp_path / "trasig.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as info:
        read_file(path)
    assert info.value.line().startswith("trasig.xlsx: ") and "\n" not in info.value.line()


def test_password_protected_workbook(tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", {"Fråga 1": [["GR"], ["a"]]})
    encrypted = io.BytesIO()
    with plain.open("rb") as handle:
        office = OOXMLFile(handle)
        office.encrypt("hemligt", encrypted)
    path = tmp_path / "lösen.xlsx"
    path.write_bytes(encrypted.getvalue())
    with pytest.raises(InputError, match="password-protected"):
        read_file(path)


@pytest.mark.parametrize("name,reason", [
    ("notes.xls", "save it as .xlsx"), ("notes.pdf", "PDF is not read"),
    ("notes.odt", "unknown file type '.odt'"), ("README", "unknown file type"),
])
def test_unknown_extensions(tmp_path, name, reason):
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(InputError, match=reason):
        read_file(Path(path))


def test_a_comma_csv_whose_notes_hold_semicolons_is_read_by_commas(tmp_path):
    from corpus.readers.grid import read_csv

    path = tmp_path / "notes.csv"
    path.write_text('Område,Inlägg\nGR,"Väntetid; telefon; besök"\nVGR,"A; B"\n'
                    'Borås,Kostnad\n', encoding="utf-8")
    assert read_csv(path).rows[1] == ["GR", "Väntetid; telefon; besök"]
    path.write_text("Område;Inlägg\nGR;Väntetid, telefon\nVGR;Kostnad\n", encoding="utf-8")
    assert read_csv(path).rows[1] == ["GR", "Väntetid, telefon"]


def test_an_unquoted_delimiter_in_a_csv_note_is_joined_back_and_said(tmp_path):
    """Swedish Excel's ';' CSV with a ';' inside a note that nobody quoted: the note is
    not cut short without a word."""
    path = tmp_path / "lappar.csv"
    path.write_text("Område;Inlägg\nGR;Antal SIP per månad; följs upp kvartalsvis\n"
                    "VGR;Väntetid\n", encoding="utf-8")
    result = read_file(path, ReadOptions(question=1))
    assert [n.text for n in result.notes] == ["Antal SIP per månad; följs upp kvartalsvis",
                                              "Väntetid"]
    assert result.warnings == ["sheet 'lappar', B2: the note held a ';' without quotes; its "
                               "parts were joined"]


def test_a_cell_beyond_the_header_in_a_workbook_is_reported(tmp_path):
    path = write_xlsx(tmp_path / "lappar.xlsx", {"Fråga 1": [
        ["Område", "Inlägg"], ["GR", "Antal SIP", "glömd lapp"], ["VGR", "Väntetid"]]})
    result = read_file(path)
    assert [n.text for n in result.notes] == ["Antal SIP", "Väntetid"]
    assert result.sheets[0].skipped == ["sheet 'Fråga 1', C2: outside the columns ('glömd lapp')"]


def test_an_unknown_area_is_no_warning_per_cell_but_counted_for_the_ingest_to_learn(tmp_path):
    """Twelve notes of an area the project did not know were twelve warnings and no area;
    now the label is passed on and the ingest reports it once ("nytt område")."""
    rows = [["Område", "Inlägg"], *[["Halland", f"Lapp {i}"] for i in range(12)],
            ["GR", "Antal SIP"], ["Mars", "Lapp"]]
    path = write_xlsx(tmp_path / "lappar.xlsx", {"Fråga 1": rows})
    result = read_file(path)
    assert len(result.notes) == 14 and result.warnings == []
    assert result.sheets[0].notes_per_area == {"Halland": 12, "GR": 1, "Mars": 1}
