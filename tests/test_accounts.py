"""Accounts: users and roles, password and invitation logins, the rate limit, sessions,
single sign-on mapping, and the coder names the CLI accepts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from corpus.errors import QdaError
from corpus.models import AuditEvent, LoginAttempt, User, UserSession, utcnow
from people import accounts
from people.accounts import Actor, LoginRefused, Role
from people.identity import CONSENSUS, check_coder, coder_for, is_reserved

from .conftest import acting

PASSWORD = "ett långt lösenord"


@pytest.fixture
def team(project):
    with project.transaction() as s:
        accounts.add_user(s, "lena", Role.LEAD, acting("admin"), "Lena Lind", PASSWORD)
        accounts.add_user(s, "Anna", "kodare", acting("admin"), password=PASSWORD)
    return project


def events(project, action: str) -> list[AuditEvent]:
    with project.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def test_passwords_are_stored_as_argon2_hashes_only(team):
    with team.session() as s:
        rows = list(s.scalars(select(User)))
    assert {u.login for u in rows} == {"lena", "anna"}          # logins in lower case
    for u in rows:
        assert u.password_hash.startswith("$argon2id$")
        assert PASSWORD not in u.password_hash
    with team.session() as s:
        texts = [str(e.after) for e in s.scalars(select(AuditEvent))]
    assert not any(PASSWORD in t for t in texts)


def test_login_with_the_right_password_names_the_actor_and_is_audited(team):
    with team.transaction() as s:
        actor = accounts.authenticate(s, " ANNA ", PASSWORD)
    assert actor == Actor("anna", Role.CODER, "anna", actor.user_id)
    assert [e.actor for e in events(team, "auth.login")] == ["anna"]


def test_wrong_password_unknown_login_and_disabled_user_get_the_same_answer(team):
    with team.transaction() as s:
        accounts.disable_user(s, "anna", acting("admin"))
    answers = []
    for login, password in (("lena", "fel lösenord!"), ("nobody", PASSWORD),
                            ("anna", PASSWORD)):
        with team.transaction() as s:
            answers.append(accounts.authenticate(s, login, password))
    assert all(isinstance(a, LoginRefused) for a in answers)
    assert {str(a) for a in answers} == {"wrong login or password [E610]"}
    failed = events(team, "auth.login_failed")
    assert [e.after["login"] for e in failed] == ["lena", "?", "anna"]
    assert failed[2].after["reason"] == "disabled"


def _fail(team, login: str, client: str | None, password: str = "fel lösenord!"):
    with team.transaction() as s:
        return accounts.authenticate(s, login, password, client)


def test_failures_slow_one_login_from_one_client_never_its_owner_elsewhere(team):
    """B5: wrong passwords typed from one client make that client wait ever longer for
    that login; the owner, from their own client, logs in at once."""
    attacker, owner = "10.0.0.66", "10.0.0.1"
    for _ in range(accounts.FREE_FAILURES):
        assert _fail(team, "lena", attacker).code == "E610"
    logged = len(events(team, "auth.login_failed"))
    sixth = _fail(team, "lena", attacker, PASSWORD)          # right, but it must wait
    assert isinstance(sixth, LoginRefused) and sixth.code == "E611"
    assert "wait 2 seconds" in sixth.reason
    assert len(events(team, "auth.login_failed")) == logged   # a refused wait adds no row
    assert isinstance(_fail(team, "lena", owner, PASSWORD), Actor)   # not a lock-out
    with team.transaction() as s:       # the wait has passed: one more try, then twice as long
        s.execute(update(LoginAttempt).values(at=utcnow() - dt.timedelta(seconds=3)))
    assert _fail(team, "lena", attacker).code == "E610"
    assert "wait 4 seconds" in _fail(team, "lena", attacker, PASSWORD).reason
    with team.transaction() as s:
        s.execute(update(LoginAttempt).values(at=utcnow() - dt.timedelta(seconds=5)))
    assert isinstance(_fail(team, "lena", attacker, PASSWORD), Actor)


def test_a_failed_login_for_an_unknown_name_keeps_none_of_the_typed_text(team):
    """B5: what a stranger types as a login never enters the append-only audit log, and
    slowing down unknown names does not tell which names exist."""
    typed = "![x](http://127.0.0.1:9/x.png) " + "lång text " * 20
    assert _fail(team, typed, "10.0.0.7").code == "E610"
    event = events(team, "auth.login_failed")[-1]
    assert event.actor == "?" and event.after == {"login": "?", "reason": "unknown_login",
                                                  "client": "10.0.0.7"}
    with team.session() as s:
        stored = " ".join(f"{e.actor} {e.after} {e.memo}" for e in s.scalars(
            select(AuditEvent))) + " ".join(s.scalars(select(LoginAttempt.login)))
    assert "127.0.0.1:9" not in stored and "lång text" not in stored
    for _ in range(accounts.FREE_FAILURES):
        _fail(team, "okand1", "10.0.0.8")
    assert _fail(team, "okand2", "10.0.0.8").code == "E610"   # not slowed: like "lena"


def test_failures_are_limited_per_client_and_globally(team, monkeypatch):
    monkeypatch.setattr(accounts, "CLIENT_PER_MINUTE", 3)
    for login in ("lena", "anna", "okand"):
        assert _fail(team, login, "10.0.0.9").code == "E610"
    assert _fail(team, "anna", "10.0.0.9", PASSWORD).code == "E630"   # guessing spread out
    assert isinstance(_fail(team, "anna", "10.0.0.10", PASSWORD), Actor)
    monkeypatch.setattr(accounts, "GLOBAL_PER_MINUTE", 5)
    for client in ("10.0.1.1", "10.0.1.2"):
        _fail(team, "lena", client)
    assert _fail(team, "anna", "10.0.1.3", PASSWORD).code == "E631"   # a stranger waits
    assert isinstance(_fail(team, "anna", "10.0.0.10", PASSWORD), Actor)   # known client
    with team.transaction() as s:
        s.execute(update(LoginAttempt).values(at=utcnow() - dt.timedelta(minutes=2)))
    assert isinstance(_fail(team, "anna", "10.0.1.3", PASSWORD), Actor)


def test_an_invitation_code_becomes_a_password_once(project):
    with project.transaction() as s:
        accounts.add_user(s, "lena", Role.LEAD, acting("admin"), password=PASSWORD)
        user, code = accounts.add_user(s, "bo", "granskare", acting("admin"))
    assert code and user.password_hash is None
    with project.transaction() as s:
        assert isinstance(accounts.authenticate(s, "bo", code), LoginRefused)
    with project.transaction() as s, pytest.raises(QdaError, match="at least 10"):
        accounts.redeem_invitation(s, "bo", code, "kort")
    with project.transaction() as s:
        assert isinstance(accounts.redeem_invitation(s, "bo", "fel-kod", PASSWORD),
                          LoginRefused)
    with project.transaction() as s:
        actor = accounts.redeem_invitation(s, "bo", code, PASSWORD)
    assert actor.role is Role.REVIEWER
    with project.transaction() as s:      # used up
        assert isinstance(accounts.redeem_invitation(s, "bo", code, PASSWORD), LoginRefused)
    with project.transaction() as s:
        assert isinstance(accounts.authenticate(s, "bo", PASSWORD), Actor)


def test_an_expired_invitation_is_refused(project):
    with project.transaction() as s:
        accounts.add_user(s, "lena", Role.LEAD, acting("admin"), password=PASSWORD)
        _, code = accounts.add_user(s, "bo", "kodare", acting("admin"))
        s.execute(update(User).values(invitation_expires=dt.datetime(2000, 1, 1)))
    with project.transaction() as s:
        assert isinstance(accounts.redeem_invitation(s, "bo", code, PASSWORD), LoginRefused)


def test_sessions_resume_end_at_logout_idle_time_and_when_disabled(team):
    with team.transaction() as s:
        actor = accounts.authenticate(s, "anna", PASSWORD)
        token = accounts.start_session(s, actor)
        other = accounts.start_session(s, actor)
    with team.session() as s:
        assert s.scalar(select(UserSession.token_hash)) != token     # only a hash is kept
    with team.transaction() as s:
        assert accounts.resume_session(s, token) == actor
        accounts.end_session(s, token)
    with team.transaction() as s:
        assert accounts.resume_session(s, token) is None
        assert accounts.resume_session(s, "made-up") is None
        s.execute(update(UserSession).values(last_seen=utcnow() - dt.timedelta(hours=9)))
    with team.transaction() as s:
        assert accounts.resume_session(s, other) is None            # idle for 9 h > 8 h
    with team.transaction() as s:
        fresh = accounts.start_session(s, actor)
    with team.transaction() as s:
        assert accounts.resume_session(s, fresh, dt.timedelta(minutes=1)) == actor
        accounts.disable_user(s, "anna", acting("admin"))
    with team.transaction() as s:
        assert accounts.resume_session(s, fresh) is None
    assert [e.actor for e in events(team, "auth.logout")] == ["anna"]


def test_users_are_disabled_never_deleted_and_roles_change_audited(team):
    with team.transaction() as s:
        accounts.set_role(s, "anna", "granskare", acting("admin"))
        accounts.disable_user(s, "anna", acting("admin"))
        accounts.enable_user(s, "anna", acting("admin"))
    with team.session() as s:
        anna = accounts.get_user(s, "anna")
    assert anna.role == "reviewer" and anna.disabled_at is None
    assert [e.action for e in events(team, "user.role")] == ["user.role"]
    assert len(events(team, "user.disable")) == len(events(team, "user.enable")) == 1


@pytest.mark.parametrize("login", ["konsensus", "förslag", "Förslagsgruppen", "a b", "",
                                   "-x"])
def test_reserved_and_malformed_logins_are_refused(project, login):
    with project.transaction() as s, pytest.raises(QdaError, match="reserved|must be 1-100"):
        accounts.add_user(s, login, "projektledare", acting("admin"), password=PASSWORD)


def test_the_project_always_keeps_an_enabled_lead(project):
    with project.transaction() as s, pytest.raises(QdaError, match="first user must be"):
        accounts.add_user(s, "anna", "kodare", acting("admin"), password=PASSWORD)
    with project.transaction() as s:
        accounts.add_user(s, "lena", "projektledare", acting("admin"), password=PASSWORD)
    for change in (lambda s: accounts.set_role(s, "lena", "kodare", acting("admin")),
                   lambda s: accounts.disable_user(s, "lena", acting("admin"))):
        with project.transaction() as s, pytest.raises(QdaError, match="only enabled"):
            change(s)
    with project.transaction() as s:
        accounts.add_user(s, "olof", "projektledare", acting("admin"), password=PASSWORD)
        accounts.disable_user(s, "lena", acting("admin"))      # olof leads now


def test_only_a_lead_manages_users(team):
    coder = Actor("anna", Role.CODER)
    with team.transaction() as s, pytest.raises(accounts.AccessError):
        accounts.add_user(s, "eve", "projektledare", coder, password=PASSWORD)
    lead = Actor("lena", Role.LEAD)
    with team.transaction() as s:
        accounts.add_user(s, "eve", "läsare", lead, password=PASSWORD)
    assert events(team, "user.add")[-1].actor == "lena"


def test_single_sign_on_maps_a_provider_user_and_refuses_the_unmapped(team):
    with team.transaction() as s:
        accounts.link_sso(s, "anna", "Anna.Berg@Region.se", acting("admin"))
    with team.transaction() as s:
        assert accounts.sso_actor(s, "anna.berg@region.se").login == "anna"
        refused = accounts.sso_actor(s, "someone@region.se")
    assert isinstance(refused, LoginRefused)
    with team.transaction() as s:
        accounts.disable_user(s, "anna", acting("admin"))
    with team.transaction() as s:
        assert isinstance(accounts.sso_actor(s, "anna.berg@region.se"), LoginRefused)
    assert len(events(team, "auth.sso_refused")) == 2


@pytest.mark.parametrize("name", ["förslagsgruppen", "Förslag:anna", "KONSENSUS", " ", ""])
def test_reserved_coder_names_can_never_be_chosen(name):
    assert is_reserved(name) or not name.strip()
    with pytest.raises(QdaError, match="reserved"):
        check_coder(name)


def test_one_person_is_one_coder_whatever_the_case(project, tmp_path):
    from coding import codes, codings
    from corpus.ingest import ingest_file
    from corpus.readers import ReadOptions

    from .conftest import SMALL_BOOK

    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP\n", encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        assert coder_for(s, "Anna") == "Anna"          # a new name keeps its spelling
        codes.import_doc(s, SMALL_BOOK, acting("x"))
        codings.accept(s, 1, codes.find_code(s, "Samverkan > SIP").id, "anna")
    with project.session() as s:
        assert coder_for(s, " ANNA ") == "anna"        # the stored spelling wins


def test_with_accounts_a_coder_must_be_an_enabled_user(team):
    with team.session() as s:
        assert coder_for(s, "ANNA") == "anna"
        with pytest.raises(QdaError, match="not an enabled user"):
            coder_for(s, "bertil")
        assert coder_for(s, "lena") != CONSENSUS
    with team.transaction() as s:
        accounts.disable_user(s, "anna", acting("admin"))
    with team.session() as s, pytest.raises(QdaError, match="not an enabled user"):
        coder_for(s, "anna")


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password123", "qwertyuiop1",
                                      "lindlena2024"])
def test_common_and_patterned_passwords_are_refused(team, password):
    """Length alone let "aaaaaaaaaa" through; zxcvbn's lists and patterns do not, nor the
    login with a year."""
    with team.transaction() as s, pytest.raises(QdaError) as refused:
        accounts.add_user(s, "lindlena", Role.CODER, acting("admin"), "Lena Lind", password)
    assert refused.value.code == "E632"


def test_a_user_changes_their_own_password_with_the_old_one(team):
    with team.transaction() as s:
        lena = accounts.authenticate(s, "lena", PASSWORD)
        here, elsewhere = (accounts.start_session(s, lena) for _ in range(2))
    new = "tre orelaterade ord här"
    with team.transaction() as s:
        wrong = accounts.change_password(s, lena, "inte det gamla lösenordet", new,
                                         here, "10.0.0.1")
    assert isinstance(wrong, LoginRefused) and wrong.code == "E633"
    assert events(team, "auth.login_failed")[-1].after["reason"] == "wrong_current_password"
    with team.transaction() as s, pytest.raises(QdaError, match="too easy"):
        accounts.change_password(s, lena, PASSWORD, "aaaaaaaaaaaa", here)
    with team.transaction() as s:
        assert accounts.change_password(s, lena, PASSWORD, new, here) is None
    with team.transaction() as s:
        assert accounts.resume_session(s, here) == lena          # this browser goes on
        assert accounts.resume_session(s, elsewhere) is None     # every other one ends
        assert isinstance(accounts.authenticate(s, "lena", PASSWORD), LoginRefused)
        assert accounts.authenticate(s, "lena", new) == lena
    assert [e.actor for e in events(team, "user.password")] == ["lena"]
