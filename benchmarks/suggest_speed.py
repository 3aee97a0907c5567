"""Suggestion speed: scoring 10 000 segments and retraining on 5 000 codings.

Segments are distinct texts of sentence length built from the shared report: its
sentences, then the same sentences with their words rotated (as many variants as needed),
so no text repeats and lengths and vocabulary stay those of real sentences. Codings are the first
5 000 labelled with the bundled codebook's sub-themes (by keyword where one matches, else
at random). Budgets (DESIGN.md): scoring 10 000 < 2 s, retraining on 5 000 < 1 s.

    .venv/bin/python benchmarks/suggest_speed.py
"""

from __future__ import annotations

import random
import re
import time

from report import ROOT, write_section

from coding.codebook import Codebook, read_codebook
from coding.suggest.engine import Engine, Example
from coding.suggestions import KEEP, ranked
from coding.text import tokens

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "vardanalys_2025_omtag_for_omstallning.txt"
BATCH = 50   # decisions between two retrains in the app
RUNS = 3     # each figure is the median of this many runs (the machine is noisy)


def segments(n: int) -> list[str]:
    """n distinct segment texts from the report."""
    text = CORPUS.read_text(encoding="utf-8")
    parts = list(dict.fromkeys(
        s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 20 < len(s.strip()) < 400))
    out = list(parts)
    shift = 1
    while len(out) < n and shift < 50:
        for part in parts:
            words = part.split()
            if len(words) > shift:
                out.append(" ".join(words[shift:] + words[:shift]))
        shift += 1
    out = list(dict.fromkeys(out))
    if len(out) < n:
        raise SystemExit(f"{CORPUS}: only {len(out)} distinct segments, need {n}")
    return out[:n]


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    book = Codebook.from_doc(read_codebook("forstudie-postits"))
    leaves = [c.id for c in book.codes.values() if c.depth == 1]
    texts = segments(10_000 * (RUNS + 1) + BATCH * RUNS)
    project = texts[:10_000]
    unseen = [texts[10_000 * (i + 1):10_000 * (i + 2)] for i in range(RUNS)]
    batches = [texts[10_000 * (RUNS + 1) + BATCH * i:][:BATCH] for i in range(RUNS)]
    tokens(texts[:10])  # load the lemma table outside the timings
    rng = random.Random(0)
    engine = Engine(book, corpus=project)

    def label(text_hits):
        text, hits = text_hits
        best = max(hits, key=lambda c: hits[c].score) if hits else None
        return Example(text, {best if best in leaves else rng.choice(leaves)})

    train = list(map(label, zip(project[:5000], engine.matcher.match_texts(project[:5000]),
                                strict=True)))
    full_s = timed(lambda: engine.fit(train))
    retrains, colds, warms, fives = [], [], [], []
    for batch, fresh in zip(batches, unseen, strict=True):
        train += map(label, zip(batch, engine.matcher.match_texts(batch), strict=True))
        retrains.append(timed(lambda train=train: engine.retrain(train)))
        # five places, as before the page took keys 1-9: the cost of the four more, the
        # two in turns (which goes first alternates: the first after a retrain pays more)
        pair = [(warms, lambda: ranked(engine, project)),
                (fives, lambda: engine.score(project, limit=5, finest=True))]
        for times, action in (pair if len(warms) % 2 else pair[::-1]):
            times.append(timed(action))
        colds.append(timed(lambda fresh=fresh: ranked(engine, fresh)))
    retrain_s, warm_s, cold_s = median(retrains), median(warms), median(colds)
    five_s = median(fives)
    chars = sum(map(len, unseen[0])) / len(unseen[0])

    def verdict(value: float, budget: float) -> str:
        return f"budget < {budget:.0f} s: {'meets' if value < budget else 'MISSES'}"

    lines = [
        "## Suggestion speed",
        "",
        "Command: `.venv/bin/python benchmarks/suggest_speed.py`",
        "",
        f"Codebook forstudie-postits ({len(book.codes)} codes); distinct report sentences "
        f"and sentence pairs as segments; top {KEEP} suggestions kept per segment, as "
        f"`qda suggest` stores them; {chars:.0f} characters per segment on average.",
        "",
        f"Median of {RUNS} runs (all runs: retrain {', '.join(f'{v:.2f}' for v in retrains)}; "
        f"unseen {', '.join(f'{v:.2f}' for v in colds)}).",
        "",
        "| measure | seconds | |",
        "|---|---|---|",
        f"| retrain on 5,000+ codings after a batch of {BATCH} new decisions | {retrain_s:.2f} | "
        f"{verdict(retrain_s, 1)} |",
        f"| score 10,000 segments never seen before, with reasons | {cold_s:.2f} | "
        f"{verdict(cold_s, 2)} |",
        f"| score 10,000 of the project's own segments (read when the engine was fitted) | "
        f"{warm_s:.2f} | what `qda suggest` does |",
        f"| the same, keeping 5 suggestions instead of {KEEP} (in turns with the row above) | "
        f"{five_s:.2f} | {KEEP} cost {warm_s / five_s:.2f}x |",
        f"| full fit on 5,000 codings (vocabulary over 10,000 segments, models, learned "
        f"blend by {3}-fold CV) | {full_s:.2f} | when a project is opened or `qda suggest` "
        "runs |",
    ]
    print(write_section("suggest-speed", lines))


if __name__ == "__main__":
    main()
