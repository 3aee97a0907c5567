"""Each page's logic in Streamlit's AppTest: what it shows and what it stores."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

from docx import Document
from lxml import etree
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from coding.codes import find_code
from corpus.models import AuditEvent, Code, Coding, Segment, Source, Workshop
from corpus.project import open_project

from .conftest import acting

APP = Path(__file__).resolve().parents[1] / "app"
CODER = "anna"


def page(name: str, coder: str | None = CODER) -> AppTest:
    at = AppTest.from_file(str(APP / f"{name}.py"), default_timeout=60)
    if coder:
        at.session_state["coder"] = coder
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def codings(root: Path, coder: str = CODER, **where) -> list[Coding]:
    project = open_project(root)
    try:
        with project.session() as s:
            query = select(Coding).where(Coding.coder == coder)
            for key, value in where.items():
                query = query.where(getattr(Coding, key) == value)
            return list(s.scalars(query))
    finally:
        project.close()


def add_coding(root: Path, segment_id: int, code_id: int) -> None:
    project = open_project(root)
    with project.transaction() as s:
        s.add(Coding(segment_id=segment_id, code_id=code_id, coder=CODER, status="accepted"))
    project.close()


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception[0].value
    return at


# ---- Kodning -------------------------------------------------------------------------

def test_kodning_needs_a_coder_first(root):
    at = page("kodning", coder=None)
    assert "kodare" in at.info[0].value
    assert not at.button


def test_accept_reject_undo_are_saved_at_once(root):
    at = page("kodning")
    current = at.session_state["k_current"]
    first = at.button(key="k_acc_1").label
    click(at, "k_acc_1")
    accepted = codings(root, status="accepted")
    assert [(c.segment_id, c.status) for c in accepted] == [(current, "accepted")]
    assert accepted[0].evidence and accepted[0].evidence.get("reasons")  # why it was proposed
    assert at.button(key="k_acc_1").label.startswith("✓") and first in at.button(
        key="k_acc_1").label
    click(at, "k_rej_2")
    assert len(codings(root, status="rejected")) == 1
    click(at, "k_undo_btn")                          # undo the rejection
    assert codings(root, status="rejected") == []
    click(at, "k_undo_btn")                          # and the acceptance
    assert codings(root) == []
    project = open_project(root)
    with project.session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.actor == CODER)
                                 .order_by(AuditEvent.id)))
    project.close()
    assert actions == ["coding.accept", "coding.reject", "coding.remove", "coding.remove"]


def test_a_theme_s_letter_lists_its_codes_and_a_number_codes_one(root):
    """The suggestions find the main theme but not its sub-theme: a theme's button (its
    letter: S, D, F …) numbers every code under it, a digit codes one; the same button
    again, or coding, brings the suggestions back."""
    from coding.codes import load_codebook
    from coding.unit_view import THEME_KEYS, sub_theme_lists

    at = page("kodning")
    current = at.session_state["k_current"]
    project = open_project(root)
    with project.session() as s:
        shown = [c.code_id for c in s.scalars(select(Coding).where(
            Coding.segment_id == current, Coding.status == "suggested")
            .order_by(Coding.rank))]
        book = load_codebook(s)
    project.close()
    themes = sub_theme_lists(shown, book)[:len(THEME_KEYS)]
    assert len(themes) >= 2, "the demo's suggestions name two themes with sub-themes"
    assert [at.button(key=f"k_theme_{n}").label for n in range(len(themes))] == [
        book.codes[t].label for t, _ in themes]
    for n, (theme, choices) in enumerate(themes):     # each letter opens its own list
        click(at, f"k_theme_{n}")
        assert at.subheader[0].value == f"Under {book.codes[theme].label}"
        labels = [at.button(key=f"k_sub_{i}").label for i in range(1, len(choices) + 1)]
        assert labels[0] == f"1 · {book.codes[choices[0]].name}"
        assert labels[-1] == f"{len(choices)} · hela temat"   # always reachable
        under = sum(c.parent_id == theme for c in book.codes.values())
        left = [c.value for c in at.caption if "till under temat" in c.value]
        assert left == ([f"{under - 8} koder till under temat: K söker bland alla."]
                        if under > 9 else ["1 kod till under temat: K söker bland alla."]
                        if under == 9 else [])
    click(at, f"k_theme_{len(themes) - 1}")              # the same letter again
    assert at.subheader[0].value == "Förslag"
    theme, choices = themes[1]
    click(at, "k_theme_1")
    pick = choices[1] if len(choices) > 1 else choices[0]
    click(at, f"k_sub_{choices.index(pick) + 1}")
    assert [(c.segment_id, c.code_id) for c in codings(root, status="accepted")] == [
        (current, pick)]
    assert at.subheader[0].value == "Förslag"          # coded: back to the suggestions


def test_next_and_back_walk_the_queue(root):
    at = page("kodning")
    first = at.session_state["k_current"]
    click(at, "k_next")
    second = at.session_state["k_current"]
    assert second != first
    click(at, "k_next")
    assert at.session_state["k_current"] not in (first, second)
    click(at, "k_prev")
    click(at, "k_prev")
    assert at.session_state["k_current"] == first


def test_a_decided_segment_leaves_the_working_queue(root):
    at = page("kodning")
    count = int(at.caption[0].value.split(" kvar")[0].split()[-1])
    current = at.session_state["k_current"]
    click(at, "k_acc_1")
    click(at, "k_next")
    assert int(at.caption[0].value.split(" kvar")[0].split()[-1]) == count - 1
    for _ in range(5):
        click(at, "k_next")
        assert at.session_state["k_current"] != current


def test_filters_restrict_the_queue(root):
    at = page("kodning")
    at.multiselect(key="k_questions").set_value([2])
    at.multiselect(key="k_areas").set_value(["gr"])
    at.multiselect(key="k_kinds").set_value(["note"])
    at.run()
    seen = set()
    for _ in range(4):
        seen.add(at.session_state["k_current"])
        click(at, "k_next")
    project = open_project(root)
    with project.session() as s:
        rows = s.execute(select(Segment.kind, Segment.question, Segment.area)
                         .where(Segment.id.in_(seen))).all()
    project.close()
    assert rows and all(r == ("note", 2, "gr") for r in rows)


def test_status_kodad_shows_only_decided_segments(root):
    at = page("kodning")
    decided = at.session_state["k_current"]
    click(at, "k_acc_1")
    at.selectbox(key="k_status").set_value("decided").run()
    assert at.session_state["k_current"] == decided
    click(at, "k_next")                      # nothing else is decided: it stays
    assert at.session_state["k_current"] == decided


def test_code_picker_adds_a_code_and_closes(root):
    at = page("kodning")
    current = at.session_state["k_current"]
    click(at, "k_open_picker")
    project = open_project(root)
    with project.session() as s:
        sip = find_code(s, "Samverkan och samordning > SIP").id
    project.close()
    at.selectbox(key="k_pick").set_value(sip).run()
    assert not at.exception
    assert [(c.segment_id, c.code_id) for c in codings(root, status="accepted")] == [
        (current, sip)]
    assert at.session_state["k_picker"] is False
    assert any("SIP" in m.value for m in at.markdown)       # shown among "Dina koder"


def test_code_picker_lists_the_coders_recent_codes_first(root):
    at = page("kodning")
    click(at, "k_open_picker")
    project = open_project(root)
    with project.session() as s:
        sip = find_code(s, "Samverkan och samordning > SIP").id
        n_codes = s.scalar(select(func.count()).select_from(Code))
    project.close()
    before = at.selectbox(key="k_pick").options
    at.selectbox(key="k_pick").set_value(sip).run()
    click(at, "k_next")
    click(at, "k_open_picker")
    after = at.selectbox(key="k_pick").options
    assert after[0] != before[0] and "SIP" in after[0]       # the code just used comes first
    assert sorted(after) == sorted(before) and len(after) == n_codes


def test_quote_and_memo_need_a_code_then_are_stored(root):
    at = page("kodning")
    assert at.button(key="k_quote_key").disabled and at.text_area(key="k_memo").disabled
    click(at, "k_acc_1")
    click(at, "k_quote_key")
    at.text_area(key="k_memo").input("tydligt exempel på samverkan").run()
    stored = codings(root, status="accepted")
    assert stored[0].is_quote and stored[0].memo == "tydligt exempel på samverkan"
    click(at, "k_acc_2")                     # a second code inherits quote and memo
    assert all(c.is_quote and c.memo for c in codings(root, status="accepted"))


def test_blind_layer_is_trained_on_the_coders_own_decisions(root):
    at = page("kodning")
    at.toggle(key="k_blind").set_value(True).run()
    from app import state
    retrainer = state.retrainer(state.project(), CODER)
    assert retrainer.wait(120) and retrainer.status.error is None
    assert retrainer.status.rescored > 0
    assert codings(root, coder=f"förslag:{CODER}")


def test_background_retrain_rescores_after_enough_decisions(root):
    at = page("kodning")
    from app import state
    retrainer = state.retrainer(state.project())
    retrainer.every = 3
    for _ in range(3):
        click(at, "k_acc_1")
        click(at, "k_next")
    assert retrainer.wait(120)
    assert retrainer.status.runs == 1 and retrainer.status.error is None
    assert retrainer.status.trained_on >= 3
    project = open_project(root)
    with project.session() as s:
        runs = s.scalars(select(AuditEvent.after).where(AuditEvent.action == "suggest.run",
                                                        AuditEvent.actor == "omträning")).all()
    project.close()
    assert len(runs) == 1 and runs[0]["segments"] > 0


def test_a_codebook_just_imported_suggests_before_the_first_decision(tmp_path, monkeypatch):
    """A keyword codebook and not one decision: the page asked for ten codings before the
    first suggestion ("Inga förslag ännu"); opening it now scores the project once."""
    from app import state
    from coding import codes
    from coding.codebook import read_codebook
    from corpus.ingest import ingest_file
    from corpus.project import init_project
    from corpus.readers import ReadOptions

    project = init_project(tmp_path / "ny")
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP per 1000 invånare\n"
                                    "GR,Väntetid till vårdcentralen\n", encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("anna"))
    project.close()
    monkeypatch.setenv("QDA_PROJECT", str(tmp_path / "ny"))
    page("kodning")
    retrainer = state.retrainer(state.project())
    assert retrainer.wait(120) and retrainer.status.error is None
    assert retrainer.status.rescored == 2 and codings(tmp_path / "ny", coder="förslag")


def test_a_new_project_s_kodning_says_to_import_not_to_change_filters(tmp_path, monkeypatch):
    from corpus.project import init_project

    init_project(tmp_path / "tom").close()
    monkeypatch.setenv("QDA_PROJECT", str(tmp_path / "tom"))
    at = page("kodning")
    assert [i.value for i in at.info] == [
        "Projektet har inget material att koda ännu. Importera lappar eller transkript "
        "under **Projekt**."]
    assert not at.success


# ---- Projekt ---------------------------------------------------------------------------

def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Fråga 1"
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _counts(root: Path) -> tuple[int, int]:
    project = open_project(root)
    with project.session() as s:
        out = (s.scalar(select(func.count()).select_from(Source)),
               s.scalar(select(func.count()).select_from(Segment)))
    project.close()
    return out


def test_upload_ingests_and_reports(root):
    at = page("projekt")
    before = _counts(root)
    data = _xlsx([["Borås", "GR"], ["Väntetid till vårdcentral", "Antal SIP"],
                  ["Ring Anna på 070-123 45 67", None]])
    at.file_uploader(key="p_files").set_value(("nya_lappar.xlsx", data, "application/xlsx"))
    at.run()
    at.form_submit_button[0].click().run()      # "Importera"
    assert not at.exception and not at.error
    assert "nya_lappar.xlsx: importerad" in html.unescape(at.success[0].value)  # as text
    assert "telefonnummer: 1" in at.info[0].value
    assert _counts(root) == (before[0] + 1, before[1] + 3)


def test_the_sources_tab_speaks_swedish_and_names_every_area_of_a_workbook(root):
    """Källor: Swedish headers and values; a workbook with notes of several areas lists
    them all (it showed the one its file name suggested), and the table of units per
    question has its row labels."""
    at = page("projekt")
    sources, counted = (t.value for t in at.dataframe[:2])
    assert list(sources.columns) == ["Id", "Fil", "Typ", "Format", "Fråga", "Område",
                                     "Enheter", "Importerad"]
    workbook = sources[sources["Typ"] == "Lappar (Excel/CSV)"].iloc[0]
    assert len(workbook["Område"].split(", ")) >= 2
    assert set(sources["Fråga"]) <= {"–", "Fråga 1", "Fråga 2", "Fråga 3"}
    assert list(counted.columns[:2]) == ["Enhet", "Fråga"] and counted.columns[-1] == "Totalt"
    assert "Lapp" in set(counted["Enhet"]) and "Fråga 1" in set(counted["Fråga"])


def _replace_box(at):
    return next(c for c in at.checkbox if c.label == "Ersätt tidigare import")


def _source_picker(at):
    return next(b for b in at.selectbox if b.label == "Ersätter källan")


def test_a_corrected_file_replaces_the_old_one_from_the_app(root):
    """Uploaded again, a file is refused with a hint at the replace box; with the box
    ticked a corrected file of the same name replaces it, and the report says what moved."""
    talk = ("Talare 1  00:00:05\nVi behöver SIP. Det fungerar inte alltid.\n"
            "Talare 2  00:00:20\nJa, uppföljningen saknas.\n")
    at = page("projekt")
    for _ in range(2):
        at.file_uploader(key="p_files").set_value(("rättad.txt", talk.encode(), "text/plain"))
        at.run()
        at.form_submit_button[0].click().run()
    assert not at.exception
    assert "Kryssa i ”Ersätt tidigare import”" in at.error[0].value
    before = _counts(root)
    corrected = talk.replace("saknas", "saknas ofta")
    at.file_uploader(key="p_files").set_value(("rättad.txt", corrected.encode(), "text/plain"))
    at.run()
    _replace_box(at).check()
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    assert "Ersatte den tidigare källan: 3 enheter oförändrade, 2 nya eller ändrade" \
        in at.info[0].value
    assert _counts(root) == before              # one source for another, as many units
    project = open_project(root)
    with project.session() as s:
        names = s.scalars(select(Source.original_name)).all()
    project.close()
    assert names.count("rättad.txt") == 1


def test_a_corrected_file_under_a_new_name_replaces_the_source_chosen(root):
    """Ticking the replace box for a file of a new name is refused with a pointer to the
    source picker; with the source chosen it replaces that one (one file at a time)."""
    talk = ("Talare 1  00:00:05\nVi behöver SIP. Det fungerar inte alltid.\n"
            "Talare 2  00:00:20\nJa, uppföljningen saknas.\n")
    at = page("projekt")
    at.file_uploader(key="p_files").set_value(("samtal.txt", talk.encode(), "text/plain"))
    at.run()
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    before = _counts(root)
    project = open_project(root)
    with project.session() as s:
        old = s.scalar(select(Source.id).where(Source.original_name == "samtal.txt"))
    project.close()
    fixed = talk.replace("saknas", "saknas ofta").encode()
    at.file_uploader(key="p_files").set_value(("samtal rättad.txt", fixed, "text/plain"))
    at.run()
    _replace_box(at).check()
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert "ingen tidigare källa att ersätta" in at.error[0].value
    assert "Inget i projektet har ändrats" in at.error[0].value and _counts(root) == before
    at.file_uploader(key="p_files").set_value([
        ("samtal rättad.txt", fixed, "text/plain"), ("annat.txt", talk.encode()[:40],
                                                     "text/plain")])
    at.run()
    assert f"{old}: samtal.txt" in _source_picker(at).options
    _source_picker(at).set_value(old)
    at.form_submit_button[0].click().run()
    assert not at.exception and at.error[0].value.startswith("Välj en enda fil")
    assert _counts(root) == before
    at.file_uploader(key="p_files").set_value(("samtal rättad.txt", fixed, "text/plain"))
    at.run()
    _source_picker(at).set_value(old)
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    assert "Ersatte den tidigare källan: 3 enheter oförändrade" in at.info[0].value
    assert at.info[0].value.endswith("0 föll bort.")             # nothing listed below
    assert _counts(root) == before
    project = open_project(root)
    with project.session() as s:
        names = s.scalars(select(Source.original_name)).all()
    project.close()
    assert "samtal.txt" not in names and "samtal rättad.txt" in names
    at.run()                 # fresh boxes: the replaced source is gone from the picker
    assert not at.exception and _source_picker(at).value is None
    assert _replace_box(at).value is False
    assert f"{old}: samtal.txt" not in _source_picker(at).options


def test_possible_names_are_masked_from_the_projekt_page(root):
    at = page("projekt")
    talk = ("Per Lund  00:00:05\nVälkomna. Per månad har vi tre möten.\n"
            "Talare 2  00:00:20\nJa, enligt Lunds universitet räcker det.\n").encode()
    at.file_uploader(key="p_files").set_value(("samtal.txt", talk, "text/plain"))
    at.run()
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    assert any("kan vara namn" in w.value for w in at.warning)
    # the report's notes in Swedish: no area was chosen or found in the name
    assert any(w.value.startswith("Inget område känt") for w in at.warning)
    assert [t.label for t in at.tabs][4] == "Möjliga namn (2)"
    assert "Per" in " ".join(m.value for m in at.markdown)
    masked = next(b for b in at.button if b.label == "Maskera" and b.key.endswith("_1"))
    masked.click().run()                            # the second: "Per" (sorted: Lund, Per)
    assert not at.exception and [t.label for t in at.tabs][4] == "Möjliga namn (1)"
    project = open_project(root)
    with project.session() as s:
        text = s.scalars(select(Source.text).where(Source.original_name == "samtal.txt")).one()
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "pseudonym.mask")).one()
    project.close()
    assert "[namn] månad" in text and "Lunds universitet" in text
    assert event.actor == CODER


def test_malformed_upload_gives_a_swedish_message_and_changes_nothing(root):
    at = page("projekt")
    before = _counts(root)
    at.file_uploader(key="p_files").set_value(("trasig.xlsx", b"PK\x03\x04 inte excel",
                                               "application/xlsx"))
    at.run()
    at.form_submit_button[0].click().run()
    assert not at.exception
    message = html.unescape(at.error[0].value)       # file names are escaped Markdown
    assert message.startswith("Filen trasig.xlsx kunde inte importeras")
    assert "Inget i projektet har ändrats" in message
    assert _counts(root) == before
    assert not any(p.name.endswith("trasig.xlsx") for p in (root / "sources").iterdir())


def test_a_speaker_list_uploaded_beside_a_transcript_gives_its_turns_their_groups(root):
    """The optional speaker list: each speaker's turns get the group it names; a list that
    cannot be read is refused in Swedish, naming the row, and nothing is imported."""
    talk = ("Lisa Ek  00:00:05\nVi behöver följa upp hembesöken.\n"
            "Bo Strand  00:00:30\nSamverkan med kommunen saknas.\n"
            "Lisa Ek  00:01:00\nDet håller jag med om.\n").encode()
    at = page("projekt")
    before = _counts(root)
    at.file_uploader(key="p_files").set_value(("samtal_grupper.txt", talk, "text/plain"))
    at.file_uploader(key="p_speakers").set_value(
        ("talare.csv", b"Lisa Ek;Politiker\nBo Strand\n", "text/csv"))
    at.run()
    at.form_submit_button[0].click().run()
    assert not at.exception
    message = html.unescape(at.error[0].value)
    assert message.startswith("Talarlistan talare.csv kunde inte läsas: talarlistan har fel "
                              "form"), message
    assert "rad 2 saknar talaren eller gruppen (E124)" in message
    assert message.endswith("Inget importerades.") and _counts(root) == before
    at.file_uploader(key="p_speakers").set_value(
        ("talare.csv", "Lisa Ek;Politiker\nBo Strand;vårdpersonal\n".encode(), "text/csv"))
    at.run()
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    project = open_project(root)
    with project.session() as s:
        groups = s.execute(select(Segment.speaker, Segment.participant_group)
                           .join(Source, Source.id == Segment.source_id)
                           .where(Source.original_name == "samtal_grupper.txt",
                                  Segment.kind == "turn").order_by(Segment.position)).all()
    project.close()
    assert [tuple(g) for g in groups] == [("Deltagare 1", "politicians"),
                                         ("Deltagare 2", "care_staff"),
                                         ("Deltagare 1", "politicians")]


def test_an_unknown_area_in_a_fixed_list_is_refused_with_its_cell_and_the_known_areas(root):
    """The app's refusal says what the CLI's does, in Swedish: which label, where, and
    which areas the project knows; nothing is imported."""
    from corpus import study

    project = open_project(root)
    with project.transaction() as s:
        study.set_flags(s, "area", fixed=True, actor=acting("lena"))
    project.close()
    wb = Workbook()
    wb.active.title = "Fråga 1"
    for row in (["Område", "Inlägg"], ["GR", "Fler hembesök"], ["Kungälv", "Färre besök"]):
        wb.active.append(row)
    data = io.BytesIO()
    wb.save(data)
    before = _counts(root)
    at = page("projekt")
    at.file_uploader(key="p_files").set_value(("kungalv.xlsx", data.getvalue(),
                                               "application/xlsx"))
    at.run()
    at.form_submit_button[0].click().run()
    assert not at.exception
    message = html.unescape(at.error[0].value)
    assert message.startswith("Filen kungalv.xlsx kunde inte importeras"), message
    assert "området ”Kungälv” (blad 'Fråga 1', cell A3) finns inte i listan" in message
    assert "Kända: Borås, Fyrbodal, GR, Skaraborg, VGR" in message and "(E188)" in message
    assert _counts(root) == before


def test_register_a_workshop(root):
    at = page("projekt")
    form = at.get("form")[-1]
    assert form is not None
    at.text_input(key="p_ws_label").input("Skaraborg fysisk 2025-03-01")
    next(b for b in at.form_submit_button if b.label == "Spara workshop").click().run()
    assert not at.exception
    project = open_project(root)
    with project.session() as s:
        ws = s.scalars(select(Workshop).where(
            Workshop.label == "Skaraborg fysisk 2025-03-01")).one()
    project.close()
    assert ws.area == "boras"    # the first area in the list, as chosen


def test_open_a_folder_that_is_not_a_project(root, tmp_path):
    at = page("projekt")
    at.text_input(key="p_folder").input(str(tmp_path / "nothing")).run()
    click(at, "p_open")
    assert "kunde inte öppnas" in at.error[0].value


# ---- Kodbok ----------------------------------------------------------------------------

def _code(root: Path, path: str) -> Code | None:
    project = open_project(root)
    with project.session() as s:
        row = find_code(s, path)
    project.close()
    return row


def test_add_rename_and_merge_codes(root):
    at = page("kodbok")
    form_inputs = [t for t in at.text_input if t.label == "Sökväg"]
    form_inputs[0].input("Samverkan och samordning > Gemensamma mål")
    next(b for b in at.form_submit_button if b.label == "Lägg till").click().run()
    new = _code(root, "Samverkan och samordning > Gemensamma mål")
    assert new is not None and new.origin == "emergent"
    at.selectbox(key="kb_selected").set_value(new.id).run()
    at.text_input(key=f"kb_name_{new.id}").input("Gemensamma målbilder").run()
    click(at, "kb_rename")
    assert _code(root, "Samverkan och samordning > Gemensamma målbilder").id == new.id
    sip = _code(root, "Samverkan och samordning > SIP")
    add_coding(root, 1, new.id)
    at.selectbox(key="kb_selected").set_value(new.id).run()
    at.selectbox(key="kb_target").set_value(sip.id).run()
    click(at, "kb_merge")
    assert _code(root, "Samverkan och samordning > Gemensamma målbilder") is None
    assert [c.code_id for c in codings(root)] == [sip.id]      # the coding moved


def test_deleting_a_used_code_asks_first_and_is_logged(root):
    at = page("kodbok")
    sip = _code(root, "Samverkan och samordning > SIP")
    add_coding(root, 1, sip.id)
    at.selectbox(key="kb_selected").set_value(sip.id).run()
    assert at.button(key="kb_delete").disabled
    assert "kodningar" in at.warning[0].value
    at.checkbox(key="kb_sure").check().run()
    at.text_input(key="kb_memo").input("ersätts av Samordnad planering").run()
    click(at, "kb_delete")
    assert _code(root, "Samverkan och samordning > SIP") is None
    project = open_project(root)
    with project.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "code.delete")).one()
    project.close()
    assert event.memo == "ersätts av Samordnad planering" and event.actor == CODER
    assert event.before["codings"] >= 1


def test_codebook_offers_its_yaml_for_download(root):
    """The bytes themselves are downloaded and parsed in the browser test."""
    button = page("kodbok").download_button(key="kb_export")
    assert button.proto.label == "Ladda ner YAML" and button.proto.url


# ---- Transkript ------------------------------------------------------------------------

def test_code_a_run_of_sentences_in_a_turn(root):
    at = page("transkript")
    assert at.markdown and "<table" in at.markdown[-1].value
    turn = next(i for i in range(30) if _sentences(at, i) >= 3)
    at.selectbox(key="t_turn").set_value(turn).run()
    at.select_slider(key=f"t_run_{turn}").set_range(2, 3).run()
    sip = _code(root, "Samverkan och samordning > SIP")
    at.selectbox(key="t_code").set_value(sip.id).run()
    click(at, "t_apply")
    stored = codings(root, status="accepted")
    assert len(stored) == 2 and {c.code_id for c in stored} == {sip.id}
    project = open_project(root)
    with project.session() as s:
        segs = s.scalars(select(Segment).where(Segment.id.in_([c.segment_id for c in stored]))
                         .order_by(Segment.position)).all()
    project.close()
    assert all(seg.kind == "sentence" for seg in segs)
    assert segs[0].parent_id == segs[1].parent_id and segs[1].position == segs[0].position + 1
    assert "SIP" in at.markdown[-1].value                 # in the margin
    assert "2 meningar kodade" in at.success[0].value


def test_code_exact_words_inside_a_sentence(root, tmp_path):
    """A stretch of words inside one sentence is coded on that sentence with its exact
    span, and the .qdpx export writes it as one selection over just those words."""
    at = page("transkript")
    turn = next(i for i in range(30) if _sentences(at, i) >= 2)
    project = open_project(root)
    with project.session() as s:
        source_id = at.selectbox(key="t_source").value
        turn_row = s.scalars(select(Segment).where(
            Segment.source_id == source_id, Segment.kind == "turn", Segment.position == turn)
            ).one()
        sentence = s.scalars(select(Segment).where(Segment.parent_id == turn_row.id)
                             .order_by(Segment.position)).first()
    project.close()
    words = " ".join(sentence.text.split()[1:3])
    sip = _code(root, "Samverkan och samordning > SIP")
    at.selectbox(key="t_code").set_value(sip.id).run()
    at.text_input(key=f"t_words_{turn}").input("ord som inte står där").run()
    click(at, "t_apply_span")
    assert at.error and "Orden finns inte i turen" in at.error[0].value
    assert codings(root, status="accepted") == []
    at.text_input(key=f"t_words_{turn}").input(words).run()
    click(at, "t_apply_span")
    (coding,) = codings(root, status="accepted")
    assert coding.segment_id == sentence.id and len(coding.spans) == 1
    assert "de räknas för 1 mening" in at.success[0].value
    from reports.run import export

    project = open_project(root)
    try:
        out = export(project, "qdpx", out=tmp_path / "p.qdpx").path
    finally:
        project.close()
    with zipfile.ZipFile(out) as archive:
        root_el = etree.fromstring(archive.read("project.qde"))
        start, end = coding.spans[0][:2]
        q = "{urn:QDA-XML:project:1.0}"
        anna = next(u.get("guid") for u in root_el.iter(f"{q}User") if u.get("name") == CODER)
        spans = {(int(sel.get("startPosition")), int(sel.get("endPosition")))
                 for sel in root_el.iter(f"{q}PlainTextSelection")
                 if sel.get("creatingUser") == anna}
        texts = [archive.read(n).decode("utf-8") for n in archive.namelist()
                 if n.startswith("sources/")]
    assert spans == {(start, end)}
    assert any(text[start:end] == words for text in texts)


def _sentences(at: AppTest, turn: int) -> int:
    at.selectbox(key="t_turn").set_value(turn).run()
    sliders = [s for s in at.select_slider if s.key == f"t_run_{turn}"]
    return len(sliders[0].options) if sliders else 1


# ---- Teman and Export ------------------------------------------------------------------

def test_teman_shows_counts_and_drills_down(root):
    at = page("teman")
    assert at.selectbox(key="th_layer").value == "slutlig"
    frame = at.dataframe[0].value
    assert {"Huvudtema", "Subtema", "Inlägg", "Totalt"} <= set(frame.columns)
    first_main = at.selectbox(key="th_main").options[0]
    at.selectbox(key="th_main").set_value(first_main).run()
    units = at.dataframe[1].value
    assert len(units) > 0 and set(units.columns) >= {"Text", "Område", "Citat"}
    # the project's labels, not its keys: "GR", "Fråga 1", "Lapp" (not "gr", "1.0", "note")
    assert set(units["Typ"]) <= {"Lapp", "Transkriptmening", "Taltur"}
    assert all(q == "–" or q.startswith("Fråga ") for q in units["Fråga"])
    from corpus.study import load

    project = open_project(root)
    with project.session() as s:
        labels = set(load(s).areas.labels().values())
    project.close()
    assert set(units["Område"]) <= labels | {"–"} and len(set(units["Område"]) & labels)
    assert any(m.value.startswith("> ") and "Deltagare" in m.value for m in at.markdown)


def test_bilaga2_merges_a_proposal_keeps_an_unticked_note_apart_and_undoes(root):
    """The author ticks off one note of a proposal and merges the rest: one row in the
    question's table, the unticked note kept apart from them; "Ångra" undoes it."""
    from coding import note_merges

    at = page("bilaga")
    assert at.title[0].value.startswith("Bilaga 2")
    picks = [c for c in at.checkbox if c.key.startswith("b2_pick_1_0_")]
    assert len(picks) >= 2, "the demo's question 1 has a proposal"
    before = len(at.table[0].value)
    chosen = [int(c.key.rsplit("_", 1)[1]) for c in picks]
    if len(picks) > 2:
        picks[-1].uncheck().run()
    click(at, "b2_merge_1_0")
    merged, left = (chosen[:-1], chosen[-1:]) if len(chosen) > 2 else (chosen, [])
    project = open_project(root)
    with project.session() as s:
        found = note_merges.decisions(s, chosen)
    project.close()
    assert all(found[p] for p in note_merges.pairs(merged))
    assert all(found[tuple(sorted((m, o)))] is False for m in merged for o in left)
    assert len(at.table[0].value) == before - 1
    assert any("En rad:" in m.value for m in at.markdown)
    click(at, "b2_undo_1_0")
    project = open_project(root)
    with project.session() as s:
        assert not any(note_merges.decisions(s, chosen).get(p)
                       for p in note_merges.pairs(merged))
    project.close()


