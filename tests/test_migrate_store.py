"""`qda migrate-store`: a project moves from SQLite to a PostgreSQL server and back with
every row (ids kept), the id counters, the audit log and the original files, checked by
count and checksum per table; a SQLite backup restores onto a server; the demo builds on
one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

from coding import codes, codings
from corpus.backup import backup, restore
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.migrate_store import checksum, migrate_store
from corpus.models import Base, Segment, Source
from corpus.project import Project, init_project, open_project, read_config
from corpus.readers import ReadOptions
from people import accounts
from qda import app

from .conftest import SMALL_BOOK, acting, pg_database


def sums(project: Project) -> dict[str, tuple[int, str]]:
    with project.engine.connect() as conn:
        return {t.name: checksum(conn, t) for t in Base.metadata.sorted_tables}


def laptop_project(tmp_path: Path) -> Project:
    """A SQLite project with rows in the tables a team uses, and a deleted source (so
    the source id counter runs past the highest id left)."""
    project = init_project(tmp_path / "laptop")
    for n in (1, 2, 3):
        (tmp_path / f"n{n}.csv").write_text("Område,Inlägg\n" + "".join(
            f"GR,Lapp {n}.{i} om SIP och tillit\n" for i in range(6)), encoding="utf-8")
        ingest_file(project, tmp_path / f"n{n}.csv", ReadOptions(question=n))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("lead"))
        accounts.add_user(s, "lena", "lead", acting("admin"), "Lena Lind", "ett långt lösenord")
        book = codes.load_codebook(s).codes
        for segment_id in (1, 2, 3, 7):
            codings.accept(s, segment_id, book[segment_id % len(book)].id, "anna",
                           memo=f"varför {segment_id}")
    with project.transaction() as s:
        last = s.scalar(select(Source.id).order_by(Source.id.desc()))
        s.execute(delete(Segment).where(Segment.source_id == last))
        s.execute(delete(Source).where(Source.id == last))
    return project


def test_sqlite_to_server_and_back_keeps_every_row_counter_and_file(
        tmp_path, pg_server, monkeypatch):
    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    laptop = laptop_project(tmp_path)
    original = sums(laptop)
    assert original["audit_event"][0] > 5 and original["code"][0] > 3
    with pg_database(pg_server) as url:
        checks = migrate_store(laptop, tmp_path / "server", url)
        assert {c.table for c in checks} == set(original) and all(c.ok for c in checks)
        on_server = open_project(tmp_path / "server")
        try:
            assert not on_server.is_sqlite
            assert sums(on_server) == original
            files = sorted(p.name for p in (tmp_path / "server" / "sources").rglob("*.csv"))
            assert files == sorted(p.name for p in laptop.sources_dir.rglob("*.csv"))
            # the deleted source's id is not handed out again
            (tmp_path / "n4.csv").write_text("Område,Inlägg\nGR,Ny lapp\n", encoding="utf-8")
            ingest_file(on_server, tmp_path / "n4.csv", ReadOptions(question=4))
            with on_server.transaction() as s:
                assert max(s.scalars(select(Source.id))) == 4
                s.execute(delete(Segment).where(Segment.source_id == 4))
                s.execute(delete(Source).where(Source.id == 4))
            moved = sums(on_server)
            # and back to a laptop: the server's rows, the new source among them
            back_checks = migrate_store(on_server, tmp_path / "back")
            assert all(c.ok for c in back_checks)
        finally:
            on_server.close()
        assert "url" not in read_config(tmp_path / "back").get("database", {})
    back = open_project(tmp_path / "back")
    try:
        assert back.is_sqlite and sums(back) == moved
        (tmp_path / "n5.csv").write_text("Område,Inlägg\nGR,Lapp\n", encoding="utf-8")
        ingest_file(back, tmp_path / "n5.csv", ReadOptions(question=5))
        with back.session() as s:          # the counter came back too: 4 stays unused
            assert max(s.scalars(select(Source.id))) == 5
    finally:
        back.close()
        laptop.close()


def test_migrate_store_refuses_a_database_in_use_and_leaves_nothing(tmp_path, pg_server):
    laptop = laptop_project(tmp_path)
    with pg_database(pg_server) as url:
        init_project(tmp_path / "other", url).close()
        with pytest.raises(QdaError, match="not empty") as info:
            migrate_store(laptop, tmp_path / "server", url)
        assert info.value.code == "E070" and not (tmp_path / "server").exists()
    with pytest.raises(QdaError) as info:
        migrate_store(laptop, tmp_path / "other")
    assert info.value.code == "E072"
    laptop.close()


def test_a_failed_copy_leaves_the_server_database_empty(tmp_path, pg_server, monkeypatch):
    import corpus.migrate_store as mod

    laptop = laptop_project(tmp_path)
    monkeypatch.setattr(mod, "_copy_files", lambda *_: (_ for _ in ()).throw(OSError("full")))
    with pg_database(pg_server) as url:
        with pytest.raises(OSError):
            migrate_store(laptop, tmp_path / "server", url)
        assert not (tmp_path / "server").exists()
        mod.require_empty_database(url)        # would raise E070 with tables left
    laptop.close()


def test_cli_migrate_store_and_restore_of_a_laptop_backup_onto_a_server(
        tmp_path, pg_server, monkeypatch):
    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    laptop = laptop_project(tmp_path)
    original = sums(laptop)
    backup(laptop, tmp_path / "bak")
    runner = CliRunner()
    with pg_database(pg_server) as url, pg_database(pg_server) as url2:
        out = runner.invoke(app, ["migrate-store", str(laptop.root), str(tmp_path / "srv"),
                                  "--database-url", url])
        assert out.exit_code == 0, out.output
        assert "audit_event" in out.output and "checksum match" in out.output.replace(
            "checksum\nmatch", "checksum match")
        restored = restore(tmp_path / "bak", tmp_path / "restored", url2)
        try:
            assert not restored.is_sqlite and sums(restored) == original
            assert not list(tmp_path.glob("restored.*"))
        finally:
            restored.close()
    laptop.close()


def test_demo_on_a_server(tmp_path, pg_server, monkeypatch):
    from corpus.demo import build_demo

    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    with pg_database(pg_server) as url:
        project = build_demo(tmp_path / "demo", url=url)
        try:
            assert not project.is_sqlite and not (tmp_path / "demo" / "project.sqlite").exists()
            assert sums(project)["segment"][0] > 100
        finally:
            project.close()
        with pytest.raises(QdaError) as info:     # never on a database in use
            build_demo(tmp_path / "demo2", url=url)
        assert info.value.code == "E070"
