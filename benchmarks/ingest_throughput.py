"""Ingest throughput as a ratio to spaCy's bare Swedish tokenizer over the same text.

Budget (DESIGN.md): ingest at least half the tokenizer's throughput. Reads the long Swedish
report in ../shared/data/corpus/, turns it into a transcript (a `Talare N  hh:mm:ss` line
every five sentences), and times `ingest_file` against `spacy.blank("sv")` tokenizing the
same text, both in this one run. Writes the figures into BENCHMARKS.md.

    .venv/bin/python benchmarks/ingest_throughput.py [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import spacy
from report import write_section

from corpus.ingest import ingest_file
from corpus.project import init_project

ROOT = Path(__file__).resolve().parents[1]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="copies of the report to ingest")
    args = parser.parse_args()
    text = as_transcript(CORPUS.read_text(encoding="utf-8"))
    text = "\n".join([text] * args.repeat)
    words = len(text.split())

    nlp = spacy.blank("sv")
    start = time.perf_counter()
    for line in text.splitlines():
        nlp.tokenizer(line)
    tokenizer_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "benchmark_transcript.txt"
        path.write_text(text, encoding="utf-8")
        project = init_project(Path(tmp) / "p")
        start = time.perf_counter()
        report = ingest_file(project, path)
        ingest_s = time.perf_counter() - start
        project.close()

    ratio = (words / ingest_s) / (words / tokenizer_s)
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    section = write_section("ingest-throughput", [
        "## Ingest throughput (transcript .txt → turns, sentences, pseudonyms, SQLite)",
        "",
        f"Command: `.venv/bin/python benchmarks/ingest_throughput.py --repeat {args.repeat}`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| words | {words:,} |",
        f"| segments written | {sum(report.segments.values()):,} |",
        f"| spaCy blank('sv') tokenizer | {tokenizer_s:.2f} s "
        f"({words / tokenizer_s:,.0f} words/s) |",
        f"| qda ingest | {ingest_s:.2f} s ({words / ingest_s:,.0f} words/s) |",
        f"| ratio ingest / tokenizer | {ratio:.2f} (budget ≥ 0.50: {verdict}) |",
    ])
    print(section)


if __name__ == "__main__":
    main()
