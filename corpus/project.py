"""A project is a folder: project.sqlite (or a server URL in qda.toml), sources/, exports/."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from . import store
from .errors import QdaError
from .locations import CONFIG_NAME, SQLITE_NAME, URL_ENV

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Project:
    root: Path
    url: str
    engine: Engine = field(repr=False)
    _made: sessionmaker[Session] | None = field(default=None, repr=False)

    @property
    def _factory(self) -> sessionmaker[Session]:
        # made on first use: the ORM costs 0.1 s to import, and read-only summaries
        # (`qda status`) query through Core alone
        if self._made is None:
            from sqlalchemy.orm import sessionmaker

            self._made = sessionmaker(self.engine, expire_on_commit=False)
        return self._made

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def session(self) -> Session:
        return self._factory()

    @contextmanager
    def transaction(self, synced: bool = True) -> Iterator[Session]:
        with store.transaction(self._factory, synced) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def database_url(root: Path) -> str:
    """The URL from QDA_DATABASE_URL, else qda.toml's [database] url, else the SQLite file."""
    env = os.environ.get(URL_ENV)
    if env:
        return env
    url = read_config(root).get("database", {}).get("url")
    if url:
        return str(url)
    return f"sqlite:///{(root / SQLITE_NAME).resolve()}"


def read_config(root: Path) -> dict:
    """The project's qda.toml as a dict (empty when there is none)."""
    config = root / CONFIG_NAME
    if not config.exists():
        return {}
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise QdaError(f"not valid TOML: {exc}", config, "E011") from exc


def _connect(root: Path, allow_upgrade: bool) -> Project:
    url = database_url(root)
    engine = store.make_engine(url)
    sqlite_file = root / SQLITE_NAME if url.startswith("sqlite") else None
    try:
        store.ensure_schema(engine, sqlite_file, allow_upgrade=allow_upgrade)
    except QdaError:
        engine.dispose()
        raise
    except Exception as exc:  # driver errors: unreachable server, bad URL, locked file
        engine.dispose()
        raise QdaError(f"cannot open the database: {exc.__class__.__name__}: {exc}".splitlines()[0],
                       root, "E012") from exc
    return Project(root=root.resolve(), url=url, engine=engine)


def init_project(root: Path | str, url: str | None = None, study: str | Path | None = None,
                 actor: str = "qda") -> Project:
    """Create the folder layout and the schema; safe to call on an existing project.
    `study`: a bundled study profile ("vgr-forstudie") or a profile's .toml file, whose
    areas, groups and formats the project starts with (without one it learns them)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    (root / "exports").mkdir(exist_ok=True)
    config = root / CONFIG_NAME
    if url and not config.exists():
        config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    elif not config.exists():
        config.write_text(
            "# workshop-qda project. To use a team server instead of project.sqlite:\n"
            '# [database]\n# url = "postgresql+psycopg://user@host/dbname"\n'
            "#\n# The question texts printed above each bilaga 2 table (default: the heading\n"
            "# the workbook gives each question; otherwise just 'Fråga N'):\n"
            '# [questions]\n# 1 = "Ge exempel på befintliga nyckeltal …"\n',
            encoding="utf-8",
        )
    project = _connect(root, allow_upgrade=True)
    if study is not None:
        from .dimensions import read_profile
        from .study import apply_profile

        profile = read_profile(study)       # a bad profile changes nothing
        try:
            with project.transaction() as session:
                apply_profile(session, profile, actor)
        except BaseException:
            project.close()
            raise
    return project


def open_project(root: Path | str, allow_upgrade: bool = False) -> Project:
    root = Path(root)
    if not (root / CONFIG_NAME).exists() and not (root / SQLITE_NAME).exists():
        raise QdaError("not a workshop-qda project (no qda.toml); run `qda init` first",
                       root, "E013")
    return _connect(root, allow_upgrade=allow_upgrade)
