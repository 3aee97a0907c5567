"""The Delphi pages in Streamlit's AppTest, on a copy of the coded demo (`root`, in
conftest): the lead's page builds a study and opens a round; a panelist's invitation link
opens their page without an account, saves each answer at once, and shows the group's
previous round from round 2."""

from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from corpus.models import DelphiAnswer
from corpus.project import open_project
from delphi import items, panel, rounds

from .conftest import acting

APP = Path(__file__).resolve().parents[1] / "app"


def lead_page() -> AppTest:
    at = AppTest.from_file(str(APP / "delphi_page.py"), default_timeout=60)
    at.session_state["coder"] = "anna"
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def panelist(code: str) -> AppTest:
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=60)
    at.query_params["delphi"] = code
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def _study_with_round(root: Path, n_panel: int = 2) -> list[str]:
    project = open_project(root)
    try:
        with project.transaction() as s:
            study = items.create_study(s, "Panel", acting("anna"))
            items.items_from_bilaga2(s, study.id, acting("anna"), questions=[1],
                                     main_themes=["Tillgänglighet"])
            codes = [panel.add_panelist(s, study.id, "officials", acting("anna"), area="GR").code
                     for _ in range(n_panel)]
            rounds.open_round(s, study.id, acting("anna"))
        return codes
    finally:
        project.close()


def test_the_lead_builds_a_study_and_opens_a_round(root):
    at = lead_page()
    at.text_input[0].input("Indikatorer")
    at.text_area[0].input("Hur relevant är indikatorn?")
    at.number_input(key="d_quorum").set_value(3)        # the lead sets the quorum
    at.radio(key="d_disagreement").set_value("count")
    next(b for b in at.button if b.label == "Skapa").click().run()
    assert not at.exception, at.exception[0].value
    assert "Den nya studien: klart." in [s.value for s in at.success]
    project = open_project(root)
    try:
        with project.session() as s:
            rule = items.rule_of(items.study(s, "Indikatorer"))
    finally:
        project.close()
    assert (rule.kind, rule.min_ratings, rule.disagreement) == ("rand-ucla", 3, "count")
    assert any("RAND/UCLA-metoden" in c.value and "minst 3 betyg" in c.value
               for c in at.caption)
    at.multiselect(key="d_questions").select(1).run()
    at.text_input(key="d_themes").input("Tillgänglighet").run()
    at.button(key="d_fetch").click().run()
    assert any("indikatorer hämtade" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert len(table) > 2 and set(table["Huvudtema"]) == {"Tillgänglighet"}
    at.radio(key="d_view").set_value("Panel").run()
    next(b for b in at.button if b.label == "Lägg till och skapa inbjudan").click().run()
    assert not at.exception, at.exception[0].value
    assert any("?delphi=" in c.value for c in at.code)
    assert at.dataframe[0].value["Deltagare"].tolist() == ["P01"]
    at.radio(key="d_view").set_value("Rundor").run()
    at.button(key="d_open").click().run()
    assert any("Öppnandet: klart." in s.value for s in at.success)
    assert any("Runda 1 är öppen" in m.value for m in at.markdown)


def test_a_panelist_answers_through_the_link_stops_and_resumes(root):
    codes = _study_with_round(root)
    at = panelist(codes[0])
    assert at.title[0].value == "Panel"
    radios = [r for r in at.radio if r.key.startswith("d_rel_")]
    assert len(radios) > 2
    first_key = radios[0].key
    at.radio(key=first_key).set_value(8).run()
    assert not at.exception
    assert "Sparat." in [s.value for s in at.success]
    at.radio(key=radios[1].key).set_value("Kan inte bedöma").run()
    at.text_input(key="d_com_" + radios[1].key.removeprefix("d_rel_")).input("Vet ej").run()
    project = open_project(root)
    with project.session() as s:
        saved = {(a.relevance, a.cannot_judge, a.comment)
                 for a in s.scalars(select(DelphiAnswer))}
    project.close()
    assert saved == {(8, False, ""), (None, True, "Vet ej")}
    again = panelist(codes[0])                      # a new visit: answers are there
    assert again.radio(key=first_key).value == 8
    assert "Du har besvarat 2 av" in again.get("progress")[0].proto.text


def test_round_two_shows_the_group_and_a_bad_link_explains_itself(root):
    codes = _study_with_round(root)
    project = open_project(root)
    with project.transaction() as s:
        for code, rating in zip(codes, (8, 4), strict=True):    # median 6: uncertain
            member = panel.panelist_for_code(s, code)
            current, views = rounds.for_panelist(s, member)
            for view in views:
                rounds.answer(s, current.id, member, view.item_version_id, rating,
                              comment="Viktig" if rating == 8 else "")
        rounds.close_round(s, current.id, acting("anna"))
        rounds.open_round(s, current.study_id, acting("anna"))
    project.close()
    at = panelist(codes[1])
    captions = " ".join(c.value for c in at.caption)
    assert "Förra rundan: median **6**" in captions and "ditt svar: **4**" in captions
    assert any("Kommentarer från förra rundan (1)" in e.label for e in at.expander)
    assert "Viktig" in " ".join(m.value for m in at.markdown)
    bad = panelist("fel-kod")
    assert "Länken fungerar inte" in bad.error[0].value
