"""What every page shares: the open project, the coder, and per-project caches.

The project (its connection pool), the codebook and the background retrainer are cached
per project with `st.cache_resource`, so that every browser tab of the same project
shares them and a page rerun costs only the queries it shows.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import streamlit as st

from app import ui
from coding import access
from coding.background import Retrainer
from coding.codebook import Codebook
from coding.codes import codebook_version, hidden_codes, load_codebook, visible
from corpus.dimensions import Study
from corpus.errors import QdaError
from corpus.locations import PROJECT_ENV
from corpus.notes import Notice
from corpus.project import Project, open_project
from corpus.study import load_project
from people.accounts import Actor, Can
from people.identity import check_coder, coder_for, known_people

CODER_PARAM = "kodare"


@st.cache_resource(show_spinner=False)
def _open(root: str) -> Project:
    project = open_project(Path(root))
    project.channel = "app"
    # What is alive now (Streamlit, pandas, the ORM, the project) lives as long as the
    # server. Frozen, the cyclic collector stops rescanning it: its full passes were
    # long enough to feel, in the middle of a coder's click (BENCHMARKS.md).
    gc.collect()
    gc.freeze()
    return project


class CodebookCache:
    """The project's codebook, reloaded only when the codebook has changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._book = Codebook({})

    def get(self, project: Project) -> Codebook:
        with project.session() as session:
            version = codebook_version(session)
            with self._lock:
                if version != self._version:
                    self._book = load_codebook(session)
                    self._version = version
                return self._book


@st.cache_resource(show_spinner=False)
def _codebooks(root: str) -> CodebookCache:
    return CodebookCache()


@st.cache_resource(show_spinner=False)
def _retrainer(root: str, coder: str | None) -> Retrainer:
    return Retrainer(_open(root), coder)


def project_root() -> str | None:
    root = st.session_state.get("project_root") or os.environ.get(PROJECT_ENV)
    return str(Path(root).resolve()) if root else None


def project() -> Project | None:
    root = project_root()
    if not root:
        return None
    try:
        return _open(root)
    except QdaError as exc:
        st.error(f"Projektet kunde inte öppnas: {ui.text(exc.line())}")
        return None


def use_project(root: str | Path) -> Project:
    """Switch this browser session to another project (opened or just created)."""
    st.session_state["project_root"] = str(Path(root).resolve())
    for key in ("current", "history", "undo"):
        st.session_state.pop(key, None)
    return _open(str(Path(root).resolve()))


_STUDY_SECONDS = 1.0      # a page's run reads the study once; an edit clears it at once
_studies: dict[str, tuple[float, Study]] = {}


def study(proj: Project | None = None) -> Study:
    """The project's areas, participant groups and formats (labels for every page)."""
    proj = proj or project()
    if proj is None:
        return Study()
    key = str(proj.root)
    found = _studies.get(key)
    if found is None or time.monotonic() - found[0] > _STUDY_SECONDS:
        found = (time.monotonic(), load_project(proj))
        _studies[key] = found
    return found[1]


def forget_study(proj: Project) -> None:
    _studies.pop(str(proj.root), None)


def require_project() -> Project:
    proj = project()
    if proj is None:
        st.info("Inget projekt är öppet. Öppna eller skapa ett på sidan **Projekt**.")
        st.stop()
    return proj


def codebook(proj: Project) -> Codebook:
    """The codebook the acting user may see (without codes another coder added in an
    open blind round)."""
    book = _codebooks(str(proj.root)).get(proj)
    with proj.session() as session:
        return visible(book, hidden_codes(session, actor()))


def retrainer(proj: Project, blind_coder: str | None = None) -> Retrainer:
    return _retrainer(str(proj.root), blind_coder)


def known_coders(proj: Project) -> list[str]:
    with proj.session() as session:
        return known_people(session)


def accounts_on(proj: Project | None = None) -> bool:
    """Does this project have users (then everyone logs in, and the coder is the login)?"""
    from app import auth

    proj = proj or project()
    return proj is not None and auth.has_users(proj)


