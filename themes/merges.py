"""Proposals for bilaga 2: notes of one theme row that say the same thing in other words,
for the author to print as one row or keep apart (`coding.note_merges`). The report merges
by topic; wording alone merges only near-copies (`tables.NEAR_DUPLICATE`), so a proposal
also weighs meaning where the embedding extra is installed (`coding.suggest.embed`), and
lower wording similarity otherwise. Proposals are only proposals: nothing is merged until
the author says so, and a refused pair is never proposed again.

How well the proposals match the authors' own merges is measured on the development
table by `benchmarks/merge_suggestions.py` (BENCHMARKS.md)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sqlalchemy.orm import Session

from coding import note_merges
from coding.suggest.embed import Embedder
from corpus.study import load as load_study

from .choices import NEAR_DUPLICATE
from .layers import Layer
from .tables import normalise, note_clusters, note_vectors, theme_groups, themed_units

# Pairs scoring at least this are proposed. Wording: the cosine of character n-grams
# (tables.note_vectors). With meaning: the mean of the wording cosine scaled by WORDING_SPAN
# and the e5 cosine scaled from MEANING_FLOOR over MEANING_SPAN (Swedish texts on anything
# score above 0.8 in e5). Set on the development table's question 2 (BENCHMARKS.md).
WORDING_ONLY = 0.12
BLENDED = 0.40
WORDING_SPAN = 0.5
MEANING_FLOOR, MEANING_SPAN = 0.82, 0.10


@dataclass(frozen=True)
class Proposal:
    """Notes of one bilaga 2 theme row proposed as one row. `row_of`: the row each note
    prints in today (a proposal joins at least two); `score`: the weakest pair's score,
    the author's merges counted as alike."""

    question: int
    main: str
    sub: str
    segment_ids: tuple[int, ...]
    texts: tuple[str, ...]
    areas: tuple[str, ...]
    row_of: tuple[int, ...]
    score: float
    signal: str          # "ordval" or "betydelse och ordval"

    @property
    def rows(self) -> int:
        return len(set(self.row_of))

    def across(self, chosen: list[int] | None = None,
               others: list[int] | None = None) -> list[tuple[int, int]]:
        """Pairs of the proposal's notes that print in different rows today (between
        `chosen` and `others` when given): what "keep apart" means for a proposal, so that
        notes one row holds already (a near-copy) are never split by it."""
        row = dict(zip(self.segment_ids, self.row_of, strict=True))
        left = chosen if chosen is not None else list(self.segment_ids)
        right = others if others is not None else list(self.segment_ids)
        return sorted({(min(a, b), max(a, b)) for a in left for b in right
                       if a != b and row[a] != row[b]})


def _blend(wording: np.ndarray, cosine: np.ndarray | None) -> np.ndarray:
    if cosine is None:
        return wording
    return 0.5 * np.clip(wording / WORDING_SPAN, 0, 1) + \
        0.5 * np.clip((cosine - MEANING_FLOOR) / MEANING_SPAN, 0, 1)


def block_scores(vectors, meaning: np.ndarray | None, rows: list[int]) -> np.ndarray:
    """Pair scores among the notes at `rows` only: a theme row at a time, so a question of
    thousands of notes never makes an n x n matrix."""
    part = vectors[rows]
    wording = np.asarray((part @ part.T).todense(), dtype=float)
    cosine = None if meaning is None else meaning[rows] @ meaning[rows].T
    return _blend(wording, cosine)


def pair_scores(texts: list[str], embedder: Embedder | None = None,
                vectors=None) -> np.ndarray:
    """How alike each pair of notes is, 0-1: wording alone, or wording and meaning. `vectors`:
    the notes' character n-gram vectors when the caller has them (idf over the question)."""
    if vectors is None:
        vectors = note_vectors([normalise(t) or "-" for t in texts])
    meaning = embedder.vectors(texts) if embedder is not None else None
    return block_scores(vectors, meaning, list(range(len(texts))))


def _adjusted(scores: np.ndarray, ids: list[int],
              decided: dict[tuple[int, int], bool]) -> np.ndarray:
    """Scores with the author's decisions: a merged pair is alike (1), a refused one
    unlike (-1)."""
    sims = scores.copy()
    where = {unit: i for i, unit in enumerate(ids)}
    for (a, b), merged in decided.items():
        if a in where and b in where:
            sims[where[a], where[b]] = sims[where[b], where[a]] = 1.0 if merged else -1.0
    return sims


def linked_groups(scores: np.ndarray, threshold: float, ids: list[int],
                  decided: dict[tuple[int, int], bool]) -> list[list[int]]:
    """Complete-linkage groups of notes whose every pair scores at least `threshold`,
    the author's decisions first: a merged pair counts as alike, a refused pair as
    unlike, so a group never holds two notes the author kept apart."""
    if len(ids) < 2:
        return []
    distance = np.clip(1.0 - _adjusted(scores, ids, decided), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="complete")
    labels = fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance")
    found: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        found.setdefault(int(label), []).append(i)
    return [g for g in found.values() if len(g) > 1]


def proposals(session: Session, layer: Layer, embedder: Embedder | None = None,
              question: int | None = None, threshold: float | None = None,
              near: float = NEAR_DUPLICATE) -> list[Proposal]:
    """Groups of notes in one theme row of bilaga 2 that print as two or more rows today
    (notes at least `near` alike in wording print as one, as in the export) and are alike
    enough to be one topic, in question and theme order, then strongest first within a
    row. `embedder`: the meaning signal, or None for wording alone. A group whose rows
    hold two notes kept apart is not proposed: merging it could not print as one row."""
    threshold = threshold if threshold is not None else (BLENDED if embedder else WORDING_ONLY)
    signal = "betydelse och ordval" if embedder is not None else "ordval"
    units = themed_units(session, layer)
    if units.empty:
        return []
    notes = units[(units.kind == "note") & units.question.notna()]
    if question is not None:
        notes = notes[notes.question == question]
    areas = load_study(session)["area"]
    out: list[Proposal] = []
    for q, part in notes.groupby("question", sort=True):
        texts = [str(t).strip() for t in part.text]
        ids = [int(i) for i in part.segment_id]
        vectors = note_vectors([normalise(t) or "-" for t in texts])
        meaning = embedder.vectors(texts) if embedder is not None else None
        decided = note_merges.decisions(session, ids)
        refused = {pair for pair, merged in decided.items() if not merged}
        main, sub, area = part.Huvudtema.tolist(), part.Subtema.tolist(), part.area.tolist()
        for members in theme_groups(part.theme_order.tolist()):
            member_ids = [ids[i] for i in members]
            rows = note_clusters(vectors[members], near, member_ids, decided)
            scores = block_scores(vectors, meaning, members)
            adjusted = _adjusted(scores, member_ids, decided)
            found = []
            for group in linked_groups(scores, threshold, member_ids, decided):
                labels = {int(rows[g]) for g in group}
                if len(labels) < 2:
                    continue
                joined = {member_ids[k] for k, r in enumerate(rows) if int(r) in labels}
                if any(a in joined and b in joined for a, b in refused):
                    continue
                weakest = min(adjusted[a, b] for k, a in enumerate(group) for b in group[k + 1:])
                at = [members[g] for g in group]
                found.append(Proposal(
                    int(q), main[at[0]], sub[at[0]], tuple(ids[i] for i in at),
                    tuple(texts[i] for i in at),
                    tuple(areas.label(area[i]) if isinstance(area[i], str) else ""
                          for i in at),
                    tuple(int(rows[g]) for g in group), round(float(weakest), 3), signal))
            out += sorted(found, key=lambda p: -p.score)
    return out
