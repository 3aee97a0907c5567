"""The review queue as paginated queries, the coder's actions with undo, transcript runs,
the 0002 migration's backfill, and exports as bytes."""

from __future__ import annotations

import io
import zipfile

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import event, select, text

from coding import codes, codings, queue, review_actions, unit_view
from coding.codebook import read_codebook
from coding.suggestions import suggest
from coding.transcript import code_sentences, code_span, transcript_view
from corpus import store
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import Coding, Segment
from corpus.project import init_project, open_project
from corpus.readers import ReadOptions
from reports.run import export_bytes

from .conftest import acting

NOTES = ["Kostnad per brukare i hemtjänsten", "Antal SIP per 1000 invånare",
         "Andel med fast vårdkontakt", "Väntetid till vårdcentralen",
         "Antal läkemedelsgenomgångar för äldre", "Fallolyckor bland äldre",
         "Hur mäter vi förflyttningen till nära vård?", "Fikat var gott"]


def setup(project, tmp_path, scored=True):
    (tmp_path / "n.csv").write_text(
        "Område,Inlägg\n" + "".join(f"{'GR' if i % 2 else 'VGR'},{n}\n"
                                    for i, n in enumerate(NOTES)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("anna"))
    if scored:
        suggest(project)


def walk(session, coder="anna", filters=None, order="active", page=3):
    """Every segment of the queue, page by page."""
    filters = filters or queue.Filters()
    out, after = [], None
    while True:
        got = queue.queue_page(session, coder, filters, order, after, page)
        out += [c.segment_id for c in got]
        if len(got) < page:
            return out
        after = got[-1]


def test_document_order_filtered_by_question_is_the_same_sorted_or_walked(project, tmp_path,
                                                                        monkeypatch):
    """A question filter that leaves few units sorts them instead of walking the order
    index (fast when they lie after every transcript); the pages are the same either way,
    decided units left out."""
    (tmp_path / "t.txt").write_text("".join(f"Talare 1   0:{i:02d}\nMening {i}. Till {i}.\n\n"
                                            for i in range(5)), encoding="utf-8")
    ingest_file(project, tmp_path / "t.txt", ReadOptions(area="gr"))
    setup(project, tmp_path, scored=False)
    (tmp_path / "m.csv").write_text("Område,Inlägg\n" + "".join(f"GR,Fråga två nr {i}\n"
                                                             for i in range(7)), encoding="utf-8")
    ingest_file(project, tmp_path / "m.csv", ReadOptions(question=2))
    with project.transaction() as s:
        second = s.scalars(select(Segment.id).where(Segment.question == 2)
                           .order_by(Segment.source_id, Segment.position)).all()
        first = s.scalars(select(Segment.id).where(Segment.question == 1)
                          .order_by(Segment.source_id, Segment.position)).all()
        codings.accept(s, second[3], codes.find_code(s, "Samverkan > SIP").id, "anna")
    suggest(project)
    (tmp_path / "m2.csv").write_text("Område,Inlägg\nGR,Sent tillkommen\nGR,Också sen\n",
                                     encoding="utf-8")
    ingest_file(project, tmp_path / "m2.csv", ReadOptions(question=2))     # not scored yet
    expected = [i for i in second if i != second[3]]
    filters = queue.Filters(questions=(2,))
    with project.session() as s:
        late = [i for i in s.scalars(select(Segment.id).where(Segment.question == 2))
                if i not in second]
        prio = dict(s.execute(select(Coding.segment_id, Coding.priority).where(
            Coding.coder == "förslag", Coding.rank == 1)).all())
        sorted_pages = walk(s, filters=filters, order="document", page=2)
        sorted_active = walk(s, filters=filters, order="active", page=2)
        both = walk(s, filters=queue.Filters(questions=(1, 2)), order="document", page=4)
        monkeypatch.setattr(queue, "SORT_AT_MOST", 3)           # too many: walk the index
        walked_pages = walk(s, filters=filters, order="document", page=2)
        walked_active = walk(s, filters=filters, order="active", page=2)
    assert len(late) == 2 and sorted_pages == walked_pages == [*expected, *sorted(late)]
    assert both == [*first, *expected, *sorted(late)] and len(first) == len(NOTES)
    assert sorted_active == walked_active == [
        *sorted(expected, key=lambda i: (-prio[i], -i)), *sorted(late)]


def test_units_without_suggestions_among_few_are_sorted_without_parallel_workers(
        project, tmp_path, monkeypatch):
    """On PostgreSQL the page of a question's units without suggestions turns parallel
    workers off for its one statement and back on after it (their start cost more than
    the sort); the pages are the same as walked, and SQLite is not touched."""
    setup(project, tmp_path, scored=False)
    suggest(project, segment_ids=[2, 5])
    uncoded = queue.Filters(questions=(1,), status=queue.Queue.UNCODED)
    said: list[str] = []
    with project.session() as s:
        connection = s.connection()
        event.listen(connection, "before_cursor_execute",
                     lambda *a: said.append(" ".join(a[2].split())))
        show = "SHOW max_parallel_workers_per_gather"
        before = s.scalar(text(show)) if project.engine.dialect.name == "postgresql" else None
        sorted_pages = walk(s, filters=uncoded, page=2)
        after = s.scalar(text(show)) if before is not None else None
        monkeypatch.setattr(queue, "SORT_AT_MOST", 3)           # too many: walk the index
        walked_pages = walk(s, filters=uncoded, page=2)
    assert sorted_pages == walked_pages == [1, 3, 4, 6, 7, 8]
    sets = [i for i, sql in enumerate(said) if "max_parallel_workers_per_gather" in sql
            and sql.startswith("SET")]
    if before is None:
        assert sets == []
        return
    pages = [i for i, sql in enumerate(said) if "has_top" in sql and "ORDER BY" in sql]
    assert after == before and len(sets) == 2 * 4      # 4 sorted pages, walked ones none
    assert all(said[i].endswith("= 0") and said[i + 2].endswith("TO DEFAULT")
               and i + 1 in pages for i in sets[::2])


def test_pages_cover_the_queue_once_in_priority_order(project, tmp_path):
    setup(project, tmp_path)
    with project.session() as s:
        active = walk(s)
        document = walk(s, order="document")
        prio = dict(s.execute(select(Coding.segment_id, Coding.priority)
                              .where(Coding.coder == "förslag", Coding.rank == 1)).all())
        assert queue.queue_count(s, "anna") == len(NOTES)
    assert sorted(active) == sorted(document) == list(range(1, len(NOTES) + 1))
    assert document == sorted(document)
    assert [prio[i] for i in active] == sorted((prio[i] for i in active), reverse=True)


def test_unscored_segments_come_after_the_scored_ones(project, tmp_path):
    setup(project, tmp_path, scored=False)
    with project.session() as s:
        assert walk(s) == list(range(1, len(NOTES) + 1))      # nothing scored: id order
    suggest(project, segment_ids=[3, 5])
    with project.session() as s:
        order = walk(s)
    assert set(order[:2]) == {3, 5} and order[2:] == [1, 2, 4, 6, 7, 8]


def test_statuses_and_filters(project, tmp_path):
    setup(project, tmp_path, scored=False)
    suggest(project, segment_ids=[1, 2, 3, 4])
    with project.transaction() as s:
        sip = codes.find_code(s, "Samverkan > SIP").id
        review_actions.accept_code(s, 2, sip, "anna")
        review_actions.reject_code(s, 3, sip, "bertil")
    with project.session() as s:
        def ids(**kw):
            return sorted(walk(s, filters=queue.Filters(**kw)))

        def count(**kw):
            return queue.queue_count(s, "anna", queue.Filters(**kw))

        assert ids() == [1, 3, 4, 5, 6, 7, 8] and count() == 7
        assert ids(status="decided") == [2] and count(status="decided") == 1
        assert ids(status="uncoded") == [5, 6, 7, 8] == sorted(walk(
            s, filters=queue.Filters(status="uncoded"), order="document"))
        assert count(status="uncoded") == 4
        assert ids(status="suggested") == [1, 3, 4] and count(status="suggested") == 3
        assert ids(status="all") == list(range(1, 9)) and count(status="all") == 8
        assert ids(areas=("gr",)) == [4, 6, 8] and count(areas=("gr",)) == 3
        assert ids(status="decided", code_id=sip) == [2]
        assert ids(questions=(2,)) == [] and count(questions=(2,)) == 0
        with pytest.raises(QdaError, match="E334"):
            queue.queue_page(s, "anna", queue.Filters(status="klar"))
        with pytest.raises(QdaError, match="E333"):
            queue.queue_page(s, "anna", order="slump")
        # bertil's decision is his: anna still has segment 3 to review, bertil does not
        assert 3 not in walk(s, coder="bertil") and 3 in walk(s, coder="anna")


def test_next_segment_wraps_round_and_stops_when_alone(project, tmp_path):
    setup(project, tmp_path)
    with project.session() as s:
        order = walk(s)
        assert queue.next_segment(s, order[-1], "anna") == order[0]
        assert queue.next_segment(s, order[0], "anna") == order[1]
        only = queue.Filters(areas=("vgr",), questions=(1,))
        first = queue.next_segment(s, None, "anna", only)
        assert s.get(Segment, first).area == "vgr"


def test_next_segment_looks_up_the_blind_round_once(project, tmp_path, monkeypatch):
    """The wrap-round reads two pages; the coder's round is found once for both."""
    setup(project, tmp_path)
    calls = []
    real = queue.rounds.blind_round

    def counted(session, coder):
        calls.append(coder)
        return real(session, coder)

    monkeypatch.setattr(queue.rounds, "blind_round", counted)
    with project.session() as s:
        last = walk(s)[-1]
        calls.clear()
        assert queue.next_segment(s, last, "anna") is not None    # after the end: wraps
    assert calls == ["anna"]


def test_undo_restores_the_previous_state_exactly(project, tmp_path):
    setup(project, tmp_path)
    with project.transaction() as s:
        sip = codes.find_code(s, "Samverkan > SIP").id
        first = review_actions.accept_code(s, 1, sip, "anna")
        assert review_actions.annotate(s, 1, "anna", memo="bra exempel", is_quote=True) == 1
        second = review_actions.reject_code(s, 1, sip, "anna")
    with project.transaction() as s:
        review_actions.undo(s, second)
    with project.session() as s:
        c = s.scalars(select(Coding).where(Coding.coder == "anna")).one()
        assert (c.status, c.memo, c.is_quote) == ("accepted", "bra exempel", True)
    with project.transaction() as s:
        review_actions.undo(s, first)
        assert s.scalars(select(Coding).where(Coding.coder == "anna")).all() == []


def test_memo_and_quote_need_a_code_and_follow_new_codes(project, tmp_path):
    setup(project, tmp_path)
    with project.transaction() as s:
        assert review_actions.annotate(s, 4, "anna", is_quote=True) == 0
        ids = [codes.find_code(s, p).id for p in
               ("Tillgänglighet", "Samverkan > SIP")]
        review_actions.accept_code(s, 4, ids[0], "anna")
        review_actions.annotate(s, 4, "anna", memo="citeras", is_quote=True)
        review_actions.accept_code(s, 4, ids[1], "anna")
    with project.session() as s:
        rows = s.scalars(select(Coding).where(Coding.coder == "anna")).all()
        view = unit_view.segment_view(s, 4, "anna", codes.load_codebook(s))
    assert len(rows) == 2 and all(r.is_quote and r.memo == "citeras" for r in rows)
    assert view.is_quote and view.memo == "citeras" and len(view.codes) == 2


def test_segment_view_explains_and_gives_context(project, tmp_path):
    setup(project, tmp_path)
    with project.session() as s:
        view = unit_view.segment_view(s, 2, "anna", codes.load_codebook(s))
    assert view.text == NOTES[1] and view.suggestions and view.area == "gr"
    assert any(sug.spans for sug in view.suggestions)     # evidence to highlight
    assert all(0 <= a < b <= len(view.text) for sug in view.suggestions for a, b in sug.spans)
    assert [c["current"] for c in view.context].count(True) == 1


def test_a_sentence_is_shown_inside_its_turn_among_the_turns_around_it(project, tmp_path):
    (tmp_path / "t.txt").write_text("".join(
        f"Talare {i % 2 + 1}   0:{i:02d}\nTur {i} börjar här. Sedan SIP i tur {i}.\n\n"
        for i in range(6)), encoding="utf-8")
    ingest_file(project, tmp_path / "t.txt", ReadOptions(area="gr"))
    with project.session() as s:
        codebook = codes.load_codebook(s)
        sentence = s.scalars(select(Segment).where(
            Segment.kind == "sentence", Segment.text == "Sedan SIP i tur 3.")).one()
        view = unit_view.segment_view(s, sentence.id, "anna", codebook, context=2)
        turn = s.get(Segment, sentence.parent_id)
        first = s.scalars(select(Segment.id).where(Segment.kind == "turn",
                                                   Segment.position == 0)).one()
        edge = unit_view.segment_view(s, first, "anna", codebook, context=2)
    assert [c["text"].split(" börjar")[0] for c in view.context] == [
        "Tur 1", "Tur 2", "Tur 3", "Tur 4", "Tur 5"]
    [current] = [c for c in view.context if c["current"]]
    assert current["text"] == turn.text
    assert current["text"][current["start"]:current["end"]] == "Sedan SIP i tur 3."
    assert [c["current"] for c in edge.context] == [True, False, False]
    assert edge.context[0]["start"] is None


def test_code_a_run_of_sentences(project, tmp_path):
    (tmp_path / "t.txt").write_text(
        "Anna Svensson   0:03\nVi behöver SIP. Det tar tid. Samverkan är viktigt.\n\n"
        "Bo Ek   0:20\nJa, håller med.\n", encoding="utf-8")
    ingest_file(project, tmp_path / "t.txt", ReadOptions(area="gr"))
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("anna"))
        sip = codes.find_code(s, "Samverkan > SIP").id
        turns = transcript_view(s, 1, "anna")
        assert len(turns[0].sentences) == 3
        done = code_sentences(s, turns[0], 0, 1, sip, "anna")
        assert len(done) == 2
        with pytest.raises(QdaError, match="E335"):
            code_sentences(s, turns[0], 1, 5, sip, "anna")
    with project.session() as s:
        turns = transcript_view(s, 1, "anna")
    first = turns[0]
    assert [bool(x.codes) for x in first.sentences] == [True, True, False]
    assert first.text[first.sentences[0].start:first.sentences[0].end] == "Vi behöver SIP."
    assert first.all_codes() == [sip] and turns[1].all_codes() == []


