"""The app in a real headless Chromium (Debian's), started with `qda app` on loopback on the
demo project: upload, keyboard coding, the code picker, a quote, persistence across a
reload, the codebook YAML and bilaga 2 downloads. Screenshots of every page are saved to
build/screenshots (or $QDA_SCREENSHOTS) to look at."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from coding.codes import find_code
from coding.demo import build_coded_demo
from corpus.models import Coding, Segment, Source
from corpus.project import open_project

from .conftest import download_export, running_app, settle, shot

pytestmark = pytest.mark.slow

CODER = "anna"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = build_coded_demo(tmp_path_factory.mktemp("e2e") / "demo")
    project.close()
    with running_app(project.root, tmp_path_factory.mktemp("log")) as url:
        yield url, project.root


def open_page(page: Page, url: str, name: str) -> None:
    path = "" if name == "kodning" else name       # the default page lives at /
    page.goto(f"{url}/{path}?kodare={CODER}")
    page.get_by_role("heading", name=name.capitalize()).first.wait_for(timeout=30_000)
    settle(page)


def db(root: Path):
    return open_project(root)


def my_codings(root: Path) -> list[Coding]:
    project = db(root)
    with project.session() as s:
        rows = list(s.scalars(select(Coding).where(Coding.coder == CODER,
                                                   Coding.status == "accepted")))
    project.close()
    return rows


def counts(root: Path) -> tuple[int, int]:
    project = db(root)
    with project.session() as s:
        out = (s.scalar(select(func.count()).select_from(Source)),
               s.scalar(select(func.count()).select_from(Segment)))
    project.close()
    return out


def xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Fråga 2"
    ws.append(["Borås", "Skaraborg"])
    ws.append(["Tid för samtal med brukaren", "Andel hembesök med läkare"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_upload_through_the_widget_and_a_malformed_one(server, page, tmp_path):
    url, root = server
    open_page(page, url, "projekt")
    shot(page, "projekt")
    before = counts(root)
    good = tmp_path / "lappar_skaraborg.xlsx"
    good.write_bytes(xlsx_bytes())
    page.locator(".st-key-p_files input[type=file]").set_input_files(str(good))
    expect(page.get_by_role("button", name="Importera", exact=True)).to_be_enabled(timeout=15_000)
    page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.get_by_text(re.compile(r"lappar_skaraborg\.xlsx: importerad som källa \d+ "
                                       r"\(Lappar \(Excel/CSV\); 2 lappar\)"))).to_be_visible(
        timeout=30_000)
    expect(page.get_by_text("Området Skaraborg gissades ur filnamnet")).to_be_visible()
    shot(page, "projekt-import")
    assert counts(root) == (before[0] + 1, before[1] + 2)

    after_good = counts(root)
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"PK\x03\x04 det ar ingen arbetsbok")
    open_page(page, url, "projekt")             # a fresh session: an empty upload widget
    page.locator(".st-key-p_files input[type=file]").set_input_files(str(bad))
    expect(page.get_by_role("button", name="Importera", exact=True)).to_be_enabled(timeout=15_000)
    page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.get_by_text(re.compile("Filen trasig.xlsx kunde inte importeras"))) \
        .to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile("Inget i projektet har ändrats"))).to_be_visible()
    shot(page, "projekt-fel")
    assert counts(root) == after_good


def test_streamlits_own_words_are_swedish(server, page):
    """The upload button, its limit line and the skip link said "Upload", "200MB per
    file • CSV, DOCX…" and "Skip to main content" in the Swedish app."""
    url, _ = server
    open_page(page, url, "projekt")
    uploader = page.locator(".st-key-p_files")
    for english in ("Upload", "per file"):
        expect(uploader).not_to_contain_text(english, use_inner_text=True, timeout=15_000)
    skip = page.locator("[data-testid=stSkipToContent]")
    # its English words are shrunk to nothing (still read by innerText), the Swedish shown
    # (waited for: a rerun may put the page's style element back a moment later)
    expect(skip).to_have_css("font-size", "0px", timeout=15_000)

    def after(selector: str) -> str:
        return page.locator(selector).first.evaluate(
            "e => getComputedStyle(e, '::after').content")

    assert after(".st-key-p_files button p") == '"Välj filer"'
    assert after(".st-key-p_files [data-testid=stFileUploaderDropzoneInstructions] span") \
        == '"Dra filerna hit (högst 200 MB per fil)"'
    assert after("[data-testid=stSkipToContent]") == '"Hoppa till sidans innehåll"'
    page.locator("body").focus()
    page.keyboard.press("Tab")                   # the skip link still takes the focus
    assert page.evaluate("document.activeElement.dataset.testid") == "stSkipToContent"
    # (waited for: a rerun may put the page's style element back a moment later)
    expect(skip).to_have_css("font-size", "0px", timeout=15_000)     # shown: Swedish
    shot(page, "projekt-svenska")


