from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.errors import InputError
from corpus.readers import read_file
from corpus.readers.transcripts import (
    SPEAKER_LINES,
    lines_to_turns,
    parse_timestamp,
    split_title,
)
from tests.conftest import write_docx


def turns_of(text: str):
    return [(t.speaker, t.text, t.start_time) for t in lines_to_turns(text.splitlines())]


def test_talare_lines_with_text_below():
    text = "Workshop GR grupp 3\n\nTalare 1  00:00:05\nVälkomna.\nTalare 2  00:14:31\nJa.\nMm."
    assert turns_of(text) == [(None, "Workshop GR grupp 3", None), ("Talare 1", "Välkomna.", 5.0),
                              ("Talare 2", "Ja.\nMm.", 871.0)]
    title, turns = split_title(lines_to_turns(text.splitlines()))
    assert title == "Workshop GR grupp 3" and [t.speaker for t in turns] == ["Talare 1", "Talare 2"]


def test_name_colon_bracketed_time_keeps_the_time_out_of_the_text():
    text = ("Anna Svensson: [00:00:05] Välkomna allihop.\n"
            "Deltagare 3: [00:01:30] Sen tror jag att vi behöver mer.\n"
            "Moderator: (00:02:00) Inga förslag?\n"
            "[00:02:10] Person 2: Nej.\n"
            "Bo Ek (00:02:30): Ja.\n"
            "[00:02:40] och sen en sak till.\n"
            "Karin Berg: 0:03:05 Vi mäter.")
    assert turns_of(text) == [
        ("Anna Svensson", "Välkomna allihop.", 5.0),
        ("Deltagare 3", "Sen tror jag att vi behöver mer.", 90.0),
        ("Moderator", "Inga förslag?", 120.0), ("Person 2", "Nej.", 130.0),
        ("Bo Ek", "Ja.\noch sen en sak till.", 150.0), ("Karin Berg", "Vi mäter.", 185.0)]


def test_a_time_on_its_own_line_under_a_speaker_is_the_turns_time():
    assert turns_of("Anna Svensson:\n[00:04:00]\nVi följer upp SIP.") == [
        ("Anna Svensson", "Vi följer upp SIP.", 240.0)]


def test_a_clock_in_a_sentence_is_not_a_speaker_line():
    assert turns_of("Talare 1  00:00:05\nMötet: 10:00 börjar vi.\n(14:00) var det slut.") == [
        ("Talare 1", "Mötet: 10:00 börjar vi.\n(14:00) var det slut.", 5.0)]


def test_a_docx_heading_is_the_title_not_a_turn(tmp_path):
    doc = Document()
    doc.add_heading("Gruppdiskussion – nära vård", level=1)
    doc.add_paragraph("Anna Svensson: [00:00:05] Välkomna.")
    doc.add_paragraph("Deltagare 3: [00:01:30] Inga förslag från oss.")
    doc.save(str(tmp_path / "g.docx"))
    result = read_file(tmp_path / "g.docx")
    assert result.meta["title"] == "Gruppdiskussion – nära vård"
    assert [(t.speaker, t.text, t.start_time) for t in result.turns] == [
        ("Anna Svensson", "Välkomna.", 5.0), ("Deltagare 3", "Inga förslag från oss.", 90.0)]


def test_a_question_s_heading_or_a_moderator_putting_it_starts_its_part(tmp_path):
    """A transcript covering three questions: its units had no question and filled the
    theme tables' "Ingen fråga" column. A "Fråga N" heading, or the moderator starting a
    turn with it, starts question N: a turn of its own, and the turns after it answer
    it; a participant who starts with "Fråga 1 …" starts nothing; the title above stays
    the title; the ingest report counts turns per question."""
    doc = Document()
    doc.add_heading("Samtal om äldres hälsa", level=1)
    doc.add_heading("Fråga 1: Vad fungerar bra i dag?", level=2)
    for line in ("Moderator: Välkomna.", "Anna Berg: Träffpunkterna fungerar.",
                 "Bo Ek: Fråga 1 tycker jag är lätt.", "Moderator: Fråga 2: Vilka hinder?",
                 "Anna Berg: Tiden räcker inte."):
        doc.add_paragraph(line)
    doc.save(str(tmp_path / "s.docx"))
    result = read_file(tmp_path / "s.docx")
    assert result.meta["title"] == "Samtal om äldres hälsa"
    assert [(t.speaker, t.question) for t in result.turns] == [
        (None, 1), ("Moderator", 1), ("Anna Berg", 1), ("Bo Ek", 1), ("Moderator", 2),
        ("Anna Berg", 2)]
    assert result.turns[0].text == "Fråga 1: Vad fungerar bra i dag?"     # kept, a unit
    assert [str(w) for w in result.warnings] == [
        "turns per question, from its 'Fråga N' lines (question: turns): 1: 4, 2: 2"]
    before = lines_to_turns(["Anna Berg: Hej.", "Anna Berg: Vi börjar.", "FRÅGA 3 –",
                             "Anna Berg: Fler samtal."])
    assert [t.question for t in before] == [None, None, 3, 3]
    plain = lines_to_turns(["Talare 1  00:00:05", "Vi tar fråga 2 sen."])
    assert [t.question for t in plain] == [None]