def test_code_a_span_of_words(project, tmp_path):
    """Words over two sentences code both, each coding keeping the one exact span; a
    sentence already coded whole stays whole; a span outside the turn is refused."""
    (tmp_path / "t.txt").write_text(
        "Anna Svensson   0:03\nVi behöver SIP. Det tar tid. Samverkan är viktigt.\n",
        encoding="utf-8")
    ingest_file(project, tmp_path / "t.txt", ReadOptions(area="gr"))
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("anna"))
        sip = codes.find_code(s, "Samverkan > SIP").id
        turn = transcript_view(s, 1, "anna")[0]
        code_sentences(s, turn, 2, 2, sip, "anna")          # the third one, whole
        start = turn.text.index("SIP.")
        end = turn.text.index("Samverkan") + len("Samverkan")
        done = code_span(s, turn, start, end, sip, "anna", turn_offset=100)
        assert len(done) == 3
        with pytest.raises(QdaError, match="E431"):
            code_span(s, turn, 5, len(turn.text) + 1, sip, "anna", turn_offset=100)
        rows = {seg.text: c.spans for c, seg in s.execute(
            select(Coding, Segment).join(Segment, Segment.id == Coding.segment_id)
            .where(Coding.coder == "anna"))}
    span = [[100 + start, 100 + end, None, False]]
    assert rows == {"Vi behöver SIP.": span, "Det tar tid.": span,
                    "Samverkan är viktigt.": None}


