"""The lead masks a possible name on the Projekt page in the browser, and the text changes."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from corpus.ingest import ingest_file
from corpus.models import Source
from corpus.project import init_project, open_project
from corpus.readers import ReadOptions

from .conftest import running_app, settle, shot

TALK = ("Per Lund  00:00:05\nVälkomna. Per månad har vi tre möten.\n"
        "Talare 2  00:00:20\nJa, enligt Lunds universitet räcker det. Ring Lena Berg.\n"
        "Talare 3  00:00:40\nVi och Tindra tog fram listan.\n")


def test_a_possible_name_is_masked_from_the_projekt_page(tmp_path, page):
    root = tmp_path / "projekt"
    project = init_project(root)
    (tmp_path / "samtal.txt").write_text(TALK, encoding="utf-8")
    ingest_file(project, tmp_path / "samtal.txt", ReadOptions(area="GR"))
    project.close()
    with running_app(root, tmp_path) as url:
        page.goto(f"{url}/projekt")
        tab = page.get_by_role("tab", name="Möjliga namn (2)")
        tab.wait_for(timeout=60_000)
        tab.click()
        settle(page)
        expect(page.get_by_text("Välkomna. Per månad har vi tre möten.")).to_be_visible()
        shot(page, "projekt-mojliga-namn")
        page.get_by_role("button", name="Maskera").nth(1).click()     # Lund, Per: Per
        settle(page)
        page.get_by_role("tab", name="Möjliga namn (1)").wait_for(timeout=30_000)
        # the decision is said, and the tab stays open though its label changed
        expect(page.get_by_text(re.compile("”Per” maskerades på 1 ställe"))).to_be_visible(
            timeout=30_000)
        # a name nothing gave away: the lead masks it by hand
        page.get_by_text("Maskera ett namn som inte hittades").click()
        field = page.get_by_label("Ord eller namn")
        field.fill("Tindra")
        page.get_by_role("button", name="Maskera").last.click()
        expect(page.get_by_text("Maskerat på 1 ställe.")).to_be_visible(timeout=30_000)
        field.fill("Ingen Alls")
        page.get_by_role("button", name="Maskera").last.click()
        expect(page.get_by_text("Inget maskerades: ordet finns inte i källan")).to_be_visible(
            timeout=30_000)
    project = open_project(root)
    with project.session() as s:
        text = s.scalars(select(Source.text)).one()
    project.close()
    assert "[namn] månad" in text and "Lunds universitet" in text and "Lena Berg" not in text
    assert "Tindra" not in text and "Vi och [namn] tog fram listan." in text
