"""Retraining while the coder works: one engine per project (and blind coder), refitted in
a worker process after every few decisions. The worker writes the new suggestions in short
transactions and never shares the app's interpreter, so no interaction waits for the
model (a thread would compete with the page for Python's global lock)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

EVERY = 10   # decisions between retrains
REBLEND = 1.5      # relearn the blend (a full fit) when the decisions grew by half …
MIN_REBLEND = 40   # … counted from at least this many


@dataclass
class RetrainStatus:
    running: bool = False
    runs: int = 0
    trained_on: int = 0
    rescored: int = 0
    finished_at: dt.datetime | None = None
    error: str | None = None


def _worker(root: str, coder: str | None, conn) -> None:
    """The worker process: waits for "run", retrains, reports; the engine stays warm."""
    import gc
    import os

    os.nice(10)   # the coder's page comes first when the machine is busy
    from corpus.project import open_project

    from .codes import codebook_version
    from .suggestions import build_engine, examples, queue, suggest

    project = open_project(Path(root))
    engine, version, blended_on = None, -1, 0
    while True:
        if conn.recv() != "run":
            return
        try:
            with project.session() as session:
                current = codebook_version(session)
                train = examples(session, coder)
            if engine is None or current != version:
                # a new or edited codebook: build the engine (vocabulary, models) afresh
                gc.unfreeze()
                engine = None
                engine, _ = build_engine(project, coder)
                version, blended_on = current, len(train)
            elif len(train) >= REBLEND * max(blended_on, MIN_REBLEND):
                engine.fit(train)          # enough new decisions to learn the blend again
                blended_on = len(train)
            else:
                engine.retrain(train)      # the fast path: the per-code models only
            # The engine's caches live as long as the worker. Frozen, the cyclic collector
            # stops rescanning them: a full collection inside a write transaction held
            # the lock for 0.4 s, and a coder's click waited that long.
            gc.collect()
            gc.freeze()
            todo = queue(project, "document", coder, blind=coder is not None)
            report = suggest(project, coder=coder, engine=engine, segment_ids=todo,
                             per_batch=True, actor="omträning")
            conn.send({"trained_on": engine.n_examples, "rescored": report.segments,
                       "error": None})
        except Exception as exc:  # shown in the app; the coder's work is unaffected
            conn.send({"error": f"{exc.__class__.__name__}: {exc}"})


class Retrainer:
    """Counts decisions; after `every` of them, asks the worker to refit and rescore the
    undecided segments. Decisions made meanwhile trigger one more run when it ends."""

    def __init__(self, project, coder: str | None = None, every: int = EVERY) -> None:
        self.root = str(project.root)
        self.coder = coder            # None: the shared layer; a name: that coder's blind layer
        self.every = every
        self._status = RetrainStatus()
        self._pending = 0
        self._lock = threading.Lock()
        self._conn = None
        self._process: mp.Process | None = None

    def _ensure_worker(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self._process = ctx.Process(target=_worker, args=(self.root, self.coder, child),
                                    name="qda-retrain", daemon=True)
        self._process.start()
        self._conn = parent

    def notify(self, decisions: int = 1) -> bool:
        """Count decisions; start a retrain when enough have come. Returns at once."""
        with self._lock:
            self._drain()
            self._pending += decisions
            if self._pending < self.every or self._status.running:
                return False
            return self._start()

    def retrain_now(self) -> bool:
        with self._lock:
            self._drain()
            return False if self._status.running else self._start()

    @property
    def status(self) -> RetrainStatus:
        with self._lock:
            self._drain()
            return replace(self._status)

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and benchmarks: block until no run is under way."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.status.running:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _start(self) -> bool:
        self._ensure_worker()
        self._pending = 0
        self._status.running = True
        self._conn.send("run")
        return True

    def _drain(self) -> None:
        """Take in what the worker reported; start the next run if decisions piled up."""
        while self._conn is not None and self._status.running and self._conn.poll():
            message = self._conn.recv()
            self._status.error = message.get("error")
            if not self._status.error:
                self._status.runs += 1
                self._status.trained_on = message["trained_on"]
                self._status.rescored = message["rescored"]
            self._status.finished_at = dt.datetime.now()
            self._status.running = False
            if self._pending >= self.every:
                self._start()
        if self._status.running and self._process is not None and \
                not self._process.is_alive():
            self._status.running = False
            self._status.error = "omträningsprocessen avslutades oväntat"
