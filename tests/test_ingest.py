import os
import stat
import threading
import zipfile

import pytest
from sqlalchemy import delete, func, select

from corpus import ingest as ingest_mod
from corpus import prepare as prepare_mod
from corpus.errors import DuplicateSourceError, InputError, QdaError
from corpus.ingest import StoreOptions, ingest_file, ingest_paths
from corpus.models import AuditEvent, Code, Coding, PseudonymKey, Segment, Source
from corpus.readers import ReadOptions
from corpus.workshops import add_workshop
from tests.conftest import row_counts, write_xlsx

TRANSCRIPT = """Transkribering grupprum 2
Karin Lindqvist   0:03
Välkomna! Jag heter Karin och nås på karin.lindqvist@example.se eller 070-123 45 67.
Per Holm   0:41
Tack Karin. Vi följer upp SIP. Det är viktigt för kontinuiteten.
Karin Lindqvist   1:20
Bra, Per. Lindqvist här igen.
"""


@pytest.fixture
def workbook(tmp_path):
    return write_xlsx(tmp_path / "lappar.xlsx", {
        "Fråga 1": [["Borås", "GR"], ["Antal SIP x2", "Återinläggningar"], ["Fallskador", None]],
        "Fråga 2": [["Område", "Inlägg"], ["VGR", "Gemensam data"]],
    })


def accept_samverkan(project, *texts: str, memo: str | None = None) -> None:
    """Anna's accepted code "Samverkan" on the units with these texts."""
    with project.transaction() as s:
        code = Code(name="Samverkan")
        s.add(code)
        s.flush()
        for text in texts:
            seg = s.scalar(select(Segment.id).where(Segment.text == text))
            s.add(Coding(segment_id=seg, code_id=code.id, coder="anna", status="accepted",
                         memo=memo))


def test_workbook_becomes_notes_with_question_area_and_count(project, workbook):
    report = ingest_file(project, workbook)
    assert report.status == "imported" and report.segments == {"note": 4}
    with project.session() as s:
        notes = s.execute(select(Segment.question, Segment.area, Segment.text,
                                 Segment.duplicate_count, Segment.sheet, Segment.location)
                          .order_by(Segment.position)).all()
    assert notes == [(1, "boras", "Antal SIP", 2, "Fråga 1", "A2"),
                     (1, "gr", "Återinläggningar", 1, "Fråga 1", "B2"),
                     (1, "boras", "Fallskador", 1, "Fråga 1", "A3"),
                     (2, "vgr", "Gemensam data", 1, "Fråga 2", "B2")]


def test_original_is_kept_read_only(project, workbook):
    report = ingest_file(project, workbook)
    with project.session() as s:
        stored = project.sources_dir / s.get(Source, report.source_id).stored_name
    assert stored.read_bytes() == workbook.read_bytes()
    assert not os.stat(stored).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_same_bytes_twice_is_refused_and_changes_nothing(project, workbook, tmp_path):
    ingest_file(project, workbook)
    before = row_counts(project)
    copy = tmp_path / "annat_namn.xlsx"
    copy.write_bytes(workbook.read_bytes())
    with pytest.raises(DuplicateSourceError, match="already imported as source 1"):
        ingest_file(project, copy)
    assert row_counts(project) == before


def test_replace_with_the_same_bytes_keeps_every_decision(project, workbook):
    first = ingest_file(project, workbook)
    accept_samverkan(project, "Fallskador", memo="fall")
    again = ingest_file(project, workbook, ReadOptions(question=None),
                        store=StoreOptions(replace=True))
    assert again.status == "replaced" and again.source_id != first.source_id
    assert again.replaced == {"unchanged": 4, "relabelled": 0, "new": 0, "gone": 0,
                              "codings kept": 1, "codings dropped": 0}
    assert row_counts(project)["source"] == 1
    with project.session() as s:
        (coding,) = s.scalars(select(Coding))
        moved = s.get(Segment, coding.segment_id)
        assert moved.source_id == again.source_id and moved.text == "Fallskador"
        assert coding.memo == "fall" and coding.coder == "anna"


