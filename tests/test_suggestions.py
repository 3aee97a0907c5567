"""Suggestions stored in a project: every segment, decisions keep evidence, rejections stick."""

from sqlalchemy import select

from coding import codes, codings, unit_view
from coding.codebook import Codebook, read_codebook
from coding.suggestions import KEEP, examples, pending, queue, suggest
from corpus.ingest import ingest_file
from corpus.models import Coding, Segment
from corpus.readers import ReadOptions

from .conftest import acting

NOTES = ["Kostnad per brukare i hemtjänsten", "Antal SIP per 1000 invånare",
         "Andel med fast vårdkontakt", "Väntetid till vårdcentralen",
         "Antal läkemedelsgenomgångar för äldre", "Fallolyckor bland äldre",
         "Hur mäter vi förflyttningen till nära vård?", "Fikat var gott"]


def setup(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(f"GR,{n}\n" for n in NOTES),
                                    encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), acting("anna"))


def stored(project):
    with project.session() as s:
        return s.execute(select(Coding.segment_id, Coding.code_id, Coding.status, Coding.score,
                                Coding.evidence).where(Coding.coder == "förslag")).all()


def test_every_segment_gets_ranked_explained_suggestions(project, tmp_path):
    setup(project, tmp_path)
    report = suggest(project)
    rows = stored(project)
    with project.session() as s:
        segment_ids = set(s.scalars(select(Segment.id)))
    assert {r.segment_id for r in rows} == segment_ids and report.segments == len(NOTES)
    assert all(r.status == "suggested" and 0 <= r.score <= 1 for r in rows)
    first = [r for r in rows if r.evidence["rank"] == 1]
    assert len(first) == len(NOTES) and all(r.evidence["reasons"] for r in first)
    with project.session() as s:
        fika = s.scalars(select(Segment.id).where(Segment.text == "Fikat var gott")).one()
    assert fika in report.flagged_ids


def test_accept_keeps_evidence_and_reject_is_never_suggested_again(project, tmp_path):
    setup(project, tmp_path)
    suggest(project)
    top = {r.segment_id: r for r in stored(project) if r.evidence["rank"] == 1}
    with project.transaction() as s:
        accepted = codings.accept(s, 1, top[1].code_id, "anna")
        codings.reject(s, 2, top[2].code_id, "anna")
        assert accepted.evidence["reasons"] == top[1].evidence["reasons"]
    with project.session() as s:
        learned = examples(s)
    assert {(e.text, frozenset(e.codes), frozenset(e.rejected)) for e in learned} == {
        (NOTES[0], frozenset({top[1].code_id}), frozenset()),
        (NOTES[1], frozenset(), frozenset({top[2].code_id}))}
    suggest(project)
    again = {(r.segment_id, r.code_id) for r in stored(project)}
    assert (2, top[2].code_id) not in again
    assert queue(project, "document")[:2] == [3, 4]   # 1 and 2 are decided
    assert sorted(queue(project, "active")) == list(range(3, len(NOTES) + 1))


def test_a_rejection_made_while_the_run_scores_still_wins(project, tmp_path, monkeypatch):
    """The run reads the rejections once before it scores; one made meanwhile (by another
    coder on the team server) is found at the end and that segment is scored again."""
    from coding import suggestions

    setup(project, tmp_path)
    suggest(project)
    top = {r.segment_id: r for r in stored(project) if r.evidence["rank"] == 1}
    with project.transaction() as s:
        codings.reject(s, 3, top[3].code_id, "anna")
    real, calls = suggestions.rejected_by, []

    def not_yet_made(session, ids, coder):
        calls.append(1)
        return {} if len(calls) == 1 else real(session, ids, coder)

    monkeypatch.setattr(suggestions, "rejected_by", not_yet_made)
    report = suggest(project)
    assert len(calls) >= 2                       # read before scoring, and again at the end
    rows = stored(project)
    assert (3, top[3].code_id) not in {(r.segment_id, r.code_id) for r in rows}
    ranks = sorted(r.evidence["rank"] for r in rows if r.segment_id == 3)
    assert ranks == list(range(1, len(ranks) + 1)) and ranks
    assert report.suggestions == len(rows)
    assert report.flagged == len(set(report.flagged_ids))


