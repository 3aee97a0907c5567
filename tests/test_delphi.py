"""Delphi rounds on the coded notes, on both stores: items from bilaga 2, panel and
invitation codes, rounds, answers that are never lost, feedback between rounds."""

import pytest
from sqlalchemy import select

from corpus.errors import QdaError
from corpus.models import AuditEvent, DelphiAnswer, DelphiItemVersion, Segment
from delphi import items, panel, rounds, tables
from delphi.statistics import SHARE, ConsensusRule, Outcome

from .conftest import acting


@pytest.fixture
def study(coded):
    with coded.transaction() as s:
        # the share rule: these tests follow the rounds, not the rule
        made = items.create_study(s, "Indikatorer", acting("lead"), rule=ConsensusRule(kind=SHARE))
        items.items_from_bilaga2(s, made.id, acting("lead"), questions=[2])
        study_id = made.id
    return coded, study_id


def _answer_all(project, study_id, code, ratings, comment=""):
    with project.transaction() as s:
        member = panel.panelist_for_code(s, code)
        current, asked = rounds.for_panelist(s, member)
        for item, rating in zip(asked, ratings, strict=False):
            rounds.answer(s, current.id, member, item.item_version_id, rating,
                          comment=comment)


def test_items_come_from_bilaga2_rows_with_their_notes_and_areas(study):
    project, study_id = study
    with project.session() as s:
        listed = items.list_items(s, study_id)
        assert [i.wording for i in listed] == [
            "Antal SIP per 1000 invånare", "Andel SIP med uppföljningsdatum",
            "=Tillit mellan huvudmännen", "Telefontillgänglighet",
            "Väntetider till vårdcentralen; Väntetid till vårdcentralen"]
        assert [i.theme for i in listed][:2] == ["Samverkan", "Samverkan"]
        last = listed[-1]
        assert last.notes == 2 and set(last.areas) == {"fyrbodal", "vgr"}   # antal 3: one x2
        assert all(i.question == 2 and i.origin == "bilaga2" for i in listed)
    with project.transaction() as s:      # taking the rows again adds nothing
        assert items.items_from_bilaga2(s, study_id, acting("lead"), questions=[2]) == []
    with project.session() as s:
        events = s.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "delphi_item")).all()
        assert events.count("delphi.item.add") == 5


def test_two_rounds_feedback_and_consensus(study):
    project, study_id = study
    with project.transaction() as s:
        codes = [panel.add_panelist(s, study_id, g, acting("lead"), area=a).code for g, a in
                 [("politicians", "GR"), ("officials", "Fyrbodal"), ("care_staff", "VGR"),
                  ("officials", "Skaraborg")]]
        first = rounds.open_round(s, study_id, acting("lead")).id
    _answer_all(project, study_id, codes[0], [9, 5, 2, 8, 8], "viktig")
    _answer_all(project, study_id, codes[1], [8, 4, 1, 2])            # stops after four
    _answer_all(project, study_id, codes[2], [7, 6, 3, 9, 8])
    with project.session() as s:
        rates = {r.group: r for r in rounds.response_rates(s, first)}
        assert (rates["officials"].invited, rates["officials"].answered,
                rates["officials"].completed) == (2, 1, 0)
        assert rates["care_staff"].completed == 1
    _answer_all(project, study_id, codes[1], [8, 4, 1, 2, 7])          # resumes, completes
    with project.transaction() as s:
        rounds.close_round(s, first, acting("lead"))
        result = {r.wording: r for r in rounds.results(s, first)}
    sip = result["Antal SIP per 1000 invånare"]
    assert (sip.stats.n, sip.stats.median, sip.stats.outcome) == (3, 8.0, Outcome.INCLUDED)
    assert result["=Tillit mellan huvudmännen"].stats.outcome == Outcome.EXCLUDED
    assert sip.comments == ["viktig"]
    with project.transaction() as s:
        second = rounds.open_round(s, study_id, acting("lead"))
        member = panel.panelist_for_code(s, codes[0])
        current, asked = rounds.for_panelist(s, member)
    assert current.number == 2
    # the decided items (SIP included, Tillit excluded, vårdcentralen included, and the
    # agreed middle 4, 5, 6 of "Andel SIP med uppföljningsdatum": consensus too) left
    shown = {f.wording: f for f in asked}
    assert set(shown) == {"Telefontillgänglighet"}
    tel = shown["Telefontillgänglighet"]
    assert tel.previous.median == 8.0 and tel.previous.distribution[1] == 1
    assert tel.my_previous == 8 and tel.mine is None
    assert second.number == 2
    with project.transaction() as s:      # nobody answered round 2: too few ratings, it
        rounds.close_round(s, second.id, acting("lead"))        # comes back; round 1's decided
        third = rounds.open_round(s, study_id, acting("lead"))  # ones do not
        asked = {r.wording for r in rounds.results(s, third.id)}
        assert rounds.results(s, second.id)[0].stats.outcome == Outcome.TOO_FEW
    assert asked == {"Telefontillgänglighet"}


