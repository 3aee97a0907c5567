"""Suggestion speed: scoring 10 000 segments and retraining on 5 000 codings.

Segments are sentences of the shared report text; codings are those sentences labelled
with the bundled codebook's sub-themes (by keyword where one matches, else at random).
Budgets (DESIGN.md): scoring 10 000 < 2 s, retraining on 5 000 < 1 s.

    .venv/bin/python benchmarks/suggest_speed.py
"""

from __future__ import annotations

import random
import re
import time

from report import ROOT, write_section

from coding.codebook import Codebook, read_codebook
from coding.suggest.engine import Engine, Example
from coding.text import tokens

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "vardanalys_2025_omtag_for_omstallning.txt"


def sentences(n: int) -> list[str]:
    text = CORPUS.read_text(encoding="utf-8")
    parts = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 20 < len(s.strip()) < 400]
    out = []
    while len(out) < n:
        out.extend(parts)
    return out[:n]


def main() -> None:
    book = Codebook.from_doc(read_codebook("forstudie-postits"))
    leaves = [c.id for c in book.codes.values() if c.depth == 1]
    texts = sentences(10_000)
    tokens(texts[:10])  # load the lemma table outside the timings
    rng = random.Random(0)
    engine = Engine(book, corpus=texts)
    lex = engine.matcher.match_texts(texts[:5000])
    train = [Example(t, {max(h, key=lambda c: h[c].score) if h and max(
        h, key=lambda c: h[c].score) in leaves else rng.choice(leaves)})
        for t, h in zip(texts[:5000], lex, strict=True)]
    start = time.perf_counter()
    engine.fit(train)
    full_s = time.perf_counter() - start
    start = time.perf_counter()
    engine.retrain(train)
    retrain_s = time.perf_counter() - start
    start = time.perf_counter()
    engine.score(texts)
    score_s = time.perf_counter() - start
    start = time.perf_counter()
    engine.score(texts, explain=False)
    score_plain_s = time.perf_counter() - start

    def verdict(value: float, budget: float) -> str:
        return f"budget < {budget:.0f} s: {'meets' if value < budget else 'MISSES'}"

    lines = [
        "## Suggestion speed",
        "",
        "Command: `.venv/bin/python benchmarks/suggest_speed.py`",
        "",
        f"Codebook forstudie-postits ({len(book.codes)} codes); report sentences as segments.",
        "",
        "| measure | seconds | |",
        "|---|---|---|",
        f"| retrain on 5,000 codings (per-code models) | {retrain_s:.2f} | "
        f"{verdict(retrain_s, 1)} |",
        f"| full fit on 5,000 codings (vocabulary, models, learned blend by 3-fold CV) | "
        f"{full_s:.2f} | run when a project is opened or on `qda suggest` |",
        f"| score 10,000 segments with reasons | {score_s:.2f} | {verdict(score_s, 2)} |",
        f"| score 10,000 segments without reasons | {score_plain_s:.2f} | |",
    ]
    print(write_section("suggest-speed", lines))


if __name__ == "__main__":
    main()
