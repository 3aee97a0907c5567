"""Issue 40 part B: the final layer `slutlig` every report export uses by default, 'not
relevant' outside rounds, the queue's count, search, and memos on sources and workshops.
On both stores."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from coding import (
    codes,
    codings,
    consensus,
    memos,
    queue,
    relevance,
    review_actions,
    rounds,
    unit_view,
)
from coding.codes import load_codebook
from coding.exporting import ExportOptions
from coding.final import AGREED, compose
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Memo
from corpus.readers import ReadOptions
from corpus.status import totals
from corpus.workshops import add_workshop
from qda import app
from reports.run import export
from themes import tables
from themes.layers import resolve_layer

from .conftest import SMALL_BOOK, acting

NOTES = ["Antal SIP per invånare",            # 1: anna and bertil agree
         "Tillit mellan huvudmännen",          # 2: they differ, no consensus yet
         "Väntetider på vårdcentralen",        # 3: they differ, consensus decided
         "Telefontillgänglighet",              # 4: only anna
         "Vad tänker ni om detta?",            # 5: both: not relevant
         "Okodad lapp om VÅRDCENTRALEN",       # 6: nobody
         "Mobila team i hemmet"]               # 7: anna codes, bertil: not relevant


def _project(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(f'GR,"{t}"\n' for t in NOTES),
                                    encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("anna"))
        sip, tillit, prim, tillg = (codes.find_code(s, p).id for p in (
            "Samverkan > SIP", "Samverkan > Tillit", "Tillgänglighet > Primärvården",
            "Tillgänglighet"))
        for coder in ("anna", "bertil"):
            codings.accept(s, 1, sip, coder)
        codings.accept(s, 2, tillit, "anna")
        codings.accept(s, 2, sip, "bertil")
        codings.accept(s, 3, prim, "anna")
        codings.accept(s, 3, tillg, "bertil")
        consensus.resolve(s, 3, [prim], "primärvården är det som avses", acting("lead"))
        codings.accept(s, 4, tillg, "anna", is_quote=True)
        for coder in ("anna", "bertil"):
            relevance.mark_not_relevant(s, 5, coder)
        codings.accept(s, 7, tillg, "anna")
        relevance.mark_not_relevant(s, 7, "bertil")
    return project


def test_the_final_layer_takes_each_unit_from_the_layer_that_settled_it(project, tmp_path):
    proj = _project(project, tmp_path)
    with proj.session() as s:
        final = compose(s)
        prim = codes.find_code(s, "Tillgänglighet > Primärvården").id
    assert sorted(final.codes) == [1, 3, 4]
    assert final.codes[3] == {prim: (False, "primärvården är det som avses")}
    assert final.given == {AGREED: 1, "konsensus": 1, "anna": 1}
    assert final.unresolved == {2: ["anna", "bertil"], 7: ["anna", "bertil"]}
    assert final.not_relevant == [5]


def test_every_report_export_defaults_to_the_final_layer_and_says_what_it_drew_on(
        project, tmp_path):
    """Before: the default was konsensus, which held only unit 3: one row, no warning."""
    proj = _project(project, tmp_path)
    report = export(proj, "bilaga2", "xlsx", out=tmp_path / "b.xlsx")
    assert report.layer.startswith("slutlig")
    assert report.rows == 3
    texts = [r[2] for r in load_workbook(report.path).active.iter_rows(values_only=True)]
    assert {"Antal SIP per invånare", "Väntetider på vårdcentralen",
            "Telefontillgänglighet"} <= set(texts)
    assert "Tillit mellan huvudmännen" not in texts     # unresolved: not guessed
    assert report.given == {AGREED: 1, "konsensus": 1, "anna": 1}
    assert report.units == {"coded": 3, "not relevant": 1, "unresolved": 2, "uncoded": 1}
    assert report.unresolved == [2, 7]
    assert any("2 units coded differently" in w and "segments 2, 7" in w
               for w in report.warnings)
    for what, fmt in (("themes", "xlsx"), ("quotes", "md"), ("heatmap", "png")):
        assert export(proj, what, fmt, out=tmp_path / f"x.{fmt}").given == report.given
    quotes = export(proj, "quotes", "xlsx", out=tmp_path / "q.xlsx")
    assert quotes.rows == 1                                   # anna's quote on unit 4

    out = CliRunner().invoke(app, ["export", "bilaga2", "-p", str(proj.root),
                                   "-o", str(tmp_path / "c.md")])
    assert out.exit_code == 0, out.output
    assert "drew on: samstämmiga 1 unit, konsensus 1 unit, anna 1 unit" in out.output
    assert "units: 3 coded, 1 not relevant, 2 unresolved, 1 uncoded" in out.output
    assert "warning: 2 units coded differently" in out.output


def test_a_named_layer_warns_about_the_layers_it_leaves_out(project, tmp_path):
    proj = _project(project, tmp_path)
    report = export(proj, "bilaga2", "md", tmp_path / "a.md", ExportOptions(layer="anna"))
    assert report.given == {"anna": 5}
    assert report.left_out == {"bertil": 3, "konsensus": 1}
    assert any(w.startswith("layers left out: bertil (3 units), konsensus (1 unit)")
               for w in report.warnings)
    with proj.session() as s:
        assert resolve_layer(s, "konsensus").given == {"konsensus": 1}


def test_the_final_layer_counts_a_round_coder_who_found_no_code(project, tmp_path):
    """In a round, 'no code applies' is a decision: against a coder who coded the unit
    it is a difference, not the other coder's coding."""
    proj = _project(project, tmp_path)
    with proj.transaction() as s:
        found = rounds.create_round(s, ["anna", "bertil"], acting("lead"), blind=False)
        assert 6 in rounds.assigned(s, found.id)
        codings.accept(s, 6, codes.find_code(s, "Tillgänglighet").id, "anna")
        review_actions.no_code(s, 6, "bertil")
        assert 6 in compose(s).unresolved