def test_answers_survive_a_reworded_item_and_a_closed_round_is_final(study):
    project, study_id = study
    with project.transaction() as s:
        invitation = panel.add_panelist(s, study_id, "politicians", acting("lead"))
        first = rounds.open_round(s, study_id, acting("lead")).id
    _answer_all(project, study_id, invitation.code, [7, 7, 7, 7, 7])
    with project.transaction() as s:
        rounds.close_round(s, first, acting("lead"))
        item_id = items.list_items(s, study_id)[3].id
        items.edit_item(s, item_id, acting("lead"), wording="Svarstid i telefon, median minuter")
    with project.session() as s:
        old = s.scalars(select(DelphiItemVersion).where(
            DelphiItemVersion.item_id == item_id, DelphiItemVersion.version == 1)).one()
        kept = s.scalars(select(DelphiAnswer).where(
            DelphiAnswer.item_version_id == old.id)).all()
        assert [a.relevance for a in kept] == [7] and old.wording == "Telefontillgänglighet"
        assert rounds.results(s, first)[3].wording == "Telefontillgänglighet"
    with pytest.raises(QdaError, match="E708"), project.transaction() as s:
        member = panel.panelist_for_code(s, invitation.code)
        rounds.answer(s, first, member, old.id, 3)
    with project.session() as s:
        assert s.scalar(select(DelphiAnswer.relevance).where(
            DelphiAnswer.item_version_id == old.id)) == 7


def test_refusals_name_their_reason(study):
    project, study_id = study
    with project.transaction() as s:
        invitation = panel.add_panelist(s, study_id, "officials", acting("lead"), area="GR")
        current = rounds.open_round(s, study_id, acting("lead"))
        version_id = items.list_items(s, study_id)[0].version_id
    cases = [
        (lambda s: rounds.open_round(s, study_id, acting("lead")), "E706"),
        (lambda s: panel.add_panelist(s, study_id, " ", acting("lead")), "E704"),
        (lambda s: panel.panelist_for_code(s, "not-a-code"), "E705"),
        (lambda s: rounds.answer(s, current.id, panel.panelist_for_code(s, invitation.code),
                                 version_id, 10), "E710"),
        (lambda s: rounds.answer(s, current.id, panel.panelist_for_code(s, invitation.code),
                                 version_id, None), "E710"),
        (lambda s: rounds.answer(s, current.id, panel.panelist_for_code(s, invitation.code),
                                 10 ** 6, 5), "E709"),
        (lambda s: items.edit_item(s, 10 ** 6, acting("lead"), "x"), "E702"),
        (lambda s: items.add_item(s, study_id, "   ", acting("lead")), "E703"),
        (lambda s: items.create_study(s, "Indikatorer", acting("lead")), "E701"),
        (lambda s: items.study(s, "Finns inte"), "E700"),
    ]
    for action, code in cases:
        with pytest.raises(QdaError, match=code), project.transaction() as s:
            action(s)
    with project.transaction() as s:
        panel.revoke(s, panel.panelist_for_code(s, invitation.code).id, acting("lead"))
    with pytest.raises(QdaError, match="E705"), project.session() as s:
        panel.panelist_for_code(s, invitation.code)
    with project.transaction() as s:
        rounds.close_round(s, current.id, acting("lead"))
        for item in items.list_items(s, study_id):
            items.remove_item(s, item.id, acting("lead"))
    with pytest.raises(QdaError, match="E711"), project.transaction() as s:
        rounds.open_round(s, study_id, acting("lead"))
    with pytest.raises(QdaError, match="E707"), project.session() as s:
        rounds.open_round_of(s, study_id)


