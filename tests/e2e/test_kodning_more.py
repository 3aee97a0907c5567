"""Issue 40 part B in a real headless Chromium: the 0 key marks a unit not relevant
outside a round (U undoes it), the search box makes a queue of the units holding its
words (case and å/ä/ö folded) with the hits highlighted, and the page says 'klart'
once the coder has decided the queue's last unit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from coding.demo import build_coded_demo
from corpus.models import AuditEvent, Coding, NotRelevant, Segment
from corpus.project import open_project

from .conftest import running_app, settle, shot

pytestmark = pytest.mark.slow

CODER = "anna"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = build_coded_demo(tmp_path_factory.mktemp("e2e") / "demo")
    project.close()
    with running_app(project.root, tmp_path_factory.mktemp("log")) as url:
        yield url, project.root


def rows(root: Path, query):
    project = open_project(root)
    try:
        with project.session() as s:
            return list(s.execute(query).all())
    finally:
        project.close()


def open_kodning(page: Page, url: str) -> None:
    page.goto(f"{url}/?kodare={CODER}")
    page.get_by_role("heading", name="Kodning").first.wait_for(timeout=30_000)
    settle(page)


def current_segment(page: Page) -> int:
    caption = page.get_by_text(re.compile(r"segment \d+ ·")).first.inner_text()
    return int(re.search(r"segment (\d+) ·", caption).group(1))


def unique_word(root: Path) -> tuple[str, int]:
    """A word in exactly one unit (note or transcript sentence) of the demo project."""
    units = rows(root, select(Segment.id, Segment.text, Segment.kind)
                 .where(Segment.kind.in_(("note", "sentence"))))
    texts = [t.lower() for _, t, _ in units]
    for seg_id, text, kind in units:
        if kind != "note":
            continue
        for word in text.split():
            word = word.strip(".,;:!?()\"'").lower()
            if len(word) > 6 and "å" not in word and sum(word in t for t in texts) == 1:
                return word, seg_id
    raise AssertionError("no word of one unit only")


def test_zero_marks_not_relevant_outside_a_round_and_u_undoes_it(server, page):
    url, root = server
    open_kodning(page, url)
    first = current_segment(page)
    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press("0")
    expect(page.get_by_text(re.compile(rf"segment (?!{first} ·)\d+ ·"))).to_be_visible(
        timeout=15_000)
    settle(page)
    assert rows(root, select(NotRelevant.segment_id, NotRelevant.coder)) == [(first, CODER)]
    shot(page, "kodning-inte-relevant")
    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press("u")
    expect(page.get_by_text(f"segment {first} ·", exact=False)).to_be_visible(timeout=15_000)
    settle(page)
    assert rows(root, select(NotRelevant.segment_id)) == []
    assert [a for a, in rows(root, select(AuditEvent.action)
                             .where(AuditEvent.action.like("unit.%")))] == [
        "unit.not_relevant", "unit.relevant"]


def test_search_is_a_queue_with_hits_and_the_last_unit_says_klart(server, page):
    url, root = server
    word, unit = unique_word(root)
    open_kodning(page, url)
    box = page.locator(".st-key-k_search input")
    box.fill(word.upper())                      # case folded
    box.press("Enter")
    settle(page)
    expect(page.get_by_text(f"segment {unit} ·", exact=False)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("1 kvar i kön", exact=False)).to_be_visible()
    expect(page.locator("mark.search-hit").first).to_be_visible()
    shot(page, "kodning-sok")
    page.get_by_role("heading", name="Kodning").first.click()
    page.keyboard.press("1")                    # decide the only unit of the queue
    expect(page.get_by_text("klart, inget kvar i kön", exact=False)).to_be_visible(
        timeout=15_000)
    expect(page.get_by_text("kvar i kön", exact=False).filter(
        has_text=re.compile(r"\d+ kvar i kön"))).to_have_count(0)
    expect(page.get_by_text(f"segment {unit} ·", exact=False)).to_be_visible()
    settle(page)
    assert rows(root, select(Coding.segment_id).where(Coding.coder == CODER,
                                                      Coding.status == "accepted")) == [
        (unit,)]
    shot(page, "kodning-klart")