def test_a_first_paragraph_that_is_text_stays_a_turn():
    turns = lines_to_turns(["Vi började sent idag.", "Talare 1  00:00:05", "Hej."])
    assert split_title(turns)[0] is None and len(split_title(turns)[1]) == 2


def test_speaker_with_time_in_parentheses_and_text_on_the_line():
    assert turns_of("Speaker 1 (00:01:23): Håller med.\nOch mer.") == [
        ("Speaker 1", "Håller med.\nOch mer.", 83.0)]


def test_bracketed_time_before_the_name():
    assert turns_of("[00:01:40] Anna Svensson: Vi mäter väntetider.") == [
        ("Anna Svensson", "Vi mäter väntetider.", 100.0)]


def test_name_and_short_clock():
    assert turns_of("Anna Svensson   0:03\nHej allihop.\nBo Ek   1:12\nHej.") == [
        ("Anna Svensson", "Hej allihop.", 3.0), ("Bo Ek", "Hej.", 72.0)]


def test_untimed_labels_count_only_when_they_recur():
    text = "Fråga 1: vad mäter ni?\nAnna: Vi mäter SIP.\nBo: Och väntetider.\nAnna: Ja."
    got = turns_of(text)
    assert got[0] == (None, "Fråga 1: vad mäter ni?", None)  # a single label is text
    assert [s for s, _, _ in got[1:]] == ["Anna", None, "Anna"] or \
        [s for s, _, _ in got] == [None, "Anna", "Anna"]
    assert "Bo: Och väntetider." in "\n".join(t for _, t, _ in got)


def test_a_full_name_or_a_generic_label_is_a_speaker_even_once():
    """Someone who speaks once ("Anna-Lena Berg: …") got their words in the turn before,
    attributed to that speaker; a lone first name or "Region Halland:" stay text, and
    "Fråga 2:" is no speaker but the start of question 2's part, a turn without one."""
    text = ("Moderator: Välkomna hit.\nKarin Svensson: Vi följer SIP.\nModerator: Okej.\n"
            "Anna-Lena Berg: Vi har inget gemensamt system.\nFråga 2: vad saknas?\n"
            "Bo: Och väntetider.\nRegion Halland: gäller det oss?\nDeltagare 7: En sak till.")
    assert turns_of(text) == [
        ("Moderator", "Välkomna hit.", None), ("Karin Svensson", "Vi följer SIP.", None),
        ("Moderator", "Okej.", None),
        ("Anna-Lena Berg", "Vi har inget gemensamt system.", None),
        (None, "Fråga 2: vad saknas?\nBo: Och väntetider.\nRegion Halland: gäller det oss?",
         None),
        ("Deltagare 7", "En sak till.", None)]


def test_a_speaker_with_a_noble_surname():
    text = ("Maria von Essen: Vi mäter SIP.\nCarl af Klercker 00:01:02\nOch väntetider.\n"
            "Eva de la Gardie: Ja.\nVi tog det von oben: sa han.")
    assert turns_of(text) == [
        ("Maria von Essen", "Vi mäter SIP.", None), ("Carl af Klercker", "Och väntetider.", 62.0),
        ("Eva de la Gardie", "Ja.\nVi tog det von oben: sa han.", None)]


def test_a_pause_line_is_no_speaker_and_a_speaker_with_nothing_said_no_turn():
    text = ("Talare 1  00:05:40\nVi tar en paus.\nPaus 00:06:00\nTalare 2  00:16:00\n"
            "Talare 1  00:16:10\nVälkomna tillbaka.")
    assert turns_of(text) == [("Talare 1", "Vi tar en paus.", 340.0),
                              ("Talare 1", "Välkomna tillbaka.", 970.0)]


def test_end_times_come_from_the_next_turn():
    turns = lines_to_turns(["Talare 1  00:00:05", "a", "Talare 2  00:00:09", "b"])
    assert turns[0].end_time == 9.0 and turns[1].end_time is None


@pytest.mark.parametrize("value,seconds", [
    ("0:03", 3), ("12:30", 750), ("01:02:03", 3723), ("00:00:01.500", 1.5), ("00:00:02,25", 2.25)])
def test_timestamps(value, seconds):
    assert parse_timestamp(value) == seconds


def test_docx_transcript(tmp_path):
    path = write_docx(tmp_path / "gr.docx", ["Transkribering", "Karin Lind   0:03",
                                             "Välkomna hit.", "", "Per Holm   0:41", "Tack."])
    result = read_file(path)
    assert result.kind == "transcript" and result.file_format == "docx"
    assert [(t.speaker, t.text) for t in result.turns] == [
        ("Karin Lind", "Välkomna hit."), ("Per Holm", "Tack.")]
    assert result.meta == {"title": "Transkribering"}     # the heading: not a unit


