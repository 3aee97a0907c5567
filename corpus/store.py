"""Database engines and schema migrations, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text

if TYPE_CHECKING:   # the ORM is imported by whoever opens a session (`qda status` needs none)
    from sqlalchemy.orm import Session

from .errors import QdaError

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
LOCK_POLL_S = 0.001     # how often a writer retries for the lock in its first seconds
LOCK_POLL_FOR_S = 2.0
WRITE_OPTION = "qda_write"
DEFER_SYNC_OPTION = "qda_defer_sync"
PG_POOL_SIZE = 10          # connections kept open by one process
PG_POOL_OVERFLOW = 50      # opened beyond those under load, closed again after


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout, foreign keys and real transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
            # so that an import (DDL and DML alike) is one transaction.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - trivial
            # A unit of work that will write takes the write lock at once: a deferred
            # transaction that reads first cannot wait for the lock later (SQLite fails it
            # with "database is locked" if another writer committed since its read).
            options = conn.get_execution_options()
            if options.get(DEFER_SYNC_OPTION):
                # only outside a transaction; put back when the connection is returned
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                conn.connection.info[DEFER_SYNC_OPTION] = True
            if not options.get(WRITE_OPTION):
                conn.exec_driver_sql("BEGIN")
            elif not _poll_write_lock(conn.connection.dbapi_connection):
                conn.exec_driver_sql("BEGIN IMMEDIATE")   # a long wait: SQLite's handler

        @event.listens_for(engine, "checkin")
        def _on_checkin(dbapi_connection, record):  # pragma: no cover - trivial
            if record.info.pop(DEFER_SYNC_OPTION, False) and dbapi_connection is not None:
                dbapi_connection.execute("PRAGMA synchronous=FULL")

        return engine
    # the app's server runs every browser session in a thread of one process: forty
    # panelists answering at once need forty connections, not SQLAlchemy's default 15
    # (the rest waited, unfairly, past the pool's timeout). Connections open only as
    # needed; PostgreSQL's default max_connections is 100.
    return create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE,
                         max_overflow=PG_POOL_OVERFLOW)


def _poll_write_lock(dbapi_connection) -> bool:
    """BEGIN IMMEDIATE, retried every millisecond for a while. SQLite's own busy handler
    backs off to 100 ms sleeps and so keeps missing the short gaps a background writer
    (the retrain worker) leaves between its transactions: a coder's click then waited up
    to a second. Returns False when the lock stayed taken; the caller then waits the
    usual way, with SQLite's busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + LOCK_POLL_FOR_S
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    return False
            time.sleep(LOCK_POLL_S)
    finally:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


def alembic_config(connection=None):
    from alembic.config import Config  # Alembic only to migrate: opening stays quick

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*[\"']?(\w+|None)", re.M)


def head_revision() -> str:
    """The newest migration, read from the version files' `revision`/`down_revision`
    lines (what Alembic reads, without loading Alembic; tests compare the two)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {m.group(1): m.group(2)
                 for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        revisions.add(found["revision"])
        parents.add(found.get("down_revision"))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def ensure_schema(engine: Engine, sqlite_file: Path | None, allow_upgrade: bool) -> None:
    """Migrate an older project: SQLite after a backup copy, a server only when asked."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is not None and sqlite_file is not None and sqlite_file.exists():
        backup = sqlite_file.with_name(f"{sqlite_file.name}.before-{head}.bak")
        if not backup.exists():
            shutil.copy2(sqlite_file, backup)
    elif current is not None and not allow_upgrade:
        raise QdaError(
            f"the database schema is at revision {current}, this version needs {head}; "
            "back up the database and run `qda migrate`",
            code="E010",
        )
    upgrade(engine)


