"""Backups while coders keep working, and restoring them.

A backup is a folder: `qda.toml`, the original files (`sources/`), and the database as a
consistent snapshot: `project.sqlite` made with SQLite's online backup API (readers and
writers go on meanwhile), or `database.dump` from `pg_dump` (one repeatable-read
transaction on the server). `manifest.json` says which, and counts the rows per table, so
a restore can be checked.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from .errors import QdaError
from .locations import CONFIG_NAME, SQLITE_NAME
from .models import Base
from .originals import INCOMING, PART
from .project import Project, open_project, record_url

MANIFEST = "manifest.json"
DUMP = "database.dump"


def row_counts(project: Project) -> dict[str, int]:
    with project.session() as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def _tool(name: str) -> str:
    """pg_dump / pg_restore: the newest installed (it must not be older than the server)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise QdaError(f"{name} is not installed (Debian: postgresql-client)", None, "E060")
    return path


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore, with the password in the environment rather than
    on a command line any local user can read. Without one in the URL, libpq finds it
    where psql would: PGPASSWORD, ~/.pgpass (PGPASSFILE), or a service file."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    # URL.set() keeps a password given as None, and render_as_string() would then write
    # it as '***' (what pg_dump used to try): the URL is rebuilt without it
    bare = URL.create("postgresql", username=parsed.username, host=parsed.host,
                      port=parsed.port, database=parsed.database, query=parsed.query)
    return bare.render_as_string(hide_password=False), env


def backup(project: Project, out: Path,
           progress: Callable[[int, int | None, str | None], None] | None = None) -> dict:
    """Write a backup folder `out` (which must not exist yet). `progress(done, total,
    what)` hears about the database pages and the files copied."""
    def tell(done: int, total: int | None, what: str) -> None:
        if progress:
            progress(done, total, what)

    out = Path(out)
    if out.exists():
        raise QdaError("already exists; choose a new folder for the backup", out, "E061")
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        if project.is_sqlite:
            source = sqlite3.connect(str(project.root / SQLITE_NAME))
            target = sqlite3.connect(str(tmp / SQLITE_NAME))
            with target:
                # a consistent snapshot, writers go on; in steps, so progress can be told
                source.backup(target, pages=1024, progress=lambda _, left, total: tell(
                    total - left, total, "database pages"))
            source.close()
            target.close()
            store = "sqlite"
            counts = _counts_of(sqlite3.connect(f"file:{tmp / SQLITE_NAME}?immutable=1",
                                                uri=True))   # no -wal/-shm files
        else:
            dsn, env = _libpq(project.url)
            run = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner",
                                  "--serializable-deferrable", "--file", str(tmp / DUMP), dsn],
                                 capture_output=True, text=True, env=env)
            if run.returncode:
                raise QdaError(f"pg_dump failed: {run.stderr.strip().splitlines()[-1]}",
                               out, "E062")
            store = "postgresql"
            counts = None
        config = project.root / CONFIG_NAME
        if config.exists():
            shutil.copy2(config, tmp / CONFIG_NAME)
        if project.sources_dir.exists():
            files = [p for p in project.sources_dir.rglob("*") if p.is_file()
                     and p.suffix != PART and INCOMING not in p.parts]
            copied = iter(range(1, len(files) + 1))

            def copy(src: str, dst: str) -> str:
                result = shutil.copy2(src, dst)
                tell(next(copied), len(files), "original files")
                return result

            shutil.copytree(project.sources_dir, tmp / "sources", copy_function=copy,
                            ignore=shutil.ignore_patterns("*" + PART, INCOMING))
        manifest = {"store": store, "counts": counts}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _counts_of(conn: sqlite3.Connection) -> dict[str, int]:
    try:
        return {t.name: conn.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
                for t in Base.metadata.sorted_tables}
    finally:
        conn.close()


def _point_config(old: Path, new: Path, url: str) -> None:
    """The backup's settings, with the database URL (no password) of the restored copy."""
    if old.exists():
        shutil.copy2(old, new)
    record_url(new, url)


def restore(backup_dir: Path, target: Path, url: str | None = None) -> Project:
    """A new project folder from a backup; with a PostgreSQL backup, `url` names an empty
    database to restore into."""
    backup_dir, target = Path(backup_dir), Path(target)
    manifest_file = backup_dir / MANIFEST
    if not manifest_file.exists():
        raise QdaError("not a workshop-qda backup (no manifest.json)", backup_dir, "E063")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if target.exists() and any(target.iterdir()):
        raise QdaError("is not empty; restore into a new folder", target, "E064")
    if manifest["store"] == "postgresql" and not url:
        raise QdaError("a PostgreSQL backup needs --database-url of an empty database",
                       backup_dir, "E065")
    if manifest["store"] == "sqlite" and url and not url.startswith("sqlite"):
        return _restore_onto_server(backup_dir, target, url)
    target.mkdir(parents=True, exist_ok=True)
    try:
        if (backup_dir / "sources").exists():
            shutil.copytree(backup_dir / "sources", target / "sources")
        if manifest["store"] == "sqlite":
            shutil.copy2(backup_dir / SQLITE_NAME, target / SQLITE_NAME)
            config = backup_dir / CONFIG_NAME
            if config.exists():
                shutil.copy2(config, target / CONFIG_NAME)
            project = open_project(target, allow_upgrade=True)
        else:
            assert url is not None          # a PostgreSQL backup needs one (E065 above)
            dsn, env = _libpq(url)
            run = subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error",
                                  "--single-transaction", "--dbname", dsn,
                                  str(backup_dir / DUMP)], capture_output=True, text=True,
                                 env=env)
            if run.returncode:
                raise QdaError(f"pg_restore failed: {run.stderr.strip().splitlines()[-1]}",
                               target, "E066")
            _point_config(backup_dir / CONFIG_NAME, target / CONFIG_NAME, url)
            project = open_project(target, allow_upgrade=True, url=url)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    if manifest.get("counts") and row_counts(project) != manifest["counts"]:
        project.close()
        raise QdaError("restored row counts differ from the backup's manifest", target,
                       "E067")
    return project


def _restore_onto_server(backup_dir: Path, target: Path, url: str) -> Project:
    """A laptop's (SQLite) backup onto a server: restored beside the target, then moved
    with migrate-store (every row and file, checked by count and checksum)."""
    from .migrate_store import migrate_store

    scratch = target.with_name(target.name + ".sqlite-part")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        local = restore(backup_dir, scratch)
        try:
            migrate_store(local, target, url)
        finally:
            local.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return open_project(target, url=url)