def test_teman_shortens_a_quote_for_the_report_without_touching_the_unit(root):
    """A quote cut with [...] and clarified in brackets is printed so in the report; a
    rewrite is refused in Swedish and nothing is saved."""
    from corpus.models import QuoteText, Segment

    at = page("teman")
    areas = [k for k in at.text_area if k.key and k.key.startswith("th_quote_")]
    assert areas, "the first main theme of the demo has quotes"
    box = areas[0]
    unit = int(box.key.removeprefix("th_quote_"))
    project = open_project(root)
    with project.session() as s:
        original = s.get(Segment, unit).text
    words = original.split()
    cut = " ".join(words[:4]) + " [...] " + " ".join(words[-3:])
    box.set_value(cut).run()
    click(at, f"th_quote_save_{unit}")
    with project.session() as s:
        assert s.get(QuoteText, unit).text == cut
        assert s.get(Segment, unit).text == original       # the unit's own text stays
    shown = [html.unescape(m.value) for m in at.markdown]     # escaped for markdown
    assert any(m.startswith(f"> {words[0]}") and "[...]" in m for m in shown)
    at.text_area(key=f"th_quote_{unit}").set_value("Helt andra ord än enhetens").run()
    click(at, f"th_quote_save_{unit}")
    assert at.error and "Ändringen sparades inte" in at.error[0].value
    assert "E367" in at.error[0].value
    with project.session() as s:
        assert s.get(QuoteText, unit).text == cut
    project.close()