def test_cannot_judge_comments_merging_and_the_audit(study):
    project, study_id = study
    with project.transaction() as s:
        listed = items.list_items(s, study_id)
        items.merge_items(s, listed[0].id, [listed[1].id], acting("lead"),
                          wording="SIP: antal och uppföljning")
        hand = items.add_item(s, study_id, "Andel med fast vårdkontakt", acting("lead"),
                              theme="Personcentrering")
        invitation = panel.add_panelist(s, study_id, "care_staff", acting("lead"),
                                        contact="anna@example.se")
        current = rounds.open_round(s, study_id, acting("lead"))
    with project.session() as s:
        now = items.list_items(s, study_id)
        assert [i.wording for i in now][0] == "SIP: antal och uppföljning"
        assert now[0].notes == 3 and hand.id in [i.id for i in now]   # 2 + 1 notes
        assert len(now) == 5                  # 5 rows - 1 merged + 1 by hand
    with project.transaction() as s:
        member = panel.panelist_for_code(s, invitation.code)
        _, asked = rounds.for_panelist(s, member)
        rounds.answer(s, current.id, member, asked[0].item_version_id, None,
                      cannot_judge=True, comment="  vet inte  ")
        rounds.answer(s, current.id, member, asked[1].item_version_id, 6)
        rounds.answer(s, current.id, member, asked[1].item_version_id, 8)   # changed
    with project.session() as s:
        result = rounds.results(s, current.id)
        assert (result[0].stats.n, result[0].stats.cannot_judge) == (0, 1)
        assert result[0].comments == ["vet inte"]
        assert result[1].stats.median == 8.0
        answers = s.scalars(select(AuditEvent).where(AuditEvent.action == "delphi.answer")
                            .order_by(AuditEvent.id)).all()
        assert [a.actor for a in answers] == ["P01"] * 3
        assert answers[-1].before["relevance"] == 6 and answers[-1].after["relevance"] == 8
        every = " ".join(str(e.after) + str(e.before) for e in s.scalars(select(AuditEvent)))
        assert "anna@example.se" not in every        # contact details stay out of the log
        assert s.get(Segment, 1) is not None


def _closed_first_round(project, study_id):
    """Four panelists (one says 'kan inte bedöma' throughout), round 1 closed."""
    with project.transaction() as s:
        codes = [panel.add_panelist(s, study_id, g, acting("lead"), area=a,
                                    contact=f"{g}@example.se")
                 .code for g, a in [("politicians", "GR"), ("officials", "Fyrbodal"),
                                    ("care_staff", "VGR"), ("officials", "GR")]]
        first = rounds.open_round(s, study_id, acting("lead")).id
    _answer_all(project, study_id, codes[0], [9, 5, 2, 8, 8], "Finns i Kolada")
    _answer_all(project, study_id, codes[1], [8, 4, 1, 2, 7])
    _answer_all(project, study_id, codes[2], [7, 6, 3, 9, 8])
    with project.transaction() as s:
        member = panel.panelist_for_code(s, codes[3])
        _, asked = rounds.for_panelist(s, member)
        for view in asked:
            rounds.answer(s, first, member, view.item_version_id, None, cannot_judge=True)
        rounds.close_round(s, first, acting("lead"))
    return first


