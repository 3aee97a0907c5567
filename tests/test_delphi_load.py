"""Forty panelists answering at once on PostgreSQL (the team server), from threads of one
process as the app's server runs them, for a bounded time while the lead watches the
response rates: no acknowledged answer is lost or duplicated, the stored answer is each
panelist's last, and every answer is in the audit log under the panelist's pseudonym."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from corpus.models import AuditEvent, DelphiAnswer
from corpus.project import init_project
from delphi import items, panel, rounds

from .conftest import acting, pg_database

pytestmark = pytest.mark.slow

PANELISTS = 40
ITEMS = 12
SECONDS = 5.0
GROUPS = ["politicians", "second_line_managers", "first_line_managers", "officials",
          "care_staff"]   # the first study's groups (the fixtures' profile)
AREAS = ["Borås", "Fyrbodal", "GR", "Skaraborg", "VGR"]


def test_forty_panelists_answer_at_once_on_postgresql(pg_server, tmp_path):
    with pg_database(pg_server) as url:
        project = init_project(tmp_path / "p", url)
        try:
            with project.transaction() as s:
                study = items.create_study(s, "Belastning", acting("lead"))
                for i in range(ITEMS):
                    items.add_item(s, study.id, f"Indikator {i + 1}", acting("lead"), theme="Tema")
                codes = [panel.add_panelist(s, study.id, GROUPS[k % len(GROUPS)], acting("lead"),
                                            area=AREAS[k % len(AREAS)]).code
                         for k in range(PANELISTS)]
                round_id = rounds.open_round(s, study.id, acting("lead")).id
            start = threading.Barrier(PANELISTS + 1)
            stop = threading.Event()
            acks: list[int] = []              # one per acknowledged answer, all threads

            def panelist(k: int) -> tuple[int, str, dict[int, int | None], int]:
                rng = random.Random(k)
                with project.session() as s:
                    member = panel.panelist_for_code(s, codes[k])
                    _, views = rounds.for_panelist(s, member)
                    member_id, pseudonym = member.id, member.pseudonym
                versions = [v.item_version_id for v in views]
                last: dict[int, int | None] = {}
                calls = 0
                start.wait(timeout=60)
                while not stop.is_set():
                    version = rng.choice(versions)
                    rating = rng.choice([*range(1, 10), None])
                    with project.transaction() as s:
                        member = panel.panelist_for_code(s, codes[k])
                        rounds.answer(s, round_id, member, version, rating,
                                      cannot_judge=rating is None, comment=f"{k}:{calls}")
                    last[version] = rating          # acknowledged: the commit returned
                    calls += 1
                    acks.append(k)
                return member_id, pseudonym, last, calls

            with ThreadPoolExecutor(PANELISTS) as pool:
                futures = [pool.submit(panelist, k) for k in range(PANELISTS)]
                try:
                    start.wait(timeout=60)
                    polls, deadline = 0, time.monotonic() + SECONDS
                    # the lead watches for SECONDS and until the load was real (a loaded
                    # machine answers slowly), two minutes at most
                    while (time.monotonic() < deadline or len(acks) <= PANELISTS * 5) \
                            and time.monotonic() < deadline + 120:
                        with project.session() as s:
                            rates = rounds.response_rates(s, round_id)
                        assert sum(r.invited for r in rates) == PANELISTS
                        polls += 1
                finally:
                    stop.set()                 # the panelists stop whatever happened here
                done = [f.result() for f in futures]
            assert polls > 0

            with project.session() as s:
                stored = {(a.panelist_id, a.item_version_id): a for a in
                          s.scalars(select(DelphiAnswer).where(DelphiAnswer.round_id == round_id))}
                events = list(s.scalars(select(AuditEvent).where(
                    AuditEvent.action == "delphi.answer").order_by(AuditEvent.id)))
            total = sum(calls for *_, calls in done)
            print(f"{total} answers from {PANELISTS} panelists in {SECONDS:g} s, {polls} polls")
            assert total > PANELISTS * 5                 # the load was real
            assert len(stored) == sum(len(last) for _, _, last, _ in done)
            for member_id, _, last, _ in done:
                for version, rating in last.items():
                    answer = stored[(member_id, version)]
                    assert answer.relevance == rating and answer.cannot_judge == (rating is None)
            assert len(events) == total                    # every answer audited, once
            by_actor = Counter(e.actor for e in events)
            assert by_actor == Counter({pseudonym: calls for _, pseudonym, _, calls in done})
            final = {}
            for e in events:                                  # the log replays to the state
                final[e.entity_id] = e.after["relevance"]
            assert final == {a.id: a.relevance for a in stored.values()}
        finally:
            project.close()
