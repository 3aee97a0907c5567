"""Retraining while the coder works: an engine per project (and blind coder), refitted in
a worker process after every few decisions. The worker writes the new suggestions in short
transactions and never shares the app's interpreter, so no interaction waits for the
model (a thread would compete with the page for Python's global lock).

The workers are one bounded pool per server process (`QDA_RETRAIN_WORKERS`, default the
number of cores): ten blind coders do not mean ten processes of half a gigabyte each.
A job waits while every worker is busy; a worker idle for five minutes is ended."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing as mp
import os
import sys
import threading
import time
import types
from collections import deque
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

EVERY = 10   # decisions between retrains
WORKERS_ENV = "QDA_RETRAIN_WORKERS"   # worker processes per server (default: the cores)
IDLE_S = 300.0     # a worker with nothing to do this long is ended (memory back)
POLL_S = 0.1       # how often the pool looks at its workers
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


def _worker(conn) -> None:
    """A pool's worker process: runs retrain jobs for any project and coder it is given,
    keeping the last one's engine warm (a job for another coder builds that one's)."""
    import gc
    import os

    os.nice(10)   # the coder's page comes first when the machine is busy
    from corpus.actors import system_actor
    from corpus.project import open_project

    from .codes import codebook_version
    from .suggestions import build_engine, examples, queue, suggest

    key, project, engine, version, blended_on = None, None, None, -1, 0
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):   # the server process is gone
            return
        if message is None:       # ended by the pool: idle too long, or the server stops
            return
        root, coder = message
        try:
            if (root, coder) != key:
                gc.unfreeze()
                engine = None        # one engine at a time: memory stays one engine's
                if project is not None and project.root != Path(root).resolve():
                    project.close()
                    project = None
                project = project or open_project(Path(root))
                key, version = (root, coder), -1
            assert project is not None          # opened for this key
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
            # the lock, and a coder's click waited that long (BENCHMARKS.md).
            gc.collect()
            gc.freeze()
            todo = queue(project, "document", coder, blind=coder is not None)
            report = suggest(project, coder=coder, engine=engine, segment_ids=todo,
                             per_batch=True, actor=system_actor("omträning"))
            conn.send({"trained_on": engine.n_examples, "rescored": report.segments,
                       "error": None})
        except Exception as exc:  # shown in the app; the coder's work is unaffected
            engine, key = None, None
            conn.send({"error": f"{exc.__class__.__name__}: {exc}"})


def pool_size() -> int:
    """$QDA_RETRAIN_WORKERS, else the number of cores (a worker uses one core while it
    trains, and about half a gigabyte while it lives)."""
    cores = os.cpu_count() or 1
    try:
        wanted = int(os.environ.get(WORKERS_ENV, "") or cores)
    except ValueError:
        wanted = cores
    return max(1, wanted)


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    key: tuple[str, str | None] | None = None
    job: Retrainer | None = None
    idle_since: float = field(default_factory=time.monotonic)


class WorkerPool:
    """At most `size` worker processes for every retrainer of this server process (all
    projects, all coders). A job waits when all are busy; a worker idle for `idle_s`
    seconds is ended, and started again when a job comes."""

    def __init__(self, size: int | None = None, idle_s: float = IDLE_S) -> None:
        self.size = size or pool_size()
        self.idle_s = idle_s
        self._lock = threading.Lock()
        self._slots: list[_Slot] = []
        self._waiting: deque[Retrainer] = deque()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._closed = False

    def submit(self, job: Retrainer) -> None:
        with self._lock:
            if job not in self._waiting and not any(s.job is job for s in self._slots):
                self._waiting.append(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="qda-retrain-pool",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    @property
    def closed(self) -> bool:
        return self._closed

    def processes(self) -> list[int]:
        """The pids of the workers alive now (for tests and the benchmark)."""
        with self._lock:
            return [pid for s in self._slots
                    if s.process.is_alive() and (pid := s.process.pid) is not None]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            slots, self._slots = self._slots, []
        for slot in slots:
            self._end(slot)

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(POLL_S)
            self._wake.clear()
            finished, ended = self._step()
            for slot in ended:                # outside the pool's lock
                self._end(slot)
            for job, message in finished:
                job._finished(message)

    def _step(self) -> tuple[list[tuple[Retrainer, dict]], list[_Slot]]:
        finished, ended = [], []
        now = time.monotonic()
        with self._lock:
            for slot in list(self._slots):
                if slot.job is not None and slot.conn.poll():
                    finished.append((slot.job, slot.conn.recv()))
                    slot.job, slot.idle_since = None, now
                elif not slot.process.is_alive():
                    if slot.job is not None:
                        finished.append((slot.job, {"error": "omträningsprocessen "
                                                    "avslutades oväntat"}))
                    self._slots.remove(slot)
                elif slot.job is None and now - slot.idle_since > self.idle_s:
                    self._slots.remove(slot)
                    ended.append(slot)
            while self._waiting:
                free = self._slot_for(self._waiting[0].key)
                if free is None:
                    break
                job = self._waiting.popleft()
                free.job, free.key = job, job.key
                free.conn.send(job.key)
        return finished, ended

    def _slot_for(self, key: tuple[str, str | None]) -> _Slot | None:
        """An idle worker: the one whose engine is this job's, else any, else a new one
        while there are fewer than `size`."""
        idle = [s for s in self._slots if s.job is None]
        for slot in idle:
            if slot.key == key:
                return slot
        if len(self._slots) < self.size:
            ctx = mp.get_context("spawn")
            parent, child = ctx.Pipe()
            process = ctx.Process(target=_worker, args=(child,), name="qda-retrain",
                                  daemon=True)
            with _plain_main():
                process.start()
            slot = _Slot(process, parent)
            self._slots.append(slot)
            return slot
        return min(idle, key=lambda s: s.idle_since) if idle else None

    @staticmethod
    def _end(slot: _Slot) -> None:
        with contextlib.suppress(OSError):
            slot.conn.send(None)
        slot.process.join(5)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join(5)


@contextlib.contextmanager
def _plain_main():
    """A spawned child first re-runs the parent's `__main__` file. Under Streamlit that is
    the page being run (its runner puts the page in `sys.modules["__main__"]`), which in a
    bare child fails before the worker starts, so the retrain never comes. The child
    needs nothing from `__main__`: while it is started, `__main__` is an empty module."""
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def shared_pool() -> WorkerPool:
    """The one pool of this server process."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = WorkerPool()
        return _POOL