def test_migration_0002_backfills_rank_and_priority(tmp_path):
    project = init_project(tmp_path / "p")
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("fardplan"), acting("anna"))
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP\n", encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    suggest(project)
    with project.engine.begin() as conn:           # back to a project made before 0002
        command.downgrade(store.alembic_config(conn), "0001")
    project.close()
    project = open_project(tmp_path / "p")          # migrates, after a backup copy
    with project.session() as s:
        rows = s.execute(select(Coding.rank, Coding.priority, Coding.evidence)
                         .where(Coding.coder == "förslag")).all()
    project.close()
    assert rows and all(r.rank == r.evidence["rank"] for r in rows)
    assert all((r.priority == r.evidence["priority"]) if r.rank == 1 else r.priority is None
               for r in rows)
    assert list((tmp_path / "p").glob("project.sqlite.before-*.bak"))


def test_exports_as_bytes_for_a_browser(project, tmp_path):
    setup(project, tmp_path)
    with project.transaction() as s:
        sip = codes.find_code(s, "Samverkan > SIP").id
        review_actions.accept_code(s, 2, sip, "anna")
    got = export_bytes(project, "bilaga2", "xlsx")
    assert got.file_name == "bilaga2.xlsx" and got.mime.endswith("sheet")
    wb = load_workbook(io.BytesIO(got.data))
    assert wb.sheetnames == ["Fråga 1"]
    zipped = export_bytes(project, "themes", "csv")     # three tables: three files, zipped
    assert zipped.file_name == "themes-csv.zip"
    assert len(zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()) == 3