def test_a_unit_the_meeting_found_no_code_for_is_not_relevant_not_uncoded(project, tmp_path):
    """`consensus resolve --no-code` on a unit the coders differed on: the exports counted
    it uncoded (20 where `qda status` said 19); it is settled, with no code: not relevant."""
    proj = _project(project, tmp_path)
    with proj.transaction() as s:
        assert 2 in compose(s).unresolved
        consensus.resolve(s, 2, [], "Ingen kod passar lappen", acting("lead"))
        final = compose(s)
    assert 2 not in final.unresolved and 2 not in final.codes and 2 in final.not_relevant
    report = export(proj, "themes", "md", out=tmp_path / "t.md")
    assert report.units["uncoded"] == totals(proj)["uncoded"]
    assert report.units["not relevant"] == len(final.not_relevant)


def test_the_name_slutlig_is_reserved(project):
    with project.transaction() as s, pytest.raises(QdaError, match="reserved"):
        codings.accept(s, 1, 1, "Slutlig")


def test_not_relevant_leaves_the_queue_is_audited_and_undone(project, tmp_path):
    proj = _project(project, tmp_path)
    with proj.transaction() as s:
        before = queue.queue_count(s, "cecilia")
        skipped = review_actions.not_relevant(s, 6, "cecilia")
        assert queue.queue_count(s, "cecilia") == before - 1
        assert 6 not in [c.segment_id for c in queue.queue_page(s, "cecilia", limit=50)]
        assert 6 in [c.segment_id for c in queue.queue_page(
            s, "cecilia", queue.Filters(status=queue.Queue.DECIDED))]
        with pytest.raises(QdaError) as again:
            relevance.mark_not_relevant(s, 6, "cecilia")
        assert again.value.code == "E251"
        assert unit_view.segment_view(s, 6, "cecilia", load_codebook(s)).not_relevant
        review_actions.undo(s, skipped)
        assert not unit_view.segment_view(s, 6, "cecilia", load_codebook(s)).not_relevant
        assert queue.queue_count(s, "cecilia") == before
        with pytest.raises(QdaError) as missing:
            relevance.mark_relevant(s, 6, "cecilia")
        assert missing.value.code == "E252"
        actions = [a for a, in s.execute(select(AuditEvent.action).where(
            AuditEvent.entity == "segment", AuditEvent.entity_id == 6))]
        assert actions == ["unit.not_relevant", "unit.relevant"]
        # a unit with the coder's codes is refused; coding a skipped unit un-skips it
        with pytest.raises(QdaError) as coded:
            relevance.mark_not_relevant(s, 4, "anna")
        assert coded.value.code == "E250"
        relevance.mark_not_relevant(s, 6, "cecilia")
        codings.accept(s, 6, codes.find_code(s, "Tillgänglighet").id, "cecilia")
        assert not relevance.is_not_relevant(s, 6, "cecilia")