def test_suggest_replaces_old_suggestions_in_one_go(project, tmp_path):
    setup(project, tmp_path)
    suggest(project)
    n = len(stored(project))
    suggest(project, source_ids=[1])
    assert len(stored(project)) == n


def test_blind_coder_gets_a_layer_of_their_own_and_keeps_its_evidence(project, tmp_path):
    setup(project, tmp_path)
    with project.transaction() as s:   # bertil's decisions must not reach anna's layer
        for segment_id in range(1, 7):
            codings.accept(s, segment_id, codes.find_code(s, "Samverkan > SIP").id, "bertil")
    shared = suggest(project)
    own = suggest(project, coder="anna")
    assert shared.trained_on == 6 and own.trained_on == 0
    with project.session() as s:
        layers = set(s.scalars(select(Coding.coder).where(Coding.status == "suggested")))
        anna_top = s.execute(select(Coding.segment_id, Coding.code_id, Coding.evidence).where(
            Coding.coder == "förslag:anna")).all()
    assert layers == {"förslag", "förslag:anna"}
    top = next(r for r in anna_top if r.segment_id == 7 and r.evidence["rank"] == 1)
    assert queue(project, "active", "anna", blind=True)[0] in {r.segment_id for r in anna_top}
    with project.transaction() as s:
        kept = codings.accept(s, 7, top.code_id, "anna")
        assert kept.evidence == top.evidence   # from anna's own layer, not the shared one
    items = pending(project, "anna", "document", limit=3, blind=True)
    assert [i.segment_id for i in items] == [1, 2, 3]
    with project.session() as s:
        ranks = s.execute(select(Coding.segment_id, Coding.code_id).where(
            Coding.coder == "förslag:anna", Coding.segment_id.in_([1, 2, 3]))
            .order_by(Coding.segment_id, Coding.rank)).all()
    for i in items:     # anna's own layer, in the order it was ranked
        assert i.suggestions
        assert [c for c, *_ in i.suggestions] == [c for seg, c in ranks if seg == i.segment_id]


def test_pending_lists_undecided_segments_with_numbered_suggestions(project, tmp_path):
    setup(project, tmp_path)
    suggest(project)
    items = pending(project, "anna", "document", limit=20)
    assert [i.text for i in items] == NOTES
    fika = items[NOTES.index("Fikat var gott")]
    assert fika.flagged and not items[1].flagged
    paths = [p for _, p, _, _ in items[1].suggestions]
    assert any(p.endswith("SIP") for p in paths) and all(r for *_, r in items[1].suggestions)
    with project.transaction() as s:
        codings.reject(s, 2, items[1].suggestions[0][0], "anna")
    assert 2 not in [i.segment_id for i in pending(project, "anna", "document", limit=20)]
    assert 2 in [i.segment_id for i in pending(project, "bertil", "document", limit=20)]


def test_suggestions_are_shown_in_the_engines_order_not_by_score(project, tmp_path):
    """The engine ranks the codes in use and the finest codes first, above codes that
    score higher (Engine.score); the coding page and `qda code next` must keep that
    order, or the ranking is lost between the store and the coder."""
    setup(project, tmp_path)
    suggest(project)
    with project.session() as s:
        rows = s.scalars(select(Coding).where(Coding.coder == "förslag", Coding.segment_id == 2)
                         .order_by(Coding.rank)).all()
        ranked = [r.code_id for r in rows]
    assert len(ranked) >= 3
    with project.transaction() as s:     # the last-ranked scores highest of all
        last = s.get(Coding, rows[-1].id)
        last.score = 0.999
    with project.session() as s:
        book = codes.load_codebook(s)
        view = unit_view.segment_view(s, 2, "anna", book)
    assert [sug.code_id for sug in view.suggestions] == ranked
    item = next(i for i in pending(project, "anna", "document", limit=20) if i.segment_id == 2)
    assert [code_id for code_id, *_ in item.suggestions] == ranked


