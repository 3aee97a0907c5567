"""The suggestion engine: lexical and statistical signals blended into calibrated,
explained, hierarchical suggestions, with a "fits no existing code" flag and an
active-learning review order.

The engine knows nothing about the database: it takes a `Codebook` and examples
(text, accepted code ids, rejected code ids), so a project, `qda eval` and a notebook
train it the same way.
"""

from __future__ import annotations

import gc
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from ..codebook import Codebook
from ..text import Token, has_content, tokens
from .embed import Embedder
from .lexical import LexicalHit, LexicalMatcher
from .model import Features, MultiLabelModel

NO_FIT = "passar ingen befintlig kod"
NO_FIT_THRESHOLD = 0.3   # below this best score a segment is flagged as fitting no code
# How likely a poorly placed segment is to be something new rather than a weak match to an
# existing code, per level: new sub-themes emerge often, new main themes rarely.
NOVELTY = {0: 0.25, 1: 0.5}
MIN_STACK = 20           # coded examples before the blend is learned from the project
FOLDS = 3
STACK_C = 1.0
MAX_CACHED = 300_000     # texts whose features and keyword hits are kept
SIMILAR_MIN = 0.3        # cosine similarity for "liknar N kodade inlägg"
# A code no decision has used yet (a färdplan concept the coding never took up) and the
# no-fit flag rank after the codes in use at their level unless their score reaches this:
# on held-out questions they took top-3 places from the main themes the coding uses.
STRONG = 0.7
# Blend before the project has taught it anything: weights on logit(statistical), lexical
# score, "a keyword matched", "best keyword match at its level", "best model score at its
# level", then a bias. Chosen to trust keywords first: the model's log-likelihood ratio
# (equal priors) is above 2 for some code on almost any text, so alone it must not cross
# the no-fit line. Replaced by a blend learned per level once there are MIN_STACK codings.
DEFAULT_BLEND = (0.3, 3.0, 0.8, 1.0, 0.5, -2.4)
N_FEATURES = 5
# With the meaning signal (embed.py) three more features: how close the text's vector is
# to the code's description and examples, and to the centroid of its coded examples (each
# standardised over the codes of its level for this text), and "the closest centroid at its
# level". The stacked logistic regression learns their weights from the project's
# decisions; these defaults only serve a project with fewer than MIN_STACK decisions.
EMBED_BLEND = (0.5, 0.5, 0.5)
N_EMBED = 3
MEANING_LEVELS = (0,)
SHOWN_MEANING = 60       # characters of the closest text quoted in "liknar betydelsen av"


@dataclass
class Example:
    """A coded text: what a coder accepted (and rejected) for it."""

    text: str
    codes: set[int]
    rejected: set[int] = field(default_factory=set)


@dataclass(slots=True)
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
    uncertainty: float          # higher = a decision here teaches the model more;
                                # 0 for a text without a content word



