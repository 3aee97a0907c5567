"""Helper processes that prepare a folder's files (read, pseudonymise, split) while the
main process writes the ones before: the writes and the preparing then run on two cores
instead of taking turns on one (benchmarks/ingest_cpu.py).

The helpers are forked, so they start at once with the modules already imported, but
forking is only safe from a process that runs no other thread (a lock another thread
holds would stay locked in the child forever). `preparing_helpers` therefore forks at its
start or not at all: the CLI enters it before it opens the project or draws a progress
bar; the app, a threaded server, does not use it and prepares each file in line."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from . import originals
from .errors import QdaError
from .prepare import Prepared, prepare
from .readers import ReadOptions

# files prepared ahead of the writes per helper (bounds their memory): with 2 the helper
# sat idle more often, waiting for the main process to take one (measured on the 100x
# material: BENCHMARKS.md)
AHEAD = 4
MAX_WORKERS = 4


@dataclass
class Helpers:
    pool: ProcessPoolExecutor
    workers: int
    sources_dirs: set[Path] = field(default_factory=set)

    def prepared(self, files: list[Path], options: ReadOptions,
                 sources_dir: Path | None = None) -> Iterator[Prepared | QdaError | None]:
        """Each file prepared, in the files' order; a file that cannot be read gives its
        error instead. At most AHEAD files a helper wait to be taken. Should a helper
        die (the system out of memory), the files from there on give None: the caller
        prepares them itself.

        With `sources_dir` the helpers also copy the originals there ahead
        (`originals.write_ahead`) while they keep ahead of the caller: a file's copy goes
        to whichever side has the time. When the caller has to wait for a file, the next
        files are sent without it, and the caller copies them itself (the helper spends
        more processor time than the main process when it makes every copy: BENCHMARKS.md)."""
        pending: deque[Future] = deque()
        sent = taken = 0
        ahead = sources_dir
        if sources_dir is not None:
            originals.sweep(sources_dir)         # left by an import killed outright
            self.sources_dirs.add(sources_dir)
        try:
            while taken < len(files):
                while sent < len(files) and len(pending) < AHEAD * self.workers:
                    pending.append(self.pool.submit(_prepare, files[sent], options, ahead))
                    sent += 1
                if sources_dir is not None:
                    ahead = sources_dir if pending[0].done() else None
                result = pending.popleft().result()
                taken += 1
                yield result
        except BrokenProcessPool:
            yield from [None] * (len(files) - taken)
        finally:
            for future in pending:
                future.cancel()


@contextmanager
def preparing_helpers(workers: int | None = None) -> Iterator[Helpers | None]:
    """Helper processes for `ingest_paths`, or None where they cannot help or would not be
    safe: a single processor, a system other than Linux, or other threads already
    running."""
    cores = os.cpu_count() or 1
    # one helper per core beside the main process's: on 2 cores a second helper only
    # took turns with the first and was no faster (BENCHMARKS.md)
    workers = workers if workers is not None else min(MAX_WORKERS, cores - 1)
    # fork only on Linux: macOS lists it but the system's own libraries may crash in a
    # forked child; Windows has no fork
    if workers < 1 or cores < 2 or threading.active_count() > 1 \
            or not sys.platform.startswith("linux"):
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_helper, initargs=(os.getpid(),))
    # with fork every helper starts at the first task, and the pool's own thread after
    # them: the first task forks them now, before anything else starts a thread (not
    # waited for: the helpers import spaCy while this process goes on)
    pool.submit(int)
    helpers = Helpers(pool, workers)
    try:
        yield helpers
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for sources_dir in helpers.sources_dirs:   # copies made ahead and never taken
            originals.sweep(sources_dir)


def _start_helper(parent: int) -> None:
    """Ctrl-C is the main process's to handle; a helper dies with it even when it is
    killed outright (it holds copies of the main process's connections)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):   # not Linux: the pool's own checks remain
        pass
    if os.getppid() != parent:            # the main process died before prctl took hold
        os._exit(1)
    # spaCy imported and the sentencizer built at once, while the main process imports
    # what it needs and opens the project: the main process itself never needs spaCy
    from .segment import sentence_pipeline

    sentence_pipeline()


def _prepare(path: Path, options: ReadOptions, sources_dir: Path | None
             ) -> Prepared | QdaError:
    """The file prepared, and its original copied ahead from the bytes that were hashed.
    Where the bytes cannot be read or the copy not written here, `prepare` reports the
    first and the main process makes the copy itself."""
    try:
        data = path.read_bytes() if sources_dir is not None else None
    except OSError:
        data = None
    try:
        prepared = prepare(path, options, hashlib.sha256(data).hexdigest()
                           if data is not None else None, whole=True)
    except QdaError as exc:
        return exc
    if data is not None:
        assert sources_dir is not None      # the bytes were read for it
        with suppress(OSError):
            prepared.ahead = originals.write_ahead(data, sources_dir)
    return prepared