def test_status_counts_not_relevant_apart_from_uncoded(project, tmp_path):
    proj = _project(project, tmp_path)
    found = totals(proj)
    assert found["not_relevant"] == 1 and found["uncoded"] == 1
    out = CliRunner().invoke(app, ["status", "-p", str(proj.root), "--json"])
    assert json.loads(out.output)["totals"]["not_relevant"] == 1
    out = CliRunner().invoke(app, ["code", "skip", "6", "--coder", "anna", "-p",
                                   str(proj.root), "--memo", "rubrik"])
    assert out.exit_code == 0, out.output
    assert totals(proj)["not_relevant"] == 2 and totals(proj)["uncoded"] == 0
    again = CliRunner().invoke(app, ["code", "skip", "6", "--coder", "anna", "-p",
                                     str(proj.root)])
    assert again.exit_code == 1 and "E251" in again.output
    back = CliRunner().invoke(app, ["code", "unskip", "6", "--coder", "anna", "-p",
                                    str(proj.root)])
    assert back.exit_code == 0 and totals(proj)["uncoded"] == 1


def test_the_queue_count_reaches_zero_after_the_last_unit_of_a_round(project, tmp_path):
    """Before: units marked 'no code applies' in a round stayed in the count ('5 kvar i
    kön' after the last unit)."""
    proj = _project(project, tmp_path)
    with proj.transaction() as s:
        found = rounds.create_round(s, ["anna", "cecilia"], acting("lead"), blind=True)
        units = rounds.assigned(s, found.id, "cecilia")
        assert queue.queue_count(s, "cecilia") == len(units)
        for unit in units[:-1]:
            review_actions.no_code(s, unit, "cecilia")
        assert queue.queue_count(s, "cecilia") == 1
        codings.accept(s, units[-1], codes.find_code(s, "Tillgänglighet").id, "cecilia")
        assert queue.queue_count(s, "cecilia") == 0
        assert queue.next_segment(s, units[-1], "cecilia") is None


def test_search_folds_case_and_swedish_letters(project, tmp_path):
    proj = _project(project, tmp_path)
    with proj.session() as s:
        def found(query: str, status=queue.Queue.ALL) -> list[int]:
            filters = queue.Filters(status=status, search=query)
            ids = [c.segment_id for c in queue.queue_page(s, "cecilia", filters,
                                                           order="document")]
            assert queue.queue_count(s, "cecilia", filters) == len(ids)
            return ids

        assert found("vårdcentralen") == [3, 6]
        assert found("VARDCENTRALEN") == [3, 6]
        assert found("Vård okodad") == [6]          # every word must occur
        assert found("tillit") == [2]
        assert found("100%") == []                  # LIKE wildcards are literal
        assert found("tillit", queue.Queue.TO_REVIEW) == [2]
    assert queue.search_spans("Väntetider på VÅRDCENTRALEN", "vardcentralen") == [(14, 27)]


def test_memos_on_a_source_and_a_workshop_are_audited(project, tmp_path):
    proj = _project(project, tmp_path)
    add_workshop(proj, label="GR digital", area="gr", format="digital")
    with proj.transaction() as s:
        on_source = memos.add_memo(s, "Gruppen pratade mest om bemanning", acting("anna"),
                                   source_id=1)
        on_workshop = memos.add_memo(s, "Inspelningen bröts efter 40 min", acting("anna"),
                                     workshop="GR digital")
        memos.edit_memo(s, on_source.id, "Gruppen pratade om bemanning", acting("bertil"))
        for bad, code in ((dict(source_id=1, workshop="GR digital"), "E254"),
                          (dict(source_id=99), "E255"), (dict(workshop="okänd"), "E255")):
            with pytest.raises(QdaError) as err:
                memos.add_memo(s, "text", acting("anna"), **bad)
            assert err.value.code == code
        with pytest.raises(QdaError, match="needs text"):
            memos.add_memo(s, "  ", acting("anna"), source_id=1)
        with pytest.raises(QdaError) as gone:
            memos.edit_memo(s, 999, "x", acting("anna"))
        assert gone.value.code == "E256"
        assert [m.text for m in memos.memos_on(s, 1)] == ["Gruppen pratade om bemanning"]
        assert [m.title for m in memos.memos_on(s, None, on_workshop.workshop_id)] == [
            "Workshop: GR digital"]
        assert [a for a, in s.execute(select(AuditEvent.action).where(
            AuditEvent.entity == "memo"))] == ["memo.add", "memo.add", "memo.edit"]
    out = CliRunner().invoke(app, ["memo", "add", "Moderatorn styrde mycket", "--source",
                                   "1", "-p", str(proj.root)])
    assert out.exit_code == 0, out.output
    listed = CliRunner().invoke(app, ["memo", "list", "--source", "1", "-p", str(proj.root)])
    assert "Moderatorn styrde mycket" in listed.output
    # without --source or --workshop: every memo, with its kind and place
    every = CliRunner().invoke(app, ["memo", "list", "-p", str(proj.root)]).output
    said = " ".join(every.split())
    assert "1 source source 1 n.csv anna" in said and "2 workshop workshop 1" in said
    assert "Moderatorn styrde mycket" in every and "no memos" not in every
    bad = CliRunner().invoke(app, ["memo", "add", "x", "-p", str(proj.root)])
    assert bad.exit_code == 1 and "E254" in bad.output
    with proj.session() as s:
        assert s.scalar(select(Memo.kind).where(Memo.id == on_workshop.id)) == "workshop"