def test_replace_a_corrected_file_of_the_same_name(project, workbook, tmp_path):
    ingest_file(project, workbook)
    accept_samverkan(project, "Fallskador", "Gemensam data")
    corrected = tmp_path / "rättad" / "lappar.xlsx"
    corrected.parent.mkdir()
    write_xlsx(corrected, {
        "Fråga 1": [["Borås", "GR"], ["Antal SIP x2", "Återinläggningar"], ["Fallskador", None]],
        "Fråga 2": [["Område", "Inlägg"], ["VGR", "Gemensamma data"], ["GR", "Ny lapp"]]})
    beside = ingest_file(project, corrected)        # without --replace: a warning
    assert any("already source 1" in w and "--replace" in w for w in beside.warnings)
    with project.transaction() as s:
        s.execute(delete(Source).where(Source.id == beside.source_id))
    report = ingest_file(project, corrected, store=StoreOptions(replace=True))
    assert report.status == "replaced"
    assert report.replaced == {"unchanged": 3, "relabelled": 0, "new": 2, "gone": 1,
                               "codings kept": 1, "codings dropped": 1}
    assert any("'Samverkan' on a unit that changed or went: 'Gemensam data'" in w
               for w in report.warnings)
    assert row_counts(project)["source"] == 1
    with project.session() as s:
        kept = s.scalars(select(Segment.text).join(Coding, Coding.segment_id == Segment.id))
        assert list(kept) == ["Fallskador"]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "replace")).one()
        assert event.before["dropped codings"][0]["text"] == "Gemensam data"
        assert event.after["carried"]["codings kept"] == 1


def test_a_corrected_area_keeps_the_codings_of_the_note(project, tmp_path):
    """The correction a team makes most: a note typed under the wrong area. Its words are
    the same, so its codings stay, on the note in its right area; a note whose words
    changed still loses its own (listed)."""
    notes = tmp_path / "lappar.csv"
    notes.write_text("Område,Inlägg\nGR,Fallskador\nGR,Fallskador\nBorås,Gemensam data\n"
                     "VGR,Antal SIP\n", encoding="utf-8")
    ingest_file(project, notes, ReadOptions(question=1))
    accept_samverkan(project, "Fallskador", "Gemensam data", "Antal SIP")
    notes.write_text("Område,Inlägg\nGR,Fallskador\nSkaraborg,Fallskador\n"
                     "Fyrbodal,Gemensam data\nVGR,Antal SIP per år\n", encoding="utf-8")
    report = ingest_file(project, notes, ReadOptions(question=1),
                         store=StoreOptions(replace=True))
    assert report.replaced == {"unchanged": 1, "relabelled": 2, "new": 1, "gone": 1,
                               "codings kept": 2, "codings dropped": 1}
    with project.session() as s:
        coded = sorted(s.execute(select(Segment.area, Segment.text).join(
            Coding, Coding.segment_id == Segment.id)).all())
    assert coded == [("fyrbodal", "Gemensam data"), ("gr", "Fallskador")]   # area keys


