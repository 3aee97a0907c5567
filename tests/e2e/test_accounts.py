"""Accounts in a real headless Chromium: the login page is all an anonymous visitor gets,
a blind coder cannot reach another coder's work by any page or query parameter, each role
sees what it may, a disabled user is refused, wrong passwords slow down the browser that
typed them, the audit log names the logged-in user, HTTPS works, and hostile text in a
note or transcript is shown as text on every page that renders it."""

from __future__ import annotations

import contextlib
import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from coding import codes, rounds
from coding.codings import accept
from coding.demo import build_coded_demo
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, LoginAttempt, Segment, Source
from corpus.project import open_project
from corpus.readers import ReadOptions
from people import accounts
from people.accounts import Role
from tests.conftest import acting, agreed

from .conftest import running_app, settle, shot

pytestmark = pytest.mark.slow

PASSWORD = "ett långt lösenord"
USERS = {"lena": Role.LEAD, "anna": Role.CODER, "bodil": Role.CODER, "rita": Role.REVIEWER,
         "lars": Role.READER, "dora": Role.CODER, "sixten": Role.CODER}
SECRET = "bodils hemliga motivering"
BODILS_CODE = "Samverkan > BOS-HEMLIGA-TEMA"
HOSTILE = ('<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> '
           '[klicka här](javascript:window.__pwned=3) **fet** <b>html</b>')
HOSTILE_UNIT: dict = {}     # the hostile note's id, its quoted main theme, its open code
PAGES = ["", "projekt", "kodbok", "kodning", "transkript", "teman", "bilaga",
         "samstammighet", "konsensus", "export", "delphi_page"]


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """The demo project with a team, an open blind round for anna and bodil (bodil has
    coded one of her units with a memo), and a note and a transcript of hostile text
    that carl and lena code differently and the consensus quotes."""
    base = tmp_path_factory.mktemp("acc")
    project = build_coded_demo(base / "demo")
    hostile = base / "hostile.csv"
    with hostile.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["Område", "Inlägg"], ["GR", HOSTILE]])
    ingest_file(project, hostile, ReadOptions(question=1))
    (base / "hostile.txt").write_text(f"Talare 1  00:00:05\n{HOSTILE}\n", encoding="utf-8")
    ingest_file(project, base / "hostile.txt", ReadOptions(question=2, area="gr"))
    with project.transaction() as s:
        for login, role in USERS.items():
            accounts.add_user(s, login, role, acting("admin"), login.capitalize() + " Testsson",
                              PASSWORD)
        accounts.add_user(s, "carl", Role.CODER, acting("admin"), password=PASSWORD)
        accounts.disable_user(s, "dora", acting("admin"))
        note = s.scalar(select(Segment.id).where(Segment.text == HOSTILE,
                                                 Segment.kind == "note"))
        first, second = [c.id for c in s.scalars(select(codes.CodeRow).where(
            codes.CodeRow.parent_id.isnot(None)).order_by(codes.CodeRow.id).limit(2))]
        paths = dict(codes.ordered_paths(s))
        HOSTILE_UNIT.update(note=note, quoted=paths[first][0],
                            open=" / ".join(paths[second]))   # the unresolved one
        accept(s, note, first, "carl")
        accept(s, note, second, "lena")
        agreed(s, note, first, is_quote=True)
        rounds.create_round(s, ["anna", "bodil"], acting("lena"), units=5, name="runda1", seed=2)
    with project.transaction() as s:       # bodil's new code, while she codes blind
        codes.add_code(s, BODILS_CODE, accounts.Actor("bodil", Role.CODER), origin="emergent")
        info = rounds.round_info(s, "runda1")
        unit = rounds.assigned(s, info.id, "bodil")[0]
        accept(s, unit, first, "bodil", memo=SECRET)
    project.close()
    return project.root


@pytest.fixture(scope="module")
def server(team, tmp_path_factory):
    with running_app(team, tmp_path_factory.mktemp("log")) as url:
        yield url


