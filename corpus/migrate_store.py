"""Moving a project between stores: SQLite on a laptop to a PostgreSQL server, and back.

Every table is copied row by row with its ids (the audit log names rows by id), the id
counters are carried over (an id once used is never handed out again, on either store),
and the original files go along. The copy is then read back: the row count and a checksum
of every table must equal the source's, else the new project is removed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, Connection, MetaData, Table, inspect, select, text

from .errors import QdaError
from .locations import CONFIG_NAME
from .models import Base
from .originals import INCOMING, PART
from .project import Project, init_project, record_url, without_password
from .store import refresh_statistics

CHUNK = 2000      # rows per INSERT batch


@dataclass(frozen=True)
class TableCheck:
    """One table, as found in the source and read back from the copy."""

    table: str
    rows: int
    checksum: str
    copied_rows: int
    copied_checksum: str
    next_id: int | None          # the id counter carried over (None: no counter)

    @property
    def ok(self) -> bool:
        return self.rows == self.copied_rows and self.checksum == self.copied_checksum


def _ordered(table: Table) -> list:
    return [table.c[c.name] for c in table.primary_key.columns]


def _normal(value: object) -> object:
    """One spelling for a value on both stores (the checksum's input)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _rows(conn: Connection, table: Table) -> Iterator[dict]:
    for row in conn.execute(select(table).order_by(*_ordered(table))).mappings():
        yield dict(row)


def checksum(conn: Connection, table: Table) -> tuple[int, str]:
    """(rows, sha256 of the rows in id order, each as sorted JSON of normal values)."""
    digest = hashlib.sha256()
    n = 0
    for row in _rows(conn, table):
        n += 1
        digest.update(json.dumps({k: _normal(v) for k, v in row.items()}, sort_keys=True,
                                 ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\n")
    return n, digest.hexdigest()


def _self_parent(table: Table) -> str | None:
    """The column that points at another row of the same table (a code's parent)."""
    for fk in table.foreign_keys:
        if fk.column.table is table:
            return fk.parent.name
    return None


def _parents_first(rows: list[dict], column: str) -> list[dict]:
    """Rows in an order where a row's parent is inserted before it."""
    done: set = set()
    out: list[dict] = []
    waiting = rows
    while waiting:
        later = [r for r in waiting if r[column] is not None and r[column] not in done]
        ready = [r for r in waiting if r[column] is None or r[column] in done]
        if not ready:
            raise QdaError(f"{len(later)} rows point at parents that do not exist",
                           None, "E071")
        out.extend(ready)
        done.update(r["id"] for r in ready)
        waiting = later
    return out


def _counted(table: Table) -> bool:
    """The table's rows are numbered by an id counter (not by a pair of other ids)."""
    return "id" in table.c and list(table.primary_key.columns) == [table.c.id]


def _writer(table: Table) -> Table:
    """`table` for INSERTs that keep a missing JSON value SQL NULL (SQLAlchemy would
    write None as the JSON text 'null')."""
    copy = table.to_metadata(MetaData())
    for column in copy.c:
        if isinstance(column.type, JSON):
            column.type = JSON(none_as_null=True)
    return copy


def _counter(conn: Connection, table: Table) -> int:
    """The last id handed out for `table` (0: none), also of rows since deleted."""
    if not _counted(table):
        return 0
    top = conn.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1)).scalar() or 0
    if conn.dialect.name == "sqlite":
        seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                   (table.name,)).scalar()
    else:
        seq = conn.execute(text("SELECT pg_sequence_last_value(pg_get_serial_sequence("
                                ":t, 'id'))"), {"t": table.name}).scalar()
    return max(top, seq or 0)


def _set_counter(conn: Connection, table: Table, last: int) -> None:
    if not last:
        return
    if conn.dialect.name == "sqlite":
        updated = conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                                       (last, table.name)).rowcount
        if not updated:
            conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                 (table.name, last))
    else:
        conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, true)"),
                     {"t": table.name, "v": last})


def _copy_files(source: Path, target: Path) -> None:
    if source.exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("*" + PART, INCOMING))