def test_the_exports_read_back(study, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from reports.run import export

    project, study_id = study
    _closed_first_round(project, study_id)
    book = load_workbook(export(project, "delphi-results", "xlsx",
                                out=tmp_path / "r.xlsx").path)
    ws = book["Runda 1"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Huvudtema", "Subtema", "Indikator", "Svar", "Kan inte bedöma",
                          "Median"]
    first = [c.value for c in ws[2]]
    assert first[2] == "Antal SIP per 1000 invånare" and first[3:6] == [3, 1, 8]
    share = ws.cell(2, header.index("Andel 7–9") + 1)
    assert share.value == 1.0 and share.number_format == "0.0%"
    assert ws.cell(2, header.index("Utfall (andelsregel)") + 1).value == "Inkluderad"
    assert ws.cell(2, header.index("RAND/UCLA") + 1).value == "Lämplig"

    doc = Document(export(project, "delphi-results", "docx", out=tmp_path / "r.docx").path)
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert "Antal SIP per 1000 invånare" in cells and "100 %" in cells and "8" in cells

    final = load_workbook(export(project, "delphi-final", "xlsx",
                                 out=tmp_path / "f.xlsx").path).active
    included = [row[2] for row in final.iter_rows(min_row=2, values_only=True)]
    assert included == ["Antal SIP per 1000 invånare",
                        "Väntetider till vårdcentralen; Väntetid till vårdcentralen"]

    method = export(project, "delphi-method", "md", out=tmp_path / "m.md").path.read_text()
    assert "Panelen bestod av 4 personer" in method and "minst 75 % av svaren" in method
    # "kan inte bedöma" on every item is an answer to every item
    assert "runda 1: 4 av 4 (100 %)" in method
    chart = export(project, "delphi-chart", "png", out=tmp_path / "c.png").path
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # no export holds a panelist's own answers, not even under a pseudonym
    everything = "".join(
        export(project, what, fmt, out=tmp_path / f"x-{what}.{fmt}").path.read_text()
        for what, fmt in (("delphi-results", "md"), ("delphi-final", "md"),
                          ("delphi-method", "md")))
    assert "P0" not in everything and "example.se" not in everything
    import csv

    with export(project, "audit", "csv", out=tmp_path / "audit.csv").path.open(
            encoding="utf-8-sig") as handle:
        answered = [r for r in csv.DictReader(handle) if r["Händelse"] == "delphi.answer"]
    assert len(answered) == 4 * 5            # logged, but not what was answered
    assert {(r["Före"], r["Efter"]) for r in answered} == {("(Delphisvar: visas inte)",) * 2}


def test_the_command_line_runs_a_study(coded, tmp_path):
    import json
    import os

    from typer.testing import CliRunner

    from qda import app

    runner = CliRunner()
    where = ["-p", str(coded.root)]

    def qda(*args):
        return runner.invoke(app, [*args, *where], env={**os.environ, "QDA_CODER": "lead"})

    assert qda("delphi", "create", "Panel").exit_code == 0
    done = qda("delphi", "items", "from-bilaga2", "Panel", "--question", "2")
    assert done.exit_code == 0 and "5 items added" in done.output
    added = qda("delphi", "panel", "add", "Panel", "--group", "officials", "--area", "GR")
    assert added.exit_code == 0 and "P01: invitation code" in added.output
    assert qda("study", "fix", "group").exit_code == 0      # the groups are a closed list
    wrong = qda("delphi", "panel", "add", "Panel", "--group", "astronauts")
    assert wrong.exit_code == 1 and "E188" in wrong.output and "Politiker" in wrong.output
    assert "round 1 open with 5 items" in qda("delphi", "round", "open", "Panel").output
    status = qda("delphi", "round", "status", "Panel")
    assert "Tjänstepersoner" in status.output
    assert qda("delphi", "round", "close", "Panel").exit_code == 0
    results = qda("delphi", "results", "Panel", "--json")
    assert results.exit_code == 0
    parsed = json.loads(results.output)
    assert parsed["round"] == 1 and parsed["status"] == "closed" and len(parsed["items"]) == 5
    again = qda("delphi", "round", "close", "Panel")
    assert again.exit_code == 1 and "E707" in again.output
    made = qda("export", "delphi-results", "-o", str(tmp_path / "r.md"))
    assert made.exit_code == 0 and (tmp_path / "r.md").exists()


def test_only_a_role_that_runs_delphi_may_change_the_study(study):
    from people.accounts import Actor, Role

    project, study_id = study
    coder = Actor("kim", Role.CODER)
    lead_actor = Actor("lena", Role.LEAD)
    for action in (lambda s: items.create_study(s, "Annan", coder),
                   lambda s: items.add_item(s, study_id, "Ny", coder),
                   lambda s: panel.add_panelist(s, study_id, "officials", coder),
                   lambda s: rounds.open_round(s, study_id, coder)):
        with pytest.raises(QdaError, match="E600"), project.transaction() as s:
            action(s)
    with project.transaction() as s:
        rounds.open_round(s, study_id, lead_actor)
    with project.session() as s:
        who = s.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "delphi.round.open")).all()
        assert who == ["lena"]


