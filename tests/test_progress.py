"""Long work reports progress and can be interrupted with Ctrl-C: exit 130, the step in
progress undone, nothing half-written, what finished before kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from corpus.files import atomic_write
from corpus.models import AuditEvent, Coding, Source
from corpus.project import open_project
from qda import app


def qda(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def noted(tmp_path):
    proj = tmp_path / "p"
    assert qda("init", proj).exit_code == 0
    for n in (1, 2):
        (tmp_path / "in" / "").mkdir(exist_ok=True)
        (tmp_path / "in" / f"lappar{n}.csv").write_text(
            "Område,Inlägg\n" + "".join(f"GR,Antal SIP nummer {n}-{i}\n" for i in range(40)),
            encoding="utf-8")
    return proj


def _count(proj, what, *where):
    project = open_project(proj)
    try:
        with project.session() as s:
            return s.scalar(select(func.count()).select_from(what).where(*where))
    finally:
        project.close()


def test_suggest_interrupted_stores_nothing(noted, tmp_path, monkeypatch):
    assert qda("ingest", tmp_path / "in", "--question", 1, "-p", noted).exit_code == 0
    assert qda("codebook", "import", "forstudie-postits", "-p", noted).exit_code == 0
    from coding import suggestions

    real, calls = suggestions._scored_rows, []

    def store_then_interrupt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions, "BATCH", 16)
    monkeypatch.setattr(suggestions, "_scored_rows", store_then_interrupt)
    out = qda("suggest", "-p", noted)
    assert out.exit_code == 130
    assert "interrupted" in out.output
    assert len(calls) == 2                                # one batch was stored …
    assert _count(noted, Coding) == 0                     # … and rolled back with the run
    assert _count(noted, AuditEvent, AuditEvent.action == "suggest.run") == 0


def test_ingest_of_a_folder_interrupted_keeps_the_files_before(noted, tmp_path, monkeypatch):
    from corpus import ingest

    real = ingest.write_notes

    def second_file_interrupted(session, source_id, *args, **kwargs):
        if session.get(Source, source_id).original_name == "lappar2.csv":
            raise KeyboardInterrupt
        return real(session, source_id, *args, **kwargs)

    monkeypatch.setattr(ingest, "write_notes", second_file_interrupted)
    out = qda("ingest", tmp_path / "in", "--question", 1, "-p", noted)
    assert out.exit_code == 130
    # says which files got in, and how to go on
    assert "interrupted: 1 file of 2 imported and kept (lappar1.csv)" in out.output
    assert "Run the same command again" in out.output
    project = open_project(noted)
    with project.session() as s:
        assert s.scalars(select(Source.original_name)).all() == ["lappar1.csv"]
    project.close()
    kept = sorted(p.name for p in (noted / "sources").iterdir())
    assert len(kept) == 1 and kept[0].endswith("lappar1.csv")     # no copy, no .part


def test_backup_reports_progress_and_an_interrupted_one_leaves_nothing(noted, tmp_path):
    from corpus.backup import backup

    assert qda("ingest", tmp_path / "in", "--question", 1, "-p", noted).exit_code == 0
    heard = []
    backup(open_project(noted), tmp_path / "b1", lambda *a: heard.append(a))
    whats = {what for _, _, what in heard}
    assert whats == {"database pages", "original files"}
    files = [(done, total) for done, total, what in heard if what == "original files"]
    assert files[-1] == (2, 2)

    def interrupt(done, total, what):
        if what == "original files":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup(open_project(noted), tmp_path / "b2", interrupt)
    assert not (tmp_path / "b2").exists() and not (tmp_path / "b2.part").exists()


def test_an_interrupted_file_write_leaves_no_part_file(tmp_path):
    def half(tmp):
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "bilaga2.xlsx", half)
    assert list(tmp_path.iterdir()) == []


def test_qdpx_export_reports_each_source_and_ctrl_c_leaves_no_file(noted, tmp_path,
                                                                   monkeypatch):
    """The whole-project export (the long one: 25 s at 100x) tells its progress per
    source; interrupted, `qda export` exits 130 and leaves neither the file nor a part."""
    from coding.exporting import ExportOptions
    from reports.run import export

    assert qda("ingest", tmp_path / "in", "--question", 1, "-p", noted).exit_code == 0
    heard = []
    report = export(open_project(noted), "qdpx", out=tmp_path / "p.qdpx",
                    options=ExportOptions(progress=lambda *a: heard.append(a)))
    assert heard == [(1, 2, "lappar1.csv"), (2, 2, "lappar2.csv")]
    assert report.rows == 2 and report.path.exists()

    from refi import writer as refi_writer

    real = refi_writer._layout

    def second_source_interrupted(session, source):
        if source.original_name == "lappar2.csv":
            raise KeyboardInterrupt
        return real(session, source)

    monkeypatch.setattr(refi_writer, "_layout", second_source_interrupted)
    out = qda("export", "qdpx", "-p", noted, "-o", tmp_path / "x" / "q.qdpx")
    assert out.exit_code == 130 and "interrupted" in out.output
    assert not (tmp_path / "x").exists() or list((tmp_path / "x").iterdir()) == []


def test_ctrl_c_landing_after_the_commit_keeps_the_original(project, tmp_path, monkeypatch):
    """Ctrl-C can land after a file's transaction committed (while its session closes):
    the source then stands, and so must its kept original. Found as a source without its
    original after a folder's import was interrupted by hand."""
    from contextlib import contextmanager

    from corpus.ingest import ingest_file

    path = tmp_path / "samtal_boras.txt"
    path.write_text("Talare 1  00:00:01\nHej. Vi börjar med SIP.\n", encoding="utf-8")
    real = type(project).transaction

    @contextmanager
    def committed_then_interrupted(self, synced=True):
        with real(self, synced) as session:
            yield session
        raise KeyboardInterrupt

    monkeypatch.setattr(type(project), "transaction", committed_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(project, path)
    monkeypatch.undo()
    with project.session() as s:
        stored = s.scalars(select(Source.stored_name)).all()
    assert len(stored) == 1
    assert (project.sources_dir / stored[0]).read_bytes() == path.read_bytes()