def test_docx_with_no_text(tmp_path):
    doc = Document()
    doc.add_paragraph("")
    doc.save(str(tmp_path / "bild.docx"))
    with pytest.raises(InputError, match="no transcript text"):
        read_file(tmp_path / "bild.docx")


def test_corrupt_docx(tmp_path):
    (tmp_path / "trasig.docx").write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(InputError, match="corrupt or not Word"):
        read_file(tmp_path / "trasig.docx")


VTT = """WEBVTT

a1/1-0
00:00:01.000 --> 00:00:03.500
<v Anna Svensson>Hej och välkomna,</v>

a1/2-0
00:00:03.500 --> 00:00:06.000
<v Anna Svensson>vi börjar med fråga ett.</v>

a1/3-0
00:00:06.200 --> 00:00:08.000
<v Bo Ek>Tack.</v>

a1/4-0
00:00:08.000 --> 00:00:09.000
<v Anna Svensson>Varsågod.</v>
"""


def test_vtt_cues_merge_into_turns_per_voice(tmp_path):
    path = tmp_path / "teams.vtt"
    path.write_text(VTT, encoding="utf-8")
    got = [(t.speaker, t.text, t.start_time, t.end_time) for t in read_file(path).turns]
    assert got == [("Anna Svensson", "Hej och välkomna, vi börjar med fråga ett.", 1.0, 6.0),
                   ("Bo Ek", "Tack.", 6.2, 8.0), ("Anna Svensson", "Varsågod.", 8.0, 9.0)]


def test_srt_with_speaker_prefixes(tmp_path):
    path = tmp_path / "mote.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nAnna Svensson: Hej.\n\n"
                    "2\n00:00:02,000 --> 00:00:04,000\nAnna Svensson: Vi börjar.\n\n"
                    "3\n00:00:04,500 --> 00:00:05,000\nBo Ek: Ja.\n", encoding="utf-8")
    got = [(t.speaker, t.text) for t in read_file(path).turns]
    assert got == [("Anna Svensson", "Hej. Vi börjar."), ("Bo Ek", "Ja.")]


def test_malformed_vtt_timestamps(tmp_path):
    path = tmp_path / "trasig.vtt"
    path.write_text("WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nHej\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed VTT") as info:
        read_file(path)
    assert info.value.line().startswith("trasig.vtt: ")


def test_binary_named_txt(tmp_path):
    path = tmp_path / "ljud.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputError, match="binary"):
        read_file(path)


_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c"
                              "\x1c\x1d\x1e\x85\u2028\u2029"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, max_size=30))
def test_every_non_speaker_line_survives(lines):
    turns = lines_to_turns(lines)
    joined = "\n".join(t.text for t in turns)
    speakers = {t.speaker for t in turns}
    for line in lines:
        stripped = line.strip()
        bare = any((m := pattern.match(stripped)) and not (m.group("rest") or "").strip()
                   for pattern in SPEAKER_LINES)   # a speaker or marker line, nothing said
        if stripped and stripped not in speakers and not bare:
            assert stripped in joined or any(
                stripped.startswith(s) for s in speakers if s)  # a speaker line with its text


def test_real_file_path_type(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Talare 1  00:00:01\nHej", encoding="utf-16")
    assert read_file(Path(path)).turns[0].text == "Hej"


def test_a_note_in_parentheses_after_the_name_is_kept_apart_from_the_speaker(tmp_path):
    """"Anna (politiker): …" is a speaker line even once (a first name with a note), the
    note kept for `corpus.speakers`; a time in parentheses is still a time, and a line
    that only looks like one ("Det (alltså): …") stays text."""
    lines = ["Anna (politiker): Vi behöver fler hembesök.",
             "Bo Ek (Tjänsteperson)  00:01:10", "Samverkan fungerar inte.",
             "[00:02:00] Karin Berg (vårdpersonal): Det håller jag med om.",
             "Det (alltså): inget talarbyte.",
             "Speaker 1 (00:02:30): Nej."]
    got = [(t.speaker, t.label_note, t.text) for t in lines_to_turns(lines)]
    assert got == [("Anna", "politiker", "Vi behöver fler hembesök."),
                   ("Bo Ek", "Tjänsteperson", "Samverkan fungerar inte."),
                   ("Karin Berg", "vårdpersonal",
                    "Det håller jag med om.\nDet (alltså): inget talarbyte."),
                   ("Speaker 1", None, "Nej.")]
    vtt = tmp_path / "grupp.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna Berg (politiker)>Hej."
                   "</v>\n\n00:00:03.000 --> 00:00:05.000\n<v Anna Berg (politiker)>Vi börjar."
                   "</v>\n", encoding="utf-8")
    assert [(t.speaker, t.label_note, t.text) for t in read_file(vtt).turns] == [
        ("Anna Berg", "politiker", "Hej. Vi börjar.")]
    srt = tmp_path / "grupp.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nBo Ek (tjänsteperson): Ja.\n",
                   encoding="utf-8")
    assert [(t.speaker, t.label_note) for t in read_file(srt).turns] == [
        ("Bo Ek", "tjänsteperson")]
