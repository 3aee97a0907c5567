"""A project is a folder: project.sqlite (or a server URL in qda.toml), sources/, exports/."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine

from . import store
from .actors import LIBRARY, Actor, checked
from .errors import QdaError
from .locations import CONFIG_NAME, SQLITE_NAME, URL_ENV

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


@dataclass
class Project:
    root: Path
    url: str
    engine: Engine = field(repr=False)
    _made: sessionmaker[Session] | None = field(default=None, repr=False)
    # how changes reach the project, for every audit event written through it: "app",
    # "cli" (with the operating-system user at the terminal) or "library" (a notebook)
    channel: str = "library"
    os_user: str | None = None

    @property
    def _factory(self) -> Callable[[], Session]:
        # made on first use: the ORM is slow to import, and read-only summaries
        # (`qda status`) query through Core alone
        if self._made is None:
            from sqlalchemy.orm import sessionmaker

            self._made = sessionmaker(self.engine, expire_on_commit=False)
        return partial(self._made, info={"channel": self.channel, "os_user": self.os_user})

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

    def retried(self, work: Callable[[Session], T], synced: bool = True,
                write: bool = True) -> T:
        """`work(session)` in one transaction, run again once on a lost connection (a
        server restart): what the app's pages do for a coder's action."""
        return store.retried(self._factory, work, synced, write)

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
    return _sqlite_url(root)


def _sqlite_url(root: Path) -> str:
    return f"sqlite:///{(root / SQLITE_NAME).resolve()}"


def without_password(url: str) -> str:
    """The URL as qda.toml keeps it: the password stays where libpq looks for one
    (QDA_DATABASE_URL, PGPASSWORD, ~/.pgpass or a service file), never in the folder a
    backup copies and a lead may share."""
    from sqlalchemy.engine import URL, make_url

    parsed = make_url(url)
    if parsed.password is None:
        return url
    return URL.create(parsed.drivername, username=parsed.username, host=parsed.host,
                      port=parsed.port, database=parsed.database, query=parsed.query
                      ).render_as_string(hide_password=False)


def record_url(config: Path, url: str, template: str = "") -> None:
    """Write `url` (without its password) as qda.toml's [database] url, replacing the one
    there; `template` is the text to start from when there is no qda.toml."""
    text = config.read_text(encoding="utf-8") if config.exists() else template
    line = f'url = "{without_password(url)}"'
    if re.search(r"(?m)^url\s*=", text):
        text = re.sub(r"(?m)^url\s*=.*$", lambda _: line, text, count=1)
    else:
        text = f"[database]\n{line}\n\n{text}"
    config.write_text(text, encoding="utf-8")


def _names_server(root: Path) -> bool:
    return bool(read_config(root).get("database", {}).get("url"))


def read_config(root: Path) -> dict:
    """The project's qda.toml as a dict (empty when there is none)."""
    config = root / CONFIG_NAME
    if not config.exists():
        return {}
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise QdaError(f"not valid TOML: {exc}", config, "E011") from exc


def configured_questions(root: Path) -> dict[int, str]:
    """qda.toml's [questions]: question number -> its text, as the report asks it."""
    table = read_config(Path(root)).get("questions", {})
    try:
        return {int(k): str(v).strip() for k, v in table.items()}
    except (ValueError, AttributeError):
        raise QdaError("[questions] must map question numbers to texts, e.g. 1 = \"…\"",
                       Path(root) / CONFIG_NAME, "E404") from None


def _connect(root: Path, allow_upgrade: bool, url: str | None = None,
             create: bool = False) -> Project:
    url = url or database_url(root)
    sqlite_file = root / SQLITE_NAME if url.startswith("sqlite") else None
    if url == _sqlite_url(root) and not create and not (sqlite_file and sqlite_file.exists()):
        # a server project opened without its URL (a qda.toml that lost it, a variable
        # set for `qda init` only) must not quietly become an empty SQLite project
        raise QdaError("has no project.sqlite and qda.toml names no database server; set "
                       "[database] url in qda.toml (or QDA_DATABASE_URL)", root, "E068")
    engine = store.make_engine(url)
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


CONFIG_TEMPLATE = (
    "# workshop-qda project. To use a team server instead of project.sqlite:\n"
    '# [database]\n# url = "postgresql+psycopg://user@host/dbname"\n'
    "# (the password: in PGPASSWORD, ~/.pgpass or QDA_DATABASE_URL, never here)\n"
    "#\n# The question texts printed above each bilaga 2 table (default: the heading\n"
    "# the workbook gives each question; otherwise just 'Fråga N'):\n"
    '# [questions]\n# 1 = "Vad fungerar bra i dag?"\n# 2 = "Vad behöver förändras?"\n')


def init_project(root: Path | str, url: str | None = None, study: str | Path | None = None,
                 actor: Actor = LIBRARY) -> Project:
    """Create the folder layout and the schema; safe to call on an existing project.
    `study`: a bundled study profile ("vgr-forstudie") or a profile's .toml file, whose
    areas, groups and formats the project starts with (without one it learns them)."""
    checked(actor)      # a plain name is no actor (E614): refused before anything
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    (root / "exports").mkdir(exist_ok=True)
    config = root / CONFIG_NAME
    url = url or database_url(root)       # QDA_DATABASE_URL counts as given
    server = not url.startswith("sqlite")
    if server and (root / SQLITE_NAME).exists():
        raise QdaError("holds a SQLite project; move it to the server with `qda "
                       "migrate-store`", root, "E069")
    if server and not _names_server(root):
        # recorded, so that the next command without the variable finds the server
        record_url(config, url, CONFIG_TEMPLATE)
    elif not config.exists():
        config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    project = _connect(root, allow_upgrade=True, url=url, create=True)
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


def open_project(root: Path | str, allow_upgrade: bool = False,
                 url: str | None = None) -> Project:
    """An existing project; `url` (with its password, say) instead of the one qda.toml
    or QDA_DATABASE_URL names."""
    root = Path(root)
    if not (root / CONFIG_NAME).exists() and not (root / SQLITE_NAME).exists():
        if not root.is_dir():
            raise QdaError("no such folder: not a workshop-qda project", root, "E013")
        raise QdaError("not a workshop-qda project (no qda.toml); run `qda init` first",
                       root, "E013")
    return _connect(root, allow_upgrade=allow_upgrade, url=url)