@contextmanager
def transaction(factory: Callable[[], Session], synced: bool = True) -> Iterator[Session]:
    """One unit of work: committed whole on success, rolled back whole on any error.

    `synced=False` commits without waiting for the disk (see `deferred_sync`): the work is
    still all or nothing, and safe from a crash of the process, but not yet from a power
    cut until `sync(engine)` has run."""
    session = factory()
    try:
        connection = session.connection(execution_options={WRITE_OPTION: True,
                                                           DEFER_SYNC_OPTION: not synced})
        if not synced and connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


RETRY_AFTER_S = 0.2        # between looks whether a restarting server is back
RETRY_WITHIN_S = 4.0       # pg_ctl restart -m fast: 0.3 s idle, 1-2 s under writes
OUTCOME_WAIT_S = 15.0      # how long to ask a restarted server how a lost commit ended
log = logging.getLogger(__name__)
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """A lost or refused connection (a server restarting, a dropped network), a
    serialization failure: the same work may well succeed a moment later."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def unavailable() -> QdaError:
    return QdaError("the database does not answer just now; try again", None, "E074")


def retried(factory: Callable[[], Session], work: Callable[[Session], T],
            synced: bool = True, write: bool = True) -> T:
    """`work(session)` as one transaction, run again once if the connection is lost on
    the way (once the server answers again, within a few seconds). A commit whose answer
    was lost is not run twice: PostgreSQL is asked how that transaction ended
    (pg_xact_status), and a committed one counts as done. Raises
    E074 when the second try fails too (nothing of the work is then in the database),
    E075 when the server cannot say whether the lost commit happened. `write=False`:
    a read, in a session of its own."""
    for attempt in (1, 2):
        txid = None
        finished = False
        try:
            if not write:                       # a read: nothing to commit
                with factory() as session:
                    return work(session)
            with transaction(factory, synced) as session:
                if session.get_bind().dialect.name == "postgresql":
                    txid = session.execute(text("SELECT pg_current_xact_id()::text")).scalar()
                result = work(session)
                finished = True
            return result
        except Exception as exc:
            if not is_transient(exc):
                raise
            if finished and txid is not None:      # lost while committing
                outcome = _outcome(factory, txid)
                if outcome == "committed":
                    log.warning("the commit's answer was lost, but it committed: %s", exc)
                    return result
                if outcome is None:
                    raise QdaError("the database did not say whether the change was saved; "
                                   "reload and look", None, "E075") from exc
            log.warning("database connection lost (try %d of 2): %s", attempt,
                        str(exc).splitlines()[0])
            if attempt == 2 or not _back(factory):
                raise unavailable() from exc
    raise AssertionError("unreachable")


def _back(factory: Callable[[], Session]) -> bool:
    """Wait (a few seconds at most) for the server to answer again."""
    deadline = time.monotonic() + RETRY_WITHIN_S
    while True:
        time.sleep(RETRY_AFTER_S)
        try:
            with factory() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() > deadline:
                return False


def _outcome(factory: Callable[[], Session], txid: str) -> str | None:
    """'committed' or 'aborted' for a transaction whose commit got no answer (None: the
    server did not come back in time)."""
    deadline = time.monotonic() + OUTCOME_WAIT_S
    while True:
        try:
            with factory() as session:
                return session.execute(text("SELECT pg_xact_status(CAST(:t AS xid8))"),
                                       {"t": txid}).scalar()
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() > deadline:
                return None
            time.sleep(RETRY_AFTER_S)


def sync(engine: Engine) -> None:
    """Make every transaction committed so far with `synced=False` as durable as one
    committed normally. SQLite: its write-ahead log flushed to disk (what a commit with
    synchronous=FULL does, and the log holds every commit since the last checkpoint,
    which synchronous=NORMAL itself syncs). PostgreSQL: a commit that waits for the log
    to be flushed up to it, and so past every commit before it."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("SELECT pg_current_xact_id()")   # a commit record
        return
    database = engine.url.database
    if not database or database == ":memory:":
        return
    try:
        with open(f"{database}-wal", "rb") as wal:
            os.fsync(wal.fileno())
    except FileNotFoundError:   # checkpointed and removed: the database file is synced
        pass


