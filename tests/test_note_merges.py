"""Bilaga 2's topic merges: notes of one theme row proposed as one row by wording (and by
meaning with the embedding extra), merged or kept apart by the author, remembered (also
when the workbook is replaced by a corrected one), audited, and printed by bilaga 2; on a
study of its own, on both stores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app as qda_app
from coding import note_merges
from coding.codebook import parse_codebook
from coding.codes import import_doc
from coding.exchange import import_codings
from coding.suggest import embed
from corpus.actors import Actor
from corpus.errors import QdaError
from corpus.ingest import StoreOptions, ingest_file
from corpus.models import AuditEvent, NoteMerge, Segment
from corpus.project import init_project
from corpus.readers import ReadOptions
from corpus.roles import Role
from corpus.tabular import write_table
from tests.conftest import pg_database
from themes import merges, tables
from themes.layers import resolve_layer

from .conftest import acting

BOOK = parse_codebook("""
codes:
  - name: Hemtjänst
    children: [{name: Kontinuitet}, {name: Väntetid}]
  - name: Boende
""")
# area, note, sub-theme: written for this test, in a study whose areas are its own
NOTES = [
    ("Kungälv", "Antal olika personal hos brukaren per vecka", "Hemtjänst > Kontinuitet"),
    ("Tjörn", "Hur många olika personal brukaren möter per vecka i hemtjänsten",
     "Hemtjänst > Kontinuitet"),
    ("Orust", "Andel brukare med en fast kontaktperson", "Hemtjänst > Kontinuitet"),
    ("Kungälv", "Väntetid till första hemtjänstbesöket", "Hemtjänst > Väntetid"),
    ("Tjörn", "väntetid till första hemtjänstbesöket.", "Hemtjänst > Väntetid"),
    ("Orust", "Väntetid till första besöket av hemtjänsten efter beslut",
     "Hemtjänst > Väntetid"),
    ("Stenungsund", "Hur länge väntar man på ett boende", "Boende"),
    ("Orust", "Kö till särskilt boende i veckor", "Boende"),
]
OTHER_QUESTION = ("Kungälv", "Antal olika personal hos brukaren per månad", "Hemtjänst")


def _csv(folder: Path, rows, name: str = "lappar.csv") -> Path:
    path = folder / name
    path.write_text("Område,Inlägg\n" + "".join(f'{a},"{t}"\n' for a, t, _ in rows),
                    encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def studied(request, tmp_path: Path):
    """A `qda init` project of its own study: notes of question 1 (and one of question 2),
    coded in the consensus layer by an import."""
    def build(url: str | None):
        proj = init_project(tmp_path / "proj", url)
        ingest_file(proj, _csv(tmp_path, NOTES), ReadOptions(question=1), actor=acting("lena"))
        ingest_file(proj, _csv(tmp_path, [OTHER_QUESTION], "fraga2.csv"),
                    ReadOptions(question=2), actor=acting("lena"))
        with proj.transaction() as s:
            import_doc(s, BOOK, acting("lena"))
        themes = {t: c for _, t, c in [*NOTES, OTHER_QUESTION]}
        rows = [{"text": t, "code": c} for t, c in themes.items()]
        import_codings(proj, write_table(pd.DataFrame(rows), tmp_path / "k.tsv"),
                       coder="konsensus", actor=acting("lena"))
        return proj

    if request.param == "sqlite":
        proj = build(None)
        yield proj
        proj.close()
        return
    with pg_database(request.getfixturevalue("pg_server")) as url:
        proj = build(url)
        yield proj
        proj.close()


def _ids(proj) -> dict[str, int]:
    with proj.session() as s:
        return {t.strip(): i for i, t in s.execute(select(Segment.id, Segment.text))}


def _rows(proj) -> list[str]:
    with proj.session() as s:
        return tables.bilaga2(s, resolve_layer(s))[1]["Inlägg"].tolist()


def _proposals(proj, embedder=None, question=None) -> list[merges.Proposal]:
    with proj.session() as s:
        return merges.proposals(s, resolve_layer(s), embedder, question=question)


def test_proposals_join_rows_of_one_theme_and_an_accepted_one_is_one_row(studied):
    ids = _ids(studied)
    before = _rows(studied)
    # the near-copy is one row already, by wording; nothing else is merged unasked
    assert "Väntetid till första hemtjänstbesöket" in before and len(before) == 7
    found = _proposals(studied)
    assert found and all(p.signal == "ordval" for p in found)
    with studied.session() as s:
        themes = tables.themed_units(s, resolve_layer(s))
    theme_of = {int(i): (m, sub) for i, m, sub in zip(themes.segment_id, themes.Huvudtema,
                                                      themes.Subtema, strict=True)}
    for p in found:
        assert len(p.segment_ids) >= 2 and p.rows >= 2 and p.question == 1
        assert {theme_of[i] for i in p.segment_ids} == {(p.main, p.sub)}
        assert set(p.areas) <= {"Kungälv", "Tjörn", "Orust", "Stenungsund"}
    alike = [ids["Antal olika personal hos brukaren per vecka"],
             ids["Hur många olika personal brukaren möter per vecka i hemtjänsten"]]
    assert any(set(alike) <= set(p.segment_ids) for p in found)

    with studied.transaction() as s:
        assert note_merges.decide(s, alike, True, acting("lena")) == 1
    rows = _rows(studied)
    assert len(rows) == 6
    assert ("Antal olika personal hos brukaren per vecka; Hur många olika personal brukaren "
            "möter per vecka i hemtjänsten") in rows
    with studied.session() as s:
        frame = tables.bilaga2(s, resolve_layer(s))[1]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "merge.accept")).one()
    merged = frame[frame["Inlägg"].str.startswith("Antal olika")].iloc[0]
    assert merged["Kungälv"] == "x" and merged["Tjörn"] == "x" and merged["antal"] == 2
    assert event.actor == "lena" and event.after == {"segments": sorted(alike)}
    # merged notes are not proposed again as a pair
    assert not any(set(alike) == set(p.segment_ids) for p in _proposals(studied))
    # the table without the authors' decisions is as before
    with studied.session() as s:
        assert tables.bilaga2(s, resolve_layer(s), decided=False)[1]["Inlägg"].tolist() \
            == before


def test_kept_apart_is_never_proposed_again_and_splits_a_near_copy(studied):
    ids = _ids(studied)
    found = _proposals(studied)
    with studied.transaction() as s:
        for p in found:
            note_merges.decide(s, list(p.segment_ids), False, acting("lena"))
    again = _proposals(studied)
    for p in again:
        for q in found:
            assert len(set(p.segment_ids) & set(q.segment_ids)) < 2
    copies = [ids["Väntetid till första hemtjänstbesöket"],
              ids["väntetid till första hemtjänstbesöket."]]
    with studied.transaction() as s:
        note_merges.decide(s, copies, False, acting("lena"))
    rows = _rows(studied)
    assert "Väntetid till första hemtjänstbesöket" in rows
    assert "väntetid till första hemtjänstbesöket." in rows
    with studied.transaction() as s:           # undone: the wording merges them again
        assert note_merges.forget(s, copies, acting("lena")) == 1
        assert note_merges.forget(s, copies, acting("lena")) == 0
    assert "väntetid till första hemtjänstbesöket." not in _rows(studied)
    with studied.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(
            AuditEvent.entity == "note_merge").order_by(AuditEvent.id))]
    assert actions[-2:] == ["merge.refuse", "merge.forget"]


def test_bad_choices_are_refused_and_change_nothing(studied):
    ids = _ids(studied)
    one = ids["Antal olika personal hos brukaren per vecka"]
    other_q = ids["Antal olika personal hos brukaren per månad"]
    reader = Actor("rita", Role.READER)
    cases = [([one], "E368"), ([one, other_q], "E368"), ([one, 99_999], "E332")]
    for chosen, code in cases:
        with pytest.raises(QdaError, match=code), studied.transaction() as s:
            note_merges.decide(s, chosen, True, acting("lena"))
    with pytest.raises(QdaError, match="E600"), studied.transaction() as s:
        note_merges.decide(s, [one, ids["Andel brukare med en fast kontaktperson"]], True,
                           reader)
    with studied.session() as s:
        assert s.scalars(select(NoteMerge)).all() == []


def test_a_corrected_workbook_keeps_the_merges_of_notes_that_stayed(studied, tmp_path):
    ids = _ids(studied)
    alike = [ids["Antal olika personal hos brukaren per vecka"],
             ids["Hur många olika personal brukaren möter per vecka i hemtjänsten"]]
    apart = [ids["Hur länge väntar man på ett boende"], ids["Kö till särskilt boende i veckor"]]
    with studied.transaction() as s:
        note_merges.decide(s, alike, True, acting("lena"))
        note_merges.decide(s, apart, False, acting("lena"))
    corrected = [*NOTES[:-1], ("Orust", "Kö till särskilt boende, i veckor", "Boende")]
    folder = tmp_path / "rättad"
    folder.mkdir()
    report = ingest_file(studied, _csv(folder, corrected), ReadOptions(question=1),
                         store=StoreOptions(replace=True), actor=acting("lena"))
    assert report.replaced["report decisions kept"] == 1
    assert report.replaced["report decisions dropped"] == 1
    # the decision that could not move is named, with its unit's text, not only counted
    assert [w for w in report.warnings if w.code == "N105"] == [
        "replaced source 1: the report's bilaga 2 keep-apart on a unit that changed or went: "
        "'Kö till särskilt boende i veckor'"]
    new = _ids(studied)
    with studied.session() as s:
        kept = note_merges.decisions(s)
    pair = tuple(sorted(new[t] for t in ("Antal olika personal hos brukaren per vecka",
                                         "Hur många olika personal brukaren möter per vecka "
                                         "i hemtjänsten")))
    assert kept == {pair: True} and set(pair).isdisjoint(alike)


def test_meaning_proposals_with_the_embedding_extra(studied):
    """CI installs the embed extra: this state is tested, not skipped (tests/test_embed.py
    tests the state without it)."""
    assert embed.available()
    from coding.suggestions import project_embedder

    embedder = project_embedder(studied)
    found = _proposals(studied, embedder)
    assert found and {p.signal for p in found} == {"betydelse och ordval"}
    assert all(0 < p.score <= 1 for p in found)
    texts = [t for t, _ in sorted(_ids(studied).items(), key=lambda kv: kv[1])][:4]
    scores = merges.pair_scores(texts, embedder)
    # the two notes on how many staff a client meets are more alike than either is to
    # the waiting time before the first visit
    assert scores[0, 1] > max(scores[0, 3], scores[1, 3])
    assert embedder.computed + len(embedder.store.get([embed.text_key(t) for t in texts])) \
        >= len(texts)    # kept in the project, not only in memory


def test_cli_lists_accepts_refuses_and_forgets(studied):
    runner = CliRunner()
    root = str(studied.root)

    def qda(*args):
        result = runner.invoke(qda_app, [*args, "--project", root])
        assert result.exit_code == 0, result.output
        return result.output

    listed = qda("merges", "--wording-only", "--question", "1")
    assert "proposal(s) by wording" in listed and "Kontinuitet" in listed
    ids = _ids(studied)
    a, b = (ids["Antal olika personal hos brukaren per vecka"],
            ids["Hur många olika personal brukaren möter per vecka i hemtjänsten"])
    assert "2 notes merged into one row" in qda("merges", "accept", str(a), str(b))
    decided = qda("merges", "decided")
    assert "merged" in decided and f"{a} {b}" in decided
    assert "1 decision(s) undone" in qda("merges", "forget", str(a))
    bad = runner.invoke(qda_app, ["merges", "accept", str(a), "--project", root])
    assert bad.exit_code != 0 and "E368" in bad.output


def test_keeping_a_proposal_apart_never_splits_a_near_copy(studied):
    """A proposal may hold two notes that print as one row already (a near-copy): "keep
    apart" refuses only the pairs across today's rows, so the copies stay one row."""
    ids = _ids(studied)
    copies = {ids["Väntetid till första hemtjänstbesöket"],
              ids["väntetid till första hemtjänstbesöket."]}
    third = ids["Väntetid till första besöket av hemtjänsten efter beslut"]
    (proposal,) = [p for p in _proposals(studied) if third in p.segment_ids]
    assert copies <= set(proposal.segment_ids) and proposal.rows == 2
    apart = proposal.across()
    assert apart == sorted((min(c, third), max(c, third)) for c in copies)
    with studied.transaction() as s:
        note_merges.decide(s, list(proposal.segment_ids), False, acting("lena"), only=apart)
    rows = _rows(studied)
    assert "Väntetid till första hemtjänstbesöket" in rows          # the copies: one row
    assert "Väntetid till första besöket av hemtjänsten efter beslut" in rows
    assert not any(third in p.segment_ids for p in _proposals(studied))


def test_a_refusal_holds_where_other_merges_or_wording_would_link_the_two(studied):
    """A merged with C, and C a near-copy of B: B kept apart from A prints in a row of its
    own, never joined through C. A merge that would join two notes kept apart through
    other merges is refused (E369) and changes nothing."""
    ids = _ids(studied)
    a = ids["Väntetid till första besöket av hemtjänsten efter beslut"]
    c = ids["Väntetid till första hemtjänstbesöket"]
    b = ids["väntetid till första hemtjänstbesöket."]
    with studied.transaction() as s:
        note_merges.decide(s, [a, c], True, acting("lena"))
        note_merges.decide(s, [a, b], False, acting("lena"))
    rows = _rows(studied)
    assert ("Väntetid till första hemtjänstbesöket; Väntetid till första besöket av "
            "hemtjänsten efter beslut") in rows
    assert "väntetid till första hemtjänstbesöket." in rows
    with pytest.raises(QdaError, match="E369"), studied.transaction() as s:
        note_merges.decide(s, [b, c], True, acting("lena"))
    with studied.session() as s:
        assert note_merges.decisions(s) == {tuple(sorted((a, c))): True,
                                            tuple(sorted((a, b))): False}
