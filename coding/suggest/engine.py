"""The suggestion engine: lexical and statistical signals blended into calibrated,
explained, hierarchical suggestions, with a "fits no existing code" flag and an
active-learning review order.

The engine knows nothing about the database: it takes a `Codebook` and examples
(text, accepted code ids, rejected code ids), so a project, `qda eval` and a notebook
train it the same way.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from ..codebook import Codebook
from ..text import Token, lemma_text, tokens
from .lexical import LexicalMatcher
from .model import Features, MultiLabelModel

NO_FIT = "passar ingen befintlig kod"
NO_FIT_THRESHOLD = 0.3   # below this best score a segment is flagged as fitting no code
# How likely a poorly placed segment is to be something new rather than a weak match to an
# existing code, per level: new sub-themes emerge often, new main themes rarely.
NOVELTY = {0: 0.25, 1: 0.5}
MIN_STACK = 20           # coded examples before the blend is learned from the project
FOLDS = 3
SIMILAR_MIN = 0.3        # cosine similarity for "liknar N kodade inlägg"
NEIGHBOURS = 15
# Blend before the project has taught it anything: weights on logit(statistical), lexical
# score, "a keyword matched", "best keyword match at its level", "best model score at its
# level", then a bias. Chosen to trust keywords first; replaced by a learned blend per level.
DEFAULT_BLEND = (0.6, 3.0, 0.8, 1.0, 0.8, -2.6)
N_FEATURES = 5


@dataclass
class Example:
    """A coded text: what a coder accepted (and rejected) for it."""

    text: str
    codes: set[int]
    rejected: set[int] = field(default_factory=set)


@dataclass
class Suggestion:
    code_id: int
    score: float
    lexical: float = 0.0
    statistical: float = 0.0
    reasons: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    via: int | None = None   # the sub-code whose suggestion implies this code

    def evidence(self) -> dict:
        return {"lexical": round(self.lexical, 4), "statistical": round(self.statistical, 4),
                "reasons": self.reasons, "keywords": self.keywords,
                "spans": [list(s) for s in self.spans], "via": self.via}


@dataclass
class Scored:
    """All suggestions for one text, best first."""

    suggestions: list[Suggestion]
    no_fit: float               # probability that no existing sub-code fits
    flagged: bool               # "passar ingen befintlig kod"
    uncertainty: float          # higher = a decision here teaches the model more



def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class Engine:
    """Train with `fit` (full) or `retrain` (model only), then `score` texts."""

    def __init__(self, codebook: Codebook, corpus: Sequence[str] = (), seed: int = 0) -> None:
        self.codebook = codebook
        self.matcher = LexicalMatcher(codebook)
        self.seed = seed
        self.features: Features | None = None
        self.model = MultiLabelModel()
        self.blend: dict[int, tuple[float, ...]] = {}
        self.blend_learned = False
        self.n_examples = 0
        self._corpus = list(corpus)
        self._train_words: sp.csr_matrix | None = None
        self._train_labels: list[set[int]] = []
        self._deepest_first = sorted(codebook.codes, key=lambda i: -codebook.codes[i].depth)
        self._children: dict[int, list[int]] = {}
        for code in codebook.codes.values():
            if code.parent_id is not None:
                self._children.setdefault(code.parent_id, []).append(code.id)

    # -- training ---------------------------------------------------------------------
    def _codebook_examples(self) -> list[Example]:
        out = []
        for code in self.codebook.codes.values():
            doc = " ".join([code.name, code.definition, code.inclusion, *code.keywords])
            out.append(Example(doc, {code.id}))
            out.extend(Example(text, {code.id}) for text in code.examples)
        return out

    def _close(self, codes: set[int]) -> set[int]:
        """A code implies its ancestors: accepting a sub-theme accepts its main theme."""
        out = set(codes)
        for code_id in codes:
            if code_id in self.codebook.codes:
                out.update(self.codebook.ancestors(code_id))
        return out

    def _analyse(self, texts: Sequence[str]) -> tuple[list[list[Token]], list[str], list[str]]:
        toks = tokens(texts)
        return toks, [lemma_text(t) for t in toks], [(x or "").lower() for x in texts]

    def _fit_features(self, texts: Sequence[str]) -> None:
        _, lemmas, lowers = self._analyse([*self._corpus, *texts])
        self.features = Features().fit(lemmas, lowers)

    def retrain(self, examples: Sequence[Example]) -> Engine:
        """Refit the per-code models on the codebook and the examples (fast path)."""
        book = self._codebook_examples()
        data = [*book, *examples]
        if self.features is None:
            self._fit_features([e.text for e in data])
        _, lemmas, lowers = self._analyse([e.text for e in data])
        x = self.features.transform(lemmas, lowers)
        labels = [self._close(e.codes) for e in data]
        negatives = [set(e.rejected) for e in data]
        weights = np.ones(len(data), dtype=np.float64)
        self.model.fit(x, labels, negatives, weights, list(self.codebook.codes))
        n_book = len(book)
        self._train_words = x[n_book:, : len(self.features.words.vocabulary_)]
        self._train_labels = labels[n_book:]
        self.n_examples = len(examples)
        return self

    def fit(self, examples: Sequence[Example]) -> Engine:
        """Refit everything: vocabulary, per-code models and (with enough data) the blend."""
        self.features = None
        self._fit_features([e.text for e in [*self._codebook_examples(), *examples]])
        if len(examples) >= MIN_STACK:
            self._learn_blend(examples)
        else:
            self.blend, self.blend_learned = {}, False
        return self.retrain(examples)

    def _learn_blend(self, examples: Sequence[Example]) -> None:
        """Stack the two signals with a logistic regression on out-of-fold scores: this is
        both the blend and its calibration (Platt scaling on held-out decisions)."""
        order = list(range(len(examples)))
        random.Random(self.seed).shuffle(order)
        rows: dict[int, list[np.ndarray]] = {}
        targets: dict[int, list[bool]] = {}
        for fold in range(FOLDS):
            held = [examples[i] for i in order[fold::FOLDS]]
            train = [examples[i] for k, i in enumerate(order) if k % FOLDS != fold]
            self.retrain(train)
            feats, ids = self._signals([e.text for e in held])
            levels = [min(self.codebook.codes[i].depth, 1) for i in ids]
            for r, example in enumerate(held):
                truth = self._close(example.codes)
                for k, code_id in enumerate(ids):
                    rows.setdefault(levels[k], []).append(feats[r, k])
                    targets.setdefault(levels[k], []).append(code_id in truth)
        blend = {}
        for level, x in rows.items():
            y = np.array(targets[level])
            if y.all() or not y.any():
                continue
            stacker = LogisticRegression(C=1.0, max_iter=1000)
            stacker.fit(np.array(x), y)
            blend[level] = (*map(float, stacker.coef_[0]), float(stacker.intercept_[0]))
        self.blend = blend
        self.blend_learned = bool(blend)

    # -- scoring ----------------------------------------------------------------------
    def _signals(self, texts: Sequence[str], toks=None, lex=None):
        """Per text and code: the blend's features (see DEFAULT_BLEND)."""
        if toks is None:
            toks, lemmas, lowers = self._analyse(texts)
        else:
            lemmas, lowers = [lemma_text(t) for t in toks], [(x or "").lower() for x in texts]
        if lex is None:
            lex = [self.matcher.match(t) for t in toks]
        ids = list(self.codebook.codes)
        x = self.features.transform(lemmas, lowers)
        stat = self.model.predict(x)
        n = len(texts)
        feats = np.zeros((n, len(ids), N_FEATURES), dtype=np.float64)
        index = {code_id: k for k, code_id in enumerate(ids)}
        miss = np.ones((n, len(ids)))
        for r, hits in enumerate(lex):
            for code_id, hit in hits.items():
                miss[r, index[code_id]] = 1.0 - hit.score
        # a code's lexical score includes its sub-codes' keywords (noisy-or, deepest first)
        for code_id in self._deepest_first:
            parent = self.codebook.codes[code_id].parent_id
            if parent is not None:
                miss[:, index[parent]] *= miss[:, index[code_id]]
        for k, code_id in enumerate(ids):
            p = stat.get(code_id)
            feats[:, k, 0] = _logit(p) if p is not None else _logit(np.full(n, 1e-3))
        feats[..., 1] = 1.0 - miss
        feats[..., 2] = feats[..., 1] > 0
        for level in (0, 1):
            cols = [k for k, i in enumerate(ids) if min(self.codebook.codes[i].depth, 1) == level]
            if not cols:
                continue
            part = feats[:, cols]
            feats[:, cols, 3] = (part[..., 1] > 0) & (
                part[..., 1] >= part[..., 1].max(axis=1, keepdims=True))
            feats[:, cols, 4] = part[..., 0] >= part[..., 0].max(axis=1, keepdims=True)
        return feats, ids

    def _blend(self, feats: np.ndarray, ids: list[int]) -> np.ndarray:
        out = np.zeros(feats.shape[:2])
        levels = np.array([min(self.codebook.codes[i].depth, 1) for i in ids])
        for level in (0, 1):
            cols = levels == level
            if not cols.any():
                continue
            *weights, bias = self.blend.get(level, DEFAULT_BLEND)
            z = feats[:, cols] @ np.array(weights) + bias
            out[:, cols] = 1.0 / (1.0 + np.exp(-z))
        return out

    def propagate(self, matrix: np.ndarray, ids: list[int]) -> np.ndarray:
        """A sub-code implies its parents: a parent scores at least its best child."""
        out = matrix.copy()
        index = {code_id: k for k, code_id in enumerate(ids)}
        for code_id in self._deepest_first:
            parent = self.codebook.codes[code_id].parent_id
            if parent is not None:
                np.maximum(out[:, index[parent]], out[:, index[code_id]],
                           out=out[:, index[parent]])
        return out

    def signal_matrices(self, texts: Sequence[str], toks=None, lex=None
                        ) -> tuple[dict[str, np.ndarray], list[int]]:
        """Texts x codes scores for the blend and each signal alone, hierarchy applied."""
        if self.features is None:
            self.fit([])
        feats, ids = self._signals(texts, toks, lex)
        blended = self._blend(feats, ids)
        stat = 1.0 / (1.0 + np.exp(-feats[..., 0]))
        return {"blended": blended, "lexical": feats[..., 1], "statistical": stat}, ids

    def score(self, texts: Sequence[str], exclude: Sequence[set[int]] | None = None,
              explain: bool = True, limit: int = 8) -> list[Scored]:
        """Ranked suggestions per text; codes in `exclude[i]` (rejections) are never shown."""
        texts = list(texts)
        if not texts:
            return []
        toks, lemmas, _ = self._analyse(texts)
        lex = [self.matcher.match(t) for t in toks]
        matrices, ids = self.signal_matrices(texts, toks, lex)
        raw = matrices["blended"]
        final = self.propagate(raw, ids)
        stat, lexical = matrices["statistical"], matrices["lexical"]
        depth = np.array([self.codebook.codes[i].depth for i in ids])
        leaf_level = depth == (1 if (depth >= 1).any() else 0)
        similar = self._similar(lemmas) if explain else None
        index = {code_id: k for k, code_id in enumerate(ids)}
        out = []
        for r in range(len(texts)):
            banned = exclude[r] if exclude else set()
            ranked = [k for k in np.argsort(-final[r], kind="stable") if ids[k] not in banned]
            suggestions = []
            for k in ranked[:limit]:
                code_id = ids[k]
                hit = lex[r].get(code_id)
                keywords = list(hit.keywords) if hit else []
                spans = list(hit.spans) if hit else []
                children = [c for c in self._children.get(code_id, ()) if c not in banned]
                via = max(children, key=lambda c: final[r, index[c]], default=None)
                if via is not None and final[r, index[via]] < NO_FIT_THRESHOLD:
                    via = None
                if via is not None and via in lex[r]:  # show the sub-theme's evidence too
                    keywords += [w for w in lex[r][via].keywords if w not in keywords]
                    spans = sorted({*spans, *lex[r][via].spans})
                s = Suggestion(code_id, float(final[r, k]), float(lexical[r, k]),
                               float(stat[r, k]), keywords=keywords, spans=spans, via=via)
                if explain:
                    s.reasons = self._reasons(s, similar[r] if similar is not None else {})
                suggestions.append(s)
            leaf = np.sort(final[r][leaf_level])[::-1]
            best = float(leaf[0]) if len(leaf) else 0.0
            second = float(leaf[1]) if len(leaf) > 1 else 0.0
            no_fit = no_fit_score(best, int(depth[leaf_level][0]) if leaf_level.any() else 0)
            out.append(Scored(suggestions, no_fit, best < NO_FIT_THRESHOLD, 1.0 - (best - second)))
        return out

    def _similar(self, lemmas: list[str]) -> list[dict[int, int]]:
        """Per text: code id -> how many of its nearest coded examples carry that code."""
        if self._train_words is None or self._train_words.shape[0] == 0:
            return [{} for _ in lemmas]
        words = self.features.words.transform(lemmas)
        out = []
        for start in range(0, words.shape[0], 2000):
            sims = (words[start:start + 2000] @ self._train_words.T).tocsr()
            for row in range(sims.shape[0]):
                lo, hi = sims.indptr[row], sims.indptr[row + 1]
                cols, vals = sims.indices[lo:hi], sims.data[lo:hi]
                keep = vals >= SIMILAR_MIN
                cols, vals = cols[keep], vals[keep]
                top = cols[np.argsort(-vals)[:NEIGHBOURS]]
                counts: dict[int, int] = {}
                for col in top:
                    for code_id in self._train_labels[col]:
                        counts[code_id] = counts.get(code_id, 0) + 1
                out.append(counts)
        return out

    def _reasons(self, s: Suggestion, similar: dict[int, int]) -> list[str]:
        reasons = []
        if s.keywords:
            reasons.append("nyckelord: " + ", ".join(s.keywords[:3]))
        n = similar.get(s.code_id, 0)
        if n:
            reasons.append(f"liknar {n} kodade inlägg")
        elif s.statistical >= 0.5 and not s.keywords:
            reasons.append("liknar kodbokens beskrivning")
        if s.via is not None:
            reasons.append(f"via subtema: {self.codebook.codes[s.via].name}")
        if not reasons:
            reasons.append(f"modellen: {s.statistical:.2f}")
        return reasons


def no_fit_score(best: float, depth: int) -> float:
    """Probability-like score for "passar ingen befintlig kod" given the best code's score."""
    return (1.0 - best) * NOVELTY.get(depth, NOVELTY[1])


def review_order(scored: Sequence[Scored]) -> list[int]:
    """Indices, most informative first: the least certain and the no-fit segments lead."""
    return sorted(range(len(scored)), key=lambda i: (-scored[i].uncertainty, i))