def test_replace_with_nothing_to_replace_is_refused_and_replaces_names_the_source(
        project, workbook, tmp_path):
    """A corrected file saved under a new name: --replace finds nothing and refuses it
    (imported beside the old one, every unit would count twice); --replaces names the
    source, by id or by file name, and the decisions move as with --replace."""
    first = ingest_file(project, workbook)
    accept_samverkan(project, "Fallskador")
    renamed = write_xlsx(tmp_path / "lappar rättad.xlsx", {
        "Fråga 1": [["Borås", "GR"], ["Antal SIP x2", "Återinläggningar"], ["Fallskador", None]],
        "Fråga 2": [["Område", "Inlägg"], ["VGR", "Gemensamma data"]]})
    before = row_counts(project)
    stored = sorted(project.sources_dir.iterdir())
    with pytest.raises(QdaError, match="no source has the name lappar rättad.xlsx") as caught:
        ingest_file(project, renamed, store=StoreOptions(replace=True))
    assert caught.value.code == "E133"
    for wrong, code in ((99, "E133"), ("saknas.xlsx", "E133")):
        with pytest.raises(QdaError) as caught:
            ingest_file(project, renamed, store=StoreOptions(replaces=wrong))
        assert caught.value.code == code
    with pytest.raises(QdaError) as caught:              # one source, one file
        ingest_paths(project, [renamed, workbook], store=StoreOptions(replaces=first.source_id))
    assert caught.value.code == "E134"
    assert row_counts(project) == before and sorted(project.sources_dir.iterdir()) == stored
    by_name = ingest_file(project, renamed, store=StoreOptions(replaces="lappar.xlsx"))
    assert by_name.status == "replaced" and row_counts(project)["source"] == 1
    assert by_name.replaced == {"unchanged": 3, "relabelled": 0, "new": 1, "gone": 1,
                                "codings kept": 1, "codings dropped": 0}
    again = write_xlsx(tmp_path / "lappar v3.xlsx", {
        "Fråga 1": [["Borås", "GR"], ["Antal SIP x2", "Återinläggningar"], ["Fallskador", None]]})
    (report,) = ingest_paths(project, [again], store=StoreOptions(replaces=str(by_name.source_id)))
    assert report.status == "replaced" and report.replaced["codings kept"] == 1
    with project.session() as s:
        assert s.scalars(select(Source.original_name)).all() == ["lappar v3.xlsx"]
        moved = s.scalar(select(Segment.text).join(Coding, Coding.segment_id == Segment.id))
    assert moved == "Fallskador"
    # a file whose bytes are another source's is not let in under --replaces either
    other = ingest_file(project, workbook)
    with pytest.raises(QdaError, match=f"already imported as source {other.source_id}"):
        ingest_file(project, workbook, store=StoreOptions(replaces=report.source_id))
    # two sources of one name: --replaces by that name cannot tell which, its id can
    ingest_file(project, renamed)
    (tmp_path / "annan").mkdir()
    namesake = write_xlsx(tmp_path / "annan" / "lappar rättad.xlsx",
                          {"Fråga 1": [["GR"], ["Något annat"]]})
    second = ingest_file(project, namesake)
    assert any("already source" in w for w in second.warnings)
    third = write_xlsx(tmp_path / "tredje.xlsx", {"Fråga 1": [["GR"], ["Något tredje"]]})
    with pytest.raises(QdaError, match="several sources are named") as caught:
        ingest_file(project, third, store=StoreOptions(replaces="lappar rättad.xlsx"))
    assert caught.value.code == "E131"
    assert ingest_file(project, third, store=StoreOptions(replaces=second.source_id)
                       ).status == "replaced"


def test_a_replacement_keeps_the_question_area_and_workshop_not_given_again(project,
                                                                           tmp_path):
    """`qda ingest --replace` of a corrected transcript without --question, --area or
    --workshop: the new source keeps the old one's, so the unchanged units are found and
    their decisions move (before, the question was lost and every unit counted as new)."""
    add_workshop(project, label="ws1", area="Skaraborg")
    path = tmp_path / "samtal.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    first = ingest_file(project, path, ReadOptions(question=2), store=StoreOptions(workshop="ws1"))
    accept_samverkan(project, "Vi följer upp SIP.")
    path.write_text(TRANSCRIPT.replace("Bra, Per.", "Bra, Per!"), encoding="utf-8")
    again = ingest_file(project, path, store=StoreOptions(replace=True))
    assert (again.question, again.area) == (2, first.area) == (2, "skaraborg")
    assert not any("guessed" in w for w in again.warnings)
    assert again.replaced["codings kept"] == 1 and again.replaced["unchanged"] >= 5
    with project.session() as s:
        source = s.get(Source, again.source_id)
        assert (source.question, source.area) == (2, "skaraborg")
        assert source.workshop_id is not None
        assert set(s.scalars(select(Segment.question).where(
            Segment.source_id == again.source_id))) == {2}
        moved = s.scalar(select(Segment.text).join(Coding, Coding.segment_id == Segment.id))
        assert moved == "Vi följer upp SIP."
    path.write_text(TRANSCRIPT.replace("Bra, Per.", "Bra."), encoding="utf-8")
    said = ingest_file(project, path, ReadOptions(question=3, area="gr"),
                       store=StoreOptions(replace=True))
    assert (said.question, said.area) == (3, "gr")          # what is said anew wins


