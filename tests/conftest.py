"""Fixtures: fresh projects in tmp_path and small files the tests write themselves."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from sqlalchemy import func, select

from coding.codebook import parse_codebook
from corpus.actors import Actor, system_actor
from corpus.dimensions import Dimension, read_profile
from corpus.models import AuditEvent, PseudonymKey, Segment, Source
from corpus.project import Project, init_project

# The small two-level codebook many tests code against.
SMALL_BOOK = parse_codebook("""
codes:
  - name: Samverkan
    children: [{name: SIP}, {name: Tillit}]
  - name: Tillgänglighet
    children: [{name: Primärvården}]
""")
PG_ENV = "QDA_TEST_PG_URL"     # set by scripts/pg.sh (sourced by scripts/test.sh)
# The fixtures' projects are the first study's (its five areas, groups and formats, the
# bundled profile), as the tests written for it expect; tests/test_second_study.py starts
# projects from nothing and lets them learn their own.
FIRST_STUDY = "vgr-forstudie"
FIRST_AREAS = Dimension("area", tuple(v for v in read_profile(FIRST_STUDY).values
                                      if v.dimension == "area"))
BILAGA2_COLUMNS = ["Huvudtema", "Subtema", "Inlägg", *FIRST_AREAS.labels().values()]


def acting(login: str = "qda") -> Actor:
    """Who a test acts as where it needs no particular role: the system actor for
    `login`, as the command line or a notebook acts (refused nothing; the audit log
    records `login`). A user with a role is `Actor(login, Role.X)`."""
    return system_actor(login)


def _password_where_a_lead_keeps_it() -> None:
    """qda.toml records a server's URL without its password; a project reopened by a
    later command (or the app, or a helper process) finds it in PGPASSWORD, as a lead's
    commands would. Tests of the other places unset it."""
    url = os.environ.get(PG_ENV)
    if url and "PGPASSWORD" not in os.environ:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
        if password is not None:
            os.environ["PGPASSWORD"] = str(password)


_password_where_a_lead_keeps_it()


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The throw-away PostgreSQL server scripts/test.sh starts. In CI its absence fails
    the run; elsewhere the PostgreSQL half of the store tests is skipped, visibly."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"${PG_ENV} is not set: run the tests with scripts/test.sh")
        pytest.skip(f"no PostgreSQL server (${PG_ENV}); scripts/test.sh starts one")
    return url


@contextmanager
def pg_database(server: str) -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    import psycopg

    name = f"qda_{uuid.uuid4().hex[:12]}"
    admin = server.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_project(pg_server, tmp_path: Path) -> Project:
    """For what only PostgreSQL has (its statistics, VACUUM)."""
    with pg_database(pg_server) as url:
        proj = init_project(tmp_path / "proj", url, study=FIRST_STUDY)
        yield proj
        proj.close()


def vacuumed(project: Project, table: str) -> bool:
    """PostgreSQL has vacuumed and analysed `table` since it was made."""
    from sqlalchemy import text

    with project.engine.connect() as conn:
        return conn.execute(text(
            "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}).scalar()


@pytest.fixture(params=["sqlite", "postgresql"])
def project(request, tmp_path: Path) -> Project:
    """A fresh project on each store: SQLite (the default) and PostgreSQL (the team
    server); every test that takes `project` runs on both."""
    if request.param == "sqlite":
        proj = init_project(tmp_path / "proj", study=FIRST_STUDY)
        yield proj
        proj.close()
        return
    with pg_database(request.getfixturevalue("pg_server")) as url:
        proj = init_project(tmp_path / "proj", url, study=FIRST_STUDY)
        yield proj
        proj.close()


@pytest.fixture
def sqlite_project(tmp_path: Path) -> Project:
    """For what only SQLite has (WAL, the file, its locking)."""
    proj = init_project(tmp_path / "proj", study=FIRST_STUDY)
    yield proj
    proj.close()


def row_counts(project: Project) -> dict[str, int]:
    with project.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Source, Segment, PseudonymKey, AuditEvent)}


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]],
               merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    doc.save(str(path))
    return path


def agreed(session, segment_id: int, code_id: int, is_quote: bool = False) -> None:
    """A coding in the consensus layer, as a finished consensus meeting leaves it (the
    library writes that layer only through `consensus.resolve`/`adopt_agreed` or an
    import; a fixture builds it directly)."""
    from corpus.models import Coding
    from people.identity import CONSENSUS

    session.add(Coding(segment_id=segment_id, code_id=code_id, coder=CONSENSUS,
                       status="accepted", is_quote=is_quote))
    session.flush()


# Notes coded in konsensus for the theme tables and exports: area, text, theme.
THEMED_NOTES = [
    ("GR", "Antal SIP per 1000 invånare", "Samverkan > SIP"),
    ("Borås", "antal SIP per 1000 invånare.", "Samverkan > SIP"),          # same note
    ("VGR", "Väntetider till vårdcentralen", "Tillgänglighet > Primärvården"),  # near-dup
    ("Skaraborg", "Andel SIP med uppföljningsdatum", "Samverkan > SIP"),
    ("GR", "=Tillit mellan huvudmännen", "Samverkan > Tillit"),           # formula-like
    ("Fyrbodal", "Väntetid till vårdcentralen x2", "Tillgänglighet > Primärvården"),
    ("GR", "Telefontillgänglighet", "Tillgänglighet"),                    # main theme only
]


@pytest.fixture
def coded(project, tmp_path):
    """A project whose notes (THEMED_NOTES) the konsensus layer has coded; note 4 a quote."""
    from coding import codes
    from corpus.ingest import ingest_file
    from corpus.readers import ReadOptions

    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f'{a},"{t}"\n' for a, t, _ in THEMED_NOTES), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=2))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("anna"))
        for segment_id, (_, _, theme) in enumerate(THEMED_NOTES, start=1):
            agreed(s, segment_id, codes.find_code(s, theme).id,
                           is_quote=segment_id == 4)
        # a main theme coded next to one of its sub-themes is implied, not a row of its own
        agreed(s, 1, codes.find_code(s, "Samverkan").id)
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The coded demo project, built once per test module (for the app's tests)."""
    from coding.demo import build_coded_demo

    project = build_coded_demo(tmp_path_factory.mktemp("demo") / "demo")
    project.close()
    return project.root


@pytest.fixture
def root(built, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the coded demo project for each test, opened by the app."""
    copy = tmp_path / "demo"
    shutil.copytree(built, copy)
    monkeypatch.setenv("QDA_PROJECT", str(copy))
    return copy


# Fixtures that build a project on a store (its schema migrated from scratch: a second or
# more a test on the 2-core machine, twice with PostgreSQL). A test that takes one counts as
# slow, so the fast lane (`bash scripts/test.sh --fast`, `-m "not slow"`) leaves it to the
# whole suite, which runs everything; so does a test on the PostgreSQL server (`pg_server`).
BUILDS_A_PROJECT = {"project", "sqlite_project", "pg_project", "coded", "built", "root",
                    "second", "studied", "laptop_project", "demo", "pg_server"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        on_server = "postgresql" in getattr(getattr(item, "callspec", None), "id", "")
        if on_server or BUILDS_A_PROJECT & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.xdist_group(_worker_group(item)))


def _worker_group(item) -> str:
    """scripts/test.sh runs the suite on several pytest-xdist workers (`--dist loadgroup`):
    a module stays on one worker, so its module-scoped projects are built once; the browser
    tests share one worker, one app and one Chromium at a time, as their timeouts assume."""
    path = Path(item.path)
    return "browser" if path.parent.name == "e2e" else path.stem