@contextmanager
def _paused_gc() -> Iterator[None]:
    """Scoring allocates many small acyclic objects; with large caches alive, the cyclic
    collector would rescan them again and again (it more than doubled scoring time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class Engine:
    """Train with `fit` (full) or `retrain` (model only), then `score` texts.

    Every text the engine has read (the corpus, examples, scored texts) keeps its feature
    row and keyword hits, so retraining after a batch of decisions and re-scoring the
    project's segments do not tokenise anything twice.
    """

    def __init__(self, codebook: Codebook, corpus: Sequence[str] = (), seed: int = 0,
                 embedder: Embedder | None = None) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.n_features = N_FEATURES + (N_EMBED if embedder is not None else 0)
        self.matcher = LexicalMatcher(codebook)
        self.seed = seed
        self.features: Features | None = None
        self.model = MultiLabelModel()
        self.blend: dict[int, tuple[float, ...]] = {}
        self.blend_learned = False
        self.n_examples = 0
        self._corpus = list(corpus)
        self.ids = list(codebook.codes)
        self._col = {code_id: k for k, code_id in enumerate(self.ids)}
        self._level = np.array([min(codebook.codes[i].depth, 1) for i in self.ids])
        self._deepest_first = sorted(codebook.codes, key=lambda i: -codebook.codes[i].depth)
        self._children: dict[int, list[int]] = {}
        for code in codebook.codes.values():
            if code.parent_id is not None:
                self._children.setdefault(code.parent_id, []).append(code.id)
        # the codes a unit is finally coded with: sub-themes, and main themes that have
        # none (a main theme without sub-themes fits as well as a sub-theme does)
        self._leaf = np.array([i not in self._children for i in self.ids], dtype=bool)
        self._used = np.zeros(len(self.ids), dtype=bool)   # codes the examples carry
        # codes a decision took as the unit's code itself, not as a sub-theme's parent
        self._taken = np.zeros(len(self.ids), dtype=bool)
        # the meaning signal: label texts (description, codebook examples) and the coded
        # examples, as unit vectors with the column of their code
        self._label_vecs = np.zeros((0, 0), dtype=np.float32)
        self._label_cols: list[int] = []
        self._label_texts: list[str] = []
        self._centroids = np.zeros((0, 0), dtype=np.float32)
        self._has_centroid = np.zeros(len(self.ids), dtype=bool)
        self._ex_vecs = np.zeros((0, 0), dtype=np.float32)
        self._ex_texts: list[str] = []
        self._ex_labels: list[set[int]] = []
        self._family: dict[int, set[int]] = {}   # a code and its sub-codes
        self._lex: dict[str, dict[int, LexicalHit]] = {}
        self._row: dict[str, int] = {}
        self._x = sp.csr_matrix((0, 0), dtype=np.float32)
        self._similar_to = sp.csr_matrix((0, 0), dtype=np.float32)  # coded examples' words
        self._similar_labels = sp.csr_matrix((0, len(self.ids)), dtype=np.float32)

    # -- reading texts ----------------------------------------------------------------
    def _read(self, texts: Sequence[str], toks: Sequence[list[Token]] | None = None,
              ) -> tuple[sp.csr_matrix, list[dict[int, LexicalHit]]]:
        """Feature rows and keyword hits of `texts`, from the cache where possible."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._row]
        if todo:
            if toks is None or len(todo) != len(toks):
                toks = tokens(todo)
            hits = {text: self._lex[text] if text in self._lex else self.matcher.match(row)
                    for text, row in zip(todo, toks, strict=True)}
            assert self.features is not None        # fitted before any text is read
            new = self.features.transform(toks)
            if len(self._row) + len(todo) <= MAX_CACHED:
                self._row.update((text, self._x.shape[0] + i) for i, text in enumerate(todo))
                self._x = sp.vstack([self._x, new], format="csr")
                self._lex.update(hits)
            else:  # cache full: stack only the rows asked for, never the whole cache
                known = list(dict.fromkeys(t for t in texts if t in self._row))
                x = sp.vstack([self._x[[self._row[t] for t in known]], new], format="csr")
                fresh = {t: i for i, t in enumerate([*known, *todo])}
                return x[[fresh[t] for t in texts]], [
                    hits[t] if t in hits else self._lex[t] for t in texts]
        return self._x[[self._row[t] for t in texts]], [self._lex[t] for t in texts]

    def _forget_features(self) -> None:
        """A new vocabulary makes every cached feature row stale (keyword hits stay)."""
        self._row = {}
        assert self.features is not None            # called after fitting them
        self._x = sp.csr_matrix((0, self.features.dim), dtype=np.float32)
        if len(self._lex) > MAX_CACHED:
            self._lex = {}

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

    def _fit_features(self, texts: Sequence[str]) -> None:
        texts = list(dict.fromkeys(texts))
        toks = tokens(texts)
        self.features = Features().fit(toks)
        self._forget_features()
        self._read(texts, toks)

    @_paused_gc()
    def retrain(self, examples: Sequence[Example]) -> Engine:
        """Refit the per-code models on the codebook and the examples (fast path)."""
        book = self._codebook_examples()
        data = [*book, *examples]
        if self.features is None:
            self._fit_features([*self._corpus, *(e.text for e in data)])
        x, _ = self._read([e.text for e in data])
        labels = [self._close(e.codes) for e in data]
        negatives = [set(e.rejected) for e in data]
        self.model.fit(x, labels, negatives, np.ones(len(data)), self.ids)
        self._remember_examples(x[len(book):], labels[len(book):])
        self._used = np.zeros(len(self.ids), dtype=bool)
        for lab in labels[len(book):]:
            self._used[[self._col[c] for c in lab if c in self._col]] = True
        self._taken = np.zeros(len(self.ids), dtype=bool)
        for example in examples:
            self._taken[[self._col[c] for c in example.codes if c in self._col]] = True
        if self.embedder is not None:
            self._remember_meaning([e.text for e in examples], labels[len(book):])
        self.n_examples = len(examples)
        return self

    def _label_texts_of(self) -> tuple[list[str], list[int]]:
        texts, cols = [], []
        for code in self.codebook.codes.values():
            about = ". ".join(p for p in (code.name, code.definition, code.inclusion,
                                          ", ".join(code.keywords)) if p)
            for text in (about, *code.examples):
                texts.append(text)
                cols.append(self._col[code.id])
        return texts, cols

    def _remember_meaning(self, texts: list[str], labels: list[set[int]]) -> None:
        """The vectors the meaning signal compares with: the codes' label texts (once) and
        the centroid of each code's coded examples (each retrain)."""
        assert self.embedder is not None            # only with the meaning signal
        if not self._label_cols:
            self._label_texts, self._label_cols = self._label_texts_of()
            self._label_vecs = self.embedder.vectors(self._label_texts)
        vecs = self.embedder.vectors(texts)
        sums = np.zeros((len(self.ids), vecs.shape[1] if len(texts) else 1), dtype=np.float32)
        for r, lab in enumerate(labels):
            for c in lab:
                if c in self._col:
                    sums[self._col[c]] += vecs[r]
        self._has_centroid = np.abs(sums).sum(axis=1) > 0
        self._centroids = normalize(sums) if len(texts) else sums
        self._ex_vecs, self._ex_texts, self._ex_labels = vecs, texts, labels

    def _meaning(self, texts: Sequence[str]) -> np.ndarray:
        """Texts x codes x N_EMBED features of the meaning signal (see EMBED_BLEND)."""
        n, k = len(texts), len(self.ids)
        out = np.zeros((n, k, N_EMBED))
        if not n:
            return out
        assert self.embedder is not None            # only with the meaning signal
        vecs = self.embedder.vectors(texts)
        label = np.full((n, k), -1.0)
        sims = vecs @ self._label_vecs.T if self._label_cols else np.zeros((n, 0))
        for j, col in enumerate(self._label_cols):
            np.maximum(label[:, col], sims[:, j], out=label[:, col])
        label = self.propagate(label)
        cent = vecs @ self._centroids.T if self._has_centroid.any() else np.zeros((n, k))
        cent = self.propagate(np.where(self._has_centroid, cent, -1.0))
        for level in MEANING_LEVELS:
            cols = self._level == level
            if not cols.any():
                continue
            for f, raw in enumerate((label, cent)):
                part = raw[:, cols]
                known = part > -1.0
                if not known.any():
                    continue
                vals = np.where(known, part, np.nan)
                mean = np.nanmean(np.where(known.any(axis=1, keepdims=True), vals, 0.0),
                                 axis=1, keepdims=True)
                std = np.nanstd(np.where(known.any(axis=1, keepdims=True), vals, 0.0),
                                axis=1, keepdims=True)
                z = (part - mean) / np.maximum(std, 1e-6)
                out[:, cols, f] = np.where(known, z, -3.0)
            best = np.where(cent[:, cols] > -1.0, cent[:, cols], -np.inf)
            out[:, cols, 2] = (cent[:, cols] > -1.0) & (best >= best.max(axis=1, keepdims=True))
        return out

    def closest_meaning(self, text: str, code_id: int) -> str | None:
        """The label text or coded example of `code_id` (or of its sub-codes) whose
        meaning is closest to `text`: what "liknar betydelsen av" quotes."""
        if self.embedder is None:
            return None
        wanted = self._family.get(code_id)
        if wanted is None:
            wanted = self._family[code_id] = {code_id, *(
                c for c in self.codebook.codes if code_id in self.codebook.ancestors(c))}
        cols = {self._col[c] for c in wanted if c in self._col}
        pool = [(self._label_texts[j], self._label_vecs[j])
                for j, col in enumerate(self._label_cols) if col in cols]
        pool += [(t, self._ex_vecs[r]) for r, (t, lab) in enumerate(
            zip(self._ex_texts, self._ex_labels, strict=True)) if lab & wanted]
        if not pool:
            return None
        vec = self.embedder.vectors([text])[0]
        best = max(pool, key=lambda item: float(item[1] @ vec))[0]
        return best if len(best) <= SHOWN_MEANING else best[:SHOWN_MEANING - 1] + "…"

    def _remember_examples(self, x: sp.csr_matrix, labels: list[set[int]]) -> None:
        """What "liknar N kodade inlägg" compares with: the coded texts' word features."""
        self._similar_to = self._content_vectors(x).T.tocsr()
        cols = [self._col[c] for lab in labels for c in lab if c in self._col]
        indptr = np.cumsum([0, *(sum(c in self._col for c in lab) for lab in labels)])
        self._similar_labels = sp.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), cols, indptr),
            shape=(len(labels), len(self.ids)))

    @_paused_gc()
    def fit(self, examples: Sequence[Example]) -> Engine:
        """Refit everything: vocabulary, per-code models and (with enough data) the blend."""
        self._fit_features([*self._corpus, *(e.text for e in self._codebook_examples()),
                            *(e.text for e in examples)])
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
        rows: dict[int, list[np.ndarray]] = {0: [], 1: []}
        targets: dict[int, list[np.ndarray]] = {0: [], 1: []}
        for fold in range(FOLDS):
            held = [examples[i] for i in order[fold::FOLDS]]
            train = [examples[i] for k, i in enumerate(order) if k % FOLDS != fold]
            self.retrain(train)
            feats = self._signals(*self._read([e.text for e in held]),
                                  [e.text for e in held])
            truth = np.zeros((len(held), len(self.ids)), dtype=bool)
            for r, example in enumerate(held):
                for code_id in self._close(example.codes):
                    if code_id in self._col:
                        truth[r, self._col[code_id]] = True
            for level in (0, 1):
                cols = self._level == level
                rows[level].append(feats[:, cols].reshape(-1, self.n_features))
                targets[level].append(truth[:, cols].ravel())
        blend = {}
        for level in (0, 1):
            if not rows[level]:
                continue
            x, y = np.vstack(rows[level]), np.concatenate(targets[level])
            if y.all() or not y.any():
                continue
            stacker = LogisticRegression(C=STACK_C, max_iter=1000)
            stacker.fit(x, y)
            blend[level] = (*map(float, stacker.coef_[0]), float(stacker.intercept_[0]))
        self.blend = blend
        self.blend_learned = bool(blend)

    # -- scoring ----------------------------------------------------------------------
    def _signals(self, x: sp.csr_matrix, lex: Sequence[dict[int, LexicalHit]],
                 texts: Sequence[str] = ()) -> np.ndarray:
        """Texts x codes x the blend's features (see DEFAULT_BLEND and EMBED_BLEND)."""
        n, k = x.shape[0], len(self.ids)
        feats = np.zeros((n, k, self.n_features), dtype=np.float64)
        if self.embedder is not None:
            feats[..., N_FEATURES:] = self._meaning(texts)
        stat = self.model.predict(x)
        floor = _logit(np.full(n, 1e-3))
        for code_id, col in self._col.items():
            p = stat.get(code_id)
            feats[:, col, 0] = _logit(p) if p is not None else floor
        # a main theme is as likely as its likeliest sub-theme: its own model has only seen
        # its examples as a whole, a sub-theme's model the part that matches this text
        feats[..., 0] = self.propagate(feats[..., 0])
        miss = np.ones((n, k))
        for r, hits in enumerate(lex):
            for code_id, hit in hits.items():
                miss[r, self._col[code_id]] = 1.0 - hit.score
        # a code's lexical score includes its sub-codes' keywords (noisy-or, deepest first)
        for code_id in self._deepest_first:
            parent = self.codebook.codes[code_id].parent_id
            if parent is not None:
                miss[:, self._col[parent]] *= miss[:, self._col[code_id]]
        feats[..., 1] = 1.0 - miss
        feats[..., 2] = feats[..., 1] > 0
        for level in (0, 1):
            cols = self._level == level
            if not cols.any():
                continue
            part = feats[:, cols]
            feats[:, cols, 3] = (part[..., 1] > 0) & (
                part[..., 1] >= part[..., 1].max(axis=1, keepdims=True))
            feats[:, cols, 4] = part[..., 0] >= part[..., 0].max(axis=1, keepdims=True)
        return feats

    def _blend(self, feats: np.ndarray) -> np.ndarray:
        out = np.zeros(feats.shape[:2])
        for level in (0, 1):
            cols = self._level == level
            if not cols.any():
                continue
            *weights, bias = self.blend.get(level, self._default_blend())
            z = feats[:, cols] @ np.array(weights) + bias
            out[:, cols] = 1.0 / (1.0 + np.exp(-z))
        return out

    def demoted(self, final: np.ndarray) -> np.ndarray:
        """Texts x codes: True where a code ranks after the codes in use at its level (see
        STRONG). At a level where nothing is in use yet (a new project), nothing is."""
        out = ~self._used & (final < STRONG)
        for level in (0, 1):
            cols = self._level == level
            if not (self._used & cols).any():
                out[:, cols] = False
        return out

    def in_use(self, level: int) -> bool:
        """Whether any code at `level` has been used by a decision the engine learned from."""
        return bool((self._used & (self._level == level)).any())

    def _default_blend(self) -> tuple[float, ...]:
        if self.embedder is None:
            return DEFAULT_BLEND
        return (*DEFAULT_BLEND[:-1], *EMBED_BLEND, DEFAULT_BLEND[-1])

    def propagate(self, matrix: np.ndarray) -> np.ndarray:
        """A sub-code implies its parents: a parent scores at least its best child
        (columns in `self.ids` order)."""
        out = matrix.copy()
        for code_id in self._deepest_first:
            parent = self.codebook.codes[code_id].parent_id
            if parent is not None:
                p, c = self._col[parent], self._col[code_id]
                np.maximum(out[:, p], out[:, c], out=out[:, p])
        return out

    @_paused_gc()
    def signal_matrices(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], list[int]]:
        """Texts x codes scores for the blend and each signal alone (before the hierarchy
        is applied), and the code id of each column."""
        if self.features is None:
            self.fit([])
        feats = self._signals(*self._read(list(texts)), list(texts))
        stat = 1.0 / (1.0 + np.exp(-feats[..., 0]))
        out = {"blended": self._blend(feats), "lexical": feats[..., 1], "statistical": stat}
        if self.embedder is not None:   # the meaning signal alone: its learned-free order
            out["meaning"] = 1.0 / (1.0 + np.exp(-feats[..., N_FEATURES + 1]))
        return out, self.ids

    @_paused_gc()
    def score(self, texts: Sequence[str], exclude: Sequence[set[int]] | None = None,
              explain: bool = True, limit: int = 8, finest: bool = False) -> list[Scored]:
        """Ranked suggestions per text; codes in `exclude[i]` (rejections) are never shown.

        With `finest`, a main theme that has sub-themes and that no decision has taken on
        its own ranks after the other codes: it scores at least its best sub-theme, so it
        would take one of the few places shown beside the sub-theme that implies it, and
        one key would code half the path (see `_finest`)."""
        texts = list(texts)
        if not texts:
            return []
        if self.features is None:
            self.fit([])
        x, lex = self._read(texts)
        feats = self._signals(x, lex, texts)
        final = self.propagate(self._blend(feats))
        stat = 1.0 / (1.0 + np.exp(-feats[..., 0]))
        lexical = feats[..., 1]
        for r, banned in enumerate(exclude or ()):
            for code_id in banned:
                if code_id in self._col:
                    final[r, self._col[code_id]] = -1.0
        via = self._best_children(final)
        # "liknar betydelsen av …": the meaning signal's closest code at its level, or a
        # description or example much closer than the others (2 standard deviations)
        close = None
        if self.embedder is not None:
            close = (feats[..., N_FEATURES + 2] > 0) | (feats[..., N_FEATURES] >= 2.0)
        similar = self._similar(x) if explain else None
        # a text without a content word ("Ja.", "Mm, precis.", "Tack.") teaches the model
        # nothing whatever its scores: last in "most informative first", not first
        substance = [has_content(text) for text in texts]
        # the codes in use first (scores stay as they are: they are calibrated)
        key = np.where(final < 0, -10.0, final + 2.0 * ~self.demoted(final))
        if finest:
            key = self._finest(key, limit)
        ranked = np.argsort(-key, axis=1, kind="stable")[:, :limit]
        leaf_depth = 1 if (self._level >= 1).any() else 0
        leaf = np.sort(final[:, self._leaf], axis=1)[:, ::-1]
        best = (leaf[:, 0] if leaf.shape[1] else np.zeros(len(texts))).tolist()
        second = (leaf[:, 1] if leaf.shape[1] > 1 else np.zeros(len(texts))).tolist()
        # plain Python values for the loop below: indexing numpy per element is slow
        picked = {name: np.take_along_axis(m, ranked, axis=1).tolist() for name, m in
                  (("final", final), ("lexical", lexical), ("stat", stat), ("via", via))}
        if similar is not None:
            picked["similar"] = np.take_along_axis(similar, ranked, axis=1).tolist()
        ids = self.ids
        out = []
        # the loop runs KEEP times per text (90,000 times for 10,000 texts): row lists
        # taken once, and no keyword work for the many texts without a keyword hit
        rows = zip(ranked.tolist(), picked["final"], picked["lexical"], picked["stat"],
                   picked["via"], picked.get("similar", repeat(None)), strict=False)
        for r, (cols, finals, lexicals, stats, vias, similars) in enumerate(rows):
            hits = lex[r]
            suggestions = []
            for j, k in enumerate(cols):
                score = finals[j]
                if score < 0:
                    break  # only rejected codes are left
                code_id = ids[k]
                child = vias[j]
                child = ids[child] if child >= 0 else None
                keywords: list[str] = []
                spans: list[tuple[int, int]] = []
                if hits:
                    hit = hits.get(code_id)
                    if hit:
                        keywords, spans = list(hit.keywords), list(hit.spans)
                    if child is not None and child in hits:  # the sub-theme's evidence too
                        keywords += [w for w in hits[child].keywords if w not in keywords]
                        spans = sorted({*spans, *hits[child].spans})
                s = Suggestion(code_id, score, lexical=lexicals[j], statistical=stats[j],
                               keywords=keywords, spans=spans, via=child)
                if explain:
                    meaning = None
                    if close is not None and j < 3 and close[r, k]:
                        meaning = self.closest_meaning(texts[r], code_id)
                    s.reasons = self._reasons(s, similars[j], meaning)
                suggestions.append(s)
            out.append(Scored(suggestions, no_fit_score(best[r], leaf_depth),
                              best[r] < NO_FIT_THRESHOLD,
                              1.0 - (best[r] - second[r]) if substance[r] else 0.0))
        return out

    def _finest(self, key: np.ndarray, limit: int) -> np.ndarray:
        """The ranking keys with the main themes that have sub-themes, and that no decision
        has taken on their own, stepped back: such a theme scores at least its best
        sub-theme, so it would take one of the few shown places beside the sub-theme that
        implies it. The best of them keeps the last shown place: a unit about the theme as
        a whole, before any unit was coded so, still finds it among the numbers."""
        half = ~self._leaf & ~self._taken & (key > -5.0)     # never a rejected code
        if limit < 2 or not half.any():
            return key
        out = key - 4.0 * half
        rows = np.flatnonzero(half.any(axis=1))
        best = np.where(half[rows], key[rows], -np.inf).argmax(axis=1)
        # just after the place before the last; never lower than it stands already (fewer
        # codes than places, or only rejected ones there)
        before = np.sort(out[rows], axis=1)[:, -min(limit - 1, key.shape[1])]
        out[rows, best] = np.maximum(np.nextafter(before, -np.inf), out[rows, best])
        return out

    def _best_children(self, final: np.ndarray) -> np.ndarray:
        """Per text and code: the column of its best-scoring child above the no-fit line,
        or -1; this is the sub-theme a main-theme suggestion is "via"."""
        via = np.full(final.shape, -1, dtype=np.int64)
        for parent, children in self._children.items():
            cols = np.array([self._col[c] for c in children])
            best = cols[np.argmax(final[:, cols], axis=1)]
            ok = final[np.arange(final.shape[0]), best] >= NO_FIT_THRESHOLD
            via[ok, self._col[parent]] = best[ok]
        return via

    def _content_vectors(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """The rows' content words only, at unit length. Stop words ("och", "att") and
        words in a large share of all texts add little to a cosine but make every pair of
        texts overlap, and bigrams repeat what the words say; leaving them out keeps the
        comparison about what the texts say, and sparse and fast."""
        assert self.features is not None            # called after fitting them
        words = x[:, : self.features.n_words] @ sp.diags(
            self.features.content_words.astype(np.float32))
        words.eliminate_zeros()
        return normalize(words).astype(np.float32) if words.shape[0] else words

    def _similar(self, x: sp.csr_matrix) -> np.ndarray:
        """Per text and code: how many coded examples carrying that code share enough
        words with the text (cosine over their content words at least SIMILAR_MIN)."""
        if self._similar_to.shape[1] == 0:
            return np.zeros((x.shape[0], len(self.ids)), dtype=np.int64)
        words = self._content_vectors(x)
        out = np.zeros((x.shape[0], len(self.ids)), dtype=np.int64)
        for start in range(0, x.shape[0], 2000):
            sims = (words[start:start + 2000] @ self._similar_to).tocsr()
            sims.data = (sims.data >= SIMILAR_MIN).astype(np.float32)
            sims.eliminate_zeros()
            out[start:start + 2000] = (sims @ self._similar_labels).toarray()
        return out

    def _wording(self, code_id: int) -> str:
        """What the statistical signal learned the code's words from, as the reason says
        it: a code with no description or examples has only its name and its codings."""
        code = self.codebook.codes[code_id]
        if code.definition or code.inclusion or code.examples:
            return "ordval som i kodens beskrivning och exempel"
        if code_id in self._col and self._used[self._col[code_id]]:
            return "ordval som i kodade inlägg"
        return "ordval som i kodens namn"

    def _reasons(self, s: Suggestion, similar: int, meaning: str | None = None) -> list[str]:
        reasons = []
        if s.keywords:
            reasons.append("nyckelord: " + ", ".join(s.keywords[:3]))
        if meaning:
            reasons.append(f"liknar betydelsen av \u201d{meaning}\u201d")
        if similar:
            reasons.append(f"liknar {similar} kodade inlägg")
        elif not s.keywords and s.score >= NO_FIT_THRESHOLD:
            reasons.append(self._wording(s.code_id))
        if s.via is not None:
            reasons.append(f"via subtema: {self.codebook.codes[s.via].name}")
        if not reasons:
            reasons.append("svag likhet")   # the score stands beside it, in its own form
        return reasons


# The reasons as the English command line says them (the app shows them as stored); one
# pattern per form `_reasons` writes, the words it quotes kept as they are.
_REASONS_EN = [
    (re.compile(r"nyckelord: (.*)", re.S), "keywords: {0}"),
    (re.compile("liknar betydelsen av \u201d(.*)\u201d", re.S),
     "close in meaning to \u201d{0}\u201d"),
    (re.compile(r"liknar (\d+) kodade inlägg"), "like {0} coded units"),
    (re.compile(r"ordval som i kodens beskrivning och exempel"),
     "wording as in the code's description and examples"),
    (re.compile(r"ordval som i kodade inlägg"), "wording as in coded units"),
    (re.compile(r"ordval som i kodens namn"), "wording as in the code's name"),
    (re.compile(r"via subtema: (.*)", re.S), "via sub-theme: {0}"),
    (re.compile(r"svag likhet"), "weak similarity"),
]


def reason_in_english(reason: str) -> str:
    """A stored reason in English; one of an unknown form as it is."""
    for pattern, english in _REASONS_EN:
        found = pattern.fullmatch(reason)
        if found:
            return english.format(*found.groups())
    return reason


def flagged_under(suggestions: Iterable[tuple[str, float]]) -> str | None:
    """The main theme a flagged unit does fit, if one of its suggestions (label, score) is
    a main theme with strong evidence (STRONG): the flag weighs sub-themes, so it then says that no
    sub-theme of that theme fits, not that no code does ("fits no existing code?" beside
    "Tidig upptäckt 0.93" read as a contradiction)."""
    fits = [(score, label) for label, score in suggestions
            if " > " not in label and score >= STRONG]
    return max(fits)[1] if fits else None


def no_fit_score(best: float, depth: int) -> float:
    """Probability-like score for "passar ingen befintlig kod" given the best code's score."""
    return (1.0 - best) * NOVELTY.get(depth, NOVELTY[1])