def test_theme_tables_of_the_final_layer_match_its_units(project, tmp_path):
    proj = _project(project, tmp_path)
    with proj.session() as s:
        counts = tables.theme_counts(s, resolve_layer(s))
    assert counts.loc[counts.Subtema == "", "Totalt"].sum() == 3


def test_memos_on_a_source_and_a_workshop_go_into_the_qdpx(project, tmp_path):
    import zipfile

    proj = _project(project, tmp_path)
    add_workshop(proj, label="GR digital", area="gr", format="digital")
    with proj.transaction() as s:
        memos.add_memo(s, "Gruppen pratade mest om bemanning", acting("anna"), source_id=1)
        memos.add_memo(s, "Inspelningen bröts efter 40 min", acting("anna"), workshop="GR digital")
    report = export(proj, "qdpx", out=tmp_path / "p.qdpx")
    xml = zipfile.ZipFile(report.path).read("project.qde").decode("utf-8")
    assert "Gruppen pratade mest om bemanning" in xml
    assert "Inspelningen bröts efter 40 min" in xml and "Workshop: GR digital" in xml


def test_a_unit_one_coder_skipped_and_another_coded_is_a_disagreement_to_resolve(
        project, tmp_path):
    """The final layer calls unit 8 unresolved; the Konsensus page's list must hold it
    (cecilia decided nothing else, so only her 'not relevant' says she read it), so that
    the meeting can decide it, and the decision settles it."""
    proj = _project(project, tmp_path)
    (tmp_path / "m.csv").write_text('Område,Inlägg\nVGR,"Hur ska vi gå vidare?"\n',
                                    encoding="utf-8")
    ingest_file(proj, tmp_path / "m.csv", ReadOptions(question=2))
    with proj.transaction() as s:
        codings.accept(s, 8, codes.find_code(s, "Tillgänglighet").id, "anna")
        relevance.mark_not_relevant(s, 8, "cecilia")
        assert compose(s).unresolved[8] == ["anna", "cecilia"]
        listed = {d.segment_id for d in consensus.disagreements(s)}
        assert {2, 7, 8} <= listed
        consensus.resolve(s, 8, [], "ingen kod: moderatorns fråga", acting("lead"))
        final = compose(s)
    assert 8 not in final.unresolved and 8 not in final.codes


def test_code_next_searches_like_the_app(project, tmp_path):
    proj = _project(project, tmp_path)
    out = CliRunner().invoke(app, ["code", "next", "--coder", "cecilia", "-p", str(proj.root),
                                   "--search", "VARDCENTRALEN", "--order", "document"])
    assert out.exit_code == 0, out.output
    assert "segment 3 " in out.output and "segment 6 " in out.output
    assert "segment 1 " not in out.output


def test_the_settled_codes_of_an_unresolved_unit_still_count(project, tmp_path):
    """Both coders applied SIP, only anna Tillit: SIP counts (agreed, then adopted into
    konsensus), Tillit waits for the meeting and the unit is reported unresolved."""
    proj = _project(project, tmp_path)
    with proj.transaction() as s:
        sip, tillit = (codes.find_code(s, p).id for p in ("Samverkan > SIP",
                                                          "Samverkan > Tillit"))
        codings.accept(s, 1, tillit, "anna")
        final = compose(s)
        assert final.unresolved[1] == ["anna", "bertil"] and list(final.codes[1]) == [sip]
        consensus.adopt_agreed(s, acting("lead"))
        final = compose(s)
        assert 1 in final.unresolved and list(final.codes[1]) == [sip]
        consensus.resolve(s, 1, [sip, tillit], "båda gäller", acting("lead"))
        final = compose(s)
        assert 1 not in final.unresolved and sorted(final.codes[1]) == sorted([sip, tillit])
