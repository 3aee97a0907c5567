"""The retraining workers: one bounded pool per server process, shared by every coder's
retrainer; a job waits while the workers are busy, and an idle worker is ended."""

from __future__ import annotations

import os
import sys
import threading
import time
import types

from sqlalchemy import func, select

from coding import codes
from coding.background import Retrainer, WorkerPool, pool_size
from corpus.ingest import ingest_file
from corpus.models import Coding
from corpus.readers import ReadOptions

from .conftest import SMALL_BOOK, acting


def test_three_coders_share_one_worker_that_ends_when_idle(sqlite_project, tmp_path):
    project = sqlite_project
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f"GR,Lapp {i} om SIP och tillit\n" for i in range(30)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("lead"))
    pool = WorkerPool(size=1, idle_s=1.0)
    jobs = [Retrainer(project, coder, pool=pool) for coder in (None, "anna", "bertil")]
    seen: set[int] = set()
    most = [0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            alive = pool.processes()
            seen.update(alive)
            most[0] = max(most[0], len(alive))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert all(job.retrain_now() for job in jobs)
        assert all(job.wait(300) for job in jobs)
    finally:
        stop.set()
        watcher.join()
    assert [job.status.error for job in jobs] == [None, None, None]
    assert all(job.status.runs == 1 and job.status.rescored > 0 for job in jobs)
    assert most[0] == 1 and len(seen) == 1          # one process served all three
    with project.session() as s:
        layers = set(s.scalars(select(Coding.coder).group_by(Coding.coder)
                               .having(func.count() > 0)))
    assert {"förslag", "förslag:anna", "förslag:bertil"} <= layers
    deadline = time.monotonic() + 30
    while pool.processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.processes() == []                   # idle: ended, its memory given back
    assert jobs[1].retrain_now() and jobs[1].wait(300)   # and started again when needed
    assert jobs[1].status.runs == 2 and jobs[1].status.error is None
    pool.close()
    assert pool.processes() == []
    assert not jobs[0].retrain_now() and not jobs[0].status.running    # closed: none new
    assert pool.processes() == []


def test_the_pool_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("QDA_RETRAIN_WORKERS", "3")
    assert pool_size() == 3 and WorkerPool().size == 3
    monkeypatch.setenv("QDA_RETRAIN_WORKERS", "0")
    assert pool_size() == 1
    monkeypatch.delenv("QDA_RETRAIN_WORKERS")
    assert pool_size() == (os.cpu_count() or 1)


def test_a_worker_starts_while_a_streamlit_page_is_main(sqlite_project, tmp_path, monkeypatch):
    """Streamlit runs each page as `__main__`; a spawned child re-ran that page, failed
    in the bare child and the retrain never came (the worker ran in no test after the
    app tests had run a page)."""
    project = sqlite_project
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f"GR,Lapp {i} om SIP\n" for i in range(12)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("lead"))
    page = tmp_path / "sida.py"
    page.write_text("raise SystemExit('the page ran in the worker')\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = WorkerPool(size=1, idle_s=1.0)
    job = Retrainer(project, None, pool=pool)
    try:
        assert job.retrain_now() and job.wait(120)
        assert job.status.error is None and job.status.runs == 1
        assert sys.modules["__main__"] is main          # given back after the start
    finally:
        pool.close()