class Retrainer:
    """Counts decisions; after `every` of them, asks a worker of the pool to refit and
    rescore the undecided segments. Decisions made meanwhile trigger one more run when it
    ends."""

    def __init__(self, project, coder: str | None = None, every: int = EVERY,
                 pool: WorkerPool | None = None) -> None:
        self.root = str(project.root)
        self.coder = coder            # None: the shared layer; a name: that coder's blind layer
        self.every = every
        self.pool = pool
        self._status = RetrainStatus()
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.root, self.coder)

    def notify(self, decisions: int = 1) -> bool:
        """Count decisions; start a retrain when enough have come. Returns at once."""
        with self._lock:
            self._pending += decisions
            if self._pending < self.every or self._status.running:
                return False
            return self._start()

    def retrain_now(self) -> bool:
        with self._lock:
            return False if self._status.running else self._start()

    @property
    def status(self) -> RetrainStatus:
        with self._lock:
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
        pool = self.pool or shared_pool()
        if pool.closed:           # the server is stopping: no new worker for this
            return False
        self._pending = 0
        self._status.running = True
        pool.submit(self)
        return True

    def _finished(self, message: dict) -> None:
        """What the worker reported; the next run starts if decisions piled up."""
        with self._lock:
            self._status.error = message.get("error")
            if not self._status.error:
                self._status.runs += 1
                self._status.trained_on = message["trained_on"]
                self._status.rescored = message["rescored"]
            self._status.finished_at = dt.datetime.now()
            self._status.running = False
            if self._pending >= self.every:
                self._start()