def reserve_ids(session: Session, table, n: int) -> list[int]:
    """Ids for `n` new rows, taken before they are written, so that rows referring to them
    go in the same bulk load. Never reused: PostgreSQL's sequence; on SQLite the
    AUTOINCREMENT counter, read and moved on under the write lock the transaction holds."""
    if n <= 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # one array, not a row per id: fetching them one by one cost a round trip each
        return connection.execute(text(
            "SELECT array(SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
            "FROM generate_series(1, :n))"), {"table": table.name, "n": n}).scalar_one()
    # through the driver: three statements a file through SQLAlchemy cost more (BENCHMARKS.md)
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None            # the connection is open
    cursor = dbapi.cursor()
    try:
        counter = cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                 (table.name,)).fetchone()
        top = cursor.execute(f'SELECT max(id) FROM "{table.name}"').fetchone()[0] or 0
        first = max(counter[0] if counter else 0, top) + 1
        # move the counter past them, so rows written without an id before these are (a
        # batch's sentences ahead of the next batch's turns) cannot take one
        if counter is None:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                           (table.name, first + n - 1))
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                           (first + n - 1, table.name))
    finally:
        cursor.close()
    return list(range(first, first + n))


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """Many rows of plain values (str, int, float, None) into one table inside the
    session's transaction, ids from the sequence. PostgreSQL takes them by COPY (one round
    trip instead of a statement per page of rows); SQLite by the driver's executemany
    (SQLAlchemy's per-row parameter processing cost as much as SQLite's insert). Every
    row must have the same keys."""
    if rows:
        _insert(session.connection(), table, rows)