def test_export_page_offers_every_export_and_bilaga2_downloads(root, tmp_path):
    from reports.catalogue import exports
    at = page("export")
    for what, spec in exports().items():
        if "study" in spec.reads:       # the Delphi exports appear once the project has a study
            assert not any(b.key == f"e_make_{what}" for b in at.button)
        else:
            assert at.button(key=f"e_make_{what}") is not None
    click(at, "e_make_bilaga2")
    data = at.session_state["e_file_bilaga2"].data
    (tmp_path / "b2.xlsx").write_bytes(data)
    wb = load_workbook(tmp_path / "b2.xlsx")
    assert [ws.title for ws in wb] == ["Fråga 1", "Fråga 2", "Fråga 3"]
    assert wb["Fråga 1"]["A2"].value == "Huvudtema"
    at.selectbox(key="e_fmt_themes").set_value("docx").run()
    click(at, "e_make_themes")
    (tmp_path / "t.docx").write_bytes(at.session_state["e_file_themes"].data)
    assert Document(str(tmp_path / "t.docx")).tables
    click(at, "e_make_qdpx")           # the export that draws a progress bar as it goes
    assert not at.exception and not at.error
    archive = zipfile.ZipFile(io.BytesIO(at.session_state["e_file_qdpx"].data))
    assert "project.qde" in archive.namelist()
    assert any(n.startswith("sources/") for n in archive.namelist())


