"""A second study in the browser: a project made from nothing learns its areas from an
uploaded workbook (said once per area on the Projekt page), the lead renames an area and
gives it a long name under *Områden och grupper*, and bilaga 2 downloaded from the Export
page has that study's columns, not the first study's."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from coding.codebook import parse_codebook
from coding.codes import import_doc
from coding.exchange import import_codings
from corpus.project import init_project, open_project
from corpus.study import load
from corpus.tabular import write_table
from tests.conftest import acting, write_xlsx

from .conftest import download_export, running_app, settle, shot

pytestmark = pytest.mark.slow

BOOK = parse_codebook("codes:\n  - name: Kontinuitet\n  - name: Samverkan\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("study") / "lerum"
    init_project(root).close()
    with running_app(root, tmp_path_factory.mktemp("log")) as url:
        yield url, root


def open_page(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/{name}?kodare=lena")
    page.get_by_role("heading", name=name.capitalize()).first.wait_for(timeout=30_000)
    settle(page)


def open_expander(page: Page, label: str):
    """The expander with this label, opened (a rerun may keep it open or not)."""
    page.get_by_role("tab", name="Områden och grupper").click()
    box = page.locator("details", has_text=label).first
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def pick(page: Page, key: str, option: str) -> None:
    """Type into a selectbox and take the option (typing filters the list and opens it)."""
    box = page.locator(f".st-key-{key} input[role=combobox]")
    box.scroll_into_view_if_needed()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def test_a_new_study_learns_its_areas_and_the_lead_edits_them(server, page: Page, tmp_path):
    url, root = server
    book = write_xlsx(tmp_path / "lappar.xlsx", {
        "Fråga 1": [["Område", "Inlägg"], ["Lerum", "Andel med fast vårdkontakt"],
                    ["Lerums kommun", "Antal samverkansmöten"], ["Öckerö", "Väntetid"]],
        "Fråga 2": [["Alingsås", "Öckerö"], ["Samverkan mäts inte", "Kontinuitet saknas"]]})
    open_page(page, url, "projekt")
    page.locator(".st-key-p_files input[type=file]").set_input_files(str(book))
    expect(page.get_by_role("button", name="Importera", exact=True)).to_be_enabled(timeout=15_000)
    page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.get_by_text("Nytt område: Lerum (2 lappar)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Nytt område: Öckerö (2 lappar)")).to_be_visible()
    expect(page.get_by_text(re.compile("Lerums kommun.*räknas som Lerum"))).to_be_visible()
    shot(page, "study-import")

    areas = open_expander(page, "Ändra områden")
    pick(page, "p_study_old_area", "Lerum")
    page.locator(".st-key-p_study_new_area input").fill("Lerums kommun")
    areas.get_by_role("button", name="Byt namn").click()
    settle(page)
    expect(page.get_by_text("Lerums kommun").first).to_be_attached(timeout=15_000)
    areas = open_expander(page, "Ändra områden")
    pick(page, "p_study_long_which", "Öckerö")
    page.locator(".st-key-p_study_long_text input").fill("Öckerö kommun")
    areas.get_by_role("button", name="Spara långt namn").click()
    settle(page)
    shot(page, "study-edited")
    project = open_project(root)
    try:
        with project.session() as s:
            known = load(s)
        assert list(known.areas.labels().values()) == ["Lerums kommun", "Öckerö", "Alingsås"]
        assert known.attribution("ockero") == "Deltagare Öckerö kommun"
        with project.transaction() as s:
            import_doc(s, BOOK, acting("lena"))
        rows = pd.DataFrame([{"text": t, "code": "Samverkan" if "amverkan" in t
                              else "Kontinuitet"} for t in
                             ["Andel med fast vårdkontakt", "Antal samverkansmöten",
                              "Väntetid", "Samverkan mäts inte", "Kontinuitet saknas"]])
        import_codings(project, write_table(rows, tmp_path / "k.tsv"), coder="konsensus",
                       actor=acting("lena"))
    finally:
        project.close()

    open_page(page, url, "export")
    path = download_export(page, "e", "bilaga2", tmp_path)
    wb = load_workbook(path)
    # the same columns in every question's table: the areas with notes, in the study's order
    for sheet in ("Fråga 1", "Fråga 2"):
        assert [c.value for c in wb[sheet][2]] == ["Huvudtema", "Subtema", "Inlägg",
                                                   "Lerums kommun", "Öckerö", "Alingsås"]
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert not any(name in cells for name in ("Borås", "Fyrbodal", "Skaraborg", "VGR"))


def test_an_upload_says_which_notes_took_the_area_above_and_which_counts_it_could_not_read(
        server, page: Page, tmp_path):
    """A grouped sheet (the area once per block) and a count column typed by hand: the page
    says, in Swedish, which cells were filled from above and which count was no number."""
    from sqlalchemy import select

    from corpus.models import Segment, Source

    url, root = server
    book = write_xlsx(tmp_path / "block.xlsx", {"Fråga 3": [
        ["Område", "Inlägg", "Antal"], ["Alingsås", "Fler träffpunkter", "två"],
        [None, "Mer skjuts till vården", "många"]]})
    open_page(page, url, "projekt")
    page.locator(".st-key-p_files input[type=file]").set_input_files(str(book))
    expect(page.get_by_role("button", name="Importera", exact=True)).to_be_enabled(timeout=15_000)
    page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.get_by_text("Bladet Fråga 3, A3: inget område angivet; lapparna fick "
                            "Alingsås, området som står ovanför dem")).to_be_visible(
        timeout=30_000)
    expect(page.get_by_text(re.compile(
        r"Bladet Fråga 3, C3: inget antal, ett heltal från 1 \('många'\); lapparna räknas en "
        r"gång"))).to_be_visible()
    shot(page, "study-block-import")
    project = open_project(root)
    try:
        with project.session() as s:
            rows = s.execute(select(Segment.area, Segment.duplicate_count).join(
                Source, Source.id == Segment.source_id).where(
                Source.original_name == "block.xlsx").order_by(Segment.position)).all()
    finally:
        project.close()
    assert [tuple(r) for r in rows] == [("alingsas", 2), ("alingsas", 1)]
