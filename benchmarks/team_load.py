"""A team at work: N coders coding a blind round at once on one server process, on each
store, with the retraining pool running; latency per action and a count of codings lost,
duplicated or misattributed (each must be 0), and the memory of each retraining worker.

Every coder is a thread of this process, as every browser session is a thread of the
app's server, and does what the Kodning page does for a key press: the next unit of the
round (a read), then accept a code on it (one transaction through `Project.retried`),
then tell the retrainer. A coder presses a key every THINK_S seconds.

    source scripts/pg.sh && PYTHONPATH=. .venv/bin/python benchmarks/team_load.py \
        [--coders 5 10] [--seconds 30]

Writes the "team-load" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from report import write_section
from sqlalchemy import select
from stores import drop_database, pg_database

from coding import queue, review_actions, rounds
from coding.background import Retrainer, WorkerPool
from coding.codes import load_codebook
from coding.demo import build_coded_demo
from corpus.actors import system_actor
from corpus.migrate_store import migrate_store
from corpus.models import AuditEvent, Coding
from corpus.project import Project, open_project

THINK_S = 0.3        # between one coder's key presses


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def run(project: Project, coders: list[str], seconds: float) -> dict:
    with project.transaction() as s:
        info = rounds.create_round(s, coders, system_actor("lead"), kinds=("note",), blind=True,
                                   name=f"Last {len(coders)}")
        code_ids = sorted(load_codebook(s).codes)
    pool = WorkerPool()
    latencies: dict[str, list[float]] = {"next": [], "accept": []}
    acknowledged: dict[str, set[tuple[int, int]]] = {c: set() for c in coders}
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    memory: dict[int, tuple[float, float]] = {}

    def coder(name: str) -> None:
        retrainer = Retrainer(project, name, pool=pool)
        filters = queue.Filters(round_id=info.id)
        current = None
        while not stop.is_set():
            try:
                start = time.perf_counter()
                current = project.retried(lambda s, after=current: queue.next_segment(
                    s, after, name, filters, "document", blind=True), write=False)
                took_next = time.perf_counter() - start
                if current is None:
                    return
                code_id = code_ids[hash((name, current)) % len(code_ids)]
                start = time.perf_counter()
                project.retried(lambda s, seg=current, code=code_id: review_actions.accept_code(
                    s, seg, code, name))
                took_accept = time.perf_counter() - start
                retrainer.notify()
                with lock:
                    latencies["next"].append(took_next)
                    latencies["accept"].append(took_accept)
                    acknowledged[name].add((current, code_id))
            except Exception as exc:   # counted: every refused action is a failure here
                with lock:
                    failures.append(f"{name}: {exc.__class__.__name__}: {exc}")
            time.sleep(THINK_S)

    def watch() -> None:
        while not stop.is_set():
            for pid in pool.processes():
                try:
                    now, peak = rss_mb(pid)
                except FileNotFoundError:
                    continue
                old = memory.get(pid, (0.0, 0.0))
                memory[pid] = (max(old[0], now), max(old[1], peak))
            time.sleep(0.5)

    threads = [threading.Thread(target=coder, args=(c,)) for c in coders]
    watcher = threading.Thread(target=watch)
    started = time.monotonic()
    for t in [*threads, watcher]:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in [*threads, watcher]:
        t.join()
    elapsed = time.monotonic() - started
    workers = len(memory)
    pool.close()
    lost = duplicated = misattributed = 0
    with project.session() as s:
        for name in coders:
            rows = list(s.scalars(select(Coding).where(Coding.coder == name)))
            pairs = [(c.segment_id, c.code_id) for c in rows]
            lost += len(acknowledged[name] - set(pairs))
            duplicated += len(pairs) - len(set(pairs))
            misattributed += len(set(pairs) - acknowledged[name])
            events = [(e.after["segment_id"], e.after["code_id"]) for e in s.scalars(
                select(AuditEvent).where(AuditEvent.action == "coding.accept",
                                         AuditEvent.actor == name))]
            duplicated += len(events) - len(set(events))
            lost += len(acknowledged[name] - set(events))
    return {"latencies": latencies, "decisions": sum(map(len, acknowledged.values())),
            "elapsed": elapsed, "failures": failures, "lost": lost,
            "duplicated": duplicated, "misattributed": misattributed,
            "workers": workers, "memory": memory}


def stats(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f} / "
            f"{ordered[-1] * 1000:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coders", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    server = os.environ.get("QDA_TEST_PG_URL")
    lines = [
        "## A team at work (blind round, N coders at once, retraining pool)", "",
        f"`benchmarks/team_load.py --coders {' '.join(map(str, args.coders))} --seconds "
        f"{args.seconds:.0f}` (PostgreSQL: `source scripts/pg.sh` first). The demo project; a "
        "blind round of its notes for N coders; each coder a thread of one process (as "
        "each browser session is a thread of the app's server) pressing a key every "
        f"{THINK_S} s: the next unit (a read) and an accepted code (one transaction "
        "through `Project.retried`), the retrainer told after each. Retraining: one pool "
        f"of `QDA_RETRAIN_WORKERS` (default: the cores, {os.cpu_count()} here) workers for "
        "all coders. Lost = acknowledged but not in the database (coding or audit event); "
        "duplicated = twice; misattributed = under another coder. Latency in ms, on the "
        "shared 2-core machine (server, coders and workers on the same cores).", "",
        "| store | coders | decisions | per s | next: median / p95 / max | accept: median /"
        " p95 / max | lost | duplicated | misattributed | failed | workers | worker RSS "
        "peak (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        base = build_coded_demo(Path(tmp) / "demo")
        base.close()
        for n in args.coders:
            coders = [f"kodare{i + 1}" for i in range(n)]
            stores: list[tuple[str, Project, str | None]] = []
            laptop = open_project(Path(tmp) / "demo")
            sqlite_copy = Path(tmp) / f"sqlite{n}"
            migrate_store(laptop, sqlite_copy)
            stores.append(("SQLite", open_project(sqlite_copy), None))
            if server:
                url = pg_database(server, "qda_team")
                migrate_store(laptop, Path(tmp) / f"pg{n}", url)
                stores.append(("PostgreSQL", open_project(Path(tmp) / f"pg{n}", url=url), url))
            laptop.close()
            for store, project, url in stores:
                result = run(project, coders, args.seconds)
                project.close()
                if url:
                    drop_database(url)
                peaks = [peak for _, peak in result["memory"].values()]
                line = (f"| {store} | {n} | {result['decisions']} | "
                        f"{result['decisions'] / result['elapsed']:.1f} | "
                        f"{stats(result['latencies']['next'])} | "
                        f"{stats(result['latencies']['accept'])} | {result['lost']} | "
                        f"{result['duplicated']} | {result['misattributed']} | "
                        f"{len(result['failures'])} | {result['workers']} | "
                        f"{', '.join(f'{p:.0f}' for p in peaks) or '–'} |")
                print(line, flush=True)
                for failure in result["failures"][:3]:
                    print("  ", failure)
                lines.append(line)
    print(write_section("team-load", lines))


if __name__ == "__main__":
    main()