class Recorder:
    """Everything the browser receives: HTTP bodies of text and the app's websocket
    frames (protobuf: its strings are plain UTF-8)."""

    def __init__(self, page: Page) -> None:
        self.chunks: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", self._response)

    def _frame(self, payload) -> None:
        self.chunks.append(payload if isinstance(payload, bytes) else payload.encode())

    def _response(self, response) -> None:
        with contextlib.suppress(Exception):   # redirects and aborted requests: no body
            self.chunks.append(response.body())

    def holds(self, text: str) -> bool:
        needle = text.encode()
        return any(needle in chunk for chunk in self.chunks)


def login(page: Page, url: str, user: str, password: str = PASSWORD, path: str = "") -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name="Logga in").wait_for(timeout=30_000)
    settle(page)
    page.locator("input[aria-label='Användarnamn']").first.fill(user)
    page.locator("input[type=password]").first.fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    settle(page)


def logged_in_as(page: Page, user: str) -> None:
    """The sidebar names the user, and the browser holds the session cookie (written by a
    component a moment later: leaving the page before that would log the user out)."""
    expect(page.get_by_text(f"{user.capitalize()} Testsson")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => document.cookie.includes('qda_session=')", timeout=30_000)


def visit(page: Page, url: str, path: str, query: str = "") -> None:
    page.goto(f"{url}/{path}{query}")
    page.wait_for_timeout(500)
    settle(page)


def db_events(root: Path, after: int = 0) -> list[AuditEvent]:
    """The audit events after event id `after`."""
    project = open_project(root)
    try:
        with project.session() as s:
            return list(s.scalars(select(AuditEvent).where(AuditEvent.id > after)
                                  .order_by(AuditEvent.id)))
    finally:
        project.close()


def last_event(root: Path) -> int:
    return max((e.id for e in db_events(root)), default=0)


def test_an_anonymous_visitor_gets_only_the_login_page(server, team, page):
    recorder = Recorder(page)
    project = open_project(team)
    with project.session() as s:
        markers = [s.scalar(select(Segment.text).where(Segment.kind == "note").limit(1)),
                   s.scalar(select(Source.original_name).limit(1)), "Lena Testsson",
                   "Samverkan"]
    project.close()
    for path in PAGES:
        for query in ("", "?kodare=anna"):
            visit(page, server, path, query)
            expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
            assert not page.get_by_text("Logga ut").count()
    shot(page, "login")
    # a Delphi invitation link opens only a panelist's page; a wrong code opens nothing
    for query in ("?delphi=inte-en-kod", "?delphi="):
        visit(page, server, "", query)
        assert not page.locator("[data-testid=stSidebarNav]").count()
        assert not page.get_by_text("Logga ut").count()
    visit(page, server, "", "?delphi=inte-en-kod")
    expect(page.get_by_text("Länken fungerar inte")).to_be_visible()
    for marker in markers:
        assert marker and not recorder.holds(marker), marker


def test_a_blind_coder_cannot_reach_the_other_coders_work(server, page):
    recorder = Recorder(page)
    login(page, server, "anna")
    logged_in_as(page, "anna")
    expect(page.get_by_text("Du kodar blint i runda1")).to_be_visible()
    shot(page, "anna-blind-kodning")
    for path in PAGES:
        for query in ("", "?kodare=bodil", "?kodare=konsensus"):
            visit(page, server, path, query)
            logged_in_as(page, "anna")          # the parameter changes nobody
    visit(page, server, "teman")
    expect(page.get_by_text("Du kodar blint i")).to_be_visible()
    visit(page, server, "export")
    expect(page.get_by_text("Du kodar blint i")).to_be_visible()
    assert not page.get_by_role("button", name="Skapa fil").count()
    visit(page, server, "transkript")
    page.get_by_text("Visa kodningar av").wait_for()
    assert not recorder.holds(SECRET)
    assert not recorder.holds("bodil"), "another coder's name reached a blind coder"
    assert not recorder.holds("BOS-HEMLIGA"), "another blind coder's new code was shown"
    visit(page, server, "projekt")            # the project's counts are anna's own
    metrics = {m.locator("[data-testid=stMetricLabel]").inner_text().strip():
               m.locator("[data-testid=stMetricValue]").inner_text().strip()
               for m in page.locator("[data-testid=stMetric]").all()}
    assert metrics["Kodare"] == "0" and metrics["Kodningar"] == "0", metrics


def test_a_reader_sees_themes_and_exports_but_cannot_code(server, page):
    login(page, server, "lars")
    logged_in_as(page, "lars")
    nav = page.locator("[data-testid=stSidebarNav]")
    for name in ("Kodning", "Transkript", "Kodbok", "Samstämmighet", "Konsensus", "Delphi"):
        assert not nav.get_by_text(name, exact=True).count(), name
    visit(page, server, "kodning")
    assert not page.get_by_text("Dina koder").count()
    visit(page, server, "teman")
    expect(page.get_by_role("heading", name="Teman")).to_be_visible()
    visit(page, server, "export")
    # the export's own heading (the sidebar names the page "Bilaga 2" as well)
    expect(page.locator("[data-testid=stMain]").get_by_text("Bilaga 2", exact=True)
           ).to_be_visible()
    assert not page.get_by_text("Granskningslogg").count()
    shot(page, "lars-export")


def test_a_reviewer_reads_everything_but_cannot_code(server, page):
    login(page, server, "rita")
    logged_in_as(page, "rita")
    nav = page.locator("[data-testid=stSidebarNav]")
    assert not nav.get_by_text("Kodning", exact=True).count()
    visit(page, server, "transkript")
    page.get_by_text("Visa kodningar av").wait_for()
    assert not page.get_by_role("button", name="Koda meningarna").count()
    visit(page, server, "kodbok")
    expect(page.get_by_role("heading", name="Kodbok")).to_be_visible()
    assert not page.get_by_role("button", name="Lägg till").count()
    visit(page, server, "export")
    expect(page.get_by_text("Granskningslogg")).to_be_visible()
    shot(page, "rita-export")


def test_a_disabled_user_cannot_log_in(server, page):
    login(page, server, "dora")
    expect(page.get_by_text("Fel inloggningsnamn eller lösenord.")).to_be_visible()
    assert not page.get_by_text("Logga ut").count()


def test_wrong_passwords_slow_this_browser_down_and_are_logged(server, team, page):
    since = last_event(team)
    for _ in range(accounts.FREE_FAILURES):
        login(page, server, "sixten", "fel lösenord igen")
        expect(page.get_by_text("Fel inloggningsnamn eller lösenord.")).to_be_visible()
    project = open_project(team)     # four more failures just now: the wait is 32 s
    with project.transaction() as s:
        s.add_all(LoginAttempt(login="sixten", ok=False, client="localhost")
                  for _ in range(4))
    project.close()
    login(page, server, "sixten")                       # right, but it must wait
    expect(page.get_by_text("För många misslyckade inloggningar härifrån. Vänta")
           ).to_be_visible()
    assert not page.get_by_text("Logga ut").count()
    failed = [e for e in db_events(team, since)
              if e.action == "auth.login_failed" and e.after["login"] == "sixten"]
    assert [e.after["reason"] for e in failed] == ["wrong_password"] * 5
    assert {e.actor for e in failed} == {"sixten"}
    assert {e.after["client"] for e in failed} == {"localhost"}


def test_the_audit_log_names_the_logged_in_user_and_a_reload_keeps_them(server, team, page):
    since = last_event(team)
    login(page, server, "carl", path="kodning")
    expect(page.get_by_role("heading", name="Kodning")).to_be_visible(timeout=30_000)
    # carl has no display name for logged_in_as; the reload below must find the cookie
    page.wait_for_function("() => document.cookie.includes('qda_session=')", timeout=30_000)
    settle(page)
    page.locator(".st-key-k_acc_1 button").first.click()
    expect(page.locator(".st-key-k_acc_1 button").first).to_contain_text("✓", timeout=15_000)
    settle(page)
    page.reload()
    settle(page)
    expect(page.get_by_text("Roll: kodare")).to_be_visible(timeout=30_000)   # still in
    page.get_by_role("button", name="Logga ut").click()
    settle(page)
    page.reload()
    page.get_by_role("heading", name="Logga in").wait_for(timeout=30_000)    # out for good
    actions = [(e.actor, e.action) for e in db_events(team, since)]
    assert ("carl", "auth.login") in actions and ("carl", "coding.accept") in actions
    assert ("carl", "auth.logout") in actions
    assert {a for a, _ in actions} == {"carl"}


def test_a_user_changes_their_own_password_in_the_sidebar(server, page):
    login(page, server, "rita")
    logged_in_as(page, "rita")
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Byt lösenord").first.click()
    settle(page)
    new = "rita byter till nya ord"
    for label, value in (("Nuvarande lösenord", PASSWORD), ("Nytt lösenord", new),
                         ("Nya lösenordet igen", new)):
        sidebar.locator(f"input[aria-label='{label}']").fill(value)
    sidebar.get_by_role("button", name="Byt lösenord").click()
    settle(page)
    expect(sidebar.get_by_text("Lösenordet är bytt.")).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()
    settle(page)
    login(page, server, "rita")                          # the old one is gone
    expect(page.get_by_text("Fel inloggningsnamn eller lösenord.")).to_be_visible()
    login(page, server, "rita", new)
    logged_in_as(page, "rita")


def choose(page: Page, key: str, option: str, attempts: int = 3) -> None:
    """Pick the option that holds `option` in the selectbox with this key: typed first,
    as the dropdown renders only the options in view; tried again if a rerun redrew the
    widget under the cursor."""
    box = page.locator(f".st-key-{key}")
    for attempt in range(attempts):
        try:
            box.locator("input").first.click(timeout=10_000)
            page.keyboard.press("Control+A")
            page.keyboard.type(option)
            page.get_by_role("option").filter(has_text=option).first.wait_for(timeout=10_000)
            page.keyboard.press("Enter")         # the first match is the focused one
            settle(page)
            page.wait_for_function(
                "([key, text]) => { const box = document.querySelector(`.st-key-${key}`);"
                " return box && (box.innerText.includes(text) || [...box.querySelectorAll("
                "'input')].some(i => i.value.includes(text))); }", arg=[key, option],
                timeout=5_000)
            return
        except (PlaywrightTimeout, AssertionError):
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            settle(page)


def _has_script_effect(page: Page) -> bool:
    return page.evaluate("() => window.__pwned !== undefined") or bool(
        page.locator("a[href^='javascript']").count())


def test_hostile_text_is_shown_as_text_on_every_page(server, page):
    login(page, server, "lena", path="konsensus")
    logged_in_as(page, "lena")
    literal = "[klicka här](javascript:window.__pwned=3) **fet** <b>html</b>"

    # Konsensus: the newest round comes first; the hostile note is among "all"
    choose(page, "ks_round", "Alla dubbelkodade källor")
    choose(page, "ks_code", HOSTILE_UNIT["open"])
    choose(page, "ks_unit", f"Segment {HOSTILE_UNIT['note']} ")
    expect(page.get_by_text(literal, exact=False).first).to_be_visible()
    assert not _has_script_effect(page)
    shot(page, "hostile-konsensus")

    visit(page, server, "teman")                 # the quote, in the drill-down
    choose(page, "th_main", HOSTILE_UNIT["quoted"])
    expect(page.locator("blockquote").filter(has_text=literal).first).to_be_visible()
    assert not _has_script_effect(page)
    shot(page, "hostile-teman")

    visit(page, server, "transkript")
    choose(page, "t_source", "hostile.txt (GR)")
    expect(page.get_by_text(literal, exact=False).first).to_be_visible()
    assert not _has_script_effect(page)
    shot(page, "hostile-transkript")

    visit(page, server, "")                      # Kodning, the lead's default page
    choose(page, "k_sources", "hostile.csv")
    page.keyboard.press("Escape")
    settle(page)
    choose(page, "k_status", "Alla")             # lena has decided it: not "att granska"
    expect(page.locator(".segment-text").first).to_contain_text(literal)
    assert not _has_script_effect(page)
    shot(page, "hostile-kodning")


def test_https_with_a_generated_certificate(team, tmp_path, browser):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    copy = tmp_path / "demo"
    shutil.copytree(team, copy)
    with running_app(copy, tmp_path, "--tls-cert", str(cert), "--tls-key", str(key),
                     scheme="https") as url:
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        login(page, url, "lena")
        logged_in_as(page, "lena")
        cookie = next(c for c in context.cookies() if c["name"] == "qda_session")
        assert cookie["secure"] and cookie["sameSite"] == "Strict"
        page.reload()
        settle(page)
        logged_in_as(page, "lena")
        context.close()
    assert url.startswith("https://")
