"""A folder's files prepared in helper processes (`corpus.helpers`) are stored exactly as
when prepared in line, on both stores; the helpers are only forked when that is safe,
die with the main process, and a folder's commits reach the disk before it returns."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import aliased

from corpus.errors import DuplicateSourceError, InputError
from corpus.helpers import _prepare, preparing_helpers
from corpus.ingest import StoreOptions, ingest_file, ingest_paths
from corpus.models import PseudonymKey, Segment, Source
from corpus.originals import INCOMING, sweep, write_ahead
from corpus.project import init_project, open_project
from corpus.readers import ReadOptions
from tests.conftest import pg_database

ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh interpreter: pytest's own process may have threads, and then the
# helpers are (rightly) not forked.
INGEST = r"""
import json, sys
from pathlib import Path
from corpus.helpers import preparing_helpers
from corpus.ingest import ingest_paths
from corpus.project import init_project

root, url, folder, workers = Path(sys.argv[1]), sys.argv[2] or None, sys.argv[3], int(sys.argv[4])
with preparing_helpers(workers) as helpers:
    if (helpers is None) != (workers == 0):
        sys.exit(f"helpers: {helpers!r} for {workers} workers")
    project = init_project(root, url)
    reports = ingest_paths(project, [Path(folder)], helpers=helpers)
    project.close()
print(json.dumps([{k: getattr(r, k) for k in ("status", "error", "kind", "area", "segments",
                                              "pseudonymised", "suspects", "warnings")}
                  | {"file": Path(r.path).name} for r in reports], ensure_ascii=False))