def test_feasibility_is_asked_and_reported_when_the_study_asks_it(coded):
    with coded.transaction() as s:
        made = items.create_study(s, "Med genomförbarhet", acting("lead"), ask_feasibility=True)
        items.add_item(s, made.id, "Andel med fast vårdkontakt", acting("lead"),
                       theme="Kontinuitet")
        codes = [panel.add_panelist(s, made.id, "officials", acting("lead")).code for _ in range(3)]
        current = rounds.open_round(s, made.id, acting("lead"))
        for code, (relevance, feasible) in zip(codes, [(8, 3), (9, 2), (7, None)],
                                               strict=True):
            member = panel.panelist_for_code(s, code)
            _, asked = rounds.for_panelist(s, member)
            rounds.answer(s, current.id, member, asked[0].item_version_id, relevance,
                          feasible)
        with pytest.raises(QdaError, match="E710"):
            rounds.answer(s, current.id, member, asked[0].item_version_id, 8, 12)
        [result] = rounds.results(s, current.id)
        frame = tables.round_frame(s, current.id)
    assert result.stats.median == 8 and result.stats.outcome == Outcome.APPROPRIATE
    assert (result.feasibility.n, result.feasibility.median) == (2, 2.5)
    assert frame["Genomförbarhet, median"].tolist() == [2.5]


# ---- rules that match RAND/UCLA, figures that cannot mislead (issue 43) ------------------

def _panel_study(project, name, size, rule=None, wordings=("A", "B")):
    """A study with hand-written items and a panel of `size`; the invitation codes."""
    with project.transaction() as s:
        made = items.create_study(s, name, acting("lead"), rule=rule)
        for wording in wordings:
            items.add_item(s, made.id, wording, acting("lead"), theme="Tema")
        codes = [panel.add_panelist(s, made.id, "officials", acting("lead")).code
                 for _ in range(size)]
        return made.id, codes


def _round(project, study_id, codes, ratings, comments=None, keep_decided=False):
    """Open a round, give each panelist's ratings (per item, in order: an int, None for
    "kan inte bedöma", or "-" for no answer), close it; the round id."""
    with project.transaction() as s:
        current = rounds.open_round(s, study_id, acting("lead"), keep_decided).id
    for k, (code, given) in enumerate(zip(codes, ratings, strict=False)):
        with project.transaction() as s:
            member = panel.panelist_for_code(s, code)
            _, asked = rounds.for_panelist(s, member)
            for view, rating in zip(asked, given, strict=False):
                if rating != "-":
                    rounds.answer(s, current, member, view.item_version_id, rating,
                                  cannot_judge=rating is None,
                                  comment=(comments or {}).get(k, ""))
    with project.transaction() as s:
        rounds.close_round(s, current, acting("lead"))
    return current


def test_one_rating_among_nine_never_includes_an_item(coded):
    """One panelist rates 9 and eight cannot judge: below the quorum (half the panel of
    nine: five ratings), "för få svar", not in the final table and asked again; the same
    when only 2 of 9 answer. The lead may lower the quorum."""
    study_id, codes = _panel_study(coded, "Kvorum", 9, wordings=("A",))
    first = _round(coded, study_id, codes, [[9]] + [[None]] * 8)
    with coded.session() as s:
        [result] = rounds.results(s, first)
        assert (result.stats.n, result.stats.quorum) == (1, 5)
        assert result.stats.outcome == Outcome.TOO_FEW
        assert tables.final_frame(s, study_id).empty
        frame = tables.round_frame(s, first)
    assert frame["Utfall (RAND/UCLA)"].tolist() == ["För få svar"]
    second = _round(coded, study_id, codes[:2], [[9], [8]])          # 2 of 9 answered
    with coded.session() as s:
        assert rounds.results(s, second)[0].stats.outcome == Outcome.TOO_FEW
        paragraph = tables.method(s, study_id).paragraph
    assert "för få svar" in paragraph and "minst 50 % av rundans panel" in paragraph
    lowered, codes = _panel_study(coded, "Lägre kvorum", 9, ConsensusRule(min_ratings=1),
                                  wordings=("A",))
    third = _round(coded, lowered, codes, [[9]] + [[None]] * 8)
    with coded.session() as s:
        assert rounds.results(s, third)[0].stats.outcome == Outcome.APPROPRIATE


