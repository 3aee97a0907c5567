"""Ingest throughput as a ratio to spaCy's bare Swedish tokenizer over the same text.

Budget (DESIGN.md): ingest at least half the tokenizer's throughput. Reads the long Swedish
report in ../shared/data/corpus/, turns it into a transcript (a `Talare N  hh:mm:ss` line
every five sentences), and times `ingest_file` against `spacy.blank("sv")` tokenizing the
same text. Runs alternate (tokenizer, ingest on each store, tokenizer, …) and every run
starts cold, as a `qda ingest` process does: a new spaCy pipeline, the name lists read
again. Medians; the ratio is taken within each round, then its median reported. A
breakdown by stage (reader, pseudonymisation, sentence spans, rows and database
writes) comes from one more cold pass through the same functions ingest calls.
PostgreSQL is measured when $QDA_TEST_PG_URL names a server (scripts/pg.sh starts one):

    .venv/bin/python benchmarks/ingest_throughput.py [--repeat N] [--runs N]
    bash -c 'source scripts/pg.sh; .venv/bin/python benchmarks/ingest_throughput.py --repeat 3'
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import spacy
from report import ROOT, write_section
from stores import pg_database

from corpus import names, segment
from corpus.ingest import ingest_file
from corpus.project import init_project
from corpus.pseudonymise import Pseudonymiser
from corpus.readers import read_file

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "vardanalys_2025_omtag_for_omstallning.txt"


def as_transcript(text: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    lines, clock = [], 0
    for i in range(0, len(sentences), 5):
        lines.append(f"Talare {i // 5 % 6 + 1}  {clock // 3600:02d}:{clock % 3600 // 60:02d}:"
                     f"{clock % 60:02d}")
        lines.append(" ".join(sentences[i:i + 5]))
        clock += 20
    return "\n".join(lines)


def cold() -> None:
    """Forget what a previous run in this process loaded: pipeline, vocabulary, names."""
    segment.sentence_pipeline.cache_clear()
    segment._punct_ids.cache_clear()
    segment._known_chunks.cache_clear()
    names._name_lists.cache_clear()


def tokenizer_seconds(text: str) -> float:
    nlp = spacy.blank("sv")
    start = time.perf_counter()
    for line in text.splitlines():
        nlp.tokenizer(line)
    return time.perf_counter() - start


def ingest_seconds(path: Path, root: Path, url: str | None) -> tuple[float, int]:
    project = init_project(root, url)
    cold()
    start = time.perf_counter()
    report = ingest_file(project, path)
    seconds = time.perf_counter() - start
    project.close()
    return seconds, sum(report.segments.values())


def stages(path: Path) -> dict[str, float]:
    """Seconds per stage, cold, through the functions store_transcript calls."""
    cold()
    out = {}
    start = time.perf_counter()
    result = read_file(path)
    out["reader (file → turns)"] = time.perf_counter() - start
    start = time.perf_counter()
    pseudonymiser = Pseudonymiser()
    for turn in result.turns:
        pseudonymiser.speaker(turn.speaker)
    texts = [pseudonymiser.text(turn.text) for turn in result.turns]
    out["pseudonymisation (with loading the name lists)"] = time.perf_counter() - start
    cold()
    start = time.perf_counter()
    for _ in segment.sentence_spans(texts):
        pass
    out["sentence spans (with building the pipeline)"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="copies of the report to ingest")
    parser.add_argument("--runs", type=int, default=5, help="alternating rounds to take medians of")
    args = parser.parse_args()
    text = as_transcript(CORPUS.read_text(encoding="utf-8"))
    text = "\n".join([text] * args.repeat)
    words = len(text.split())
    server = os.environ.get("QDA_TEST_PG_URL")
    stores = ["SQLite"] + (["PostgreSQL"] if server else [])

    token_s: list[float] = []
    ingest_s: dict[str, list[float]] = {store: [] for store in stores}
    ratios: dict[str, list[float]] = {store: [] for store in stores}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "benchmark_transcript.txt"
        path.write_text(text, encoding="utf-8")
        for run in range(args.runs):
            token_s.append(tokenizer_seconds(text))
            for store in stores:
                url = pg_database(server, "qda_ingest") if store == "PostgreSQL" else None
                seconds, segments = ingest_seconds(path, Path(tmp) / f"p{run}{store}", url)
                ingest_s[store].append(seconds)
                ratios[store].append(token_s[-1] / seconds)
        breakdown = stages(path)

    tok = statistics.median(token_s)
    command = (".venv/bin/python benchmarks/ingest_throughput.py"
               f" --repeat {args.repeat} --runs {args.runs}")
    if server:
        command = f"bash -c 'source scripts/pg.sh; {command}'"
    lines = ["## Ingest throughput (transcript .txt → turns, sentences, pseudonyms)", "",
             f"Command: `{command}`", "",
             f"{words:,} words, {segments:,} segments written; medians of {args.runs} "
             "alternating cold runs.", "",
             "| measure | " + " | ".join(stores) + " |", "|---|" + "---|" * len(stores),
             "| spaCy blank('sv') tokenizer (s) | "
             + " | ".join(f"{tok:.2f}" for _ in stores) + " |",
             "| qda ingest (s) | "
             + " | ".join(f"{statistics.median(ingest_s[s]):.2f}" for s in stores) + " |",
             "| words/s | "
             + " | ".join(f"{words / statistics.median(ingest_s[s]):,.0f}" for s in stores)
             + " |"]
    verdicts = []
    for store in stores:
        ratio = statistics.median(ratios[store])
        verdicts.append(f"{ratio:.2f} ({'meets' if ratio >= 0.5 else 'MISSES'})")
    lines += ["| ratio ingest / tokenizer (budget ≥ 0.50) | " + " | ".join(verdicts) + " |",
              "", "Where one cold SQLite ingest spends its time (one more pass, same functions):",
              "", "| stage | s | share of the SQLite ingest |", "|---|---|---|"]
    total = statistics.median(ingest_s["SQLite"])
    measured = sum(breakdown.values())
    for label, seconds in breakdown.items():
        lines.append(f"| {label} | {seconds:.2f} | {seconds / total:.0%} |")
    lines.append(f"| rows and database writes, commit (the rest) | {total - measured:.2f} | "
                 f"{(total - measured) / total:.0%} |")
    section = write_section("ingest-throughput", lines)
    print(section)


if __name__ == "__main__":
    main()