def _config_for(source: Project, target: Path, url: str | None) -> None:
    """The source's settings, naming the new store (no password; SQLite: no url)."""
    import re

    old = source.root / CONFIG_NAME
    new = target / CONFIG_NAME
    if old.exists():
        shutil.copy2(old, new)
    if url:
        record_url(new, url)
    elif new.exists():
        body = re.sub(r"(?m)^url\s*=.*\n?", "", new.read_text(encoding="utf-8"))
        new.write_text(body, encoding="utf-8")


def require_empty_database(url: str) -> None:
    from .store import make_engine

    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    except Exception as exc:  # driver errors: unreachable server, wrong password
        raise QdaError(f"cannot open the database: {exc.__class__.__name__}: {exc}"
                       .splitlines()[0], None, "E012") from exc
    finally:
        engine.dispose()
    if tables:
        raise QdaError(f"{without_password(url)} is not empty ({len(tables)} tables); "
                       "give an empty database", None, "E070")


def _drop_all(project: Project) -> None:
    """Leave the target database as empty as it was given."""
    Base.metadata.drop_all(project.engine)
    with project.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def migrate_store(source: Project, target: Path, url: str | None = None,
                  progress: Callable[[int, int | None, str | None], None] | None = None
                  ) -> list[TableCheck]:
    """Copy `source` into a new project folder `target`: on the PostgreSQL database `url`
    (which must be empty), or into target/project.sqlite when `url` is None. Returns the
    check of every table; raises E071 (and removes the copy) when one differs."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise QdaError("is not empty; migrate into a new folder", target, "E072")
    if url and url.startswith("sqlite"):
        url = None
    if url:
        require_empty_database(url)
    # the source's tables must be the schema's: a project of another version is migrated
    # (`qda migrate`) first
    found = set(inspect(source.engine).get_table_names()) - {"alembic_version"}
    expected = {t.name for t in Base.metadata.sorted_tables}
    if found != expected:
        raise QdaError("its tables are not this version's; run `qda migrate` first",
                       source.root, "E073")
    made = None
    try:
        made = init_project(target, url)
        checks = _copy_rows(source, made, progress)
        # the planner's statistics now, not when autovacuum comes round (without them the
        # Kodning queue's queries were slow until it came: BENCHMARKS.md)
        refresh_statistics(made.engine, tuple(t.name for t in Base.metadata.sorted_tables))
        _copy_files(source.sources_dir, made.sources_dir)
        _config_for(source, target, url)
    except BaseException:
        if made is not None:
            if url:
                _drop_all(made)
            made.close()
        shutil.rmtree(target, ignore_errors=True)
        raise
    made.close()
    return checks


def _copy_rows(source: Project, made: Project,
               progress: Callable[[int, int | None, str | None], None] | None
               ) -> list[TableCheck]:
    tables = Base.metadata.sorted_tables
    before: dict[str, tuple[int, str, int]] = {}
    with source.engine.connect() as src:
        if src.dialect.name == "postgresql":   # one snapshot of every table
            src = src.execution_options(isolation_level="REPEATABLE READ")
        with src.begin(), made.engine.begin() as dst:
            for done, table in enumerate(tables, start=1):
                rows = list(_rows(src, table))
                parent = _self_parent(table)
                if parent:
                    rows = _parents_first(rows, parent)
                writer = _writer(table)
                for i in range(0, len(rows), CHUNK):
                    dst.execute(writer.insert(), rows[i:i + CHUNK])
                last = _counter(src, table)
                _set_counter(dst, table, last)
                before[table.name] = (*checksum(src, table), last)
                if progress:
                    progress(done, len(tables), table.name)
    checks = []
    with made.engine.connect() as dst:
        for table in tables:
            n_rows, digest, last = before[table.name]
            copied_rows, copied = checksum(dst, table)
            checks.append(TableCheck(table.name, n_rows, digest, copied_rows, copied,
                                     _counter(dst, table) if last else None))
    bad = [c.table for c in checks if not c.ok]
    if bad:
        raise QdaError(f"the copy differs from the source in {', '.join(bad)}", made.root,
                       "E071")
    return checks