def test_statuses_and_actions_are_named_once(tmp_path):
    """Queue filters and coding statuses are English values with Swedish labels only in
    the app; an audit action outside the vocabulary is refused where it is written."""
    from app import ui
    from corpus.audit import record
    from corpus.vocabulary import Action, Status

    assert set(ui.STATUS_LABELS) == {q.value for q in queue.Queue}
    assert all(q.value.isascii() for q in queue.Queue)
    assert Status.ACCEPTED == "accepted" and Action.CODING_ACCEPT == "coding.accept"
    project = init_project(tmp_path / "p")
    with pytest.raises(ValueError), project.transaction() as s:
        record(s, "anna", "coding.acept", "coding", 1)
    project.close()


def test_queue_walk_hides_the_kind_index_from_sqlite_only():
    """SQLite without statistics would sort every segment by the kind index, so the walk
    hides it there; PostgreSQL plans from statistics and must see the plain column (as an
    expression it took the filter for a selective one and sorted every suggestion)."""
    from sqlalchemy.dialects import postgresql, sqlite

    page = queue._scored("anna", queue.Filters(), "förslag", None, 50)
    on_sqlite = str(page.compile(dialect=sqlite.dialect()))
    on_server = str(page.compile(dialect=postgresql.dialect()))
    assert "(segment.kind || '') IN" in on_sqlite
    assert "segment.kind IN" in on_server and "segment.kind ||" not in on_server


