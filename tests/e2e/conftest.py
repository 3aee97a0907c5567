"""What the browser tests share: Debian's Chromium through Playwright, a tab that fails
the test when anything leaves loopback, starting `qda app`, waiting for Streamlit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# A page that computes (Teman's heatmap, a first scoring) can take longer than Playwright's
# 5 s on a 2-core machine running the other tests beside it: every `expect` waits up to
# 30 s, as `settle` does, and still fails on what never comes.
expect.set_options(timeout=30_000)
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("QDA_SCREENSHOTS", ROOT / "build" / "screenshots"))


@contextmanager
def running_app(root: Path, log_dir: Path, *extra: str, scheme: str = "http",
                env: dict[str, str] | None = None) -> Iterator[str]:
    """`qda app ROOT` on a free loopback port until the block ends; yields its URL."""
    port = _free_port()
    log = (log_dir / f"app-{port}.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "qda", "app", str(root), "--port",
                             str(port), *extra], stdout=log, stderr=subprocess.STDOUT,
                            cwd=ROOT, env={**os.environ, **(env or {})})
    url = f"{scheme}://127.0.0.1:{port}"
    import ssl

    context = ssl._create_unverified_context() if scheme == "https" else None
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2,
                                            context=context) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app did not start: "
                                       f"{Path(log.name).read_text()}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:   # a loaded machine: the test has its answer
            proc.kill()
            proc.wait(10)
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (scripts/test.sh installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Page:
    """A browser tab that records every request leaving loopback: there must be none."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True, locale="sv-SE")
    pg = context.new_page()
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    yield pg
    context.close()
    assert outside == [], f"the app reached the network: {outside}"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(200)


def download_export(page: Page, prefix: str, name: str, folder: Path) -> Path:
    """Press an export's "Skapa fil", then its download button; the file it saved."""
    page.locator(f".st-key-{prefix}_make_{name} button").click()
    button = page.locator(f".st-key-{prefix}_dl_{name} button")
    button.wait_for(timeout=30_000)
    with page.expect_download() as got:
        button.click()
    target = folder / got.value.suggested_filename
    got.value.save_as(target)
    return target