print(json.dumps(sorted(m for m in ("spacy", "openpyxl") if m in sys.modules)))
"""


def _transcript(turns: int, seed: int) -> str:
    lines = []
    for i in range(turns):
        who = ["Anna Lindqvist", "Moderator", "Per Holm"][i % 3]
        lines.append(f"{who}   {i // 60}:{i % 60:02d}")
        lines.append(f"Vi pratar om SIP nummer {seed}-{i}. Ring Karin Ek på 070-123 45 67 "
                     f"eller skriv till karin.ek@exempel.se! Jag heter Sofia, och "
                     f"personnumret 19800101-1234 ska bort. Är det klart? Ja.")
    return "\n".join(lines) + "\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "material"
    (folder / "senare").mkdir(parents=True)
    (folder / "a_gr.txt").write_text(_transcript(700, 1), encoding="utf-8")  # many batches
    (folder / "b_gr_kopia.txt").write_bytes((folder / "a_gr.txt").read_bytes())  # refused
    (folder / "c_tom.txt").write_bytes(b"")                                     # failed
    (folder / "d_boras.txt").write_text(_transcript(12, 2), encoding="utf-8")
    (folder / "e_lappar_fraga_2.csv").write_text(
        "Fråga 2\nGR,VGR\nLisa Berg saknar uppföljning av SIP,Ring 031-12 34 56\n",
        encoding="utf-8")
    (folder / "senare" / "a_gr.txt").write_text("Anna Lindqvist   0:00\nEn annan fil.\n",
                                                encoding="utf-8")
    return folder


def _ingest(root: Path, url: str | None, folder: Path, workers: int) -> list[dict]:
    run = subprocess.run([sys.executable, "-c", INGEST, str(root), url or "", str(folder),
                          str(workers)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    reports, imported = map(json.loads, run.stdout.splitlines())
    # with helpers the main process never imports spaCy (half a second of a folder
    # import's start, which the helpers spend meanwhile) nor openpyxl (a sheet's cell
    # names come from it)
    assert ("spacy" in imported) == (workers == 0) and (workers == 0 or not imported), imported
    return reports


def _stored(root: Path, url: str | None) -> dict[str, list]:
    """Every file's units (with their turn's position for a parent) and pseudonym key, by
    file name and text: on PostgreSQL two files are written at once, so which of them
    gets the lower source id varies from run to run (the test failed on that under load)."""
    project = open_project(root) if url is None else init_project(root, url)
    turn = aliased(Segment)
    try:
        with project.session() as s:
            out: dict[str, list] = {}
            for source in s.scalars(select(Source).order_by(Source.id)):
                units = s.execute(
                    select(Segment.kind, Segment.position, turn.position, Segment.text,
                           Segment.start_char, Segment.end_char, Segment.speaker,
                           Segment.area, Segment.question, Segment.location)
                    .outerjoin(turn, turn.id == Segment.parent_id)
                    .where(Segment.source_id == source.id).order_by(Segment.position)).all()
                key = s.execute(select(PseudonymKey.real_name, PseudonymKey.pseudonym)
                                .where(PseudonymKey.source_id == source.id)
                                .order_by(PseudonymKey.pseudonym)).all()
                out[f"{source.original_name}:{source.sha256[:8]}"] = [
                    source.text, source.area, [tuple(u) for u in units], [tuple(k) for k in key]]
            return out
    finally:
        project.close()


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_helpers_store_a_folder_exactly_as_in_line(store, folder, tmp_path, request):
    with ExitStack() as stack:
        urls = [None, None] if store == "sqlite" else [
            stack.enter_context(pg_database(request.getfixturevalue("pg_server")))
            for _ in range(2)]
        runs = [(_ingest(tmp_path / f"p{w}", url, folder, w), _stored(tmp_path / f"p{w}", url))
                for w, url in zip((0, 2), urls, strict=True)]
    (in_line, stored_in_line), (helped, stored_helped) = runs
    assert helped == in_line
    assert [(r["file"], r["status"]) for r in helped] == [
        ("a_gr.txt", "imported"), ("b_gr_kopia.txt", "refused"), ("c_tom.txt", "failed"),
        ("d_boras.txt", "imported"), ("e_lappar_fraga_2.csv", "imported"),
        ("a_gr.txt", "imported")]
    assert "the file is empty" in helped[2]["error"]
    assert helped[0]["segments"]["turn"] == 700 and helped[0]["segments"]["sentence"] > 2800
    assert helped[0]["pseudonymised"]["emails"] == 700
    assert stored_helped == stored_in_line
    assert len(stored_helped) == 4
    text, _, units, key = next(v for k, v in stored_helped.items()
                               if k.startswith("d_boras.txt:"))
    assert "Karin" not in text and "070-123" not in text and "19800101" not in text
    assert {unit[6] for unit in units} == {"Deltagare 1", "Deltagare 2", "Moderator"}
    assert ("Anna Lindqvist", "Deltagare 1") in key
    # the originals kept, read-only, the same either way; every copy the helpers made
    # ahead was taken or removed (the refused copy's too)
    originals = {path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    for w in (0, 2):
        sources = tmp_path / f"p{w}" / "sources"
        kept = [p for p in sources.iterdir() if p.is_file()]
        assert len(kept) == 4 and {p.read_bytes() for p in kept} <= originals
        assert all(not p.stat().st_mode & 0o222 for p in kept)
        assert not (sources / INCOMING).exists()


def test_no_helpers_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with preparing_helpers(1) as helpers:
            assert helpers is None          # forking now could copy a lock held forever
    finally:
        stop.set()
        thread.join()


def test_errors_come_back_from_a_helper_as_they_were_raised(tmp_path):
    for error in (InputError("the file is empty", tmp_path / "x.txt", "E101"),
                  DuplicateSourceError("already imported", "y.csv", "E130")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert (back.reason, back.path, back.code, back.line()) == (
            error.reason, error.path, error.code, error.line())


HELPERS_THEN_WAIT = r"""
import sys, time
from corpus.helpers import _prepare, preparing_helpers
with preparing_helpers(2) as helpers:
    print(" ".join(str(pid) for pid in helpers.pool._processes), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_helpers_die_with_a_killed_main_process():
    """A helper holds copies of the main process's connections: left running, it would
    keep a PostgreSQL transaction of the killed import open."""
    main = subprocess.Popen([sys.executable, "-c", HELPERS_THEN_WAIT], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    pids = [int(pid) for pid in main.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    os.kill(main.pid, signal.SIGKILL)
    main.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def test_a_folder_is_flushed_to_disk_once_and_its_connections_put_back(sqlite_project,
                                                                       tmp_path, monkeypatch):
    """SQLite: the files' commits skip the flush (synchronous=NORMAL) and the log is
    flushed once at the end; every connection is back at synchronous=FULL afterwards."""
    for n in (1, 2, 3):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"lappar{n}.csv").write_text(
            f"Område,Inlägg\nGR,Lapp {n}\n", encoding="utf-8")
    flushed = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(
        os.readlink(f"/proc/self/fd/{fd}")) or real(fd))
    modes = []

    def spy(dbapi_connection, *_):
        modes.append(dbapi_connection.execute("PRAGMA synchronous").fetchone()[0])

    event.listen(sqlite_project.engine, "commit", lambda conn: spy(
        conn.connection.dbapi_connection))
    reports = ingest_paths(sqlite_project, [tmp_path / "in"], ReadOptions(question=1))
    assert [r.status for r in reports] == ["imported"] * 3
    assert modes == [1, 1, 1]                                   # NORMAL: no flush each
    assert flushed == [f"{sqlite_project.engine.url.database}-wal"]
    with sqlite_project.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2   # FULL
    flushed.clear()
    modes.clear()
    ingest_paths(sqlite_project, [tmp_path / "in" / "lappar1.csv"], ReadOptions(question=1),
                 store=StoreOptions(replace=True))
    assert modes == [2] and flushed == []                       # one file: flushed as usual


def test_postgresql_commits_a_folder_without_waiting_then_flushes(pg_project):
    with pg_project.transaction(synced=False) as s:
        assert s.connection().exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    with pg_project.transaction() as s:
        assert s.connection().exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    from corpus.store import sync

    sync(pg_project.engine)    # a commit that waits for the log: no error, nothing left open
    with pg_project.engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
            "AND datname = current_database()").scalar() == 0


