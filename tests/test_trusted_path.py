"""One trusted path (issue 41): every public library function that acts for someone takes
an `Actor`, never a plain name, and a plain name is refused (E614) instead of silently
getting every right. Read from the signatures, so a new entry point is held to it too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import select

from coding import access, codes, review_actions
from corpus import study
from corpus.actors import LIBRARY, NotAnActor, system_actor
from corpus.errors import QdaError
from corpus.models import AuditEvent
from corpus.readers import ReadOptions
from delphi import items
from people import accounts
from people.accounts import Actor, Can, Role

from .conftest import SMALL_BOOK, acting

LIBRARY_PACKAGES = ("coding", "corpus", "people", "themes", "delphi", "refi", "reports")
# Parameter names that would mean the acting person. `by` is not one here: it names the
# dimension a table is grouped by ("area"); `author` is a post-it's writer in the material.
ACTING_NAMES = frozenset({"actor", "acting", "who", "by_whom", "decided_by", "admin", "lead",
                          "acting_user"})
# None has a documented meaning in these annotations (coding.access: the library reading
# for itself, treated as `LIBRARY`; for a decision, the coder themself): allowed only as an
# optional parameter, or in the modules that define that meaning.
NONE_DEFINED_IN = frozenset({"coding.access", "corpus.actors"})
# The few functions that take "who" as a name on purpose: the audit log's writer takes the
# login an entry point already checked; `checked` is the check itself.
NAMES_ON_PURPOSE = frozenset({"corpus.actors.checked"})


def _public_functions():
    for package in LIBRARY_PACKAGES:
        root = importlib.import_module(package)
        modules = [root, *(importlib.import_module(m.name)
                           for m in pkgutil.walk_packages(root.__path__, f"{package}.")
                           if ".migrations" not in m.name)]
        for module in modules:
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                    continue
                if inspect.isfunction(obj):
                    yield module.__name__, name, obj
                elif inspect.isclass(obj):
                    for attr, method in vars(obj).items():
                        if inspect.isfunction(method) and (attr == "__init__"
                                                           or not attr.startswith("_")):
                            yield module.__name__, f"{name}.{attr}", method


def _acting_parameters():
    for module, name, function in _public_functions():
        for parameter in inspect.signature(function).parameters.values():
            if parameter.name in ACTING_NAMES:
                yield module, name, parameter


def test_the_walk_finds_the_entry_points():
    """Guard against a walk that finds nothing and so passes everything."""
    found = {f"{m}.{n}" for m, n, _ in _acting_parameters()}
    for entry in ("coding.codes.add_code", "coding.review_actions.accept_code",
                  "corpus.study.rename_value", "corpus.ingest.ingest_file",
                  "corpus.project.init_project", "people.accounts.add_user",
                  "delphi.items.create_study",
                  "refi.importer.import_qdpx", "reports.run.export",
                  "coding.consensus.resolve", "coding.rounds.create_round",
                  "corpus.workshops.add_workshop", "coding.suggestions.suggest"):
        assert entry in found
    assert len(found) > 80


def test_no_public_function_takes_a_plain_name_as_its_actor():
    wrong = []
    for module, name, parameter in _acting_parameters():
        if f"{module}.{name}" in NAMES_ON_PURPOSE:
            continue
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(
            annotation, "__name__", repr(annotation))
        optional = text == "Actor | None" and (parameter.default is None
                                               or module in NONE_DEFINED_IN)
        if text != "Actor" and not optional:
            wrong.append(f"{module}.{name}({parameter.name}: {text})")
    assert wrong == []


def test_defaults_are_system_actors_never_names():
    for module, name, parameter in _acting_parameters():
        default = parameter.default
        assert default in (inspect.Parameter.empty, None) or (
            isinstance(default, Actor) and default.system), f"{module}.{name}"


def test_a_plain_name_is_refused_at_the_gate(project):
    with project.session() as s:
        for call in (lambda: access.require(s, "lena", Can.MANAGE_USERS),
                     lambda: access.allowed(s, "lena", Can.READ_CODINGS),
                     lambda: access.require_coder(s, "lena", "anna"),
                     lambda: access.require_layer(s, "lena", "anna"),
                     lambda: accounts.require_role("lena", Can.MANAGE_USERS)):
            with pytest.raises(NotAnActor, match="must be an Actor, not str 'lena'") as err:
                call()
            assert err.value.code == "E614"
            assert isinstance(err.value, TypeError) and isinstance(err.value, QdaError)


def test_a_plain_name_changes_nothing_anywhere(project, tmp_path):
    """Entry points of each package refuse a name and write nothing, not even to the log."""
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Tillit mellan huvudmännen\n",
                                    encoding="utf-8")
    from corpus.ingest import ingest_file
    from corpus.workshops import add_workshop

    with pytest.raises(NotAnActor):
        ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1), actor="lena")
    with pytest.raises(NotAnActor):
        add_workshop(project, actor="lena", label="W1", area="GR")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("lena"))
    with project.session() as s:
        events = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        sip = codes.find_code(s, "Samverkan > SIP").id
    refused = [
        lambda s: codes.add_code(s, "Samverkan > Ny", "lena"),
        lambda s: codes.rename_code(s, sip, "SIP-planer", "lena"),
        lambda s: review_actions.accept_code(s, 1, sip, "lena", "lena"),
        lambda s: study.rename_value(s, "area", "GR", "Göteborg", "lena"),
        lambda s: accounts.add_user(s, "mallory", Role.LEAD, "lena", password="x" * 20),
        lambda s: items.create_study(s, "Delphi", "lena"),
        lambda s: codes.codebook_frame(s, "lena"),
    ]
    for call in refused:
        with project.transaction() as s, pytest.raises(NotAnActor):
            call(s)
    with project.session() as s:
        assert s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == events


def test_actors_act_and_the_log_keeps_login_channel_and_os_user(project):
    """A system actor (the command line) is refused nothing and recorded by its login;
    the channel and the person at the terminal come from how the project was opened."""
    cli = system_actor("lena", channel="cli", os_user="root")
    assert cli.may(Can.MANAGE_USERS) and LIBRARY.login == "qda"
    project.channel, project.os_user = "cli", "root"
    with project.transaction() as s:
        codes.add_code(s, "Samverkan", cli)
    with project.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor, event.channel, event.os_user) == ("lena", "cli", "root")


def test_a_user_is_still_held_to_their_role(project):
    with project.transaction() as s, pytest.raises(accounts.AccessError):
        codes.add_code(s, "Samverkan", Actor("lars", Role.READER))


def test_the_command_line_acts_as_a_system_actor_naming_the_terminal(monkeypatch):
    from cli import common

    monkeypatch.setenv("QDA_CODER", "lena")
    made = common.actor()
    assert (made.login, made.system, made.channel, made.os_user) == (
        "lena", True, "cli", common.os_user())
    assert common.actor("anna").login == "anna"    # a decision recorded for its coder
