"""Permissions in the library, for every role x action, and blind-round secrecy below the
UI: what the app's pages call refuses what the acting user's role (or an open blind round)
does not allow, whatever widget or query parameter asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from coding import agreement, codes, consensus, queue, review_actions, rounds, unit_view
from coding.codings import accept
from coding.suggestions import suggest
from coding.transcript import transcript_view
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Coding, Segment, Source
from corpus.readers import ReadOptions
from people import accounts
from people.accounts import AccessError, Actor, Role
from people.identity import suggestion_layer
from qda import app as cli
from reports.run import export_bytes
from themes.layers import resolve_layer

from .conftest import SMALL_BOOK, acting, agreed

NOTES = ["Antal SIP per 1000 invånare", "Tillit mellan huvudmännen", "Väntetid i primärvården",
         "SIP i tid före utskrivning", "Förtroende i samverkan", "Telefontider på vårdcentralen"]
TRANSCRIPT = ("Talare 1  00:00:05\nVi behöver mäta SIP bättre. Det saknas i dag.\n\n"
              "Talare 2  00:00:20\nTilliten mellan region och kommun är viktig.\n")
PASSWORD = "ett långt lösenord"
LEAD, CODER, REVIEWER, READER = (Actor("lena", Role.LEAD), Actor("carl", Role.CODER),
                                 Actor("rita", Role.REVIEWER), Actor("lars", Role.READER))
ANNA, BODIL = Actor("anna", Role.CODER), Actor("bodil", Role.CODER)
SECRET = "bodils hemliga motivering"


@pytest.fixture
def team(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f"{'GR' if i % 2 else 'VGR'},{t}\n" for i, t in enumerate(NOTES)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    (tmp_path / "t.txt").write_text(TRANSCRIPT, encoding="utf-8")
    ingest_file(project, tmp_path / "t.txt", ReadOptions(question=2, area="gr"))
    with project.transaction() as s:
        codes.import_doc(s, SMALL_BOOK, acting("admin"))
        for who in (LEAD, CODER, REVIEWER, READER, ANNA, BODIL):
            accounts.add_user(s, who.login, who.role, acting("admin"), password=PASSWORD)
        sip = codes.find_code(s, "Samverkan > SIP").id
        accept(s, 1, sip, "carl")
        agreed(s, 1, sip)
        rounds.create_round(s, ["anna", "bodil"], acting("admin"), units=2, name="runda1", seed=3)
    with project.transaction() as s:
        unit = rounds.assigned(s, rounds.round_info(s, "runda1").id, "bodil")[0]
        accept(s, unit, sip, "bodil", memo=SECRET)
    suggest(project)
    suggest(project, coder="anna")
    return project


def _sip(s) -> int:
    return codes.find_code(s, "Samverkan > SIP").id


def _transcript(s) -> int:
    return s.scalar(select(Source.id).where(Source.kind == "transcript"))


# action -> what it does as `actor` (inside a session that is rolled back afterwards)
ACTIONS = {
    "code": lambda p, s, a: review_actions.accept_code(s, 2, _sip(s), a.login, a),
    "add code while coding": lambda p, s, a: codes.add_code(s, "Ny > Kod", a,
                                                             create_parents=True),
    "edit codebook": lambda p, s, a: codes.rename_code(s, _sip(s), "SIP-plan", a),
    "read queue": lambda p, s, a: queue.queue_page(s, a.login, actor=a),
    "read transcript": lambda p, s, a: transcript_view(s, _transcript(s), a.login, a),
    "read others' codings": lambda p, s, a: transcript_view(s, _transcript(s), "carl", a),
    "read themes": lambda p, s, a: resolve_layer(s, None, a),
    "export bilaga 2": lambda p, s, a: export_bytes(p, "bilaga2", "md", actor=a),
    "export chapter draft": lambda p, s, a: export_bytes(p, "chapter", "md", actor=a),
    "export qdpx": lambda p, s, a: export_bytes(p, "qdpx", actor=a),
    "export qdc": lambda p, s, a: export_bytes(p, "qdc", actor=a),
    "export delphi results": lambda p, s, a: export_bytes(p, "delphi-results", "md", actor=a),
    "export audit log": lambda p, s, a: export_bytes(p, "audit", "csv", actor=a),
    "export metodbilaga": lambda p, s, a: export_bytes(p, "metodbilaga", "md", actor=a),
    "agreement": lambda p, s, a: agreement.compute(s, ["carl", "konsensus"], reps=10,
                                                   actor=a),
    "disagreements": lambda p, s, a: consensus.disagreements(s, ["carl", "lena"], actor=a),
    "resolve": lambda p, s, a: consensus.resolve(s, 1, [_sip(s)], "mötet", a),
    "adopt": lambda p, s, a: consensus.adopt_agreed(s, a, ["carl", "lena"]),
    "create round": lambda p, s, a: rounds.create_round(s, ["carl", "lena"], a, name="r2"),
    "close round": lambda p, s, a: rounds.close_round(s, "runda1", a),
    "manage users": lambda p, s, a: accounts.add_user(s, "ny", "läsare", a,
                                                      password=PASSWORD),
}
# written out, not derived from accounts.GRANTS: this is what the README promises
ALLOWED = {
    "lead": set(ACTIONS),
    "coder": {"code", "add code while coding", "read queue", "read transcript",
              "read others' codings", "read themes", "export bilaga 2", "export qdpx",
              "export qdc", "export delphi results", "agreement", "disagreements",
              "export chapter draft"},
    "reviewer": {"read queue", "read transcript", "read others' codings", "read themes",
                 "export bilaga 2", "export qdpx", "export qdc", "export delphi results",
                 "export audit log", "export metodbilaga", "agreement", "disagreements",
                 "export chapter draft"},
    "reader": {"read themes", "export bilaga 2", "export qdc", "export delphi results"},
}


def attempt(project, action: str, actor: Actor) -> bool:
    """True when the library let the actor do it (other refusals, such as a round with
    too few units, are not about permission and count as allowed)."""
    with project.session() as s:
        try:
            ACTIONS[action](project, s, actor)
        except AccessError:
            return False
        except QdaError:
            return True
        finally:
            s.rollback()
    return True


@pytest.mark.parametrize("actor", [LEAD, CODER, REVIEWER, READER], ids=lambda a: a.role)
def test_every_role_x_action(team, actor):
    got = {action for action in ACTIONS if attempt(team, action, actor)}
    assert got == ALLOWED[actor.role.value]


def test_an_actor_acts_only_as_themselves(team):
    with team.session() as s:
        with pytest.raises(AccessError, match="may not act as coder"):
            review_actions.accept_code(s, 2, _sip(s), "carl", LEAD)
        with pytest.raises(QdaError, match="reserved"):
            review_actions.accept_code(s, 2, _sip(s), "konsensus", LEAD)
        with pytest.raises(AccessError):
            review_actions.annotate(s, 1, "carl", memo="x", actor=ANNA)


def test_a_blind_coder_sees_only_their_own_units_codings_and_suggestions(team):
    with team.session() as s:
        info = rounds.round_info(s, "runda1")
        mine = set(rounds.assigned(s, info.id, "anna"))
        # whatever the caller asks for, the queue holds only anna's units of the round
        for blind in (False, True):
            got = {c.segment_id for c in queue.queue_page(s, "anna", limit=100, blind=blind,
                                                           actor=ANNA)}
            assert got == mine
        assert queue.queue_count(s, "anna", actor=ANNA) == len(mine)
        view = unit_view.segment_view(s, min(mine), "anna", codes.load_codebook(s), actor=ANNA)
        stored = {c.code_id for c in s.scalars(select(Coding).where(
            Coding.segment_id == min(mine), Coding.coder == suggestion_layer("anna")))}
        assert {x.code_id for x in view.suggestions} <= stored
        for action in ("read themes", "export bilaga 2", "export qdpx", "agreement",
                       "disagreements", "read others' codings"):
            assert not attempt(team, action, ANNA), action
        frame = codes.codebook_frame(s, ANNA)        # Kodbok counts: not bodil's codings
        assert frame.accepted.sum() == 0
        assert codes.codebook_frame(s, LEAD).accepted.sum() >= 3
        with pytest.raises(AccessError):
            transcript_view(s, _transcript(s), "bodil", ANNA)
    with team.transaction() as s:
        rounds.close_round(s, "runda1", LEAD)
    assert attempt(team, "read themes", ANNA) and attempt(team, "agreement", ANNA)


def test_the_audit_log_names_the_acting_user(team):
    with team.transaction() as s:
        review_actions.accept_code(s, 3, _sip(s), "carl", CODER)
        rounds.close_round(s, "runda1", LEAD)
        consensus.resolve(s, 3, [_sip(s)], "enligt mötet", LEAD)
    with team.session() as s:
        last = s.execute(select(AuditEvent.actor, AuditEvent.action)
                         .order_by(AuditEvent.id.desc()).limit(3)).all()
    assert last[::-1] == [("carl", "coding.accept"), ("lena", "round.close"),
                          ("lena", "consensus.resolve")]


runner = CliRunner()


def qda(*args: str, input: str | None = None):
    return runner.invoke(cli, list(args), input=input)


def test_cli_blind_code_next_lists_only_assigned_units(team):
    with team.session() as s:
        mine = set(rounds.assigned(s, rounds.round_info(s, "runda1").id, "anna"))
        texts = {s.get(Segment, i).text for i in mine}
        others = {t for t in NOTES if t not in texts}
    out = qda("code", "next", "--coder", "ANNA", "-n", "20", "-p", str(team.root))
    assert out.exit_code == 0, out.output
    assert all(t in out.output for t in texts)
    assert not any(t in out.output for t in others)


@pytest.mark.parametrize("args", [
    ("code", "accept", "2", "Samverkan > SIP", "--coder", "konsensus"),
    ("code", "accept", "2", "Samverkan > SIP", "--coder", "Förslagsgruppen"),
    ("code", "accept", "2", "Samverkan > SIP", "--coder", "bertil"),
    ("round", "create", "--coders", "anna,konsensus"),
])
def test_cli_refuses_reserved_and_unknown_coders(team, args):
    out = qda(*args, "-p", str(team.root))
    assert out.exit_code == 1
    assert "reserved" in out.output or "not an enabled user" in out.output


def test_cli_coder_names_fold_to_the_user(team):
    out = qda("code", "accept", "2", "Samverkan > SIP", "--coder", "Carl", "-p",
              str(team.root))
    assert out.exit_code == 0, out.output
    with team.session() as s:
        coders = set(s.scalars(select(Coding.coder).where(Coding.code_id == _sip(s),
                                                          Coding.status == "accepted")))
    assert "carl" in coders and "Carl" not in coders


def test_cli_users_commands(sqlite_project):
    root = str(sqlite_project.root)
    out = qda("users", "add", "Maja", "--role", "projektledare", "--name", "Maja M",
              "--password-stdin", "-p", root, input=PASSWORD + "\n")
    assert out.exit_code == 0 and "added maja (projektledare)" in out.output
    out = qda("users", "add", "olle", "--role", "kodare", "--invite", "-p", root)
    code = out.output.split("invitation code for olle: ")[1].split()[0]
    out = qda("users", "add", "kort", "--role", "kodare", "--password-stdin", "-p", root,
              input="kort\n")
    assert out.exit_code == 1 and "at least 10" in out.output
    assert qda("users", "set-role", "olle", "granskare", "-p", root).exit_code == 0
    out = qda("users", "disable", "maja", "-p", root)
    assert out.exit_code == 1 and "only enabled projektledare" in out.output
    assert qda("users", "add", "nils", "--role", "projektledare", "--password-stdin", "-p",
               root, input=PASSWORD + "\n").exit_code == 0
    assert qda("users", "disable", "maja", "-p", root).exit_code == 0
    listed = qda("users", "list", "--json", "-p", root)
    import json

    rows = {r["login"]: r for r in json.loads(listed.output)}
    assert rows["maja"]["state"] == "disabled" and rows["olle"]["state"] == "invited"
    assert rows["olle"]["role"] == "reviewer"
    with sqlite_project.transaction() as s:
        assert isinstance(accounts.redeem_invitation(s, "olle", code, PASSWORD), Actor)
    out = qda("users", "reset-password", "olle", "--invite", "-p", root)
    assert "invitation code for olle" in out.output
    assert qda("users", "link-sso", "olle", "olle@region.se", "-p", root).exit_code == 0


def test_app_refuses_a_network_address_without_users(sqlite_project, tmp_path):
    out = qda("app", str(sqlite_project.root), "--host", "0.0.0.0")
    assert out.exit_code == 1 and "has no users" in out.output
    out = qda("app", str(sqlite_project.root), "--tls-cert", str(tmp_path / "c.pem"))
    assert out.exit_code == 1 and "both --tls-cert and --tls-key" in out.output


def test_app_on_a_taken_port_fails_before_saying_it_started(sqlite_project):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = qda("app", str(sqlite_project.root), "--port", str(port))
    assert out.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in out.output and "E240" in out.output
    assert "workshop-qda:" not in out.output        # no line that looks like a start


def test_the_app_never_asks_the_internet_for_its_address():
    from app.serve import streamlit_command

    command = streamlit_command(Path("/p"), "0.0.0.0", 8501)
    assert command[command.index("--browser.serverAddress") + 1]
    assert "--browser.serverAddress" not in streamlit_command(Path("/p"), "127.0.0.1", 8501)


def test_tls_paths_relative_to_where_the_command_was_typed(sqlite_project, tmp_path,
                                                          monkeypatch):
    """B4: `qda app --tls-cert cert.pem --tls-key key.pem` from another folder than the
    project's hands Streamlit the files that were meant, although it changes directory."""
    import os

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "cert.pem").write_text("cert", encoding="utf-8")
    (elsewhere / "key.pem").write_text("key", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("QDA_PROJECT", str(sqlite_project.root))
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda exe, argv: started.append(argv))
    monkeypatch.delenv("PYTHONPATH", raising=False)     # put back after the test
    out = qda("app", str(sqlite_project.root), "--tls-cert", "cert.pem", "--tls-key",
              "key.pem")
    assert out.exit_code == 0, out.output
    command = started[0]
    for option, name in (("--server.sslCertFile", "cert.pem"),
                         ("--server.sslKeyFile", "key.pem")):
        given = Path(command[command.index(option) + 1])
        assert given.is_absolute() and given.is_file() and given == elsewhere / name
    # the app imports the library this command came from, whatever folder it runs in
    root = str(Path(__file__).resolve().parents[1])
    assert os.environ["PYTHONPATH"].split(os.pathsep)[0] == root


