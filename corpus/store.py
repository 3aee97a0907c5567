"""Database engines and schema migrations, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .errors import QdaError

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "qda_write"


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
            immediate = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction."""
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
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed whole on success, rolled back whole on any error."""
    session = factory()
    try:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
