import pytest
from sqlalchemy import inspect, text

from corpus import store
from corpus.errors import QdaError
from corpus.models import Workshop
from corpus.project import database_url, init_project, open_project


def test_init_makes_the_folder_layout_and_the_schema_at_head(tmp_path):
    proj = init_project(tmp_path / "p")
    assert (proj.root / "sources").is_dir() and (proj.root / "exports").is_dir()
    assert (proj.root / "project.sqlite").exists() and (proj.root / "qda.toml").exists()
    tables = set(inspect(proj.engine).get_table_names())
    assert {"workshop", "source", "segment", "pseudonym_key", "code", "coding",
            "audit_event", "alembic_version"} <= tables
    assert store.current_revision(proj.engine) == store.head_revision()
    proj.close()


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(sqlite_project):
    project = sqlite_project
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.SQLITE_BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_transaction_is_all_or_nothing(project):
    with pytest.raises(RuntimeError), project.transaction() as s:
        s.add(Workshop(label="a", area="gr"))
        s.flush()
        raise RuntimeError("boom")
    with project.session() as s:
        assert s.execute(text("select count(*) from workshop")).scalar() == 0


def test_opening_a_folder_that_is_not_a_project(tmp_path):
    with pytest.raises(QdaError, match="not a workshop-qda project") as info:
        open_project(tmp_path)
    assert "\n" not in info.value.line()


def test_database_url_from_env_then_config_then_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    assert database_url(tmp_path).startswith("sqlite:///")
    (tmp_path / "qda.toml").write_text('[database]\nurl = "postgresql+psycopg://h/db"\n')
    assert database_url(tmp_path) == "postgresql+psycopg://h/db"
    monkeypatch.setenv("QDA_DATABASE_URL", "postgresql+psycopg://other/db")
    assert database_url(tmp_path) == "postgresql+psycopg://other/db"


def test_broken_config_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    (tmp_path / "qda.toml").write_text("[database\nurl=")
    with pytest.raises(QdaError, match="qda.toml: not valid TOML"):
        database_url(tmp_path)


def test_an_older_sqlite_project_is_backed_up_before_migrating(tmp_path, monkeypatch):
    proj = init_project(tmp_path / "p")
    proj.close()
    monkeypatch.setattr(store, "head_revision", lambda: "9999_future")
    upgraded = []
    monkeypatch.setattr(store, "upgrade", lambda engine: upgraded.append(True))
    reopened = open_project(tmp_path / "p")
    backups = list((tmp_path / "p").glob("project.sqlite.before-9999_future.bak"))
    assert len(backups) == 1 and upgraded == [True]
    reopened.close()


def test_a_writer_gets_the_lock_in_a_short_gap_between_another_writers_transactions(
        sqlite_project):
    """A background writer committing every few milliseconds must not starve a coder's
    write: SQLite's own busy handler sleeps up to 100 ms between tries and kept missing
    the gaps; the write lock is now polled every millisecond. Measured as a ratio: how
    many of the busy writer's transactions pass while the coder makes one write."""
    import threading
    import time

    project = sqlite_project
    stop = threading.Event()
    other = open_project(project.root)
    passed = [0]

    def busy_writer():
        while not stop.is_set():
            with other.transaction() as session:
                session.execute(text("SELECT 1"))
                time.sleep(0.01)          # holds the lock 10 ms, then a 1 ms gap
            passed[0] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=busy_writer)
    thread.start()
    try:
        time.sleep(0.05)
        before = passed[0]
        for i in range(20):
            with project.transaction() as session:
                session.add(Workshop(label=f"w{i}", area="GR"))
        during = passed[0] - before
    finally:
        stop.set()
        thread.join()
        other.close()
    with project.session() as session:
        assert session.query(Workshop).count() == 20
    # polling takes the first gap: about one busy transaction per write, not dozens
    assert during / 20 < 4, during


def test_head_revision_is_what_alembic_reads():
    """Opening a project reads the newest migration without loading Alembic."""
    from alembic.script import ScriptDirectory

    assert store.head_revision() == ScriptDirectory.from_config(
        store.alembic_config()).get_current_head()


