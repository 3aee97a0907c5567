"""A PostgreSQL server restarted (`pg_ctl restart -m fast`) while coders code: every action
the app acknowledged is in the database exactly once (its coding and its one audit
event), every action it refused ("Databasen svarar inte just nu") is absent."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
import time

import pytest
from sqlalchemy import select

from coding import codes, review_actions
from corpus import store
from corpus.errors import QdaError, swedish
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Coding
from corpus.project import init_project
from corpus.readers import ReadOptions

from .conftest import FIRST_STUDY, SMALL_BOOK, acting, pg_database

pytestmark = pytest.mark.slow

CODERS = ("anna", "bertil", "cecilia")
NOTES = 40
RESTARTS = 3


def _own(variable: str) -> str:
    """This test's own server (scripts/pg.sh starts a second one): it restarts and stops
    its server, which the tests running beside it on another worker must not feel."""
    value = os.environ.get(variable)
    if not value:
        if os.environ.get("CI"):
            pytest.fail(f"${variable} is not set: run the tests with scripts/test.sh")
        pytest.skip(f"no server of its own for the restart test (${variable}, scripts/pg.sh)")
    return value


@pytest.fixture
def own_server_project(tmp_path):
    with pg_database(_own("QDA_TEST_PG_RESTART_URL")) as url:
        project = init_project(tmp_path / "proj", url, study=FIRST_STUDY)
        yield project
        project.close()


def pg_ctl(*args: str) -> None:
    ctl = _own("QDA_TEST_PG_RESTART_CTL")
    subprocess.run([*shlex.split(ctl), "-m", "fast", "-w", *args], check=True,
                   capture_output=True, timeout=120)


def restart_server() -> None:
    pg_ctl("restart")     # with the options it was started with (postmaster.opts)


def test_actions_through_server_restarts_are_there_once_or_not_at_all(
        own_server_project, tmp_path, caplog, monkeypatch):
    project = own_server_project
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f"GR,Lapp {i} om SIP\n" for i in range(NOTES)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("lead"))
        code_ids = sorted(codes.load_codebook(s).codes)
    plan = [(seg, code) for seg in range(1, NOTES + 1) for code in code_ids]
    acknowledged: dict[str, list[tuple[int, int]]] = {c: [] for c in CODERS}
    refused: dict[str, list[tuple[int, int]]] = {c: [] for c in CODERS}
    stop = threading.Event()

    crashed: list[BaseException] = []

    def coder(name: str) -> None:
        try:
            code_all(name)
        except BaseException as exc:     # a raw driver error reached the coder
            crashed.append(exc)

    def code_all(name: str) -> None:
        for segment_id, code_id in plan:
            if stop.is_set():
                return
            try:
                project.retried(lambda s, seg=segment_id, code=code_id:
                                review_actions.accept_code(s, seg, code, name))
            except QdaError as exc:
                assert exc.code == "E074", exc.line()     # E075: the server never came back
                refused[name].append((segment_id, code_id))
                continue
            acknowledged[name].append((segment_id, code_id))

    caplog.set_level(logging.WARNING, logger="corpus.store")
    threads = [threading.Thread(target=coder, args=(c,)) for c in CODERS]
    for t in threads:
        t.start()
    try:
        for _ in range(RESTARTS):
            time.sleep(1.5)         # restarts apart, so a retry meets a server that is up
            restart_server()
        time.sleep(0.5)        # and coding goes on afterwards
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not crashed, crashed[0]
    assert all(acknowledged[c] for c in CODERS)
    lost = [r for r in caplog.records if "connection lost" in r.getMessage()
            or "answer was lost" in r.getMessage()]
    assert lost, "no action met a restart: the test proved nothing"
    # a server away for longer than the retry waits: the action is refused, not saved
    monkeypatch.setattr(store, "RETRY_WITHIN_S", 0.5)
    pg_ctl("stop")
    try:
        with pytest.raises(QdaError) as info:
            project.retried(lambda s: review_actions.accept_code(s, 1, code_ids[0], "david"))
        assert info.value.code == "E074"
        assert "Databasen svarar inte just nu" in swedish(info.value)
        refused["david"] = [(1, code_ids[0])]
        acknowledged["david"] = []
    finally:
        restart_server()
    with project.session() as s:
        for name in (*CODERS, "david"):
            rows = [(c.segment_id, c.code_id) for c in s.scalars(
                select(Coding).where(Coding.coder == name))]
            assert sorted(rows) == sorted(acknowledged[name])
            events = [(e.after["segment_id"], e.after["code_id"]) for e in s.scalars(
                select(AuditEvent).where(AuditEvent.action == "coding.accept",
                                         AuditEvent.actor == name))]
            assert sorted(events) == sorted(acknowledged[name])     # once each
            assert not set(refused[name]) & set(rows)
