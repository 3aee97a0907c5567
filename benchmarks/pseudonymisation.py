"""Pseudonymisation on a labelled set of fictional workshop sentences (tests/pseudonym_set:
self-introductions, people who never speak, surnames alone, genitives, identity numbers
with right and wrong checksums, and places and everyday words that look like names).
Targets: name recall >= 0.98, identity-number recall 1.0.

    .venv/bin/python benchmarks/pseudonymisation.py
"""

from __future__ import annotations

import sys
import time

from report import ROOT, write_section

sys.path.insert(0, str(ROOT))

from corpus.pseudonymise import Pseudonymiser  # noqa: E402
from tests.pseudonym_set import cases, score  # noqa: E402


def _seconds(text: str) -> float:
    start = time.perf_counter()
    Pseudonymiser().text(text)
    return time.perf_counter() - start


def main() -> None:
    result = score(lambda text: Pseudonymiser().text(text))
    # a transcript without speaker lines is one long turn: the time must grow linearly
    turn = " ".join(sentence for sentence, _, _ in cases())
    _seconds(turn)                                     # name lists loaded once
    # the best of three of each: one run of 10 ms is at the mercy of the machine
    short = min(_seconds(turn) for _ in range(3))
    long = min(_seconds(turn * 10) for _ in range(3))
    lines = [
        "## Pseudonymisation (labelled sentences)", "",
        "`.venv/bin/python benchmarks/pseudonymisation.py` on the set in "
        "`tests/pseudonym_set.py` (written for the tests; the rules were developed on it, so "
        "these are development figures, not a held-out estimate).", "",
        "| sentences | names | name recall | name precision | identity numbers | "
        "number recall | look-alikes kept |",
        "|---|---|---|---|---|---|---|",
        f"| {result['sentences']} | {result['names']} | {result['name_recall']:.3f} | "
        f"{result['name_precision']:.3f} | {result['numbers']} | "
        f"{result['number_recall']:.3f} | {result['kept']}/{result['must_stay']} |", "",
        "Targets: name recall ≥ 0.98, identity-number recall 1.0.", "",
        f"One turn of {len(turn):,} characters: {short:.3f} s; ten times as long: "
        f"{long:.3f} s (ratio {long / short:.1f}; linear is 10; best of three each).",
    ]
    print(write_section("pseudonymisation", lines))


if __name__ == "__main__":
    main()
