"""A Delphi study in a real headless Chromium (Debian's), on the coded demo project: the
lead builds items from the coded notes and opens a round; two panelists answer through
their invitation links (one stops halfway and comes back), the lead closes the round and
opens the next, round 2 shows a panelist the group's answers, and the results export
opens in openpyxl and python-docx with the figures the answers give."""

from __future__ import annotations

import re

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from coding.demo import build_coded_demo

from .conftest import download_export, running_app, settle, shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = build_coded_demo(tmp_path_factory.mktemp("e2e") / "demo")
    project.close()
    with running_app(project.root, tmp_path_factory.mktemp("log")) as url:
        yield url, project.root


def lead(page: Page, url: str, view: str | None = None) -> None:
    page.goto(f"{url}/delphi_page?kodare=anna")
    page.get_by_role("heading", name="Delphi").first.wait_for(timeout=30_000)
    settle(page)
    if view:
        page.locator(".st-key-d_view").get_by_text(view, exact=True).click()
        settle(page)


def invite(page: Page, url: str) -> str:
    page.get_by_role("button", name="Lägg till och skapa inbjudan").click()
    settle(page)
    link = page.locator("[data-testid=stCode]").first.inner_text().strip()
    assert "?delphi=" in link
    return url + "/" + link.split("/", 3)[3]       # the page's own address, as the test sees it


def items_on(page: Page):
    return page.locator("[class*='st-key-d_item_']")


def open_link(page: Page, link: str) -> int:
    """A panelist's page, waited for until every item is drawn (the progress line names
    how many there are; Streamlit draws them one after another)."""
    page.goto(link)
    progress = page.get_by_text(re.compile(r"Du har besvarat \d+ av \d+ indikatorer"))
    progress.wait_for(timeout=30_000)
    settle(page)
    n = int(re.search(r"av (\d+) indikatorer", progress.inner_text()).group(1))
    expect(items_on(page)).to_have_count(n)
    return n


def rate(page: Page, index: int, value: str) -> None:
    """Waits for the item's own "Sparat.": on a loaded machine the rerun may start after
    `settle` has looked, and a count taken then is 0 though the answer is saved."""
    items_on(page).nth(index).get_by_text(value, exact=True).first.click()
    settle(page)
    expect(items_on(page).nth(index).get_by_text("Sparat.")).to_have_count(1, timeout=30_000)


def test_a_delphi_round_from_coded_notes_to_the_results_file(server, page, tmp_path):
    url, _root = server
    lead(page, url)
    page.get_by_label("Namn").fill("Indikatorer")
    page.get_by_label("Fråga till panelen").fill("Hur relevant är indikatorn?")
    # the share rule: a median of 7 from 8 and 6 is no consensus there (RAND/UCLA would
    # call it appropriate), so those items come back in round 2
    page.get_by_text("Andelsregel", exact=True).click()
    page.get_by_role("button", name="Skapa").click()
    settle(page)
    page.get_by_label("Frågor").click()
    page.get_by_role("option", name="Fråga 1").click()
    page.keyboard.press("Escape")
    page.get_by_label("Bara huvudtemana").fill("Tillgänglighet")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("button", name="Hämta", exact=True).click()
    settle(page)
    shot(page, "delphi-items")
    page.locator(".st-key-d_view").get_by_text("Panel", exact=True).click()
    settle(page)
    first, second = invite(page, url), invite(page, url)
    shot(page, "delphi-panel")
    page.locator(".st-key-d_view").get_by_text("Rundor", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Öppna runda 1").click()
    settle(page)

    n = open_link(page, first)
    assert n >= 4
    for i in range(n):
        rate(page, i, "8")
    shot(page, "delphi-panelist")

    open_link(page, second)                    # answers three, leaves, comes back
    for i in range(3):
        rate(page, i, "6")
    page.goto("about:blank")
    assert open_link(page, second) == n
    assert page.get_by_text(f"Du har besvarat 3 av {n} indikatorer").count() == 1
    assert items_on(page).nth(0).get_by_role("radio", name="6").is_checked()
    comment = items_on(page).nth(0).get_by_label("Kommentar")
    comment.fill("Mäts redan i Vården i siffror")
    comment.press("Enter")
    settle(page)
    for i in range(3, n):
        rate(page, i, "7")

    lead(page, url, "Rundor")
    # the response table is a data grid drawn after the rerun ends: waited for, not counted
    expect(page.get_by_text("Svarat på allt").first).to_be_attached(timeout=30_000)
    page.get_by_text("Svaren i runda 1 blir slutgiltiga").click()
    settle(page)
    page.get_by_role("button", name="Stäng runda 1").click()
    settle(page)
    page.get_by_role("button", name="Öppna runda 2").click()
    settle(page)

    assert open_link(page, first) == 3     # the three split items come back, with the group
    assert page.get_by_text("Runda 2").count() == 1
    feedback = items_on(page).nth(0).inner_text()
    assert "Förra rundan: median 7" in feedback and "ditt svar: 8" in feedback
    assert "Kommentarer från förra rundan (1)" in feedback
    shot(page, "delphi-round2")

    lead(page, url, "Resultat")
    page.locator(".st-key-d_round").click()
    page.get_by_role("option", name="Runda 1").click()
    settle(page)
    shot(page, "delphi-results")
    target = download_export(page, "d", "delphi-results", tmp_path)
    ws = load_workbook(target)["Runda 1"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == n
    assert [r["Median"] for r in rows[:3]] == [7, 7, 7]
    assert [r["Andel 7–9"] for r in rows[:3]] == [0.5, 0.5, 0.5]
    assert {r["Utfall (andelsregel)"] for r in rows[3:]} == {"Inkluderad"}   # 8, 7: 7-9
    assert {r["RAND/UCLA"] for r in rows} == {"Lämplig"}

    page.locator(".st-key-d_fmt_delphi-results").click()
    page.get_by_role("option", name="docx").click()
    settle(page)
    # the xlsx made before is no longer offered once another format is chosen
    expect(page.locator(".st-key-d_dl_delphi-results button")).to_have_count(0)
    word = download_export(page, "d", "delphi-results", tmp_path)
    assert word.suffix == ".docx"
    first_row = [c.text for c in Document(word).tables[0].rows[1].cells]
    assert "50 %" in first_row and "7" in first_row