def bulk_insert_batches(session: Session, batches: Iterable[list[tuple]]) -> None:
    """Batches of (table, rows), each written in order as by `bulk_insert`; rows may also
    be tuples, given as (table, rows, columns). On PostgreSQL a
    batch is written from a second thread while the caller makes the next one: the server
    checks a COPY's foreign keys only when the statement ends, one query per row, so
    written in line that check would wait for the caller and the caller for it. One batch
    at most is in flight; an error on either side stops both, and the transaction then
    rolls back whole."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for batch in batches:
            for table, rows, *columns in batch:
                if rows:
                    _insert(connection, table, rows, *columns)
        return
    raw = connection.connection.dbapi_connection

    def write(copies: list[tuple[str, bytes]]) -> None:
        for statement, data in copies:
            _copy(raw, statement, data)

    with quick_handoffs(), ThreadPoolExecutor(max_workers=1,
                                                thread_name_prefix="qda-copy") as writer:
        pending = None
        try:
            for batch in batches:
                # encoded here: the writer thread then needs Python's lock only to hand
                # bytes to libpq
                copies = [_copy_data(raw, table, rows, *columns)
                          for table, rows, *columns in batch if rows]
                if pending is not None:
                    pending.result()
                pending = writer.submit(write, copies)
        except BaseException:
            if pending is not None:
                wait([pending])   # the connection is free again; the first error is raised
            raise
        if pending is not None:
            pending.result()


_handoffs = {"users": 0, "interval": 0.0}
_handoffs_lock = threading.Lock()


@contextmanager
def quick_handoffs(seconds: float = 0.001) -> Iterator[None]:
    """Python's lock passed between threads every `seconds` instead of 5 ms while a writer
    thread works: it needs the lock back after every wait on the server, and waiting 5 ms
    each time left it behind the thread making rows (benchmarks/ingest_throughput.py;
    BENCHMARKS.md). Process-wide, so restored when the last user ends."""
    with _handoffs_lock:
        if _handoffs["users"] == 0:
            _handoffs["interval"] = sys.getswitchinterval()
            sys.setswitchinterval(min(seconds, _handoffs["interval"]))
        _handoffs["users"] += 1
    try:
        yield
    finally:
        with _handoffs_lock:
            _handoffs["users"] -= 1
            if _handoffs["users"] == 0:
                sys.setswitchinterval(_handoffs["interval"])


def _insert(connection, table, rows: list, columns: tuple[str, ...] | None = None) -> None:
    """Rows as dicts, or as tuples of `columns`."""
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        _copy(raw, *_copy_data(raw, table, rows, columns))
        return
    values, columns = _as_tuples(rows, columns)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)


def _as_tuples(rows: list, columns: tuple[str, ...] | None
               ) -> tuple[Iterable[tuple], tuple[str, ...]]:
    """Rows given as tuples of `columns` as they are; dicts as their values, in their keys'
    order (every row must have the same keys)."""
    if columns:
        return rows, columns
    keys = tuple(rows[0])
    return map(_values(list(keys)), rows), keys


def _values(columns: list[str]) -> Callable[[dict], tuple]:
    """A row's values in `columns` order, picked in C: a generator per row made a folder
    ingest on SQLite slower (BENCHMARKS.md)."""
    pick = itemgetter(*columns)
    return pick if len(columns) > 1 else lambda row: (pick(row),)


def _copy_data(raw, table, rows: list, columns: tuple[str, ...] | None = None
               ) -> tuple[str, bytes]:
    """A COPY statement and its data in COPY's text format, encoded by psycopg without
    touching the connection. Rows as dicts, or as tuples of `columns`."""
    from psycopg.copy import Copy, FileWriter

    values, columns = _as_tuples(rows, columns)
    data = io.BytesIO()
    with raw.cursor() as cursor, Copy(cursor, writer=FileWriter(data)) as copy:
        for row in values:
            copy.write_row(row)
    names = ", ".join(f'"{c}"' for c in columns)
    return f'COPY "{table.name}" ({names}) FROM STDIN', data.getvalue()


def _copy(raw, statement: str, data: bytes) -> None:
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(data)


def refresh_statistics(engine: Engine, tables: tuple[str, ...]) -> None:
    """After a bulk load on PostgreSQL, VACUUM (ANALYZE) the tables it grew; autovacuum
    may come much later. ANALYZE alone gave the planner statistics (without them the
    segment view on fresh segments was many times slower); the vacuum also marks the new
    pages all-visible, so that counting the queue reads the kind index alone instead of
    every row (benchmarks/scale.py; BENCHMARKS.md). Neither blocks readers or writers.
    SQLite plans well without."""
    if engine.dialect.name != "postgresql":
        return
    # VACUUM cannot run inside a transaction
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')


# ---- what only one store has: the callers ask for the effect, not the dialect ---------

def is_postgresql(bind) -> bool:
    """True on the team server (an Engine, Connection or Session may be passed)."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return bind.dialect.name == "postgresql"


def lock_for_transaction(session: Session, name: str) -> None:
    """Serialise the holders of `name` until the transaction ends: a PostgreSQL advisory
    transaction lock; SQLite needs nothing (a write transaction holds the database's
    write lock)."""
    if not is_postgresql(session):
        return
    digest = hashlib.blake2b(name.encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def serial_plans(session: Session, when: bool = True) -> Iterator[None]:
    """The statements inside planned without parallel workers on PostgreSQL (nothing on
    SQLite, or when `when` is false)."""
    if not when or not is_postgresql(session):
        yield
        return
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    yield       # a failed statement aborts the transaction, and its rollback undoes this
    session.execute(text("SET LOCAL max_parallel_workers_per_gather TO DEFAULT"))


def insert_new(session: Session, table, rows: list[dict], chunk: int) -> None:
    """Insert `rows`, `chunk` at a time, skipping those whose key is already stored."""
    if is_postgresql(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # both have on_conflict_do_nothing
    for start in range(0, len(rows), chunk):
        session.execute(insert(table).on_conflict_do_nothing(), rows[start:start + chunk])


def checkpoint(engine: Engine) -> None:
    """Fold SQLite's write-ahead log into the database file now (PostgreSQL: nothing)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