def test_a_renamed_corrected_file_replaces_the_source_picked(server, page, tmp_path):
    """Through the real widgets: a corrected file under a new name replaces the source
    chosen in "Ersätter källan"; afterwards the boxes are fresh (the browser had kept the
    ticked box and the gone source, which the script-level test could not see)."""
    url, root = server
    first = tmp_path / "lappar_fyrbodal.xlsx"
    first.write_bytes(xlsx_bytes())
    open_page(page, url, "projekt")
    page.locator(".st-key-p_files input[type=file]").set_input_files(str(first))
    expect(page.get_by_role("button", name="Importera", exact=True)).to_be_enabled(timeout=15_000)
    page.get_by_role("button", name="Importera", exact=True).click()
    imported = re.compile(r"lappar_fyrbodal\.xlsx: importerad som källa (\d+)")
    expect(page.get_by_text(imported)).to_be_visible(timeout=30_000)
    source = imported.search(page.get_by_text(imported).inner_text()).group(1)
    before = counts(root)
    wb = load_workbook(io.BytesIO(xlsx_bytes()))
    wb.active.append(["Fler hembesök", None])
    fixed = tmp_path / "lappar_fyrbodal_rättad.xlsx"
    wb.save(fixed)
    open_page(page, url, "projekt")
    page.locator(".st-key-p_files input[type=file]").set_input_files(str(fixed))
    expect(page.get_by_role("button", name="Importera", exact=True)).to_be_enabled(timeout=15_000)
    page.locator("[class*='st-key-p_replaces_']").click()
    page.get_by_role("option", name=f"{source}: lappar_fyrbodal.xlsx").click()
    page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.get_by_text(re.compile("Ersatte den tidigare källan: 2 enheter oförändrade, "
                                       "1 nya eller ändrade"))).to_be_visible(timeout=30_000)
    shot(page, "projekt-ersatt")
    assert counts(root) == (before[0], before[1] + 1)
    expect(page.get_by_role("combobox", name="Ersätter källan")).to_have_value(
        "Den med samma filnamn")
    expect(page.get_by_role("checkbox", name="Ersätt tidigare import")).not_to_be_checked()
    project = db(root)
    with project.session() as s:
        names = s.scalars(select(Source.original_name)).all()
    project.close()
    assert "lappar_fyrbodal.xlsx" not in names and "lappar_fyrbodal_rättad.xlsx" in names


def test_keyboard_coding_picker_quote_and_reload(server, page):
    url, root = server
    open_page(page, url, "kodning")
    shot(page, "kodning")
    first = page.locator(".st-key-k_acc_1 button").first
    label = first.inner_text()
    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press("1")                                    # accept suggestion 1
    expect(page.locator(".st-key-k_acc_1 button").first).to_contain_text("✓", timeout=15_000)
    settle(page)
    coded = my_codings(root)
    assert len(coded) == 1
    segment = coded[0].segment_id
    assert label.split(" · ", 1)[1].rsplit(" (", 1)[0].strip() in \
        page.locator(".st-key-k_acc_1 button").first.inner_text()

    page.keyboard.press("k")                                    # open the code picker
    picker = page.locator(".st-key-k_pick input")
    picker.wait_for(timeout=15_000)
    expect(picker).to_be_focused(timeout=5_000)
    page.keyboard.type("samordning > SIP")
    page.get_by_role("option", name="Samverkan och samordning > SIP").wait_for()
    page.keyboard.press("Enter")
    settle(page)
    project = db(root)
    with project.session() as s:
        sip = find_code(s, "Samverkan och samordning > SIP").id
    project.close()
    assert {c.code_id for c in my_codings(root)} >= {sip}

    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press("q")                                    # mark as a quote
    settle(page)
    assert all(c.is_quote for c in my_codings(root))
    shot(page, "kodning-kodad")

    page.reload()
    page.get_by_role("heading", name="Kodning").first.wait_for(timeout=30_000)
    settle(page)
    # a reload is a new session: the queue starts again, the decided segment is gone from
    # it, but everything done is in the project; it is found by filtering on status
    assert all(c.segment_id == segment for c in my_codings(root))
    assert len(my_codings(root)) == 2 and all(c.is_quote for c in my_codings(root))
    page.locator(".st-key-k_status").get_by_role("combobox").click()
    page.keyboard.type("Kodad (beslut")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_text(f"segment {segment} ·", exact=False)).to_be_visible()
    expect(page.locator(".st-key-k_acc_1 button").first).to_contain_text("✓")
    assert page.get_by_text("SIP", exact=False).count() > 0
    expect(page.locator(f".st-key-k_quote_{segment} input")).to_be_checked()
    shot(page, "kodning-efter-omladdning")