def test_the_export_calls_only_rand_ucla_rand_ucla_and_shows_both_percentiles(coded,
                                                                              tmp_path):
    from coding.exporting import ExportOptions
    from reports.run import export

    # 1,2,3,7,7,7,8,9,9: no disagreement by definition 7, disagreement by definition 6
    # and the count rule; 4,5,6,7,7,8,8,9,9: appropriate, but only 67 % in 7-9
    columns = list(zip([1, 2, 3, 7, 7, 7, 8, 9, 9], [4, 5, 6, 7, 7, 8, 8, 9, 9], strict=True))
    share_id, codes = _panel_study(coded, "Andelsregel", 9, ConsensusRule(kind=SHARE))
    _round(coded, share_id, codes, [list(c) for c in columns])
    rand_id, codes = _panel_study(coded, "RAND", 9)
    _round(coded, rand_id, codes, [list(c) for c in columns])
    with coded.session() as s:
        share = tables.round_frame(s, rounds.rounds(s, share_id)[0].id)
        rand = tables.round_frame(s, rounds.rounds(s, rand_id)[0].id)
    assert share["Utfall (andelsregel)"].tolist() == ["Ingen konsensus", "Ingen konsensus"]
    assert share["RAND/UCLA"].tolist() == ["Lämplig", "Lämplig"]
    assert "Utfall (RAND/UCLA)" not in share.columns
    assert rand["Utfall (RAND/UCLA)"].tolist() == ["Lämplig", "Lämplig"]
    assert rand["Oenighet"].tolist() == ["nej (typ 6: ja; räkneregeln: ja)", "nej"]
    text = export(coded, "delphi-results", "md", out=tmp_path / "s.md",
                  options=ExportOptions(study="Andelsregel")).path.read_text(encoding="utf-8")
    assert "andelsregel (inte RAND/UCLA:s klassificering)" in text
    assert "Hyndman & Fan (1996) typ 7" in text and "typ 6" in text
    text = export(coded, "delphi-results", "md", out=tmp_path / "r.md",
                  options=ExportOptions(study="RAND")).path.read_text(encoding="utf-8")
    assert "klassificerades enligt RAND/UCLA-metoden" in text


def test_the_final_table_has_one_row_per_item_with_its_history(coded):
    """With --keep-decided an item is asked again; the final table has one row per item,
    its latest round's outcome and its history, and counts as the method paragraph does:
    B excluded (inappropriate) in round 1 and included in round 2 counts as included."""
    study_id, codes = _panel_study(coded, "Historik", 5, wordings=("A", "B", "C"))
    _round(coded, study_id, codes, [[8, 2, 5]] * 5)
    _round(coded, study_id, codes, [[8, 8, 5]] * 5, keep_decided=True)
    _round(coded, study_id, codes, [[9, 9, 5]] * 5, keep_decided=True)
    with coded.session() as s:
        final = tables.final_frame(s, study_id)
        paragraph = tables.method(s, study_id).paragraph
    assert final["Indikator"].tolist() == ["A", "B"]
    assert final["Runda"].tolist() == [3, 3]
    assert final.loc[1, "Historik"] == ("runda 1: olämplig (median 2, 5 svar); runda 2: "
                                        "lämplig (median 8, 5 svar); runda 3: lämplig "
                                        "(median 9, 5 svar)")
    assert "2 indikatorer inkluderades och 0 exkluderades" in paragraph


