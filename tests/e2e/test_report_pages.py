"""The author's pages in the browser, on a study of its own: on *Bilaga 2* two notes on the
same topic are merged into one row (printed in full on the page, the theme once, and in the
bilaga 2 downloaded from Export),
then undone; on *Teman* a quote is shortened with [...] and a rewrite is refused in
Swedish, the unit's own text untouched."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from coding import note_merges
from coding.codebook import parse_codebook
from coding.codes import import_doc
from coding.exchange import import_codings
from corpus.ingest import ingest_file
from corpus.models import QuoteText, Segment
from corpus.project import init_project, open_project
from corpus.readers import ReadOptions
from corpus.tabular import write_table
from tests.conftest import acting

from .conftest import download_export, running_app, settle, shot

pytestmark = pytest.mark.slow

BOOK = parse_codebook("""
codes:
  - name: Hemtjänst
    children: [{name: Kontinuitet}, {name: Väntetid}]
""")
NOTES = [("Kungälv", "Antal olika personal hos brukaren per vecka", "Hemtjänst > Kontinuitet"),
         ("Tjörn", "Hur många olika personal brukaren möter per vecka i hemtjänsten",
          "Hemtjänst > Kontinuitet"),
         ("Orust", "Väntetid till första hemtjänstbesöket efter beslut om insatser, räknat "
          "i dagar från beslutet", "Hemtjänst > Väntetid")]
QUOTED = NOTES[2][1]
MERGED = f"{NOTES[0][1]}; {NOTES[1][1]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("author")
    project = init_project(base / "proj")
    (base / "lappar.csv").write_text("Område,Inlägg\n" + "".join(
        f'{a},"{t}"\n' for a, t, _ in NOTES), encoding="utf-8")
    ingest_file(project, base / "lappar.csv", ReadOptions(question=1), actor=acting("lena"))
    with project.transaction() as s:
        import_doc(s, BOOK, acting("lena"))
    rows = pd.DataFrame([{"text": t, "code": c, "citat": "x" if t == QUOTED else ""}
                         for _, t, c in NOTES])
    import_codings(project, write_table(rows, base / "k.tsv"), coder="konsensus",
                   actor=acting("lena"))
    project.close()
    with running_app(base / "proj", base) as url:
        yield url, base / "proj"


def open_page(page: Page, url: str, path: str, heading: str) -> None:
    page.goto(f"{url}/{path}?kodare=lena")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    settle(page)


def opened(page: Page, label: str) -> None:
    """Open the expander with this label (a rerun may have kept it open or not)."""
    box = page.locator("details", has_text=label).first
    if box.get_attribute("open") is None:
        box.locator("summary").click()


def ids(root) -> dict[str, int]:
    project = open_project(root)
    try:
        with project.session() as s:
            return {t: i for i, t in s.execute(select(Segment.id, Segment.text))}
    finally:
        project.close()


def test_two_notes_become_one_row_of_bilaga2_and_back(server, page: Page, tmp_path):
    url, root = server
    open_page(page, url, "bilaga", "Bilaga 2: inlägg om samma sak")
    unit = ids(root)
    for text in (NOTES[0][1], NOTES[1][1]):      # the first proposal holds both notes
        expect(page.locator(f".st-key-b2_pick_1_0_{unit[text]}")).to_be_visible()
    shot(page, "bilaga2-proposal")
    page.locator(".st-key-b2_merge_1_0 button").click()
    settle(page)
    expect(page.get_by_text("En rad:")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Inga fler förslag för frågan.")).to_be_visible()
    # the question's table as printed: the merged row in full, the main theme once
    table = page.locator("[data-testid='stTable']")
    expect(table.get_by_role("cell", name=MERGED, exact=True)).to_be_visible()
    expect(table.get_by_role("cell", name="Hemtjänst", exact=True)).to_have_count(1)
    expect(table.get_by_role("cell", name="Väntetid", exact=True)).to_have_count(1)
    shot(page, "bilaga2-merged")
    project = open_project(root)
    with project.session() as s:
        assert note_merges.decisions(s) == {tuple(sorted((unit[NOTES[0][1]],
                                                          unit[NOTES[1][1]]))): True}
    project.close()

    open_page(page, url, "export", "Export")
    wb = load_workbook(download_export(page, "e", "bilaga2", tmp_path))
    texts = [r[2] for r in wb["Fråga 1"].iter_rows(min_row=3, values_only=True)]
    assert MERGED in texts and NOTES[0][1] not in texts

    open_page(page, url, "bilaga", "Bilaga 2: inlägg om samma sak")
    page.get_by_role("button", name="Ångra").click()
    settle(page)
    expect(page.get_by_text("Inga beslut för frågan ännu.")).to_be_visible(timeout=30_000)
    project = open_project(root)
    with project.session() as s:
        assert note_merges.decisions(s) == {}
    project.close()


def test_a_quote_is_shortened_on_teman_and_a_rewrite_is_refused(server, page: Page):
    url, root = server
    open_page(page, url, "teman", "Teman")
    opened(page, "Korta eller förtydliga citatet")
    box = page.get_by_label("Citatet i rapporten").first
    expect(box).to_have_value(QUOTED, timeout=15_000)
    cut = "Väntetid till första hemtjänstbesöket [i hemtjänsten] [...] räknat i dagar"
    box.fill(cut)
    page.get_by_role("button", name="Spara citatet").first.click()
    settle(page)
    expect(page.get_by_text(cut).first).to_be_visible(timeout=30_000)
    shot(page, "teman-quote-shortened")
    unit = ids(root)[QUOTED]
    project = open_project(root)
    with project.session() as s:
        assert s.get(QuoteText, unit).text == cut
    project.close()

    opened(page, "Korta eller förtydliga citatet")
    page.get_by_label("Citatet i rapporten").first.fill("Väntetid till hemtjänst är för lång")
    page.get_by_role("button", name="Spara citatet").first.click()
    settle(page)
    alert = page.locator("[data-testid=stAlert]", has_text="Ändringen sparades inte")
    expect(alert).to_be_visible(timeout=30_000)
    expect(alert).to_contain_text("E367")
    project = open_project(root)
    with project.session() as s:
        assert s.get(QuoteText, unit).text == cut            # the refused text not stored
        assert s.get(Segment, unit).text == QUOTED            # the unit's own words stay
    project.close()
