"""A 100x study on SQLite and PostgreSQL: ingest throughput (as a ratio to spaCy's bare
Swedish tokenizer over the same text, the two taken in turn three times in this one
run), peak memory of the ingest, suggestion scoring and retraining, bilaga 2, the
Kodning page's queries, and the Kodning page itself (each interaction one rerun of the
page script in Streamlit's AppTest, as the server runs it; the steps of
app_interaction.py, the model idle).

The material is generated here: transcripts of sentences drawn (seeded) from the long
Swedish report in ../shared/data/corpus/ (read, never copied into the repository), with
a "Talare N  hh:mm:ss" line every few sentences, and notes cut from the same sentences,
spread over the five areas and three questions. PostgreSQL is measured when
$QDA_TEST_PG_URL names a server (scripts/pg.sh starts a throw-away one):

    bash -c 'source scripts/pg.sh; .venv/bin/python benchmarks/scale.py'
    .venv/bin/python benchmarks/scale.py --transcripts 230 --notes 3600   # a 10x trial
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import ROOT, write_section
from stores import drop_database, pg_database

from corpus.actors import system_actor

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "vardanalys_2025_omtag_for_omstallning.txt"
AREAS = ["Borås", "Fyrbodal", "GR", "Skaraborg", "VGR"]
WORDS_PER_TRANSCRIPT = 5200
CODED = 5000
PAGE_ROUNDS = 4       # each step this many times in a pass …
PAGE_PASSES = 3       # … and the stores' passes taken in turn, so both share the machine's moods
INGEST_ROUNDS = 3     # tokenizer and ingest taken in turn this many times a store


def sentences() -> list[str]:
    text = CORPUS.read_text(encoding="utf-8")
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 4 <= len(s.split()) <= 60]
    return found


def make_material(folder: Path, transcripts: int, notes: int, seed: int = 3) -> int:
    """Write the study; returns the number of words in the transcripts."""
    rng = random.Random(seed)
    pool = sentences()
    words = 0
    (folder / "transkript").mkdir(parents=True)
    for t in range(transcripts):
        area = AREAS[t % len(AREAS)]
        lines, clock, count = [], 0, 0
        while count < WORDS_PER_TRANSCRIPT:
            turn = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 6)))
            lines.append(f"Talare {rng.randint(1, 6)}  {clock // 3600:02d}:"
                         f"{clock % 3600 // 60:02d}:{clock % 60:02d}")
            lines.append(turn)
            count += len(turn.split())
            clock += rng.randint(10, 60)
        words += count
        (folder / "transkript" / f"workshop_{t:04d}_{area}.txt").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
    (folder / "lappar").mkdir()
    per_file = notes // 15
    for q in (1, 2, 3):
        for area in AREAS:
            rows = ["Område,Inlägg"]
            for _ in range(per_file):
                cut = rng.choice(pool).split()[:rng.randint(3, 14)]
                rows.append(f'{area},"{" ".join(cut).replace(chr(34), "")}"')
            (folder / "lappar" / f"fraga{q}_{area}.csv").write_text("\n".join(rows) + "\n",
                                                                 encoding="utf-8")
    return words


def tokenizer_seconds(folder: Path) -> float:
    import spacy

    nlp = spacy.blank("sv")
    start = time.perf_counter()
    for path in sorted((folder / "transkript").iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            nlp.tokenizer(line)
    return time.perf_counter() - start


def ingest(folder: Path, root: Path, url: str | None, notes: bool = True
           ) -> tuple[float, float, str]:
    """`qda init` + `qda ingest` of the transcripts (area from the file name) and, with
    `notes`, the notes (question per file), as a user runs them; wall time of the
    transcripts and the peak memory of the ingest process."""
    qda = [sys.executable, "-m", "qda"]
    subprocess.run([*qda, "init", str(root), *(["--database-url", url] if url else [])],
                   check=True, capture_output=True, cwd=ROOT)
    # the ingest process's own peak (GNU time's %M, KiB): RUSAGE_CHILDREN keeps the largest
    # child so far, which mixed one store's figure into the other's
    start = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-f", "maxrss %M", *qda, "ingest",
                          str(folder / "transkript"), "-p", str(root)],
                         capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if run.returncode:
        raise RuntimeError(run.stdout[-2000:] + run.stderr[-2000:])
    peak = int(re.findall(r"^maxrss (\d+)$", run.stderr, re.M)[-1])
    for q in (1, 2, 3) if notes else ():
        files = sorted((folder / "lappar").glob(f"fraga{q}_*.csv"))
        subprocess.run([*qda, "ingest", *map(str, files), "-p", str(root), "--question",
                        str(q)], check=True, capture_output=True, cwd=ROOT)
    return seconds, peak / 1024, run.stdout.strip().splitlines()[-1]


def timed(step, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def after_ingest(root: Path) -> dict[str, float]:
    """Coding-side figures on the ingested project."""
    from sqlalchemy import func, insert, select

    from coding import codes, queue, unit_view
    from coding.codebook import read_codebook
    from coding.suggestions import build_engine, examples, suggest
    from corpus.models import Coding, Segment
    from corpus.project import open_project
    from reports.run import export

    project = open_project(root)
    out: dict[str, float] = {}
    with project.transaction() as s:
        codes.import_doc(s, read_codebook("forstudie-postits"), system_actor("bench"))
        leaves = [c.id for c in codes.load_codebook(s).codes.values() if c.parent_id]
        notes = list(s.scalars(select(Segment.id).where(Segment.kind == "note")
                               .order_by(Segment.id)))
        rng = random.Random(9)
        coded = rng.sample(notes, min(CODED, len(notes)))
        now = __import__("corpus.models", fromlist=["utcnow"]).utcnow()
        s.execute(insert(Coding), [
            {"segment_id": seg, "code_id": rng.choice(leaves), "coder": layer,
             "status": "accepted", "is_quote": False, "created_at": now, "updated_at": now}
            for seg in coded for layer in ("anna", "konsensus")])
    with project.session() as s:
        out["segments"] = s.scalar(select(func.count()).select_from(Segment))
        out["notes"] = len(notes)
    start = time.perf_counter()
    engine, _ = build_engine(project)
    out["engine build (vocabulary, fit)"] = time.perf_counter() - start
    with project.session() as s:
        train = examples(s)
    out["retrain on 5 000 codings"] = timed(lambda: engine.retrain(train), 3)
    start = time.perf_counter()
    report = suggest(project, kinds=["note"], engine=engine)
    out["score + store suggestions for every note"] = time.perf_counter() - start
    out["notes scored"] = report.segments
    with tempfile.TemporaryDirectory() as tmp:
        out["bilaga 2 xlsx"] = timed(lambda: export(project, "bilaga2", "xlsx",
                                                    out=Path(tmp) / "b.xlsx"))
        out["whole project as .qdpx"] = timed(lambda: export(project, "qdpx",
                                                             out=Path(tmp) / "p.qdpx"))
    book = codes.load_codebook
    with project.session() as s:
        codebook = book(s)
        filters = queue.Filters()
        out["queue page, active order (ms)"] = 1000 * timed(
            lambda: queue.queue_page(s, "bench", filters, "active", None, 50), 20)
        out["queue page, document order (ms)"] = 1000 * timed(
            lambda: queue.queue_page(s, "bench", filters, "document", None, 50), 20)
        second = queue.Filters(questions=(2,))    # its notes come after every transcript
        out["queue page, document order, fråga 2 (ms)"] = 1000 * timed(
            lambda: queue.queue_page(s, "bench", second, "document", None, 50), 20)
        uncoded = queue.Filters(questions=(2,), status=queue.Queue.UNCODED)
        out["queue page, no suggestion yet, fråga 2 (ms)"] = 1000 * timed(
            lambda: queue.queue_page(s, "bench", uncoded, "active", None, 50), 20)
        out["queue count (ms)"] = 1000 * timed(lambda: queue.queue_count(s, "bench",
                                                                         filters), 20)
        first = queue.next_segment(s, None, "bench", filters, "active")
        out["segment view (ms)"] = 1000 * timed(
            lambda: unit_view.segment_view(s, first, "bench", codebook), 20)
        out["next segment (ms)"] = 1000 * timed(
            lambda: queue.next_segment(s, first, "bench", filters, "active"), 20)
    project.close()
    return out


def page_interactions(root: Path) -> dict[str, list[float]]:
    """Ms of each Kodning page interaction: what a coder waits for, on each store."""
    import app_interaction
    from streamlit.testing.v1 import AppTest

    from app import state

    os.environ["QDA_PROJECT"] = str(root)
    at = AppTest.from_file(str(ROOT / "app" / "kodning.py"), default_timeout=300)
    at.session_state["coder"] = "bench"
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    state.retrainer(state.project()).every = 10**9     # the model idle
    # one round of every step first: a new PostgreSQL connection fills its catalog caches
    # on its first statements, SQLite its page cache
    app_interaction.measure(at, 1)
    times = app_interaction.measure(at, PAGE_ROUNDS)
    state.project().close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=2300)
    parser.add_argument("--notes", type=int, default=36000)
    args = parser.parse_args()
    stores = {"SQLite": None}
    if os.environ.get("QDA_TEST_PG_URL"):
        stores["PostgreSQL"] = pg_database(os.environ["QDA_TEST_PG_URL"], "qda_scale")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "material"
        words = make_material(folder, args.transcripts, args.notes)
        # the tokenizer and the ingest taken in turn, INGEST_ROUNDS times a store: this
        # machine's speed drifts by the minute (the tokenizer alone took 6.2 to 10.4 s on
        # the same material within an hour), and noise only ever adds time, so the ratio
        # is the fastest ingest's to the fastest tokenizer's; every pair is printed
        tokens: dict[str, float] = {}
        pairs: dict[str, list[tuple[float, float]]] = {}
        results = {}
        for store, url in stores.items():
            peaks: list[float] = []
            for k in range(INGEST_ROUNDS):
                last = k == INGEST_ROUNDS - 1
                tokenized = tokenizer_seconds(folder)
                root = Path(tmp) / (f"project-{store}" if last else f"trial-{store}")
                db = url if last or url is None else pg_database(url, "qda_scale_trial")
                seconds, peak, summary = ingest(folder, root, db, notes=last)
                peaks.append(peak)
                pairs.setdefault(store, []).append((tokenized, seconds))
                print(store, "tokenizer", tokenized, "ingest", seconds, flush=True)
                if not last:
                    shutil.rmtree(root)
                    if db is not None:
                        drop_database(db)
            tokens[store] = min(t for t, _ in pairs[store])
            figures = after_ingest(root)
            seconds = min(i for _, i in pairs[store])
            results[store] = (seconds, max(peaks), summary, figures)
            print(store, seconds, max(peaks), figures, flush=True)
        pages: dict[str, dict[str, list[float]]] = {store: {} for store in results}
        for _ in range(PAGE_PASSES):
            for store in results:
                for name, ms in page_interactions(Path(tmp) / f"project-{store}").items():
                    pages[store].setdefault(name, []).extend(ms)
        for store, (*_, figures) in results.items():
            figures.update({f"Kodning page: {name} (ms)": statistics.median(ms)
                            for name, ms in pages[store].items()})
            print(store, "page", figures, flush=True)

    command = ("bash -c 'source scripts/pg.sh; .venv/bin/python benchmarks/scale.py"
               + (f" --transcripts {args.transcripts} --notes {args.notes}"
                  if (args.transcripts, args.notes) != (2300, 36000) else "") + "'")
    lines = [f"## A 100x study ({args.transcripts:,} transcripts, {words:,} words, "
             f"{args.notes:,} notes)", "", f"Command: `{command}`", "",
             f"spaCy `blank('sv')` tokenizer over the transcripts and `qda ingest` of "
             f"them, taken in turn {INGEST_ROUNDS} times a store (the machine's speed "
             "drifts by the minute; the table gives the fastest of each, and the ratio "
             "is theirs): " + "; ".join(
                 f"{store} tokenizer " + ", ".join(f"{t:.1f}" for t, _ in runs)
                 + " s, ingest " + ", ".join(f"{i:.1f}" for _, i in runs)
                 + " s (each pair's ratio " + ", ".join(f"{t / i:.2f}" for t, i in runs)
                 + ")" for store, runs in pairs.items())
             + ". Fastest tokenizer: " + ", ".join(
                 f"{store} {t:.1f} s ({words / t:,.0f} words/s)"
                 for store, t in tokens.items()) + ".", "",
             "| measure | " + " | ".join(results) + " |",
             "|---|" + "---|" * len(results)]

    both = len(results) == 2
    if both:
        lines[-2] += " PostgreSQL / SQLite |"
        lines[-1] += "---|"

    def row(label: str, values: list[str], raw: list[float] | None = None) -> str:
        ratio = [f"{raw[1] / raw[0]:.2f}" if raw and raw[0] else "–"] if both else []
        return f"| {label} | " + " | ".join(values + ratio) + " |"

    lines.append(row("ingest of the transcripts (s)",
                     [f"{r[0]:.0f}" for r in results.values()],
                     [r[0] for r in results.values()]))
    lines.append(row("words/s", [f"{words / r[0]:,.0f}" for r in results.values()]))
    lines.append(row("ratio to the tokenizer (budget ≥ 0.50)",
                     [f"{tokens[store] / r[0]:.2f}" for store, r in results.items()]))
    lines.append(row("peak memory of the ingest (MiB; budget < 4096)",
                     [f"{r[1]:,.0f}" for r in results.values()],
                     [r[1] for r in results.values()]))
    keys = list(next(iter(results.values()))[3])
    for key in keys:
        values = [r[3][key] for r in results.values()]
        count = key in ("segments", "notes", "notes scored")
        lines.append(row(key if "ms" in key or count else f"{key} (s)",
                         [f"{v:,.0f}" if count else f"{v:.1f}" if "ms" in key else f"{v:.2f}"
                          for v in values], None if count else values))
    print(write_section("scale-100x", lines))


if __name__ == "__main__":
    main()
