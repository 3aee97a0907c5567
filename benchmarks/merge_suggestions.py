"""How well bilaga 2's merge proposals (themes.merges) match the authors' own merges.

The development table prints each of the authors' merged rows as notes joined by "; ".
Within one theme row (question, main theme, sub-theme) a pair of notes is *merged* when the
authors put them in one row. Per question and signal (wording alone; wording and meaning
with the embed extra): ROC AUC of the pair score, then precision and recall of the pairs the
shipped thresholds propose (every pair of a proposed group), as pairs and as groups
(complete linkage, as the app proposes them). The thresholds were set on question 2, whose
authors merged 80 pairs; in question 1 they merged none, so there every proposal is one the
author refuses: its count is the cost of the proposals.

    .venv/bin/python benchmarks/merge_suggestions.py
"""

from __future__ import annotations

import sys
import time
from itertools import combinations

import numpy as np
import pandas as pd
from report import ROOT, write_section
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(ROOT))
from coding.suggest import embed  # noqa: E402
from tests.devdata import dev_frame  # noqa: E402
from themes import merges  # noqa: E402
from themes.tables import normalise, note_vectors  # noqa: E402


def notes() -> pd.DataFrame:
    rows = []
    for r in dev_frame().itertuples():
        for text in str(r.text).split("; "):
            if text.strip():
                rows.append({"question": int(r.question), "row": int(r.row),
                             "theme": (r.huvudtema, r.subtema), "text": text.strip()})
    return pd.DataFrame(rows)


def measure(frame: pd.DataFrame, embedder) -> dict[str, object]:
    texts = frame.text.tolist()
    scores = merges.pair_scores(texts, embedder, note_vectors([normalise(t) for t in texts]))
    threshold = merges.BLENDED if embedder is not None else merges.WORDING_ONLY
    truth, score, proposed = [], [], set()
    for _, part in frame.groupby("theme", sort=False):
        at = part.index.tolist()
        for i, j in combinations(at, 2):
            truth.append(frame.row[i] == frame.row[j])
            score.append(scores[i, j])
        for group in merges.linked_groups(scores[np.ix_(at, at)], threshold, at, {}):
            proposed |= {(at[a], at[b]) for a, b in combinations(sorted(group), 2)}
    pairs = [(i, j) for _, part in frame.groupby("theme", sort=False)
             for i, j in combinations(part.index.tolist(), 2)]
    y = np.array(truth)
    hit = np.array([p in proposed for p in pairs])
    groups = sum(1 for _, part in frame.groupby("theme", sort=False)
                 for g in merges.linked_groups(scores[np.ix_(part.index, part.index)], threshold,
                                         part.index.tolist(), {}))
    tp = int((hit & y).sum())
    return {"notes": len(frame), "pairs": len(y), "merged": int(y.sum()),
            "auc": roc_auc_score(y, score) if 0 < y.sum() < len(y) else None,
            "proposed pairs": int(hit.sum()), "groups": groups,
            "precision": tp / hit.sum() if hit.sum() else None,
            "recall": tp / y.sum() if y.sum() else None}


def main() -> None:
    frame = notes()
    model = embed.load()
    lines = ["## Bilaga 2 merge proposals (development table, the authors' merges)", "",
             "`.venv/bin/python benchmarks/merge_suggestions.py` (themes.merges; thresholds "
             f"wording {merges.WORDING_ONLY}, wording and meaning {merges.BLENDED})", "",
             "| question | signal | notes | pairs in a theme row | merged by the authors | "
             "ROC AUC | pairs proposed | groups proposed | precision | recall | seconds |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    fmt = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
    for question, part in frame.groupby("question"):
        part = part.reset_index(drop=True)
        for name, embedder in (("wording", None), ("wording and meaning", model)):
            if name != "wording" and embedder is None:
                lines.append(f"| {question} | {name} | (embed extra not installed) |")
                continue
            start = time.perf_counter()
            m = measure(part, embedder)
            took = time.perf_counter() - start
            lines.append(f"| {question} | {name} | {m['notes']} | {m['pairs']} | {m['merged']} "
                         f"| {fmt(m['auc'])} | {m['proposed pairs']} | {m['groups']} "
                         f"| {fmt(m['precision'])} | {fmt(m['recall'])} | {took:.1f} |")
    lines += ["", "Precision and recall count pairs of notes: a proposed group of three is "
              "three pairs. Seconds include embedding the notes on first use (the app keeps the "
              "vectors in the project). Question 1's authors merged nothing: its proposals "
              "are all refusals, what the proposals cost an author there."]
    print(write_section("merge-suggestions", lines))


if __name__ == "__main__":
    main()