# ---- rounds, agreement, consensus ------------------------------------------------------

def blind_round(root: Path, units: int = 4):
    from coding import rounds

    project = open_project(root)
    with project.transaction() as s:
        info = rounds.create_round(s, ["anna", "bo"], acting("lead"), units=units, kinds=("note",),
                                   seed=2)
        assigned = rounds.assigned(s, info.id)
    project.close()
    return info, assigned


def code_round(root: Path, assigned: list[int]) -> tuple[int, int]:
    """anna and bo code the round; they differ on the first unit."""
    project = open_project(root)
    with project.transaction() as s:
        first = find_code(s, "Samverkan och samordning > SIP").id
        second = s.scalars(select(Code.id).where(Code.parent_id.is_not(None),
                                                 Code.id != first)).first()
        from coding import codings as coding_mod

        for i, seg in enumerate(assigned):
            coding_mod.accept(s, seg, first, "anna")
            coding_mod.accept(s, seg, second if i == 0 else first, "bo")
    project.close()
    return first, second


def test_a_blind_coder_gets_only_assigned_units_and_sees_nobody_elses_work(root):
    info, assigned = blind_round(root)
    at = page("kodning")
    blind = at.toggle(key="k_blind")
    assert blind.value is True and blind.disabled
    assert at.session_state["k_current"] in assigned
    first = at.session_state["k_current"]
    project = open_project(root)
    with project.session() as s:
        sip = find_code(s, "Samverkan och samordning > SIP").id
    project.close()
    click(at, "k_open_picker")             # no suggestions yet in the coder's own layer
    at.selectbox(key="k_pick").set_value(sip).run()
    assert [c.segment_id for c in codings(root)] == [first]
    click(at, "k_none")                   # already decided: moves on
    second = at.session_state["k_current"]
    assert second in assigned and second != first
    click(at, "k_none")                   # decided with no code
    project = open_project(root)
    with project.session() as s:
        from coding import rounds

        done = rounds.round_info(s, info.id).done
    project.close()
    assert done["anna"] == 2
    for name in ("teman", "export", "samstammighet", "konsensus"):
        shown = page(name)
        assert any("blint" in i.value for i in shown.info), name
    transcript = page("transkript")
    assert transcript.selectbox(key="t_layer").options == ["anna"]
    # the lead, outside the round, sees everything
    assert not page("teman", coder="lead").info