def test_recent_codes_are_the_coders_own_most_recent_first(project, tmp_path):
    """What the picker lists first: the codes this coder applied last, never a rejected
    one or another coder's, on both stores."""
    setup(project, tmp_path, scored=False)
    with project.transaction() as s:
        sip, kost, fast = (codes.find_code(s, p).id for p in
                           ("Samverkan > SIP", "Resursfördelning > Kostnader",
                            "Tillgänglighet"))
        review_actions.accept_code(s, 1, kost, "anna")
        review_actions.accept_code(s, 2, sip, "anna")
        review_actions.accept_code(s, 3, kost, "anna")   # used again: most recent now
        review_actions.reject_code(s, 4, fast, "anna")
        review_actions.accept_code(s, 5, fast, "bo")
    with project.session() as s:
        assert unit_view.recent_codes(s, "anna") == [kost, sip]
        assert unit_view.recent_codes(s, "anna", limit=1) == [kost]
        assert unit_view.recent_codes(s, "bo") == [fast]
        assert unit_view.recent_codes(s, "ny") == []
        order = unit_view.picker_order(codes.load_codebook(s), unit_view.recent_codes(s, "anna"))
    assert order[:2] == [kost, sip] and len(order) == len(set(order))


def test_picking_a_code_already_on_the_segment_writes_no_second_event(project, tmp_path):
    from corpus.models import AuditEvent

    setup(project, tmp_path, scored=False)
    with project.transaction() as s:
        code_id = min(codes.load_codebook(s).codes)
        review_actions.accept_code(s, 1, code_id, "anna")
        review_actions.accept_code(s, 1, code_id, "anna")       # re-picked in the code picker
        codings.accept(s, 1, code_id, "anna")
        codings.accept(s, 1, code_id, "anna", memo="nu med memo")   # a change: an event
    with project.session() as s:
        events = list(s.scalars(select(AuditEvent.action).where(
            AuditEvent.actor == "anna", AuditEvent.action.like("coding.%"))))
    assert events == ["coding.accept", "coding.accept"]
