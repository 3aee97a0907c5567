"""`qda backup` while a coder keeps working, and `qda restore`, on both stores: the
restored project has the snapshot's rows and an audit log that is a prefix of the live
one, and replays to its own codings."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from coding import codes, codings
from corpus.backup import backup, restore, row_counts
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Coding
from corpus.project import init_project, open_project
from corpus.readers import ReadOptions
from qda import app

from .conftest import SMALL_BOOK, acting, pg_database

BOOK = SMALL_BOOK


def audit_log(project) -> list[tuple]:
    with project.session() as s:
        return [(e.id, e.action, e.memo) for e in s.scalars(
            select(AuditEvent).order_by(AuditEvent.id))]


def test_backup_during_writes_and_restore(project, tmp_path, request):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f"GR,Lapp {i} om SIP\n" for i in range(40)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, BOOK, acting("lead"))
        ids = [c for c in codes.load_codebook(s).codes]
    stop = threading.Event()
    written = [0]

    def coder():
        n = 0
        while not stop.is_set():
            n += 1
            with project.transaction() as s:
                codings.accept(s, n % 40 + 1, ids[n % len(ids)], "anna", memo=f"m{n}")
            written[0] += 1

    thread = threading.Thread(target=coder)
    thread.start()
    try:
        while written[0] < 20:
            time.sleep(0.01)
        runner = CliRunner()
        out = runner.invoke(app, ["backup", str(project.root), str(tmp_path / "bak")])
        assert out.exit_code == 0, out.output
        during = written[0]
    finally:
        stop.set()
        thread.join()
    assert written[0] > 20 and during > 0
    live_log = audit_log(project)
    args = ["restore", str(tmp_path / "bak"), str(tmp_path / "back")]
    if project.is_sqlite:
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
        check_restored(tmp_path / "back", live_log)
    else:
        missing = runner.invoke(app, args)
        assert missing.exit_code == 1 and "database-url" in missing.output
        with pg_database(request.getfixturevalue("pg_server")) as url:
            out = runner.invoke(app, [*args, "--database-url", url])
            assert out.exit_code == 0, out.output
            check_restored(tmp_path / "back", live_log)
    with pytest.raises(QdaError, match="already exists"):
        backup(project, tmp_path / "bak")


def check_restored(root, live_log) -> None:
    restored = open_project(root)
    try:
        log = audit_log(restored)
        assert 0 < len(log) < len(live_log) and live_log[:len(log)] == log
        # the snapshot is consistent: its codings are what its own log says
        with restored.session() as s:
            coded = {(c.segment_id, c.code_id): c.memo for c in s.scalars(
                select(Coding).where(Coding.coder == "anna"))}
            last = {}
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "coding.accept")
                               .order_by(AuditEvent.id)):
                last[(e.after["segment_id"], e.after["code_id"])] = e.after["memo"]
        assert coded == last
        assert len(list((restored.root / "sources").iterdir())) == 1
    finally:
        restored.close()


def test_backup_of_a_project_at_rest_restores_every_row(sqlite_project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Lapp\nVGR,Annan lapp\n",
                                    encoding="utf-8")
    ingest_file(sqlite_project, tmp_path / "n.csv", ReadOptions(question=1))
    backup(sqlite_project, tmp_path / "bak")
    restored = restore(tmp_path / "bak", tmp_path / "back")
    assert row_counts(restored) == row_counts(sqlite_project)
    assert audit_log(restored) == audit_log(sqlite_project)
    restored.close()
    with pytest.raises(QdaError, match="not empty"):
        restore(tmp_path / "bak", tmp_path / "back")
    with pytest.raises(QdaError, match="not a workshop-qda backup"):
        restore(tmp_path / "n.csv", tmp_path / "other")


@pytest.mark.parametrize("how", ["url", "PGPASSWORD", "pgpass", "service"])
def test_backup_and_restore_on_a_server_that_asks_for_a_password(
        how, pg_server, tmp_path, monkeypatch):
    """The test server asks for a password (scripts/pg.sh: scram-sha-256). Each way a lead
    gives it works for pg_dump and pg_restore, and it is never on their command lines."""
    from sqlalchemy.engine import make_url

    import corpus.backup as backup_mod

    server = make_url(pg_server)
    if server.password is None:
        pytest.fail("the test server must ask for a password (scripts/pg.sh)")
    secret = str(server.password)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("QDA_DATABASE_URL", raising=False)
    commands: list[list[str]] = []
    real_run = backup_mod.subprocess.run

    def spy(args, **kwargs):
        commands.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup_mod.subprocess, "run", spy)

    def given(url: str) -> str:
        """The URL as this lead writes it: the password in it, or left to libpq."""
        if how == "url":
            return url
        bare = make_url(url).set(password="x").render_as_string(hide_password=False)
        bare = bare.replace(":x@", "@")
        if how == "service":
            name = make_url(url).database
            return f"postgresql+psycopg:///{name}?service=qdatest"
        return bare

    if how == "PGPASSWORD":
        monkeypatch.setenv("PGPASSWORD", secret)
    elif how == "pgpass":
        (tmp_path / "pgpass").write_text(
            f"{server.host}:{server.port}:*:{server.username}:{secret}\n", encoding="utf-8")
        (tmp_path / "pgpass").chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    elif how == "service":
        (tmp_path / "services").write_text(
            f"[qdatest]\nhost={server.host}\nport={server.port}\nuser={server.username}\n"
            f"password={secret}\n", encoding="utf-8")
        monkeypatch.setenv("PGSERVICEFILE", str(tmp_path / "services"))
    with pg_database(pg_server) as live_url, pg_database(pg_server) as empty_url:
        if how == "url":      # later commands get the whole URL, as qda.toml has none
            monkeypatch.setenv("QDA_DATABASE_URL", live_url)
        live = init_project(tmp_path / "live", given(live_url))
        assert secret not in (tmp_path / "live" / "qda.toml").read_text(encoding="utf-8")
        (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Lapp om SIP\nVGR,Annan lapp\n",
                                        encoding="utf-8")
        ingest_file(live, tmp_path / "n.csv", ReadOptions(question=1))
        runner = CliRunner()
        out = runner.invoke(app, ["backup", str(live.root), str(tmp_path / "bak")])
        assert out.exit_code == 0, out.output
        out = runner.invoke(app, ["restore", str(tmp_path / "bak"), str(tmp_path / "back"),
                                  "--database-url", given(empty_url)])
        assert out.exit_code == 0, out.output
        if how == "url":
            monkeypatch.setenv("QDA_DATABASE_URL", empty_url)
        restored = open_project(tmp_path / "back")
        try:
            assert row_counts(restored) == row_counts(live)
            assert audit_log(restored) == audit_log(live)
        finally:
            restored.close()
            live.close()
    assert [c[0].rsplit("/", 1)[-1] for c in commands] == ["pg_dump", "pg_restore"]
    assert not any(secret in arg for command in commands for arg in command)
    assert secret not in (tmp_path / "back" / "qda.toml").read_text(encoding="utf-8")