def test_agreement_page_closes_the_round_and_shows_the_figures(root):
    info, assigned = blind_round(root)
    code_round(root, assigned)
    at = page("samstammighet", coder="lead")
    assert at.dataframe[0].value["Status"].tolist() == ["pågår"]
    click(at, "sa_close")
    assert at.dataframe[0].value["Status"].iloc[0].startswith("avslutad")
    at.selectbox(key="sa_round").set_value(info.name).run()
    table = at.dataframe[1].value
    # main themes and sub-themes side by side, each level's pooled row labelled as such
    assert table.loc[0, "Kod"] == "Sammanvägt, alla koder (huvudtema)"
    assert table.loc[0, "Enheter"] == str(len(assigned))
    assert set(table["Nivå"]) == {"huvudtema", "subtema"}
    assert table.loc[0, "Bedömning"].startswith("sammanvägt mått, ingen bedömning")
    assert at.metric[0].value == str(len(assigned))
    assert "Cohens kappa" in table.columns and "Bedömning" in table.columns
    # figures with a decimal comma, as the exports and the legend write them
    assert all(re.fullmatch(r"-?\d,\d{3}|–", v) for v in table["Krippendorffs alfa"])


def test_konsensus_page_resolves_a_disagreement_with_a_memo(root):
    info, assigned = blind_round(root)
    first, second = code_round(root, assigned)
    project = open_project(root)
    with project.transaction() as s:
        from coding import rounds

        rounds.close_round(s, info.id, acting("lead"))
    project.close()
    at = page("konsensus", coder="lead")
    at.selectbox(key="ks_round").set_value(info.name).run()
    unit = at.selectbox(key="ks_unit").value
    assert unit == assigned[0]
    at.multiselect(key=f"ks_codes_{unit}").set_value([first])
    click(at, "ks_resolve")                     # no memo: refused, nothing stored
    assert at.error and not codings(root, "konsensus", segment_id=unit, memo="x")
    at.text_area(key=f"ks_memo_{unit}").input("Lappen handlar om SIP")
    click(at, "ks_resolve")
    assert any("sparat" in s.value for s in at.success)
    final = {c.code_id: c for c in codings(root, "konsensus", segment_id=unit)}
    assert final[first].status == "accepted" and final[first].memo == "Lappen handlar om SIP"
    assert final[second].status == "rejected"
    project = open_project(root)
    with project.session() as s:
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "consensus.resolve")).one()
    project.close()
    assert event.memo == "Lappen handlar om SIP" and event.entity_id == unit