def test_other_pages_render_and_downloads(server, page, tmp_path):
    url, root = server
    ready = {"kodbok": "[data-testid=stDataFrame]", "transkript": "table.transcript",
             "teman": "[data-testid=stMain] img"}     # the heatmap
    for name, selector in ready.items():
        open_page(page, url, name)
        page.locator(selector).first.wait_for(timeout=30_000)
        settle(page)
        assert page.locator("[data-testid=stException]").count() == 0, name
        shot(page, name)

    open_page(page, url, "kodbok")
    with page.expect_download() as got:
        page.get_by_role("button", name="Ladda ner YAML").click()
    doc = yaml.safe_load(Path(got.value.path()).read_text(encoding="utf-8"))
    assert any(c["name"] == "Samverkan och samordning" for c in doc["codes"])

    open_page(page, url, "export")
    shot(page, "export")
    target = download_export(page, "e", "bilaga2", tmp_path)
    assert target.name == "bilaga2.xlsx"
    wb = load_workbook(target)
    assert [ws.title for ws in wb] == ["Fråga 1", "Fråga 2", "Fråga 3"]
    header = [c.value for c in wb["Fråga 1"][2]]
    assert header[:3] == ["Huvudtema", "Subtema", "Inlägg"]


# ---- blind double coding, agreement, consensus ------------------------------------------

def as_coder(page: Page, url: str, name: str, coder: str) -> None:
    path = "" if name == "kodning" else name
    page.goto(f"{url}/{path}?kodare={coder}")
    title = {"samstammighet": "Samstämmighet"}.get(name, name.capitalize())
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    settle(page)


def current_segment(page: Page) -> int:
    caption = page.get_by_text(re.compile(r"segment \d+ ·")).first.inner_text()
    return int(re.search(r"segment (\d+) ·", caption).group(1))


def pick(page: Page, label: str) -> None:
    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press("k")
    picker = page.locator(".st-key-k_pick input")
    picker.wait_for(timeout=15_000)
    expect(picker).to_be_focused(timeout=5_000)
    page.keyboard.type(label)
    page.get_by_role("option", name=label, exact=True).wait_for()
    page.keyboard.press("Enter")
    settle(page)


def press(page: Page, key: str) -> None:
    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press(key)
    settle(page)


