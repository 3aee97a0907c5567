"""Text that users and the material supply is shown as text on every page (B2 of issue
41): Markdown and HTML planted in a code's name and definition, a memo, a source's file
name, a workshop's name, a Delphi study's items and a panelist's comment, and the lead's
own display name never become a link, an image, bold or a tag, and the browser fetches
nothing they point at."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import Page

from coding import codes
from coding.codings import accept
from coding.suggestions import suggest
from corpus.ingest import ingest_file
from corpus.project import init_project
from corpus.readers import ReadOptions
from corpus.workshops import add_workshop
from delphi import items, panel, rounds
from people import accounts
from people.accounts import Role
from tests.conftest import SMALL_BOOK, acting, agreed

from .conftest import running_app, settle, shot
from .test_accounts import PASSWORD, choose, login, visit

pytestmark = pytest.mark.slow

BEACON = "127.0.0.1:9"        # nothing listens there; a fetch would show as a request
MARK = (f"![IMG9](http://{BEACON}/x.png) [LNK9](http://{BEACON}/y) **FETT9** "
        "<b>TAGG9</b> <img src=x.png alt=HTMLIMG9>")
FILE_MARK = "![IMG9](x.png) **FETT9** <b>TAGG9"          # a file name has no "/"
# a code's path splits at ">": its name carries the Markdown alone
CODE = f"Samverkan > Tema ![IMG9](http://{BEACON}/x.png) [LNK9](http://{BEACON}/y) **FETT9**"
PAGES = ["kodning", "kodbok", "transkript", "teman", "bilaga", "konsensus", "samstammighet",
         "projekt", "export", "delphi_page", "anvandare"]

RENDERED = """() => {
  const hit = [];
  for (const el of document.querySelectorAll('img'))
    if ((el.getAttribute('src') || '').includes('x.png') || /IMG9/.test(el.alt)) hit.push('img');
  for (const el of document.querySelectorAll('a'))
    if ((el.getAttribute('href') || '').includes('127.0.0.1:9') || el.textContent.trim()
        .startsWith('LNK9')) hit.push('a');
  for (const el of document.querySelectorAll('strong, b, em, i'))
    if (/^(FETT9|TAGG9)/.test(el.textContent.trim())) hit.push(el.tagName);
  return hit;
}"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    base = tmp_path_factory.mktemp("plain")
    project = init_project(base / "proj")
    notes = base / f"{FILE_MARK}.csv"
    with notes.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["Område", "Inlägg"], ["GR", "Tillit mellan huvudmännen"],
                                 ["VGR", "Tillit i samverkan"], ["GR", "Tillit och SIP"]])
    ingest_file(project, notes, ReadOptions(question=1))
    (base / "t.txt").write_text("Talare 1  00:00:05\nTillit behövs. Det saknas.\n",
                                encoding="utf-8")
    ingest_file(project, base / "t.txt", ReadOptions(question=2, area="gr"))
    add_workshop(project, actor=acting("lena"), label=f"Workshop {MARK}", area="gr")
    with project.transaction() as s:
        accounts.add_user(s, "lena", Role.LEAD, acting("admin"), f"Lena {MARK}", PASSWORD)
        codes.import_doc(s, SMALL_BOOK, acting("lena"))
        code = codes.add_code(s, CODE, acting("lena"), definition=MARK, keywords=["tillit"])
        accept(s, 1, code.id, "carl", memo=MARK)
        accept(s, 5, code.id, "carl", memo=MARK)     # the turn's first sentence
        accept(s, 2, code.id, "lena", memo=MARK)
        agreed(s, 2, code.id, is_quote=True)
        study = items.create_study(s, f"Studie {MARK}", acting("lena"), description=MARK)
        item = items.add_item(s, study.id, f"Indikator {MARK}", acting("lena"), theme=MARK,
                              description=MARK)
        invited = panel.add_panelist(s, study.id, "politicians", acting("lena"))
        first = rounds.open_round(s, study.id, acting("lena"))
    with project.transaction() as s:
        member = panel.panelist_for_code(s, invited.code)
        version = items.current_version(s, item.id).id
        rounds.answer(s, first.id, member, version, 5, comment=f"Kommentar {MARK}")
        rounds.close_round(s, first.id, acting("lena"))
        rounds.open_round(s, study.id, acting("lena"), keep_decided=True)
    suggest(project)
    project.close()
    return project.root, invited.code


@pytest.fixture(scope="module")
def server(planted, tmp_path_factory):
    with running_app(planted[0], tmp_path_factory.mktemp("log")) as url:
        yield url


def plain(page: Page, fetched: list[str], where: str) -> None:
    assert page.evaluate(RENDERED) == [], where
    assert fetched == [], f"{where}: the browser fetched {fetched}"


def test_supplied_text_is_never_markdown_or_html(server, planted, page):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if BEACON in r.url or
            r.url.endswith("x.png") else None)
    login(page, server, "lena")
    page.get_by_text("Inloggad:").wait_for(timeout=30_000)
    page.get_by_text("**FETT9**").first.wait_for(timeout=30_000)   # the display name, as text
    # the session cookie is written by a component a moment after the login: leaving the
    # page before it would log lena out (under load the later pages were the login page)
    page.wait_for_function("() => document.cookie.includes('qda_session=')", timeout=30_000)
    for path in PAGES:
        visit(page, server, path)
        plain(page, fetched, path)
    labelled = page.locator("[class*='st-key-k_acc_']").filter(has_text="**FETT9**")
    for _ in range(5):       # the code is suggested: a button's label (a background
        visit(page, server, "kodning")   # retrain may be rewriting the suggestions)
        if labelled.count():
            break
        page.wait_for_timeout(3_000)
    labelled.first.wait_for(timeout=30_000)
    plain(page, fetched, "kodning buttons")
    shot(page, "plain-kodning")
    visit(page, server, "kodbok")
    choose(page, "kb_selected", "Tema")
    settle(page)
    page.locator("h3").filter(has_text="**FETT9**").first.wait_for(timeout=30_000)
    plain(page, fetched, "kodbok code")
    shot(page, "plain-kodbok")
    visit(page, server, "konsensus")
    plain(page, fetched, "konsensus")
    visit(page, server, "teman")
    plain(page, fetched, "teman")
    visit(page, server, "delphi_page")
    for view in ("Indikatorer", "Panel", "Rundor", "Resultat"):
        page.locator(".st-key-d_view").get_by_text(view, exact=True).click()
        settle(page)
        plain(page, fetched, f"delphi {view}")
    page.goto(f"{server}/?delphi={planted[1]}")
    page.get_by_text("Du har besvarat").wait_for(timeout=30_000)
    settle(page)
    page.get_by_text("Kommentarer från förra rundan").first.click()
    settle(page)
    page.get_by_text("Kommentar ![IMG9]").first.wait_for(timeout=30_000)
    plain(page, fetched, "delphi panelist")
    shot(page, "plain-delphi-svar")