KILLED_HELPER = r"""
import os, signal, sys, time
from pathlib import Path
from corpus.helpers import preparing_helpers
from corpus.ingest import ingest_paths
from corpus.project import init_project

with preparing_helpers(1) as helpers:
    project = init_project(Path(sys.argv[1]))
    for pid in list(helpers.pool._processes):
        os.kill(pid, signal.SIGKILL)      # as the kernel's out-of-memory killer would
    time.sleep(0.5)
    reports = ingest_paths(project, [Path(sys.argv[2])], helpers=helpers)
    project.close()
print(" ".join(r.status for r in reports))
"""


def test_a_folder_is_imported_whole_when_its_helper_dies(folder, tmp_path):
    run = subprocess.run([sys.executable, "-c", KILLED_HELPER, str(tmp_path / "p"),
                          str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["imported", "refused", "failed", "imported", "imported",
                                  "imported"]


def test_a_copy_made_ahead_is_moved_into_place_not_written_again(sqlite_project, folder):
    """The helper's copy of the original (`originals.write_ahead`) becomes the kept file by
    a rename; a refused file's copy is removed."""
    path = folder / "d_boras.txt"
    prepared = _prepare(path, ReadOptions(), sqlite_project.sources_dir)
    ahead = prepared.ahead
    assert ahead.parent == sqlite_project.sources_dir / INCOMING and ahead.exists()
    inode = ahead.stat().st_ino
    report = ingest_file(sqlite_project, path, store=StoreOptions(prepared=prepared))
    assert report.status == "imported"
    with sqlite_project.session() as s:
        stored = sqlite_project.sources_dir / s.scalar(select(Source.stored_name))
    assert stored.stat().st_ino == inode and stored.read_bytes() == path.read_bytes()
    assert not stored.stat().st_mode & 0o222
    again = _prepare(path, ReadOptions(), sqlite_project.sources_dir)
    assert again.ahead.exists()
    with pytest.raises(DuplicateSourceError):
        ingest_file(sqlite_project, path, store=StoreOptions(prepared=again))
    assert not list((sqlite_project.sources_dir / INCOMING).iterdir())
    sweep(sqlite_project.sources_dir)
    assert not (sqlite_project.sources_dir / INCOMING).exists()
    assert stored.read_bytes() == path.read_bytes()


def test_copies_left_by_a_killed_import_are_swept_and_never_backed_up(sqlite_project,
                                                                      tmp_path):
    """A copy made ahead by a process that is gone (an import killed outright) is removed
    by the next folder's import; one of a running process is left alone; a backup made
    meanwhile takes neither."""
    from corpus.backup import backup

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    gone = int(dead.stdout)
    orphan = write_ahead(b"Anna   0:00\nHej.\n", sqlite_project.sources_dir)
    orphan = orphan.rename(orphan.with_name(f"{gone}-{orphan.name.split('-', 1)[1]}"))
    live = write_ahead(b"Per   0:00\nHej.\n", sqlite_project.sources_dir)
    backup(sqlite_project, tmp_path / "kopia")
    assert not (tmp_path / "kopia" / "sources" / INCOMING).exists()
    assert sweep(sqlite_project.sources_dir) == 1
    assert not orphan.exists() and live.exists()
    assert sweep(sqlite_project.sources_dir, {os.getpid()}) == 1
    assert not live.exists()