def test_corrupt_workbook_leaves_the_project_as_it_was(project, workbook, tmp_path):
    ingest_file(project, workbook)
    before = row_counts(project)
    files_before = sorted(project.sources_dir.iterdir())
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    reports = ingest_paths(project, [bad])
    assert reports[0].status == "failed"
    assert reports[0].error.startswith("trasig.xlsx: not a readable .xlsx workbook")
    assert row_counts(project) == before
    assert sorted(project.sources_dir.iterdir()) == files_before


def test_a_crash_mid_import_rolls_back_rows_and_the_stored_copy(project, tmp_path, monkeypatch):
    path = tmp_path / "gr_samtal.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    before = row_counts(project)

    def explode(texts):
        raise RuntimeError("simulated crash while splitting sentences")

    monkeypatch.setattr(prepare_mod, "sentence_spans", explode)
    with pytest.raises(RuntimeError):
        ingest_file(project, path)
    assert row_counts(project) == before
    assert list(project.sources_dir.iterdir()) == []
    monkeypatch.undo()
    assert ingest_file(project, path).status == "imported"  # and it can be re-run


def _long_transcript(path, turns: int = 40):
    lines = []
    for i in range(turns):
        lines.append(f"Talare {i % 3 + 1}   {i}:00")
        lines.append(f"Vi pratar om SIP nummer {i}. Det fungerar ibland! Eller hur? Ja, ofta.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_transcript_in_many_batches_is_stored_as_in_one(project, tmp_path, monkeypatch):
    """Batches written while the next is made (PostgreSQL: from a second thread) give the
    same rows, ids in order and every sentence under its own turn."""
    path = _long_transcript(tmp_path / "gr_samtal.txt")
    monkeypatch.setattr(prepare_mod, "BATCH_CHARS", 150)        # about two turns a batch
    report = ingest_file(project, path)
    with project.session() as s:
        source = s.get(Source, report.source_id)
        rows = s.execute(select(Segment.id, Segment.kind, Segment.position, Segment.parent_id,
                                Segment.start_char, Segment.end_char, Segment.text)
                         .order_by(Segment.position)).all()
    turns = {r.id: r for r in rows if r.kind == "turn"}
    sentences = [r for r in rows if r.kind == "sentence"]
    assert len(turns) == 40 and len(sentences) == 160
    assert [r.position for r in rows] == list(range(200))
    assert [r.id for r in rows] == sorted(r.id for r in rows)       # turns first, in order
    for sentence in sentences:
        turn = turns[sentence.parent_id]
        assert turn.start_char <= sentence.start_char < sentence.end_char <= turn.end_char
        assert source.text[sentence.start_char:sentence.end_char] == sentence.text
    assert [r.text for r in sentences[:4]] == ["Vi pratar om SIP nummer 0.",
                                               "Det fungerar ibland!", "Eller hur?", "Ja, ofta."]
    other = tmp_path / "gr_samtal_2.txt"
    other.write_text(path.read_text(encoding="utf-8") + "Talare 1   40:00\nSlut.\n",
                     encoding="utf-8")
    monkeypatch.setattr(prepare_mod, "BATCH_CHARS", 10**9)               # one batch
    second = ingest_file(project, other)
    assert second.segments == {"turn": 41, "sentence": 161}
    with project.session() as s:
        whole = s.execute(select(Segment.kind, Segment.text, Segment.start_char)
                          .where(Segment.source_id == second.source_id)
                          .order_by(Segment.position)).all()
    assert [w for w in whole if w.text != "Slut."] == [(r.kind, r.text, r.start_char)
                                                       for r in rows]


def test_a_crash_after_some_batches_were_written_leaves_nothing(project, tmp_path,
                                                              monkeypatch):
    path = _long_transcript(tmp_path / "gr_samtal.txt")
    before = row_counts(project)
    monkeypatch.setattr(prepare_mod, "BATCH_CHARS", 150)
    calls = []
    real = prepare_mod.sentence_spans

    def fail_later(texts):
        calls.append(1)
        if len(calls) == 6:
            raise RuntimeError("simulated crash in the sixth batch")
        return real(texts)

    monkeypatch.setattr(prepare_mod, "sentence_spans", fail_later)
    with pytest.raises(RuntimeError, match="sixth batch"):
        ingest_file(project, path)
    assert row_counts(project) == before
    assert list(project.sources_dir.iterdir()) == []


def test_a_batch_the_database_refuses_stops_the_load_and_nothing_stays(project):
    """An error raised while a batch is written (on PostgreSQL in the writer thread)
    reaches the caller, and the transaction rolls back the batches before it."""
    from corpus.store import bulk_insert_batches

    def batches(source_id):
        for n in range(5):
            parent = 10**9 if n == 3 else None                 # no such segment
            yield [(Segment.__table__, [
                {"source_id": source_id, "kind": "note", "position": n * 10 + i,
                 "parent_id": parent, "duplicate_count": 1, "text": f"lapp {n}.{i}"}
                for i in range(10)])]

    # the driver's own IntegrityError (sqlite3's or psycopg's ForeignKeyViolation)
    with pytest.raises(Exception, match="(?i)foreign key"), project.transaction() as s:
        source = Source(kind="notes", file_format="xlsx", original_name="a.xlsx",
                        stored_name="a.xlsx", sha256="0" * 64, report={})
        s.add(source)
        s.flush()
        bulk_insert_batches(s, batches(source.id))
    with project.session() as s:
        assert s.scalar(select(func.count()).select_from(Segment)) == 0
        assert s.scalar(select(func.count()).select_from(Source)) == 0


def test_transcript_is_pseudonymised_and_offsets_point_into_the_source_text(project, tmp_path):
    path = tmp_path / "gr_samtal.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    report = ingest_file(project, path)
    assert report.area == "gr"
    assert report.pseudonymised == {"speakers": 2, "emails": 1, "phone_numbers": 1, "names": 4}
    with project.session() as s:
        source = s.get(Source, report.source_id)
        segments = s.scalars(select(Segment).order_by(Segment.position)).all()
        keys = s.execute(select(PseudonymKey.real_name, PseudonymKey.pseudonym)).all()
    assert sorted(keys) == [("Karin Lindqvist", "Deltagare 1"), ("Per Holm", "Deltagare 2")]
    every_text = " ".join(seg.text for seg in segments) + (source.text or "")
    for name in ("Karin", "Lindqvist", "Per Holm", "example.se", "070-123"):
        assert name not in every_text
    for seg in segments:
        assert source.text[seg.start_char:seg.end_char] == seg.text
    turns = [seg for seg in segments if seg.kind == "turn"]
    sentences = [seg for seg in segments if seg.kind == "sentence"]
    assert [t.speaker for t in turns] == ["Deltagare 1", "Deltagare 2", "Deltagare 1"]
    assert [t.start_time for t in turns] == [3.0, 41.0, 80.0]
    assert report.title == "Transkribering grupprum 2"      # its heading: not a unit
    assert source.report["title"] == "Transkribering grupprum 2"
    assert turns[1].text == ("Tack [Deltagare 1]. Vi följer upp SIP. "
                             "Det är viktigt för kontinuiteten.")
    assert [s.text for s in sentences if s.parent_id == turns[1].id] == [
        "Tack [Deltagare 1].", "Vi följer upp SIP.", "Det är viktigt för kontinuiteten."]


def test_workshop_gives_area_and_unknown_workshop_is_an_error(project, tmp_path):
    add_workshop(project, label="Skaraborg digital", area="Skaraborg", format="digital")
    path = tmp_path / "samtal.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    with pytest.raises(InputError, match="no workshop labelled 'Okänd'"):
        ingest_file(project, path, store=StoreOptions(workshop="Okänd"))
    report = ingest_file(project, path, store=StoreOptions(workshop="Skaraborg digital"))
    assert report.area == "skaraborg"
    with project.session() as s:
        assert {seg.area for seg in s.scalars(select(Segment))} == {"skaraborg"}


def test_folder_ingest_each_file_its_own_transaction(project, tmp_path, workbook):
    folder = tmp_path / "material"
    folder.mkdir()
    (folder / "lappar.xlsx").write_bytes(workbook.read_bytes())
    (folder / "vgr_samtal.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "tom.txt").write_bytes(b"")
    (folder / "~$lappar.xlsx").write_bytes(b"lock file")
    (folder / "bild.png").write_bytes(b"\x89PNG")
    reports = ingest_paths(project, [folder])
    assert [(os.path.basename(r.path), r.status) for r in reports] == [
        ("lappar.xlsx", "imported"), ("tom.txt", "failed"), ("vgr_samtal.txt", "imported")]
    assert row_counts(project)["source"] == 2
    with project.session() as s:
        actions = s.scalars(select(AuditEvent.action)
                            .where(~AuditEvent.action.startswith("study."))).all()
    assert actions == ["ingest", "ingest"]


def test_sentence_spans_agree_with_spacy_doc_sents():
    from corpus.segment import sentence_pipeline, sentence_spans

    texts = ["Vi mäter SIP. Och vårdtyngd!  Vad saknas?\\nMycket.", "", "   ",
             "En mening utan punkt", "Dr. Ek sa 3 st. saker. Sen gick hon."]
    nlp = sentence_pipeline()
    expected = []
    for text in texts:
        doc = nlp(text)
        expected.append([(s.start_char + len(s.text) - len(s.text.lstrip()),
                          s.end_char - (len(s.text) - len(s.text.rstrip())))
                         for s in doc.sents if s.text.strip()])
    assert list(sentence_spans(texts)) == expected


def test_a_large_import_leaves_postgresql_with_fresh_statistics(pg_project, tmp_path,
                                                               monkeypatch):
    """The planner must not plan the Kodning page's queries from an empty table's
    statistics after a bulk load, and counting the queue must not read every new row
    (autovacuum may come much later)."""
    from tests.conftest import vacuumed

    monkeypatch.setattr(ingest_mod, "ANALYZE_AFTER", 20)
    transcript = tmp_path / "samtal.txt"
    transcript.write_text("\n".join(f"Talare {i % 3 + 1}  00:00:{i:02d}\nVi pratade om "
                                    f"hemtjänst och vårdcentral. Det tog tid {i}."
                                    for i in range(30)), encoding="utf-8")
    assert not vacuumed(pg_project, "segment")
    [report] = ingest_paths(pg_project, [transcript])
    assert sum(report.segments.values()) >= 20
    assert vacuumed(pg_project, "segment")


def test_a_folder_of_transcripts_in_batches_keeps_each_file_to_itself(project, tmp_path,
                                                                      monkeypatch):
    """Transcripts of many batches with a refused and a broken file between them (on
    PostgreSQL two files are imported at once): each file's units, areas, offsets and
    counts are its own, and a copy or a namesake is told apart as one file at a time."""
    monkeypatch.setattr(prepare_mod, "BATCH_CHARS", 150)        # several batches a file
    threads = set()
    real = ingest_mod.write_transcript

    def spy(*args, **kwargs):
        threads.add(threading.current_thread().name.split("_")[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_mod, "write_transcript", spy)
    hashed = []
    real_hash = prepare_mod.sha256_of
    for module in (ingest_mod, prepare_mod):
        monkeypatch.setattr(module, "sha256_of", lambda p: hashed.append(p) or real_hash(p))
    folder = tmp_path / "material"
    (folder / "senare").mkdir(parents=True)
    first = _long_transcript(folder / "a_gr.txt")
    (folder / "b_gr_kopia.txt").write_bytes(first.read_bytes())      # same bytes: refused
    (folder / "c_tom.txt").write_bytes(b"")                          # failed
    last = folder / "d_vgr.txt"
    last.write_text("\n".join(f"Talare {i % 2 + 1}   {i}:00\nVårdplanen nummer {i} följs upp. "
                              "Hur då?" for i in range(30)) + "\n", encoding="utf-8")
    (folder / "senare" / "a_gr.txt").write_text("Talare 1   0:00\nEn annan fil.\n",
                                                encoding="utf-8")  # same name, new bytes
    reports = ingest_paths(project, [folder])
    assert [(os.path.basename(r.path), r.status) for r in reports] == [
        ("a_gr.txt", "imported"), ("b_gr_kopia.txt", "refused"), ("c_tom.txt", "failed"),
        ("d_vgr.txt", "imported"), ("a_gr.txt", "imported")]
    assert "already imported as source" in reports[1].error
    assert any("a different file named a_gr.txt" in w for w in reports[4].warnings)
    assert sorted(hashed) == sorted(set(hashed)) and len(hashed) == 5    # each file once
    assert threads == ({"qda-ingest"} if project.engine.dialect.name == "postgresql"
                       else {"MainThread"})
    assert reports[0].segments == {"turn": 40, "sentence": 160}
    assert reports[3].segments == {"turn": 30, "sentence": 60}
    with project.session() as s:
        for report, word in ((reports[0], "SIP"), (reports[3], "Vårdplanen")):
            source = s.get(Source, report.source_id)
            rows = s.execute(select(Segment.id, Segment.kind, Segment.parent_id,
                                    Segment.start_char, Segment.end_char, Segment.text,
                                    Segment.area)
                             .where(Segment.source_id == source.id)
                             .order_by(Segment.position)).all()
            turns = {r.id: r for r in rows if r.kind == "turn"}
            assert all(word in t.text for t in turns.values())
            assert {r.area for r in rows} == {source.area}
            for r in rows:
                assert source.text[r.start_char:r.end_char] == r.text
                if r.kind == "sentence":
                    assert r.parent_id in turns
        assert s.scalar(select(func.count()).select_from(Segment)) == 40 + 160 + 30 + 60 + 2


def test_a_name_colon_time_docx_keeps_times_labels_and_words(project, tmp_path):
    """`Namn: [hh:mm:ss] text` under a .docx heading: the heading is no unit, the time is
    the turn's (not its text), no word after it becomes [namn], "Deltagare 3" stays."""
    from docx import Document

    from reports.run import export

    doc = Document()
    doc.add_heading("Gruppdiskussion – nära vård", level=1)
    for line in ("Anna Svensson: [00:00:05] Välkomna allihop.",
                 "Deltagare 3: [00:01:30] Sen tror jag att vi behöver mer data.",
                 "Anna Svensson: [00:02:00] Inga förslag?"):
        doc.add_paragraph(line)
    doc.save(str(tmp_path / "gr_grupp.docx"))
    report = ingest_file(project, tmp_path / "gr_grupp.docx")
    assert report.title == "Gruppdiskussion – nära vård"
    with project.session() as s:
        turns = s.scalars(select(Segment).where(Segment.kind == "turn")
                          .order_by(Segment.position)).all()
        rows = [(t.speaker, t.text, t.start_time, t.location) for t in turns]
    assert rows == [
        ("Deltagare 1", "Välkomna allihop.", 5.0, "00:00:05"),
        ("Deltagare 3", "Sen tror jag att vi behöver mer data.", 90.0, "00:01:30"),
        ("Deltagare 1", "Inga förslag?", 120.0, "00:02:00")]
    qdpx = export(project, "qdpx", out=tmp_path / "p.qdpx").path
    with zipfile.ZipFile(qdpx) as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("sources/"))
    assert "[00:01:30] Deltagare 3: Sen tror jag" in text and "Gruppdiskussion" not in text