# ---- Användare -------------------------------------------------------------------------

def _field(at: AppTest, label: str):
    return next(t for t in at.text_input if t.label == label)


def test_the_first_user_is_the_lead_with_a_password_then_the_lead_invites(root):
    from corpus.models import User
    from people import accounts
    from people.accounts import Actor, Role

    at = page("anvandare", coder="ensam")           # one researcher, no users yet
    assert "inga användare" in at.info[0].value
    assert at.selectbox[0].options == ["projektledare"]
    _field(at, "Användarnamn").input("Lena")
    _field(at, "Lösenord").input("ett långt lösenord")
    _field(at, "Lösenordet igen").input("ett långt lösenord")
    at.button[0].click().run()
    assert not at.exception
    project = open_project(root)
    with project.session() as s:
        lena = s.scalars(select(User)).one()
    assert (lena.login, lena.role) == ("lena", "lead") and lena.password_hash

    at = AppTest.from_file(str(APP / "anvandare.py"), default_timeout=60)
    at.session_state["auth_actor"] = Actor("lena", Role.LEAD, "Lena", lena.id)
    at.run()
    _field(at, "Användarnamn").input("anna")
    at.selectbox[0].set_value(Role.CODER)
    at.button[0].click().run()
    shown = next(i.value for i in at.info if "Inbjudningskod för **anna**" in i.value)
    code = shown.split("`")[1]
    with project.transaction() as s:
        assert accounts.redeem_invitation(s, "anna", code, "annas långa lösenord").login \
            == "anna"
    assert at.dataframe[0].value["Roll"].tolist() == ["kodare", "projektledare"]
    project.close()