def test_blind_double_coding_agreement_and_consensus_into_bilaga2(server, page, tmp_path):
    url, root = server
    # the lead assigns one note per area to two new coders, blind
    as_coder(page, url, "samstammighet", "lead")
    coders = page.locator(".st-key-sa_coders_new input")
    for name in ("ulla", "per"):
        coders.click()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        settle(page)
    page.keyboard.press("Escape")                        # close the coder list
    settle(page)
    page.locator(".st-key-sa_kinds input").click()
    page.keyboard.press("Backspace")                     # notes only: drop "Transkript"
    page.keyboard.press("Escape")
    settle(page)
    page.locator(".st-key-sa_units input").fill("5")
    page.keyboard.press("Enter")
    settle(page)
    page.locator(".st-key-sa_create button").click()
    settle(page)
    shot(page, "samstammighet-omgang")
    project = db(root)
    with project.session() as s:
        from coding import rounds

        info = rounds.rounds(s)[-1]
        units = rounds.assigned(s, info.id)
        kinds = set(s.scalars(select(Segment.kind).where(Segment.id.in_(units))))
    project.close()
    assert info.blind and info.coders == ("per", "ulla") and kinds == {"note"}
    assert len(units) == 5

    # ulla codes her first unit with a code the consensus layer lacks there; none for the rest
    as_coder(page, url, "kodning", "ulla")
    expect(page.get_by_text(f"Du kodar blint i {info.name}", exact=False)).to_be_visible()
    first = current_segment(page)
    assert first in units
    project = db(root)
    with project.session() as s:
        from corpus.models import Code

        had = set(s.scalars(select(Coding.code_id).where(
            Coding.segment_id == first, Coding.coder == "konsensus")))
        target = s.scalars(select(Code).where(Code.parent_id.is_not(None),
                                              Code.id.not_in(had)).order_by(Code.id)).first()
        parent = s.get(Code, target.parent_id).name
    project.close()
    label = f"{parent} > {target.name}"
    pick(page, label)
    shot(page, "kodning-blind-ulla")
    for _ in range(5):
        press(page, "0")                                 # done, no code (or moves on)
    # per codes blind: none of ulla's work is visible, on any of the units
    as_coder(page, url, "kodning", "per")
    seen = set()
    for i in range(5):
        segment = current_segment(page)
        seen.add(segment)
        expect(page.get_by_text("Inga koder ännu.")).to_be_visible()
        press(page, "0")
        if i < 4:   # the next unit is on screen before it is read (on a loaded machine)
            expect(page.get_by_text(re.compile(rf"segment {segment} ·"))).to_have_count(
                0, timeout=20_000)
    assert seen == set(units)
    as_coder(page, url, "teman", "per")
    expect(page.get_by_text("Du kodar blint", exact=False)).to_be_visible()
    shot(page, "teman-blind")

    # the lead closes the round and reads the figures
    as_coder(page, url, "samstammighet", "lead")
    page.locator(".st-key-sa_close button").click()
    settle(page)
    project = db(root)
    with project.session() as s:
        assert not rounds.round_info(s, info.id).open
    project.close()
    expect(page.locator("[data-testid=stMetricValue]").first).to_have_text("5")
    shot(page, "samstammighet")

    # the consensus meeting: the disagreement on ulla's unit, decided with a memo
    as_coder(page, url, "konsensus", "lead")
    expect(page.locator(".st-key-ks_unit input")).to_have_value(
        f"Segment {first} · ja: ulla · nej: per", timeout=15_000)
    final = page.locator(f".st-key-ks_codes_{first} input")
    final.click()
    page.keyboard.type(label)
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")
    page.locator(f".st-key-ks_memo_{first} textarea").fill("Lappen handlar om detta tema")
    page.keyboard.press("Control+Enter")
    settle(page)
    page.locator(".st-key-ks_resolve button").click()
    settle(page)
    expect(page.get_by_text(f"Beslutet för segment {first} är sparat.")).to_be_visible()
    shot(page, "konsensus")
    project = db(root)
    with project.session() as s:
        decided = s.scalars(select(Coding).where(
            Coding.segment_id == first, Coding.coder == "konsensus",
            Coding.code_id == target.id)).one()
        text, question = s.execute(select(Segment.text, Segment.question)
                                   .where(Segment.id == first)).one()
    project.close()
    assert decided.status == "accepted" and decided.memo == "Lappen handlar om detta tema"

    # bilaga 2 (the final layer by default: the consensus decision) now has the note under
    # the decided code
    as_coder(page, url, "export", "lead")
    target_file = download_export(page, "e", "bilaga2", tmp_path)
    ws = load_workbook(target_file)[f"Fråga {question}"]
    rows, main, sub = [], None, None
    for row in ws.iter_rows(min_row=3, values_only=True):
        main, sub = row[0] or main, row[1] or sub
        rows.append((main, sub, row[2] or ""))
    assert any(m == parent and s_ == target.name and text.strip() in cell
               for m, s_, cell in rows)


def test_code_exact_words_on_transkript(server, page):
    """Words inside a sentence, typed on Transkript, are coded with their exact span."""
    url, root = server
    coder = "berit"                      # apart from the other tests' coders
    project = db(root)
    with project.session() as s:
        first = s.scalars(select(Source.id).where(Source.kind == "transcript")
                          .order_by(Source.id)).first()
        turn = s.scalars(select(Segment).where(Segment.source_id == first,
                                               Segment.kind == "turn", Segment.position == 0)
                         ).one()
        sentence = s.scalars(select(Segment).where(Segment.parent_id == turn.id)
                             .order_by(Segment.position)).first()
    project.close()
    words = " ".join(sentence.text.split()[1:3])
    as_coder(page, url, "transkript", coder)
    page.locator(".st-key-t_code").get_by_role("combobox").click()
    page.keyboard.type("samordning > SIP")
    page.get_by_role("option", name="Samverkan och samordning > SIP").wait_for()
    page.keyboard.press("Enter")
    settle(page)
    page.locator(".st-key-t_words_0 input").fill(words)
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("button", name="Koda orden").click()
    expect(page.get_by_text(re.compile("Orden kodade med .*SIP"))).to_be_visible(
        timeout=15_000)
    shot(page, "transkript-ord")
    project = db(root)
    with project.session() as s:
        (coding,) = s.scalars(select(Coding).where(Coding.coder == coder)).all()
    project.close()
    assert coding.segment_id == sentence.id and len(coding.spans) == 1
    start, end = coding.spans[0][:2]
    assert end - start == len(words)