def actor() -> Actor | None:
    """Who is acting on this rerun: the logged-in user, or (a project without users) the
    researcher at this machine under the coder name picked in the sidebar."""
    from app import auth

    if accounts_on():
        return st.session_state.get(auth.ACTOR_KEY)
    return auth.single_user_actor(coder())


def acting() -> Actor:
    """Who acts on this rerun, always an Actor (what the library takes): the logged-in
    user, or in a project without users the researcher at this machine, named "app" (as
    the audit log named them before) until a coder name is picked."""
    from app import auth

    found = actor()
    if found is None:
        if accounts_on():           # the login gate stops a rerun before this
            st.stop()
        found = auth.single_user_actor("app")
    return found


def possible_coders(proj: Project) -> list[str]:
    """Who a round can assign units to: users who may code (with accounts), else every
    known coder and the one at this machine."""
    from people.accounts import GRANTS, Role, users

    with proj.session() as session:
        people = [u.login for u in users(session)
                  if u.disabled_at is None and Can.CODE in GRANTS[Role(u.role)]]
    if people:
        return people
    me = coder()
    return sorted(set(known_coders(proj)) | ({me} if me else set()))


def coder() -> str | None:
    from app import auth

    if accounts_on():
        found = st.session_state.get(auth.ACTOR_KEY)
        return found.login if found is not None else None
    name = st.session_state.get("coder") or st.query_params.get(CODER_PARAM)
    return name or None


def may(what: Can) -> bool:
    """May the actor do this now (role, and what an open blind round hides)?"""
    proj = project()
    if proj is None:
        return False
    with proj.session() as session:
        return access.allowed(session, actor(), what)


def require(what: Can) -> None:
    """Stop the page with a Swedish reason when the actor may not do this; the library
    refuses it below as well."""
    if not may(what):
        found = blind_round(require_project(), coder())
        if found is not None and what in access.HIDDEN_WHEN_BLIND:
            guard_blind(require_project())
        st.warning("Din roll ger inte tillgång till den här sidan.")
        st.stop()


def set_coder(name: str) -> str:
    if accounts_on():
        raise QdaError("the coder is the logged-in user", None, "E607")
    proj = project()
    if proj is not None:
        with proj.session() as session:
            name = coder_for(session, name)
    name = check_coder(name)
    st.session_state["coder"] = name
    st.query_params[CODER_PARAM] = name   # a reload keeps who is coding
    return name


def require_coder() -> str:
    require(Can.CODE)
    name = coder()
    if not name:
        st.info("Välj eller skriv ditt namn som kodare i sidopanelen först: "
                "varje kodning sparas med kodarens namn.")
        st.stop()
    return name


def blind_round(proj: Project, name: str | None):
    """The open blind round this coder is in (or None): it hides the others' work."""
    from coding.rounds import blind_round as find

    with proj.session() as session:
        return find(session, name)


def guard_blind(proj: Project) -> None:
    """Pages that show other coders' work stop here for a coder in a blind round."""
    found = blind_round(proj, coder())
    if found is not None:
        st.info(f"Du kodar blint i **{ui.text(found.name)}**. Andras kodningar, teman och "
                "samstämmighet visas när projektledaren har avslutat omgången.")
        st.stop()


def swedish(text: str) -> str:
    """A note from the library's ingest report in Swedish: every note is coded
    (corpus.notes) and carries its values; the area is named as the app names it."""
    if isinstance(text, Notice):
        return text.swedish(area_label=area_label(text.params.get("area")))
    return text


def area_label(area: str | None) -> str:
    """An area as the open project prints it."""
    return study().areas.label(area, "–") if area else "–"


def act(proj, change) -> None:
    """A change to the project in one transaction (`change(session)`), then a fresh page;
    a refused change shows its Swedish reason and changes nothing."""
    try:
        with proj.transaction() as session:
            change(session)
    except QdaError as exc:
        st.error(f"Ändringen sparades inte: {ui.reason(exc)}")
        return
    forget_study(proj)
    st.cache_data.clear()
    st.rerun()