def test_a_coder_cannot_open_the_users_page(root):
    from people import accounts
    from people.accounts import Actor, Role

    project = open_project(root)
    with project.transaction() as s:
        accounts.add_user(s, "lena", Role.LEAD, acting("admin"), password="ett långt lösenord")
        accounts.add_user(s, "anna", Role.CODER, acting("admin"), password="ett långt lösenord")
    project.close()
    at = AppTest.from_file(str(APP / "anvandare.py"), default_timeout=60)
    at.session_state["auth_actor"] = Actor("anna", Role.CODER)
    at.run()
    assert "Din roll ger inte tillgång" in at.warning[0].value
    assert not at.dataframe and not at.button


def test_every_ingest_note_has_a_swedish_text():
    """Each registered note, with values, shown in Swedish: no English word left over."""
    from app import state
    from corpus.notes import NOTES, note

    values = {"area": "mars", "name": "x.xlsx", "ids": "3", "source": 1, "coder": "anna",
              "status": "accepted", "code_name": "SIP", "text": "Gammal lapp", "sheet": "Fråga 1",
              "refs": ["A7", "A9"], "values": "'glömd lapp'", "delimiter": ";", "rows": "4, 7",
              "n": 2, "group": "Politiker", "what": "bilaga 2 merge",
              "what_sv": "en sammanslagning i bilaga 2", "per_question": "1: 4, 2: 2",
              "before": 3}
    english = re.compile(r"\b(?:the|sheet|area|note|notes|unknown|outside|guessed|source|"
                         r"file|cells?|and)\b")
    for code in NOTES:
        shown = state.swedish(note(code, **values))
        assert shown != note(code, **values) and not english.search(shown), (code, shown)
    assert state.swedish(note("N101", area="Borås")) == "området Borås gissades ur filnamnet"
    assert state.swedish(note("N101", area="mars")) == "området mars gissades ur filnamnet"


def test_unit_counts_read_as_swedish():
    from app import ui

    assert [ui.units(n, k) for n, k in ((1, "turn"), (3, "turn"), (7, "sentence"),
                                        (1, "sentence"), (2, "note"), (1, "note"))] == [
        "1 taltur", "3 talturer", "7 transkriptmeningar", "1 transkriptmening", "2 lappar",
        "1 lapp"]


def test_memos_from_another_tool_are_listed_on_projekt(tmp_path, monkeypatch):
    """A QualCoder project's journal entry and annotation are kept and shown."""
    from refi.importer import import_qdpx

    from .devdata import refi_dir

    import_qdpx(refi_dir() / "samples" / "qualcoder-native.qdpx", tmp_path / "qc")
    monkeypatch.setenv("QDA_PROJECT", str(tmp_path / "qc"))
    at = page("projekt")
    assert not at.exception
    assert [t.label for t in at.tabs][-1] == "Anteckningar (2)"
    shown = at.dataframe[-1].value
    assert set(shown["Text"]) == {"Första anteckningen", "En annotering"}
    assert set(shown["Slag"]) == {"Dagbok/projekt", "Anteckning på text"}


def test_a_qdc_codebook_uploaded_on_kodbok_merges(root):
    """Kodbok reads the same files as `qda codebook import`: Taguette's .qdc here."""
    from .devdata import refi_dir

    at = page("kodbok")
    data = (refi_dir() / "samples" / "taguette-1.5.2.qdc").read_bytes()
    at.file_uploader(key="kb_yaml").set_value(("taguette.qdc", data, "application/xml"))
    at.run()
    click(at, "kb_import")
    assert not at.exception and not at.error
    project = open_project(root)
    with project.session() as s:
        from coding.codes import find_code

        assert find_code(s, "Tillgänglighet > Primärvården") is not None
    project.close()