def test_closed_rounds_never_change_and_revoking_keeps_given_answers(coded):
    """Round 1: 5 of 9 answer. Adding two panelists and revoking one who never answered
    leave round 1 at 5 of 9. A panelist revoked after answering in the open round keeps
    that answer (n = 3) and stays invited there; a later round does not invite them."""
    study_id, codes = _panel_study(coded, "Svarsfrekvens", 9, wordings=("A",))
    first = _round(coded, study_id, codes[:5], [[8]] * 5)
    with coded.transaction() as s:
        codes += [panel.add_panelist(s, study_id, "care_staff", acting("lead")).code
                  for _ in range(2)]
        panel.revoke(s, panel.panelist_for_code(s, codes[8]).id, acting("lead"))
    with coded.session() as s:
        assert sum(r.invited for r in rounds.response_rates(s, first)) == 9
        assert sum(r.completed for r in rounds.response_rates(s, first)) == 5
        assert "runda 1: 5 av 9 (56 %)" in tables.method(s, study_id).paragraph
    with coded.transaction() as s:
        second = rounds.open_round(s, study_id, acting("lead"), keep_decided=True).id
    for code in codes[:3]:
        with coded.transaction() as s:
            member = panel.panelist_for_code(s, code)
            _, asked = rounds.for_panelist(s, member)
            rounds.answer(s, second, member, asked[0].item_version_id, 7)
    with coded.transaction() as s:
        panel.revoke(s, panel.panelist_for_code(s, codes[0]).id, acting("lead"))
    with coded.session() as s:
        assert rounds.results(s, second)[0].stats.n == 3
        # invited: 11 members, less P09 (revoked before the round, never answered)
        assert sum(r.invited for r in rounds.response_rates(s, second)) == 10
    with coded.transaction() as s:
        rounds.close_round(s, second, acting("lead"))
        third = rounds.open_round(s, study_id, acting("lead"), keep_decided=True).id
    with coded.session() as s:
        assert sum(r.invited for r in rounds.response_rates(s, third)) == 9
        assert sum(r.invited for r in rounds.response_rates(s, second)) == 10


def test_comments_reach_the_panel_pseudonymised(coded):
    study_id, codes = _panel_study(coded, "Kommentarer", 3, wordings=("A",))
    first = _round(coded, study_id, codes, [[8], [8], [7]],
                   comments={0: "Jag, Anna Berg på GR, tycker så. Ring 070-123 45 67."})
    with coded.transaction() as s:
        rounds.open_round(s, study_id, acting("lead"), keep_decided=True)
        _, asked = rounds.for_panelist(s, panel.panelist_for_code(s, codes[1]))
        [comment] = asked[0].previous_comments
        logged = " ".join(str(e.after) for e in s.scalars(select(AuditEvent)))
        assert rounds.results(s, first)[0].comments == [comment]
    assert "Anna" not in comment and "Berg" not in comment and "070" not in comment
    assert "[namn]" in comment and "[telefonnummer]" in comment
    assert "Anna Berg" not in logged


def test_cli_creates_a_study_with_its_rule_and_quorum_and_prints_json(coded):
    import json

    from typer.testing import CliRunner

    from qda import app

    runner = CliRunner()
    made = runner.invoke(app, ["delphi", "create", "Via CLI", "-p", str(coded.root),
                               "--rule", "share", "--share", "0.8", "--min-ratings", "3",
                               "--disagreement", "count"])
    assert made.exit_code == 0, made.output
    with coded.session() as s:
        rule = items.rule_of(items.study(s, "Via CLI"))
    assert (rule.kind, rule.share, rule.min_ratings, rule.disagreement) == \
        ("share", 0.8, 3, "count")
    bad = runner.invoke(app, ["delphi", "create", "Fel", "-p", str(coded.root),
                              "--rule", "median"])
    assert bad.exit_code == 1 and "E712" in bad.output
    study_id, codes = _panel_study(coded, "JSON", 9, wordings=("A",))
    _round(coded, study_id, codes, [[r] for r in (1, 2, 3, 7, 7, 7, 8, 9, 9)])
    shown = runner.invoke(app, ["delphi", "results", "JSON", "--json", "-p", str(coded.root)])
    assert shown.exit_code == 0, shown.output
    [item] = json.loads(shown.output)["items"]
    assert item["disagreement"] is False and item["disagreement_alt"] is True
    assert item["disagreement_count"] is True and item["outcome"] == "appropriate"


def test_a_panel_group_is_one_of_the_project_s_or_learned_unless_the_list_is_fixed(study):
    from corpus.study import load, set_flags

    project, study_id = study
    with project.transaction() as s:
        panel.add_panelist(s, study_id, "Brukarföreträdare", acting("lead"), area="Lerum")
        assert load(s).groups.key_of("brukarföreträdare") == "brukarforetradare"
        set_flags(s, "group", fixed=True)
    with pytest.raises(QdaError, match="E188"), project.transaction() as s:
        panel.add_panelist(s, study_id, "Astronauter", acting("lead"))