HIDDEN = "Samverkan > BOS-HEMLIGA-TEMA"


def test_a_code_added_in_a_blind_round_is_its_creators_until_the_round_closes(team):
    """B1: bodil, blind in runda1, adds a code while coding; anna (blind in the same round)
    and carl (not in it) find it nowhere: not in the picker's codebook, Kodbok's table and
    counts, the YAML or .qdc download, nor among the suggestions made for them. Bodil and
    the lead see it; once the round closes it is in the codebook for everyone."""
    from coding.codes import codebook_frame, export_doc, hidden_codes, load_codebook, visible

    with team.transaction() as s:
        secret = codes.add_code(s, HIDDEN, BODIL, origin="emergent").id
        unit = rounds.assigned(s, rounds.round_info(s, "runda1").id, "bodil")[0]
        review_actions.accept_code(s, unit, secret, "bodil", BODIL)
    suggest(team)
    suggest(team, coder="anna")
    with team.session() as s:
        for who in (ANNA, CODER, READER):
            assert secret in hidden_codes(s, who)
            book = visible(load_codebook(s), hidden_codes(s, who))     # the app's picker
            assert secret not in book.codes and _sip(s) in book.codes
            assert HIDDEN not in set(codebook_frame(s, who).code)
            assert "BOS-HEMLIGA" not in export_doc(s, "p", actor=who).to_yaml()
        for who in (BODIL, LEAD):
            assert HIDDEN in set(codebook_frame(s, who).code)
            assert "BOS-HEMLIGA" in export_doc(s, "p", actor=who).to_yaml()
        suggested = set(s.scalars(select(Coding.coder).where(Coding.code_id == secret,
                                                             Coding.status == "suggested")))
        assert not suggested & {suggestion_layer(), suggestion_layer("anna")}
    qdc = export_bytes(team, "qdc", actor=CODER).data.decode()
    assert "BOS-HEMLIGA" not in qdc and "SIP" in qdc
    assert "BOS-HEMLIGA" in export_bytes(team, "qdc", actor=LEAD).data.decode()
    with team.transaction() as s:
        rounds.close_round(s, "runda1", LEAD)
    with team.session() as s:
        assert not hidden_codes(s, ANNA)
        assert HIDDEN in set(codebook_frame(s, ANNA).code)