def test_the_page_says_why_a_main_theme_stands_behind_its_own_sub_themes():
    """Only a main theme listed after a sub-theme of its own that the coder has not
    rejected is explained, and that one by name: a main theme coded on its own keeps its
    place by score, before its sub-themes, and then nothing needs explaining."""
    book = Codebook.from_doc(read_codebook("forstudie-postits"))
    main = book.find("Samverkan")
    sub = book.find(("Samverkan", "SIP"))
    other = next(c for c in book.codes.values() if c.depth == 1 and c.parent_id != main.id)

    def shown(*ids, rejected=()):
        return [unit_view.Suggested(i, book.codes[i].label, 0.5, [], [],
                                    "rejected" if i in rejected else None) for i in ids]

    assert unit_view.behind_its_sub_themes(shown(sub.id, other.id, main.id), book) == (
        main.label, 1)
    assert unit_view.behind_its_sub_themes(shown(main.id, sub.id, other.id), book) is None
    assert unit_view.behind_its_sub_themes(shown(other.id, main.id), book) is None
    assert unit_view.behind_its_sub_themes(
        shown(sub.id, other.id, main.id, rejected={sub.id}), book) is None
    two = next(c for c in book.codes.values() if c.parent_id == main.id and c.id != sub.id)
    assert unit_view.behind_its_sub_themes(shown(sub.id, two.id, main.id), book) == (
        main.label, 2)


def test_a_main_theme_waits_behind_the_sub_themes_that_imply_it(project, tmp_path):
    """One key should code a unit: the numbered suggestions are sub-themes first; of the
    main themes that have sub-themes, only the best one is shown, in the last place
    (for a unit about the theme as a whole), until the coding takes one on its own."""
    setup(project, tmp_path)
    suggest(project)
    with project.session() as s:
        book = codes.load_codebook(s)
        rows = s.execute(select(Coding.segment_id, Coding.code_id, Coding.rank).where(
            Coding.coder == "förslag").order_by(Coding.segment_id, Coding.rank)).all()
    parents = {c.parent_id for c in book.codes.values() if c.parent_id is not None}
    by_segment: dict[int, list[int]] = {}
    for segment_id, code_id, _ in rows:
        by_segment.setdefault(segment_id, []).append(code_id)
    full = [ids for ids in by_segment.values() if len(ids) == KEEP]
    assert full
    for ids in full:
        mains = [c for c in ids if c in parents]
        assert len(mains) <= 1 and (not mains or ids[-1] == mains[0])
    assert any(ids[-1] in parents for ids in full)
    with project.transaction() as s:   # the coding takes a main theme on its own
        main = codes.find_code(s, "Samverkan")
        for segment_id in range(1, 4):
            codings.accept(s, segment_id, main.id, "anna")
    suggest(project)
    with project.session() as s:
        again = s.execute(select(Coding.segment_id, Coding.code_id, Coding.rank).where(
            Coding.coder == "förslag", Coding.code_id == main.id)).all()
    assert any(rank < KEEP for _, _, rank in again)


def test_a_large_suggestion_run_vacuums_the_coding_table_on_postgresql(pg_project, tmp_path,
                                                                     monkeypatch):
    """Storing suggestions replaces many rows at once; the queue's index-only walks and
    counts must not wait for autovacuum to see the new rows."""
    from coding import suggestions as suggestions_mod
    from tests.conftest import vacuumed

    monkeypatch.setattr(suggestions_mod, "ANALYZE_AFTER", len(NOTES))
    setup(pg_project, tmp_path)
    assert not vacuumed(pg_project, "coding")
    suggest(pg_project)
    assert vacuumed(pg_project, "coding")
