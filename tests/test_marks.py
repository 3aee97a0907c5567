import pytest

from corpus.readers.marks import mark_only, split_mark


@pytest.mark.parametrize("raw,text,count", [
    ("Egenvårdsbeslut x2", "Egenvårdsbeslut", 2),
    ("Egenvårdsbeslut X 3", "Egenvårdsbeslut", 3),
    ("Antal SIP (2)", "Antal SIP", 2),
    ("Antal SIP (x4)", "Antal SIP", 4),
    ("Antal SIP  2 st", "Antal SIP", 2),
    ("Antal SIP, 3st.", "Antal SIP", 3),
    ("Väntetider 2x", "Väntetider", 2),
    ("x2: Andel med SIP", "Andel med SIP", 2),
    ("Väntetider till vårdcentral (dubblett)", "Väntetider till vårdcentral", 2),
    ("Väntetider (Dubbel)", "Väntetider", 2),
    ("Antal hembesök (2 st)", "Antal hembesök", 2),
    ("Andel med SIP [trippel]", "Andel med SIP", 3),
    ("Väntetider (två)", "Väntetider", 2),
    ("Antal hembesök [tre st]", "Antal hembesök", 3),
])
def test_marks_become_counts(raw, text, count):
    assert split_mark(raw) == (text, count)


@pytest.mark.parametrize("raw", [
    "Covid-19", "Antal 2", "Besök per 1000 invånare", "Lag (2017:612)", "x2",
    "Kvalitetsregister (t.ex. Senior Alert)", "1177",
    "Kontaktperson på varje enhet, minst 2 st", "Hembesök högst 3 ggr", "Läkare ca 2 st",
    "Besök mer än 4 gånger", "Uppföljning per 2 st", "(dubblett)",
    "Ingen dubbel dokumentation", "Risk för dubbel", "Sex och samlevnad", "Alla tre",
])
def test_text_without_a_mark_is_left_alone(raw):
    assert split_mark(raw) == (raw, None)


def test_mark_only_cells():
    assert mark_only("x2") == 2
    assert mark_only("(3 st)") == 3
    assert mark_only("2x") == 2
    assert mark_only("Antal") is None
    assert mark_only("(dubblett)") == 2 and mark_only("dubblett") == 2
    assert mark_only("dubbeldokumentation") is None
    assert mark_only("(2)") == 2 and mark_only("[3]") == 3 and mark_only("2 gånger") == 2
    assert mark_only("2") is None and mark_only("1177") is None   # a bare number is a note
    assert mark_only("(två)") == 2 and mark_only("tre st") == 3
    assert mark_only("Sex") is None and mark_only("två") is None   # a word alone is a note


def test_a_bracketed_number_beside_a_note_in_a_wide_sheet_counts_it(tmp_path):
    from corpus.readers import read_file
    from tests.conftest import write_xlsx

    path = write_xlsx(tmp_path / "w.xlsx", {"Fråga 1": [
        ["GR", "VGR"], ["Väntetider", "(2)"], ["Kontinuitet", "Antal SIP"]]})
    assert [(n.text, n.duplicate_count) for n in read_file(path).notes] == [
        ("Väntetider", 2), ("Kontinuitet", 1), ("Antal SIP", 1)]


def test_a_dubblett_mark_in_a_workbook_is_counted_and_stripped(tmp_path):
    from corpus.readers import ReadOptions, read_file
    from tests.conftest import write_xlsx

    path = write_xlsx(tmp_path / "w.xlsx", {"Fråga 1": [
        ["GR", "VGR"], ["Väntetider (dubblett)", "Antal SIP"], ["Kontinuitet", None]]})
    result = read_file(path, ReadOptions())
    texts = {n.text: n.duplicate_count for n in result.notes}
    assert texts == {"Väntetider": 2, "Antal SIP": 1, "Kontinuitet": 1}
    assert result.sheets[0].duplicate_marks == 1