def test_a_blind_coder_sees_only_their_own_project_counts(team):
    """B6: Projekt's totals for a coder in an open blind round are their own."""
    from corpus.status import totals

    everyone = totals(team)
    assert everyone["codings"] >= 3 and everyone["coders"] >= 2
    with team.transaction() as s:
        unit = rounds.assigned(s, rounds.round_info(s, "runda1").id, "anna")[0]
        review_actions.accept_code(s, unit, _sip(s), "anna", ANNA)
    own = totals(team, own="anna")
    assert own["codings"] == 1 and own["coders"] == 1
    with team.session() as s:
        assert own["suggestions"] == s.scalar(select(func.count()).select_from(Coding).where(
            Coding.coder == suggestion_layer("anna"), Coding.status == "suggested"))
    assert own["segments"] == everyone["segments"]


def test_the_audit_log_names_the_terminal_user_and_the_channel(team, monkeypatch):
    """B3: `QDA_CODER=lena qda users add …` is logged for lena *from the command line by*
    the operating-system user at the terminal; the app's and an import's events say
    theirs."""
    import getpass

    from corpus.audit import audit_frame

    out = runner.invoke(cli, ["users", "add", "mallory", "--role", "projektledare",
                              "--invite", "-p", str(team.root)], env={"QDA_CODER": "lena"})
    assert out.exit_code == 0, out.output
    with team.session() as s:
        added = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.add")
                          .order_by(AuditEvent.id.desc())).first()
        ingested = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "ingest")).first()
        frame = audit_frame(s)
    assert (added.actor, added.channel, added.os_user) == ("lena", "cli", getpass.getuser())
    assert (ingested.channel, ingested.os_user) == ("import", None)
    team.channel = "app"
    with team.transaction() as s:
        review_actions.accept_code(s, 3, _sip(s), "carl", CODER)
    with team.session() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.actor, last.channel, last.os_user) == ("carl", "app", None)
    row = frame[frame["Id"] == added.id].iloc[0]
    assert (row["Kanal"], row["OS-användare"]) == ("cli", getpass.getuser())