def test_a_project_from_another_tool_on_projekt(root, tmp_path):
    """Projekt creates a project from a .qdpx and says in Swedish what came and what not."""
    from .devdata import refi_dir

    at = page("projekt")
    at.text_input(key="p_folder").input(str(tmp_path / "fran_qualcoder")).run()
    data = (refi_dir() / "samples" / "qualcoder-native.qdpx").read_bytes()
    at.file_uploader(key="p_qdpx").set_value(("qc.qdpx", data, "application/zip"))
    at.run()
    click(at, "p_import_qdpx")
    said = [html.unescape(i.value) for i in at.info]
    assert said[0].startswith("Importerat från QualCoder") and "81 koder" in said[0]
    assert "1 anteckningar på text sparades som memon (Projekt > Anteckningar)." in said
    assert "5 urval täcker en del av en mening eller flera: varje urval behåller sitt " \
        "exakta spann och räknas för de meningar (enheter) det berör." in said
    assert "Texterna behölls som i filen (de pseudonymiserades inte)." in said
    assert "Kodningar: 145 i filen, 145 importerade, 0 hoppades över." in said
    assert (tmp_path / "fran_qualcoder" / "qda.toml").exists()


def test_a_project_from_another_tool_pseudonymised_when_asked(root, tmp_path):
    from .devdata import refi_dir

    at = page("projekt")
    at.text_input(key="p_folder").input(str(tmp_path / "mx")).run()
    data = (refi_dir() / "samples" / "maxqda24-export.qdpx").read_bytes()
    at.file_uploader(key="p_qdpx").set_value(("mx.qdpx", data, "application/zip"))
    at.checkbox(key="p_qdpx_pseudonymise").check().run()
    click(at, "p_import_qdpx")
    said = [html.unescape(i.value) for i in at.info]      # shown as text, escaped
    masked = [line for line in said if line.startswith("Pseudonymiserat: ")]
    assert masked and "e-postadresser" in masked[0], said


def test_counts_agree_with_their_number_in_swedish():
    from app import ui

    assert ui.count(1, "kodning", "kodningar") == "1 kodning"
    assert ui.count(0, "kodning", "kodningar") == "0 kodningar"
    assert ui.count(3, "mening kodad", "meningar kodade") == "3 meningar kodade"


def test_export_page_makes_the_quotes_as_word_with_transcript_quotes(root, tmp_path):
    """Quotes from transcripts have no question; Citat → docx crashed with a traceback."""
    from people.identity import CONSENSUS

    project = open_project(root)
    with project.transaction() as s:
        turn = s.scalars(select(Segment).where(Segment.kind != "note")).first()
        code = s.scalars(select(Code)).first()
        s.add(Coding(segment_id=turn.id, code_id=code.id, coder=CONSENSUS,
                     status="accepted", is_quote=True))
        text = turn.text.strip()
    project.close()
    at = page("export")
    at.selectbox(key="e_fmt_quotes").set_value("docx").run()
    click(at, "e_make_quotes")
    assert not at.error
    (tmp_path / "c.docx").write_bytes(at.session_state["e_file_quotes"].data)
    quotes = [p.text for p in Document(str(tmp_path / "c.docx")).paragraphs
              if p.style.name == "Quote"]
    assert any(q.startswith(f"{text}\n") and "fråga" not in q.removeprefix(f"{text}\n")
               for q in quotes)


def test_an_unexpected_export_error_is_one_swedish_line_not_a_traceback(root, monkeypatch):
    import app.downloads

    def broken(*args, **kwargs):
        raise ValueError("invalid literal for int() with base 10: ''")

    monkeypatch.setattr(app.downloads, "export_bytes", broken)
    at = page("export")
    click(at, "e_make_quotes")
    assert not at.exception
    assert "kunde inte skapas: ett oväntat fel" in at.error[0].value
    assert "invalid literal" not in at.error[0].value


def test_kodning_when_the_database_does_not_answer(root, monkeypatch):
    """An action the database refused (after its one retry) shows the Swedish message and
    leaves nothing; an undo that failed stays on the stack, to be tried again."""
    from corpus import store
    from corpus.project import Project

    at = page("kodning")
    real = Project.retried

    def away(self, work, synced=True, write=True):
        raise store.unavailable()

    monkeypatch.setattr(Project, "retried", away)
    click(at, "k_acc_1")
    assert "Databasen svarar inte just nu – försök igen" in at.error[0].value
    assert codings(root) == [] and at.session_state["k_undo"] == []
    monkeypatch.setattr(Project, "retried", real)
    click(at, "k_acc_1")
    assert len(codings(root)) == 1 and len(at.session_state["k_undo"]) == 1
    monkeypatch.setattr(Project, "retried", away)
    click(at, "k_undo_btn")
    assert "Databasen svarar inte just nu" in at.error[0].value
    assert len(codings(root)) == 1 and len(at.session_state["k_undo"]) == 1
    monkeypatch.setattr(Project, "retried", real)
    click(at, "k_undo_btn")
    assert codings(root) == [] and at.session_state["k_undo"] == []


def test_a_blind_round_made_on_the_page_computes_each_coders_suggestions(root):
    at = page("samstammighet", coder="lead")
    at.multiselect(key="sa_coders_new").set_value(["anna", "bo"])
    at.number_input(key="sa_units").set_value(4)
    click(at, "sa_create")
    from app import state

    for coder in ("anna", "bo"):
        retrainer = state.retrainer(state.project(), coder)
        assert retrainer.status.runs or retrainer.status.running    # started at once
        assert retrainer.wait(300) and retrainer.status.error is None
        assert codings(root, coder=f"förslag:{coder}")


def test_a_page_that_loses_the_database_is_drawn_again_then_says_so(root, monkeypatch):
    """app/main.py: a lost connection while drawing a page is retried once (a rerun);
    still lost, the Swedish message instead of a traceback; back, the page again."""
    from sqlalchemy.exc import OperationalError

    from app import auth

    real_gate = auth.gate
    calls = []

    def lost(proj):
        calls.append(1)
        raise OperationalError("SELECT 1", {}, Exception("the database system is shutting "
                                                         "down"))

    monkeypatch.setattr(auth, "gate", lost)
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=60)
    at.session_state["coder"] = CODER
    at.run()
    assert not at.exception
    assert len(calls) == 2                                   # drawn once more, then …
    assert [e.value for e in at.error] == ["Databasen svarar inte just nu – försök igen"]
    monkeypatch.setattr(auth, "gate", real_gate)
    at.button(key="database_retry").click().run()
    assert not at.exception and not at.error