def test_the_migrations_make_the_schema_the_models_describe(project):
    """Alembic's autogenerate finds nothing to add: every table, column and index the
    models declare (the source name index of 0007 among them) is made by a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from corpus.models import Base

    with project.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert "ix_source_original_name" in {
            index["name"] for index in inspect(connection).get_indexes("source")}


def test_postgresql_compresses_long_texts_with_lz4_where_it_can(pg_project):
    """Migration 0008: a transcript's full text and its units' texts are kept with lz4
    (cheaper to store than pglz); on a server built without lz4 they keep the default.
    The first 2 kB of a repetitive text compress either way: the method used is read
    back from the stored value."""
    with pg_project.engine.begin() as connection:
        supported = connection.exec_driver_sql(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'").scalar()
        methods = dict(connection.exec_driver_sql(
            "SELECT attrelid::regclass::text, attcompression FROM pg_attribute "
            "WHERE attname = 'text' AND attrelid IN ('source'::regclass, "
            "'segment'::regclass)").all())
        assert methods == ({"source": "l", "segment": "l"} if supported
                           else {"source": "", "segment": ""})
        connection.exec_driver_sql(
            "INSERT INTO source (kind, file_format, original_name, stored_name, sha256, "
            "text, report, imported_at) VALUES ('transcript', 'txt', 'a.txt', 'a.txt', 'x', "
            "repeat('Vi behöver en gemensam plan. ', 2000), '{}', now())")
        stored = connection.exec_driver_sql(
            "SELECT pg_column_compression(text) FROM source").scalar()
    assert stored == ("lz4" if supported else "pglz")
    from alembic import command

    compression = ("SELECT attcompression FROM pg_attribute WHERE attname = 'text' "
                   "AND attrelid = 'source'::regclass")
    with pg_project.engine.begin() as connection:      # down to 0007 and up again
        command.downgrade(store.alembic_config(connection), "0007")
        assert connection.exec_driver_sql(compression).scalar() in ("p", "")
        command.upgrade(store.alembic_config(connection), "head")
        assert connection.exec_driver_sql(compression).scalar() == ("l" if supported else "")


def test_a_project_made_on_a_server_records_its_url_without_the_password(
        pg_server, tmp_path, monkeypatch):
    """`QDA_DATABASE_URL=… qda init`: qda.toml names the server (no password), so the next
    command without the variable opens the server, not a new, empty project.sqlite."""
    from sqlalchemy.engine import make_url
    from typer.testing import CliRunner

    from qda import app

    from .conftest import pg_database

    secret = str(make_url(pg_server).password)
    with pg_database(pg_server) as url:
        monkeypatch.setenv("QDA_DATABASE_URL", url)
        out = CliRunner().invoke(app, ["init", str(tmp_path / "p")])
        assert out.exit_code == 0, out.output
        assert secret not in out.output
        config = (tmp_path / "p" / "qda.toml").read_text(encoding="utf-8")
        assert secret not in config and make_url(url).database in config
        monkeypatch.delenv("QDA_DATABASE_URL")
        out = CliRunner().invoke(app, ["status", "-p", str(tmp_path / "p"), "--json"])
        assert out.exit_code == 0, out.output
        assert not (tmp_path / "p" / "project.sqlite").exists()
        reopened = open_project(tmp_path / "p")
        assert not reopened.is_sqlite
        reopened.close()


def test_a_command_never_makes_a_sqlite_file_where_qda_toml_names_a_server(
        tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from qda import app

    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    # a server that does not answer: one clear line, no project.sqlite made instead
    (tmp_path / "qda.toml").write_text(
        '[database]\nurl = "postgresql+psycopg://qda@127.0.0.1:1/qda"\n', encoding="utf-8")
    out = CliRunner().invoke(app, ["status", "-p", str(tmp_path)])
    assert out.exit_code == 1 and "E012" in out.output
    # a qda.toml that lost its [database] url, no project.sqlite: refused, not made
    (tmp_path / "qda.toml").write_text("# workshop-qda project\n", encoding="utf-8")
    for args in (["status", "-p", str(tmp_path)], ["migrate", "-p", str(tmp_path)]):
        out = CliRunner().invoke(app, args)
        assert out.exit_code == 1 and "E068" in out.output, out.output
    assert not (tmp_path / "project.sqlite").exists()


def test_init_on_a_server_refuses_a_folder_holding_a_sqlite_project(tmp_path, pg_server):
    init_project(tmp_path / "p").close()
    with pytest.raises(QdaError, match="migrate-store") as info:
        init_project(tmp_path / "p", pg_server)
    assert info.value.code == "E069"
    assert "url" not in (tmp_path / "p" / "qda.toml").read_text(encoding="utf-8").replace(
        "# url", "")
