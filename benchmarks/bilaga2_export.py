"""Bilaga 2 for 10 000 notes, written as xlsx and as docx: budget < 5 s for both.

Each export is timed the way `qda export` runs it: read the layer's codings, group and
merge near-duplicates per sub-theme, write the file. Notes are distinct sentences from the
shared report spread over three questions and five areas, each coded (layer konsensus)
with one sub-theme of the bundled codebook. Figures are medians of 3 runs.

    .venv/bin/python benchmarks/bilaga2_export.py
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from report import ROOT, write_section
from sqlalchemy import insert, select

from coding.codebook import read_codebook
from coding.codes import import_doc
from corpus.actors import system_actor
from corpus.models import Code, Coding, Segment, Source
from corpus.project import init_project
from corpus.study import load as load_study
from reports.run import export

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "vardanalys_2025_omtag_for_omstallning.txt"
N_NOTES = 10_000
RUNS = 3
BUDGET = 5.0


def note_texts(n: int) -> list[str]:
    text = CORPUS.read_text(encoding="utf-8")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
                 if 20 <= len(s.strip()) <= 200]
    out, seen, k = [], set(), 0
    while len(out) < n:
        for s in sentences:
            words = s.split()
            variant = " ".join(words[k % len(words):] + words[:k % len(words)])
            if variant not in seen:
                seen.add(variant)
                out.append(variant)
                if len(out) == n:
                    break
        k += 1
    return out


def build(root: Path, n: int = N_NOTES, coder: str = "konsensus", coded: int | None = None,
          seed: int = 7):
    """A project of `n` notes over three questions and five areas with the bundled codebook;
    `coded` of them (all when None) carry one accepted sub-theme by `coder`."""
    project = init_project(root, study="vgr-forstudie")
    rng = random.Random(seed)
    with project.transaction() as s:
        import_doc(s, read_codebook("forstudie-postits"), system_actor("bench"))
        subs = [c.id for c in s.scalars(select(Code).where(Code.parent_id.isnot(None)))]
        source = Source(kind="postits", file_format="xlsx", original_name="bench.xlsx",
                        stored_name="bench.xlsx", sha256="0" * 64, report={})
        s.add(source)
        s.flush()
        areas = load_study(s).areas.key_list()
        rows = [{"source_id": source.id, "kind": "note", "position": i,
                 "question": 1 + i % 3, "area": areas[i % 5], "duplicate_count": 1,
                 "sheet": f"Fråga {1 + i % 3}", "location": f"B{i + 2}", "text": text}
                for i, text in enumerate(note_texts(n))]
        ids = list(s.scalars(insert(Segment).returning(Segment.id,
                                                       sort_by_parameter_order=True), rows))
        chosen = ids if coded is None else rng.sample(ids, coded)
        s.execute(insert(Coding), [{"segment_id": i, "code_id": rng.choice(subs),
                                    "coder": coder, "status": "accepted",
                                    "is_quote": False} for i in chosen])
    return project


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = build(Path(tmp) / "bench")
        times: dict[str, list[float]] = {"xlsx": [], "docx": []}
        rows = 0
        for _ in range(RUNS):
            for fmt in times:
                start = time.perf_counter()
                report = export(project, "bilaga2", fmt, out=Path(tmp) / f"b2.{fmt}")
                times[fmt].append(time.perf_counter() - start)
                rows = report.rows
        project.close()
    xlsx, docx = (statistics.median(times[f]) for f in ("xlsx", "docx"))
    both = xlsx + docx
    lines = [
        "## Bilaga 2 export (10 000 notes)", "",
        "`.venv/bin/python benchmarks/bilaga2_export.py` (median of 3 runs; each export "
        "reads the codings, merges near-duplicates and writes the file)", "",
        "| export | seconds |", "|---|---|",
        f"| xlsx | {xlsx:.2f} |", f"| docx | {docx:.2f} |",
        f"| both | {both:.2f} (budget < {BUDGET:.0f} s: "
        f"{'meets' if both < BUDGET else 'MISSES'}) |", "",
        f"{N_NOTES} notes → {rows} table rows. Single runs: xlsx "
        + ", ".join(f"{t:.2f}" for t in times["xlsx"]) + "; docx "
        + ", ".join(f"{t:.2f}" for t in times["docx"]) + ".",
    ]
    print(write_section("bilaga2-export", lines))


if __name__ == "__main__":
    main()
