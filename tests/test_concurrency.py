"""Several coder processes on one project at once, on SQLite (WAL) and PostgreSQL: every
acknowledged action is in the database exactly once, the audit log replays to the final
state, conflicting edits of one coding apply one after the other (the later wins, both
logged), and no process sees a lock error."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from coding import codes, codings
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Coding
from corpus.project import open_project
from corpus.readers import ReadOptions

from .conftest import SMALL_BOOK, acting

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

PROCESSES = 8
CODERS = ["anna", "bo", "cecilia", "david"]     # two processes per coder: real conflicts
SECONDS = 4.0
ATTEMPTS = 30                                   # per process, however loaded the machine

BOOK = SMALL_BOOK


def coder_process(root: str, number: int, seconds: float, go: Path) -> dict:
    """Code, recode and remove at random for `seconds` and at least ATTEMPTS times (a
    loaded CI machine gave 69 actions in all once); report what was acknowledged.
    Run as its own interpreter (`python -m tests.test_concurrency ...`), as coders are."""
    rng = random.Random(number)
    coder = CODERS[number % len(CODERS)]
    acked, noops, errors = [], 0, []
    try:
        project = open_project(root)
        with project.session() as s:
            code_ids = [c for c in codes.load_codebook(s).codes]
        print("ready", flush=True)
        while not go.exists():            # every process starts at once
            time.sleep(0.01)
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline or n < ATTEMPTS:
            n += 1
            tag = f"p{number}-{n}"
            segment, code = rng.randint(1, 6), rng.choice(code_ids)
            action = rng.choice(["accept", "accept", "reject", "remove"])
            try:
                with project.transaction() as s:
                    if action == "remove":
                        done = codings.remove(s, segment, code, coder, memo=tag)
                    else:
                        getattr(codings, action)(s, segment, code, coder, memo=tag)
                        done = True
                if done:
                    acked.append(tag)       # committed: the transaction returned
                else:
                    noops += 1
            except Exception as exc:        # noqa: BLE001 - the test reports every one
                errors.append(f"{tag} {action}: {exc.__class__.__name__}: {exc}"[:300])
        project.close()
    except Exception as exc:                # noqa: BLE001
        errors.append(f"setup: {exc.__class__.__name__}: {exc}"[:300])
    return {"acked": acked, "noops": noops, "errors": errors}


def test_eight_coder_processes_lose_nothing_and_the_log_replays(project, tmp_path):
    (tmp_path / "n.csv").write_text("Område,Inlägg\n" + "".join(
        f"GR,Lapp nummer {i} om samverkan\n" for i in range(1, 7)), encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1))
    with project.transaction() as s:
        codes.import_doc(s, BOOK, acting("lead"))
        start = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    go = tmp_path / "go"
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.test_concurrency", str(project.root), str(i),
         str(SECONDS), str(go)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for i in range(PROCESSES)]
    for w in workers:                     # all have opened the project
        assert w.stdout.readline().strip() == "ready", w.stderr.read()
    go.touch()
    results = []
    for w in workers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
        results.append(json.loads(out))
    errors = [e for r in results for e in r["errors"]]
    assert errors == [], errors[:5]
    acked = [tag for r in results for tag in r["acked"]]
    assert len(acked) > 100, "the processes hardly ran"

    with project.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.id > start)
                           .order_by(AuditEvent.id)).all()
        final = {(c.segment_id, c.code_id, c.coder): (c.status, c.memo)
                 for c in s.scalars(select(Coding))}
    # every acknowledged action is logged exactly once, and nothing else is
    logged = Counter(e.memo for e in events)
    assert set(logged) == set(acked) and set(logged.values()) == {1}
    # replaying the log in its order gives the final state of every coding
    replay: dict[tuple, tuple | None] = {}
    for e in events:
        state = e.after or e.before
        key = (state["segment_id"], state["code_id"], state["coder"])
        replay[key] = (e.after["status"], e.after["memo"]) if e.after else None
    assert {k: v for k, v in replay.items() if v is not None} == final
    # conflicts really happened: the same coding changed by both of a coder's processes
    by_key: dict[tuple, set[str]] = {}
    for e in events:
        state = e.after or e.before
        by_key.setdefault((state["segment_id"], state["code_id"], state["coder"]),
                          set()).add(e.memo.split("-")[0])
    assert any(len(p) > 1 for p in by_key.values())


if __name__ == "__main__":
    root_, number_, seconds_, go_ = sys.argv[1:5]
    print(json.dumps(coder_process(root_, int(number_), float(seconds_), Path(go_))))
